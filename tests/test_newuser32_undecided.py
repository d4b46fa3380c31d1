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
