"""Hybrid retrieval as small stages, composed by ``retrieve``:

    scope (filters)  ->  dense (Chroma) + lexical (BM25)  ->  fuse (RRF)  ->  rerank (sentence
    evidence, optional)  ->  time prior (optional)  ->  diversity cap (per article, per story)

Each stage is a function of typed inputs in its own module, testable alone. ``retrieve`` takes a
read-only ``index.store.StoreReader`` and, optionally, the query vector, so evaluation can embed
once and never patch the system it measures.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.store import StoreReader
from rag.evidence import Question
from rag.retrieve.diversity import cap
from rag.retrieve.fuse import best, rrf
from rag.text import without_credits
from rag.retrieve.prior import apply_time_prior
from rag.retrieve.rerank import RERANK_DEPTH, rerank
from rag.retrieve.scope import dense_within, scope_for
from rag.types import Filters, Passage, TimeWindow

log = logging.getLogger(__name__)

__all__ = ["Retrieval", "retrieve"]


@dataclass(frozen=True)
class Retrieval:
    passages: tuple[Passage, ...]
    query_vector: np.ndarray | None  # the offline answerer compares sentences with it
    timings_ms: dict[str, float]


def retrieve(
    store: StoreReader,
    query: str,
    *,
    embed=None,  # noqa: ANN001 - Callable[[list[str]], np.ndarray]; needed unless query_vector is given
    query_vector: np.ndarray | None = None,
    top_k: int | None = None,
    filters: Filters | None = None,
    per_article: int | None = None,
    per_story: int | None = None,
    question: Question | None = None,
    time_window: TimeWindow | None = None,
    as_of: date | None = None,
) -> Retrieval:
    """Top-k passages for ``query``, numbered 1..k, best first.

    With ``question`` (``rag.evidence.prepare``) the fused candidates are reranked by their best
    sentence; with ``as_of`` the time prior applies: articles dated inside ``time_window``
    (``rag.timewindow.understand``), or near ``as_of`` when the question names no time, score higher
    (a soft prior; hard date limits are ``filters``)."""
    s = store.settings
    k = top_k or s.top_k
    timings: dict[str, float] = {}

    t = time.perf_counter()
    if query_vector is None:
        if embed is None:
            raise TypeError("retrieve() needs embed= or query_vector=")
        query_vector = embed([query])[0]
    timings["embed"] = (time.perf_counter() - t) * 1000

    scope = scope_for(store, filters)
    if scope.empty:
        return Retrieval((), query_vector, timings)

    t = time.perf_counter()
    dense = dense_within(store, query_vector, s.candidates, scope)
    timings["dense"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    lexical = store.lexical(query, s.candidates, scope.lexical_ids)
    timings["lexical"] = (time.perf_counter() - t) * 1000

    t = time.perf_counter()
    scores = rrf((dense, lexical))
    order = best(scores, RERANK_DEPTH)
    rows = store.chunks(order)
    if question is not None and rows:
        scores = rerank(question, order, scores, rows)
        order = best(scores)
    if as_of is not None and rows:
        scores = apply_time_prior(scores, rows, time_window, as_of)
        order = best(scores)
    timings["fuse"] = (time.perf_counter() - t) * 1000

    picked = cap(order, rows, k, per_article or s.per_article, per_story or s.per_story)
    sims = dict(dense)
    passages = tuple(
        Passage(
            n=i + 1, chunk_id=r.id, article_id=r.article_id, title=r.title, source=r.url or r.source,
            published=r.published, score=round(scores[r.id], 6), text=r.text, start=r.start, end=r.end,
            sentences=without_credits(r.text, r.start, r.sentences) if r.sentences else r.sentences,
            similarity=round(sims[r.id], 6) if r.id in sims else None,
            story_id=r.story_id, author=r.author,
        )
        for i, r in enumerate(picked)
    )
    return Retrieval(passages, query_vector, timings)
