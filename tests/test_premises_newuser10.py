"""A question's stated amount that the answer's sources contradict is flagged (new user 10, a fact-checker:
"Why did Liz Truss resign after 90 days in office?" was answered from "... resigns after 45 days" with no word
on the premise). Unit cases of ``rag.verify.premise_notice``, then through ``RAG.ask`` over a small store."""

from __future__ import annotations

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.settings import Settings
from rag.verify import premise_notice

TRUSS = ("British Prime Minister Liz Truss resigns after 45 days. The Conservative Party leader lasted just 45 days "
         "in office, the shortest term in British political history, after her economic plan caused turmoil.")


@pytest.mark.parametrize(("question", "flagged"), [
    ("Why did Liz Truss resign after 90 days in office?", True),
    ("Why did Liz Truss resign after 45 days in office?", False),  # the premise holds
    ("How many days did Liz Truss last in office?", False),  # a figure asked: nothing stated
    ("Why did Liz Truss resign in 2019?", False),  # a year is the time window's and the year premise's business
    ("Why did Liz Truss resign?", False),
])
def test_a_stated_amount_the_quotes_give_otherwise(question: str, flagged: bool) -> None:
    notice = premise_notice(question, [TRUSS])
    assert (notice is not None) is flagged
    if flagged:
        assert "90 days" in notice


def test_no_quote_no_notice() -> None:
    assert premise_notice("Why did Liz Truss resign after 90 days in office?", []) is None


@pytest.fixture
def rag(settings: Settings, real_embedder):  # noqa: ANN001, ANN201 - the bundled embedder, a RAG
    coll = Collection.open(settings, embedder=real_embedder)
    assert coll.ingest_articles([Article(source="/news/truss.txt", title="Liz Truss resigns", text=TRUSS)]
                                ).summary()["added"] == 1
    yield RAG(settings, collection=coll, llm=None)
    coll.close()


def test_the_answer_says_its_sources_give_another_figure(rag: RAG) -> None:
    got = rag.ask("Why did Liz Truss resign after 90 days in office?", offline=True)
    assert not got.refused and "45 days" in got.text
    assert any("The question says 90 days" in n for n in got.notices)
    right = rag.ask("Why did Liz Truss resign after 45 days in office?", offline=True)
    assert not any("The question says" in n for n in right.notices)
