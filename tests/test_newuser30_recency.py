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
