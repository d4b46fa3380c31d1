"""Fit the recency rules (``rag.recency.RecencyRules``) and write ``rag/fitted/recency.json``.

Two rules, both about answering "as of" a reference date, fitted on the **tuning split only** of
the temporal suite (``evals/suites/temporal.jsonl``, ``split: tune``: whole stories) and the
RealTime QA subset (``evals.fit_answerer.split_for``: one week in three is for checking):

* ``newest_bar`` (``rag.recency.pick_newest``): for a question about the current state
  (``rag.api._about_a_changing_fact``), a candidate sentence from a newer article that states a
  value of the asked type leads the answer when the sentence model finds it at least ``newest_bar``
  times as likely as the best. Objective: the share of answerable, answered such questions whose
  leading sentence holds a gold answer (mean over the two sources, each counting once).
* ``window_limit_days`` / ``recency_limit_days`` (``rag.timewindow.uncovered``): a question whose
  retrieval candidates hold nothing from the asked window (or nothing recent, for "right now") is
  refused. Objective: unanswerable questions newly refused minus answerable ones newly refused, per
  question (mean over the sources).

Each value is chosen on the grid by its tuning objective, among the values that no source loses by
(a rule may not buy temporal-suite answers with RealTime QA ones), and only for a positive gain;
ties go to the more conservative value (a higher bar, a longer limit). The report gives tuning and checking figures and a paired-bootstrap
standard error of the gain, so a move that is noise can be seen as such.

    nice -n 10 .venv/bin/python -m evals.fit_recency --collect /tmp/recency-rows.jsonl   # ~1-2 min
    .venv/bin/python -m evals.fit_recency --rows /tmp/recency-rows.jsonl                # fit, write the JSON

``--collect`` asks every case of both suites through the eval stores (``evals.store.open_store``:
the temporal store must exist, see ``evals/suites/temporal.md``; the RealTime QA subset's is the
one ``rag eval run`` built) with the rules **off**, and keeps what the fit needs: the baseline
answer (refused? holds a gold answer?), the ranked candidate sentences (sentence-model score,
publication date, whether they state a value of the asked type, hold a gold or a stale answer) and
the publication dates of the retrieval candidates the time prior sees.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

import rag.recency as recency
from rag.recency import FITTED, RecencyRules, pick_newest
from rag.timewindow import uncovered, understand
from rag.types import TimeWindow

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path("~/.cache/rag/evals").expanduser()
TEMPORAL = (ROOT / "evals" / "suites" / "temporal.jsonl", CACHE / "temporal" / "corpus.jsonl", CACHE / "temporal" / "store")
RTQA = (CACHE / "subsets" / "realtimeqa-subset-0.5-3.suite.jsonl", CACHE / "subsets" / "realtimeqa-subset-0.5-3.jsonl", None)

BARS: tuple[float | None, ...] = (None, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05, 0.02, 0.01)
WINDOW_LIMITS: tuple[int | None, ...] = (None, 90, 60, 45, 30, 21, 14, 10, 7, 5, 3, 2, 1, 0)
RECENCY_LIMITS: tuple[int | None, ...] = (None, 730, 365, 180, 120, 90, 60, 45, 30, 14, 7)


def _extra(path: Path) -> dict[str, dict[str, Any]]:
    """The suite's own fields the loader does not keep (split, stale_answers), by case id."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[str(rec.get("id"))] = rec
    return out


def collect(suite_path: Path, corpus: Path, store_dir: Path | None, source: str) -> list[dict[str, Any]]:
    """One row per case with ``asked_on`` (see the module docstring), the rules off."""
    from evals.fit_answerer import split_for
    from evals.metrics import contains_answer
    from evals.store import open_store
    from evals.suite import load_suite
    from rag.api import _about_a_changing_fact
    from rag.retrieve.fuse import best, rrf
    from rag.retrieve.rerank import RERANK_DEPTH, rerank

    recency._RULES = RecencyRules()  # the rules off: the baseline every value is compared with
    suite = load_suite(suite_path)
    extra = _extra(suite_path)
    rag, info = open_store([str(corpus)], records=suite.corpus, store_dir=store_dir)
    log.info("%s: store %s (%s articles)", source, info["store"], info.get("articles"))
    store, s = rag.store, rag.store.settings
    answerer = rag.extractive
    rows = []
    for case in suite.cases:
        if not case.asked_on:
            continue
        as_of = date.fromisoformat(case.asked_on[:10])
        q = case.question.strip()
        window = understand(q, as_of)
        rec = extra.get(case.id, {})
        answer = rag.ask(q, offline=True, as_of=as_of)
        # what the time prior sees: the fused, reranked candidates (as evals.fit_timeprior.dump_rows)
        prepared, got = rag._retrieve(q, None, None, window, as_of)
        vec = got.query_vector
        scores = rrf((store.dense(vec, s.candidates, None), store.lexical(q, s.candidates, None)))
        order = best(scores, RERANK_DEPTH)
        chunk_rows = store.chunks(order)
        scores = rerank(prepared, order, scores, chunk_rows)
        cand_dates = [chunk_rows[c].published for c in best(scores) if c in chunk_rows]
        ranked, feats = answerer.evidence(prepared, got.passages, vec) if got.passages else ([], None)
        model_refused = feats is None or answerer.model.probability(feats) < answerer.refuse_below
        stale = rec.get("stale_answers") or []
        rows.append({
            "id": case.id, "source": source, "question": q, "as_of": as_of.isoformat(),
            "split": rec.get("split") or split_for(case.asked_on, case.id),
            "answerable": case.answerable, "kind": rec.get("kind"),
            "window": None if window is None else {"start": window.start and window.start.isoformat(),
                                                   "end": window.end and window.end.isoformat(),
                                                   "phrase": window.phrase, "recency": window.recency},
            "changing": _about_a_changing_fact(q, window),
            "baseline": {"refused": answer.refused,
                         "contains": bool(case.answers) and bool(contains_answer(answer.text, case.answers))},
            "model_refused": model_refused,
            "candidate_dates": cand_dates,
            "sentences": [{"score": round(x.score, 5), "published": x.passage.published,
                           "value": answerer.states_value(prepared, x.text),
                           "gold": bool(case.answers) and bool(contains_answer(x.text, case.answers)),
                           "stale": bool(stale) and bool(contains_answer(x.text, stale))} for x in ranked],
        })
    return rows


def _day(x: str | None) -> date | None:
    try:
        return date.fromisoformat(x[:10]) if x else None
    except ValueError:
        return None


def _window(r: dict[str, Any]) -> TimeWindow | None:
    w = r["window"]
    return None if w is None else TimeWindow(_day(w["start"]), _day(w["end"]), w["phrase"], w["recency"])


def lead_holds_gold(r: dict[str, Any], bar: float | None) -> float:
    """Whether the sentence ``pick_newest`` puts first holds a gold answer."""
    sents = r["sentences"]
    i = pick_newest([x["score"] for x in sents], [_day(x["published"]) for x in sents],
                    [x["value"] for x in sents], bar, _day(r["as_of"]))
    return float(sents[i]["gold"])


def newest_questions(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``newest_bar`` applies to: answerable questions that ask for the current state ("latest",
    "now": ``TimeWindow.recency``) and are answered. Not a figure inside a window without recency
    ("on Thursday"): there the newest article is the day after the window, not the answer."""
    return [r for r in rows if r["changing"] and r["window"] and r["window"]["recency"] and r["answerable"]
            and not r["model_refused"] and r["sentences"]]


def refusal_effect(r: dict[str, Any], window_limit: int | None, recency_limit: int | None) -> float:
    """+1: an unanswerable question newly refused; -1: an answerable one newly refused; 0: no change."""
    if r["baseline"]["refused"]:
        return 0.0
    fires = uncovered(_window(r), r["candidate_dates"], _day(r["as_of"]), window_limit, recency_limit)
    if not fires:
        return 0.0
    return -1.0 if r["answerable"] else 1.0


def _by_source(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["source"], []).append(r)
    return out


def _mean_over_sources(rows: Sequence[dict[str, Any]], value: Any) -> tuple[float, float]:
    """Mean over sources of the per-question mean of ``value(row)``, and its bootstrap SE."""
    groups = [np.array([value(r) for r in g]) for g in _by_source(rows).values() if g]
    if not groups:
        return 0.0, 0.0
    rng = np.random.default_rng(0)
    boots = np.mean([g[rng.integers(0, len(g), size=(1000, len(g)))].mean(axis=1) for g in groups], axis=0)
    return float(np.mean([g.mean() for g in groups])), float(boots.std())


def _no_source_loses(rows: Sequence[dict[str, Any]], value: Any) -> bool:
    """Whether ``value(row)`` (a change against the rules off) sums to >= 0 in every source: a rule
    that helps the temporal suite at the cost of RealTime QA questions is not taken."""
    return all(sum(value(r) for r in g) >= 0 for g in _by_source(rows).values())


def fit_bar(rows: Sequence[dict[str, Any]]) -> tuple[float | None, list[dict[str, Any]]]:
    """The bar with the largest positive gain that no source loses by (None: off)."""
    qs = newest_questions(rows)
    table, best = [], (0.0, None)
    for bar in BARS:
        change = (lambda r, b=bar: lead_holds_gold(r, b) - lead_holds_gold(r, None))
        gain, se = _mean_over_sources(qs, change)
        ok = _no_source_loses(qs, change)
        table.append({"bar": bar, "lead_holds_gold": round(_mean_over_sources(qs, lambda r, b=bar: lead_holds_gold(r, b))[0], 4),
                      "gain": round(gain, 4), "se": round(se, 4), "no_source_loses": ok})
        if ok and gain > best[0] + 1e-12:  # strictly better: ties keep the earlier (higher) bar
            best = (gain, bar)
    return best[1], table


def fit_limits(rows: Sequence[dict[str, Any]]) -> tuple[int | None, int | None, list[dict[str, Any]]]:
    table, chosen = [], {}
    for name, grid in (("window_limit_days", WINDOW_LIMITS), ("recency_limit_days", RECENCY_LIMITS)):
        best: tuple[float, int | None] = (0.0, None)
        for v in grid:
            args = (v, None) if name == "window_limit_days" else (None, v)
            gain, se = _mean_over_sources(rows, lambda r, a=args: refusal_effect(r, *a))
            fired = [r for r in rows if refusal_effect(r, *args) != 0]
            ok = _no_source_loses(rows, lambda r, a=args: refusal_effect(r, *a))
            table.append({name: v, "gain": round(gain, 4), "se": round(se, 4), "no_source_loses": ok,
                          "unanswerable_refused": sum(1 for r in fired if not r["answerable"]),
                          "answerable_refused": sum(1 for r in fired if r["answerable"])})
            if ok and gain > best[0] + 1e-12:  # strictly better: ties keep the longer limit (earlier in the grid)
                best = (gain, v)
        chosen[name] = best[1]
    return chosen["window_limit_days"], chosen["recency_limit_days"], table


def figures(rows: Sequence[dict[str, Any]], p: RecencyRules) -> dict[str, Any]:
    """Per source: the lead-holds-gold rate before/after, and refusals the limits add."""
    out: dict[str, Any] = {}
    for src, g in sorted(_by_source(rows).items()):
        qs = newest_questions(g)
        eff = [refusal_effect(r, p.window_limit_days, p.recency_limit_days) for r in g]
        out[src] = {
            "questions": len(g), "newest_questions": len(qs),
            "lead_holds_gold_off": round(float(np.mean([lead_holds_gold(r, None) for r in qs])), 4) if qs else None,
            "lead_holds_gold_fitted": round(float(np.mean([lead_holds_gold(r, p.newest_bar) for r in qs])), 4) if qs else None,
            "unanswerable": sum(1 for r in g if not r["answerable"]),
            "unanswerable_newly_refused": sum(1 for e in eff if e > 0),
            "answerable": sum(1 for r in g if r["answerable"]),
            "answerable_newly_refused": sum(1 for e in eff if e < 0),
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collect", type=Path, help="ask both suites with the rules off and write the rows here")
    ap.add_argument("--rows", type=Path, help="fit on these rows (from --collect)")
    ap.add_argument("--out", type=Path, default=FITTED)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.collect:
        rows = []
        for suite, corpus, store, source in (*[(*TEMPORAL, "temporal")], *[(*RTQA, "realtimeqa-subset")]):
            if not suite.is_file() or not corpus.is_file():
                print(f"{source}: {suite} or {corpus} missing; build it first (evals/suites/temporal.md, "
                      "python -m evals.fit_answerer for the subset)", file=sys.stderr)
                return 2
            rows += collect(suite, corpus, store, source)
        args.collect.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        log.info("wrote %d rows to %s", len(rows), args.collect)
        return 0
    if not args.rows:
        print("pass --collect FILE (first) or --rows FILE", file=sys.stderr)
        return 2
    rows = [json.loads(x) for x in args.rows.read_text(encoding="utf-8").splitlines() if x.strip()]
    tune = [r for r in rows if r["split"] == "tune"]
    check = [r for r in rows if r["split"] == "check"]
    bar, bar_table = fit_bar(tune)
    wl, rl, limit_table = fit_limits(tune)
    p = RecencyRules(newest_bar=bar, window_limit_days=wl, recency_limit_days=rl)
    result = {
        "version": 1,
        "fitted_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": f"{args.rows.name}: temporal suite (split: tune) + RealTime QA subset 0.5-3 (split_for tune weeks)",
        "params": asdict(p),
        "grid_newest_bar": bar_table,
        "grid_limits": limit_table,
        "tuning": figures(tune, p),
        "checking": figures(check, p),
        "objective": "newest_bar: mean over sources of (leading sentence holds a gold answer) on answerable, answered "
                     "recency questions; limits: mean over sources of (unanswerable newly refused - answerable "
                     "newly refused) per question; only values no source loses by; ties keep the more conservative "
                     "value",
    }
    text = json.dumps(result, indent=1)
    print(text)
    if not args.dry_run:
        args.out.write_text(text + "\n", encoding="utf-8")
        log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
