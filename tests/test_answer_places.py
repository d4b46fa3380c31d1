"""A figure asked of one place ("How many people did Hurricane Ian kill in North Carolina?"), over the articles
of the RealTime QA dev corpus on Hurricane Ian (left open after new user 12: North Carolina's toll was answered
**at least 45 people**, Florida's, and then **at least 109 people**, the national one). The sentences are the
articles' as stored (2022-09-30 .. 2022-10-05)."""

from __future__ import annotations

import pytest

from rag.boilerplate import is_site_line
from rag.evidence import prepare
from rag.short_answer import candidates, extract
from rag.verify import Premises

NC = "How many people did Hurricane Ian kill in North Carolina?"
FLORIDA_45 = ("Ian, now a post-tropical cyclone, was moving farther inland Friday night after pummeling South Carolina "
              "with fierce winds and a destructive storm surge, less than two days after killing at least 45 people in "
              "Florida and leaving behind an apocalyptic path of destruction.")
US_109 = ("As of Tuesday, at least 109 people have been reported killed by the hurricane in the United States, with "
          "105 of those deaths in Florida and 55 of them in Lee County.")
LISTED_125 = ("At least 125 people have been reported killed as a result of the storm – 120 of them in Florida and "
              "five in North Carolina.")
NC_FOUR = "Ian also claimed the lives of four people in North Carolina."
ARTICLE = "Ian expected to dissipate soon after striking Carolinas and North Carolina braces. " + FLORIDA_45


def test_a_sentence_naming_only_another_state_is_not_about_the_asked_one_whatever_its_article_names() -> None:
    premises = Premises.of(NC)
    assert premises.place_contradicted_by(FLORIDA_45, ARTICLE) is not None  # the article names North Carolina too
    assert premises.place_contradicted_by(NC_FOUR, ARTICLE) is None
    # a sentence naming no place is still its article's: one naming North Carolina may hold the figure anywhere
    assert premises.place_contradicted_by("Four people died in storm-related incidents.", ARTICLE) is None
    assert premises.place_contradicted_by("Four people died in storm-related incidents.", FLORIDA_45) is not None


def test_the_whole_that_holds_the_asked_place_states_the_wholes_figure() -> None:
    """The US holds North Carolina: its toll is no answer for the state's; a state is part of the US, so a
    sentence on Florida may answer for the US."""
    assert Premises.of(NC).place_contradicted_by(
        "At least 109 people have been reported killed by the hurricane in the United States.", ARTICLE) is not None
    assert Premises.of("How many people did Hurricane Ian kill in the US?").place_contradicted_by(
        "Ian killed at least 105 people in Florida.", ARTICLE) is None


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    (NC, LISTED_125, "five"),
    ("How many people did Hurricane Ian kill in Florida?", LISTED_125, "120"),
    ("How many people did Hurricane Ian kill in Florida?", US_109, "105"),
    ("How many people died in Lee County?", US_109, "55"),
])
def test_the_count_of_the_place_asked_of_a_list_of_places(question: str, sentence: str, expected: str) -> None:
    assert [c.phrase for c in candidates(prepare(question), sentence)] == [expected]


def test_the_total_of_a_list_still_answers_a_question_naming_no_listed_place() -> None:
    assert extract(prepare("How many people did Hurricane Ian kill?"), LISTED_125)[0] == "At least 125 people"
    assert extract(prepare("How many people did Hurricane Ian kill in the US?"), US_109)[0] == "at least 109 people"


def test_a_list_of_places_on_another_count_gives_no_toll() -> None:
    sentence = "About 2.6 million customers in Florida and 300,000 in North Carolina lost power."
    assert extract(prepare(NC), sentence) is None
    assert extract(prepare("How many customers lost power in North Carolina?"), sentence)[0] == "300,000"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Sign up for our trending newsletter to get the latest news of the day.", True),  # answered "the latest death toll"
    ("Purchases you make through our links may earn us a commission.", True),
    # new user 16's weekly catch-up opened with it
    ("Purchases made through the links below may earn us and our publishing partners a commission.", True),
    ("Analysts said the deal will earn us and our partners a bigger slice.", False),
    ("This story was first published by the Millbrook Gazette.", True),
    ("Hurricane Ian death toll climbs to 78.", False),
    ("The newsletter's subscribers rose to 2 million, the company said.", False),
    ("US editors said the links were broken.", False),
])
def test_the_sites_own_lines_answer_nothing(sentence: str, expected: bool) -> None:
    assert is_site_line(sentence) is expected
