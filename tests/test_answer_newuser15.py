"""New user 15 (a newsroom developer, the chat UI and the API over a week of RealTime QA articles, 14-20
November 2022): wrong bold answers shown first on every surface. The sentences are the articles' or in
their shape."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.short_answer import candidates

POLAND = "A Russian-made missile struck NATO-member Poland, killing two people."
CHAPEK = "Bob Chapek, who replaced Iger in 2020 as CEO, is stepping down immediately."
IVANKA = "All of the people who spoke with CNN say Ivanka Trump’s life is centered around her three young children."
TITLE_42 = "A federal judge struck down the controversial Title 42 immigration policy."


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_a_place_the_question_names_by_its_peoples_adjective_is_no_answer() -> None:
    """**Russia** for where a Russian-made missile landed, above a sentence naming Poland."""
    assert _phrases("Which country did a Russian-made missile land in?", POLAND) == ["Poland"]
    assert _phrases("Which country did the American balloon fly over?",
                    "The balloon flew over the United States and Canada.") == ["Canada"]
    assert _phrases("Which country shot down the Chinese balloon?",
                    "The United States shot down the Chinese balloon.") == ["United States"]


@pytest.mark.parametrize("question", ["Who is Bob Iger?", "who was Bob Iger", "Who is Iger?"])
def test_who_someone_is_asks_no_other_name(question: str) -> None:
    """**Bob Chapek** answered "Who is Bob Iger?"."""
    assert _phrases(question, CHAPEK) == []


def test_who_someone_replaced_still_asks_a_name() -> None:
    assert _phrases("Who is Bob Iger replacing?", CHAPEK) == ["Bob Chapek"]


def test_one_of_someones_children_is_a_person_not_an_outlet() -> None:
    """**CNN** answered "Which of Donald Trump's children has said ...?"."""
    assert "CNN" not in _phrases("Which of Donald Trump’s children has said they do not want to be involved in "
                                 "his 2024 presidential bid?", IVANKA)
    assert _phrases("Which broadcaster did the people speak to?", IVANKA)[:1] == ["CNN"]


def test_a_one_word_name_cut_before_its_number_is_none() -> None:
    """**Title** was what the rule is called ("Title 42"). Read with its number it became an answer too often
    ("Category 1" for the name of a storm, "Chapter 11" for where a firm went to court: RealTime QA and
    bbc-heldout2 each lost a right bold answer), so it is none; a score is no such number."""
    assert _phrases("A federal judge recently moved to block a rule. What is the rule called?", TITLE_42) == []
    assert _phrases("What was the name of the storm?",
                    "Tropical Storm Nicole made landfall as a Category 1 hurricane.") == ["Tropical Storm Nicole"]
    assert "Arsenal" in _phrases("Who won the match?", "Arsenal 2-1 Chelsea was the score; Arsenal won.")


def test_a_refusal_says_how_many_articles_came_after_the_day_asked(settings) -> None:  # noqa: ANN001
    """As of 18 November, the 20 November story of Iger's return was not found and the refusal asked for other
    words; it now says that what was published after the day asked counts only as a last resort."""
    from datetime import date

    from tests.fakes import dated_rag

    for rag in dated_rag(settings, [("2022-11-20", "Bob Iger named Disney CEO again",
                                     "Bob Iger is returning to run Disney, replacing Bob Chapek.")]):
        before = rag.ask("Who won the mayoral election in Zembla?", as_of=date(2022, 11, 18))
        assert before.refused
        assert any("1 stored article published after 18 November" in n and "last resort" in n
                   for n in before.notices), before.notices
        after = rag.ask("Who won the mayoral election in Zembla?", as_of=date(2022, 11, 25))
        assert after.refused and not any("last resort" in n for n in after.notices)


@pytest.mark.parametrize(("question", "reply", "name"), [
    ("Who was named Disney CEO again?", "Bob Iger was named Disney CEO again [1].", "Bob Iger"),
    ("Who is the new chief executive of BA?", "Rod Eddington was appointed chief executive of BA in 2000.",
     "Rod Eddington"),
    ("Who is Disney's chief executive?", "Bob Iger, who was reinstated as Disney's chief executive, spoke.", "Bob Iger"),
])
def test_a_name_named_to_the_post_asked_holds_it(question: str, reply: str, name: str) -> None:
    """D8: the local model's right answer "Bob Iger was named Disney CEO again [1]." was withheld as answering
    nothing (``rag.api.answers_nothing``): a name was taken to hold a post only beside it ("Disney CEO Bob
    Iger"), not named to it with another name between."""
    from rag.api import answers_nothing

    assert _phrases(question, reply)[:1] == [name]
    assert not answers_nothing(prepare(question), reply)


def test_a_name_beside_another_post_still_holds_none() -> None:
    from rag.api import answers_nothing

    assert _phrases("Who was named Disney CEO again?", "Disney fans cheered as Chapek was fired.") == []
    assert answers_nothing(prepare("Who was named Disney CEO again?"), "Disney fans cheered as Chapek was fired [1].")


def test_a_state_named_with_its_kind_is_no_person() -> None:
    """RealTime QA (tuning weeks): "Who told a New York court that Donald Trump 'shattered my reputation'?" was
    answered **New York State**, of "Last year, New York State passed a law ..."."""
    assert "New York State" not in _phrases("Who told a New York court that Donald Trump shattered her reputation?",
                                            "Last year, New York State passed a law allowing the victims to sue.")
    assert _phrases("Who told a New York court that Donald Trump shattered her reputation?",
                    "E. Jean Carroll told the court, under a New York State law, that he shattered it.")[:1] == \
        ["E. Jean Carroll"]
