""""Who is Hakeem Jeffries?" asks who a named person is, not for a name (new user 28: refused, "the passages found
... do not state the name asked for", over articles that call him "House Democratic Leader Hakeem Jeffries"). The
answer is the sentence that says what the articles call the person, with that title or description in bold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.api import RAG
from rag.settings import Settings
from rag.short_answer import description_of
from rag.text import answer_type, who_named_is
from tests.fakes import dated_rag

LEADER = ("Jeffries hands gavel to McCarthy. Hakeem Jeffries spoke for twenty minutes on the floor. Before House "
          "Democratic Leader Hakeem Jeffries passed the gavel to the new speaker, he excoriated Republicans for a "
          "weeklong fight. Hakeem Jeffries was cheered by Democrats as he spoke.")


@pytest.mark.parametrize(("question", "name"), [
    ("Who is Hakeem Jeffries?", "Hakeem Jeffries"),
    ("Who was Thomas Commerford Martin?", "Thomas Commerford Martin"),  # SQuAD: "the editor of Electrical World"
    ("who's Elon Musk", "Elon Musk"),
    ("Who was Boleslaw II of Masovia?", "Boleslaw II of Masovia"),
    ("Who is the prime minister?", None),  # a post: asks for a name
    ("Who is Prime Minister?", None),
    ("Who was Count of Melfi", None),  # a post of a place
    ("Who was Guy's Rival?", None),  # SQuAD: "Conrad of Montferrat", a name
    ("Who is he?", None),
    ("Who won the Cup?", None),
])
def test_a_question_asking_who_a_named_person_is(question: str, name: str | None) -> None:
    assert who_named_is(question) == name
    assert (answer_type(question) == "name") is (name is None)


@pytest.mark.parametrize(("name", "sentence", "said", "strength"), [
    ("Hakeem Jeffries", "House Democrats elected New York Rep. Hakeem Jeffries to lead their party.", "New York Rep.", 2),
    ("Hakeem Jeffries", "Before House Democratic Leader Hakeem Jeffries passed the gavel.", "House Democratic Leader", 2),
    ("Nancy Pelosi", "House Speaker Nancy Pelosi announced on Thursday that she will step aside.", "House Speaker", 2),
    ("Elon Musk", "Tesla CEO Elon Musk said on Monday the deal was off.", "Tesla CEO", 2),
    ("Thomas Commerford Martin", "In 1894 Thomas Commerford Martin, the editor of Electrical World magazine, wrote it.",
     "the editor of Electrical World magazine", 1),
    ("Hakeem Jeffries", "Rep. Hakeem Jeffries is a Brooklyn native.", "a Brooklyn native", 1),
    ("Kevin McCarthy", "Republicans vowed not to vote for Rep. Kevin McCarthy of California.", "Rep.", 0),
])
def test_what_a_sentence_calls_the_person(name: str, sentence: str, said: str, strength: int) -> None:
    start, end, how = description_of(name, sentence)
    assert (sentence[start:end], how) == (said, strength)


@pytest.mark.parametrize(("name", "sentence"), [
    ("Hakeem Jeffries", "A brief Hakeem Jeffries bio"),  # names him, says nothing of him
    ("Hakeem Jeffries", "Hakeem Jeffries spoke for twenty minutes."),
    ("Hakeem Jeffries", "The speaker thanked Hakeem Jeffriesson."),  # another name
])
def test_a_sentence_that_only_names_the_person_says_nothing(name: str, sentence: str) -> None:
    assert description_of(name, sentence) is None


@pytest.fixture
def rag(settings: Settings) -> Iterator[RAG]:
    yield from dated_rag(settings, [("2023-01-07", "Jeffries hands gavel to McCarthy", LEADER)])


def test_who_is_a_named_person_is_answered_with_what_the_articles_call_them(rag: RAG) -> None:
    answer = rag.ask("Who is Hakeem Jeffries?", offline=True)
    assert not answer.refused, answer.notices
    assert answer.short_answer == "House Democratic Leader"
    # led by it in bold, then the sentence that says it (not "Hakeem Jeffries spoke ...", which only names him)
    assert answer.text.startswith("House Democratic Leader. Before House Democratic Leader Hakeem Jeffries passed")
    assert "twenty minutes" not in answer.text
    start, end = answer.short_answer_span
    assert LEADER[start:end] == "House Democratic Leader" and "Hakeem Jeffries passed" in answer.citations[0].quote
