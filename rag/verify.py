"""Verify every sentence of an answer against the passages: keep what they support, cite it exactly, drop the rest.

The answer is split into claims (sentences). A claim is supported by a passage sentence when

* it shares at least ``SUPPORT_MIN`` of its content words (IDF-free stems, the lexical index's
  stemmer) with that sentence, and
* every number and every proper name it states occurs in that sentence or its neighbours: "four
  people were killed" is not backed by a sentence saying two, nor "led by Napoleon" by one that
  never names him, however many other words they share.

A claim's own ``[n]`` markers are checked first. A claim with no marker, or whose markers point at
passages that do not back it, is *attributed*: the passage sentence that supports it best becomes
its citation, if one supports it (small local models often answer right and cite nothing). A
claim that no passage supports is removed and reported (``Verified.removed``); an answer left with
no supported claim is refused by the caller. Every citation's quote is verbatim article text with
its character span.

A ``[n]`` that an answer copied from an article together with its surrounding words (the
article's own footnote, "see [2]") is text, not a citation marker.

>>> from rag.types import Passage
>>> p = Passage(1, "c", "a", "T", "s", None, 1.0, "Rebels captured the town of Khansir.", 0, 36, ((0, 36),))
>>> v = verify("The rebels took Khansir. They were led by Napoleon.", [p])
>>> v.text, v.removed
('The rebels took Khansir [1].', ('They were led by Napoleon.',))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.evidence import NUMBER_WORDS
from rag.text import MARKER, MARKER_RUN, marker_numbers, terms
from rag.types import Citation, Passage

_QUOTED = "\ue000"  # stands in for the "[" of an article's own bracket while markers are parsed
#: a claim ends at . ! ? (then closing quotes/brackets, then any markers) before white space, or
#: after a run of markers before a capital
_CLAIM_END = re.compile(rf"[.!?]+[\"'”’)]*(?:{MARKER_RUN.pattern})?(?=\s|$)|{MARKER_RUN.pattern}(?=\s+[A-Z])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'’-]+")
_CONTEXT = 24  # characters either side of a marker compared with passage text

SUPPORT_MIN = 0.5  # share of a claim's content words the supporting sentence must contain


@dataclass(frozen=True)
class Verified:
    citations: tuple[Citation, ...]
    text: str  # the supported claims, each with its [n] markers
    removed: tuple[str, ...] = ()  # claims no passage supports (taken out of ``text``)
    unsupported: tuple[int, ...] = ()  # markers that pointed at a passage not backing their claim
    attributed: tuple[int, ...] = ()  # markers added to claims that carried none (or only wrong ones)


def quoted_marker(text: str, start: int, end: int, quoted: Sequence[str]) -> bool:
    """Whether the ``[n]`` at ``text[start:end]`` was copied from a passage with its surroundings
    (an article's own "see [2]") rather than put there by the answerer, whose markers follow a claim
    after a space it added: the marker plus its left or right context is then not passage text."""
    marker = text[start:end]
    left, right = text[max(0, start - _CONTEXT) : start], text[end : end + _CONTEXT]
    probes = [p for p in (left + marker, left.rstrip() + marker, marker + right) if p.strip() != marker]
    return any(probe in q for q in quoted for probe in probes)


def split_claims(text: str) -> list[str]:
    """Sentences of ``text``, each keeping the markers that follow it. A fragment of under three words
    ("The U.S." cut at its dots) joins the next claim, or the previous one when it carries markers."""
    pieces = [m for m in _CLAIM_END.finditer(text)]
    bounds = [0, *(m.end() for m in pieces), len(text)]
    out: list[str] = []
    carry = ""
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = (carry + " " + text[a:b].strip()).strip()
        carry = ""
        if not piece:
            continue
        short = len(MARKER.sub("", piece).split()) < 3
        if short and out and (MARKER.search(piece) or b == len(text)):
            out[-1] = f"{out[-1]} {piece}"
        elif short and b < len(text) and not MARKER.search(piece):
            carry = piece
        else:
            out.append(piece)
    if carry:
        out.append(carry)
    return out


#: words that open a sentence without naming anything (an LLM's connectives and hedges)
_OPENERS = frozenset("""however additionally overall meanwhile furthermore moreover roughly approximately nearly
    currently today yesterday still thus therefore later earlier finally first second third yes no sure
    according based in on at as it they there this these that the a an""".split())


@dataclass(frozen=True)
class Vocab:
    """What the passages say about words: which are written capitalised mid-sentence (names), and
    every lowercased word they contain."""

    capitalised: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, texts: Sequence[str]) -> Vocab:
        joined = " ".join(texts)
        caps = frozenset(t for m in _NAME.finditer(joined) for t in terms(m.group(0)))
        return cls(caps, frozenset(re.findall(r"[a-z'’-]+", joined.lower())))


def _keys(claim: str, vocab: Vocab | None = None) -> tuple[set[str], set[str]]:
    """The numbers and proper-name stems a claim states (what a support must repeat).

    A capitalised word is a name anywhere but at the start, where every word is capitalised; there
    it counts as a name when the passages write it capitalised mid-sentence (``capitalised``), or
    write it nowhere at all and it is no common opener ("Napoleon led ...", not "Overall, ...")."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(claim)}
    numbers |= {w for w in re.findall(r"[a-z]+", claim.lower()) if w in NUMBER_WORDS}
    names = {t for m in _NAME.finditer(claim) for t in terms(m.group(0))}
    first = re.match(r"\s*([A-Z][a-zA-Z'’-]+)", claim)
    if first and first.group(1).lower() not in _OPENERS:
        stems = terms(first.group(1))
        if stems and vocab is not None and (stems[0] in vocab.capitalised or first.group(1).lower() not in vocab.words):
            names.add(stems[0])
    return numbers, names


def _undotted(stems: set[str]) -> set[str]:
    """Stems with their dots dropped, so "US" and "U.S." (and "UK", "U.K.") are one name."""
    return {t.replace(".", "") for t in stems}


@dataclass(frozen=True)
class Support:
    score: float  # share of the claim's content words in the sentence
    span: tuple[int, int]  # the sentence, in article offsets
    keys_ok: bool  # every number and name of the claim is in the sentence or its neighbours

    @property
    def ok(self) -> bool:
        return self.keys_ok and self.score >= SUPPORT_MIN


def support(claim: str, p: Passage, vocab: Vocab | None = None) -> Support:
    """How well the best sentence of passage ``p`` backs ``claim`` (``vocab``: of all the passages)."""
    claim_terms = set(terms(claim))
    numbers, names = _keys(claim, vocab or Vocab.of([p.text]))
    spans = list(p.sentences or ((p.start, p.end),))
    sents = [p.text[a - p.start : b - p.start] for a, b in spans]
    best = Support(0.0, spans[0], False)
    if not claim_terms:
        return best
    for i, sent in enumerate(sents):
        share = len(claim_terms & set(terms(sent))) / len(claim_terms)
        if share <= best.score and best.keys_ok:
            continue
        window = " ".join(sents[max(0, i - 1) : i + 2])
        cand = Support(share, spans[i], _keys_in(numbers, names, window))
        if (cand.ok, cand.score) > (best.ok, best.score):
            best = cand
    return best


def _keys_in(numbers: set[str], names: set[str], text: str) -> bool:
    """Whether every number and every name stem of a claim occurs in ``text``."""
    t_numbers, t_names = _keys(text)
    return numbers <= t_numbers and _undotted(names) <= _undotted(t_names | set(terms(text)))


def supports(claim: str, quote: str) -> bool:
    """Whether ``quote`` by itself backs ``claim`` by the rule ``verify`` applies: at least
    ``SUPPORT_MIN`` of the claim's content words, and every number and name it states. The
    evaluator's citation precision uses this, so the product and its measurement mean the same
    by "supports"; only the quote is read (``support`` also accepts a number or name from the
    sentence's neighbours, which a quote does not show).

    >>> supports("The rebels took Khansir.", "Rebels captured the town of Khansir.")
    True
    >>> supports("Four people were killed.", "People were killed in the raid.")
    False
    """
    claim_terms = set(terms(claim))
    if not claim_terms:
        return False
    numbers, names = _keys(claim, Vocab.of([quote]))
    share = len(claim_terms & set(terms(quote))) / len(claim_terms)
    return share >= SUPPORT_MIN and _keys_in(numbers, names, quote)


def verify(text: str, passages: Sequence[Passage]) -> Verified:
    """Check every claim of ``text`` against ``passages``; see the module docstring."""
    by_n = {p.n: p for p in passages}
    quoted = [p.text for p in passages]
    vocab = Vocab.of(quoted)
    masked = MARKER.sub(
        lambda m: _QUOTED + m.group(0)[1:] if quoted_marker(text, m.start(), m.end(), quoted) else m.group(0), text
    )
    citations: dict[tuple[int, int, int], Citation] = {}
    kept_claims: list[str] = []
    removed: list[str] = []
    unsupported: list[int] = []
    attributed: list[int] = []
    for claim in split_claims(masked):
        nums = marker_numbers(claim)
        body = re.sub(r"\s+([.!?,;:])", r"\1", MARKER.sub("", claim)).strip()
        shown = body.replace(_QUOTED, "[")
        if not set(terms(body)):  # "Sure." / "In short:" states nothing to check
            continue
        good: list[tuple[int, Support]] = []
        for n in dict.fromkeys(nums):
            p = by_n.get(n)
            s = support(body, p, vocab) if p is not None else None
            if s is not None and s.ok:
                good.append((n, s))
            else:
                unsupported.append(n)
        if not good:
            ranked = sorted(((support(body, p, vocab), p.n) for p in passages), key=lambda x: (x[0].ok, x[0].score), reverse=True)
            if ranked and ranked[0][0].ok:
                good = [(ranked[0][1], ranked[0][0])]
                attributed.append(ranked[0][1])
        if not good:
            removed.append(shown)
            continue
        for n, s in good:
            p = by_n[n]
            a, b = s.span
            citations.setdefault((n, a, b), Citation(n, p.article_id, p.title, p.source, p.published,
                                                     p.text[a - p.start : b - p.start], a, b))
        kept_claims.append(_with_markers(shown, [n for n, _ in good]))
    return Verified(tuple(citations.values()), " ".join(kept_claims), tuple(removed),
                    tuple(dict.fromkeys(unsupported)), tuple(attributed))


def _with_markers(claim: str, numbers: Sequence[int]) -> str:
    """``claim`` with its markers before its closing punctuation: "took Khansir [1]."."""
    marks = "".join(f" [{n}]" for n in dict.fromkeys(numbers))
    m = re.search(r"[.!?]+[\"'”’)]*$", claim)
    if m:
        return claim[: m.start()].rstrip() + marks + claim[m.start() :]
    return claim + marks
