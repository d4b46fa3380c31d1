"""Parts of a named year (new user 9): "the last three months of 2004" is October-December 2004.

The grammar read "the last three months" as counted back from as_of and "of 2004" apart, so the
question was answered from the wrong quarter: "How much pre-tax profit did British Airways make in
the last three months of 2004?" asked on 2026-11-27 came out as 2026-08-30 .. 2026-11-27. These pin
the year's parts (months, weeks, days, quarters, halves, thirds), the same parts of "last year",
and the phrases that must stay as they were.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.timewindow import understand

AS_OF = date(2026, 11, 27)  # a Friday
D = date.fromisoformat


def _window(question: str, as_of: date = AS_OF) -> tuple[date | None, date | None] | None:
    w = understand(question, as_of)
    return None if w is None else (w.start, w.end)


def test_the_reported_question() -> None:
    q = "How much pre-tax profit did British Airways make in the last three months of 2004?"
    w = understand(q, AS_OF)
    assert w is not None
    assert (w.start, w.end, w.recency) == (D("2004-10-01"), D("2004-12-31"), False)
    assert w.phrase == "in the last three months of 2004"  # one phrase, not "...; of 2004"


# question -> (start, end): parts of a named year
PARTS_OF_A_YEAR = [
    ("What happened in the last three months of 2004?", ("2004-10-01", "2004-12-31")),
    ("What did it earn over the last three months of 2004?", ("2004-10-01", "2004-12-31")),
    ("What did it earn in the last 3 months of 2004?", ("2004-10-01", "2004-12-31")),
    ("How did sales do in the first two months of 2005?", ("2005-01-01", "2005-02-28")),
    ("How did sales do in the first month of 2005?", ("2005-01-01", "2005-01-31")),
    ("How many jobs went in the last six weeks of 2003?", ("2003-11-20", "2003-12-31")),  # its last 42 days
    ("What happened in the last few weeks of 2004?", ("2004-12-11", "2004-12-31")),  # "few": 3
    ("What was announced on the last day of 2004?", ("2004-12-31", "2004-12-31")),
    ("What was signed in the first 100 days of 2009?", ("2009-01-01", "2009-04-10")),
    ("What were its profits in the final quarter of 2004?", ("2004-10-01", "2004-12-31")),
    ("What were its profits in the last quarter of 2004?", ("2004-10-01", "2004-12-31")),
    ("What were its profits in the fourth quarter of 2004?", ("2004-10-01", "2004-12-31")),
    ("What were its profits in the third quarter of 2023?", ("2023-07-01", "2023-09-30")),
    ("What were its results for Q1 2006?", ("2006-01-01", "2006-03-31")),
    ("What were its results for Q4 of 2004?", ("2004-10-01", "2004-12-31")),
    ("What were its results for Q4, 2004?", ("2004-10-01", "2004-12-31")),
    ("How did the economy do in the first quarter of 2006?", ("2006-01-01", "2006-03-31")),
    ("How did the economy do in the first half of 2005?", ("2005-01-01", "2005-06-30")),
    ("How did the economy do in the second half of 2021?", ("2021-07-01", "2021-12-31")),
    ("How did the economy do in the latter half of 2005?", ("2005-07-01", "2005-12-31")),
    ("What were the H2 2021 results?", ("2021-07-01", "2021-12-31")),
    ("What were the H1 2021 results?", ("2021-01-01", "2021-06-30")),
    ("What happened in late 2004?", ("2004-09-01", "2004-12-31")),  # a year's thirds, as before
    ("What happened in early 2005?", ("2005-01-01", "2005-04-30")),
    ("What happened in the last week of 2004?", ("2004-12-25", "2004-12-31")),  # as before
    # the same parts of last year / this year, read against as_of
    ("How much did it make in the last three months of last year?", ("2025-10-01", "2025-12-31")),
    ("How much did it make in the fourth quarter of last year?", ("2025-10-01", "2025-12-31")),
    ("How much did it make in Q4 last year?", ("2025-10-01", "2025-12-31")),
    ("How much did it make in the first quarter of this year?", ("2026-01-01", "2026-03-31")),
    ("How much did it make in the first three months of the year?", ("2026-01-01", "2026-03-31")),
    ("What happened in the first two weeks of last month?", ("2026-10-01", "2026-10-14")),
    # as date atoms, the objects of since/before/after/between
    ("How have profits changed since the fourth quarter of 2004?", ("2004-10-01", "2026-11-27")),
    ("What happened before Q1 2006?", (None, "2005-12-31")),
    ("What happened after the first half of 2005?", ("2005-07-01", None)),
    ("How did sales move between Q1 2005 and Q3 2006?", ("2005-01-01", "2006-09-30")),
    # parts of a named month counted in days or weeks
    ("What happened in the last two weeks of March 2021?", ("2021-03-18", "2021-03-31")),
    ("What happened in the first ten days of March 2021?", ("2021-03-01", "2021-03-10")),
    ("What happened in the last two weeks of March?", ("2026-03-18", "2026-03-31")),
]


@pytest.mark.parametrize(("question", "expected"), PARTS_OF_A_YEAR)
def test_parts_of_a_year(question: str, expected: tuple[str | None, str | None]) -> None:
    assert _window(question) == tuple(None if x is None else D(x) for x in expected)


@pytest.mark.parametrize(("question", "phrase"), [
    ("the last three months of 2004", "the last three months of 2004"),
    ("What were its profits in the final quarter of 2004?", "in the final quarter of 2004"),
    ("What were the H2 2021 results?", "H2 2021"),
    ("How much did it make in the last three months of last year?", "the last three months of last year"),
])
def test_the_phrase_is_the_whole_expression(question: str, phrase: str) -> None:
    w = understand(question, AS_OF)
    assert w is not None and w.phrase == phrase


# what must not change: counted back from as_of without a year, a bare year, since/before
UNCHANGED = [
    ("What happened in the last three months?", ("2026-08-30", "2026-11-27")),
    ("What happened in the past three months?", ("2026-08-30", "2026-11-27")),
    ("What happened in the last six weeks?", ("2026-10-17", "2026-11-27")),
    ("What happened in the last three months of the war?", ("2026-08-30", "2026-11-27")),  # no period after "of"
    ("What happened in the past week of fighting?", ("2026-11-21", "2026-11-27")),
    ("What happened in 2004?", ("2004-01-01", "2004-12-31")),
    ("What happened in the year 2004?", ("2004-01-01", "2004-12-31")),
    ("How has it changed since 2016?", ("2016-01-01", "2026-11-27")),
    ("What happened before 2021?", (None, "2020-12-31")),
    ("What happened last year?", ("2025-01-01", "2025-12-31")),
    ("What happened in the first half of last year?", ("2025-01-01", "2025-06-30")),
    ("What happened in the last week of November?", ("2026-11-24", "2026-11-30")),
    ("What happened last week?", ("2026-11-16", "2026-11-22")),
]


@pytest.mark.parametrize(("question", "expected"), UNCHANGED)
def test_unchanged(question: str, expected: tuple[str | None, str | None]) -> None:
    assert _window(question) == tuple(None if x is None else D(x) for x in expected)


JUNE = D("2025-06-18")


@pytest.mark.parametrize("question", [
    "What happened in the last three months of 2025?",  # still to come: nothing is published there
    "What were the Q3 2025 results?",
    "What happened in the second half of the year?",
    "What happened in the last quarter of the year?",
    "What happened in the last week of the month?",  # 24-30 June, to come; not last week counted back
    "What happened in the last month of the year?",
    "Who scored in the second half?",  # a match's
    "What did it earn in the first quarter?",  # no year: a fiscal quarter as likely as a calendar one
    "What did it earn last quarter?",
    "What happened in the last 15 months of 2004?",  # a year has twelve
])
def test_no_window_for_parts_to_come_or_that_cannot_be(question: str) -> None:
    assert understand(question, JUNE) is None


@pytest.mark.parametrize(("question", "expected"), [
    ("The H5N1 outbreak in 2006", ("2006-01-01", "2006-12-31")),  # not "H5"
    ("the H1N1 2009 pandemic", ("2009-01-01", "2009-12-31")),  # not H1 of 2009
    ("What did Q1 2006 and Q2 2006 show?", ("2006-01-01", "2006-06-30")),
])
def test_look_alikes(question: str, expected: tuple[str, str]) -> None:
    assert _window(question) == (D(expected[0]), D(expected[1]))
