"""Answerers side by side: extractive, local llama.cpp, and a remote OpenAI-compatible server.

    .venv/bin/python -m benchmarks.answerers --limit 10                  # extractive + local
    .venv/bin/python -m benchmarks.answerers --limit 10 --local-variants default,no-example
    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 RAG_LLM_MODEL=qwen .venv/bin/python -m benchmarks.answerers --limit 10

Questions: the RealTime QA dev suite (../shared/corpora/realtimeqa-dev, read in place), a seeded
sample with a share of its unanswerable questions; or ``--suite squad`` (SQuAD v1.1 dev, all
answerable, its 48 articles as the store). Store: by default a small one per sample (the
gold articles of each question plus its ``--neighbours`` nearest articles by IDF-weighted word
overlap: a stand-in for the question's own search results, so unanswerable questions still meet
on-topic noise), built with the real embedder outside the repo; ``--full-corpus`` ingests all
3,359 articles instead (an hour on two cores). Every answerer gets the same questions through
``RAG.stream`` (the product path: retrieval, answer, citation checks).

``--split tune`` samples the tuning weeks instead (for fitting; ``--subset-store`` answers them
from the store ``rag eval`` uses). Each run keeps per-question rows, with what a generating answerer
wrote, outside the repo; ``--answerers none --replay ROWS`` runs those replies again through today's
product path (``evals.fit_verify.Recorded``: retrieval, ``[n]`` parsing, verification, the offline
fallback) without the model.

Printed per answerer: containment, exact match, F1, citation precision (the quote supports its
claim), citation article precision (the cited article is a gold one), unsupported citations
removed per answer, correct and wrong refusal rates, time to first token (first streamed text;
the whole answer for the extractive answerer, which does not stream), generation tokens/s and
total time per answer (p50 and mean).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, pct, table, write_json
from evals.fit_verify import Recorded
from rag.text import STOPWORDS

RTQA = ROOT.parent / "shared" / "corpora" / "realtimeqa-dev"
SQUAD = ROOT.parent / "shared" / "corpora" / "squad-v1.1-dev" / "dev-v1.1.json"
BENCH_DIR = Path(os.environ.get("RAG_BENCH_DIR", "/tmp/rag-bench")) / "answerers"
_WORD = re.compile(r"[a-z0-9]+")
_STOP = STOPWORDS | {"week", "said", "says", "new", "yes"}  # news filler words, on top of the product's list


_VARIANTS = {"default": (True, True), "no-example": (False, True), "plain": (False, False)}  # (one_shot, remind)


# --- questions and store ------------------------------------------------------------------------


def pick_cases(limit: int, seed: int, unanswerable_share: float, split: str = "check",
               suite: Path = RTQA / "suite.jsonl") -> list[Any]:
    """A seeded sample of the suite's ``split`` (``evals.fit_answerer.split_of``; "check": weeks no
    fitted parameter saw) with ``unanswerable_share`` of it unanswerable questions."""
    from evals.fit_answerer import split_of
    from evals.suite import load_suite

    cases = [c for c in load_suite(suite).cases if split_of(c) == split]
    rng = random.Random(seed)
    neg = [c for c in cases if not c.answerable]
    pos = [c for c in cases if c.answerable]
    rng.shuffle(neg)
    rng.shuffle(pos)
    n_neg = min(len(neg), round(limit * unanswerable_share))
    picked = pos[: limit - n_neg] + neg[:n_neg]
    rng.shuffle(picked)
    return picked


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


def store_records(cases: list[Any], neighbours: int, full: bool) -> list[dict[str, Any]]:
    """Corpus rows for the store: everything (``full``), or golds + nearest articles per question."""
    rows = [json.loads(line) for line in (RTQA / "corpus.jsonl").open(encoding="utf-8")]
    if full:
        return rows
    df: Counter[str] = Counter()
    bags = []
    for r in rows:
        bag = set(_words(r["title"] + " " + r["text"][:3000]))
        bags.append(bag)
        df.update(bag)
    n = len(rows)
    keep: set[int] = set()
    for c in cases:
        keep.update(i for i, r in enumerate(rows) if r.get("url") in c.articles)  # the gold articles
        q = set(_words(c.question))
        scored = sorted(((sum(math.log(n / df[w]) for w in q & bag), i) for i, bag in enumerate(bags)), reverse=True)
        keep.update(i for s, i in scored[:neighbours] if s > 0)
    return [rows[i] for i in sorted(keep)]


def open_bench_store(records: list[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    """A RAG over ``records`` (written as a JSONL dump), cached by content under BENCH_DIR."""
    from evals.store import open_store

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    key = json.dumps(sorted(r["id"] for r in records))
    import hashlib

    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    dump = BENCH_DIR / f"corpus-{digest}.jsonl"
    if not dump.exists():
        tmp = dump.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        tmp.replace(dump)
    os.environ.setdefault("RAG_MAX_FILE_MB", "64")  # the full corpus dump is 25 MB
    return open_store([str(dump)], store_dir=BENCH_DIR / f"store-{digest}")


# --- running one answerer -----------------------------------------------------------------------


class _Timed:
    """Looks like a ``RAG`` to ``evals.run.evaluate_case`` but answers through ``stream`` with
    ``llm`` as the answerer, recording time to first text and total time."""

    def __init__(self, rag: Any, llm: Any | None) -> None:
        from rag.api import RAG

        self.collection = rag.collection
        self.store = rag.collection.store
        self.settings = rag.settings
        self._rag = RAG(rag.settings, collection=rag.collection, llm=llm)
        self.search_query = self._rag.search_query
        self._offline = llm is None
        self.last: dict[str, float] = {}

    def ask(self, question: str, **kwargs: Any) -> Any:
        from rag.types import Answer

        kwargs["offline"] = self._offline
        t0 = time.perf_counter()
        first: float | None = None
        answer = None
        streamed: list[str] = []
        for item in self._rag.stream(question, **kwargs):
            if isinstance(item, Answer):
                answer = item
            else:
                streamed.append(item)
                if first is None and item.strip():
                    first = time.perf_counter()
        end = time.perf_counter()
        assert answer is not None
        self.last = {"ttft_s": (first or end) - t0, "total_s": end - t0,
                     "gen_s": (end - first) if first else 0.0}
        self.streamed = "".join(streamed)  # what the model wrote, before citation checks
        self.passages = answer.passages
        return answer


def removed_sentences(notices: list[str]) -> int:
    """How many sentences verification removed from an answer, read from its notice (``rag.verify.removed_notice``).
    Until Nov 28 the column counted the wrong ``[n]`` markers of a "Removed citations ..." notice instead.

    >>> removed_sentences(["Removed 2 sentence(s) no passage supports: A. | B.", "Citations corrected: [1] ..."])
    2
    """
    return sum(int(m.group(1)) for n in notices if (m := re.match(r"Removed (\d+) sentence", n)))


def run_answerer(label: str, rag: Any, llm: Any | None, cases: list[Any], top_k: int | None) -> list[dict[str, Any]]:
    from evals.run import evaluate_case

    timed = _Timed(rag, llm)
    rows = []
    for i, case in enumerate(cases, start=1):
        r = evaluate_case(timed, case, ks=(5,), top_k=top_k, offline=llm is None)
        usage = r.usage or {}
        gen_s = timed.last.get("gen_s", 0.0)
        completion = usage.get("completion_tokens") if llm is not None else None
        removed = removed_sentences(r.notices)
        row = {
            "answerer": label, "id": case.id, "type": case.type, "question": case.question,
            "answers": list(case.answers), "answer": r.answer, "refused": r.refused, "error": r.error,
            "metrics": r.metrics, "cited_gold": [c["gold"] for c in r.citations],
            "removed_unsupported": removed, "notices": r.notices, **timed.last,
            "model_wrote": getattr(timed, "streamed", ""),
            "passage_ids": [p.chunk_id for p in timed.passages],  # what a replay must retrieve again
            "model_wrote_markers": bool(re.search(r"\[\d+\]", getattr(timed, "streamed", ""))),
            "model_wrote_answer": m_contains(getattr(timed, "streamed", ""), case),
            # the first token's time is in ttft: the rate is over the tokens after it
            "tokens_per_s": ((completion - 1) / gen_s) if completion and completion > 1 and gen_s > 0 else None,
            "completion_tokens": completion,
        }
        rows.append(row)
        print(f"  [{label}] {i}/{len(cases)} {case.type[:5]} {timed.last.get('total_s', 0):5.1f}s "
              f"contain={r.metrics.get('containment')} refused={r.refused} | {r.answer[:110]!r}"
              + (f" | model wrote: {timed.streamed[:160]!r}" if getattr(timed, "streamed", "") and r.refused else ""),
              flush=True)
    return rows


def m_contains(text: str, case: Any) -> float | None:
    """Containment of a gold answer in the raw model text (before the product withheld anything)."""
    from evals import metrics

    return metrics.contains_answer(text, case.answers) if case.answerable and case.short_answers and text else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(xs: list[float]) -> float | None:
        return sum(xs) / len(xs) if xs else None

    m = [r["metrics"] for r in rows]
    cites = [g for r in rows for g in r["cited_gold"]]
    tps = [r["tokens_per_s"] for r in rows if r["tokens_per_s"]]
    return {
        "n": len(rows),
        "containment": mean([x["containment"] for x in m if "containment" in x]),
        "exact_match": mean([x["exact_match"] for x in m if "exact_match" in x]),
        "f1": mean([x["f1"] for x in m if "f1" in x]),
        "citation_precision": mean([x["citation_precision"] for x in m if x.get("citation_precision") is not None]),
        "citation_article_precision": (sum(cites) / len(cites)) if cites else None,
        "unsupported_removed_per_answer": mean([r["removed_unsupported"] for r in rows]),
        "correct_refusal_rate": mean([x["correct_refusal"] for x in m if "correct_refusal" in x]),
        "wrong_refusal_rate": mean([x["wrong_refusal"] for x in m if "wrong_refusal" in x]),
        "ttft_p50_s": pct([r["ttft_s"] for r in rows if "ttft_s" in r], 50),
        "tokens_per_s_p50": pct(tps, 50) if tps else None,
        "total_p50_s": pct([r["total_s"] for r in rows if "total_s" in r], 50),
        "total_mean_s": mean([r["total_s"] for r in rows if "total_s" in r]),
        "errors": sum(1 for r in rows if r["error"]),
        # of the generating answerers: the model's own text, before citation checks withheld anything
        "raw_with_markers": mean([float(r["model_wrote_markers"]) for r in rows if r["model_wrote"]]),
        "raw_containment": mean([r["model_wrote_answer"] for r in rows if r["model_wrote_answer"] is not None]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", choices=("realtimeqa", "squad"), default="realtimeqa")
    ap.add_argument("--split", choices=("check", "tune"), default="check",
                    help="RealTime QA: evals.fit_answerer.split_of's slice; SQuAD: check = the seeded sample, tune = "
                    "evals.fit_answerer's SQuAD tuning cases. tune: only for fitting")
    ap.add_argument("--subset-store", action="store_true",
                    help="RealTime QA: the questions and store of evals.fit_answerer's subset (the one `rag eval` "
                         "figures use) instead of a store per sample")
    ap.add_argument("--replay", type=Path, default=None,
                    help="a rows file this benchmark wrote: re-run its generating answerers' recorded replies "
                         "through today's verification (no model needed)")
    ap.add_argument("--limit", type=int, default=100, help="questions (default 100)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--unanswerable-share", type=float, default=0.2)
    ap.add_argument("--neighbours", type=int, default=10, help="nearest articles per question in the store")
    ap.add_argument("--full-corpus", action="store_true", help="ingest all 3,359 articles (slow)")
    ap.add_argument("--answerers", default="extractive,local,remote",
                    help="comma list of extractive, local, remote (remote only when OPENAI_BASE_URL/KEY is set)")
    ap.add_argument("--local-variants", default="default",
                    help="prompt A/B, comma list of: default (example turn + citation reminder), "
                         "no-example (reminder only), plain (neither: the OpenAI path's prompt)")
    ap.add_argument("--top-k", type=int, default=None, help="passages retrieved (default RAG_TOP_K)")
    ap.add_argument("--out", type=Path, default=None,
                    help="summary JSON (default benchmarks/results/answerers-SUITE.json; per-question rows go "
                         "to $RAG_BENCH_DIR/answerers/rows-SUITE.json, outside the repo)")
    args = ap.parse_args()

    t = time.perf_counter()
    if args.suite == "squad":  # SQuAD dev: its 48 articles are the store (the evals cache's, when built)
        from evals.store import open_store
        from evals.suite import load_suite

        suite = load_suite(SQUAD)
        cases = suite.sample(args.limit, args.seed).cases
        if args.split == "tune":  # evals.fit_answerer's SQuAD tuning cases, none of them a checking one
            from evals.fit_answerer import squad_cases

            held = {c.id for c in cases}
            cases = [c for c in squad_cases(suite, args.limit + len(held)) if c.id not in held][: args.limit]
        rag, info = open_store(records=suite.corpus)
    elif args.subset_store:
        from evals.fit_answerer import subset_files
        from evals.store import open_store

        corpus, subset_suite = subset_files()
        if not subset_suite.is_file():
            raise SystemExit(f"{subset_suite} is missing: build it with `python -m evals.fit_answerer` first")
        cases = pick_cases(args.limit, args.seed, args.unanswerable_share, args.split, subset_suite)
        rag, info = open_store([str(corpus)])
    else:
        cases = pick_cases(args.limit, args.seed, args.unanswerable_share, args.split)
        rag, info = open_bench_store(store_records(cases, args.neighbours, args.full_corpus))
    print(f"{len(cases)} questions ({sum(not c.answerable for c in cases)} unanswerable); store of "
          f"{info['articles']} articles / {info['chunks']} chunks ({'reused' if info['reused'] else 'built'} in "
          f"{time.perf_counter() - t:.0f}s)", flush=True)

    rag.ask(cases[0].question, offline=True)  # first-call costs (lazy imports, index load) are no answer's time
    wanted = [a.strip() for a in args.answerers.split(",") if a.strip()]
    runs: dict[str, list[dict[str, Any]]] = {}
    if "extractive" in wanted:
        runs["extractive"] = run_answerer("extractive", rag, None, cases, args.top_k)
    if "local" in wanted:
        from rag.local_llm import LocalAnswerer

        shared = None
        for variant in [v.strip() for v in args.local_variants.split(",") if v.strip()]:
            if variant not in _VARIANTS:
                raise SystemExit(f"unknown --local-variants {variant!r}: use {', '.join(_VARIANTS)}")
            one_shot, remind = _VARIANTS[variant]
            local = LocalAnswerer(rag.settings, llama=shared, one_shot=one_shot, cite_reminder=remind)
            if shared is None:
                t = time.perf_counter()
                shared = local._get_llama()  # load once, outside the timed answers
                print(f"local model loaded in {time.perf_counter() - t:.1f}s ({local.threads} threads)", flush=True)
            runs[f"local {variant}"] = run_answerer(f"local {variant}", rag, local, cases, args.top_k)
    if args.replay is not None:
        kept = json.loads(args.replay.read_text(encoding="utf-8"))["rows"]
        for name, rows in kept.items():
            if any(r.get("model_wrote") for r in rows):
                recorded = Recorded(rows, name.split()[0], rag.settings.local_top_k)
                runs[f"replay {name}"] = run_answerer(f"replay {name}", rag, recorded, cases, args.top_k)
                if recorded.missing or recorded.changed:  # not the recorded run's questions, or retrieval changed
                    print(f"warning: replay {name}: {recorded.missing} of {len(cases)} questions have no recording "
                          f"(use the run's --limit/--seed/--split), {recorded.changed} retrieved other passages "
                          "than the recording", flush=True)
    if "remote" in wanted and (os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")):
        from rag.llm import LLMAnswerer

        runs[f"remote {rag.settings.llm_model}"] = run_answerer(
            "remote", rag, LLMAnswerer(rag.settings, max_tokens=rag.settings.llm_max_tokens), cases, args.top_k)

    summaries = {name: summarise(rows) for name, rows in runs.items()}
    cols = ["n", "containment", "exact_match", "f1", "citation_precision", "citation_article_precision",
            "unsupported_removed_per_answer", "correct_refusal_rate", "wrong_refusal_rate", "ttft_p50_s",
            "tokens_per_s_p50", "total_p50_s", "total_mean_s", "errors", "raw_with_markers", "raw_containment"]
    short = ["n", "contain", "EM", "F1", "cite_prec", "cite_art_prec", "unsup_rm/ans", "ok_refuse", "wrong_refuse",
             "ttft_p50_s", "tok/s", "total_p50_s", "total_mean_s", "err", "raw_marked", "raw_contain"]
    print(table(f"answerers on {len(cases)} {args.suite} questions", ["answerer", *short],
                [[name, *("-" if s[c] is None else s[c] for c in cols)] for name, s in summaries.items()]))
    meta = {"args": {k: str(v) for k, v in vars(args).items()}, "store": info, "summaries": summaries}
    # only the checking slice of the per-sample store is the README's table; other runs are named apart
    variant = "" if args.split == "check" and not args.subset_store and args.replay is None else \
        f"-{args.split}{'-subset' if args.subset_store else ''}{'-replay' if args.replay else ''}"
    write_json(f"answerers-{args.suite}{variant}", meta, args.out)
    # per-question rows quote the questions and articles: licensed text stays outside the repo; one
    # file per run and answerer set, so a later run of other answerers does not overwrite the model's
    tag = "-".join(re.sub(r"\W+", "_", name) for name in runs) or "none"
    rows_path = BENCH_DIR / f"rows-{args.suite}-{args.split}{'-subset' if args.subset_store else ''}-{tag}.json"
    write_json("rows", meta | {"rows": runs}, rows_path)
    print(f"per-question rows: {rows_path}", flush=True)


if __name__ == "__main__":
    main()
