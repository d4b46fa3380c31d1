"""Aggregate per-question results into a summary, check ``--fail-under`` thresholds, compare two runs.

Rows are the dicts of ``results.jsonl`` (``CaseResult.to_dict()``), so a summary can be rebuilt
from a finished run's files alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.metrics import mean, percentile

# $ per million tokens (input, output); --price-in/--price-out override. Prices change: check them.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}

# metrics where smaller is better (everything else: bigger is better)
_LOWER = re.compile(r"^(latency_|wrong_refusal|dangling|context_tokens|cost_|prompt_tokens|completion_tokens|"
                    r"errors|answer_sentences|answer_words|answer_leak)")


def lower_is_better(name: str) -> bool:
    return bool(_LOWER.match(name))


def _col(rows: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    return [r["metrics"][key] for r in rows if r.get("metrics", {}).get(key) is not None]


def summarise(rows: Sequence[Mapping[str, Any]], ks: Sequence[int], *, model: str | None = None,
              price: tuple[float, float] | None = None) -> tuple[dict[str, float | None], dict[str, int]]:
    """(metrics, how many questions each was computed over)."""
    ok = [r for r in rows if not r.get("error")]
    out: dict[str, float | None] = {}
    n: dict[str, int] = {}

    def put(name: str, values: list[float], value: float | None = None) -> None:
        out[name] = mean(values) if value is None else value
        n[name] = len(values)

    for k in ks:
        put(f"hit@{k}", _col(ok, f"hit@{k}"))
    put("mrr", _col(ok, "mrr"))
    for k in ks:
        put(f"recall@{k}", _col(ok, f"recall@{k}"))
    for k in ks:
        put(f"answer_in_context@{k}", _col(ok, f"answer_in_context@{k}"))
    for k in ks:
        put(f"context_tokens@{k}", _col(ok, f"context_tokens@{k}"))
    put("context_tokens", _col(ok, "context_tokens"))
    for key in ("exact_match", "f1", "containment", "answer_correct", "short_answer_present", "short_answer_correct",
                "short_answer_correct_all", "short_answer_precision"):
        put(key, _col(ok, key))
    sentences = _col(ok, "answer_sentences")
    put("answer_sentences", sentences)
    put("answer_sentences_max", sentences, float(max(sentences)) if sentences else None)
    put("answer_words", _col(ok, "answer_words"))

    cited, supported = _col(ok, "citations"), _col(ok, "citations_supported")
    put("citation_precision", cited, sum(supported) / sum(cited) if sum(cited) else None)
    put("citation_recall", _col(ok, "citation_recall"))
    gold_cited = [r["metrics"] for r in ok if r.get("metrics", {}).get("citations_gold_article") is not None]
    n_cited = sum(x["citations"] for x in gold_cited)
    put("citation_article_precision", [float(x["citations"]) for x in gold_cited],
        sum(x["citations_gold_article"] for x in gold_cited) / n_cited if n_cited else None)
    dangling = _col(ok, "dangling_citations")
    put("dangling_citations", dangling, float(sum(dangling)) if dangling else None)
    put("correct_refusal_rate", _col(ok, "correct_refusal"))
    put("wrong_refusal_rate", _col(ok, "wrong_refusal"))
    leaks = _col(ok, "answer_leak")
    if leaks:
        put("answer_leak_rate", leaks)

    stages: list[str] = []
    for r in ok:
        stages += [s for s in r.get("timings_ms", {}) if s not in stages]
    for stage in sorted(stages, key=lambda s: (s != "total", s)):
        vals = [r["timings_ms"][stage] for r in ok if stage in r.get("timings_ms", {})]
        put(f"latency_{stage}_p50_ms", vals, percentile(vals, 50))
        put(f"latency_{stage}_p95_ms", vals, percentile(vals, 95))

    used = [r for r in ok if r.get("usage")]
    if any("prompt_tokens" in r["usage"] or "prompt_tokens_tiktoken" in r["usage"] for r in used):
        p_tok = [float(r["usage"].get("prompt_tokens_tiktoken", r["usage"].get("prompt_tokens", 0))) for r in used]
        # the reply's tokens as usage has them (the server's count, or rag.llm's tiktoken count of the raw
        # reply); a "completion_tokens_tiktoken" of an older results.jsonl counted the shown answer instead
        c_tok = [float(r["usage"].get("completion_tokens", r["usage"].get("completion_tokens_tiktoken", 0)))
                 for r in used]
        put("prompt_tokens", p_tok)
        put("completion_tokens", c_tok)
        rate = price or PRICES.get((model or "").split(":", 1)[-1])
        if rate:
            # bill what the server reported when it did, else the tiktoken count
            billed_p = [float(r["usage"].get("prompt_tokens", r["usage"].get("prompt_tokens_tiktoken", 0))) for r in used]
            billed_c = [float(r["usage"].get("completion_tokens", r["usage"].get("completion_tokens_tiktoken", 0)))
                        for r in used]
            total = (sum(billed_p) * rate[0] + sum(billed_c) * rate[1]) / 1e6
            put("cost_usd_total", p_tok, total)
            put("cost_usd_per_question", p_tok, total / len(used))

    for key in ("judge_faithfulness", "judge_correctness"):
        vals = _col(ok, key)
        if vals:
            put(key, vals)
    put("errors", [0.0] * len(rows), float(len(rows) - len(ok)))  # a count over every question
    return out, n


def answerer_meta(rows: Sequence[Mapping[str, Any]], configured: str, offline_name: str) -> dict[str, Any]:
    """The run's answerer label and how the LLM fared, from every row rather than the first one.

    ``answerer``: the ``configured`` one (``RAG.answerer_name``), or an LLM's name when some answer
    came from one; ``llm_calls``: questions whose answer carries LLM usage (the model was called);
    ``fallbacks``: questions of an LLM run answered by the offline answerer (the LLM failed, verification
    withheld its reply, there were no passages to send it, or a catch-up question was answered from the
    newest stories). A run's cost and token counts cover every LLM call, whichever answerer's text was
    shown in the end."""
    ok = [r for r in rows if not r.get("error")]
    llm_names = [r["answerer"] for r in ok if r.get("answerer") not in (None, offline_name)]
    calls = sum(1 for r in ok if r.get("usage"))
    label = configured
    if label == offline_name and llm_names:
        label = llm_names[0]
    generative = label != offline_name
    return {"answerer": label, "llm_calls": calls,
            "fallbacks": sum(1 for r in ok if r.get("answerer") == offline_name) if generative else 0}


def breakdown(rows: Sequence[Mapping[str, Any]], field: str, ks: Sequence[int],
              keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The chosen metrics per value of ``field`` (``type`` or ``kind``), with the count of questions."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[str(r.get(field))].append(r)
    out = {}
    for name, group in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        metrics, _ = summarise(group, ks)
        out[name] = {"n": len(group)} | {k: metrics.get(k) for k in keys}
    return out


# --- thresholds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float
    under: bool  # True: fail when metric < value (--fail-under); False: fail when metric > value

    def check(self, metrics: Mapping[str, float | None]) -> str | None:
        """None when met, else a line saying what missed."""
        got = metrics.get(self.metric)
        if got is None:
            return f"{self.metric}: not measured in this run (threshold {self.value})"
        if (got < self.value) if self.under else (got > self.value):
            rel = "<" if self.under else ">"
            return f"{self.metric} = {got:.4g} {rel} {self.value:g}"
        return None


def parse_threshold(spec: str, *, under: bool = True) -> Threshold:
    """``hit@5=0.9`` -> Threshold; raises ValueError with the expected form."""
    name, sep, value = spec.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"threshold {spec!r}: write METRIC=VALUE, e.g. hit@5=0.9")
    try:
        return Threshold(name.strip(), float(value), under)
    except ValueError:
        raise ValueError(f"threshold {spec!r}: {value!r} is not a number") from None


def check_thresholds(thresholds: Iterable[Threshold], metrics: Mapping[str, float | None]) -> list[str]:
    return [msg for t in thresholds if (msg := t.check(metrics))]


# --- compare ------------------------------------------------------------------------------------

SAME = 1e-9  # two values closer than this are equal (float noise of a mean)

# per-question changes worth a reviewer's eye: (metric, label)
_REGRESSIONS = (
    ("hit@5", "gold article fell out of the top 5"),
    ("containment", "answer no longer contains the gold answer"),
    ("answer_in_context@5", "gold answer no longer in the top-5 passages"),
    ("correct_refusal", "stopped refusing an unanswerable question"),
    ("citation_precision", "citations support the answer less"),
)


def compare_runs(a: Mapping[str, Any], b: Mapping[str, Any], rows_a: Sequence[Mapping[str, Any]],
                 rows_b: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Metric deltas (b - a) and the per-question regressions and fixes from run a to run b.

    A metric's verdict is "same" unless the two values differ beyond what the reports show (a change
    that rounds away, such as 55.54 -> 55.47 words, both shown 55.5, is none), and for a latency
    beyond 10%; the per-question regressions (``--fail-on-regression``) need a real change too."""
    from evals.report import shown_same  # the reports' rounding (evals.report imports this module)

    ma, mb = a.get("metrics", {}), b.get("metrics", {})
    deltas = []
    for k in [k for k in ma if k in mb]:
        va, vb = ma[k], mb[k]
        if va is None or vb is None:
            continue
        d = vb - va
        better = (d < 0) if lower_is_better(k) else (d > 0)
        # wall-clock varies run to run: a latency within 10% is called the same
        same = (abs(d) < SAME or shown_same(k, va, vb)
                or (k.startswith("latency_") and abs(d) <= 0.1 * abs(va)))
        deltas.append({"metric": k, "a": va, "b": vb, "delta": d,
                       "verdict": "same" if same else ("better" if better else "worse")})
    by_id = {r["id"]: r for r in rows_a}
    regressions, fixes = [], []
    common = 0
    for rb in rows_b:
        ra = by_id.get(rb["id"])
        if ra is None:
            continue
        common += 1
        for key, label in (*_REGRESSIONS, ("wrong_refusal", "answerable question refused")):
            va, vb = ra.get("metrics", {}).get(key), rb.get("metrics", {}).get(key)
            if va is None or vb is None or abs(vb - va) < SAME:
                continue
            worse = vb > va if key == "wrong_refusal" else vb < va
            item = {"id": rb["id"], "question": rb["question"], "metric": key, "a": va, "b": vb,
                    "what": label if worse else f"fixed: {key} {va:g} -> {vb:g}",
                    "answer_a": ra.get("answer", ""), "answer_b": rb.get("answer", "")}
            (regressions if worse else fixes).append(item)
    return {"deltas": deltas, "regressions": regressions, "fixes": fixes, "common_questions": common,
            "only_a": len(by_id) - common, "only_b": len(rows_b) - common}
