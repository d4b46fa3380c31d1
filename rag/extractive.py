"""The offline answerer: pick the sentences of the retrieved passages that answer the question.

No LLM. Every sentence of every passage is scored by

* coverage: the IDF-weighted share of the question's content words it contains (porter stems,
  the same stemmer as the lexical index, document frequencies from that index),
* answer type: "how many" wants a number, "when" a date, "who"/"where" a name the question does
  not already contain,
* novelty: a sentence that only restates the question is not an answer,
* the passage's retrieval rank, as a small prior.

The answer is the best sentence, plus the next best when it scores close (at most
``max_answer_sentences``), each followed by its ``[n]`` marker. When the best evidence is under
``refuse_below`` the answerer refuses instead of guessing.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.types import Draft, Passage

REFUSAL = "I could not find this in the articles."

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also said says say according many much one did name named called
    s t don ’s 's""".split()
)
_NUM_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve dozen dozens hundred hundreds thousand "
    "thousands million millions billion billions half first second third".split()
)
_MONTHS = "january february march april may june july august september october november december"
_DATE = re.compile(
    rf"\b(1[5-9]\d\d|20\d\d|{'|'.join(_MONTHS.split())}|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|today|century|decade|\d{1,2}(st|nd|rd|th))\b",
    re.I,
)
_NUMBER = re.compile(r"\d|\b(" + "|".join(_NUM_WORDS) + r")\b", re.I)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zA-Z'’-]+")


@functools.lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    from nltk.stem.porter import PorterStemmer

    # FTS5's porter tokenizer implements the original algorithm; match it so IDF lookups hit
    stem = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM).stem
    return functools.lru_cache(maxsize=200_000)(stem)


def terms(text: str) -> list[str]:
    """Content-word stems of ``text`` (lowercased, stopwords out)."""
    stem = _stemmer()
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.replace("’", "'").rstrip(".").removesuffix("'s")
        if w and w not in _STOP:
            out.append(stem(w))
    return out


def answer_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bhow (many|much|long|old|far|big|large|tall|often)\b|\bwhat (percentage|number|amount)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time|century|decade)\b|\bwhich (year|day|month)\b", q):
        return "date"
    if re.search(r"\bwho(m|se)?\b|\bwhich (person|man|woman|company|group|team|country)\b", q):
        return "name"
    if re.search(r"\bwhere\b|\bwhich (town|city|country|place|region)\b", q):
        return "name"
    return None


@dataclass(frozen=True)
class Scored:
    passage: Passage
    span: tuple[int, int]  # article offsets
    text: str
    score: float
    coverage: float


class ExtractiveAnswerer:
    """Sentence selection with IDF weights; ``doc_freqs``/``n_docs`` come from the lexical index."""

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

    def _idf(self, stems: Sequence[str]) -> dict[str, float]:
        if not self._doc_freqs or not self._n_docs:
            return {s: 1.0 for s in stems}
        n = max(self._n_docs(), 1)
        df = self._doc_freqs(stems)
        return {s: math.log(1 + (n - df.get(s, 0) + 0.5) / (df.get(s, 0) + 0.5)) for s in stems}

    def score(self, question: str, passages: Sequence[Passage]) -> list[Scored]:
        q_stems = list(dict.fromkeys(terms(question)))
        idf = self._idf(q_stems)
        total = sum(idf.values()) or 1.0
        qset = set(q_stems)
        atype = answer_type(question)
        q_lower = question.lower()
        out: list[Scored] = []
        for rank, p in enumerate(passages):
            for a, b in p.sentences:
                text = p.text[a - p.start : b - p.start]
                s_terms = terms(text)
                if len(text.split()) < 4 or not s_terms:
                    continue
                s_set = set(s_terms)
                coverage = sum(idf[t] for t in qset & s_set) / total
                novel = [t for t in s_set if t not in qset]
                bonus = 0.0
                if atype == "number":
                    bonus = 0.12 if _NUMBER.search(text) else -0.1
                elif atype == "date":
                    bonus = 0.12 if _DATE.search(text) else -0.1
                elif atype == "name":
                    names = [m.group(0) for m in _NAME.finditer(text) if m.group(0).lower() not in q_lower]
                    bonus = 0.08 if names else -0.05
                if len(novel) < 2:
                    bonus -= 0.2  # restates the question, answers nothing
                prior = 0.06 / (rank + 1)
                out.append(Scored(p, (a, b), text, coverage + bonus + prior, coverage))
        out.sort(key=lambda s: s.score, reverse=True)
        return out

    def answer(self, question: str, passages: Sequence[Passage], **_: object) -> Draft:
        scored = self.score(question, passages)
        if not scored or scored[0].coverage < self.refuse_below:
            return Draft(text=REFUSAL, refused=True)
        best = scored[0]
        chosen = [best]
        for s in scored[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if s.score >= 0.75 * best.score and s.text != best.text and s.span != best.span:
                chosen.append(s)
        # read in article order when both come from one passage, else by score
        chosen.sort(key=lambda s: (s.passage.n, s.span[0]) if s.passage is best.passage else (99, 0))
        text = " ".join(f"{s.text} [{s.passage.n}]" for s in chosen)
        return Draft(text=text, refused=False)
