"""New user 24's answers (a newsroom platform engineer over RealTime QA articles of December 2022): a figure of
another year or of another holder of a title is no answer, nor an age a count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.settings import Settings
from rag.short_answer import candidates
from tests.fakes import dated_rag


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


BUFFALO = [
    ("2022-12-27", "Snow-inundated Buffalo faces more challenges",
     "At least 31 people died in New York's Erie County as the storm buried Buffalo in up to 50.3 inches of snow. "
     "Crews worked through the night to clear roads."),
    ("2022-12-28", "Winter storm updates",
     "The growing death toll in the Buffalo area reached a grim milestone Tuesday after it surpassed the death toll "
     "in the Blizzard of January 1977 – widely regarded as the region's worst storm in recent history that killed 29 "
     "people over four days. Officials said more bodies could be found as the snow melts."),
]


@pytest.fixture
def buffalo(settings: Settings) -> Iterator[RAG]:
    yield from dated_rag(settings, BUFFALO)


def test_a_figure_dated_to_another_year_does_not_answer_a_question_about_this_week(buffalo: RAG) -> None:
    # bold **29 people**, the 1977 blizzard's toll, for the 2022 storm's deaths "this week"
    got = buffalo.ask("How many people died in the Buffalo area storm this week?", as_of=date(2022, 12, 28),
                      offline=True)
    assert not got.refused
    assert got.short_answer is None or "29" not in got.short_answer, got.short_answer


def test_another_holder_of_the_questions_title_has_no_figure_for_it() -> None:
    # Benedict XVI's funeral (not yet held) was answered with John Paul II's crowd, bold **4 million people**
    jp2 = "The funeral for Pope John Paul II in 2005 drew an estimated 4 million people to Rome."
    assert _phrases("How many people attended Pope Benedict XVI's funeral?", jp2) == []
    assert _phrases("How many people attended Pope John Paul II's funeral?", jp2) == ["4 million people"]
    assert _phrases("How many people attended the funeral of Pope Benedict XVI?",
                    "Some 50,000 people attended the funeral of Pope Benedict XVI, whom Pope Francis buried.") \
        == ["Some 50,000 people"]


def test_an_age_is_no_count_of_people() -> None:
    sentence = "Pope Emeritus Benedict XVI, who died Saturday at age 95, will be buried on Thursday."
    assert _phrases("How many people attended Pope Benedict XVI's funeral?", sentence) == []
    assert _phrases("How many years did Benedict XVI live?", sentence) == ["95"]


def test_an_awards_name_answers_no_who_question_and_a_gallerys_controls_are_no_statement() -> None:
    from rag.evidence import not_a_statement
    from rag.short_answer import no_answer_to

    # bold **Golden Boot** for "Who was the top scorer of the 2022 World Cup?"
    assert no_answer_to(prepare("Who was the top scorer of the 2022 World Cup?"), "Golden Boot")
    assert not no_answer_to(prepare("Who scored the winning goal?"), "Alan Ball")
    # "What did Pelé die of?" was answered "Pelé's life in pictures Prev Next [1]."
    assert not_a_statement("Nelson Almeida/AFP/Getty Images Pelé's life in pictures Prev Next")
    assert not_a_statement("Hide Caption 3 of 18 Photos: Nancy Pelosi's history")
    assert not not_a_statement("Pelé died on Thursday from multiple organ failure due to colon cancer.")


def test_a_pronoun_after_a_name_the_question_gives_points_at_that_name_not_back() -> None:
    # after a refused "Who bought Twitter?", "Who did Elon Musk say could replace him as CEO?" was searched with
    # "bought Twitter" and answered **Jack Dorsey** from a sentence saying Dorsey would not return
    from rag.followup import needs_context, rewrite_query

    refused = [("Who bought Twitter?", "I could not find this in the articles.")]
    for question in ("Who did Elon Musk say could replace him as CEO?", "What did Musk say about his plans?"):
        assert not needs_context(question, refused) and rewrite_query(question, refused) == question
    # a pronoun with no name before it, or a thing's, still points back; after an answer, so does "him" after a name
    assert needs_context("How old is he?", refused)
    assert needs_context("And what did Musk say about it?", refused)
    assert needs_context("Who did England appoint to replace him?", [("Who replaced Gareth Southgate?", "Lee Carsley [1].")])
