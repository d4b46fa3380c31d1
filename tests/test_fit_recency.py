"""The recency-rule fitter (evals/fit_recency.py) on hand-made rows: it takes a rule only for a gain that
no source pays for, and writes what rag.recency reads."""

from __future__ import annotations

import json
from pathlib import Path

from evals.fit_recency import fit_bar, fit_limits, lead_holds_gold, main, refusal_effect
from rag.recency import RecencyRules


def _row(source: str, *, answerable: bool, window: dict | None, dates: list[str], refused: bool = False,
         sentences: list[dict] | None = None, as_of: str = "2022-09-16") -> dict:
    return {"id": f"{source}-{len(dates)}-{answerable}", "source": source, "question": "q?", "as_of": as_of,
            "split": "tune", "answerable": answerable, "kind": None, "window": window, "changing": True,
            "baseline": {"refused": refused, "contains": False}, "model_refused": False,
            "candidate_dates": dates, "sentences": sentences or []}


THIS_WEEK = {"start": "2022-09-12", "end": "2022-09-16", "phrase": "this week", "recency": False}
NOW = {"start": None, "end": None, "phrase": "now", "recency": True}


def test_refusal_effect_counts_new_refusals_both_ways() -> None:
    unanswerable = _row("a", answerable=False, window=THIS_WEEK, dates=["2022-07-01", "2022-12-01"])
    answerable = _row("a", answerable=True, window=THIS_WEEK, dates=["2022-07-01", "2022-12-01"])
    already = _row("a", answerable=False, window=THIS_WEEK, dates=["2022-07-01", "2022-12-01"], refused=True)
    assert refusal_effect(unanswerable, 21, None) == 1.0
    assert refusal_effect(answerable, 21, None) == -1.0
    assert refusal_effect(already, 21, None) == 0.0  # refused anyway: no change
    assert refusal_effect(unanswerable, 90, None) == 0.0  # July is within 90 days of the window


def test_a_limit_that_costs_one_source_is_not_taken() -> None:
    temporal = [_row("temporal", answerable=False, window=THIS_WEEK, dates=["2022-07-01", "2022-12-01"]) for _ in range(3)]
    other = [_row("other", answerable=True, window=THIS_WEEK, dates=["2022-07-01", "2022-12-01"])]
    wl, rl, _ = fit_limits(temporal + other)
    assert wl is None and rl is None  # +3 on one suite does not buy -1 on the other
    wl, _, table = fit_limits(temporal + [_row("other", answerable=True, window=THIS_WEEK, dates=["2022-09-13", "2022-12-01"])])
    assert wl == 60  # the longest limit that still refuses them (July 1 is 73 days before the window)
    assert any(t.get("window_limit_days") == 60 and t["no_source_loses"] for t in table)


def test_bar_is_taken_only_for_a_gain() -> None:
    newer_right = [{"score": 1.0, "published": "2022-10-03", "value": True, "gold": False, "stale": True},
                   {"score": 0.5, "published": "2022-10-05", "value": True, "gold": True, "stale": False}]
    rows = [_row(s, answerable=True, window=NOW, dates=[], sentences=newer_right, as_of="2022-10-06") for s in ("x", "y")]
    assert lead_holds_gold(rows[0], None) == 0.0 and lead_holds_gold(rows[0], 0.5) == 1.0
    bar, _ = fit_bar(rows)
    assert bar == 0.6  # the highest bar on the grid that lets exp(-0.5) = 0.61 through
    newer_wrong = [dict(newer_right[0], gold=True), dict(newer_right[1], gold=False)]
    bar, _ = fit_bar([_row("x", answerable=True, window=NOW, dates=[], sentences=newer_wrong, as_of="2022-10-06")])
    assert bar is None


def test_main_writes_what_recency_rules_read(tmp_path: Path) -> None:
    rows = [_row("temporal", answerable=False, window=NOW, dates=["2021-01-01", "2022-12-01"], as_of="2022-10-06"),
            _row("other", answerable=True, window=NOW, dates=["2022-10-01", "2022-12-01"], as_of="2022-10-06")] * 12
    src, out = tmp_path / "rows.jsonl", tmp_path / "recency.json"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["--rows", str(src), "--out", str(out)]) == 0
    loaded = RecencyRules.load(out)
    assert loaded.recency_limit_days is not None and loaded.recency_limit_days < 600
    assert json.loads(out.read_text())["tuning"]["temporal"]["unanswerable_newly_refused"] == 12
