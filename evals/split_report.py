"""Metrics of a ``rag eval`` run per slice: the tuning slice the fitted answerer saw, and the checking slice it never did.

    rag eval run SUITE --corpus CORPUS --offline --out runs/x
    python -m evals.split_report runs/x SUITE          # one row per slice, the README's figures

The slices are those of ``evals.fit_answerer.split_of`` (by week for suites with ``asked_on``, else
by case id), so the checking figures are for questions no weight or threshold was fitted on.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from evals.fit_answerer import split_of
from evals.suite import load_suite
from evals.summary import summarise

METRICS = ("hit@1", "hit@5", "containment", "answer_correct", "short_answer_correct", "short_answer_correct_all",
           "short_answer_precision", "citation_article_precision",
           "correct_refusal_rate", "wrong_refusal_rate", "answer_leak_rate", "latency_total_p50_ms")


def slices(run: Path, suite: Path) -> dict[str, dict[str, tuple[float | None, int]]]:
    by_id = {c.id: split_of(c) for c in load_suite(suite).cases}
    rows = [json.loads(line) for line in (run / "results.jsonl").open(encoding="utf-8") if line.strip()]
    out: dict[str, dict[str, tuple[float | None, int]]] = {}
    for name in ("tune", "check", "all"):
        part = [r for r in rows if name == "all" or by_id.get(r["id"]) == name]
        values, counts = summarise(part, (1, 3, 5, 10))
        out[name] = {k: (values.get(k), counts.get(k, 0)) for k in METRICS}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="a `rag eval --out` directory")
    ap.add_argument("suite", type=Path, help="the suite it ran")
    args = ap.parse_args(argv)
    table = slices(args.run, args.suite)
    print("| slice | " + " | ".join(METRICS) + " |")
    print("|" + " --- |" * (len(METRICS) + 1))
    for name, row in table.items():
        cells = [("–" if v is None else f"{v:.3f}" if k != "latency_total_p50_ms" else f"{v:.1f}") + f" ({n})"
                 for k, (v, n) in row.items()]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
