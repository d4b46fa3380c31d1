"""Hybrid retrieval: dense (Chroma) + lexical (BM25 over FTS5), fused by reciprocal rank fusion.

Filters (source, published-date range, article ids) are applied inside both retrievers, then at
most ``per_article`` passages are kept from any one article so one long story cannot crowd out
the rest. Vectors that no article row claims (left by a crash) are never returned.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from index.db import ChunkRow
from index.pipeline import Collection
from rag.evidence import Question, score_sentences
from rag.types import Filters, Passage

log = logging.getLogger(__name__)

RRF_K = 60
RERANK_DEPTH = 30  # fused candidates re-scored by sentence evidence
RERANK_WEIGHT = 1.0


@dataclass(frozen=True)
class Retrieval:
    passages: tuple[Passage, ...]
    query_vector: np.ndarray
    timings_ms: dict[str, float]


def _where(article_ids: list[str] | None, f: Filters) -> dict | None:
    clauses: list[dict] = []
    if article_ids is not None:
        clauses.append({"article_id": {"$in": article_ids}})
    if f.published_from:
        clauses.append({"published": {"$gte": int(f.published_from.strftime("%Y%m%d"))}})
    if f.published_to:
        clauses.append({"published": {"$lte": int(f.published_to.strftime("%Y%m%d"))}})
        if not f.published_from:  # undated articles are stored as 0, which is not "before" any date
            clauses.append({"published": {"$gt": 0}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def retrieve(
    coll: Collection,
    query: str,
    *,
    top_k: int | None = None,
    filters: Filters | None = None,
    per_article: int | None = None,
    question: Question | None = None,
) -> Retrieval:
    """Top-k passages for ``query``, numbered 1..k, best first.

    With ``question`` (prepared by ``rag.evidence.prepare``), the fused candidates are reranked by
    their best sentence's evidence before the per-article cap and the cut to ``top_k``."""
    s = coll.settings
    k = top_k or s.top_k
    cap = per_article or s.per_article
    f = filters or Filters()
    timings: dict[str, float] = {}

    t = time.perf_counter()
    qvec = coll.embedder([query])[0]
    timings["embed"] = (time.perf_counter() - t) * 1000

    article_ids: list[str] | None = None
    if f.sources or f.article_ids:
        article_ids = coll.db.filter_article_ids(f.sources, f.published_from, f.published_to)
        if f.article_ids:
            wanted = set(f.article_ids)
            article_ids = [a for a in article_ids if a in wanted]
        if not article_ids:
            return Retrieval((), qvec, timings)
    elif f.published_from or f.published_to:
        article_ids = None  # dates are filtered inside Chroma; lexical gets the id list below

    t = time.perf_counter()
    dense = coll.vectors.query(qvec, s.candidates, _where(article_ids, f))
    timings["dense"] = (time.perf_counter() - t) * 1000

    t = time.perf_counter()
    lex_ids = article_ids
    if lex_ids is None and (f.published_from or f.published_to):
        lex_ids = coll.db.filter_article_ids((), f.published_from, f.published_to)
    lexical = coll.db.lexical(query, s.candidates, lex_ids)
    timings["lexical"] = (time.perf_counter() - t) * 1000

    t = time.perf_counter()
    sims = dict(dense)
    fused: dict[str, float] = defaultdict(float)
    for ranked in (dense, lexical):
        for rank, (cid, _) in enumerate(ranked):
            fused[cid] += 1.0 / (RRF_K + rank + 1)
    order = sorted(fused, key=fused.__getitem__, reverse=True)[:RERANK_DEPTH]
    rows = coll.db.chunks_by_ids(order)
    scores = fused
    if question is not None and rows:
        scores = _rerank(question, order, fused, rows)
        order = sorted(scores, key=scores.__getitem__, reverse=True)
    timings["fuse"] = (time.perf_counter() - t) * 1000
    per: dict[str, int] = defaultdict(int)
    picked = []
    for cid in order:
        row = rows.get(cid)
        if row is None or per[row.article_id] >= cap:
            continue  # orphan vector (crash leftovers) or article already has its share
        per[row.article_id] += 1
        picked.append(row)
        if len(picked) == k:
            break
    passages = tuple(
        Passage(
            n=i + 1,
            chunk_id=r.id,
            article_id=r.article_id,
            title=r.title,
            source=r.url or r.source,
            published=r.published,
            score=round(scores[r.id], 6),
            text=r.text,
            start=r.start,
            end=r.end,
            sentences=r.sentences,
            similarity=round(sims[r.id], 6) if r.id in sims else None,
        )
        for i, r in enumerate(picked)
    )
    return Retrieval(passages, qvec, timings)


def _rerank(q: Question, order: list[str], fused: dict[str, float], rows: dict[str, ChunkRow]) -> dict[str, float]:
    """Fused score (scaled to 1) plus the chunk's best sentence evidence: a chunk is as good as its
    best sentence. Returns the new scores (``Passage.score``), which the final order follows."""
    top = max(fused[c] for c in order)
    final: dict[str, float] = {}
    for cid in order:
        row = rows.get(cid)
        if row is None:
            continue
        best = max((s.score for s in score_sentences(q, row.text, row.start, row.sentences)), default=0.0)
        final[cid] = fused[cid] / top + RERANK_WEIGHT * best
    return final
