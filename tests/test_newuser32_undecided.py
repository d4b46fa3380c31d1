"""New user 32: "On what date did Greg Gianforte sign Montana's TikTok ban into law?" was answered in bold **Friday
(14 April 2023)** from "... Gov. Greg Gianforte, who declined to say Friday if he plans to sign it into law": the
day dates his declining to say, and the law was not signed yet. A sentence that tells the asked event only as not
yet decided or done ("whether he will sign", "plans to sign", "is expected to sign") holds no date of it."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.short_answer import candidates

ASKED = "On what date did Greg Gianforte sign Montana's TikTok ban into law?"


@pytest.mark.parametrize("sentence", [
    "The measure now goes to Republican Gov. Greg Gianforte, who declined to say Friday if he plans to sign it into law.",
    "He declined to say Friday whether he will sign it, but he has already banned TikTok from government devices.",
    "Gianforte has yet to sign the bill, which lawmakers passed on April 14.",
])
def test_a_sentence_telling_the_event_undecided_dates_nothing_of_it(sentence: str) -> None:
    assert candidates(prepare(ASKED), sentence) == []


@pytest.mark.parametrize(("question", "sentence", "day"), [
    (ASKED, "Gianforte signed the ban into law on May 17.", "May 17"),
    (ASKED, "Gianforte signed the bill on Wednesday after vowing to sign it for weeks.", "Wednesday"),  # done after all
    ("When will Greg Gianforte sign the TikTok ban?", "Gianforte is expected to sign the bill on Monday.", "Monday"),
])
def test_a_date_of_the_event_done_or_asked_as_to_come_is_kept(question: str, sentence: str, day: str) -> None:
    assert day in [c.phrase for c in candidates(prepare(question), sentence)]


# "What average passenger weight did Air New Zealand's survey find?" was answered in bold **10,000 passengers**
# ("Air New Zealand wants to weigh 10,000 passengers during a four-week survey"): a weight asked with "what" is
# read as "how heavy", whose figure carries its unit
WEIGHT = "What average passenger weight did Air New Zealand's survey find?"


def test_a_weight_asked_with_what_takes_only_a_figure_in_a_unit_of_weight() -> None:
    q = prepare(WEIGHT)
    assert candidates(q, "Air New Zealand wants to weigh 10,000 passengers during a four-week survey.") == []
    assert [c.phrase for c in candidates(q, "The average passenger weighed 86kg, the survey found.")] == ["86kg"]


def test_a_weight_no_passage_gives_is_refused_naming_what_was_asked() -> None:
    from rag.extractive import ExtractiveAnswerer
    from rag.types import Passage

    text = ("New Zealand's national airline will weigh passengers before they board flights. Air New Zealand wants to "
            "weigh 10,000 passengers during a four-week survey of how much its planes carry.")
    p = Passage(1, "c1", "a1", "Airline to weigh passengers", "/news/nz.txt", "2023-05-30", 1.0, text, 0, len(text),
                ((0, 81), (82, len(text))), 0.6)
    answer = ExtractiveAnswerer().answer(WEIGHT, [p])
    assert answer.refused and "weight asked for" in answer.notices[0], answer
