"""Recency in answers: passages of different dates that disagree on the answer's figure or name.

The chain under test is the product's: the offline answerer (given ``as_of``) puts the newest
statement first and the earlier one second, ``rag.verify`` checks both against the passages, and
``rag.recency.reconcile`` words them as "As of <date>, ... [n]; an earlier report said ... [m]."
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from index.chunk import split_sentences
from rag.extractive import ExtractiveAnswerer
from rag.recency import compose, find_disagreement, reconcile
from rag.types import Passage
from rag.verify import verify

AS_OF = date(2024, 12, 1)


def _p(n: int, aid: str, published: str | None, text: str, title: str = "Blast in Kabul") -> Passage:
    return Passage(n, f"{aid}:0", aid, title, f"https://{aid}.example/story", published, 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


OLD = _p(1, "a", "2024-11-28", "A bomb exploded near a market in Kabul on Thursday. Two people were killed in the "
                               "explosion, police said. The market was closed for the day.")
NEW = _p(2, "b", "2024-12-01", "The death toll from Thursday's explosion in Kabul has risen. At least four people "
                               "were killed in the explosion, officials said on Sunday.")
QUESTION = "How many people were killed in the explosion in Kabul?"


def _answer(passages: list[Passage], as_of: date | None) -> tuple[str, tuple, str | None]:
    """The offline answer, verified, then reconciled: what the API returns."""
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(QUESTION, passages, as_of=as_of)
    checked = verify(draft.text, passages)
    short = draft.short_answer[0] if draft.short_answer else None
    text, cites = reconcile(checked.text, checked.citations, passages, short, as_of)
    return text, cites, draft.text


def test_disagreeing_figures_give_the_newest_with_its_date_and_the_earlier_with_its_citation() -> None:
    text, cites, _ = _answer([OLD, NEW], AS_OF)
    assert text == ("As of 1 December, at least four people were killed in the explosion, officials said on Sunday [2]; "
                    "an earlier report said two [1].")
    quotes = {c.n: c.quote for c in cites}
    assert quotes == {2: "At least four people were killed in the explosion, officials said on Sunday.",
                      1: "Two people were killed in the explosion, police said."}
    for c in cites:  # every citation is exact article text at its span
        p = NEW if c.n == 2 else OLD
        assert p.text[c.start - p.start : c.end - p.start] == c.quote


def test_without_as_of_the_offline_answer_is_unchanged() -> None:
    # without as_of the dates play no part: swapping them leaves the answer as it was (the ranker's
    # best sentence first, whichever that is); with as_of the newer report comes first
    swapped = [replace(OLD, published=NEW.published), replace(NEW, published=OLD.published)]
    plain = ExtractiveAnswerer(refuse_below=0.0).answer(QUESTION, [OLD, NEW])
    assert ExtractiveAnswerer(refuse_below=0.0).answer(QUESTION, swapped).text == plain.text
    dated = ExtractiveAnswerer(refuse_below=0.0).answer(QUESTION, [OLD, NEW], as_of=AS_OF)
    assert dated.text.startswith("At least four people were killed") and "[1]" in dated.text
    reversed_dates = ExtractiveAnswerer(refuse_below=0.0).answer(QUESTION, swapped, as_of=AS_OF)
    assert reversed_dates.text.startswith("Two people were killed") and "[2]" in reversed_dates.text


def test_newest_chosen_first_still_reports_the_earlier_figure() -> None:
    sentence = "At least four people were killed in the explosion, officials said on Sunday."
    found = find_disagreement(sentence, 2, [OLD, NEW], "four")
    assert found is not None
    assert (found.newest.passage.n, found.newest.value, found.earlier.passage.n, found.earlier.value) == (2, "four", 1, "two")
    assert compose(found, date(2025, 1, 5)).startswith("As of 1 December 2024, ")  # another year: year shown


def test_agreeing_passages_leave_the_answer_unchanged() -> None:
    same = _p(2, "b", "2024-12-01", "Two people were killed in the explosion in Kabul, officials confirmed on Sunday.")
    text = "Two people were killed in the explosion, police said [1]."
    checked = verify(text, [OLD, same])
    out, cites = reconcile(checked.text, checked.citations, [OLD, same], "Two", AS_OF)
    assert (out, cites) == (checked.text, checked.citations)


def test_undated_passages_leave_the_answer_unchanged() -> None:
    undated_new = _p(2, "b", None, NEW.text)
    checked = verify("Two people were killed in the explosion, police said [1].", [OLD, undated_new])
    assert reconcile(checked.text, checked.citations, [OLD, undated_new], "Two", AS_OF) == (checked.text, checked.citations)
    undated_old = _p(1, "a", None, OLD.text)
    assert find_disagreement("Two people were killed in the explosion, police said.", 1, [undated_old, NEW], "Two") is None


def test_a_different_figure_about_something_else_is_no_disagreement() -> None:
    other = _p(2, "b", "2024-12-01", "Rescuers said 30 shops were destroyed near the market in Kabul.")
    assert find_disagreement("Two people were killed in the explosion, police said.", 1, [OLD, other], "Two") is None


def test_disagreeing_names() -> None:
    old = _p(1, "a", "2023-06-02", "Jane Smith was elected leader of the Green Party in June.", "Party vote")
    new = _p(3, "c", "2024-11-30", "John Doe was elected leader of the Green Party on Saturday.", "New leader")
    found = find_disagreement("Jane Smith was elected leader of the Green Party in June.", 1, [old, new], "Jane Smith")
    assert found is not None
    assert compose(found, AS_OF) == ("As of 30 November, John Doe was elected leader of the Green Party on Saturday [3]; "
                                     "an earlier report said Jane Smith [1].")


def test_a_passage_from_after_as_of_is_never_the_newest_report() -> None:
    # asked on 29 November: the 1 December report could not be known yet, so "two" stands unreconciled
    sentence = "Two people were killed in the explosion, police said."
    assert find_disagreement(sentence, 1, [OLD, NEW], "Two") is not None
    assert find_disagreement(sentence, 1, [OLD, NEW], "Two", as_of=date(2024, 11, 29)) is None
    text, cites = reconcile(f"{sentence} [1]", (), [OLD, NEW], "Two", date(2024, 11, 29))
    assert text == f"{sentence} [1]" and cites == ()
    # and an answer quoted from a later passage is not dated "as of" a day after the question
    later = "At least four people were killed in the explosion, officials said on Sunday."
    assert find_disagreement(later, 2, [OLD, NEW], "four", as_of=date(2024, 11, 29)) is None
