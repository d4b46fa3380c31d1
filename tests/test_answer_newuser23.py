"""New user 23's answers (a business reporter over RealTime QA articles of October-November 2022): a change
asked "by how much" answered by a percentage or by basis points, and a date written right that is no day,
said the same way by the CLI, ``rag brief`` and the Python API."""

from __future__ import annotations

import pytest

from rag.errors import InputError
from rag.evidence import prepare
from rag.short_answer import candidates


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_a_rise_asked_by_how_much_is_answered_by_a_share_or_basis_points() -> None:
    # both were refused: "do not state the amount of money asked for" / "the figure asked for"
    assert _phrases("By how much is the cost of Thanksgiving dinner expected to rise this year, according to IRI?",
                    "IRI predicts that your Thanksgiving meal will cost about 13.5% more compared to last year.") \
        == ["about 13.5%"]
    assert _phrases("By how much did the Fed raise interest rates this week?",
                    "The Fed announced yesterday it would raise its benchmark interest rate by another 75 basis points.") \
        == ["75 basis points"]
    # a count of things after "more" is no change: "3 more analysts"
    assert _phrases("By how much did the stock rise?", "Shares were 5% higher on Monday, after 3 more analysts "
                                                        "upgraded it.") == ["5%"]
    # a down payment is no fall (new user 23's bold **20%** for how much the mortgage rate went up)
    assert _phrases("By how much did the average 30-year fixed mortgage rate go up in the week ending October 27?",
                    "At this time last year, a buyer who put 20% down on a $390,000 home had a monthly payment of "
                    "$1,339.") == []
    # a cost asked plainly is still money, not a share
    assert _phrases("How much will Thanksgiving dinner cost this year?",
                    "The meal will cost $64.05, about 13.5% more than last year.") == ["$64.05"]


def test_a_date_written_right_that_is_no_day_says_so_everywhere(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from rag import ask
    from rag.cli import app

    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    with pytest.raises(InputError, match="'2022-02-30' is no day of the calendar"):
        ask("Who won?", as_of="2022-02-30")
    got = CliRunner().invoke(app, ["ask", "--since", "2022-02-30", "Who won?"])
    assert got.exit_code == 2 and "--since '2022-02-30' is no day of the calendar" in got.output, got.output
    brief = CliRunner().invoke(app, ["brief", "layoffs", "--since", "2022-02-30"])
    assert brief.exit_code == 2 and "no day of the calendar" in brief.output, brief.output
    from ui.chat import day

    with pytest.raises(Exception, match="'2022-02-30' is no day of the calendar"):
        day("2022-02-30", "As of")



MORTGAGE = ("What did the 30-year mortgage rate average at the end of October?",
            "The 30-year fixed-rate mortgage averaged 7.08% in the week ending October 27 [1].")


@pytest.mark.parametrize(("follow_up", "period"), [
    ("What about the following week?", "between 1 November and 7 November"),
    ("And the week before?", "between 14 October and 20 October"),
    ("And the next day?", "on 1 November"),
    ("What about the following month?", "in November"),
])
def test_a_period_before_or_after_a_dated_one_is_asked_by_its_dates(follow_up: str, period: str) -> None:
    # "What about the following week?" after "... at the end of October?" was read as no time at all and answered
    # from a week in mid-November (new user 23's chat C4); "the end of October" is 21-31 October
    from rag.followup import time_shift

    assert time_shift(follow_up, [MORTGAGE]) == f"What did the 30-year mortgage rate average {period}?"


def test_the_following_week_after_a_question_about_no_time_is_after_the_dated_question_before_it() -> None:
    # new user 23 asked who said the rates hurt the housing market in between; "the following week" cannot be
    # after now (the future the articles cannot tell), so it is the week after the end of October
    from rag.followup import time_shift

    history = [MORTGAGE, ("Who said that is hurting the housing market?", "Sam Khater [1].")]
    assert time_shift("What about the following week?", history) == \
        "What did the 30-year mortgage rate average between 1 November and 7 November?"
    # the year the question wrote is kept; no period anywhere before: not read as a time shift
    assert time_shift("What about the following week?", [("What did the rate average in early October 2021?", "x")]) \
        == "What did the rate average between 11 October 2021 and 17 October 2021?"
    assert time_shift("What about the following week?", [("Who is Sam Khater?", "An economist [1].")]) is None
    # an elided question asks its own subject in the period it carries: the Democrats stay
    assert time_shift("And the week before?", [("How many seats did Republicans win in November?", "211 [1]."),
                                               ("And the Democrats?", "204 [1].")]) == \
        "How many seats did Democrats win between 25 October and 31 October?"
