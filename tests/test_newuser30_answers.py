"""What new user 30 (a data journalist asking RealTime QA's news in their own words) was answered wrong:

1. the bold short answer named the wrong thing while the sentence was right: **Philadelphia Phillies** for "Which
   Houston pitcher ...?" ("dominating the Philadelphia Phillies": a team after "the", no person), **Papua New
   Guinea** for "On which island ...?" ("Fergusson Island, just off the coast of southeast Papua New Guinea"),
   **Missouri** for "Which two states ...?" ("Voters in Maryland and Missouri approved ..."), and **just 80** for
   Jimmy Carter's age, from "If I were just 80 years old, ...", what he supposed;
2. "What was the final score of Game 6 ...?" was answered with Game 3's 7-0: the articles never report Game 6;
3. "the names of the two turkeys" asks for the turkeys' names: "two turkeys, Chocolate and Chip" names them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.extractive import other_instance
from rag.settings import Settings
from rag.short_answer import _asked_head, as_asked, candidates, named_kind
from tests.fakes import dated_rag

PITCHER = "Javier pitched six no-hit innings, so dominating the Philadelphia Phillies in Game 4 that he could have won."
ISLAND = ("The bird exists in the rugged, just over 500-square-mile Fergusson Island, just off the coast of southeast "
          "Papua New Guinea.")
STATES = "Voters in Maryland and Missouri approved legalizing recreational marijuana for people 21 and over."


@pytest.mark.parametrize(("phrase", "sentence", "kind"), [
    ("Philadelphia Phillies", PITCHER, "org"),
    ("Houston Astros", "They beat the Houston Astros on Tuesday.", "org"),
    ("Chris Evans", "Meet the newest Sexiest Man Alive: Chris Evans.", "person"),  # no "the" before him
    ("Cristian Javier", "PHILADELPHIA – Cristian Javier could have claimed it.", "person"),
])
def test_a_team_after_the_is_no_person(phrase: str, sentence: str, kind: str) -> None:
    assert named_kind(phrase, sentence, sentence.index(phrase)) == kind


@pytest.mark.parametrize(("question", "sentence", "phrase", "given"), [
    ("On which island was the rare pheasant-pigeon photographed again?", ISLAND, "Papua New Guinea",
     "Fergusson Island"),
    ("On which island was the rare pheasant-pigeon photographed again?", ISLAND, "Fergusson Island",
     "Fergusson Island"),
    ("Which country is the island in?", ISLAND, "Papua New Guinea", "Papua New Guinea"),  # no island asked
    ("Which two states approved recreational cannabis?", STATES, "Missouri", "Maryland and Missouri"),
    ("Which state approved recreational cannabis?", STATES, "Missouri", "Missouri"),  # one asked: one given
    ("What were the names of the two turkeys?", "Biden pardoned two turkeys, Chocolate and Chip, on Monday.",
     "Chocolate", "Chocolate and Chip"),
    ("Which countries signed the pact?", "France, Germany and Italy signed it.", "Germany",
     "France, Germany and Italy"),
])
def test_the_short_answer_as_the_question_asks_it(question: str, sentence: str, phrase: str, given: str) -> None:
    start = sentence.index(phrase)
    a, b = as_asked(question, sentence, start, start + len(phrase))
    assert sentence[a:b] == given


def test_what_someone_supposes_holds_no_figure() -> None:
    q = prepare("How old did Jimmy Carter turn in October 2020?", None, 0)
    supposed = ('Then he turned more serious: "If I were just 80 years old, if I was 15 years younger, I don\'t '
                'believe I could undertake the duties."')
    assert [c.phrase for c in candidates(q, supposed)] == []
    assert [c.phrase for c in candidates(q, "Jimmy Carter, 96, marked his birthday on Thursday.")] == ["96"]


def test_the_names_of_a_thing_ask_for_that_thing() -> None:
    assert _asked_head("What were the names of the two turkeys spared by the president?") == _asked_head(
        "Which turkey was spared?")


class _S:  # a ranked sentence: only its text is read
    def __init__(self, text: str) -> None:
        self.text = text


@pytest.mark.parametrize(("question", "sentences", "other"), [
    ("What was the final score of Game 6 of the World Series?", ["They won 7-0 in Game 3."], ("Game 6", "Game 3")),
    ("What was the final score of Game 6 of the World Series?", ["They won 7-0 in Game 3.", "Game 6 is on Saturday."],
     None),  # a sentence found names the one asked
    ("What was the final score of Game 6?", ["They won 7-0 in Game 3 and lost Game 4."], None),  # two others
    ("What was the final score of the World Series?", ["They won 7-0 in Game 3."], None),  # none asked
    ("Who won stage 4 of the Tour?", ["Pogacar took stage 5 by a minute."], ("stage 4", "stage 5")),
])
def test_another_of_a_numbered_series(question: str, sentences: list[str], other: tuple[str, str] | None) -> None:
    chosen = [_S(sentences[0])]
    assert other_instance(question, chosen, [_S(t) for t in sentences]) == other  # type: ignore[arg-type]


SERIES = ("Phillies demolish Astros in Game 3",
          "But its patience was rewarded on Tuesday as the Philadelphia Phillies took a 2-1 lead in the World Series, "
          "using the long ball to power their way to a 7-0 win against the Houston Astros in Game 3. The Astros were "
          "embarrassed Tuesday night in Game 3 when the Phillies tied a World Series record with five homers.")
NO_HITTER = ("Astros no-hit the Phillies",
             f"PHILADELPHIA – Cristian Javier could have claimed a piece of World Series history. {PITCHER} But he "
             "exited after six innings, and three relievers finished the job for a combined no-hitter.")


@pytest.fixture
def rag(settings: Settings) -> Iterator[RAG]:
    yield from dated_rag(settings, [("2022-11-02", *SERIES), ("2022-11-03", *NO_HITTER),
                                    ("2022-11-09", "Two states legalise marijuana", STATES + " " + STATES.replace(
                                        "Voters in", "Officials in").replace("approved", "welcomed"))])


def test_a_question_about_game_6_is_not_answered_with_game_3(rag: RAG) -> None:
    answer = rag.ask("What was the final score of Game 6 of the 2022 World Series between the Astros and the "
                     "Phillies?", offline=True)
    assert answer.refused
    assert "tell of Game 3, not Game 6" in answer.notices[0]
    answer = rag.ask("What was the final score of Game 3 of the World Series between the Astros and the Phillies?",
                     offline=True)
    assert not answer.refused and "7-0" in answer.text


def test_the_bold_answer_is_of_the_kind_and_number_asked(rag: RAG) -> None:
    answer = rag.ask("Which two states approved legalizing recreational marijuana?", offline=True)
    assert answer.short_answer == "Maryland and Missouri"
    start, end = answer.short_answer_span
    assert answer.citations[0].quote.find("Maryland and Missouri") >= 0 and end - start == len("Maryland and Missouri")
    answer = rag.ask("Which Houston pitcher pitched six no-hit innings against Philadelphia?", offline=True)
    assert not answer.refused and "Javier pitched six no-hit innings" in answer.text
    assert answer.short_answer in ("Cristian Javier", "Javier", None)  # not the team he pitched against


@pytest.mark.parametrize("sentence", [
    "A lone winning ticket for the record $2.04 billion Powerball lottery jackpot was sold in Altadena, California, "
    "lottery officials said Tuesday.",
    "The ticket was sold at a Joe's Service Center, the California Lottery said on Twitter.",
])
def test_where_a_ticket_was_sold_names_no_one_who_bought_it(sentence: str) -> None:
    q = prepare("What is the name of the person who bought the winning $2.04 billion Powerball ticket?", None, 0)
    assert [c.phrase for c in candidates(q, sentence)] == []


def test_who_said_it_still_answers_who_said_it() -> None:
    q = prepare("Who said on Twitter that the ticket was sold at a service center?", None, 0)
    sentence = "The ticket was sold at a Joe's Service Center, the California Lottery said on Twitter."
    assert "California Lottery" in [c.phrase for c in candidates(q, sentence)]


def test_the_employer_of_people_is_none_of_them() -> None:
    q = prepare("Who did Elon Musk fire at Twitter?", None, 0)
    assert [c.phrase for c in candidates(q, "Many Twitter employees were fired on Friday, officials said.")] == []
    assert "CEO Parag Agrawal" in [c.phrase for c in candidates(
        q, "One of his first moves was firing top executives, including the company's CEO Parag Agrawal.")]
