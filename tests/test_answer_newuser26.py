"""New user 26's answers about the current state (a night editor asking "now" as of a past day): the newest
statement leads even when the phrase ranker brought in an older article's sentence, a sentence opening on an
earlier time ("A year ago, ...") states no current value, and "up from X" is the figure before."""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.extractive import ExtractiveAnswerer
from rag.evidence import prepare
from rag.settings import Settings
from tests.fakes import dated_rag

ARTICLES = [
    ("2022-10-13", "Mortgage rates climb toward 7%",
     "After taking a breather last week, mortgage rates rose again – moving even closer to 7%.\n\n"
     "The 30-year fixed-rate mortgage averaged 6.92% in the week ending October 13, up from 6.66% the week before, "
     "according to Freddie Mac. A year ago, the 30-year fixed rate stood at 3.05%."),
    ("2022-10-20", "Mortgage rates rise again",
     "A year ago, a buyer who put 20% down on a $390,000 home and financed the rest with a 30-year, fixed-rate "
     "mortgage at an average interest rate of 3.09% had a monthly mortgage payment of $1,331.\n\n"
     "Mortgage rates rose again this week, stopping just short of the 7% mark. The 30-year fixed-rate mortgage "
     "averaged 6.94% in the week ending October 20, up from 6.92% the week before, according to Freddie Mac."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_where_a_rate_stands_now_is_the_newest_weeks_figure(rag: RAG) -> None:
    got = rag.ask("Where does the 30-year mortgage rate stand now?", as_of=date(2022, 10, 22), offline=True)
    assert not got.refused and "6.94%" in got.text.split("[")[0], got.text  # the newest figure leads
    assert got.short_answer != "6.92%", got.text  # "up from 6.92%" is the week before's
    assert got.citations[0].published == "2022-10-20", got.citations


def test_a_sentence_opening_on_an_earlier_time_states_no_current_value() -> None:
    q = prepare("Where does the 30-year mortgage rate stand now?")
    assert not ExtractiveAnswerer.states_value(q, "A year ago, the 30-year fixed rate stood at 3.05%.")
    assert not ExtractiveAnswerer.states_value(q, "In 2019, the rate stood at 4%.")
    assert ExtractiveAnswerer.states_value(q, "The 30-year fixed-rate mortgage averaged 6.94% this week.")


IAN = [
    ("2022-09-30", "Ian heads for the Carolinas",
     "Ian also swept through Cuba earlier this week, killing three people and knocking out power to the whole "
     "island. Hurricane Ian is expected to make landfall in South Carolina on Friday."),
    ("2022-10-03", "Ian's toll rises in Florida",
     "The number of people killed in Florida by Hurricane Ian rose to at least 101 on Monday, days after the storm "
     "made landfall at Category 4 strength."),
]


def test_another_places_toll_is_no_earlier_report_of_the_total(settings: Settings) -> None:
    # "... at least 101 [2]; an earlier report said three [3]": the three were Cuba's, named before the figure
    from rag.recency import _scope

    cuba = IAN[0][2]
    assert _scope(cuba, cuba.index("three") + len("three")) == "cuba"
    for rag in dated_rag(settings, IAN):
        got = rag.ask("How many people have been killed by Hurricane Ian so far?", as_of=date(2022, 10, 15),
                      offline=True)
        assert "101" in got.text and "an earlier report said three" not in got.text, got.text


def test_a_price_asked_takes_money_paid_and_nothing_else() -> None:
    # "How much did Cory Youmans sell Judge's 62nd home run ball for?" (the ball was not sold): bold "62" of "62nd",
    # then "$2 million" that an auction house "guaranteed to pay"; now no short answer, and a refusal
    from rag.short_answer import asks_money, candidates, holds_kind

    q = prepare("How much did Cory Youmans sell Judge's 62nd home run ball for?")
    assert asks_money(q.text)
    assert [c.phrase for c in candidates(q, "Cory Youmans celebrates catching Aaron Judge's 62nd home run.")] == []
    promised = "The auction house has guaranteed to pay the person who catches the ball $2 million."
    assert [c.phrase for c in candidates(q, promised)] == []
    assert not holds_kind("figure", q, "Cory Youmans celebrates catching Aaron Judge's 62nd home run.")
    # a sale, or a question about the promise itself, keeps its amount
    assert [c.phrase for c in candidates(q, "Youmans sold the ball for $1.5 million at auction.")] == ["$1.5 million"]
    offer = prepare("How much did the auction house offer to pay for the ball?")
    assert "$2 million" in [c.phrase for c in candidates(offer, promised)]


def test_captions_teasers_and_requests_for_stories_are_no_statement_or_event() -> None:
    from rag.brief import TopicNaming, is_event_sentence
    from rag.evidence import not_a_statement

    # a caption opening on its photo's credit: quoted as who won Brazil's runoff, before it was held
    assert not_a_statement('Edmar Barros/Associated Press Brazilian former President Luiz Inácio "Lula" da Silva '
                           "greets supporters after learning the results.")
    assert not not_a_statement("Luiz Inácio Lula da Silva greets supporters after learning the results.")
    # a related-story teaser: "How do you grow a giant pumpkin?:75 gallons of water daily ..." led a pumpkin answer
    assert not_a_statement("How do you grow a giant pumpkin?:75 gallons of water daily and hand-pollination, "
                           "NY man says")
    # an outlet asking for readers' stories, listed in the Ian brief on two days
    assert not is_event_sentence("You also can text or WhatsApp your Ian stories to CNN +1 332-261-0775.")
    assert is_event_sentence("Residents were asked to share photos of the damage with the county on Friday.")
    # a topic of one capitalised word: "Judge" is Aaron Judge, not a judge in court
    naming = TopicNaming.of("Judge", prepare("Judge"))
    assert naming("Judge hit his 62nd home run on Tuesday.")
    assert not naming("A Baltimore judge on Monday ordered that Syed's conviction be vacated.")


def test_a_place_someone_is_from_answers_no_whose_question() -> None:
    # bold "Minnesota" for "Whose pumpkin set a new US weight record this week?"
    from rag.short_answer import no_answer_to

    q = prepare("Whose pumpkin set a new US weight record this week?")
    for sentence in ("Travis Gienger, a horticulture teacher from Minnesota, grew a gargantuan pumpkin.",
                     "Gienger, of Anoka, Minnesota, set the new record with a 2,560-pound pumpkin."):
        assert no_answer_to(q, "Minnesota", sentence, sentence.index("Minnesota")), sentence
    # a country a who-question may be answered by, and a place asked as one
    beat = "Argentina beat France on penalties."
    assert not no_answer_to(prepare("Who did Argentina beat in the final?"), "France", beat, beat.index("France"))
    balloon = "The balloon was shot down off the coast of South Carolina on Saturday."
    assert not no_answer_to(prepare("A balloon, which Pentagon officials said was built to spy, was shot down off the "
                                    "coast of which state?"), "South Carolina", balloon, balloon.index("South"))


def test_the_cli_says_up_to_which_day_the_latest_is_read(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # "understood: latest" named no date
    from typer.testing import CliRunner

    from rag.cli import app as cli
    from tests.fakes import cli_on

    for _ in dated_rag(settings, ARTICLES):
        pass  # stores the articles; the CLI opens the store itself
    cli_on(monkeypatch, settings, COLUMNS="300")
    got = CliRunner().invoke(cli, ["ask", "--as-of", "2022-10-22", "What is the latest on mortgage rates?"])
    assert got.exit_code == 0, got.output
    assert "understood: latest, up to 2022-10-22" in got.output, got.output


def test_two_stories_told_in_one_sentence_are_listed_once(settings: Settings) -> None:
    # the Truss brief listed "British Prime Minister Liz Truss announced Thursday that she will be stepping down."
    # for two different pages of one outlet
    from rag.brief import brief

    lead = "British Prime Minister Liz Truss announced Thursday that she will be stepping down."
    pages = [("2022-10-20", "Liz Truss resigns. Here's what lasted longer",
              f"{lead} A lettuce, a Kardashian marriage and a Royal Navy ship all lasted longer than her time in "
              "office, the columnist noted with some glee."),
             ("2022-10-20", "Thursday's news: Truss resigns, bomb threats, meteor shower",
              f"{lead} Several historically Black colleges received bomb threats, and the Orionid meteor shower "
              "peaked overnight across the country.")]
    for rag in dated_rag(settings, pages):
        got = brief(rag, "Liz Truss", since=date(2022, 10, 16), until=date(2022, 10, 22))
        assert [e.text for e in got.events] == [lead], got.events
        assert len(got.events[0].also_in) == 1, got.events[0]
