"""A figure that changed: "moved from 100 seconds to midnight to 90 seconds". The short answer of a
how-many question is the figure it changed *to*, unless the question asks what it was before. News
reports changing figures this way all the time (tolls, rates, prices, counts)."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.short_answer import candidates, extract

CLOCK = ("The time on the Doomsday Clock moved forward from 100 seconds to midnight to 90 seconds to midnight, "
         "the closest it has ever been.")
RATES = "The central bank cut its main rate from 5% to 4.75% on Thursday, its first cut in four years."
TOLL = "The death toll rose from 12 on Friday to 40 people by Sunday, officials said."


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


@pytest.mark.parametrize(("question", "sentence", "answer"), [
    ("The Doomsday Clock moved to how many seconds to midnight?", CLOCK, "90 seconds"),
    ("What percentage is the central bank's main rate after the cut?", RATES, "4.75%"),
    ("How many people have died?", TOLL, "40 people"),
])
def test_the_figure_it_changed_to_answers(question: str, sentence: str, answer: str) -> None:
    found = extract(prepare(question), sentence)
    assert found is not None and found[0] == answer
    assert sentence[found[1]:found[2]] == answer
    # the figure it changed from is no candidate at all
    assert all(answer in p or p in answer for p in _phrases(question, sentence))


@pytest.mark.parametrize(("question", "sentence", "before"), [
    ("What percentage was the central bank's main rate before the cut?", RATES, "5%"),
    ("The Doomsday Clock moved from how many seconds to midnight?", CLOCK, "100 seconds"),
    ("How many people had died previously?", TOLL, "12"),
])
def test_a_question_about_the_earlier_figure_keeps_it(question: str, sentence: str, before: str) -> None:
    assert before in _phrases(question, sentence)


def test_from_without_a_new_figure_is_kept() -> None:
    # "from" that starts no change of figure ("up from 300 to meet demand": no figure after "to")
    assert "300" in _phrases("How many staff did it have?", "It employs 500 staff, up from 300 to meet demand.")
    assert _phrases("How many people were evacuated?", "About 2,000 people were evacuated from 40 homes.") \
        [:1] == ["About 2,000 people"]


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    # a number measuring something else is no count of the thing asked (a new user got "just 21" in bold)
    ("How many years had it been since Mauna Loa last erupted?",
     "At just 21 miles apart, Mauna Loa and Kilauea have not erupted together since 1984.", []),
    ("How many people were evacuated?", "About 2,000 people were evacuated within 5 miles of the plant.",
     ["About 2,000 people"]),
    # ... unless that unit is what is asked
    ("How many years had it been since Mauna Loa last erupted?", "It was the first eruption in 38 years.",
     ["38 years"]),
    ("How many miles apart are the two volcanoes?", "At just 21 miles apart, the two have not erupted together.",
     ["just 21 miles"]),
])
def test_a_number_in_another_unit_is_no_count_of_the_thing_asked(question: str, sentence: str,
                                                                  phrases: list[str]) -> None:
    assert _phrases(question, sentence) == phrases


@pytest.mark.parametrize(("question", "sentence", "holds"), [
    # a role that does what a who-question asks answers it as a name does (SQuAD's "who" answers)
    ("Who inspects the building periodically?",
     "During construction, the municipal building inspector inspects the building periodically.", True),
    ("Who may seek changes or exemptions in the law?",
     "An attorney may seek changes or exemptions in the law that governs the land.", True),
    # not the question's own noun doing something else, nor a sentence without the verb
    ("Who runs TCI, the hedge fund?", "TCI, the hedge fund, runs a campaign against the bid.", False),
    ("Who directed Hide and Seek?", "Hide and Seek topped the box office this weekend.", False),
])
def test_a_role_doing_what_who_asks_holds_the_name_asked(question: str, sentence: str, holds: bool) -> None:
    from rag.short_answer import holds_kind

    assert holds_kind("name", prepare(question), sentence) is holds
