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

