"""A follow-up is not answered with the last answer's sentences again (new user 9: "Where did he write
that?" after "Who called The Da Vinci Code lousy history?" repeated the same two sentences, while the
article says where he wrote it). Through ``RAG.ask`` over a small store with the bundled embedder (the
refusal model reads the question's cosine with the sentence), offline."""

from __future__ import annotations

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.settings import Settings

BISHOP = (
    "A bishop has called a best-selling thriller lousy history. "
    "The Da Vinci Code claims Jesus was not crucified, but married Mary Magdalene and died a normal death. "
    'The Bishop of Durham, the Rt Rev Dr Tom Wright, described the novel as a "great thriller" but "lousy history". '
    "It claims this was later covered up by the Church. "
    "Writing his Christmas message in the Northern Echo, Dr Wright said conspiracy theories are always fun to read."
)
FERRY = "The Harbourview ferry service will resume on 14 March. The ferry carries about 1,200 passengers a day."
AOL = ("Time Warner said fourth quarter sales rose 2% to $11.1bn. But its own internet business, AOL, had mixed "
       "fortunes. It lost 464,000 subscribers in the fourth quarter. AOL's underlying profit rose 8%.")


@pytest.fixture
def rag(settings: Settings, real_embedder):  # noqa: ANN001, ANN201 - the bundled embedder, a RAG
    coll = Collection.open(settings, embedder=real_embedder)
    arts = [Article(source="/news/bishop.txt", title="Bishop calls Da Vinci Code lousy history", text=BISHOP),
            Article(source="/news/ferry.txt", title="Harbourview ferry to resume", text=FERRY),
            Article(source="/news/aol.txt", title="Ad sales boost Time Warner profit", text=AOL)]
    assert coll.ingest_articles(arts).summary()["added"] == 3
    yield RAG(settings, collection=coll, llm=None)
    coll.close()


def _sentences(answer: str) -> set[str]:
    return {s.strip() for s in answer.split("[1]") if s.strip(" .")}


def test_a_follow_up_gets_what_the_last_answer_did_not_say(rag: RAG) -> None:
    first = rag.ask("Who called The Da Vinci Code lousy history?", offline=True)
    assert not first.refused and "Tom Wright" in first.text
    follow = rag.ask("Where did he write that?", history=[(first.question, first.text)], offline=True)
    assert follow.search_query != follow.question  # searched as a follow-up, with the bishop's name
    assert "Tom Wright" in follow.search_query
    assert not follow.refused and "Northern Echo" in follow.text
    # the same question asked on its own may give the first answer's sentences; as a follow-up it gives none of them
    assert not _sentences(follow.text) & _sentences(first.text)


def test_a_follow_up_only_the_last_answer_answers_is_still_answered_from_it(rag: RAG) -> None:
    first = rag.ask("When will the Harbourview ferry service resume?", offline=True)
    assert not first.refused and "14 March" in first.text
    # no other sentence answers it: the same again, not a refusal
    again = rag.ask("And when does it resume?", history=[(first.question, first.text)], offline=True)
    assert not again.refused and "14 March" in again.text


def test_a_follow_up_in_the_present_is_answered_from_the_last_answers_past() -> None:
    """"How many did it lose?" after an answer saying "It lost 464,000 subscribers": "lose" is "lost" (new user
    10), so that sentence stays a candidate (``rag.text.verb_terms``)."""
    from rag.text import terms, verb_terms

    assert verb_terms("How many did it lose?") <= verb_terms("It lost 464,000 subscribers in the fourth quarter.")
    assert verb_terms("Who buys the club?") & verb_terms("Rob Walton bought the Denver Broncos.") == set(terms("buy"))
