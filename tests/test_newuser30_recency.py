"""New user 30: "How many people died in the storm that hit Florida this week?" (as of 12 November 2022) was
answered "As of 11 November, at least four people have been killed after Nicole hit Florida ... [1]; an earlier
report said 120 [3]", the 120 being Hurricane Ian's toll in a sentence on Nicole ("The storm is not expected to
intensify rapidly like Ian did in late September before killing at least 120 people in Florida"). A figure whose
clause names another subject than the answer's is no earlier report (``rag.recency._named_otherwise``)."""

from __future__ import annotations

import pytest

NICOLE = ("2022-11-11", "Nicole leaves Florida",
          "At least four people have been killed after Nicole hit Florida's eastern coast as a Category 1 hurricane this "
          "week. Crews were restoring power on Friday.")
ASKED = "How many people died in the storm that hit Florida this week?"


@pytest.mark.parametrize(("earlier", "said"), [
    # Ian's toll, in a sentence on Nicole: no earlier report of Nicole's (it was "an earlier report said 120")
    ("Tropical Storm Nicole is heading for Florida's east coast. The storm is not expected to intensify rapidly like "
     "Ian did in late September before killing at least 120 people in Florida. Residents were told to leave.", None),
    # an earlier count of the same storm's dead still is one
    ("Tropical Storm Nicole is heading for Florida's east coast. Nicole has killed at least two people in Florida, "
     "officials said. Residents were told to leave.", "an earlier report said two"),
])
def test_a_figure_of_another_named_event_is_no_earlier_report(settings, earlier: str, said: str | None) -> None:  # noqa: ANN001
    from datetime import date

    from tests.fakes import dated_rag

    for rag in dated_rag(settings, [("2022-11-09", "Nicole nears Florida", earlier), NICOLE]):
        answer = rag.ask(ASKED, offline=True, as_of=date(2022, 11, 12))
    assert "four people have been killed after Nicole" in answer.text
    if said is None:
        assert "earlier report" not in answer.text and "120" not in answer.text, answer.text
    else:
        assert said in answer.text, answer.text


def test_a_name_is_matched_as_a_word() -> None:
    from rag.recency import _named_otherwise

    answer = "At least four people have been killed after Nicole hit Florida this week, Brian Smith said."
    other = "The storm is not expected to intensify like Ian did before killing at least 120 people in Florida."
    assert _named_otherwise(other, other.index("120"), answer, None)  # "Ian" is not said by "Brian"
    same = "Nicole has killed at least two people in Florida."
    assert not _named_otherwise(same, same.index("two"), answer, None)


FIVE = ("2022-11-11", "Florida picks up after storm kills at least 5",
        "Floridians are picking up the pieces after this week's storm killed at least five people and ripped apart "
        "buildings in Florida. Power was restored to most homes on Friday.")


def test_of_two_tolls_reported_the_same_day_the_higher_is_the_newest(settings) -> None:  # noqa: ANN001
    """A toll only rises: new user 30 got "at least four" (the first report of 11 November) where another report
    of the same day said "at least five"; the answer now leads with five and names the other report as of the same
    day (not as an earlier one)."""
    from datetime import date

    from tests.fakes import dated_rag

    for rag in dated_rag(settings, [NICOLE, FIVE]):
        answer = rag.ask(ASKED, offline=True, as_of=date(2022, 11, 12))
    assert answer.short_answer == "at least five people", answer.text
    assert "As of 11 November, Floridians are picking up the pieces after this week's storm killed" in answer.text
    assert "another report of the same day said four" in answer.text and "earlier report" not in answer.text


def test_a_figure_of_the_same_day_that_counts_no_dead_is_no_other_report(settings) -> None:  # noqa: ANN001
    from datetime import date

    from tests.fakes import dated_rag

    homes = ("2022-11-11", "Florida homes damaged",
             "At least five homes have been damaged after Nicole hit Florida's eastern coast this week.")
    for rag in dated_rag(settings, [NICOLE, homes]):
        answer = rag.ask(ASKED, offline=True, as_of=date(2022, 11, 12))
    assert "four people have been killed after Nicole" in answer.text and "same day" not in answer.text, answer.text


@pytest.mark.parametrize(("question", "other"), [
    # a toll of another time in a report of the same day (the temporal suite's Lombok quakes)
    (ASKED, "Florida was hit by a storm less than a week ago that killed 16 people, officials said on Friday."),
    # a question asking for the earlier toll
    ("How many people died in the earlier storm that hit Florida this week?",
     "Floridians are picking up the pieces after this week's storm killed at least 16 people in Florida."),
])
def test_a_toll_of_another_time_is_no_other_report_of_the_day(settings, question: str, other: str) -> None:  # noqa: ANN001
    from datetime import date

    from tests.fakes import dated_rag

    for rag in dated_rag(settings, [NICOLE, ("2022-11-11", "Florida storm", other)]):
        answer = rag.ask(question, offline=True, as_of=date(2022, 11, 12))
    assert "same day" not in answer.text, answer.text
