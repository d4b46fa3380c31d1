"""Answer or refuse: a logistic model over evidence features, fitted on answerable vs unanswerable questions.

The offline answerer used to refuse when the best sentence's coverage fell under a hand-set
0.30. That caught questions about things the collection never mentions, but about half of the
*on-topic* unanswerable questions ("How many people were killed in Aleppo on Saturday?" over an
article giving the Idlib toll) still got a confident, cited, wrong answer: the words match, the
specifics (Aleppo, Saturday) do not. The decision is now a probability from a few features of the
evidence (how much of the question the best sentence and its neighbours cover, whether the
question's names and rarest words are there, whether the sentence holds the kind of thing asked
for, how close the chunk's vector is to the question's, whether its article is dated in the period the
question names), fitted by ``evals/fit_answerer.py`` and
kept with its provenance in ``rag/fitted/answerer.json``. ``RAG_REFUSE_BELOW`` is the threshold on
that probability.

>>> model = RefusalModel.load()
>>> 0.0 <= model.probability(dict.fromkeys(FEATURES, 0.5)) <= 1.0
True
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import ConfigError
from rag.evidence import Question, has_answer_type, terms

if TYPE_CHECKING:
    from rag.extractive import Scored
    from rag.types import Passage, TimeWindow

#: The features, in the order of the fitted weights. Changing this tuple means refitting.
FEATURES: tuple[str, ...] = (
    "coverage",        # IDF-weighted share of the question in the best sentence (+ half a neighbour's addition)
    "window_coverage",  # ... in the best sentence with both neighbours, fully
    "gap",             # best sentence's ranker logit minus the runner-up's (a clear winner vs a toss-up)
    "names_window",    # share of the question's proper names in the best sentence's window (1 when it has none)
    "names_anywhere",  # share of them in any retrieved passage
    "rare_missing",    # IDF of the rarest question word absent from the window, over the largest IDF in the question
    "unseen",          # share of the question's IDF on words no stored chunk contains
    "type_ok",         # the question asks for a number/date/name and the best sentence holds one
    "type_missing",    # it asks for one and the best sentence holds none
    "dense_best",      # cosine of question and the best sentence's chunk (0 when found by BM25 only)
    "dense_top",       # best cosine among the passages
    "focus_window",    # the thing a how-many/which/what-<noun> question asks about is in the best sentence's window
    "dense_sentence",  # cosine of the question and the best sentence itself (the bundled model; 0 if not embedded)
    "dated_outside",   # how far the best sentence's article is dated outside the period the question names (0 inside)
)

FITTED = Path(__file__).resolve().parent / "fitted" / "answerer.json"
_AUX = frozenset({"did", "doe", "wa", "is", "ar", "were", "ha", "have", "had", "will", "would", "can", "could"})


def features(
    q: Question, scored: Sequence[Scored], passages: Sequence[Passage], sentence_similarity: float = 0.0,
    reported: TimeWindow | None = None,
) -> dict[str, float]:
    """The evidence features of the best-ranked sentence (``scored``: ``ExtractiveAnswerer.rank``'s order, non-empty);
    ``sentence_similarity``: cosine of the question's and that sentence's embeddings; ``reported``: the dates a
    report of what the question asks about may carry (``rag.timewindow.reported_in``; None: no period named)."""
    from rag.timewindow import dated_outside  # not at the top: rag.timewindow -> rag.short_answer -> this module

    best = scored[0]
    p = best.passage
    spans = list(p.sentences or ((p.start, p.end),))
    i = spans.index(best.span) if best.span in spans else 0
    window = " ".join(p.text[a - p.start : b - p.start] for a, b in spans[max(0, i - 1) : i + 2])
    wset = set(terms(window))
    qset = set(q.stems)
    total = q.total
    anywhere: set[str] = set()
    for x in passages:
        anywhere.update(terms(x.title + " " + x.text))
    names = set(q.names)
    max_idf = max(q.idf.values(), default=0.0) or 1.0
    missing = [q.idf[t] for t in qset - wset]
    atype_ok = has_answer_type(q, best.text)
    sims = [x.similarity for x in passages if x.similarity is not None]
    return {
        "coverage": best.coverage,
        "window_coverage": math.fsum(q.idf[t] for t in qset & wset) / total,
        "gap": best.score - scored[1].score if len(scored) > 1 else best.score,
        "names_window": len(names & wset) / len(names) if names else 1.0,
        "names_anywhere": len(names & anywhere) / len(names) if names else 1.0,
        "rare_missing": max(missing, default=0.0) / max_idf,
        "unseen": math.fsum(q.idf[t] for t in qset - anywhere) / total,
        "type_ok": 1.0 if atype_ok is True else 0.0,
        "type_missing": 1.0 if atype_ok is False else 0.0,
        "dense_best": p.similarity or 0.0,
        "dense_top": max(sims, default=0.0),
        "focus_window": 1.0 if focus_terms(q.text) <= wset else 0.0,
        "dense_sentence": sentence_similarity,
        "dated_outside": dated_outside(p.published, reported),
    }


_FOCUS = re.compile(r"\b(?:how (?:many|much)|which|what)\s+([a-z'’-]+)(?:\s+([a-z'’-]+))?", re.I)


def focus_terms(question: str) -> set[str]:
    """Stems of the one or two words right after "how many/much", "which", "what", up to the first
    stopword (the thing asked about: "how many *rebel fighters* took part", "which *town*"); empty
    when a verb follows at once ("what *did* Iran send")."""
    m = _FOCUS.search(question)
    out: set[str] = set()
    for word in (m.groups() if m else ()):
        stems = terms(word) if word else []
        if not stems or stems[0] in _AUX:
            break
        out.add(stems[0])
    return out


def read_fitted(path: Path, what: str, features: tuple[str, ...], numbers: tuple[str, ...] = (),
                refit: str = "python -m evals.fit_answerer") -> dict:
    """A fitted model's JSON (``rag/fitted/``), checked: readable, with ``version``, its ``weights``
    for exactly the ``features`` the code computes, and each of ``numbers`` a number; a
    ``ConfigError`` naming the file and the fix otherwise."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        for key in ("version", *numbers):
            float(raw[key])
        got, weights = tuple(raw["features"]), [float(w) for w in raw["weights"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the fitted {what} {path} ({exc}); "
                          f"reinstall, or refit with `{refit}`") from exc
    if got != features or len(weights) != len(features):
        raise ConfigError(f"{path} was fitted for features {list(got)}, the code computes "
                          f"{list(features)}; refit with `{refit}`")
    return raw


@dataclass(frozen=True)
class RefusalModel:
    """P(the question is answerable from these passages) = sigmoid(bias + weights . features)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # the default refusal threshold chosen when fitting (see ``fitted_on``)
    version: int
    fitted_on: Mapping[str, object]

    @classmethod
    def load(cls, path: Path = FITTED) -> RefusalModel:
        raw = read_fitted(path, "answerer parameters", FEATURES, ("bias", "threshold"))
        return cls(features=tuple(raw["features"]), weights=tuple(float(w) for w in raw["weights"]),
                   bias=float(raw["bias"]), threshold=float(raw["threshold"]), version=int(raw["version"]),
                   fitted_on=raw.get("fitted_on", {}))

    def probability(self, feats: Mapping[str, float]) -> float:
        z = self.bias + sum(w * feats[name] for name, w in zip(self.features, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
