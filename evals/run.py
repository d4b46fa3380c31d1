"""Run a suite through ``RAG.ask`` (the code path the UI and CLI use) and score every question.

>>> from rag.api import RAG                               # doctest: +SKIP
>>> from evals.suite import load_suite                    # doctest: +SKIP
>>> rows = run_suite(RAG(), load_suite("seeds/suite.jsonl"), offline=True)   # doctest: +SKIP
>>> rows[0].metrics["hit@5"], rows[0].metrics["containment"]                 # doctest: +SKIP
(1.0, 1.0)

Retrieval metrics for k beyond the ``top_k`` passages the answerer saw come from one more,
deeper ``retrieve`` call for the same query; the first ``top_k`` ranks are always the passages
``ask`` returned, so hit@5 is exactly what the user's answer was built from.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from evals import metrics as m
from evals.suite import Case, Suite

log = logging.getLogger(__name__)

KS = (1, 3, 5, 10)
SHORT_ANSWER_KINDS = ("who", "when", "where", "how many")  # the question words a short answer must serve


@dataclass(frozen=True)
class CaseResult:
    """One line of ``results.jsonl``."""

    id: str
    type: str
    kind: str  # question word: who, when, how many, ...
    question: str
    gold: dict[str, Any]
    answer: str
    refused: bool
    answerer: str
    citations: list[dict[str, Any]]
    retrieved: list[dict[str, Any]]  # ranked passages; text only for those the answerer saw
    metrics: dict[str, Any]
    timings_ms: dict[str, float]
    usage: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    judge: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_KINDS = (
    ("how many", r"\bhow (many|much)\b|\bwhat (percentage|number|amount)\b"),
    ("when", r"\bwhen\b|\bwhat (year|date|day|month|time|century|decade)\b|\bwhich (year|day|month|century)\b"),
    ("who", r"\bwho(m|se)?\b"),
    ("where", r"\bwhere\b"),
    ("why", r"\bwhy\b"),
    ("how", r"\bhow\b"),
    ("which", r"\bwhich\b"),
    ("what", r"\bwhat\b"),
)


def question_kind(question: str) -> str:
    """The question word, for the per-kind breakdown (``how many`` before ``how``, ``when`` before ``what``)."""
    q = question.lower()
    for name, pattern in _KINDS:
        if re.search(pattern, q):
            return name
    return "other"


class _TokenCounter:
    def __init__(self) -> None:
        from index.tokens import get_encoding

        self.enc = get_encoding()
        self.cache: dict[str, int] = {}

    def __call__(self, key: str, text: str) -> int:
        if key not in self.cache:
            self.cache[key] = len(self.enc.encode(text, disallowed_special=()))
        return self.cache[key]

    def count(self, text: str) -> int:
        return len(self.enc.encode(text, disallowed_special=()))


class _LastQueryMemo:
    """Wraps the collection's embedder so the untimed deeper ``retrieve`` reuses the query vector
    ``ask`` just computed; cleared before every ``ask`` so its own embedding is always measured."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last: tuple[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def clear(self) -> None:
        self.last = None

    def __call__(self, texts: Sequence[str]) -> Any:
        if len(texts) == 1 and self.last is not None and self.last[0] == texts[0]:
            return self.last[1]
        vecs = self.inner(texts)
        if len(texts) == 1:
            self.last = (texts[0], vecs)
        return vecs


def evaluate_case(
    rag: Any, case: Case, *, ks: Sequence[int] = KS, top_k: int | None = None, offline: bool = False,
    tokens: _TokenCounter | None = None, judge: Any | None = None,
) -> CaseResult:
    """Ask ``case.question`` and compute its per-question metrics (see ``evals.metrics``)."""
    from rag.retrieve import retrieve

    tokens = tokens or _TokenCounter()
    kind = question_kind(case.question)
    gold = {"answers": list(case.answers), "articles": list(case.articles), "contexts": list(case.contexts)}
    memo = getattr(getattr(rag, "collection", None), "embedder", None)
    try:
        if isinstance(memo, _LastQueryMemo):
            memo.clear()
        answer = rag.ask(case.question, top_k=top_k, offline=offline)
        ranked = list(answer.passages)
        max_k = max(ks)
        if max_k > len(ranked) and len(ranked) >= (top_k or rag.settings.top_k):
            deeper = retrieve(rag.collection, answer.search_query or case.question, top_k=max_k).passages
            seen = {p.chunk_id for p in ranked}
            ranked += [p for p in deeper if p.chunk_id not in seen]
        ranked = ranked[:max_k]
    except Exception as exc:  # noqa: BLE001 - one failing question is a result, not the end of the run
        log.warning("case %s failed: %s", case.id, exc)
        return CaseResult(case.id, case.type, kind, case.question, gold, "", True, "error", [], [],
                          {}, {}, error=f"{type(exc).__name__}: {exc}")

    shown = len(answer.passages)
    retrieved = []
    for rank, p in enumerate(ranked, start=1):
        row = {"rank": rank, "n": p.n if rank <= shown else None, "article_id": p.article_id, "source": p.source,
               "title": p.title, "chunk_id": p.chunk_id, "score": p.score,
               "gold": any(m.matches_article(g, p.article_id, p.source) for g in case.articles),
               "tokens": tokens(p.chunk_id, p.text)}
        if rank <= shown:
            row["text"] = p.text
        retrieved.append(row)

    support = m.citation_support(answer.text, [(c.n, c.quote) for c in answer.citations],
                                 case.answers if case.short_answers else ())
    citations = [
        {"n": c.n, "article_id": c.article_id, "title": c.title, "source": c.source, "quote": c.quote,
         "start": c.start, "end": c.end, "supports": ok,
         "gold": any(m.matches_article(g, c.article_id, c.source) for g in case.articles)}
        for c, ok in zip(answer.citations, support, strict=True)
    ]
    metrics = score_case(case, answer, ranked, citations, retrieved, ks)
    usage = dict(answer.usage)
    if answer.messages:
        usage["prompt_tokens_tiktoken"] = sum(tokens.count(x["content"]) + 4 for x in answer.messages) + 3
        usage["completion_tokens_tiktoken"] = tokens.count(answer.text)
    result = CaseResult(
        id=case.id, type=case.type, kind=kind, question=case.question, gold=gold, answer=answer.text,
        refused=answer.refused, answerer=answer.answerer, citations=citations, retrieved=retrieved,
        metrics=metrics, timings_ms=dict(answer.timings_ms), usage=usage, notices=list(answer.notices),
    )
    if judge is not None:
        result = judge.score(result)
    return result


def score_case(case: Case, answer: Any, ranked: Sequence[Any], citations: list[dict[str, Any]],
               retrieved: list[dict[str, Any]], ks: Sequence[int]) -> dict[str, Any]:
    """Per-question numbers; ``None`` where a metric does not apply to this case."""
    out: dict[str, Any] = {}
    texts = [p.text for p in ranked]
    if case.articles:
        rank = m.hit_rank([(p.article_id, p.source) for p in ranked], case.articles)
        out["gold_rank"] = rank
        out["mrr"] = m.reciprocal_rank(rank)
        for k in ks:
            out[f"hit@{k}"] = m.hit_at(rank, k)
    for k in ks:
        if case.contexts:
            out[f"recall@{k}"] = m.context_recall(texts, case.contexts, k)
        if case.short_answers:
            out[f"answer_in_context@{k}"] = m.answer_in_context(texts, case.answers, k)
        out[f"context_tokens@{k}"] = sum(r["tokens"] for r in retrieved[:k])
    out["context_tokens"] = sum(r["tokens"] for r in retrieved[: len(answer.passages)])

    text = "" if answer.refused else answer.text
    if case.answerable and case.answers:
        out["f1"] = m.token_f1(text, case.answers)
        if case.short_answers:
            out["exact_match"] = m.exact_match(text, case.answers)
            out["containment"] = m.contains_answer(text, case.answers)
    if case.short_answers and question_kind(case.question) in SHORT_ANSWER_KINDS:
        short = None if answer.refused else getattr(answer, "short_answer", None)
        out["short_answer_present"] = float(bool(short))
        out["short_answer_correct"] = m.contains_answer(short, case.answers) if short else 0.0
    if not answer.refused:
        out["answer_sentences"] = m.count_sentences(answer.text)
        out["answer_words"] = len(m.strip_markers(answer.text).split())
        out["citations"] = len(citations)
        out["citations_supported"] = sum(c["supports"] for c in citations)
        out["citation_precision"] = out["citations_supported"] / len(citations) if citations else None
        if case.articles and citations:  # does the citation point at an article that holds the answer?
            out["citations_gold_article"] = sum(c["gold"] for c in citations)
        if case.short_answers and out.get("containment") == 1.0:
            by_n = {p.n: p.text for p in answer.passages}
            out["citation_recall"] = float(any(
                m.contains_answer(c["quote"], case.answers) or m.contains_answer(by_n.get(c["n"], ""), case.answers)
                for c in citations))
        passages = {p.n: (p.article_id, p.text, p.start) for p in answer.passages}
        out["dangling_citations"] = m.dangling_citations(
            answer.text, [(c["n"], c["article_id"], c["quote"], c["start"], c["end"]) for c in citations], passages
        ) + len(answer.dropped_markers)
    out["refused"] = float(answer.refused)
    if case.answerable:
        out["wrong_refusal"] = float(answer.refused)
    else:
        out["correct_refusal"] = float(answer.refused)
        if case.answers and not answer.refused:  # its real answer was removed from the corpus: did we invent it?
            out["answer_leak"] = m.contains_answer(answer.text, case.answers)
    return out


ProgressFn = Callable[[int, int, CaseResult], None]


def run_suite(
    rag: Any, suite: Suite, *, ks: Sequence[int] = KS, top_k: int | None = None, offline: bool = False,
    judge: Any | None = None, progress: ProgressFn | None = None,
) -> list[CaseResult]:
    """Every case, one at a time (latencies are per question, not under load)."""
    tokens = _TokenCounter()
    out: list[CaseResult] = []
    coll = getattr(rag, "collection", None)
    inner = getattr(coll, "embedder", None)
    if coll is not None and inner is not None and not isinstance(inner, _LastQueryMemo):
        coll.embedder = _LastQueryMemo(inner)
    try:
        if suite.cases:  # first-call costs (lazy imports, caches) are not a question's latency
            rag.ask(suite.cases[0].question, top_k=top_k, offline=True)
        t0 = time.perf_counter()
        for i, case in enumerate(suite.cases, start=1):
            r = evaluate_case(rag, case, ks=ks, top_k=top_k, offline=offline, tokens=tokens, judge=judge)
            out.append(r)
            if progress:
                progress(i, len(suite.cases), r)
        log.info("ran %d cases in %.1fs", len(out), time.perf_counter() - t0)
    finally:
        if coll is not None and isinstance(coll.embedder, _LastQueryMemo) and inner is not None:
            coll.embedder = inner
    return out
