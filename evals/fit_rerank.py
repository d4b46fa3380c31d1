"""Fit the evidence rerank's depth and weight (``rag.retrieve.rerank``) on the tuning slices.

For every answerable tuning question of the RealTime QA subset and the BBC paraphrase suite (the
cached eval stores of ``rag eval``; see the README's Results), the dense and lexical candidates are
fetched once; then each (depth, weight) of a small grid reranks them exactly as ``retrieve`` does
(fuse -> rerank -> time prior -> caps) and is scored by answer-in-context@1 (the gold answer is in
the first passage) and hit@1. The pair with the best mean answer-in-context@1 over the two suites
is written to ``rag/fitted/retrieval.json`` with the tuning and checking figures of the old and the
new values; the checking slices (``evals.fit_answerer.split_of``) are only reported.

    python -m evals.fit_rerank [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
FITTED = ROOT / "rag" / "fitted" / "retrieval.json"
DEPTHS = (10, 20, 30, 40)
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)


def suites() -> list[tuple[str, Path, list[str]]]:
    from evals.fit_answerer import cache_dir

    rtqa = cache_dir() / "realtimeqa-subset-0.5-3"
    return [
        ("realtimeqa", Path(f"{rtqa}.suite.jsonl"), [f"{rtqa}.jsonl"]),
        ("bbc", ROOT / "evals" / "suites" / "bbc-paraphrase.jsonl", [str(ROOT.parent / "shared" / "corpora" / "bbc-news" / "bbc")]),
    ]


def candidates(rag: Any, cases: list[Any]) -> list[dict[str, Any]]:
    """Per answerable case: the fused candidates' rows and scores, before the rerank."""
    from rag.evidence import prepare
    from rag.retrieve.fuse import rrf
    from rag.timewindow import understand

    store, s = rag.store, rag.settings
    out = []
    for case in cases:
        if not case.answerable:
            continue
        q = case.question
        vec = rag.collection.embedder([q])[0]
        fused = rrf((store.dense(vec, s.candidates), store.lexical(q, s.candidates)))
        order = sorted(fused, key=fused.__getitem__, reverse=True)[: max(DEPTHS)]
        as_of = case.as_of
        out.append({"case": case, "fused": fused, "order": order, "rows": store.chunks(order),
                    "question": prepare(q, store.doc_freqs, store.n_lexical()),
                    "window": understand(q, as_of) if as_of else None, "as_of": as_of})
    return out


def score(items: list[dict[str, Any]], depth: int, weight: float, per_article: int) -> dict[str, float]:
    from evals import metrics as m
    from rag.retrieve.diversity import cap
    from rag.retrieve.fuse import best
    from rag.retrieve.prior import apply_time_prior
    from rag.retrieve.rerank import rerank

    hit = aic = 0
    for it in items:
        order = it["order"][:depth]
        scores = rerank(it["question"], order, it["fused"], it["rows"], weight=weight)
        if it["as_of"] is not None:
            scores = apply_time_prior(scores, it["rows"], it["window"], it["as_of"])
        top = cap(best(scores), it["rows"], 1, per_article)
        if not top:
            continue
        case, row = it["case"], top[0]
        hit += any(m.matches_article(g, row.article_id, row.url or row.source) for g in case.articles)
        aic += m.contains_answer(row.text, case.answers) == 1.0
    n = max(len(items), 1)
    return {"hit@1": round(hit / n, 4), "answer_in_context@1": round(aic / n, 4), "n": len(items)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from evals.fit_answerer import split_of
    from evals.store import open_store
    from evals.suite import load_suite
    from rag.retrieve.rerank import RERANK_DEPTH, RERANK_WEIGHT

    data: dict[str, dict[str, list]] = {}
    per_article = 3
    for name, suite_path, inputs in suites():
        if not suite_path.exists():
            print(f"{suite_path} is missing: run `python -m evals.fit_answerer --dry-run` first (it builds it)",
                  file=sys.stderr)
            return 2
        suite = load_suite(suite_path)
        rag, _ = open_store(inputs, records=suite.corpus)
        per_article = rag.settings.per_article
        split = {"tune": [], "check": []}
        for c in suite.cases:
            split[split_of(c)].append(c)
        data[name] = {k: candidates(rag, v) for k, v in split.items()}
        log.info("%s: %d tuning, %d checking answerable questions", name, len(data[name]["tune"]),
                 len(data[name]["check"]))

    def mean_aic(part: str, depth: int, weight: float) -> float:
        return sum(score(d[part], depth, weight, per_article)["answer_in_context@1"] for d in data.values()) / len(data)

    grid = {(d, w): mean_aic("tune", d, w) for d in DEPTHS for w in WEIGHTS}
    depth, weight = max(grid, key=lambda k: (round(grid[k], 4), -abs(k[1] - RERANK_WEIGHT), -abs(k[0] - RERANK_DEPTH)))
    report = {
        "version": 1,
        "fitted_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "objective": "mean answer_in_context@1 over the tuning slices of RealTime QA subset and BBC paraphrase",
        "params": {"depth": depth, "weight": weight},
        "grid_tuning": {f"{d}/{w}": round(v, 4) for (d, w), v in grid.items()},
        "figures": {
            name: {part: {"in_use_before": score(d[part], RERANK_DEPTH, RERANK_WEIGHT, per_article),
                          "fitted": score(d[part], depth, weight, per_article),
                          "no_rerank": score(d[part], depth, 0.0, per_article)}
                   for part in ("tune", "check")}
            for name, d in data.items()
        },
    }
    text = json.dumps(report, indent=1)
    print(text)
    if not args.dry_run:
        FITTED.write_text(text + "\n", encoding="utf-8")
        log.info("wrote %s", FITTED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
