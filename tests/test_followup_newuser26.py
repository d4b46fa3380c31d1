"""Time follow-ups of new user 26 (a night editor asking as of a past day, ``rag chat --as-of``): "And the week
before?" after a question about one day ("on Sunday", "on Wednesday", "yesterday") was read against the machine's
today, so it searched weeks of November 2026 instead of the ones before the day asked about; after "yesterday" it
was not read as a time follow-up at all. Checked through the follow-up rewrite under ``reading_as_of`` and through
``RAG.ask`` over a small dated store."""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.followup import reading_as_of, time_shift
from rag.settings import Settings
from tests.fakes import dated_rag

SUNDAY = ("Which Native American actress and activist died on Sunday?",
          "Sacheen Littlefeather, the Native American actress and activist, has died at the age of 75 [1].")
WEDNESDAY = ("What did a jury tell Alex Jones to pay on Wednesday?",
             "Alex Jones should pay $965 million in damages, a Connecticut jury decided Wednesday [1].")
YESTERDAY = ("Who resigned as prime minister yesterday?", "Liz Truss. Liz Truss resigned on Thursday [1].")


@pytest.mark.parametrize(("as_of", "history", "question", "searched"), [
    (date(2022, 10, 4), [SUNDAY], "And the week before?",  # the Sunday is 2 October
     "Which Native American actress and activist died between 25 September and 1 October?"),
    (date(2022, 10, 13), [WEDNESDAY], "And the day before?", "What did a jury tell Alex Jones to pay on 11 October?"),
    (date(2022, 10, 13), [WEDNESDAY, ("And the day before?", "Nothing new [1].")], "What about the week after?",
     "What did a jury tell Alex Jones to pay between 12 October and 18 October?"),
    (date(2022, 10, 21), [YESTERDAY], "And the week before?",
     "Who resigned as prime minister between 13 October and 19 October?"),
])
def test_a_time_follow_up_is_read_against_the_day_asked_as_of(as_of: date, history: list[tuple[str, str]],
                                                              question: str, searched: str) -> None:
    with reading_as_of(as_of):
        assert time_shift(question, history) == searched


def test_this_week_and_after_it_are_read_as_before() -> None:
    # a period said relative to now: "the week before" is "last week", and after "this week" comes no period
    this_week = ("Which NFL team was sold this week?", "The Denver Broncos [1].")
    with reading_as_of(date(2022, 8, 12)):
        assert time_shift("And the week before?", [this_week]) == "Which NFL team was sold last week?"
        assert time_shift("And the week after?", [this_week]) is None


ARTICLES = [
    ("2022-10-03", "Sacheen Littlefeather dies at 75",
     "Sacheen Littlefeather, the Native American actress and activist who declined an Oscar for Marlon Brando, died "
     "on Sunday at the age of 75."),
    ("2022-09-28", "Coolio dies at 59",
     "Coolio, the rapper behind Gangsta's Paradise, died on Wednesday at the age of 59, his manager said."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_the_chat_asks_the_week_before_the_sunday_of_its_as_of(rag: RAG) -> None:
    as_of = date(2022, 10, 4)
    first = rag.ask(SUNDAY[0], as_of=as_of, offline=True)
    assert first.time_window is not None and first.time_window.start == date(2022, 10, 2)
    got = rag.ask("And the week before?", history=[(SUNDAY[0], first.text)], as_of=as_of, offline=True)
    assert got.time_window is not None, got.search_query
    assert (got.time_window.start, got.time_window.end) == (date(2022, 9, 25), date(2022, 10, 1)), got.search_query
    # the store has no such death that week: the answer from 3 October says so (it said nothing, its period being
    # a week of 2026)
    assert any(n.startswith("No cited article is dated in the period asked about") and "3 October" in n
               for n in got.notices), got.notices


def test_last_weekend_asked_on_a_sunday_is_the_weekend_before() -> None:
    from rag.timewindow import understand

    window = understand("What did Russia do to Ukraine last weekend?", date(2022, 10, 9))  # a Sunday
    assert window is not None and (window.start, window.end) == (date(2022, 10, 1), date(2022, 10, 2))
    window = understand("What happened over the weekend?", date(2022, 10, 9))  # the running one, as before
    assert window is not None and window.start == date(2022, 10, 8)


def test_what_happened_to_a_topic_is_a_catch_up_as_with_is() -> None:
    from rag.brief import catch_up_topic

    assert catch_up_topic("What happened to Ian in September?", "in September") == "Ian"
    assert catch_up_topic("What happened with Ian in September?", "in September") == "Ian"


def test_a_brief_since_after_its_as_of_names_the_as_of(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # `rag brief "Ian" --since 2022-10-05 --as-of 2022-10-01` said "is after until 2022-10-01 ... swap them"
    from typer.testing import CliRunner

    from rag.brief import brief
    from rag.cli import app as cli
    from rag.errors import InputError
    from tests.fakes import cli_on

    cli_on(monkeypatch, settings, COLUMNS="300")
    got = CliRunner().invoke(cli, ["brief", "Ian", "--since", "2022-10-05", "--as-of", "2022-10-01"])
    assert got.exit_code != 0
    said = " ".join(got.output.split())
    assert "--since 2022-10-05 is after --as-of 2022-10-01" in said and "--until" in said and "swap" not in said, said
    for rag in dated_rag(settings, ARTICLES):
        with pytest.raises(InputError, match="is after as_of 2022-10-01, where the period ends when no until is given"):
            brief(rag, "Ian", since=date(2022, 10, 5), as_of=date(2022, 10, 1))
