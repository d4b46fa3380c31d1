"""Per-question metrics: pure functions over strings and ranked lists (README "Evaluation" has the formulas).

>>> exact_match("The Denver Broncos [1].", ["Denver Broncos"])
1.0
>>> round(token_f1("Denver Broncos won", ["Denver Broncos"]), 3)
0.8
>>> hit_rank([("a1", "/x/other.txt"), ("a2", "/news/000_x.txt")], ["000_x.txt"])
2
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from rag.text import marked_segments, split_sentences, strip_markers

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = frozenset(string.punctuation)

CONTEXT_SHINGLE = 3  # word n-grams compared between a passage and a gold context
CONTEXT_OVERLAP = 0.5  # share of the shorter text's n-grams the other must contain


# --- SQuAD normalisation and answer scores -------------------------------------------------------


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles (a/an/the), single spaces.
    Punctuation is every Unicode punctuation character (SQuAD's ASCII set plus curly quotes/dashes)."""
    text = strip_markers(text).lower()
    text = "".join(" " if ch in _PUNCT or unicodedata.category(ch).startswith("P") else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _golds(answers: Iterable[str]) -> list[str]:
    return [g for g in (normalize(a) for a in answers) if g]


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer."""
    p = normalize(prediction)
    return float(any(p == g for g in _golds(answers)))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """SQuAD token F1, the best over the gold answers."""
    p = normalize(prediction).split()
    best = 0.0
    for g in _golds(answers):
        gt = g.split()
        common = Counter(p) & Counter(gt)
        same = sum(common.values())
        if same:
            prec, rec = same / len(p), same / len(gt)
            best = max(best, 2 * prec * rec / (prec + rec))
    return best


def contains_answer(text: str, answers: Sequence[str]) -> float:
    """1.0 when a normalised gold answer occurs in the normalised text on word boundaries."""
    t = f" {normalize(text)} "
    return float(any(f" {g} " in t for g in _golds(answers)))


def count_sentences(text: str) -> int:
    """Sentences in an answer (markers removed), split as the chunker splits articles."""
    return len(split_sentences(strip_markers(text).strip()))


# --- retrieval -----------------------------------------------------------------------------------


SEPARATORS = "/\\#"  # a gold reference may be a source's suffix starting at, or just after, one of these


def source_keys(source: str) -> Iterator[str]:
    """Every gold reference that names ``source``: the source itself (without a trailing ``/``) and
    each suffix that starts at, or just after, a separator ("tech/004.txt", "004.txt"). One rule for
    ``matches_article`` and the run's index of every stored source (``evals.gold``)."""
    s = source.strip().rstrip("/")
    if not s:
        return
    yield s
    for i, ch in enumerate(s):
        if ch in SEPARATORS:
            yield s[i:]
            if s[i + 1:]:
                yield s[i + 1:]


def matches_article(gold: str, article_id: str, source: str) -> bool:
    """A retrieved passage belongs to gold article ``gold`` (a file name, source-path suffix, URL or
    article id) when its article id equals it, or its source/URL equals or ends with it at a ``/``."""
    g = gold.strip()
    if not g:
        return False
    return g == article_id or g == source or g.rstrip("/") in set(source_keys(source))


def hit_rank(retrieved: Sequence[tuple[str, str]], golds: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved ``(article_id, source)`` that matches a gold article."""
    for i, (aid, src) in enumerate(retrieved, start=1):
        if any(matches_article(g, aid, src) for g in golds):
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def _shingles(text: str, n: int = CONTEXT_SHINGLE) -> set[tuple[str, ...]]:
    words = normalize(text).split()
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def context_overlap(passage: str, context: str) -> float:
    """Share of the shorter text's word trigrams found in the other (1.0: one contains the other)."""
    a, b = _shingles(passage), _shingles(context)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def context_recall(passages: Sequence[str], contexts: Sequence[str], k: int) -> float | None:
    """Share of gold contexts that one of the top-``k`` passages covers (overlap >= CONTEXT_OVERLAP)."""
    if not contexts:
        return None
    top = passages[:k]
    return sum(any(context_overlap(p, c) >= CONTEXT_OVERLAP for p in top) for c in contexts) / len(contexts)


def answer_in_context(passages: Sequence[str], answers: Sequence[str], k: int) -> float:
    """1.0 when a gold answer occurs (normalised, on word boundaries) in one of the top-``k`` passages."""
    return float(any(contains_answer(p, answers) for p in passages[:k]))


# --- citations -----------------------------------------------------------------------------------


def claims(answer: str) -> list[tuple[str, tuple[int, ...]]]:
    """The answer split into (claim text, marker numbers) at each run of ``[n]`` markers."""
    return marked_segments(answer)


def supports(claim: str, quote: str, answers: Sequence[str] = (), question: str | None = None) -> bool:
    """Does ``quote`` back ``claim``? By the product's own rule (``rag.verify.supports``: half the
    claim's content words, every number and name it states beyond the ``question``'s own), and when
    the claim states a gold answer the quote must state it too (the fact itself, not the topic)."""
    from rag.verify import supports as claim_supported  # the answering stack: imported when scoring

    if not claim_supported(claim, quote, question):
        return False
    stated = [a for a in answers if contains_answer(claim, [a])]
    return not stated or contains_answer(quote, stated) == 1.0


def citation_support(
    answer: str, citations: Sequence[tuple[int, str]], answers: Sequence[str] = (), question: str | None = None
) -> list[bool]:
    """For each citation ``(n, quote)``: does its quote support a claim of ``answer`` marked ``[n]``
    (as an answer to ``question``)? A citation whose marker is on no claim supports nothing."""
    parts = claims(answer)
    out = []
    for n, quote in citations:
        out.append(any(supports(text, quote, answers, question) for text, nums in parts if n in nums))
    return out


def dangling_citations(
    answer: str, citations: Sequence[tuple[int, str, str, int, int]], passages: dict[int, tuple[str, str, int]]
) -> int:
    """Citations that point at nothing: a marker in the answer with no passage, or a citation
    ``(n, article_id, quote, start, end)`` whose passage ``n`` (``article_id, text, start``) does not
    hold that quote at that span."""
    bad = 0
    for _, nums in claims(answer):
        bad += sum(1 for n in nums if n not in passages)
    for n, aid, quote, start, end in citations:
        p = passages.get(n)
        if p is None:
            bad += 1
            continue
        p_aid, text, p_start = p
        if aid != p_aid or text[start - p_start : end - p_start] != quote or not quote:
            bad += 1
    return bad


# --- aggregation helpers -------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), ``q`` in 0..100."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
