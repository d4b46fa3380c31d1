"""Metrics of a ``rag eval`` run per slice: the tuning slice the fitted answerer saw, and the checking slice it never did.

    rag eval run SUITE --corpus CORPUS --offline --out runs/x
    python -m evals.split_report runs/x SUITE          # one row per slice, the README's figures

The slices are those of ``evals.fit_answerer.split_of`` (by week for suites with ``asked_on``, else
by case id), so the checking figures are for questions no weight or threshold was fitted on. A
question split by id may still ask about an article a tuning question asks about (the BBC suite has
several questions per article), so one more row, *check, article-disjoint*, keeps only the checking
questions none of whose articles a tuning question uses: the figure held out by article. A
question's articles are its gold ones (``also_in`` too) and, for an unanswerable one, the article it
is ``near`` (the BBC suite names it); one with none (an unanswerable RealTime QA question) counts as
disjoint. The split itself is not changed: the fitted parameters were fitted on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from evals.cases import Case, iter_jsonl
from evals.fit_answerer import split_of
from evals.metrics import source_keys
from evals.suite import load_suite
from evals.summary import summarise

METRICS = ("hit@1", "hit@5", "containment", "answer_correct", "short_answer_correct", "short_answer_correct_all",
           "short_answer_precision", "citation_article_precision",
           "correct_refusal_rate", "wrong_refusal_rate", "answer_leak_rate", "latency_total_p50_ms")
DISJOINT = "check, article-disjoint"
SLICES = ("tune", "check", DISJOINT, "all")


def _near(suite: Path) -> dict[int, str]:
    """Line number -> the ``near`` article of that line's record (the field ``Case`` does not keep)."""
    try:
        raw = suite.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {n: rec["near"].strip() for n, rec, _ in iter_jsonl(raw)
            if isinstance(rec, dict) and isinstance(rec.get("near"), str) and rec["near"].strip()}


def _same(a: str, b: str) -> bool:
    """Two gold references name the same article: equal, or one a path suffix of the other
    (``evals.metrics.source_keys``: "business/012.txt" and "bbc/business/012.txt")."""
    a, b = a.strip().rstrip("/"), b.strip().rstrip("/")
    return bool(a) and bool(b) and (a == b or a in set(source_keys(b)) or b in set(source_keys(a)))


def article_disjoint(cases: Iterable[Case], near: dict[int, str] | None = None) -> set[str]:
    """Ids of the checking cases (``split_of``) none of whose articles a tuning case uses.

    ``near``: line number -> the article an unanswerable case is about (``_near``), counted as one of
    its articles on both sides."""
    near = near or {}

    def articles(c: Case) -> list[str]:
        extra = near.get(c.line) if c.line is not None else None
        return [*c.articles, *([extra] if extra else [])]

    cases = list(cases)
    tuned = [a for c in cases if split_of(c) == "tune" for a in articles(c)]
    tuned_exact = set(tuned)
    return {c.id for c in cases if split_of(c) == "check"
            and not any(a in tuned_exact or any(_same(a, t) for t in tuned) for a in articles(c))}


def slices(run: Path, suite: Path) -> dict[str, dict[str, tuple[float | None, int]]]:
    cases = load_suite(suite).cases
    by_id = {c.id: split_of(c) for c in cases}
    disjoint = article_disjoint(cases, _near(suite))
    rows = [json.loads(line) for line in (run / "results.jsonl").open(encoding="utf-8") if line.strip()]
    out: dict[str, dict[str, tuple[float | None, int]]] = {}
    for name in SLICES:
        if name == DISJOINT:
            part = [r for r in rows if r["id"] in disjoint]
        else:
            part = [r for r in rows if name == "all" or by_id.get(r["id"]) == name]
        values, counts = summarise(part, (1, 3, 5, 10))
        out[name] = {k: (values.get(k), counts.get(k, 0)) for k in METRICS} | {"questions": (None, len(part))}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="a `rag eval --out` directory")
    ap.add_argument("suite", type=Path, help="the suite it ran")
    args = ap.parse_args(argv)
    sys.stdout.write(markdown(slices(args.run, args.suite)))  # the command's output: the CLI edge
    return 0


def markdown(table: dict[str, dict[str, tuple[float | None, int]]]) -> str:
    """``slices``' table as a Markdown table: each metric's value, then in brackets how many questions it
    was computed over."""
    lines = ["| slice | questions | " + " | ".join(METRICS) + " |", "|" + " --- |" * (len(METRICS) + 2)]
    for name, row in table.items():
        cells = [("–" if v is None else f"{v:.3f}" if k != "latency_total_p50_ms" else f"{v:.1f}") + f" ({n})"
                 for k, (v, n) in row.items() if k != "questions"]
        lines.append(f"| {name} | {row['questions'][1]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
