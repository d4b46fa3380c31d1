"""New user 22's offline answers (RealTime QA articles of January-February 2023, asked through ``rag.ask``):
bold short answers of the wrong kind or of the wrong thing, and wire credits opening quotes (new user 21).

Each case is the user's sentence, read by the short-answer rules (``rag.short_answer.candidates``) or by the
offline answerer over passages made of it; the product path runs through ``RAG.ask``.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.settings import Settings
from rag.short_answer import candidates, not_the_place
from tests.fakes import dated_rag
from tests.test_answer_newuser18_19 import _passage


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_an_amount_with_a_hyphened_scale_is_the_whole_amount() -> None:
    told = ("Ishbia had his introductory news conference Wednesday after receiving final approval from the NBA for "
            "his record $4-billion purchase of the Phoenix Suns and WNBA's Phoenix Mercury.")
    assert _phrases("How much did Mat Ishbia pay to buy the Phoenix Suns and Mercury?", told) == ["$4-billion"]


def test_a_change_asked_is_the_change_not_a_level() -> None:
    told = "The world's most populous country had 1.41175 billion people in 2022, a drop of 850,000 compared with 2021."
    assert _phrases("By how many people did China's population shrink in 2022?", told) == ["850,000"]
    assert _phrases("By how many people did China's population shrink in 2022?",
                    "In 1750, it had a population of 225 million, or about 28% of the world's population.") == []
    # "The number of new podcasts has dropped by how much?": "fell by 80%"; clocks "moved forward one hour"
    assert _phrases("Clocks were moved forward by how many hours?", "Clocks went forward 1 hour on Sunday, at 2 am.") \
        == ["1 hour"]
    assert _phrases("The number of new podcasts has dropped by how much in the past two years?",
                    "The number of podcasts launched in the last year fell by 80%, according to new statistics.") \
        == ["80%"]
    # a question asking a level keeps every figure
    assert _phrases("How many people did China have in 2022?", told) == ["1.41175 billion people", "850,000"]


def test_an_age_set_off_after_another_name_is_that_persons() -> None:
    told = ("Now Mahomes, 27, who surpassed Tom Brady as the youngest QB to start three Super Bowls, might just be "
            "able to begin setting his sights on some of the GOAT's other records.")
    assert _phrases("How old is Tom Brady now that he has quit the NFL for the second time?", told) == []
    assert _phrases("How old is Patrick Mahomes?", told) == ["27"]
    assert _phrases("How old is Tom Brady?", "Tom Brady, 45, retired for good on Wednesday.") == ["45"]


def test_a_where_question_gets_no_name_that_is_no_place_when_a_place_is_there() -> None:
    q = prepare("Where did Richard Belzer die?")
    died = ("Belzer died peacefully Sunday at his home with his family in Beaulieu-sur-Mer, in southern France, his "
            "longtime friend Bill Scheft confirmed.")
    tribute = "\"I'm so sad to hear of Richard Belzer's passing,\" Newman wrote."
    assert not_the_place(q, "Newman", tribute, tribute.index("Newman"), [died, tribute])
    assert not not_the_place(q, "Beaulieu-sur-Mer", died, died.index("Beaulieu"), [died, tribute])
    # no place in the answer's sentences: the phrase is left to the ranker
    assert not not_the_place(q, "Newman", tribute, tribute.index("Newman"), [tribute])
    # who-questions, and a "where" that only relates a clause, are not touched
    assert not not_the_place(prepare("Who heads the Chinese reserve where Richard Belzer died?"), "Newman", tribute,
                             tribute.index("Newman"), [died, tribute])
    assert not not_the_place(prepare("Who paid tribute to Richard Belzer?"), "Newman", tribute,
                             tribute.index("Newman"), [died, tribute])
    caught = ("ROME – Italy's No. 1 fugitive, convicted Mafia boss Matteo Messina Denaro, was arrested on Monday at a "
              "private clinic in Palermo, Sicily, after 30 years on the run, Italian police said.")
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(
        "Where did Italian police catch the fugitive Cosa Nostra boss Messina Denaro?", [_passage(1, "md", caught)])
    assert not draft.refused and (draft.short_answer is None or draft.short_answer[0] != "Mafia"), draft


ARTICLES = [("2022-08-11", "Broncos name Damani Leech as team's new president",
             "DENVER (AP) — The Denver Broncos' new owners have tabbed NFL International CEO Damani Leech as the "
             "team's new president. Leech will oversee the business side of the franchise."),
            ("2022-08-12", "A teenager flies around the world",
             "(CNN) A 17-year-old pilot landed in Bulgaria on Wednesday after flying solo around the world.")]


@pytest.fixture
def wire(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_a_quote_starts_past_a_wire_credit(wire: RAG) -> None:
    # new user 21: offline answers opened with "(AP) — The Denver Broncos' new owners ..." and "(CNN) A 17-year-old ..."
    got = wire.ask("Who is the Broncos' new team president?", as_of=date(2022, 8, 12), offline=True)
    assert got.citations and got.citations[0].quote.startswith("The Denver Broncos' new owners"), got.citations
    assert "(AP)" not in got.text and "DENVER" not in got.text
    pilot = wire.ask("How old is the pilot who flew around the world?", as_of=date(2022, 8, 12), offline=True)
    assert pilot.citations and pilot.citations[0].quote.startswith("A 17-year-old pilot"), pilot.citations


@pytest.mark.parametrize("name", ["rag.verify", "rag.text", "rag.short_answer", "benchmarks.answerers"])
def test_the_docstring_examples_hold(name: str) -> None:
    # corrected_notice, without_credits (wire credits), removed_sentences (the benchmark's column) among them
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(name)).failed == 0


def test_a_date_written_right_that_is_no_day_says_so(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # new user 22: `rag ask --as-of 2023-02-30` said "is not a date: write YYYY-MM-DD" of a value written so
    from typer.testing import CliRunner

    from rag.cli import app

    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    got = CliRunner().invoke(app, ["ask", "--as-of", "2023-02-30", "Who won?"])
    assert got.exit_code == 2 and "is no day of the calendar" in got.output and "2023-02-30" in got.output, got.output
    assert "write YYYY-MM-DD" not in got.output
    bad = CliRunner().invoke(app, ["ask", "--as-of", "30 Feb", "Who won?"])
    assert bad.exit_code == 2 and "write YYYY-MM-DD" in bad.output, bad.output


@pytest.fixture
def archive(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, [("2023-01-18", "Microsoft to cut 10,000 jobs",
                                     "Microsoft said on Wednesday it would cut 10,000 jobs, roughly 5% of its staff.")])


def test_a_month_without_a_year_read_against_today_says_how_to_ask_otherwise(archive: RAG) -> None:
    # new user 22: "in January" over an archive of 2023 was read as January 2026 with no word on --as-of
    got = archive.ask("How many jobs did Microsoft say it would cut in January?", as_of=date(2026, 11, 28), offline=True)
    told = next(n for n in got.notices if n.startswith("No cited article is dated in the period"))
    assert "read as of 28 November 2026" in told and "--as-of YYYY-MM-DD" in told, told
    # asked as of a day of that archive, there is nothing to tell
    right = archive.ask("How many jobs did Microsoft say it would cut in January?", as_of=date(2023, 1, 20), offline=True)
    assert not right.refused and "10,000" in right.text
    assert not any(n.startswith("No cited article is dated") for n in right.notices), right.notices


@pytest.fixture
def arrest(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, [
        ("2023-01-17", "Italy arrests Mafia boss Matteo Messina Denaro",
         "ROME – Italy's most wanted fugitive, Mafia boss Matteo Messina Denaro, was arrested on Monday at a private "
         "clinic in Palermo after 30 years on the run, police said. He will appear before a judge on Friday.")])


def test_a_weekday_answer_is_dated_by_its_article(arrest: RAG) -> None:
    # new user 22: "When was that?" after the arrest got no date; asked outright, the bold answer was the 1993 of
    # another crime (the ranker took every weekday for a vague date; P(Monday) was 0.003 there, 0.607 now)
    got = arrest.ask("When was Matteo Messina Denaro arrested?", as_of=date(2023, 1, 18), offline=True)
    assert got.short_answer == "Monday", got
    assert got.text.startswith("Monday (16 January 2023). "), got.text
    # a weekday to come is the next one after the article's day
    from rag.short_answer import weekday_in

    told = "He will appear before a judge on Friday."
    assert weekday_in("Friday", told, told.index("Friday"), date(2023, 1, 17)) == date(2023, 1, 20)
    assert weekday_in("Friday", told, told.index("Friday"), None) is None
    assert weekday_in("March", told, 0, date(2023, 1, 17)) is None
    # a weekday's part is that day (the seed gate's "insurgents swept into Aleppo on Friday night", of an article of
    # Sunday 1 December 2024, lost to the article's "Sunday" when only bare weekdays were dated)
    assert weekday_in("Friday night", "They swept in on Friday night.", 21, date(2024, 12, 1)) == date(2024, 11, 29)


def test_a_post_given_another_country_is_noticed() -> None:
    # new user 22: "Why did Jacinda Ardern resign as prime minister of Australia?" got no premise notice
    from rag.verify import premise_notice

    quotes = ["New Zealand Prime Minister Jacinda Ardern has had enough and is willing to say so.",
              "Prime Minister Jacinda Ardern resigned."]
    told = premise_notice("Why did Jacinda Ardern resign as prime minister of Australia?", quotes)
    assert told is not None and "prime minister of Australia" in told and "prime minister of New Zealand" in told, told
    assert premise_notice("Why did Jacinda Ardern resign as prime minister of New Zealand?", quotes) is None
    assert premise_notice("Why did Jacinda Ardern resign as New Zealand's prime minister?", quotes) is None
    # another post of the other country is no contradiction
    assert premise_notice("Why did the prime minister of Australia visit Wellington?",
                          ["New Zealand's finance minister met him on Monday."]) is None


def test_a_percentage_asked_is_refused_when_no_share_is_given() -> None:
    # new user 22: "What percentage of the vote did Jennifer McClellan receive?" got "coasted to victory ... within 30
    # minutes", confidence 0.68, over articles giving no share
    won = ("Democrat Jennifer McClellan coasted to victory in Virginia's special election Tuesday, becoming the state's "
           "first Black woman in Congress. McClellan was declared the projected winner over Republican Leon Benjamin "
           "within 30 minutes of the polls closing.")
    asked = "What percentage of the vote did Jennifer McClellan receive in the special election?"
    draft = ExtractiveAnswerer(refuse_below=0.001).answer(asked, [_passage(1, "va", won)])
    assert draft.refused and any("percentage" in n for n in draft.notices), draft
    share = won + " McClellan won 74% of the vote."
    got = ExtractiveAnswerer(refuse_below=0.001).answer(asked, [_passage(1, "va", share)])
    assert not got.refused and "74%" in got.text, got


def test_a_dated_weekday_leads_once_in_the_cli_and_the_ui(arrest: RAG) -> None:
    # the bold line shows the day, and the sentences below do not repeat the lead
    from ui.render import answer_html

    got = arrest.ask("When was Matteo Messina Denaro arrested?", as_of=date(2023, 1, 18), offline=True)
    assert got.short_label == "Monday (16 January 2023)", got.text
    assert got.supporting.lstrip().startswith("ROME"), got.supporting
    html = answer_html(got, 1)
    assert "<b>Monday (16 January 2023)</b>" in html and html.count("16 January 2023") == 1, html
