"""Follow-up rewriting (``rag.followup``) on the chats of new user #7 (defect 4 of their report).

The questions are the user's, from ``rag chat`` (``chat_followups.txt``, and ``chat_time.txt`` with
``--as-of 2022-08-12``); the previous answers are written by hand, as tests/test_followup.py's are, after
what the user's store says. Each case gives the words the searched query must hold (a tuple: any one of
them; a phrase: its words, in any order) and the ones it must not, and for the time chat the period the
question is understood as. The query and the period are read as ``RAG.stream`` reads them offline:
``time_shift``, else ``topic_shift``, else ``rewrite_query``; the period from the rewritten question.

Written before the code was changed: 2 of the 8 right on the code of then (the first question's "How
much did they pay?" and the time follow-up "And the week before?"), 7 after (one strict xfail, its reason
given). The rules behind them are pinned after the cases, and checked through ``RAG.ask`` over a small store.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from rag.api import RAG
from rag.followup import rewrite_query, time_shift, topic_shift
from rag.settings import Settings
from rag.timewindow import understand
from tests.fakes import dated_rag

AS_OF = date(2022, 8, 12)  # the user's --as-of: a Friday, "this week" is 8-12 August

BRONCOS = ("Who bought the Denver Broncos?",
           "Rob Walton. The purchasing group is headed by Walmart heir Rob Walton, his daughter Carrie Walton "
           "Penner and her husband Greg Penner, the chairman of Walmart [1].")
PAID = ("How much did they pay?",
        "$4.65 billion. The record $4.65 billion sale of the Denver Broncos to Walmart heir Rob Walton and his "
        "daughter and son-in-law was unanimously approved Tuesday by NFL owners [1].")
PRESIDENT = ("And who is the new team president?",
             "Damani Leech. The Denver Broncos' new owners have tabbed NFL International CEO Damani Leech as the "
             "team's new president [1].")
MEGA = ("What about the Mega Millions?",
        "One ticket bought in Des Plaines hit the top prize in Friday night's drawing, according to the Illinois "
        "Lottery [1].")
SOLD = ("Which NFL team was sold this week?",
        "The Denver Broncos. NFL owners unanimously approved the sale of the Denver Broncos on Tuesday [1].")
WEEK_BEFORE = ("And the week before?",
               "Brittany Bowlen stepped down as the team's vice president of strategy after the Walton-Penner group "
               "was awarded the franchise [1].")

# (id, history, question, must contain, must not contain, the period understood: its phrase, or None)
CASES: list[Any] = [
    # chat_followups.txt
    ("broncos-how-much-did-they-pay", [BRONCOS], "How much did they pay?", ["Denver Broncos", "pay"], [], None),
    # "the team" is the Broncos: their name, not the words of the questions before ("pay", "bought") nor
    # the buyer the first answer named (Rob Walton), when the question asks for another person
    ("broncos-and-who-is-the-new-team-president", [BRONCOS, PAID], "And who is the new team president?",
     ["Denver Broncos", "new team president"], ["pay", "bought", "Walton"], None),
    ("broncos-and-who-is-the-new-team-president-next", [BRONCOS], "And who is the new team president?",
     ["Denver Broncos", "new team president"], ["bought", "Walton"], None),
    # "What about X?": the last question with X for its subject, and nothing from the turns before it
    ("president-then-what-about-the-mega-millions", [BRONCOS, PAID, PRESIDENT], "What about the Mega Millions?",
     ["Mega Millions"], ["pay", "bought", "Broncos", "Walton", "Leech"], None),
    pytest.param(
        "mega-millions-where-was-the-ticket-bought", [BRONCOS, PAID, PRESIDENT, MEGA], "Where was the ticket bought?",
        ["Mega Millions", "ticket"], ["pay", "Broncos", "Walton", "president"], None,
        marks=pytest.mark.xfail(strict=True, reason=(
            "'new team president' stays: 'What about the Mega Millions?' is the last question with the Mega "
            "Millions in place of its subject (the rule the 70 cases of tests/test_followup.py hold), so it was "
            "searched as '... new team president', and a follow-up of a follow-up reads on from the last "
            "question as searched (pinned: 'What was the turnout?' keeps 'beat won Greenfield ...'); that the "
            "user changed topic, not asked who heads the Mega Millions, needs more than the words"))),
    # chat_time.txt, --as-of 2022-08-12
    ("nfl-sold-and-the-week-before", [SOLD], "And the week before?", ["NFL team", "sold", "last week"], [],
     "last week"),
    ("week-before-then-what-about-the-mega-millions", [SOLD, WEEK_BEFORE], "What about the Mega Millions?",
     ["Mega Millions"], ["NFL", "Bowlen"], "last week"),
    ("this-week-then-what-about-the-mega-millions", [SOLD], "What about the Mega Millions?",
     ["Mega Millions"], ["NFL", "Broncos"], "this week"),
]


def _has(query: str, phrase: str) -> bool:
    """``phrase`` in ``query`` as whole words, a possessive allowed ("Broncos" in "Broncos'")."""
    return re.search(r"(?<![\w'’])" + re.escape(phrase) + r"(?:['’]s?)?(?![\w'’])", query, re.I) is not None


def _has_words(query: str, phrase: str) -> bool:
    """``phrase`` or all its words, as a keyword search reads them."""
    return _has(query, phrase) or all(_has(query, w) for w in phrase.split())


def searched(question: str, history: list[tuple[str, str]]) -> tuple[str, str | None]:
    """What ``RAG.stream`` searches offline for ``question`` after ``history``, and the phrase of the period
    it understands (from the rewritten question when there is one, as it reads it)."""
    shifted = time_shift(question, history) or topic_shift(question, history)
    query = shifted or rewrite_query(question, history)
    window = understand(shifted or question, AS_OF)
    return query, window.phrase if window is not None else None


@pytest.mark.parametrize(("name", "history", "question", "must", "must_not", "period"), CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in CASES])
def test_a_follow_up_of_new_user_7_is_searched_with_what_it_means(
        name: str, history: list[tuple[str, str]], question: str, must: list[str | tuple[str, ...]],
        must_not: list[str], period: str | None) -> None:
    query, phrase = searched(question, history)
    missing = [m for m in must if not any(_has_words(query, a) for a in ((m,) if isinstance(m, str) else m))]
    kept = [m for m in must_not if _has(query, m)]
    assert not missing and not kept and phrase == period, (
        f"{name}: {query!r} lacks {missing}, holds {kept}, period {phrase!r}")


# --- the rules behind the cases (written after the code was changed) -----------------------------------


def test_a_whole_question_after_and_takes_the_subject_the_questions_named() -> None:
    # was "And who is the new team president? pay bought Denver Broncos Rob Walton Walmart": the words of
    # the questions before and the buyer the first answer named, carried on by "How much did they pay?"
    assert rewrite_query("And who is the new team president?", [BRONCOS, PAID]) == (
        "And who is the new team president? Denver Broncos")
    assert rewrite_query("And who is the new team president?", [BRONCOS]) == (
        "And who is the new team president? Denver Broncos")
    # questions that named nothing: the last question's words, less the names only an answer gave
    doctors = [("Why are junior doctors striking?", "The BMA says pay has fallen by a fifth [1]."),
               ("How long will it last?", "The strike runs for five days [1].")]
    # (was "... junior doctors striking BMA": the union the first answer named)
    assert rewrite_query("And how many operations were cancelled overnight?", doctors) == (
        "And how many operations were cancelled overnight? long last junior doctors striking")


def test_words_no_longer_pile_up_across_turns() -> None:
    # was "What about the Mega Millions? new team president pay bought", then "Where was the ticket bought?
    # Mega Millions new team president pay Des Plaines Illinois Lottery"
    assert rewrite_query("What about the Mega Millions?", [BRONCOS, PAID, PRESIDENT]) == (
        "What about the Mega Millions? new team president")
    assert rewrite_query("Where was the ticket bought?", [BRONCOS, PAID, PRESIDENT, MEGA]) == (
        "Where was the ticket bought? Mega Millions new team president Des Plaines Illinois Lottery")


def test_what_about_x_after_a_question_about_a_period_is_about_that_period() -> None:
    # was "What about the Mega Millions? team sold week", with no period understood
    assert topic_shift("What about the Mega Millions?", [SOLD]) == "What about the Mega Millions? team sold this week"
    # the last question as searched: "And the week before?" was "Which NFL team was sold last week?"
    assert topic_shift("What about the Mega Millions?", [SOLD, WEEK_BEFORE]) == (
        "What about the Mega Millions? team sold last week")
    assert rewrite_query("What about the Mega Millions?", [SOLD, WEEK_BEFORE]) == (
        "What about the Mega Millions? team sold last week")
    # and so on to the next "What about ...?"
    mega = ("What about the Mega Millions?", "One ticket won the jackpot [1].")
    assert topic_shift("And Powerball?", [SOLD, mega]) == "And Powerball? team sold this week"
    assert topic_shift("And Chelsea?", [("Who did Arsenal sign in January?", "Jorginho [1].")]) == (
        "And Chelsea? sign in January")


@pytest.mark.parametrize(("question", "history"), [
    ("What about the Mega Millions?", [BRONCOS]),  # the last question named no period
    ("And the week before?", [SOLD]),  # a time replaces the last one: ``time_shift``'s
    ("How many in Illinois?", [("How many tickets were sold this week?", "…")]),  # a setting: as it was
    ("Where was the ticket bought?", [SOLD]),  # no noun phrase alone
])
def test_no_period_is_carried_to_other_follow_ups(question: str, history: list[tuple[str, str]]) -> None:
    assert topic_shift(question, history) is None


# --- through RAG.ask over a store -----------------------------------------------------------------------

ARTICLES = [
    ("2022-08-09", "Broncos sale approved",
     "The record $4.65 billion sale of the Denver Broncos to Walmart heir Rob Walton and his daughter and "
     "son-in-law was unanimously approved Tuesday by NFL owners. The purchasing group is headed by Rob Walton, "
     "who bought the team from the Pat Bowlen Trust."),
    ("2022-08-11", "Broncos name Damani Leech as team's new president",
     "The Denver Broncos' new owners have tabbed NFL International CEO Damani Leech as the team's new "
     "president. Leech takes over from Joe Ellis, who stepped down as CEO and team president."),
    ("2022-07-30", "One ticket in Illinois won the Mega Millions jackpot",
     "One ticket bought in Des Plaines hit the top prize in Friday night's Mega Millions drawing, according to "
     "the Illinois Lottery. The winning ticket was sold at a Speedway gas station in Des Plaines."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_the_new_team_president_is_answered_from_its_article(rag: RAG) -> None:
    # the user's turn 3 was answered with the sale sentence
    got = rag.ask("And who is the new team president?", history=[BRONCOS, PAID], as_of=AS_OF, offline=True)
    assert got.search_query == "And who is the new team president? Denver Broncos"
    assert not got.refused and "Damani Leech" in got.text
    assert got.citations[0].title == "Broncos name Damani Leech as team's new president"


def test_what_about_x_is_understood_in_the_last_questions_period(rag: RAG) -> None:
    # the user's "What about the Mega Millions?" after a "this week" question had no `understood:` line
    got = rag.ask("What about the Mega Millions?", history=[SOLD], as_of=AS_OF, offline=True)
    assert got.question == "What about the Mega Millions?"
    assert got.search_query == "What about the Mega Millions? team sold this week"
    assert got.time_window is not None
    assert (str(got.time_window.start), str(got.time_window.end)) == ("2022-08-08", "2022-08-12")
    later = rag.ask("What about the Mega Millions?", history=[SOLD, WEEK_BEFORE], as_of=AS_OF, offline=True)
    assert later.time_window is not None and str(later.time_window.start) == "2022-08-01"
