"""Reciprocal rank fusion of the dense and lexical rankings.

RRF (Cormack, Clarke & Buettcher, SIGIR 2009) scores a chunk ``sum 1 / (k + rank)`` over the
rankings it appears in. It needs no score calibration between cosine similarities and BM25, which
live on unrelated scales. ``k`` damps the head: with k = 60 (the paper's value, robust across the
TREC runs it was tested on) rank 1 is worth only 1.16x rank 10 within one list, so a chunk both
retrievers find beats a chunk one of them ranks first: agreement counts more than position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

RRF_K = 60


def rrf(rankings: Sequence[Sequence[tuple[str, float]]], k: int = RRF_K) -> dict[str, float]:
    """Fused scores of every id in ``rankings`` (each best first; the scores in them are ignored)."""
    fused: dict[str, float] = defaultdict(float)
    for ranked in rankings:
        for rank, (cid, _) in enumerate(ranked):
            fused[cid] += 1.0 / (k + rank + 1)
    return dict(fused)


def best(scores: dict[str, float], n: int | None = None) -> list[str]:
    """Ids by descending score (ties keep insertion order), the first ``n`` if given."""
    order = sorted(scores, key=scores.__getitem__, reverse=True)
    return order if n is None else order[:n]
