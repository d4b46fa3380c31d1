"""Claim verification: a scripted suite of LLM answers with planted unsupported claims, over the seed article.

Each case is an answer an LLM could write over three passages of the seed article, made of claims
labelled *true* (the passages state it; cited right, cited wrong, or not cited at all) or *planted*
(invented, cited or not; or a right citation with a changed number or name). The product's promise:
every planted claim is removed, and (almost) no true claim is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import split_sentences
from rag.types import Passage
from rag.verify import ClaimGate, quoted_marker, split_claims, support, supports, verify

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2ee66f902f40f20f.txt"


def _passages() -> list[Passage]:
    text = SEED.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines(keepends=True)]
    # three passages of ~7 lines each, with article offsets, like retrieved chunks
    out, pos, n = [], 0, 1
    for i in range(0, len(lines), 7):
        block = "".join(lines[i : i + 7])
        start = text.index(block, pos)
        spans = tuple((start + a, start + b) for a, b in split_sentences(block))
        out.append(Passage(n, f"seed:{n}", "seed", "Syria", "seeds/000.txt", "2024-12-01", 1.0, block, start,
                           start + len(block), spans))
        pos, n = start + len(block), n + 1
    return out


PASSAGES = _passages()


def _find(fact: str) -> int:
    return next(p.n for p in PASSAGES if fact in p.text)


KHANSIR = _find("Khansir")
IDLIB_TOLL = _find("At least four people")
HEZBOLLAH = _find("led by Hezbollah")
OTHER = {1: 2, 2: 3, 3: 1}

# (claim text with markers, true?)  -- markers are filled in per case below
TRUE = [
    ("Rebels captured the town of Khansir south of Aleppo", KHANSIR),
    ("At least four people were killed in the Idlib raid", IDLIB_TOLL),
    ("Militias allied to Iran, led by Hezbollah, are strong around Aleppo", HEZBOLLAH),
    ("Around four million people live in the rebel enclave near the Turkish border", _find("four million")),
    ("Insurgents swept into Aleppo on Friday night", _find("Friday night")),
    ("Hyat Tahrir al-Sham is designated a terrorist group by the US, Russia and Turkey", _find("designated a terrorist")),
    ("The war has ground on since 2011", _find("since 2011")),
    ("Rebel sources said they had captured the Sheikh Najjar estate", _find("Sheikh Najjar")),
    ("Aleppo had been held by the government since a 2016 victory", _find("2016 victory")),
    ("Iran sent thousands of Shiite militias to Syria during the war", _find("Shiite militias")),
]
PLANTED = [
    ("The rebels were led by Napoleon", None),                                   # invented name
    ("At least nine people were killed in the Idlib raid", IDLIB_TOLL),          # changed number, right passage
    ("Rebels captured the town of Homs south of Aleppo", KHANSIR),               # changed name, right passage
    ("Around seven million people live in the rebel enclave near the Turkish border", _find("four million")),
    ("The war has ground on since 1999", _find("since 2011")),                   # changed year
    ("The United Nations condemned the air strikes on Idlib", IDLIB_TOLL),       # invented, cited
    ("Insurgents swept into Aleppo on Tuesday morning", _find("Friday night")),  # changed day
    ("Turkey sent troops to defend Aleppo city", None),                         # invented, uncited
    ("Hezbollah fighters captured the Sheikh Najjar estate", _find("Sheikh Najjar")),  # wrong actor
    ("Israel recaptured Khansir from the rebels on Monday", KHANSIR),            # invented, cited
]


def _cases() -> list[tuple[str, list[str], list[str]]]:
    """30 answers: (answer text, its true claims, its planted claims), claims written bare."""
    cases = []
    for i in range(30):
        t1, t2 = TRUE[i % 10], TRUE[(i + 3) % 10]
        planted = PLANTED[i % 10]
        style = i % 3  # 0: right markers, 1: no markers, 2: wrong markers on the true claims
        def mark(claim: tuple[str, int | None], how: int) -> str:
            text, n = claim
            if n is None or how == 1:
                return text + "."
            return f"{text} [{n if how == 0 else OTHER[n]}]."
        planted_how = 0 if planted[1] is not None and i % 2 == 0 else 1
        parts = [mark(t1, style), mark(planted, planted_how), mark(t2, style)]
        cases.append((" ".join(parts), [t1[0], t2[0]], [planted[0]]))
    return cases


@pytest.mark.parametrize("question", [None, "What happened in the fighting around Aleppo and Idlib in Syria?"])
def test_planted_claims_are_all_removed_and_true_ones_kept(question: str | None) -> None:
    planted_total = planted_removed = true_total = true_removed = 0
    for answer, true_claims, planted in _cases():
        v = verify(answer, PASSAGES, question)
        kept = v.text
        for claim in planted:
            planted_total += 1
            planted_removed += claim not in kept and any(claim in r for r in v.removed)
        for claim in true_claims:
            true_total += 1
            true_removed += claim not in kept
        # every kept claim carries a marker whose citation quotes the article verbatim
        text = SEED.read_text(encoding="utf-8")
        assert all(text[c.start : c.end] == c.quote for c in v.citations)
        assert all(seg.rstrip(".").endswith("]") for seg in split_claims(kept)), kept
    assert planted_total == 30 and true_total == 60
    assert planted_removed == planted_total, f"{planted_total - planted_removed} planted claims got through"
    assert true_removed / true_total <= 0.05, f"{true_removed} of {true_total} true claims removed"


@pytest.mark.parametrize("size", [1, 3, 7, 40])
def test_a_streamed_answer_lets_through_what_verify_keeps_and_no_planted_claim(size: int) -> None:
    question = "What happened in the fighting around Aleppo and Idlib in Syria?"
    for answer, _, planted in _cases():
        gate = ClaimGate(PASSAGES, question)
        pieces = [out for i in range(0, len(answer), size) for out in gate.feed(answer[i : i + size])]
        pieces += list(gate.finish())
        assert "".join(pieces) == verify(answer, PASSAGES, question).text
        assert not any(claim in piece for piece in pieces for claim in planted)


def test_a_streamed_claim_waits_for_the_next_one_to_begin() -> None:
    gate = ClaimGate(PASSAGES)
    assert list(gate.feed(f"Rebels captured the town of Khansir south of Aleppo [{KHANSIR}]. At")) == []
    # "At" may yet be a marker run's neighbour or a short fragment joining the claim before: held back
    assert list(gate.feed(" least four people were killed in Idlib.")) == \
        [f"Rebels captured the town of Khansir south of Aleppo [{KHANSIR}]."]
    assert list(gate.finish()) == [f" At least four people were killed in Idlib [{IDLIB_TOLL}]."]


def test_uncited_true_claims_get_their_citation_by_attribution() -> None:
    v = verify("Rebels captured the town of Khansir south of Aleppo. At least four people were killed in Idlib.", PASSAGES)
    assert v.removed == ()
    assert f"Khansir south of Aleppo [{KHANSIR}]." in v.text
    assert set(v.attributed) == {KHANSIR, IDLIB_TOLL}
    assert {c.n for c in v.citations} == {KHANSIR, IDLIB_TOLL}


def test_a_wrong_marker_is_replaced_by_the_passage_that_supports_the_claim() -> None:
    v = verify(f"Rebels captured the town of Khansir south of Aleppo [{OTHER[KHANSIR]}].", PASSAGES)
    assert v.unsupported == (OTHER[KHANSIR],)
    assert v.text == f"Rebels captured the town of Khansir south of Aleppo [{KHANSIR}]."


def test_the_issue_example_napoleon_is_removed() -> None:
    v = verify(f"Rebels said they had pushed south of Aleppo and captured Khansir [{KHANSIR}]. "
               "The rebels were led by Napoleon.", PASSAGES)
    assert v.removed == ("The rebels were led by Napoleon.",)
    assert "Napoleon" not in v.text and "Khansir" in v.text


def test_numbers_and_names_must_be_in_the_supporting_sentence() -> None:
    p = PASSAGES[IDLIB_TOLL - 1]
    assert support("At least four people were killed and dozens injured", p).ok
    assert not support("At least two people were killed and dozens injured", p).ok
    assert not support("At least 4 people were killed and dozens injured in Homs", p).ok


def test_dotted_and_plain_acronyms_are_one_name() -> None:
    p = Passage(1, "c", "a", "T", "s", None, 1.0, "Anna May Wong will appear on the U.S. quarter.", 0, 46, ((0, 46),))
    assert support("Anna May Wong is the first actress on a US quarter", p).ok


def test_an_articles_own_bracket_is_text_not_a_marker() -> None:
    p = Passage(1, "c", "a", "T", "s", None, 1.0, "Officials said the toll rose (see [2]) on Sunday.", 0, 49, ((0, 49),))
    answer = "Officials said the toll rose (see [2]) on Sunday [1]."
    assert quoted_marker(answer, answer.index("[2]"), answer.index("[2]") + 3, [p.text])
    v = verify(answer, [p])
    assert v.text == answer and v.unsupported == () and [c.n for c in v.citations] == [1]


def test_a_verified_sentence_keeps_its_spaces_before_punctuation_inside_it() -> None:
    # new user 9: "... and ![img](...)" was given as "... and![img](...)", the quote as the article has it
    text = "Campaigners posted a note reading [click here](javascript:alert(1)) and ![img](x.png) on the door."
    p = Passage(1, "c", "a", "T", "s", None, 1.0, text, 0, len(text), ((0, len(text)),))
    v = verify(text[:-1] + " [1].", [p])
    assert v.text == text[:-1] + " [1]." and v.citations[0].quote == text
    assert verify(text[:-1] + " [1] .", [p]).text == text[:-1] + " [1]."  # a space before the stop goes


def test_a_well_known_acronym_stands_for_the_name_the_sentence_spells_out() -> None:
    # new user 10: the local model's right "came to the US from Syria with $14,000" was removed (the article
    # writes "United States" only); an acronym of other initials is still another name
    text = ("The owner of Joe's Service Center in Altadena, who came to the United States from Syria in 1980 with "
            "$14,000 in his pocket, is now a millionaire.")
    p = Passage(2, "c", "a", "T", "s", None, 1.0, text, 0, len(text), ((0, len(text)),))
    q = "How much money did the gas station owner have when he emigrated to America?"
    kept = verify("The gas station owner came to the US from Syria with $14,000 in his pocket [2].", [p], q)
    assert kept.removed == () and [c.n for c in kept.citations] == [2]
    assert verify("The owner came to the UK from Syria with $14,000 in his pocket [2].", [p], q).removed


# --- the question as context (real Qwen2.5-1.5B answers on RealTime QA tuning questions had these shapes)


def test_a_claim_may_restate_the_questions_names_and_numbers() -> None:
    # the shape of "Aaron Judge hit his 62nd home run ..., breaking a 61-year-old record previously held by Roger Maris"
    q = "The war has ground on since 2011; which town south of Aleppo did rebels capture on Sunday?"
    claim = f"The war has ground on since 2011, and rebels captured the town of Khansir south of Aleppo [{KHANSIR}]."
    assert verify(claim, PASSAGES).removed  # "2011" is not beside the Khansir sentence
    v = verify(claim, PASSAGES, q)
    assert v.removed == () and "Khansir" in v.text and [c.n for c in v.citations] == [KHANSIR]


def test_a_new_name_must_be_in_the_sentence_not_only_beside_it() -> None:
    # "Hezbollah" is two sentences from "Iran sent thousands of Shiite militias": it is no answer to who sent them
    q = "Which group sent thousands of Shiite militias to Syria during the war?"
    assert verify("Iran sent thousands of Shiite militias to Syria during the war.", PASSAGES, q).removed == ()
    v = verify("Hezbollah sent thousands of Shiite militias to Syria during the war.", PASSAGES, q)
    assert v.removed and not v.citations


def test_a_fact_pinned_on_the_questions_subject_is_removed() -> None:
    # the passage says Iran sent militias; a claim giving that fact to the question's Hezbollah is not backed
    q = "What did Hezbollah do in Lebanon?"
    v = verify("Hezbollah sent thousands of Shiite militias to Syria during the war.", PASSAGES, q)
    assert v.removed and not v.citations


def test_an_unsupported_added_clause_is_cut_and_the_backed_head_kept() -> None:
    v = verify(f"Rebels captured the town of Khansir south of Aleppo, with the help of 500 French volunteers [{KHANSIR}].",
               PASSAGES, "Which town did the rebels capture?")
    assert v.text == f"Rebels captured the town of Khansir south of Aleppo [{KHANSIR}]."
    assert v.removed == ("with the help of 500 French volunteers.",)


def test_a_head_that_only_restates_the_question_is_no_answer() -> None:
    q = "Rebels pushed further south of Aleppo city on Sunday. Which town did they capture?"
    v = verify("Rebels pushed further south of Aleppo city on Sunday, capturing the town of Homs.", PASSAGES, q)
    assert not v.citations and v.text == ""


@pytest.mark.parametrize("text,expected", [
    ("One. Two words here [1]. Three is here too [2][3].", ["One. Two words here [1].", "Three is here too [2][3]."]),
    ("The U.S. said so [1]. Then it left.", ["The U.S. said so [1].", "Then it left."]),
    ("The rate fell to 6.33% as of Dec. 8, Freddie Mac said [2]. It rose later.",
     ["The rate fell to 6.33% as of Dec. 8, Freddie Mac said [2].", "It rose later."]),
    ("Khansir [1] Rebels took it", ["Khansir [1]", "Rebels took it"]),
    # new user 7: a table row's marker, then a wire story's dateline in brackets
    ("Rob Walton $59.8 billion [5] (CNN) NFL owners approved the sale [1].",
     ["Rob Walton $59.8 billion [5]", "(CNN) NFL owners approved the sale [1]."]),
    ('He left [2] "We will rebuild," she said [3].', ["He left [2]", '"We will rebuild," she said [3].']),
    ("It rose [2] (to 12) on Monday [3].", ["It rose [2] (to 12) on Monday [3]."]),
])
def test_split_claims(text: str, expected: list[str]) -> None:
    assert split_claims(text) == expected


def _one(text: str) -> list[Passage]:
    from rag.text import split_sentences

    return [Passage(1, "c1", "a1", "T", "s", "2022-01-01", 1.0, text, 0, len(text), tuple(split_sentences(text)))]


@pytest.mark.parametrize("passage,question,claim", [
    ("Jack Dorsey fired Parag Agrawal on Friday. The board agreed.",      # the question's subject, never in a passage
     "Who did Elon Musk fire this week?", "Elon Musk fired Parag Agrawal [1]."),
    ("The death toll rose to 12 on Monday, officials said.",              # a yes/no question gives no number
     "Did the death toll rise to 50?", "The death toll rose to 50 on Monday [1]."),
    ("Canberra is the capital of Australia. Paris is a city in France.",  # ... and no name
     "Is Paris the capital of Australia?", "Paris is the capital of Australia [1]."),
    ("Arsenal won the match 2-1 at home on Saturday.",                    # the alternatives of a choice are not given
     "Who won the match, Arsenal or Chelsea?", "Chelsea won the match [1]."),
    ("Town1 won the vote on Sunday.", "Which won the vote, Town1 or Town2?", "Town2 won the vote [1]."),
])
def test_what_the_question_gives_never_backs_a_wrong_answer(passage: str, question: str, claim: str) -> None:
    (p,) = _one(passage)
    v = verify(claim, [p], question)
    assert not v.citations and v.removed
    quotes = [passage[a:b] for a, b in p.sentences]  # what a citation would quote
    assert not any(supports(claim.replace(" [1]", ""), q, question) for q in quotes)  # the evaluator agrees


@pytest.mark.parametrize("text,expected", [
    ("Starbucks will use a new logo in the U.S. and Canada [2].", ["Starbucks will use a new logo in the U.S. and Canada [2]."]),
    ("The firm is based in the U.S. It employs 500 people [1].", ["The firm is based in the U.S.", "It employs 500 people [1]."]),
    # ... but a name goes on after it: the offline answer's verbatim sentence stays whole
    ("Fetterman is the projected winner of the U.S. Senate race, CNN projects. [3]",
     ["Fetterman is the projected winner of the U.S. Senate race, CNN projects. [3]"]),
    ("Gov. Ron DeSantis kicked off his campaign [1].", ["Gov. Ron DeSantis kicked off his campaign [1]."]),
    ("It opens at 8 p.m. ET on Sunday [2]. Then it closes.", ["It opens at 8 p.m. ET on Sunday [2].", "Then it closes."]),
])
def test_abbreviations_end_no_claim_but_a_dotted_acronym_before_a_capital_may(text: str, expected: list[str]) -> None:
    assert split_claims(text) == expected


# --- names written another way (the tester's B1): respelt, an acronym, the title -----------------------

def _article(text: str, title: str = "T", n: int = 1, article: str = "a1", start: int = 0) -> Passage:
    from rag.text import split_sentences

    spans = tuple((start + a, start + b) for a, b in split_sentences(text))
    return Passage(n, f"{article}:{n}", article, title, "s", "2005-01-01", 1.0, text, start, start + len(text), spans)


TIME_WARNER = _article("Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three "
                       "months to December. TimeWarner said fourth quarter sales rose 2% to $11.1bn.",
                       title="Ad sales boost Time Warner profit")
BA = _article("British Airways has blamed high fuel prices for a 40% drop in profits. Reporting its results for the "
              "three months to 31 December 2004, the airline made a pre-tax profit of £75m. Rod Eddington, BA's chief "
              "executive, said the results were \"respectable\" in a third quarter when fuel costs rose.",
              title="High fuel prices hit BA's profits")
BA_ONLY = _article("Rod Eddington, BA's chief executive, said the results were \"respectable\" in a third quarter "
                   "when fuel costs rose.", title="High fuel prices hit BA's profits")
FIRM = _article("The firm's quarterly profits jumped 76% to $1.13bn for the three months to December.",
                title="Ad sales boost Time Warner profit")
RIVAL = _article("Quarterly profits at rival Disney jumped 76% to $1.13bn for the three months to December.",
                 title="Ad sales boost Time Warner profit")


@pytest.mark.parametrize("passages,question,claim", [
    ([TIME_WARNER], "How did TimeWarner do last quarter?", "Time Warner's quarterly profits jumped 76% [1]."),
    ([TIME_WARNER], None, "Time Warner's quarterly profits jumped 76% [1]."),
    ([TIME_WARNER], None, "Time-Warner's quarterly profits jumped 76%."),
    ([_article("Quarterly profits at Time Warner jumped 76% to $1.13bn.")], None, "TimeWarner's quarterly profits jumped 76%."),
    ([BA], "Who is BA's chief executive?", "Rod Eddington is the chief executive of British Airways [1]."),
    ([BA], None, "Rod Eddington is the chief executive of British Airways [1]."),
    ([_article("BA flies to Oslo. It flies to Rome too. It also flies to Paris. Rod Eddington, the British Airways "
               "chief executive, said the results were respectable.")],     # the acronym the article uses elsewhere
     None, "Rod Eddington, BA's chief executive, said the results were respectable."),
    ([FIRM], None, "Time Warner's quarterly profits jumped 76% [1]."),           # the name only in the title
    ([FIRM], "How did the firm do?", "Time Warner's quarterly profits jumped 76% to $1.13bn."),
])
def test_a_name_written_another_way_is_the_same_name(passages: list[Passage], question: str | None, claim: str) -> None:
    v = verify(claim, passages, question)
    assert v.removed == () and v.citations, v
    assert v.text.replace(" [1]", "") == claim.replace(" [1]", "")


# claims the loosening above must not let through: each is removed, with and without a question
LOOSENED_PLANTED = [
    # initials that merely coincide with the passage's acronym: the article never names a bank
    ([BA], "Rod Eddington is the chief executive of Bank of America [1]."),
    ([BA_ONLY], "Rod Eddington is the chief executive of Bank of America [1]."),
    ([BA_ONLY], "Rod Eddington is the chief executive of Boeing Aircraft."),
    # an acronym whose expansion the article writes, but for another sentence's subject
    ([BA], "Rod Eddington is the chief executive of BNP Airways [1]."),
    # respelt, but another name
    ([TIME_WARNER], "Warner Music's quarterly profits jumped 76% [1]."),
    ([TIME_WARNER], "Time Inc's quarterly profits jumped 76% [1]."),
    # the title's name given another actor's fact, or a fact the title does not report
    ([RIVAL], "Time Warner's quarterly profits jumped 76% [1]."),
    ([_article("Rebels captured the town of Khansir south of Aleppo on Sunday.", title="Syria")],
     "Syria's army captured the town of Khansir south of Aleppo on Sunday [1]."),
    ([_article("The firm's quarterly profits jumped 76% to $1.13bn.", title="Time Warner boss quits")],
     "Time Warner's quarterly profits jumped 76% [1]."),
    # a title naming two firms does not say whose profits the sentence gives
    ([_article("Shares in Apple and Google rose on Monday. Traders were pleased. Investors bought more. "
               "Quarterly profits jumped 76% to $1.13bn.",
               title="Apple and Google report profits")], "Apple's quarterly profits jumped 76% [1]."),
    ([_article("Quarterly profits jumped 76% to $1.13bn, the firm said.", title="Ad sales boost Time Warner and "
               "Disney profits")], "Time Warner's quarterly profits jumped 76% [1]."),
    # the title's name is no licence for a name it does not hold
    ([FIRM], "Disney's quarterly profits jumped 76% [1]."),
    ([FIRM, _article("Shares in Disney fell 3% on the news.", n=2, article="a2", title="Disney shares fall")],
     "Disney's quarterly profits jumped 76% [1]."),
]


@pytest.mark.parametrize("passages,claim", LOOSENED_PLANTED)
@pytest.mark.parametrize("question", [None, "How did the company do last quarter?"])
def test_names_written_another_way_let_no_planted_claim_through(passages: list[Passage], claim: str,
                                                                 question: str | None) -> None:
    v = verify(claim, passages, question)
    assert not v.citations and v.text == "" and v.removed, v
    gate = ClaimGate(passages, question)
    assert [*gate.feed(claim), *gate.finish()] == []
    quotes = [p.text[a - p.start : b - p.start] for p in passages for a, b in p.sentences]
    assert not any(supports(claim.replace(" [1]", ""), q, question) for q in quotes)


# --- a model caught in a loop (the tester's C10) -------------------------------------------------------


def test_a_repeated_claim_is_kept_or_removed_once() -> None:
    true = f"Rebels captured the town of Khansir south of Aleppo [{KHANSIR}]."
    answer = " ".join([true] * 400 + ["The rebels were led by Napoleon."] * 300 + [true.replace("Rebels", "rebels")])
    v = verify(answer, PASSAGES)
    assert v.text == true
    assert v.removed == ("The rebels were led by Napoleon.",)
    gate = ClaimGate(PASSAGES)
    pieces = [out for i in range(0, len(answer), 50) for out in gate.feed(answer[i : i + 50])] + list(gate.finish())
    assert "".join(pieces) == v.text


def test_the_removed_sentences_notice_is_capped() -> None:
    from rag.verify import removed_notice

    removed = [f"Invented sentence number {i} about something." for i in range(300)] + ["x" * 500]
    notice = removed_notice(removed)
    assert notice.startswith("Removed 301 sentence(s) no passage supports: Invented sentence number 0")
    assert notice.endswith("| … and 296 more") and len(notice) < 400
    assert len(removed_notice(["y" * 500])) < 200
    assert removed_notice(["One.", "Two."]) == "Removed 2 sentence(s) no passage supports: One. | Two."


def test_a_marker_goes_after_a_closing_quote_not_inside_it() -> None:
    text = 'Experts call it the "Wordle effect." He beat Mehmet Oz.'
    v = verify('Experts call it the "Wordle effect." [1] He beat Mehmet Oz. [1]', _one(text))
    assert v.text == 'Experts call it the "Wordle effect." [1] He beat Mehmet Oz [1].'


# --- the question's premises (new user #7, defect 2: a local model's altered facts passed as the question's own)

SERENA = "Serena Williams begins farewell tour as she loses at the Canadian ..."
BENCIC = ("The 23-time grand slam champion was defeated 6-2 6-4 by Belinda Bencic in the second round of the "
          "Canadian Open in Toronto -- her first match since penning an article in Vogue.")
STANWAY = ("Georgia Stanway was England’s hero after scoring a spectacular extra-time winner in last night’s Uefa "
           "Women’s Euro quarter-final against Spain.")


@pytest.mark.parametrize("passage,title,question,claim", [
    # the question's "US Open": the article is the Canadian Open's (its "Open" is another name's part)
    (BENCIC, SERENA, "Whom did Serena Williams beat in the second round of the US Open?",
     "Serena Williams beat Belinda Bencic in the second round of the US Open in Toronto [1]."),
    # the question's "Germany": the quote's match is against Spain, and the article never names Germany
    (STANWAY, "Uefa Women's Euro: Lionesses 'simply don't know when they're ...",
     "Who scored England's extra-time winner against Germany in the women's Euro final?",
     "Georgia Stanway scored England's extra-time winner against Germany [1]."),
    # the subject by a name the article gives someone else
    ("Venus Williams was defeated 6-2 6-4 by Belinda Bencic in the second round of the Canadian Open in Toronto.", "T",
     "Whom did Serena Williams lose to in Toronto?", "Serena Williams lost to Belinda Bencic in the Canadian Open [1]."),
])
def test_a_question_name_the_article_never_states_is_no_premise_to_restate(passage: str, title: str, question: str,
                                                                          claim: str) -> None:
    v = verify(claim, [_article(passage, title=title)], question)
    assert not v.citations and v.text == "" and v.removed == (claim.replace(" [1]", ""),), v


@pytest.mark.parametrize("passage,title,question,claim", [
    # the subject restated by full name where the passage says only the surname ...
    ("Williams was defeated 6-2 6-4 by Belinda Bencic in the second round of the Canadian Open in Toronto.", "Tennis",
     "Whom did Serena Williams lose to in Toronto?",
     "Serena Williams lost to Belinda Bencic in the second round of the Canadian Open [1]."),
    # ... or "The 23-time grand slam champion", under a title that names her
    (BENCIC, SERENA, "Whom did Serena Williams lose to in the second round of the Canadian Open?",
     "Serena Williams lost to Belinda Bencic in the second round of the Canadian Open in Toronto [1]."),
    (STANWAY, "Uefa Women's Euro: Lionesses 'simply don't know when they're ...",
     "Who scored England's extra-time winner against Spain at the women's Euro?",
     "Georgia Stanway scored England's extra-time winner against Spain [1]."),
])
def test_the_questions_subject_may_still_be_restated_when_the_article_names_it(passage: str, title: str,
                                                                               question: str, claim: str) -> None:
    v = verify(claim, [_article(passage, title=title)], question)
    assert v.text == claim and v.removed == () and v.citations, v


MEGA = [_article("(CNN) The chase for the second-largest Mega Millions jackpot has ended -- with a single ticket sold "
                 "in the Chicago area for the whole $1.337 billion.", title="One ticket in Illinois won the jackpot"),
        _article("The largest ever Mega Millions jackpot of $1.537 billion was won by a single ticket sold in South "
                 "Carolina in 2018.", title="One ticket in Illinois won the jackpot", n=2, start=500)]


def test_a_question_number_restated_against_a_sentence_giving_it_another_value_is_removed() -> None:
    q = "In which state was the winning $1.3 billion Mega Millions ticket sold?"
    wrong = "The winning $1.3 billion Mega Millions ticket was sold in South Carolina [2]."
    v = verify(wrong, MEGA, q)
    assert not v.citations and v.removed == (wrong.replace(" [2]", ""),), v
    assert not supports(wrong.replace(" [2]", ""), MEGA[1].text, q)  # the evaluator agrees
    # the sentence of $1.337 billion backs the question's (rounded) $1.3 billion
    right = "The winning $1.3 billion Mega Millions ticket was sold in the Chicago area [1]."
    v = verify(right, MEGA, q)
    assert v.text == right and v.removed == () and [c.n for c in v.citations] == [1]
    assert supports(right.replace(" [1]", ""), MEGA[0].text, q)


def test_who_beat_whom_turned_round_is_removed() -> None:
    p = _article(BENCIC, title=SERENA)
    q = "Whom did Serena Williams play in the second round of the Canadian Open in Toronto?"
    turned = "Serena Williams beat Belinda Bencic in the second round of the Canadian Open in Toronto [1]."
    v = verify(turned, [p], q)
    assert not v.citations and v.removed, v
    assert not supports(turned.replace(" [1]", ""), BENCIC, q)
    right = "Belinda Bencic beat Serena Williams in the second round of the Canadian Open in Toronto [1]."
    assert verify(right, [p], q).text == right


# --- the question's names as premises: a verbatim sentence of the offline answer keeps its support
# (three removed on the evaluation suites when "X and Y" was read as one name, and a plural as another)


def _premise_passage(text: str) -> Passage:
    spans = tuple(split_sentences(text))
    return Passage(1, "a1:v:0", "a1", "Report", "src", None, 1.0, text, 0, len(text), spans)


@pytest.mark.parametrize(("question", "text"), [
    ("During which era did the Aztec and Incan empires thrive?",
     "The Americas during the pre-Columbian era also had large empires such as the Aztec Empire and the Incan "
     "Empire."),
    ("When did Barton and Whitfield demand climate research records?",
     "On 23 June 2005, Rep. Joe Barton, chairman of the House Committee on Energy and Commerce wrote joint letters "
     "with Ed Whitfield demanding full records on climate research."),
    ("Which Hawaiian volcano began erupting this week?",
     "The Hawaiʻi Volcanoes National Park remains open but cautions visitors to be aware of the cultural "
     "significance the sites have for Native Hawaiians."),
])
def test_a_verbatim_sentence_keeps_its_support_whatever_question_names_it_restates(question: str, text: str) -> None:
    checked = verify(f"{text} [1]", [_premise_passage(text)], question)
    assert checked.removed == () and checked.text.endswith("[1].")


def test_a_claim_that_is_its_cited_sentence_word_for_word_is_supported_as_it_stands() -> None:
    """The offline answer quotes its passages: a sentence cited by its own passage is never "unsupported"
    (a new user saw the tool remove its own quote), whatever the rules for restated names and numbers
    make of a claim that paraphrases it."""
    text = "The largest ever Mega Millions jackpot of $1.537 billion was won by a ticket sold in South Carolina."
    question = "In which state was the winning $1.3 billion Mega Millions ticket sold?"
    kept = verify(f"{text} [1]", [_premise_passage(text)], question)
    assert kept.removed == () and kept.text == f"{text[:-1]} [1]."
    assert len(kept.citations) == 1 and kept.citations[0].quote == text
    # the same fact restated with the question's number is still not backed by it
    said = verify("The $1.3 billion Mega Millions ticket was sold in South Carolina [1].", [_premise_passage(text)],
                  question)
    assert said.removed == ("The $1.3 billion Mega Millions ticket was sold in South Carolina.",)
