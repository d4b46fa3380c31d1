"""Fit the offline answerer's answer-or-refuse model (``rag/fitted/answerer.json``) and report its curve.

    python -m evals.fit_answerer                      # the default dev sets (below), writes the JSON
    python -m evals.fit_answerer --dry-run            # fit and report, write nothing

Examples are (evidence features, answerable?) pairs from questions run through the product's own
retrieval and sentence scoring (``RAG`` over an isolated eval store, exactly what ``ask`` sees):

* RealTime QA dev (``../shared/corpora/realtimeqa-dev``): news questions, 77 of them unanswerable
  on-topic (their answer's articles were removed from the corpus);
* the same RealTime QA answerable questions and a SQuAD sample with their gold articles filtered
  out of retrieval: the collection still covers the topic, the answer is gone;
* any extra suite given with ``--suite PATH --corpus PATH`` (e.g. our BBC paraphrase suite).

Every dataset is split into a *tuning* slice, the only one the weights and the threshold see, and a
*checking* slice reported separately: by week for suites with ``asked_on`` (a question never shares
its week's news with the other slice), else by a hash of the case id. The threshold written as the
default is the highest one whose wrong refusals on the tuning slice stay within ``--max-wrong``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evals.suite import Case, load_suite
from rag.confidence import FEATURES, FITTED

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True)
class Example:
    dataset: str
    case_id: str
    split: str  # "tune" | "check"
    label: int  # 1 = answerable from the collection
    features: dict[str, float]
    refused_early: bool = False  # nothing retrieved, or no sentence to score: refused whatever the model says


def split_of(case: Case) -> str:
    """'check' for one week in three (suites with asked_on), else one case id in three."""
    key = _week(case.asked_on) if case.asked_on else case.id
    return "check" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def collect(rag: Any, cases: Iterable[Case], dataset: str, *, drop_gold: bool = False) -> list[Example]:
    """Run each case's question through retrieval + sentence scoring and record the features.

    ``drop_gold``: retrieve from every article except the case's gold ones, labelled unanswerable."""
    from rag.retrieve import retrieve
    from rag.types import Filters

    db = rag.collection.db
    all_ids: list[str] | None = None
    out: list[Example] = []
    for case in cases:
        filters = None
        label = 1 if case.answerable else 0
        if drop_gold:
            if not case.answerable or not case.articles:
                continue
            gold = {db.resolve(a) for a in case.articles} - {None}
            if not gold:
                continue
            all_ids = all_ids or [a.id for a in db.list_articles(limit=10**9)]
            filters = Filters(article_ids=tuple(a for a in all_ids if a not in gold))
            label = 0
        q = rag.extractive.prepare(case.question)
        got = retrieve(rag.collection, case.question, filters=filters, question=q)
        _, feats = rag.extractive.evidence(q, got.passages, got.query_vector)
        name = dataset + ("-dropgold" if drop_gold else "")
        if feats is None:
            out.append(Example(name, case.id, split_of(case), label, dict.fromkeys(FEATURES, 0.0), True))
            continue
        out.append(Example(name, case.id, split_of(case), label, feats))
    return out


def fit(examples: Sequence[Example], c: float = 1.0) -> tuple[list[float], float]:
    """Logistic regression (scikit-learn), classes balanced so the rarer unanswerables weigh as much."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[e.features[f] for f in FEATURES] for e in examples if not e.refused_early])
    y = np.array([e.label for e in examples if not e.refused_early])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0])


def curve(examples: Sequence[Example], weights: Sequence[float], bias: float) -> list[dict[str, float]]:
    """Correct refusals (unanswerable refused) and wrong refusals (answerable refused) per threshold."""
    from rag.confidence import RefusalModel

    model = RefusalModel(FEATURES, tuple(weights), bias, 0.5, 1, {})
    probs = [(0.0 if e.refused_early else model.probability(e.features), e.label) for e in examples]
    pos = [p for p, y in probs if y == 1]
    neg = [p for p, y in probs if y == 0]
    rows = []
    for t in THRESHOLDS:
        rows.append({
            "threshold": t,
            "wrong_refusal_rate": round(sum(p < t for p in pos) / len(pos), 4) if pos else None,
            "correct_refusal_rate": round(sum(p < t for p in neg) / len(neg), 4) if neg else None,
        })
    return rows


def choose_threshold(rows: Sequence[dict[str, float]], max_wrong: float) -> float:
    ok = [r["threshold"] for r in rows if r["wrong_refusal_rate"] is not None and r["wrong_refusal_rate"] <= max_wrong]
    return max(ok) if ok else THRESHOLDS[0]


def rtqa_subset(rtqa: Path, share: float, neighbours: int = 3) -> tuple[list[Case], Path]:
    """A reproducible part of RealTime QA: the questions of ``share`` of its weeks, and a corpus of
    their gold articles plus, per question, the ``neighbours`` articles most like it by TF-IDF (the
    on-topic noise that makes refusing hard). The whole corpus (3,359 articles, ~33k chunks) takes
    20+ minutes to embed on 2 cores; this keeps the questions' own topics at a fraction of it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    cases = [c for c in load_suite(rtqa / "suite.jsonl").cases
             if c.asked_on and _bucket(_week(c.asked_on)) < share]
    rows = [json.loads(line) for line in (rtqa / "corpus.jsonl").open(encoding="utf-8") if line.strip()]
    keep = {r["id"] for r in rows if any(r["id"] in c.articles or r.get("url") in c.articles for c in cases)}
    vec = TfidfVectorizer(stop_words="english", max_features=200_000, sublinear_tf=True)
    docs = vec.fit_transform([r["title"] + " " + r["text"][:4000] for r in rows])
    sims = (vec.transform([c.question for c in cases]) @ docs.T).toarray()
    for row in sims:
        keep.update(rows[j]["id"] for j in row.argsort()[::-1][:neighbours])
    out = cache_dir() / f"realtimeqa-subset-{share}-{neighbours}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            if r["id"] in keep:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    # its questions too, for `rag eval run SUITE --corpus CORPUS` (kept in the cache: the data is not ours to commit)
    ids = {c.id for c in cases}
    with out.with_suffix(".suite.jsonl").open("w", encoding="utf-8") as fh:
        for line in (rtqa / "suite.jsonl").open(encoding="utf-8"):
            if line.strip() and json.loads(line)["id"] in ids:
                fh.write(line)
    return cases, out


def cache_dir() -> Path:
    from evals.store import cache_root

    return cache_root() / "subsets"


def _week(day: str) -> str:
    iso = date.fromisoformat(day[:10]).isocalendar()
    return f"{iso.year}-{iso.week}"


def _bucket(key: str) -> float:
    """A stable number in [0, 1) for ``key``."""
    return int(hashlib.sha256(("subset:" + key).encode()).hexdigest(), 16) % 1000 / 1000


def _datasets(args: argparse.Namespace) -> list[tuple[str, Path, list[str], bool]]:
    """(name, suite, corpus inputs, also a drop-gold variant?)"""
    out = []
    rtqa = SHARED / "realtimeqa-dev"
    if not args.no_rtqa and (rtqa / "suite.jsonl").is_file():
        out.append(("realtimeqa", rtqa / "suite.jsonl", [], True))
    bbc = ROOT / "evals" / "suites" / "bbc-paraphrase.jsonl"
    if not args.no_bbc and bbc.is_file() and (SHARED / "bbc-news" / "bbc").is_dir():
        out.append(("bbc-paraphrase", bbc, [str(SHARED / "bbc-news" / "bbc")], False))
    squad = SHARED / "squad-v1.1-dev" / "dev-v1.1.json"
    if args.squad and squad.is_file():
        out.append(("squad", squad, [], True))
    for suite, corpus in zip(args.suite or [], args.corpus or [], strict=True):
        out.append((Path(suite).stem, Path(suite), [corpus], False))
    return out


def _squad_cases(suite: Any, n: int) -> list[Case]:
    """``n`` SQuAD cases disjoint from the README's regression sample (the first 1,000 of Random(466))."""
    from evals.suite import DEFAULT_SEED

    held = {c.id for c in suite.sample(1000, DEFAULT_SEED).cases}
    rest = [c for c in suite.cases if c.id not in held]
    random.Random(2026).shuffle(rest)
    return rest[:n]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=FITTED)
    ap.add_argument("--report", type=Path, default=ROOT / "evals" / "results" / "fit_answerer.json")
    ap.add_argument("--max-wrong", type=float, default=0.04, help="wrong refusals allowed on the tuning slice")
    ap.add_argument("--squad", type=int, default=400, help="SQuAD questions (0 = none)")
    ap.add_argument("--no-rtqa", action="store_true")
    ap.add_argument("--rtqa-share", type=float, default=0.5, help="share of RealTime QA weeks used (see rtqa_subset)")
    ap.add_argument("--no-bbc", action="store_true")
    ap.add_argument("--suite", action="append", help="an extra suite (pairs with --corpus)")
    ap.add_argument("--corpus", action="append")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from evals.store import open_store

    examples: list[Example] = []
    t0 = time.time()
    for name, path, corpus, drop in _datasets(args):
        suite = load_suite(path)
        cases = _squad_cases(suite, args.squad) if name == "squad" else list(suite.cases)
        if name == "realtimeqa":
            cases, subset = rtqa_subset(path.parent, args.rtqa_share)
            corpus = [str(subset)]
        rag, info = open_store(corpus, records=suite.corpus)
        print(f"{name}: {len(cases)} cases over {info['articles']} articles ({info['store']})", file=sys.stderr)
        examples += collect(rag, cases, name)
        if drop:
            examples += collect(rag, cases, name, drop_gold=True)
        rag.collection.close()
    tune = [e for e in examples if e.split == "tune"]
    check = [e for e in examples if e.split == "check"]
    weights, bias = fit(tune)
    tune_curve, check_curve = curve(tune, weights, bias), curve(check, weights, bias)
    threshold = choose_threshold(tune_curve, args.max_wrong)
    by_set: dict[str, dict[str, Any]] = {}
    for ds in sorted({e.dataset for e in examples}):
        for split in ("tune", "check"):
            part = [e for e in examples if e.dataset == ds and e.split == split]
            row = next(r for r in curve(part, weights, bias) if r["threshold"] == threshold)
            by_set[f"{ds}/{split}"] = {"n": len(part), "answerable": sum(e.label for e in part), **row}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    fitted = {
        "version": 1,
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in weights],
        "bias": round(bias, 6),
        "threshold": threshold,
        "fitted_on": {
            "date": date.today().isoformat(), "commit": commit, "script": "python -m evals.fit_answerer",
            "tune_examples": len(tune), "tune_answerable": sum(e.label for e in tune),
            "datasets": sorted({e.dataset for e in examples}), "max_wrong_refusals_tune": args.max_wrong,
        },
    }
    report = {"fitted": fitted, "at_threshold": by_set, "tune_curve": tune_curve, "check_curve": check_curve,
              "seconds": round(time.time() - t0, 1)}
    print(json.dumps({"weights": dict(zip(FEATURES, fitted["weights"], strict=True)), "bias": fitted["bias"],
                      "threshold": threshold, "at_threshold": by_set}, indent=1))
    print("threshold  tune wrong/correct   check wrong/correct")
    for a, b in zip(tune_curve, check_curve, strict=True):
        print(f"{a['threshold']:>9}  {a['wrong_refusal_rate']!s:>6} {a['correct_refusal_rate']!s:>6}"
              f"        {b['wrong_refusal_rate']!s:>6} {b['correct_refusal_rate']!s:>6}")
    if not args.dry_run:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out} and {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
