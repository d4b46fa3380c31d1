"""The offline answerer: answer with the sentences of the retrieved passages that answer the question.

No LLM. Sentences are scored by ``rag.evidence`` (IDF-weighted coverage with the neighbouring
sentence, answer type, novelty) plus a small prior for the passage's rank. The answer is the best
sentence, plus the next best when it scores close (at most ``max_sentences``), each followed by
its ``[n]`` marker. It refuses instead of guessing when the best coverage is under
``refuse_below``, or when a proper name of the question occurs in none of the passages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.evidence import Question, names_absent, prepare, score_sentences
from rag.types import Draft, Passage

REFUSAL = "I could not find this in the articles."
RANK_PRIOR = 0.06  # bonus for sentences of higher-ranked passages (divided by rank)
OTHER_ARTICLE_RATIO = 0.85
SECOND_RATIO = 0.6  # a second sentence joins the answer when it scores this close to the best


@dataclass(frozen=True)
class Scored:
    passage: Passage
    span: tuple[int, int]  # article offsets
    text: str
    score: float
    coverage: float


class ExtractiveAnswerer:
    """Sentence selection; ``doc_freqs``/``n_docs`` (IDF) come from the lexical index."""

    name = "extractive"

    def __init__(
        self,
        doc_freqs: Callable[[Sequence[str]], Mapping[str, int]] | None = None,
        n_docs: Callable[[], int] | None = None,
        *,
        max_sentences: int = 2,
        refuse_below: float = 0.3,
    ) -> None:
        self._doc_freqs = doc_freqs
        self._n_docs = n_docs
        self.max_sentences = max_sentences
        self.refuse_below = refuse_below

    def prepare(self, question: str) -> Question:
        return prepare(question, self._doc_freqs, self._n_docs() if self._n_docs else 0)

    def score(self, q: Question, passages: Sequence[Passage]) -> list[Scored]:
        out: list[Scored] = []
        for rank, p in enumerate(passages):
            spans = p.sentences or ((p.start, p.end),)
            for s in score_sentences(q, p.text, p.start, spans):
                a, b = s.span
                out.append(Scored(p, s.span, p.text[a - p.start : b - p.start], s.score + RANK_PRIOR / (rank + 1), s.coverage))
        out.sort(key=lambda s: s.score, reverse=True)
        return out

    def answer(
        self, question: str, passages: Sequence[Passage], *, prepared: Question | None = None, **_: object
    ) -> Draft:
        """``prepared``: the question already run through ``prepare`` (saves a second IDF lookup)."""
        q = prepared if prepared is not None and prepared.text == question else self.prepare(question)
        scored = self.score(q, passages)
        if not scored or scored[0].coverage < self.refuse_below:
            return Draft(text=REFUSAL, refused=True)
        if names_absent(q, [p.text + " " + p.title for p in passages]):
            return Draft(text=REFUSAL, refused=True)
        best = scored[0]
        chosen = [best]
        for s in scored[1:]:
            if len(chosen) >= self.max_sentences:
                break
            # a sentence from another article must be nearly as good: don't stitch in unrelated stories
            ratio = SECOND_RATIO if s.passage.article_id == best.passage.article_id else OTHER_ARTICLE_RATIO
            if s.score >= ratio * best.score and s.text != best.text and s.span != best.span:
                chosen.append(s)
        # two sentences of one article read in article order; otherwise best first
        if len(chosen) == 2 and chosen[0].passage.article_id == chosen[1].passage.article_id:
            chosen.sort(key=lambda s: s.span[0])
        text = " ".join(f"{s.text} [{s.passage.n}]" for s in chosen)
        return Draft(text=text, refused=False)
