"""The time prior: articles dated inside the question's time window score higher, far outside it
lower; recency questions ("latest", "still") prefer the newest; a question with no time expression
leans towards the days before ``as_of`` (news questions are about now); an article published after
``as_of`` keeps only a small fitted fraction of its score (it could not have been read that day; see
``rag.timewindow.time_prior`` for why this is a strong penalty and not a filter). A soft prior in the
spirit of TempRALM (2024): a temporal factor on the retrieval score, no retraining. Hard date limits
are ``Filters``, never this.

The factor and its fitted parameters (``rag/fitted/timeprior.json``, ``python -m
evals.fit_timeprior``) live in ``rag.timewindow``; this stage applies it to the candidates.
"""

from __future__ import annotations

from datetime import date

from index.db import ChunkRow
from rag.timewindow import rescore
from rag.types import TimeWindow


def apply_time_prior(scores: dict[str, float], rows: dict[str, ChunkRow], window: TimeWindow | None,
                     as_of: date) -> dict[str, float]:
    """``scores`` of the chunks that have a row, times their article date's prior (normalised so the
    best-dated candidate keeps its score; undated articles are left as they are; articles from after
    ``as_of`` keep ``future_factor`` of theirs, unnormalised)."""
    kept = {cid: s for cid, s in scores.items() if cid in rows}
    return rescore(kept, {cid: rows[cid].published for cid in kept}, window, as_of)
