"""New user 32: a sentence quoted alone changed its meaning. "What will Sony's handheld console cost in the US?" was
answered "... will go on sale for $250 (£132) ... [1]. It launched its DS handheld in Japan and the US last year ...
[1]", where "It" is Nintendo, named in the sentence before; "He lied and shattered my reputation, and I'm here to try
and get my life back." was quoted without the sentence naming its speaker (Carroll), who opened the quotation there.
A sentence that leans on the one before it is quoted with it (``rag.extractive.read_alone``); a quotation is one
claim (``rag.verify.split_claims``) and cited whole, across its two sentences (``rag.verify`` ``_verbatim``)."""

from __future__ import annotations

from rag.extractive import ALONE_MAX_CHARS, ExtractiveAnswerer, Scored, read_alone
from rag.text import split_sentences
from rag.types import Passage
from rag.verify import split_claims, verify

SONY = ("Sony is entering a market which has been dominated by Nintendo for many years. It launched its DS handheld in "
        "Japan and the US last year and has sold 2.8 million units. The handheld console will go on sale for $250 (£132) "
        "in the US on 24 March.")
CARROLL = ("On the stand, Carroll acknowledged that she flirted with Trump.\nAfter accusing him of rape in her testimony, "
           "Carroll added: \"When I wrote about it, he said it didn't happen. He lied and shattered my reputation, and "
           "I'm here to try and get my life back.\"")


def _passage(text: str, n: int = 1) -> Passage:
    return Passage(n, f"c{n}", f"a{n}", "Story", f"/news/{n}.txt", "2023-05-01", 1.0, text, 0, len(text),
                   tuple(split_sentences(text)), 0.6)


def _scored(p: Passage, i: int) -> Scored:
    a, b = p.sentences[i]
    return Scored(p, (a, b), p.text[a:b], 1.0, 0.5)


def test_a_pronoun_sentence_is_quoted_with_the_sentence_naming_whom_it_means() -> None:
    p = _passage(SONY)
    got = read_alone([_scored(p, 2), _scored(p, 1)])
    assert [s.text for s in got] == [p.text[p.sentences[2][0]:p.sentences[2][1]], p.text[: p.sentences[1][1]]]
    assert got[1].text.startswith("Sony is entering a market") and got[1].span == (0, p.sentences[1][1])


def test_the_rest_of_a_quotation_comes_with_its_speaker_and_the_name_can_answer() -> None:
    p = _passage(CARROLL)
    got = read_alone([_scored(p, 2)])
    assert len(got) == 1 and got[0].text.startswith("After accusing him of rape") and got[0].text.endswith('back."')
    answer = ExtractiveAnswerer().answer("Who said Trump lied and shattered her reputation?", [p])
    assert not answer.refused and "Carroll added" in answer.text, answer.text


def test_a_sentence_read_after_the_one_it_leans_on_and_a_plain_one_stay_as_they_are() -> None:
    p = _passage(SONY)
    pair = [_scored(p, 0), _scored(p, 1)]
    assert read_alone(pair) == pair  # "It ..." right after the sentence naming Nintendo
    assert read_alone([_scored(p, 2)]) == [_scored(p, 2)]
    assert read_alone([_scored(p, 0)]) == [_scored(p, 0)]


def test_a_leaning_sentence_too_long_to_quote_with_the_one_before_is_left_out_unless_it_leads() -> None:
    long_first = "Sony is entering a market " + "which has been dominated by Nintendo " * 20 + "for many years."
    p = _passage(long_first + " It launched its DS handheld last year. The console will cost $250.")
    assert p.sentences[1][1] - p.sentences[0][0] > ALONE_MAX_CHARS
    assert read_alone([_scored(p, 2), _scored(p, 1)]) == [_scored(p, 2)]  # a second sentence that cannot stand alone
    assert read_alone([_scored(p, 1)]) == [_scored(p, 1)]  # it leads: as it is


def test_a_quotation_is_one_claim_and_is_cited_whole() -> None:
    said = 'The mayor said: "We will rebuild the bridge. It will take two years and cost $40 million." [1]'
    assert split_claims(said) == [said]
    assert split_claims('He said "no." [1] She said "yes." [2]') == ['He said "no." [1]', 'She said "yes." [2]']
    text = 'The storm destroyed the old bridge. The mayor said: "We will rebuild the bridge. It will take two years."'
    checked = verify('The mayor said: "We will rebuild the bridge. It will take two years." [1]', [_passage(text)])
    assert [c.quote for c in checked.citations] == ['The mayor said: "We will rebuild the bridge. It will take two '
                                                    'years."']
    assert checked.text == 'The mayor said: "We will rebuild the bridge. It will take two years." [1]'
