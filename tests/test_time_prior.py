"""The time prior's treatment of articles from after ``as_of`` and of recency questions with a window
(``rag.timewindow.time_prior``/``rescore``), and the fit that picks its parameters
(``evals.fit_timeprior``), on small hand-made candidate lists."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from evals.fit_timeprior import GRID, fit, metrics, objective, row_questions
from rag.timewindow import TimePrior, is_future, rescore, time_prior, understand
from rag.types import TimeWindow

AS_OF = date(2022, 10, 6)
STRONG = TimePrior(scale_days=3.0, recency_days=7.0, implicit_days=7.0, floor=0.4, future_factor=0.05)
OLD = TimePrior(scale_days=3.0, recency_days=7.0, implicit_days=7.0, floor=0.4, future_factor=None)
LATEST = TimeWindow(None, None, "latest", recency=True)
LAST_WEEK = TimeWindow(date(2022, 9, 26), date(2022, 10, 2), "last week")


def test_an_article_from_after_as_of_keeps_only_the_future_factor_whatever_the_window() -> None:
    for window in (None, LATEST, LAST_WEEK):
        assert time_prior("2022-10-10", window, AS_OF, STRONG) == 0.05
    # the same article under the old prior only counted as a few days outside: far more than 0.05
    assert time_prior("2022-10-10", LAST_WEEK, AS_OF, OLD) > 0.4
    # on as_of itself it is not from the future; grace days widen that
    assert not is_future("2022-10-06", AS_OF, STRONG)
    assert is_future("2022-10-07", AS_OF, STRONG)
    graced = TimePrior(3.0, 7.0, 7.0, 0.4, 0.05, future_grace_days=2)
    assert not is_future("2022-10-08", AS_OF, graced) and is_future("2022-10-09", AS_OF, graced)
    assert not is_future(None, AS_OF, STRONG) and not is_future("2022-10-10", AS_OF, OLD)


def test_later_articles_are_not_lifted_back_by_the_normalisation() -> None:
    # a question asked before the event: the on-topic articles are all from later; an older, weaker
    # match must outrank them, and an undated one keeps its score
    scores = {"later-a": 1.0, "later-b": 0.9, "older": 0.5, "undated": 0.3}
    dates = {"later-a": "2022-10-10", "later-b": "2022-10-12", "older": "2022-08-01", "undated": None}
    out = rescore(scores, dates, LATEST, AS_OF, STRONG)
    assert max(out, key=out.__getitem__) == "older"
    assert out["later-a"] == pytest.approx(0.05) and out["undated"] == 0.3
    # only later articles: they stay at 5% of their score rather than being normalised back to 1
    only_later = rescore({"a": 1.0, "b": 0.8}, {"a": "2022-10-10", "b": "2022-10-11"}, LATEST, AS_OF, STRONG)
    assert only_later == {"a": pytest.approx(0.05), "b": pytest.approx(0.04)}


def test_recency_with_a_window_reads_the_window_as_the_event_and_wants_the_newest_evidence() -> None:
    # "the toll now from the quake that struck last week": a Tuesday article (after the window, before
    # as_of) about the quake is not "outside the window"
    now_last_week = understand("What is the death toll now from the quake that struck last week?", AS_OF)
    assert now_last_week is not None and now_last_week.recency and now_last_week.end == date(2022, 10, 2)
    tuesday, saturday = "2022-10-04", "2022-10-01"
    assert time_prior(tuesday, now_last_week, AS_OF, STRONG) > time_prior(saturday, now_last_week, AS_OF, STRONG)
    # without a recency word the window is the answer's time: Saturday's article wins
    plain = understand("What was the death toll of the quake last week?", AS_OF)
    assert plain is not None and not plain.recency
    assert time_prior(saturday, plain, AS_OF, STRONG) > time_prior(tuesday, plain, AS_OF, STRONG)
    # before the window is still outside it
    assert time_prior("2022-09-10", now_last_week, AS_OF, STRONG) < time_prior(saturday, now_last_week, AS_OF, STRONG)


def _row(qid: str, split: str, question: str, cands: list[tuple[float, str, bool]]) -> str:
    return json.dumps({"id": qid, "question": question, "as_of": AS_OF.isoformat(), "split": split, "source": "t",
                       "candidates": [{"score": s, "published": d, "gold": g} for s, d, g in cands]})


def test_rows_are_read_and_malformed_ones_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    f = tmp_path / "rows.jsonl"
    f.write_text("\n".join([_row("a", "tune", "Who won?", [(1.0, "2022-10-01", True)]),
                            '{"question": "no as_of"}',
                            _row("b", "check", "Who won?", [(1.0, "2022-10-01", False)])]) + "\n", encoding="utf-8")
    qs = row_questions(f)
    assert [q.qid for q in qs] == ["a"]  # b has no gold candidate: the prior cannot help or hurt it
    assert qs[0].split == "tune" and qs[0].source == "t"
    assert "line 2 skipped" in caplog.text


def test_the_fit_picks_a_future_penalty_when_later_articles_crowd_the_top_five(tmp_path: Path) -> None:
    # every question: the gold article (dated before as_of) ranked first, but four later articles fill
    # the rest of the five shown to the answerer; MRR alone cannot see them, the objective does
    rows = [_row(f"q{i}", "tune", "Who won the vote?",
                 [(1.0, "2022-10-05", True)] + [(0.9 - j / 100, "2022-10-09", False) for j in range(4)]
                 + [(0.5 - j / 100, "2022-10-01", False) for j in range(4)]) for i in range(25)]
    f = tmp_path / "rows.jsonl"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    qs = row_questions(f)
    assert metrics(qs, None)["after_as_of@5"] == pytest.approx(0.8)
    p, _ = fit(qs, start=OLD)
    assert p.future_factor is not None and p.future_factor in GRID["future_factor"]
    assert objective(qs, p) > objective(qs, OLD)
