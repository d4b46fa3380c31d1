"""A business post inside a run of capitalised words ("Former Starbucks CEO Howard Schultz"): the owner before it
answers "which company", the holder after it answers "who" (the run was one candidate, and "The former CEO of which
company ...?" got no short answer); a "who" opening a relative clause ("employees who are unionizing") does not make
a which-company question ask for a person, nor does the "Who" of "Doctor Who"; a name before "CEO" or "founder" is an
organisation."""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.settings import Settings
from rag.short_answer import candidates, name_kind, phrase_kind
from tests.fakes import dated_rag

HEARING = ("WASHINGTON — Former Starbucks CEO Howard Schultz testified in a Senate hearing Wednesday, grilled by "
           "Democrats on the committee about whether the coffee company violated federal labor laws.")
COMPANY = ("The former CEO of which company testified Wednesday during a Senate hearing on the treatment of "
           "employees who are unionizing?")


def names(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_the_owner_of_a_post_answers_which_company() -> None:
    got = names(COMPANY, HEARING)
    assert "Starbucks" in got and not any("Schultz" in n for n in got), got
    assert names("Which company is run by the man who bought Twitter?", "Tesla Founder Elon Musk bought Twitter.") \
        == ["Tesla"]


def test_the_holder_of_a_post_answers_who() -> None:
    got = names("Who testified in a Senate hearing about labor laws on Wednesday?", HEARING)
    assert "Howard Schultz" in got and "Former Starbucks CEO Howard Schultz" not in got, got


@pytest.mark.parametrize("sentence", [
    "Assistant Coach Jim Smith said the team was ready.",  # a post qualified, no owner before it
    "Former CEO John Smith said the team was ready.",
])
def test_a_post_without_an_owner_is_not_split(sentence: str) -> None:
    assert not {"Assistant", "Former"} & set(names("Which club did they sign for?", sentence))
    assert any("Smith" in n for n in names("Who said the team was ready?", sentence))


def test_a_relative_who_does_not_ask_for_a_person() -> None:
    assert name_kind(COMPANY) == "org"
    assert name_kind("Which firm did the man who founded Apple join?") == "org"
    # the question's own "who", and one after a preposition, still ask for a person
    assert name_kind("Who won the race?") == "person"
    assert name_kind("To whom did the company sell the plant?") == "person"
    assert name_kind("Which player is the one who scored?") == "person"
    # a capitalised "Who" after a name is part of it (SQuAD's Doctor Who questions had been read as asking for a person)
    assert name_kind("What company released the CD versions of the Doctor Who stories?") == "org"
    assert name_kind("What is Doctor Who about? Who plays him?") == "person"


def test_a_name_before_a_business_post_is_an_organisation() -> None:
    assert phrase_kind("Starbucks", HEARING, HEARING.index("Starbucks")) == "org"
    sentence = "Tesla founder Elon Musk said so."
    assert phrase_kind("Tesla", sentence, 0) == "org"
    assert phrase_kind("Tesla", "Tesla said so.", 0) is None
    # a company named by the kind of business it is: SQuAD's "What company released the CD versions of the Doctor Who
    # stories?" (answered once "Who" no longer asked for a person: the phrase was then no company)
    assert phrase_kind("Big Finish Productions", "Since 1999, Big Finish Productions has released audios.", 13) == "org"


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, [
        ("2023-03-30", "Schultz grilled over union busting",
         HEARING + "\n\nThe Senate Health, Education, Labor and Pensions Committee targeted Schultz and Starbucks to "
                   "examine the corporation's treatment of workers who are organizing."),
        ("2023-03-29", "Airline merger approved",
         "Spirit Airlines shareholders approved a merger with JetBlue on Tuesday.\n\n"
         "The deal is worth $3.8 billion, the airlines said."),
    ])


def test_the_company_is_the_short_answer_through_ask(rag: RAG) -> None:
    got = rag.ask(COMPANY, as_of=date(2023, 3, 31), offline=True)
    assert got.short_answer == "Starbucks", (got.short_answer, got.text)
