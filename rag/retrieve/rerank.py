"""Evidence rerank: a chunk is as good as its best sentence for the question.

The fused candidates (top ``RERANK_DEPTH``) are re-scored by ``fused / max(fused) + weight * best
sentence evidence`` (``rag.evidence.score_sentences``: the question's weighted terms, its answer
type, names and numbers found in one sentence). It is a retrieval stage, not part of the offline
answerer: the same sentence evidence decides which passages any answerer (extractive, local or
remote LLM) is given.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

from index.db import ChunkRow
from rag.evidence import Question, score_sentences

log = logging.getLogger(__name__)

FITTED = Path(__file__).resolve().parents[1] / "fitted" / "retrieval.json"


@cache
def _fitted() -> dict[str, float]:
    """``{"depth", "weight"}`` fitted by ``python -m evals.fit_rerank`` on the tuning slices (the
    file also holds the grid and the tuning/checking figures); the first version's values if the
    file is missing or unreadable."""
    try:
        return json.loads(FITTED.read_text(encoding="utf-8"))["params"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("%s unreadable (%s): using the rerank defaults", FITTED, exc)
        return {"depth": 30, "weight": 1.0}


RERANK_DEPTH = int(_fitted()["depth"])  # fused candidates re-scored
RERANK_WEIGHT = float(_fitted()["weight"])  # one unit of sentence evidence = this share of the best fused score


def rerank(q: Question, order: list[str], fused: dict[str, float], rows: dict[str, ChunkRow],
           weight: float = RERANK_WEIGHT) -> dict[str, float]:
    """New scores for the chunks of ``order`` that have a row (``Passage.score``)."""
    top = max((fused[c] for c in order), default=0.0) or 1.0
    final: dict[str, float] = {}
    for cid in order:
        row = rows.get(cid)
        if row is None:
            continue
        best = max((s.score for s in score_sentences(q, row.text, row.start, row.sentences)), default=0.0)
        final[cid] = fused[cid] / top + weight * best
    return final
