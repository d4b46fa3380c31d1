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

import logging
from datetime import date

from index.db import ChunkRow
from rag.recency import RecencyRules, rules
from rag.timewindow import rescore, uncovered
from rag.types import TimeWindow

log = logging.getLogger(__name__)


def apply_time_prior(scores: dict[str, float], rows: dict[str, ChunkRow], window: TimeWindow | None,
                     as_of: date, recency: RecencyRules | None = None) -> dict[str, float]:
    """``scores`` of the chunks that have a row, times their article date's prior (normalised so the
    best-dated candidate keeps its score; undated articles are left as they are; articles from after
    ``as_of`` keep ``future_factor`` of theirs, unnormalised).

    When no candidate is from the time the question asks about (``rag.timewindow.uncovered``: a
    closed window, "this week", with every candidate dated far outside it or after ``as_of``; or
    "right now" with nothing recent on or before ``as_of``), none of the dated candidates is kept: the
    question asks for what the collection cannot know on that day, and an answer from another week
    would be a confident wrong one (the answerer refuses when no passage is left). The limits are
    fitted (``rag/fitted/recency.json``); see ``evals/fit_recency.py`` for what they cost in wrong
    refusals."""
    kept = {cid: s for cid, s in scores.items() if cid in rows}
    r = recency or rules()
    if uncovered(window, [rows[cid].published for cid in kept], as_of, r.window_limit_days, r.recency_limit_days):
        log.info("no candidate from %s as of %s: keeping only undated ones", window.label() if window else None, as_of)
        return {cid: s for cid, s in kept.items() if not rows[cid].published}
    return rescore(kept, {cid: rows[cid].published for cid in kept}, window, as_of)
