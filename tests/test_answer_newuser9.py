"""New user 9's answers: a gallery caption is no answer, a name does not run on into a weekday, the source
a sentence is attributed to ("according to the Illinois Lottery") did not do what it reports, and a
follow-up naming only what the last question named leans on it (``rag.followup``)."""

from __future__ import annotations

import pytest

from rag.boilerplate import looks_like_boilerplate
from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.followup import needs_context, rewrite_query
from rag.short_answer import candidates, no_answer_to
from rag.text import split_sentences
from rag.types import Passage


def _passage(text: str, n: int = 1, title: str = "Report") -> Passage:
    return Passage(n, f"a{n}:v:0", f"a{n}", title, f"src{n}", None, 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


CAPTIONS = ("Hide Caption 4 of 18 Photos: Nancy Pelosi's history standing up to China Pelosi arrives in Shanghai, "
            "China, for a meeting in May 2009. Hide Caption 5 of 18 Photos: Nancy Pelosi's history standing up to "
            "China Pelosi introduces her delegates to Chinese President Hu Jintao in Beijing.")
TRIP = "Nancy Pelosi landed in Taiwan on Tuesday, a visit that angered China, which staged military drills."


def test_a_gallery_caption_is_no_answer_and_no_lead() -> None:
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(
        "Where did Nancy Pelosi travel this week that angered China?", [_passage(CAPTIONS, 1), _passage(TRIP, 2)])
    assert not draft.refused and "Hide Caption" not in draft.text and "Taiwan" in draft.text
    only = ExtractiveAnswerer(refuse_below=0.0).answer("Where did Nancy Pelosi travel?", [_passage(CAPTIONS)])
    assert only.refused  # nothing but captions: nothing to answer from
    assert looks_like_boilerplate(CAPTIONS.split(". ")[0] + ".")  # nor the story a brief tells


def test_a_name_does_not_run_on_into_the_weekday_after_it() -> None:
    """"Who bought it?" after the Broncos' sale was answered **Denver Broncos Tuesday**."""
    sentence = ("(CNN) NFL owners unanimously approved the sale of the Denver Broncos Tuesday from the Pat Bowlen "
                "Trust to the Walton-Penner family.")
    found = [c.phrase for c in candidates(prepare("Which team did owners approve the sale of?"), sentence)]
    assert "Denver Broncos" in found and not any("Tuesday" in f for f in found)
    # ... but a name of two words may end in a weekday's name (RealTime QA: the Colts' interim coach)
    coach = prepare("Which franchise legend did the Indianapolis Colts hire as interim head coach?")
    assert [c.phrase for c in candidates(coach, "The Colts made their choice: Jeff Saturday, a franchise legend, "
                                                "will be interim coach.")] == ["Jeff Saturday"]


LOTTERY = ("One ticket bought in Des Plaines hit the top prize in Friday night's drawing, according to the Illinois "
           "Lottery, securing the third-largest jackpot of any US lottery game.")


def test_the_source_a_sentence_is_attributed_to_is_no_answer_to_who_did_it() -> None:
    # "Who won the Mega Millions jackpot in Illinois?" was answered **Illinois Lottery** (the winner is not named)
    start = LOTTERY.index("Illinois Lottery")
    for question in ("Who won the Mega Millions jackpot in Illinois?", "Which company won the jackpot?"):
        assert no_answer_to(prepare(question), "Illinois Lottery", LOTTERY, start), question
        assert no_answer_to(prepare(question), "Illinois Lottery", LOTTERY.replace(" the Illinois", " Illinois"),
                            start - 4), question
    # ... unless the question asks who said it
    for question in ("Who said a ticket in Des Plaines hit the top prize?", "According to whom did the ticket win?",
                     "Who reported the winning ticket?"):
        assert not no_answer_to(prepare(question), "Illinois Lottery", LOTTERY, start), question
    draft = ExtractiveAnswerer(refuse_below=0.0).answer("Who won the Mega Millions jackpot in Illinois?",
                                                        [_passage(LOTTERY)])
    assert draft.short_answer is None or "Lottery" not in draft.short_answer[0]


def test_an_ordinal_opening_a_clause_after_a_colon_is_no_name() -> None:
    coach = prepare("After firing head coach Frank Reich, which franchise legend did the Indianapolis Colts hire as "
                    "interim head coach?")
    sentence = ("The Indianapolis Colts pulled off two franchise-altering moves on Monday morning: First, they "
                "fired head coach Frank Reich in the midst of his fifth season with the team.")
    assert [c.phrase for c in candidates(coach, sentence)] == []  # "First" was its short answer


PELOSI = ("Where did Nancy Pelosi travel this week that angered China?",
          "Taiwan. Nancy Pelosi landed in Taipei on Tuesday, defying warnings from Beijing [1].")


@pytest.mark.parametrize(("question", "history", "holds"), [
    ("How did China respond?", [PELOSI], {"Pelosi", "Taiwan"}),       # its one name is the last question's
    ("What did Pelosi say?", [PELOSI], {"Taiwan"}),
])
def test_a_short_question_naming_only_what_the_last_one_named_leans_on_it(
        question: str, history: list[tuple[str, str]], holds: set[str]) -> None:
    assert needs_context(question, history)
    searched = rewrite_query(question, history)
    assert searched.startswith(question) and holds <= set(searched.split())


@pytest.mark.parametrize(("question", "history"), [
    ("What did Japan say?", [PELOSI]),                                 # a name not said before: a new subject
    ("How did China respond to the drills near Taiwan?", [PELOSI]),    # says enough to stand alone
    ("How did China respond?", []),
])
def test_a_question_with_a_new_name_or_enough_words_stands_alone(question: str, history: list) -> None:
    assert rewrite_query(question, history) == question
