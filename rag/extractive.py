"""The offline answerer: answer with the sentences of the retrieved passages that answer the question.

No LLM. Sentences are scored by ``rag.evidence`` (IDF-weighted coverage with the neighbouring
sentence, answer type, novelty) plus a small prior for the passage's rank. The answer is the best
sentence, plus the next best when it scores close (at most ``max_sentences``), each followed by
its ``[n]`` marker. It refuses instead of guessing when the fitted answerability model
(``rag.confidence``) gives the evidence a probability under ``refuse_below``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rag.confidence import RefusalModel, features
from rag.evidence import Question, prepare, score_sentences
from rag.short_answer import extract
from rag.types import REFUSAL, Draft, Passage

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
        refuse_below: float | None = None,
        model: RefusalModel | None = None,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self._embed = embed  # the collection's embedder: the best sentence's similarity to the question
        self._doc_freqs = doc_freqs
        self._n_docs = n_docs
        self.max_sentences = max_sentences
        self._model = model
        self._refuse_below = refuse_below

    @property
    def model(self) -> RefusalModel:
        """The fitted answer-or-refuse model, read on first use (so ``evals.fit_answerer`` can
        build a RAG to refit it while the file on disk is stale)."""
        if self._model is None:
            self._model = RefusalModel.load()
        return self._model

    @property
    def refuse_below(self) -> float:
        """Answer only when P(answerable) reaches this; unset = the threshold chosen when fitting."""
        return self.model.threshold if self._refuse_below is None else self._refuse_below

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

    def evidence(
        self, q: Question, passages: Sequence[Passage], query_vector: np.ndarray | None = None
    ) -> tuple[list[Scored], dict[str, float] | None]:
        """The scored sentences (best first) and the answer-or-refuse features of the best one (None
        when there is no sentence): what ``answer`` decides on and ``evals.fit_answerer`` fits on."""
        scored = self.score(q, passages)
        if not scored:
            return scored, None
        return scored, features(q, scored, passages, self._sentence_similarity(scored[0].text, query_vector))

    def _sentence_similarity(self, sentence: str, query_vector: np.ndarray | None) -> float:
        """Cosine of ``sentence`` and the question (unit vectors), one short forward pass; 0 without an embedder."""
        if self._embed is None or query_vector is None:
            return 0.0
        return float(np.dot(self._embed([sentence])[0], query_vector))

    def answer(
        self, question: str, passages: Sequence[Passage], *, prepared: Question | None = None,
        query_vector: np.ndarray | None = None, **_: object,
    ) -> Draft:
        """``prepared``: the question already run through ``prepare`` (saves a second IDF lookup);
        ``query_vector``: its embedding from retrieval (unit length)."""
        q = prepared if prepared is not None and prepared.text == question else self.prepare(question)
        scored, feats = self.evidence(q, passages, query_vector)
        if feats is None:
            return Draft(text=REFUSAL, refused=True, confidence=0.0)
        confidence = self.model.probability(feats)
        if confidence < self.refuse_below:
            return Draft(text=REFUSAL, refused=True, confidence=round(confidence, 4))
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
        # the answer itself (shown first, in bold, by the CLI and UI), inside the sentence that supports it
        short = self._short_answer(q, sorted(chosen, key=lambda s: s.score, reverse=True))
        return Draft(text=text, refused=False, confidence=round(confidence, 4), short_answer=short)

    @staticmethod
    def _short_answer(q: Question, chosen: Sequence[Scored]) -> tuple[str, int, int] | None:
        """The asked-for phrase in the best sentence that holds one, with its article offsets."""
        for s in chosen:
            hit = extract(q, s.text)
            if hit is not None:
                phrase, a, b = hit
                return phrase, s.span[0] + a, s.span[0] + b
        return None
