"""``rag eval``: run suites through ``ask``, write results and reports, compare runs, gate CI.

    rag eval seeds/suite.jsonl                                   # against the current collection
    rag eval suite.jsonl --corpus DIR_OR_FILE --out runs/x       # isolated store built from the corpus
    rag eval squad dev-v1.1.json --sample 1000 --out runs/squad  # SQuAD: its articles are the corpus
    rag eval compare runs/a runs/b                               # deltas, per-question regressions
    rag eval suite.jsonl --fail-under hit@5=0.9                  # exit 1 when a threshold is missed

Module imports stay light (typer, rich): the model, Chroma and matplotlib load only when a
command runs.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from rag.text import plural

log = logging.getLogger(__name__)
console = Console(stderr=True)
out = Console()

_METRIC_NAME = re.compile(
    r"^((hit|recall|answer_in_context|context_tokens)@\d+|mrr|context_tokens|exact_match|f1|containment|answer_correct|"
    r"answer_sentences(_max)?|answer_words|citation_precision|citation_recall|citation_article_precision|"
    r"dangling_citations|short_answer_present|short_answer_correct(_all)?|short_answer_precision|answer_leak_rate|"
    r"correct_refusal_rate|wrong_refusal_rate|latency_\w+_p(50|95)_ms|prompt_tokens|completion_tokens|"
    r"cost_usd_total|cost_usd_per_question|judge_faithfulness|judge_correctness|errors)$"
)


class _DefaultToRun(TyperGroup):
    """``rag eval FILE ...`` means ``rag eval run FILE ...``; ``squad`` and ``compare`` are subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_DefaultToRun,
    no_args_is_help=True,
    add_completion=False,
    help="Evaluate answers and retrieval on a suite of questions (rag eval FILE | squad FILE | compare A B).",
)

CorpusOpt = Annotated[list[str] | None, typer.Option(
    "--corpus", help="ingest these files/folders/URLs into an isolated store first (repeatable)")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="write results.jsonl, summary.json, report.md/html, plots/")]
SampleOpt = Annotated[int | None, typer.Option("--sample", min=1, help="shuffle all questions (seeded) and keep N")]
SeedOpt = Annotated[int, typer.Option("--seed", help="random.Random seed for --sample")]
TopKOpt = Annotated[int | None, typer.Option("--top-k", "-k", min=1, max=50, help="passages per answer (default RAG_TOP_K)")]
KsOpt = Annotated[str, typer.Option("--ks", help="k values for the @k retrieval metrics")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="never call an LLM (the extractive answerer)")]
BaselineOpt = Annotated[str | None, typer.Option(
    "--baseline", help="also run a LlamaIndex recipe, retrieval only: 'llamaindex' (stock: 1024-token chunks, dense) "
                       "or 'llamaindex-hybrid' (180-token chunks, vector + BM25 fused by RRF)")]
BASELINE_NAMES = ("llamaindex", "llamaindex-hybrid")  # evals.baseline.BASELINES, without importing LlamaIndex
UnderOpt = Annotated[list[str] | None, typer.Option(
    "--fail-under", help="METRIC=VALUE: exit 1 when the metric is below it (repeatable), e.g. hit@5=0.9")]
OverOpt = Annotated[list[str] | None, typer.Option(
    "--fail-over", help="METRIC=VALUE: exit 1 when the metric is above it, e.g. latency_total_p50_ms=150")]
StoreOpt = Annotated[Path | None, typer.Option("--store", help="where to build the isolated store (default: cache dir keyed by corpus)")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="build the isolated store in a fresh temp dir")]
CtxOpt = Annotated[bool, typer.Option("--contexts-as-corpus", help="ingest the suite's reference contexts as the corpus")]
JudgeOpt = Annotated[bool, typer.Option("--judge", help="add LLM-judged faithfulness/correctness (needs an LLM)")]
JudgeModelOpt = Annotated[str | None, typer.Option("--judge-model", help="judge model (default RAG_LLM_MODEL)")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="ours | squad | ragas | llamaindex (default: detect)")]
PriceOpt = Annotated[str | None, typer.Option("--price", help="IN,OUT dollars per million tokens for the cost estimate")]


GOLD_SHOWN = 20  # gold article warnings printed before "and N more"


def _fail(msg: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {msg}", highlight=False)
    raise typer.Exit(code)


class _PlainProgress:
    """For logs (CI, redirected stderr): a line every 10% instead of a bar that only draws at the end."""

    UNKNOWN_EVERY = 10.0  # seconds between lines when the total is unknown

    def __init__(self, label: str) -> None:
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.next = 0.1
        self.t0 = self.said = time.perf_counter()

    def __enter__(self) -> _PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.done and (not self.total or self.done < self.total):
            self._say()

    def add_task(self, _name: str, total: int | None = None, **_: object) -> int:
        self.total = total
        return 0

    def _say(self) -> None:
        of = f"/{self.total}" if self.total else ""
        self.said = time.perf_counter()
        console.print(f"{self.label} {self.done}{of} ({self.said - self.t0:.0f}s)", highlight=False)

    def update(self, _task: int, *, advance: int = 0, completed: int | None = None, total: int | None = None,
               **_: object) -> None:
        if total is not None:
            self.total = total
        self.done = completed if completed is not None else self.done + advance
        if not self.total:  # no total known: a line every UNKNOWN_EVERY seconds
            if self.done and time.perf_counter() - self.said >= self.UNKNOWN_EVERY:
                self._say()
            return
        if self.done >= self.next * self.total:
            self._say()
            while self.next * self.total <= self.done:
                self.next += 0.1


def _progress(label: str):  # noqa: ANN202 - rich.progress.Progress
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    if not console.is_terminal:
        return _PlainProgress(label)
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)


def _thresholds(under: list[str] | None, over: list[str] | None) -> list[Any]:
    from evals.summary import parse_threshold

    out_: list[Any] = []
    for specs, is_under in ((under or [], True), (over or [], False)):
        for spec in specs:
            try:
                t = parse_threshold(spec, under=is_under)
            except ValueError as exc:
                _fail(str(exc))
            if not _METRIC_NAME.match(t.metric):
                _fail(f"unknown metric {t.metric!r} in {spec!r}; e.g. hit@5, mrr, recall@5, answer_in_context@5, "
                      "containment, f1, citation_precision, citation_recall, correct_refusal_rate, "
                      "wrong_refusal_rate, latency_total_p50_ms (see README, Evaluation)")
            out_.append(t)
    return out_


def _ks(spec: str) -> tuple[int, ...]:
    try:
        ks = tuple(sorted({int(x) for x in spec.split(",") if x.strip()}))
    except ValueError:
        _fail(f"--ks {spec!r}: write comma-separated integers, e.g. 1,3,5,10")
    if not ks or ks[0] < 1 or ks[-1] > 50:
        _fail("--ks values must be between 1 and 50")
    return ks


def _command_line() -> str | None:
    return shlex.join(["rag", *sys.argv[1:]]) if Path(sys.argv[0]).name == "rag" else None


def _open_rag(suite: Any, corpus: list[str] | None, store: Path | None, no_cache: bool) -> tuple[Any, dict[str, Any]]:
    """The RAG to evaluate: an isolated store when the suite or --corpus brings articles, else RAG_HOME's."""
    from rag.settings import load_settings

    if not corpus and not suite.corpus:
        from rag.api import RAG

        rag = RAG(load_settings())
        counts = rag.collection.db.counts()
        return rag, {"store": str(rag.settings.home), "articles": counts["articles"], "chunks": counts["chunks"],
                     "embedder": rag.collection.embedder.name, "isolated": False}
    from evals.store import open_store

    with _progress("ingest") as bar:
        task = bar.add_task("ingest", total=None, last="")

        # records settled against the records expected (a dump's line count), or no total when unknown
        expected: list[int | None] = [None]
        done = [0]
        ticking = threading.Lock()  # results come from the ingest's reader and writer threads

        def start(n: int | None) -> None:
            expected[0] = n
            if n:
                bar.update(task, total=n)

        def tick(r: Any) -> None:
            with ticking:
                done[0] += 1
                if expected[0] is not None and done[0] > expected[0]:  # a record read as more than one
                    expected[0] = done[0]
                    bar.update(task, total=done[0])
                bar.update(task, completed=done[0], last=f"{r.status}: {(r.title or r.item)[:40]}")

        rag, info = open_store(corpus or [], records=suite.corpus, store_dir=store, cache=not no_cache,
                               progress=tick, on_start=start)
    for f in info.get("failed", []):
        console.print(f"[yellow]corpus item failed:[/yellow] {f}", highlight=False)
    console.print(f"store: {info['store']} ({'reused' if info['reused'] else 'built'}; "
                  f"{plural(info['articles'], 'article')}, {plural(info['chunks'], 'chunk')})", highlight=False)
    return rag, info | {"isolated": True}


def evaluate(
    ctx: typer.Context,
    suite_file: Annotated[Path, typer.Argument(help="the suite: our JSONL, SQuAD JSON, ragas JSONL or LlamaIndex JSON")],
    corpus: CorpusOpt = None,
    out_dir: OutOpt = None,
    sample: SampleOpt = None,
    seed: SeedOpt = 466,
    top_k: TopKOpt = None,
    ks: KsOpt = "1,3,5,10",
    offline: OfflineOpt = False,
    baseline: BaselineOpt = None,
    fail_under: UnderOpt = None,
    fail_over: OverOpt = None,
    store: StoreOpt = None,
    no_cache: NoCacheOpt = False,
    contexts_as_corpus: CtxOpt = False,
    judge: JudgeOpt = False,
    judge_model: JudgeModelOpt = None,
    fmt: FormatOpt = None,
    price: PriceOpt = None,
    no_as_of: Annotated[bool, typer.Option("--no-as-of", help="ask without the cases' asked_on dates (as of today), "
                                           "to compare with the default")] = False,
) -> None:
    """Run a suite through ask() and report retrieval, answer, citation, refusal, cost and speed metrics."""
    from evals.summary import answerer_meta
    from evals.suite import SuiteError, load_suite
    from evals.suite import contexts_as_corpus as ctx_corpus
    from rag.errors import RagError

    if ctx.info_name == "squad":
        fmt = "squad"
    thresholds = _thresholds(fail_under, fail_over)
    kvals = _ks(ks)
    if baseline is not None and baseline not in BASELINE_NAMES:
        _fail(f"--baseline {baseline!r}: choose one of {', '.join(BASELINE_NAMES)}")
    rate = None
    if price:
        try:
            rate = tuple(float(x) for x in price.split(","))
            assert len(rate) == 2
        except (ValueError, AssertionError):
            _fail("--price takes IN,OUT dollars per million tokens, e.g. 0.15,0.6")
    try:
        suite = load_suite(suite_file, fmt=fmt)
    except SuiteError as exc:
        _fail(str(exc))
    for p in suite.problems:
        console.print(f"[yellow]skipped[/yellow] {suite.path}: {p}", highlight=False)
    if contexts_as_corpus:
        suite = ctx_corpus(suite)
    suite = suite.sample(sample, seed)
    if not suite.cases:
        _fail(f"{suite_file}: no usable questions")

    import os

    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = round(os.getloadavg()[0], 2)
    try:
        rag, store_info = _open_rag(suite, corpus, store, no_cache)
        the_judge = None
        if judge:
            if not rag.settings.use_llm() and not judge_model:
                _fail("--judge needs an LLM: set OPENAI_API_KEY or OPENAI_BASE_URL (and RAG_LLM_MODEL)")
            from evals.judge import Judge

            the_judge = Judge(judge_model or rag.settings.llm_model, settings=rag.settings)
        from evals.gold import counts as gold_counts
        from evals.gold import summary_lines
        from evals.run import gold_ids, run_suite

        golds, issues = gold_ids(rag, suite)
        gold_warnings = summary_lines(issues)
        for line in gold_warnings[:GOLD_SHOWN]:
            console.print(f"[yellow]warning[/yellow] {suite.path}: {line}", highlight=False)
        if len(gold_warnings) > GOLD_SHOWN:
            more = plural(len(gold_warnings) - GOLD_SHOWN, "more gold article warning")
            console.print(f"[yellow]warning[/yellow] {suite.path}: and {more}"
                          + (f" (all in {out_dir / 'summary.json'}, meta.gold_warnings)"
                             if out_dir else " (--out DIR keeps them all in summary.json)"),
                          highlight=False)
        with _progress("eval") as bar:
            task = bar.add_task("eval", total=len(suite.cases), last="")

            def tick(i: int, n: int, r: Any) -> None:
                status = "error" if r.error else ("refused" if r.refused else "answered")
                bar.update(task, completed=i, last=f"{status}: {r.question[:40]}")

            results = run_suite(rag, suite, ks=kvals, top_k=top_k, offline=offline, judge=the_judge, progress=tick,
                                use_as_of=not no_as_of, golds=golds if golds is not None else {})
        rows = [r.to_dict() for r in results]
        base = _run_baseline(rag, suite, kvals, top_k, baseline, golds) if baseline else None
        # the label is the answerer the run was configured with, not the first question's (which may
        # have fallen back to the offline answer); cost follows every LLM call
        who = answerer_meta(rows, rag.extractive.name if offline else rag.answerer_name, rag.extractive.name)
    except RagError as exc:
        from rag.cli.output import exit_code

        _fail(str(exc), exit_code(exc))  # 75 when another process writes to the store (README, Exit codes)
        return

    answerer = who["answerer"]
    summary = build_summary(
        suite, rows, kvals, thresholds, base,
        meta={"suite": suite.name, "suite_path": suite.path, "format": suite.format, "cases": len(suite.cases),
              "total_cases": suite.total, "sampled": bool(sample and sample < suite.total), "seed": seed,
              "skipped_rows": [str(p) for p in suite.problems], **who,
              "gold_warnings": gold_warnings, "gold_issues": dict(gold_counts(issues)),
              "top_k": top_k or rag.settings.top_k, "ks": list(kvals), "offline": offline, "as_of": not no_as_of,
              "judge": the_judge.model if the_judge else None, "started": started,
              "seconds": round(time.perf_counter() - t0, 1), "command": _command_line(),
              "load_avg": [load_start, round(os.getloadavg()[0], 2)], "cpus": os.cpu_count(),
              "corpus": list(corpus or []), "settings": settings_meta(rag)} | store_info,
        model=rag.settings.llm_model if answerer.startswith("llm:") and who["llm_calls"] else None, price=rate,
    )
    if out_dir:
        paths = write_run(out_dir, summary, rows, base)
        console.print(f"wrote {', '.join(str(p) for p in paths[:4])} and {plural(len(paths) - 4, 'plot')}",
                      highlight=False)
    _print_summary(summary)
    missed = [c for c in summary["thresholds"] if not c["ok"]]
    for c in missed:
        console.print(f"[red]threshold missed:[/red] {c['message']}", highlight=False)
    if missed:
        raise typer.Exit(1)


def settings_meta(rag: Any) -> dict[str, Any]:
    """The settings a run was made with, as in force: ``refuse_below`` is the threshold the offline
    answerer applied (the fitted default when RAG_REFUSE_BELOW is unset, not null), and
    ``refuse_below_default`` says whether it was that default."""
    s = rag.settings
    meta = {k: getattr(s, k) for k in ("chunk_tokens", "chunk_overlap", "top_k", "candidates", "per_article",
                                        "refuse_below", "max_answer_sentences", "llm_model")}
    in_force = getattr(getattr(rag, "extractive", None), "refuse_below", None)
    meta["refuse_below_default"] = s.refuse_below is None
    if in_force is not None:
        meta["refuse_below"] = in_force
    return meta


def _run_baseline(rag: Any, suite: Any, kvals: tuple[int, ...], top_k: int | None,
                  name: str = "llamaindex", golds: dict[str, frozenset[str]] | None = None) -> dict[str, Any]:
    from evals.baseline import BASELINES, run_baseline
    from evals.summary import summarise

    cls = BASELINES[name]
    console.print(f"building the {name} baseline index (same articles, same embedding model)...")
    bl = cls(rag.collection)
    with _progress(name) as bar:
        task = bar.add_task("baseline", total=len(suite.cases), last="")
        rows = run_baseline(bl, suite.cases, ks=kvals, progress=lambda i, n: bar.update(task, completed=i),
                            golds=golds)
    metrics, n = summarise(rows, kvals)
    keep = re.compile(r"^(hit@|mrr|recall@|answer_in_context@|context_tokens@|latency_retrieve_)")
    return {"name": cls.name, "description": cls.description, "nodes": bl.n_nodes, "build_seconds": bl.build_seconds,
            "top_k": top_k or rag.settings.top_k, "metrics": {k: v for k, v in metrics.items() if keep.match(k)},
            "n": {k: v for k, v in n.items() if keep.match(k)}, "rows": rows}


def build_summary(suite: Any, rows: list[dict[str, Any]], kvals: tuple[int, ...], thresholds: list[Any],
                  base: dict[str, Any] | None, *, meta: dict[str, Any], model: str | None = None,
                  price: tuple[float, float] | None = None) -> dict[str, Any]:
    from evals.report import TYPE_KEYS
    from evals.summary import breakdown, summarise

    metrics, n = summarise(rows, kvals, model=model, price=price)
    checks = []
    for t in thresholds:
        msg = t.check(metrics)
        checks.append({"metric": t.metric, "value": t.value, "under": t.under, "got": metrics.get(t.metric),
                       "ok": msg is None, "message": msg})
    meta["label"] = meta.get("answerer", "this run")
    summary = {"meta": meta, "metrics": metrics, "n": n, "thresholds": checks,
               "by_type": breakdown(rows, "type", kvals, TYPE_KEYS), "by_kind": breakdown(rows, "kind", kvals, TYPE_KEYS)}
    if base:
        summary["baseline"] = {k: v for k, v in base.items() if k != "rows"}
    return summary


def write_run(out_dir: Path, summary: dict[str, Any], rows: list[dict[str, Any]], base: dict[str, Any] | None) -> list[Path]:
    from evals.report import write_reports

    out_dir.mkdir(parents=True, exist_ok=True)
    res = out_dir / "results.jsonl"
    with res.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    paths = [res]
    if base:
        bpath = out_dir / "baseline.jsonl"
        with bpath.open("w", encoding="utf-8") as f:
            for r in base["rows"]:
                f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    sp = out_dir / "summary.json"
    sp.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    paths.append(sp)
    return paths + write_reports(out_dir, summary, rows)


def _print_summary(summary: dict[str, Any]) -> None:
    from evals.report import fallback_line, summary_table, uninformative_line

    header, rows = summary_table(summary)
    t = Table(title=f"eval: {summary['meta'].get('suite')} ({plural(summary['meta'].get('cases') or 0, 'question')})")
    for h in header[1:]:
        t.add_column(h, justify="left" if h == "metric" else "right", no_wrap=h == "metric")
    last = None
    for r in rows:
        stage = re.match(r"^latency_(\w+)_p\d+_ms$", r[1])
        if stage and ("_" in stage.group(1) or stage.group(1) == "rewrite"):
            continue  # sub-stages: in summary.json and the reports
        if last is not None and r[0] != last:
            t.add_section()
        last = r[0]
        t.add_row(*r[1:])
    out.print(t)
    if line := uninformative_line(summary):
        out.print(line, highlight=False)
    meta = summary["meta"]
    if meta.get("fallbacks"):
        out.print(fallback_line(meta), highlight=False)
    issues = meta.get("gold_issues") or {}
    if any(issues.values()):
        out.print(f"gold article references: {issues.get('unmatched', 0)} match no stored article, "
                  f"{issues.get('ambiguous', 0)} match several (see the warnings above)", highlight=False)


# --- compare ------------------------------------------------------------------------------------


def _load_run(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not path.exists():
        _fail(f"{path}: no such run directory; give the --out directory of a `rag eval` run")
    d = path if path.is_dir() else path.parent  # a run's summary.json or results.jsonl names its run too
    try:
        summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        _fail(f"{d}: not a finished eval run (summary.json: {exc}); run `rag eval ... --out {d}` first")
    rows = []
    res = d / "results.jsonl"
    if res.is_file():
        rows = [json.loads(line) for line in res.read_text(encoding="utf-8").splitlines() if line.strip()]
    return summary, rows


@eval_app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="the earlier run (an --out directory)")],
    run_b: Annotated[Path, typer.Argument(help="the later run")],
    out_file: Annotated[Path | None, typer.Option("--out", help="also write the comparison as Markdown")] = None,
    fail_on_regression: Annotated[bool, typer.Option(help="exit 1 when any question regressed")] = False,
    limit: Annotated[int, typer.Option(help="regressions/fixes to list")] = 20,
) -> None:
    """Metric deltas between two runs, and the questions that regressed or got fixed."""
    from evals.report import compare_markdown, delta_text, fmt
    from evals.summary import compare_runs

    sa, ra = _load_run(run_a)
    sb, rb = _load_run(run_b)
    cmp = compare_runs(sa, sb, ra, rb)
    suites = [(x.get("meta") or {}).get("suite") for x in (sa, sb)]
    if ra and rb and not cmp["common_questions"]:
        _fail(f"{run_a} and {run_b} have no question in common ({plural(len(ra), 'question')} and {len(rb)}, suites "
              f"{suites[0]} and {suites[1]}): compare two runs of the same suite")
    if suites[0] != suites[1]:
        console.print(f"[yellow]warning:[/yellow] the runs are of different suites ({suites[0]} and {suites[1]}); "
                      f"the metrics cover different questions, {cmp['common_questions']} in common", highlight=False)
    t = Table(title=f"{run_a} -> {run_b}")
    for h in ("metric", "a", "b", "delta", ""):
        t.add_column(h, justify="left" if h == "metric" else "right")
    colour = {"better": "green", "worse": "red", "same": "dim"}
    for d in cmp["deltas"]:
        if d["verdict"] == "same" and d["metric"].startswith("latency_"):
            continue
        t.add_row(d["metric"], fmt(d["metric"], d["a"]), fmt(d["metric"], d["b"]),
                  delta_text(d["metric"], d["a"], d["b"]),
                  f"[{colour[d['verdict']]}]{d['verdict']}[/]")
    out.print(t)
    out.print(f"{plural(cmp['common_questions'], 'question')} in both runs; "
              f"{plural(len(cmp['regressions']), 'regression')}, {plural(len(cmp['fixes']), 'fix', 'fixes')}",
              highlight=False)
    for r in cmp["regressions"][:limit]:
        out.print(f"  [red]regressed[/red] {r['id']}: {r['what']} — {r['question']}", highlight=False)
    for r in cmp["fixes"][:limit]:
        out.print(f"  [green]fixed[/green] {r['id']}: {r['what']} — {r['question']}", highlight=False)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(compare_markdown(cmp, str(run_a), str(run_b), limit), encoding="utf-8")
    if fail_on_regression and cmp["regressions"]:
        raise typer.Exit(1)


eval_app.command("run", help="Run a suite (also: `rag eval FILE`). See `rag eval --help`.")(evaluate)
eval_app.command("squad", help="Run a SQuAD JSON file: its articles become the corpus (same options as run).")(evaluate)


