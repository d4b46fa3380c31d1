"""Resolve ``[n]`` markers into citations with exact quotes, and check that they support the claim.

For every answer sentence carrying markers, each cited passage is searched for the sentence that
best supports it (content-word overlap); that sentence, verbatim from the article with its char
span, becomes the citation's quote. A citation whose best sentence shares too little with the
claim is unsupported: it is removed and reported. An answer left with no supported citation is
refused: we would rather say "not found" than show a citation that does not back the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.evidence import terms
from rag.types import Citation, Passage

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SEGMENT = re.compile(r"(.*?)((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)", re.S)

SUPPORT_MIN = 0.5  # share of the claim's content words found in the quoted sentence


@dataclass(frozen=True)
class Checked:
    citations: tuple[Citation, ...]
    unsupported: tuple[int, ...]  # marker numbers removed because their passage did not back the claim
    text: str


def _best_sentence(claim: str, p: Passage) -> tuple[float, tuple[int, int]]:
    claim_terms = set(terms(claim))
    best = (0.0, (p.start, p.end))
    for a, b in p.sentences or ((p.start, p.end),):
        sent_terms = set(terms(p.text[a - p.start : b - p.start]))
        if not claim_terms:
            break
        score = len(claim_terms & sent_terms) / len(claim_terms)
        if score > best[0]:
            best = (score, (a, b))
    return best


def resolve(text: str, passages: Sequence[Passage]) -> Checked:
    """Citations for every supported ``[n]`` in ``text``; unsupported markers are removed from it."""
    by_n = {p.n: p for p in passages}
    citations: list[Citation] = []
    seen: set[tuple[int, int, int]] = set()
    unsupported: list[int] = []
    out_parts: list[str] = []
    last = 0
    for m in _SEGMENT.finditer(text):
        claim, markers = m.group(1), m.group(2)
        kept: list[int] = []
        for n in [int(x) for x in re.findall(r"\d+", markers)]:
            p = by_n.get(n)
            if p is None:
                unsupported.append(n)
                continue
            score, (a, b) = _best_sentence(claim, p)
            if score < SUPPORT_MIN:
                unsupported.append(n)
                continue
            kept.append(n)
            if (n, a, b) not in seen:
                seen.add((n, a, b))
                citations.append(
                    Citation(
                        n=n,
                        article_id=p.article_id,
                        title=p.title,
                        source=p.source,
                        published=p.published,
                        quote=p.text[a - p.start : b - p.start],
                        start=a,
                        end=b,
                    )
                )
        out_parts.append(claim + "".join(f" [{n}]" for n in dict.fromkeys(kept)))
        last = m.end()
    out_parts.append(text[last:])
    return Checked(tuple(citations), tuple(unsupported), "".join(out_parts).strip())
