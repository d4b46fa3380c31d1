"""Run a suite through ``RAG.ask`` (the code path the UI and CLI use) and score every question.

>>> from rag.api import RAG                               # doctest: +SKIP
>>> from evals.suite import load_suite                    # doctest: +SKIP
>>> rows = run_suite(RAG(), load_suite("seeds/suite.jsonl"), offline=True)   # doctest: +SKIP
>>> rows[0].metrics["hit@5"], rows[0].metrics["containment"]                 # doctest: +SKIP
(1.0, 1.0)

Retrieval metrics for k beyond the ``top_k`` passages the answerer saw come from one more,
deeper ``retrieve`` call for the same query; the first ``top_k`` ranks are always the passages
``ask`` returned, so hit@5 is exactly what the user's answer was built from. The query is embedded
once, here, and the vector handed to both calls: the system under test is never patched.

A case with ``asked_on`` (news suites) is asked ``as_of`` that day, so "this week" means the week
the question was written; ``use_as_of=False`` asks the same questions as of today, for comparison.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from evals import metrics as m
from evals.suite import Case, Suite
from rag.text import question_kind

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
    as_of: str | None = None  # the reference date passed to ask (the case's asked_on), None when not passed
    time_window: dict[str, Any] | None = None  # what ask understood the question's time expressions as
    window: str = "none"  # "understood" when ask found a time window, for a by-window breakdown
    short_answer: str | None = None  # the answer's short phrase (who/when/where/how-many), if it has one
    # the offline answerer's P(answerable) (``Answer.confidence``; None for an LLM's answer): with it a
    # RAG_REFUSE_BELOW can be tried on a finished run, refused where confidence < threshold, no re-asking
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _ask_takes_vector(rag: Any) -> bool:
    """``RAG.ask`` accepts ``query_vector=`` (the precomputed embedding of its search query)."""
    try:
        return "query_vector" in inspect.signature(type(rag).ask).parameters
    except (TypeError, ValueError, AttributeError):
        return False


def _window(answer: Any) -> dict[str, Any] | None:
    tw = getattr(answer, "time_window", None)
    if tw is None:
        return None
    return {"start": tw.start.isoformat() if tw.start else None, "end": tw.end.isoformat() if tw.end else None,
            "phrase": tw.phrase, "recency": tw.recency}


def evaluate_case(
    rag: Any, case: Case, *, ks: Sequence[int] = KS, top_k: int | None = None, offline: bool = False,
    tokens: _TokenCounter | None = None, judge: Any | None = None, use_as_of: bool = True,
    gold_ids: frozenset[str] | None = None,
) -> CaseResult:
    """Ask ``case.question`` (as of ``case.asked_on`` unless ``use_as_of`` is false) and compute its
    per-question metrics (see ``evals.metrics``). ``gold_ids``: the ids of the stored articles the
    case's gold references name (``evals.gold.resolve``); without them a passage is gold when its own
    source matches a reference (``matches_article``)."""
    from rag.retrieve import retrieve

    tokens = tokens or _TokenCounter()

    def is_gold(article_id: str, source: str) -> bool:
        if gold_ids is not None:
            return article_id in gold_ids
        return any(m.matches_article(g, article_id, source) for g in case.articles)

    kind = question_kind(case.question)
    gold = {"answers": list(case.answers), "articles": list(case.articles), "contexts": list(case.contexts)}
    as_of: date | None = case.as_of if use_as_of else None
    try:
        # the query ask will search for is embedded once, here; ask and the deeper retrieve get the vector
        query = rag.search_query(case.question.strip())
        embed = rag.collection.embedder
        vec, embed_ms, given = None, 0.0, _ask_takes_vector(rag)
        if given:
            t = time.perf_counter()
            vec = embed([query])[0]
            embed_ms = (time.perf_counter() - t) * 1000
        answer = rag.ask(case.question, top_k=top_k, offline=offline, as_of=as_of,
                         **({"query_vector": vec} if given else {}))
        ranked = list(answer.passages)
        max_k = max(ks)
        if max_k > len(ranked) and len(ranked) >= (top_k or rag.settings.top_k):
            searched = answer.search_query or query
            if vec is None or searched != query:  # (an ask that cannot take the vector embedded it itself)
                vec = embed([searched])[0]
            deeper = retrieve(rag.store, searched, query_vector=vec, top_k=max_k,
                              time_window=getattr(answer, "time_window", None),
                              as_of=getattr(answer, "as_of", None)).passages
            seen = {p.chunk_id for p in ranked}
            ranked += [p for p in deeper if p.chunk_id not in seen]
        ranked = ranked[:max_k]
    except Exception as exc:  # noqa: BLE001 - one failing question is a result, not the end of the run
        log.warning("case %s failed: %s", case.id, exc)
        return CaseResult(case.id, case.type, kind, case.question, gold, "", True, "error", [], [],
                          {}, {}, error=f"{type(exc).__name__}: {exc}", as_of=as_of.isoformat() if as_of else None)

    timings = dict(answer.timings_ms)
    if given:  # ask was handed the vector: count the embedding it skipped, as a user's ask pays it
        skipped = embed_ms - timings.get("retrieve_embed", 0.0)
        timings["retrieve_embed"] = round(embed_ms, 2)
        for key in ("retrieve", "total"):
            if key in timings:
                timings[key] = round(timings[key] + skipped, 2)

    shown = len(answer.passages)
    retrieved = []
    for rank, p in enumerate(ranked, start=1):
        row = {"rank": rank, "n": p.n if rank <= shown else None, "article_id": p.article_id, "source": p.source,
               "title": p.title, "chunk_id": p.chunk_id, "score": p.score,
               "gold": is_gold(p.article_id, p.source),
               "tokens": tokens(p.chunk_id, p.text)}
        if rank <= shown:
            row["text"] = p.text
        retrieved.append(row)

    # the citations back the sentences; a leading short answer lies inside a cited quote (rag.api)
    support = m.citation_support(answer.supporting, [(c.n, c.quote) for c in answer.citations],
                                 case.answers if case.short_answers else (), case.question)
    citations = [
        {"n": c.n, "article_id": c.article_id, "title": c.title, "source": c.source, "quote": c.quote,
         "start": c.start, "end": c.end, "supports": ok,
         "gold": is_gold(c.article_id, c.source)}
        for c, ok in zip(answer.citations, support, strict=True)
    ]
    metrics = score_case(case, answer, ranked, citations, retrieved, ks)
    # the model's usage (server-reported, else rag.llm's tiktoken count of its raw reply); empty when no
    # LLM was called. The reply's tokens are never counted from answer.text: that is what the user was
    # shown, after verification rewrote the reply or the offline answer stood in for it
    usage = dict(answer.usage)
    if answer.messages:
        usage["prompt_tokens_tiktoken"] = sum(tokens.count(x["content"]) + 4 for x in answer.messages) + 3
    result = CaseResult(
        id=case.id, type=case.type, kind=kind, question=case.question, gold=gold, answer=answer.text,
        refused=answer.refused, answerer=answer.answerer, citations=citations, retrieved=retrieved,
        short_answer=None if answer.refused else getattr(answer, "short_answer", None),
        confidence=getattr(answer, "confidence", None),
        metrics=metrics, timings_ms=timings, usage=usage, notices=list(answer.notices),
        as_of=as_of.isoformat() if as_of else None, time_window=_window(answer),
        window="understood" if getattr(answer, "time_window", None) is not None else "none",
    )
    if judge is not None:
        result = judge.score(result)
    return result


def score_case(case: Case, answer: Any, ranked: Sequence[Any], citations: list[dict[str, Any]],
               retrieved: list[dict[str, Any]], ks: Sequence[int]) -> dict[str, Any]:
    """Per-question numbers; ``None`` where a metric does not apply to this case."""
    out: dict[str, Any] = {}
    texts = [p.text for p in ranked]
    if case.articles:  # the ranks ``retrieved`` flags as gold (article ids resolved before the run)
        rank = next((r["rank"] for r in retrieved if r["gold"]), None)
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
    short = None if answer.refused else getattr(answer, "short_answer", None)
    if case.answerable and case.answers:
        out["f1"] = m.token_f1(text, case.answers)
        if case.short_answers:
            out["exact_match"] = m.exact_match(text, case.answers)
            out["containment"] = m.contains_answer(text, case.answers)
            # what a reader takes away: the answer holds it and its bold short answer, if any, is it
            out["answer_correct"] = float(bool(out["containment"]) and (not short or bool(m.contains_answer(short, case.answers))))
    if case.short_answers and question_kind(case.question) in SHORT_ANSWER_KINDS:
        out["short_answer_present"] = float(bool(short))
        out["short_answer_correct"] = m.contains_answer(short, case.answers) if short else 0.0
    if case.answerable and case.short_answers:  # every question kind ("which country", "what share")
        out["short_answer_correct_all"] = m.contains_answer(short, case.answers) if short else 0.0
        if short:  # right when shown: its mean is how often a shown short answer is right
            out["short_answer_precision"] = out["short_answer_correct_all"]
    if not answer.refused:
        out["answer_sentences"] = m.count_sentences(answer.supporting)  # the short answer leading them is no sentence
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


def gold_ids(rag: Any, suite: Suite) -> tuple[dict[str, frozenset[str]] | None, list[Any]]:
    """The cases' gold references resolved against every stored source of every article of
    ``rag``'s store (``evals.gold``), and the references that name no article or several; (None, [])
    when the RAG has no article database to read."""
    from evals.gold import GoldIndex, resolve

    db = getattr(getattr(rag, "collection", None), "db", None)
    if db is None or not any(c.articles for c in suite.cases):
        return None, []
    return resolve(suite.cases, GoldIndex.from_db(db))


def run_suite(
    rag: Any, suite: Suite, *, ks: Sequence[int] = KS, top_k: int | None = None, offline: bool = False,
    judge: Any | None = None, progress: ProgressFn | None = None, use_as_of: bool = True,
    golds: dict[str, frozenset[str]] | None = None,
) -> list[CaseResult]:
    """Every case, one at a time (latencies are per question, not under load). ``use_as_of=False``
    asks without the cases' ``asked_on`` dates (``rag eval --no-as-of``). ``golds``: each case's gold
    article ids (``gold_ids``, which is called, and its issues logged, when not given)."""
    if golds is None:
        golds, issues = gold_ids(rag, suite)
        for issue in issues:
            log.warning("%s: %s", suite.path, issue)
    tokens = _TokenCounter()
    out: list[CaseResult] = []
    if suite.cases:  # first-call costs (lazy imports, caches) are not a question's latency
        rag.ask(suite.cases[0].question, top_k=top_k, offline=True)
    t0 = time.perf_counter()
    for i, case in enumerate(suite.cases, start=1):
        r = evaluate_case(rag, case, ks=ks, top_k=top_k, offline=offline, tokens=tokens, judge=judge,
                          use_as_of=use_as_of, gold_ids=golds.get(case.id) if golds is not None else None)
        out.append(r)
        if progress:
            progress(i, len(suite.cases), r)
    log.info("ran %d cases in %.1fs", len(out), time.perf_counter() - t0)
    return out
