"""Retrieval stages one at a time (rag/retrieve/): scope, RRF, rerank, diversity cap, and their
composition over a deterministic in-memory store that implements ``index.store.StoreReader``.
The same stages over real Chroma are covered by test_store.py / test_store_server.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pytest

from index.db import ChunkRow
from rag.evidence import prepare
from rag.retrieve import retrieve
from rag.retrieve.diversity import cap
from rag.retrieve.fuse import RRF_K, best, rrf
from rag.retrieve.rerank import rerank
from rag.retrieve.scope import EVERYWHERE, scope_for
from rag.settings import Settings
from rag.types import Filters


def row(cid: str, article: str, text: str = "x", published: str | None = None) -> ChunkRow:
    return ChunkRow(id=cid, article_id=article, title=f"title {article}", source=f"/news/{article}.txt", url=None,
                    published=published, text=text, start=0, end=len(text), sentences=((0, len(text)),))


@dataclass
class MemoryStore:
    """Dense and lexical rankings given per test; filters resolved like the article database does."""

    settings: Settings
    rows: dict[str, ChunkRow]
    dense_ranking: list[tuple[str, float]] = field(default_factory=list)
    lexical_ranking: list[tuple[str, float]] = field(default_factory=list)
    calls: list[tuple] = field(default_factory=list)

    def dense(self, vector, k, where=None):  # noqa: ANN001
        self.calls.append(("dense", where))
        return self.dense_ranking[:k]

    def lexical(self, query, k, article_ids=None):  # noqa: ANN001
        self.calls.append(("lexical", article_ids))
        ranked = self.lexical_ranking
        if article_ids is not None:
            ranked = [(c, s) for c, s in ranked if self.rows[c].article_id in article_ids]
        return ranked[:k]

    def chunks(self, ids):  # noqa: ANN001
        return {c: self.rows[c] for c in ids if c in self.rows}

    def article_ids(self, sources, published_from, published_to):  # noqa: ANN001
        out = []
        for r in self.rows.values():
            if sources and not any(s in r.source for s in sources):
                continue
            d = date.fromisoformat(r.published) if r.published else None
            if published_from and (d is None or d < published_from):
                continue
            if published_to and (d is None or d > published_to):
                continue
            out.append(r.article_id)
        return sorted(set(out))


def settings(tmp_path, **kw) -> Settings:  # noqa: ANN001
    return Settings(home=str(tmp_path), **kw)


def test_rrf_rewards_agreement_over_one_first_place() -> None:
    fused = rrf([[("a", 0.9), ("b", 0.8)], [("b", 12.0), ("c", 11.0)]])
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert best(fused) == ["b", "a", "c"]  # b is in both lists; a (rank 1 once) beats c (rank 2 once)
    assert (fused["a"], fused["c"]) == (pytest.approx(1 / (RRF_K + 1)), pytest.approx(1 / (RRF_K + 2)))


def test_rrf_ignores_the_retrievers_raw_scores() -> None:
    assert rrf([[("a", 1000.0), ("b", 0.001)]]) == rrf([[("a", 0.1), ("b", 0.0)]])


def test_cap_per_article_per_story_and_orphans() -> None:
    rows = {f"{a}:{i}": row(f"{a}:{i}", a) for a in ("A", "B", "C") for i in range(3)}
    order = ["orphan", "A:0", "A:1", "A:2", "B:0", "B:1", "C:0"]
    picked = cap(order, rows, k=4, per_article=2)
    assert [r.id for r in picked] == ["A:0", "A:1", "B:0", "B:1"]
    assert [r.id for r in cap(order, rows, k=10, per_article=1)] == ["A:0", "B:0", "C:0"]


def test_cap_per_story_counts_articles_of_one_story_together() -> None:
    rows = {c: row(c, a) for c, a in [("A:0", "A"), ("B:0", "B"), ("C:0", "C")]}
    stories = {"A": "S1", "B": "S1", "C": "S2"}  # A and B are the same wire story
    rows = {c: _with_story(r, stories[r.article_id]) for c, r in rows.items()}
    assert [r.id for r in cap(["A:0", "B:0", "C:0"], rows, k=3, per_article=3, per_story=1)] == ["A:0", "C:0"]
    assert len(cap(["A:0", "B:0", "C:0"], rows, k=3, per_article=3, per_story=None)) == 3


def _with_story(r: ChunkRow, story: str) -> ChunkRow:
    return replace(r, story_id=story)


def test_scope_resolves_sources_ids_and_dates(tmp_path) -> None:  # noqa: ANN001
    rows = {"a:0": row("a:0", "a", published="2024-11-30"), "b:0": row("b:0", "b", published="2023-01-01"),
            "c:0": row("c:0", "c")}
    store = MemoryStore(settings(tmp_path), rows)
    assert scope_for(store, None) is EVERYWHERE and scope_for(store, Filters()) is EVERYWHERE
    s = scope_for(store, Filters(sources=("/news/a",)))
    assert s.article_ids == ("a",) and s.where == {"article_id": {"$in": ["a"]}}
    s = scope_for(store, Filters(article_ids=("b", "zzz")))
    assert s.article_ids == ("b",)
    s = scope_for(store, Filters(published_to=date(2024, 1, 1)))
    assert s.article_ids is None and s.lexical_ids == ("b",)
    assert s.where == {"$and": [{"published": {"$lte": 20240101}}, {"published": {"$gt": 0}}]}  # undated excluded
    s = scope_for(store, Filters(published_from=date(2024, 1, 1)))
    assert s.where == {"published": {"$gte": 20240101}} and s.lexical_ids == ("a",)
    assert scope_for(store, Filters(sources=("nowhere",))).empty


def test_retrieve_uses_the_given_query_vector_and_never_embeds(tmp_path) -> None:  # noqa: ANN001
    rows = {"a:0": row("a:0", "a"), "b:0": row("b:0", "b")}
    store = MemoryStore(settings(tmp_path, top_k=2), rows, dense_ranking=[("b:0", 0.7), ("a:0", 0.5)],
                        lexical_ranking=[("b:0", 3.0)])

    def no_embed(_texts):  # noqa: ANN001, ANN202
        raise AssertionError("the query vector was given; retrieve must not embed")

    got = retrieve(store, "q", embed=no_embed, query_vector=np.ones(4, dtype=np.float32))
    assert [p.chunk_id for p in got.passages] == ["b:0", "a:0"]
    assert [p.n for p in got.passages] == [1, 2]
    assert got.passages[0].similarity == pytest.approx(0.7)
    with pytest.raises(TypeError, match="embed= or query_vector="):
        retrieve(store, "q")


def test_retrieve_with_a_filter_that_matches_nothing_searches_nothing(tmp_path) -> None:  # noqa: ANN001
    store = MemoryStore(settings(tmp_path), {"a:0": row("a:0", "a")}, dense_ranking=[("a:0", 0.9)])
    got = retrieve(store, "q", query_vector=np.ones(4), filters=Filters(sources=("elsewhere",)))
    assert got.passages == () and store.calls == []


def test_rerank_lifts_the_chunk_whose_sentence_answers(tmp_path) -> None:  # noqa: ANN001
    rows = {
        "a:0": row("a:0", "a", "The weather in Aleppo was mild and the markets were open."),
        "b:0": row("b:0", "b", "Rebels captured the town of Khansir south of Aleppo on Sunday."),
    }
    fused = {"a:0": 1 / 61, "b:0": 1 / 62}  # a ranked first by fusion
    q = prepare("Which town did the rebels capture south of Aleppo?")
    scores = rerank(q, ["a:0", "b:0"], fused, rows)
    assert best(scores) == ["b:0", "a:0"]
    assert rerank(q, ["a:0", "b:0"], fused, rows, weight=0.0) == {"a:0": 1.0, "b:0": pytest.approx(61 / 62)}
