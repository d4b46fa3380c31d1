"""report.md and report.html for a run: summary table, per-type breakdown, worst questions, plots.

Plots are PNGs drawn with matplotlib's Agg backend (no display needed) into ``<out>/plots/``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.summary import lower_is_better

log = logging.getLogger(__name__)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("Retrieval", r"^(hit@|mrr|recall@|answer_in_context@|context_tokens)"),
    ("Answers", r"^(exact_match|f1|containment|answer_correct|short_answer_|answer_sentences|answer_words)"),
    ("Citations", r"^(citation_|dangling)"),
    ("Refusals", r"^(correct_refusal|wrong_refusal|answer_leak)"),
    ("Cost and speed", r"^(latency_|prompt_tokens|completion_tokens|cost_)"),
    ("Judged by an LLM", r"^judge_"),
    ("Run", r"^errors$"),
    ("Other", r""),  # a metric no section names is still shown
)
# Metrics that cannot inform for an answerer (the run's ``meta.answerer``), and why: kept in
# results and summary.json, but shown apart in the reports, under NOT_INFORMATIVE
UNINFORMATIVE: dict[str, dict[str, str]] = {
    "extractive": {
        "exact_match": "0 by construction: the offline answer is a quoted sentence, never the bare short answer",
        "citation_recall": "1 by construction: the offline answer is its quotes, so a right one quotes the gold answer",
        "citation_precision": "close to 1 by construction: each sentence is quoted verbatim from the passage it cites",
    },
}
NOT_INFORMATIVE = "Not informative for this answerer"
LISTED = 20  # skipped rows and gold article warnings listed in the report before "and N more"
TYPE_KEYS = ("hit@5", "answer_in_context@5", "containment", "f1", "citation_precision", "correct_refusal_rate",
             "wrong_refusal_rate", "latency_total_p50_ms")
WORST = 20


def fmt(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if name.startswith(("latency_",)):
        return f"{value:.1f}"
    if name.startswith(("context_tokens", "prompt_tokens", "completion_tokens", "answer_words")) \
            or name in ("dangling_citations", "errors", "n", "answer_sentences_max"):
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.1f}"
    if name.startswith("cost_"):
        return f"${value:.4f}"
    return f"{value:.3f}"


def uninformative(summary: Mapping[str, Any]) -> dict[str, str]:
    """The run's metrics that cannot inform for the answerer that produced it, with the reason."""
    why = UNINFORMATIVE.get(str((summary.get("meta") or {}).get("answerer")), {})
    return {k: v for k, v in why.items() if k in summary.get("metrics", {})}


def uninformative_line(summary: Mapping[str, Any]) -> str:
    """One sentence naming them, for under the summary table ("" when there are none)."""
    why = uninformative(summary)
    if not why:
        return ""
    answerer = summary["meta"].get("answerer")
    return (f"Not informative for the {answerer} answerer (kept in summary.json and results.jsonl, shown last): "
            + "; ".join(f"{k} ({v})" for k, v in why.items()) + ".")


def _shown_zero(name: str, value: float) -> bool:
    return float(fmt(name, abs(value)).lstrip("$").replace(",", "")) == 0


def shown_same(name: str, a: float, b: float) -> bool:
    """Two values of metric ``name`` the reports cannot tell apart: they read the same as shown
    (``fmt``: 55.54 and 55.47 words both read 55.5), or their difference reads as zero."""
    return fmt(name, a) == fmt(name, b) or _shown_zero(name, b - a)


def delta_text(name: str, a: float, b: float) -> str:
    """The change from ``a`` to ``b`` as shown: signed, and a plain zero (never "-0.0", nor "-0.1"
    between two values both shown 55.5) when the values cannot be told apart (``shown_same``)."""
    if shown_same(name, a, b):
        return fmt(name, 0.0).replace("$", "")
    return ("+" if b > a else "-") + fmt(name, abs(b - a)).replace("$", "")


def _section_rows(summary: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    import re

    metrics = summary["metrics"]
    out: list[tuple[str, list[str]]] = []
    apart = [k for k in metrics if k in uninformative(summary)]
    taken: set[str] = set(apart)
    for title, pattern in SECTIONS:
        names = [k for k in metrics if re.match(pattern, k) and k not in taken]
        taken.update(names)
        if names:
            out.append((title, names))
    if apart:
        out.append((NOT_INFORMATIVE, apart))
    return out


def summary_table(summary: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, value, n, then the baseline and the thresholds when there are any."""
    base = (summary.get("baseline") or {}).get("metrics") or {}
    checks = {c["metric"]: c for c in summary.get("thresholds", [])}
    header = ["section", "metric", summary["meta"].get("label", "this run"), "n"]
    if base:
        header.append(summary["baseline"]["name"] + " (retrieval only)")
    if checks:
        header.append("threshold")
    rows = []
    for title, names in _section_rows(summary):
        for k in names:
            row = [title, k, fmt(k, summary["metrics"][k]), str(summary["n"].get(k, ""))]
            if base:
                row.append(fmt(k, base.get(k)))
            if checks:
                c = checks.get(k)
                row.append("" if c is None else f"{'≥' if c['under'] else '≤'} {c['value']:g} "
                           f"{'ok' if c['ok'] else 'MISSED'}")
            rows.append(row)
    return header, rows


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(s: str) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def breakdown_table(groups: Mapping[str, Mapping[str, Any]], label: str) -> tuple[list[str], list[list[str]]]:
    header = [label, "n", *TYPE_KEYS]
    rows = [[name, str(g["n"]), *(fmt(k, g.get(k)) for k in TYPE_KEYS)] for name, g in groups.items()]
    return header, rows


def badness(r: Mapping[str, Any]) -> float:
    """How badly a question went: wrong or missing answer, a wrong bold short answer (what a reader
    takes away: ``answer_correct``), gold not retrieved, bad citations, an unanswerable question
    answered (worse with a bold answer: a confident invention)."""
    if r.get("error"):
        return 10.0
    mt = r.get("metrics", {})
    score = 0.0
    if r.get("type") == "unanswerable":
        answered = 1 - mt.get("correct_refusal", 1.0)
        score += 2.0 * answered
        if answered and r.get("short_answer"):
            score += 1.0
    else:
        acc = mt.get("containment", mt.get("f1"))
        if acc is not None:
            score += 2.0 * (1 - acc)
        if mt.get("answer_correct") is not None:  # 0 also when the sentences hold the answer but the bold one is wrong
            score += 1.0 * (1 - mt["answer_correct"])
        if mt.get("short_answer_precision") is not None:  # present only when a short answer was shown
            score += 2.0 * (1 - mt["short_answer_precision"])
        score += 1.0 * (1 - mt.get("hit@5", 1.0))
        score += 0.5 * (1 - mt.get("answer_in_context@5", 1.0))
        score += 1.0 * mt.get("wrong_refusal", 0.0)
    if mt.get("citation_precision") is not None:
        score += 1.0 * (1 - mt["citation_precision"])
    return score


def worst(rows: Sequence[Mapping[str, Any]], n: int = WORST) -> list[Mapping[str, Any]]:
    ranked = sorted(rows, key=lambda r: (-badness(r), -(r.get("metrics", {}).get("gold_rank") or 99)))
    return [r for r in ranked if badness(r) > 0][:n]


# --- plots --------------------------------------------------------------------------------------


def plots(out: Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[Path]:
    """hit@k / answer-in-context@k / recall@k curves, a latency histogram, per-kind bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pdir = out / "plots"
    pdir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    ks = summary["meta"]["ks"]
    mt = summary["metrics"]
    base = (summary.get("baseline") or {}).get("metrics") or {}

    fig, ax = plt.subplots(figsize=(6, 4))
    for prefix, label, color in (("hit@", "hit@k (article)", "C0"), ("answer_in_context@", "answer in context@k", "C1"),
                                 ("recall@", "recall@k (gold contexts)", "C2")):
        ys = [mt.get(f"{prefix}{k}") for k in ks]
        if any(y is not None for y in ys):
            ax.plot(ks, ys, marker="o", color=color, label=label)
        bys = [base.get(f"{prefix}{k}") for k in ks]
        if base and any(y is not None for y in bys):
            ax.plot(ks, bys, marker="x", linestyle="--", color=color, label=f"{label}, {summary['baseline']['name']}")
    ax.set_xlabel("k (passages)")
    ax.set_ylabel("share of questions")
    ax.set_xticks(list(ks))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Retrieval at k")
    fig.tight_layout()
    made.append(pdir / "retrieval_at_k.png")
    fig.savefig(made[-1], dpi=110)
    plt.close(fig)

    totals = [r["timings_ms"]["total"] for r in rows if r.get("timings_ms", {}).get("total") is not None]
    if totals:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.hist(totals, bins=min(40, max(5, len(totals) // 5)), color="C0", alpha=0.8)
        for q, style in ((50, "-"), (95, "--")):
            v = mt.get(f"latency_total_p{q}_ms")
            if v is not None:
                ax.axvline(v, color="k", linestyle=style, label=f"p{q} {v:.0f} ms")
        ax.set_xlabel("ask() latency, ms")
        ax.set_ylabel("questions")
        ax.legend()
        ax.set_title("Latency per question")
        fig.tight_layout()
        made.append(pdir / "latency.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)

    kinds = summary.get("by_kind") or {}
    if kinds:
        names = list(kinds)
        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.38
        xs = range(len(names))
        for i, (key, label) in enumerate((("hit@5", "hit@5"), ("containment", "containment"))):
            vals = [kinds[nm].get(key) or 0 for nm in names]
            ax.bar([x + (i - 0.5) * width for x in xs], vals, width, label=label)
        ax.set_xticks(list(xs))
        ax.set_xticklabels([f"{nm}\n(n={kinds[nm]['n']})" for nm in names], fontsize=8)
        ax.set_ylim(0, 1.18)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.legend(loc="upper center", ncol=2)
        ax.set_title("By question word")
        fig.tight_layout()
        made.append(pdir / "by_kind.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)
    return made


# --- documents ----------------------------------------------------------------------------------


def fallback_line(meta: Mapping[str, Any]) -> str:
    """How many answers of an LLM run the offline answerer gave instead (``evals.summary.answerer_meta``)."""
    return (f"{meta.get('fallbacks')} of {meta.get('cases')} answers came from the offline answerer instead of "
            f"{meta.get('answerer')} (the LLM failed or its answer was withheld; or nothing was retrieved, or "
            f"a catch-up question); the LLM was called for {meta.get('llm_calls', 0)} questions")


def _meta_lines(summary: Mapping[str, Any]) -> list[str]:
    meta = summary["meta"]
    lines = [
        f"suite: {meta.get('suite')} ({meta.get('format')}, {meta.get('cases')} questions"
        + (f" sampled from {meta.get('total_cases')} with seed {meta.get('seed')}" if meta.get("sampled") else "") + ")",
        f"command: `{meta.get('command')}`" if meta.get("command") else "",
        f"answerer: {meta.get('answerer')}; embedder: {meta.get('embedder')}; top_k: {meta.get('top_k')}; "
        f"store: {meta.get('articles')} articles, {meta.get('chunks')} chunks",
        f"started {meta.get('started')}, took {meta.get('seconds')} s; machine: {meta.get('cpus')} CPUs, "
        f"load average {meta.get('load_avg')} (start, end): latencies are wall-clock on this machine",
    ]
    if meta.get("judge"):
        lines.append(f"judged metrics: scored by the LLM `{meta['judge']}` (not by exact rules)")
    if meta.get("fallbacks"):
        lines.append(fallback_line(meta) + ", and tokens and cost count every call")
    for key, what in (("skipped_rows", "skipped {n} malformed rows"),
                      ("gold_warnings", "{n} gold article references match no stored article or several")):
        items = meta.get(key) or []
        if items:
            more = f"; and {len(items) - LISTED} more (all in summary.json, meta.{key})" if len(items) > LISTED else ""
            lines.append(what.format(n=len(items)) + ": " + "; ".join(items[:LISTED]) + more)
    if summary.get("baseline"):
        b = summary["baseline"]
        lines.append(f"baseline: {b['name']} — {b.get('description', '')} "
                     "It has no offline answerer, so only its retrieval metrics are reported.")
    return [x for x in lines if x]


def _passage_line(p: Mapping[str, Any], golds: Sequence[str]) -> str:
    mark = "GOLD " if p.get("gold") else ""
    text = " ".join((p.get("text") or "").split())
    return f"{mark}#{p['rank']} score {p['score']:.4f} — {p['title']}: {text[:400]}{'…' if len(text) > 400 else ''}"


def write_markdown(out: Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], images: Sequence[Path]) -> Path:
    parts = [f"# Eval report: {summary['meta'].get('suite')}", ""]
    parts += [f"- {x}" for x in _meta_lines(summary)]
    parts += ["", "## Summary", "", md_table(*summary_table(summary)), ""]
    if uninformative(summary):
        parts += [uninformative_line(summary), ""]
    if summary.get("thresholds"):
        missed = [c for c in summary["thresholds"] if not c["ok"]]
        parts += [f"Thresholds: {len(summary['thresholds']) - len(missed)} met, {len(missed)} missed.", ""]
    parts += ["## By type", "", md_table(*breakdown_table(summary.get("by_type", {}), "type")), ""]
    parts += ["## By question word", "", md_table(*breakdown_table(summary.get("by_kind", {}), "kind")), ""]
    if images:
        parts += ["## Plots", ""] + [f"![{p.stem}](plots/{p.name})" for p in images] + [""]
    parts += [f"## Worst questions (up to {WORST})", ""]
    for r in worst(rows):
        mt = r.get("metrics", {})
        parts += [f"### {r['id']} ({r['type']}, {r['kind']}): {r['question']}", ""]
        parts += [f"- gold answers: {', '.join(r['gold']['answers']) or '(none)'}; gold articles: "
                  f"{', '.join(r['gold']['articles']) or '(none)'}",
                  f"- answer{' (refused)' if r['refused'] else ''}: {r['answer'] or r.get('error') or ''}",
                  f"- short answer (bold): {r.get('short_answer') or '(none)'}",
                  f"- gold rank: {mt.get('gold_rank')}; containment: {fmt('c', mt.get('containment'))}; "
                  f"answer correct: {fmt('c', mt.get('answer_correct'))}; "
                  f"citation precision: {fmt('c', mt.get('citation_precision'))}"]
        for c in r.get("citations", []):
            parts.append(f"- cites [{c['n']}]{'' if c['supports'] else ' (does not support)'}: “{c['quote'][:300]}”")
        parts.append("- retrieved:")
        parts += [f"  - {_passage_line(p, r['gold']['answers'])}" for p in r.get("retrieved", []) if p.get("text")]
        parts.append("")
    path = out / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td:nth-child(2){text-align:left}th{background:#f3f3f3}.miss{color:#b00;font-weight:bold}
.q{border-left:4px solid #c33;padding:.3em 1em;margin:1.2em 0;background:#fafafa}.gold{background:#eaf7ea}
.p{font-size:13px;margin:.3em 0}.bad{color:#b00}img{max-width:100%;margin:.5em 0;border:1px solid #eee}"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    e = html.escape
    body = "".join(
        "<tr>" + "".join(f"<td{' class=miss' if 'MISSED' in str(c) else ''}>{e(str(c))}</td>" for c in r) + "</tr>"
        for r in rows)
    return "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + f"</tr>{body}</table>"


def write_html(out: Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], images: Sequence[Path]) -> Path:
    e = html.escape
    parts = [f"<!doctype html><meta charset=utf-8><title>Eval report: {e(str(summary['meta'].get('suite')))}</title>",
             f"<style>{_CSS}</style>", f"<h1>Eval report: {e(str(summary['meta'].get('suite')))}</h1><ul>"]
    parts += [f"<li>{e(x)}</li>" for x in _meta_lines(summary)]
    parts += ["</ul><h2>Summary</h2>", _html_table(*summary_table(summary))]
    if uninformative(summary):
        parts.append(f"<p>{e(uninformative_line(summary))}</p>")
    parts += ["<h2>By type</h2>", _html_table(*breakdown_table(summary.get("by_type", {}), "type"))]
    parts += ["<h2>By question word</h2>", _html_table(*breakdown_table(summary.get("by_kind", {}), "kind"))]
    if images:
        parts += ["<h2>Plots</h2>"] + [f'<img src="plots/{e(p.name)}" alt="{e(p.stem)}">' for p in images]
    parts.append(f"<h2>Worst questions (up to {WORST})</h2>")
    for r in worst(rows):
        mt = r.get("metrics", {})
        parts.append(f"<div class=q><b>{e(r['id'])}</b> ({e(r['type'])}, {e(r['kind'])}): {e(r['question'])}<br>")
        parts.append(f"gold: {e(', '.join(r['gold']['answers']) or '(none)')} — articles: "
                     f"{e(', '.join(r['gold']['articles']) or '(none)')}<br>")
        parts.append(f"answer{' <span class=bad>(refused)</span>' if r['refused'] else ''}: "
                     f"{e(r['answer'] or r.get('error') or '')}<br>")
        parts.append(f"short answer (bold): {e(r.get('short_answer') or '(none)')}<br>")
        parts.append(f"gold rank {mt.get('gold_rank')}, containment {fmt('c', mt.get('containment'))}, "
                     f"answer correct {fmt('c', mt.get('answer_correct'))}, "
                     f"citation precision {fmt('c', mt.get('citation_precision'))}")
        for c in r.get("citations", []):
            cls = "" if c["supports"] else " class=bad"
            parts.append(f"<div class=p{cls}>cites [{c['n']}]: “{e(c['quote'][:300])}”</div>")
        for p in r.get("retrieved", []):
            if p.get("text"):
                parts.append(f"<div class='p{' gold' if p.get('gold') else ''}'>{e(_passage_line(p, r['gold']['answers']))}</div>")
        parts.append("</div>")
    path = out / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write_reports(out: Path, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[Path]:
    try:
        images = plots(out, summary, rows)
    except Exception as exc:  # noqa: BLE001 - a plotting failure must not lose the run
        log.warning("plots failed: %s", exc)
        images = []
    return [write_markdown(out, summary, rows, images), write_html(out, summary, rows, images), *images]


def compare_markdown(cmp: Mapping[str, Any], a: str, b: str, limit: int = 50) -> str:
    rows = [[d["metric"], fmt(d["metric"], d["a"]), fmt(d["metric"], d["b"]), delta_text(d["metric"], d["a"], d["b"]),
             d["verdict"]] for d in cmp["deltas"]]
    parts = [f"# Compare: {a} -> {b}", "",
             f"{cmp['common_questions']} questions in both; {cmp['only_a']} only in a, {cmp['only_b']} only in b. "
             f"{len(cmp['regressions'])} per-question regressions, {len(cmp['fixes'])} fixes.", "",
             md_table(["metric", "a", "b", "delta", "verdict"], rows), "", "## Regressions", ""]
    parts += [f"- {r['id']}: {r['what']} ({r['metric']} {r['a']:g} -> {r['b']:g}): {r['question']}"
              for r in cmp["regressions"][:limit]] or ["(none)"]
    parts += ["", "## Fixes", ""]
    parts += [f"- {r['id']}: {r['what']}: {r['question']}" for r in cmp["fixes"][:limit]] or ["(none)"]
    return "\n".join(parts) + "\n"


__all__ = ["write_reports", "compare_markdown", "delta_text", "fallback_line", "fmt", "lower_is_better",
           "shown_same", "uninformative", "uninformative_line"]
