"""Follow-up rewriting (``rag.followup``) on the chats of new user #14 ("Chat follow-ups" of their report).

The questions are the user's, from ``rag chat`` over 252 news articles of November-December 2022
(``chat2.txt`` as of 2022-11-23, ``chat3.txt`` as of 2022-11-17, ``chat4.txt`` as of 2022-11-13); the
previous answers are cut from what their store answered. Three defects:

1. "And the week before?" after "How many House seats have Republicans won so far?" then "And the
   Democrats?" was searched as "And the Democrats last week?": the time shift read the last question as
   written, not as it was searched, and lost "House seats" (and the rewrite of "And the Democrats?" had
   lost "House" already: no subject was read after "How many House seats").
2. "What was the old CEO paid?" after three questions on Disney's CEO was searched as written (a new
   subject) and refused: "the old CEO" is a CEO the conversation spoke of.
3. "What about Meta?" after "How many jobs is Amazon cutting?" was answered **Facebook**: the answer's
   type was read from "What about Meta? jobs cutting", not from "How many jobs is Meta cutting?".

Written before the code was changed; each test says what the code of then did.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.extractive import ExtractiveAnswerer
from rag.followup import elided_question, needs_context, question_subject, rewrite_query, time_shift, topic_shift
from rag.settings import Settings
from rag.short_answer import wanted_type
from rag.timewindow import understand
from tests.fakes import dated_rag

# chat4.txt, --as-of 2022-11-13
REPUBLICANS = ("How many House seats have Republicans won so far?",
               "Republicans have won 211 of the 218 seats they’d need to take the majority, according to CNN "
               "projections, while Democrats have won 204, with 20 undecided as of Saturday evening [1].")
DEMOCRATS = ("And the Democrats?",
             "Republicans have won 211 of the 218 seats they’d need to take the majority, according to CNN "
             "projections, while Democrats have won 204, with 20 undecided as of Saturday evening [1].")
# chat2.txt, --as-of 2022-11-23
IGER = ("Who did Disney bring back as CEO?",
        "Bob Iger. But If anyone can bring back the magic to the Walt Disney Company, the company believes Bob "
        "Iger may be uniquely qualified to do it [2].")
REPLACED = ("Who did he replace?",
            "Bob Chapek. Bob Chapek, who replaced Iger in 2020 as CEO, is stepping down immediately [2].")
SERVE = ("How long will he serve?",
         "The media giant announced late Sunday former CEO Bob Iger would return to the helm, replacing Bob "
         "Chapek, who took over the top executive spot more than two years ago [1]. Iger will serve as Disney’s "
         "CEO for two years [1].")
DISNEY = [IGER, REPLACED, SERVE]
# chat3.txt, --as-of 2022-11-17
AMAZON = ("How many jobs is Amazon cutting?",
          "11,000 job. Amazon CEO Andy Jassy said job cuts at the e-commerce giant would continue into early "
          "next year [1]. Facebook-parent Meta recently announced 11,000 job cuts [4].")
META = ("What about Meta?",
        "Facebook parent company Meta on Wednesday said it is laying off 11,000 employees, marking the most "
        "significant job cuts in the tech giant’s history [5].")
CRANE = ("Which company operated the crane that collapsed on the Harbour Bridge?",
         "Ellery Lifting Ltd. The crane was operated by Ellery Lifting Ltd [1].")


def searched(question: str, history: list[tuple[str, str]], as_of: date) -> tuple[str, str | None]:
    """What ``RAG.stream`` searches offline for ``question`` after ``history``, and the phrase of the period
    it understands (from the rewritten question when there is one, as it reads it)."""
    shifted = time_shift(question, history) or topic_shift(question, history)
    query = shifted or rewrite_query(question, history)
    window = understand(shifted or question, as_of)
    return query, window.phrase if window is not None else None


# --- 1. a time shift of a follow-up of a follow-up keeps its subject -------------------------------------


def test_the_week_before_a_follow_up_of_a_follow_up_keeps_its_subject() -> None:
    # was "And the Democrats last week?", answered with Pelosi's plans
    query, period = searched("And the week before?", [REPUBLICANS, DEMOCRATS], date(2022, 11, 13))
    assert query == "How many House seats have Democrats won so far last week?"
    assert period == "last week"


def test_the_week_before_a_so_far_question_is_last_week() -> None:
    # "so far" is now, as a question that names no time is: the week before is last week (was None: the
    # follow-up was then searched as "And the week before? ..." and understood as no period)
    assert time_shift("And the week before?", [REPUBLICANS]) == (
        "How many House seats have Republicans won so far last week?")


def test_the_week_before_a_pointing_follow_up_is_shifted_as_it_was_searched() -> None:
    floods = [("How many people died in the floods in Pakistan this week?", "More than 1,100 people died [1]."),
              ("How many were children?", "At least 380 children died [1].")]
    # was "How many were children last week?": not a word of the floods
    shifted = time_shift("And the week before?", floods)
    assert shifted is not None
    assert all(w in shifted for w in ("children", "floods", "Pakistan", "last week")), shifted
    assert "this week" not in shifted


def test_the_subject_after_three_words_is_read() -> None:
    # was []: "How many House seats have" put four words before the auxiliary
    assert question_subject("How many House seats have Republicans won so far?") == ["Republicans"]
    # so "And the Democrats?" keeps "House" (was "And the Democrats? seats won so far")
    assert rewrite_query("And the Democrats?", [REPUBLICANS]) == "And the Democrats? House seats won so far"


# --- 2. "the old CEO": a role the conversation spoke of --------------------------------------------------


@pytest.mark.parametrize("question", [
    "What was the old CEO paid?",  # the user's: searched as written and refused
    "What did the former CEO say?",
    "How old is the new CEO?",
    "Where is the outgoing CEO going?",
    "What did the ex-CEO say?",
    "What did the previous CEO earn?",
])
def test_a_role_the_conversation_spoke_of_reads_on(question: str) -> None:
    assert needs_context(question, DISNEY)
    query = rewrite_query(question, DISNEY)
    assert query.startswith(question + " ") and "Chapek" in query, query


def test_the_current_chairman_reads_on() -> None:
    history = [("Who runs the Disney board?", "Susan Arnold, Chairman of the Board for Disney, said it [2].")]
    assert needs_context("What did the current chairman say?", history)
    assert "Disney" in rewrite_query("What did the current chairman say?", history)


@pytest.mark.parametrize(("question", "history"), [
    ("What did the mayor announce?", [CRANE]),  # pinned in tests/test_answer_newuser.py too
    ("What did the new mayor announce?", [CRANE]),  # the conversation spoke of no mayor
    ("Who is the new prime minister?", DISNEY),  # nor of a prime minister
    ("What did the former president say?", DISNEY),
])
def test_a_role_the_conversation_did_not_speak_of_is_a_new_subject(
        question: str, history: list[tuple[str, str]]) -> None:
    assert not needs_context(question, history)
    assert rewrite_query(question, history) == question


# --- 3. "What about Meta?" asks what the last question asked --------------------------------------------


@pytest.mark.parametrize(("question", "history", "asked"), [
    ("What about Meta?", [AMAZON], "How many jobs is Meta cutting?"),
    ("And Twitter?", [AMAZON, META], "How many jobs is Twitter cutting?"),  # a follow-up of a follow-up
    ("And the Democrats?", [REPUBLICANS], "How many House seats have Democrats won so far?"),
    ("and the miners?", [("Did the steelworkers accept the pay deal?", "They voted yes [1].")],
     "Did the miners accept the pay deal?"),
    ("What about the unions?", [("What did the government say about the pay offer?", "It was final [1].")],
     "What did the unions say about the pay offer?"),
    ("And Sainsbury's?", [("What were Tesco's annual profits?", "£2.29bn [1].")],
     "What were Sainsbury's annual profits?"),
])
def test_an_elided_follow_up_is_the_last_question_with_its_phrase_in(
        question: str, history: list[tuple[str, str]], asked: str) -> None:
    assert elided_question(question, history) == asked


@pytest.mark.parametrize(("question", "history"), [
    ("What about Meta?", []),
    ("Who runs Meta?", [AMAZON]),  # a question of its own
    ("And the week before?", [AMAZON]),  # a time: ``time_shift``'s
    ("And last week?", [("What happened this week?", "…")]),
    ("How many in Syria?", [("How many people were killed in the earthquake?", "More than 50,000 [1].")]),
])
def test_no_elided_question_for_other_follow_ups(question: str, history: list[tuple[str, str]]) -> None:
    assert elided_question(question, history) is None


def test_what_about_meta_asks_for_a_number() -> None:
    ex = ExtractiveAnswerer()
    # "What about Meta? jobs cutting", as searched, asks for no number
    assert wanted_type(ex.prepare(elided_question("What about Meta?", [AMAZON]) or "")) == "number"


ARTICLES = [  # after the user's articles of 2022-11-17 and 2022-11-09
    ("2022-11-17", "Amazon CEO says job cuts will continue into 2023",
     "Amazon CEO Andy Jassy said job cuts at the e-commerce giant would continue into early next year. "
     "Amazon plans to cut about 10,000 jobs in corporate and technology roles, people familiar with the "
     "matter said."),
    ("2022-11-09", "Facebook parent company Meta will lay off 11000 employees",
     "Facebook parent company Meta on Wednesday said it is cutting 11,000 jobs, marking the most significant "
     "job cuts in the tech giant's history. The job cuts come as Meta confronts a range of challenges to its "
     "core business."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_what_about_meta_is_answered_with_its_number(rag: RAG) -> None:
    as_of = date(2022, 11, 17)
    first = rag.ask("How many jobs is Amazon cutting?", as_of=as_of, offline=True)
    got = rag.ask("What about Meta?", history=[(first.question, first.text)], as_of=as_of, offline=True)
    assert got.search_query == "What about Meta? jobs cutting"  # searched as before
    # was **Facebook**, as the user's; now the short answer of the question it asks
    assert not got.refused and got.short_answer == "11,000 jobs", got
    assert rag.ask("How many jobs is Meta cutting?", as_of=as_of, offline=True).short_answer == "11,000 jobs"
