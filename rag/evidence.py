"""Sentence-level evidence: how well each sentence of a passage answers a question, without an LLM.

Shared by the reranker (``rag.retrieve``: a chunk is as good as its best sentence) and the offline
answerer (``rag.extractive``: the best sentences are the answer). A sentence is scored by

* coverage: the IDF-weighted share of the question's content words it contains (``rag.text.terms``:
  porter stems, the stemmer of the lexical index, whose document frequencies give the IDF); half of what an
  adjacent sentence adds counts too, since answers often sit next to the sentence naming the topic,
* answer type (``rag.text.answer_type``): "how many" wants a number, "when" a date, "who"/"where" a name the question does
  not already contain,
* novelty: a sentence that only restates the question answers nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from rag.text import AnswerType, answer_type, is_link_line, is_question, terms

NUM_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions billion billions dozen dozens half"
)
#: number words a claim may state (what a supporting sentence must repeat); "one" is too often a pronoun
NUMBER_WORDS = frozenset(NUM_WORDS.split()) - {"one"}
MONTHS = "january february march april may june july august september october november december"
_DATE = re.compile(
    rf"\b(1[0-9]\d\d|20\d\d|{'|'.join(MONTHS.split())}|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|today|century|centuries|decade|\d{1,2}(st|nd|rd|th)|\d{2,4}s)\b",
    re.I,
)
_NUMBER = re.compile(r"\d|\b(" + "|".join(NUM_WORDS.split()) + r")\b", re.I)
_CAPS = re.compile(r"\b[A-Z][a-zA-Z'’-]+")

UNSEEN_WEIGHT = 0.25
NEIGHBOUR_WEIGHT = 0.5  # share of what an adjacent sentence adds to the coverage


@dataclass(frozen=True)
class Question:
    """A question prepared once: stems, their IDF weights, expected answer type, proper names."""

    text: str
    stems: tuple[str, ...]
    idf: Mapping[str, float]
    atype: AnswerType
    names: tuple[str, ...]  # stems of capitalised words inside the question (not the first word)

    @property
    def total(self) -> float:
        return sum(self.idf.values()) or 1.0


def prepare(
    question: str,
    doc_freqs: Callable[[Sequence[str]], Mapping[str, int]] | None = None,
    n_docs: int = 0,
) -> Question:
    stems = tuple(dict.fromkeys(terms(question)))
    if doc_freqs and n_docs:
        df = doc_freqs(stems)
        # a word no article contains can match no sentence: it says little about which sentence
        # answers, so it weighs a quarter (absent *names* are handled by ``names_absent``)
        idf = {
            s: math.log(1 + (n_docs - df.get(s, 0) + 0.5) / (df.get(s, 0) + 0.5)) * (1.0 if df.get(s) else UNSEEN_WEIGHT)
            for s in stems
        }
    else:
        idf = {s: 1.0 for s in stems}
    words = question.split()
    caps = [w for w in words[1:] if _CAPS.match(w)]
    names = tuple(dict.fromkeys(t for w in caps for t in terms(w)))
    return Question(question, stems, idf, answer_type(question), names)


TYPE_BONUS = 0.12  # a sentence holding the kind of thing asked for (number, date, name)
TYPE_MALUS = 0.10  # ... or lacking it


def has_answer_type(q: Question, text: str) -> bool | None:
    """Whether ``text`` holds the kind of thing the question asks for; None when it asks for no kind."""
    if q.atype == "number":
        return bool(_NUMBER.search(text))
    if q.atype == "date":
        return bool(_DATE.search(text))
    if q.atype == "name":
        q_lower = q.text.lower()
        return any(m.group(0).lower() not in q_lower for m in _CAPS.finditer(text, 1))
    return None


def _type_bonus(q: Question, text: str) -> float:
    ok = has_answer_type(q, text)
    if ok is None:
        return 0.0
    return TYPE_BONUS if ok else -TYPE_MALUS


@dataclass(frozen=True)
class SentenceScore:
    span: tuple[int, int]
    score: float
    coverage: float  # own + half the neighbour's addition, IDF-weighted, 0..1


def score_sentences(q: Question, text: str, offset: int, spans: Sequence[tuple[int, int]]) -> list[SentenceScore]:
    """Score each sentence span (article offsets; ``text`` starts at ``offset``) against ``q``."""
    qset = set(q.stems)
    sents = [text[a - offset : b - offset] for a, b in spans]
    sets = [set(terms(s)) for s in sents]
    own = [math.fsum(q.idf[t] for t in qset & s) / q.total for s in sets]
    out: list[SentenceScore] = []
    for i, (span, sent, s_set) in enumerate(zip(spans, sents, sets, strict=True)):
        if len(sent.split()) < 4 or not s_set or not_a_statement(sent):
            continue
        gain = 0.0
        for j in (i - 1, i + 1):
            if 0 <= j < len(sets):
                gain = max(gain, math.fsum(q.idf[t] for t in qset & (sets[j] - s_set)) / q.total)
        coverage = own[i] + NEIGHBOUR_WEIGHT * gain
        score = coverage + _type_bonus(q, sent)
        if len(s_set - qset) < 2:
            score -= 0.2  # restates the question, answers nothing
        out.append(SentenceScore(span, score, coverage))
    return out


# an editor's note about the article itself ("Correction & clarification: A previous version of this article
# misspelled the name of ...", new user 22's first supporting sentence), and a lead-in that ends on a colon
# ("Here's what to know about Amazon's layoffs:", quoted as an answer): what they introduce is not there
_EDITORS_NOTE = re.compile(r"^\W*(?:corrections?(?:\s*(?:&|and)\s*clarifications?)?|clarifications?|editor['’]?s['’]?\s+note)"
                           r"\s*:", re.I)


#: a photo gallery's controls: "In pictures: Pelé's life Prev Next", "Hide Caption 3 of 18 Photos: ..." (new user 24's
#: answer to "What did Pelé die of?" quoted "Pelé's life in pictures Prev Next")
_GALLERY = re.compile(r"\bPrev\s+Next\W*$|\bHide Caption\s+\d+\s+of\s+\d+")
#: a photo's credit opening its caption: "Edmar Barros/Associated Press Brazilian former President Luiz Inácio "Lula"
#: da Silva greets supporters ..." (new user 26's answer to who won Brazil's runoff, before it was held)
_PHOTO_CREDIT = re.compile(r"^\W*(?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w.'’-]*\s*/\s*(?:The\s+)?(?:Associated Press|AP|Reuters|"
                           r"AFP|EPA|Getty(?:\s+Images)?|Bloomberg|Shutterstock|Pool|Sipa|ZUMA|NurPhoto|SOPA|"
                           r"[A-Z][\w-]*\s+(?:Images|Photos?|Pictures))\b")


def not_a_statement(sentence: str) -> bool:
    """Whether ``sentence`` states nothing an answer could quote: the article's own question ("Who is
    playing Princess Diana in the new season?"), a link to another story or a video player's line
    ("Reaction:WNBA Twitter rejoices in prisoner swap", ``rag.text.is_link_line``), an editor's note on
    the article ("Correction: ..."), a lead-in ending on a colon or a photo gallery's controls ("... Prev Next").

    >>> not_a_statement("Who is playing Princess Diana?"), not_a_statement("Reaction:WNBA Twitter rejoices")
    (True, True)
    >>> not_a_statement("Update: the bridge reopened at noon.")
    False
    >>> not_a_statement("Here's what to know about Amazon's layoffs:"), not_a_statement("Correction: An earlier version ...")
    (True, True)
    >>> not_a_statement("Edmar Barros/Associated Press Brazilian former President Lula greets supporters.")
    True
    """
    text = sentence.strip()
    return is_question(text) or is_link_line(text) or text.endswith(":") or bool(_EDITORS_NOTE.match(text)) \
        or bool(_GALLERY.search(text)) or bool(_PHOTO_CREDIT.match(text))


NAME_SHARE = 0.8  # a word written capitalised at least this often inside the passages' sentences is a name
_MID_WORD = re.compile(r"(?<=[^\s.!?\"“‘(\[])\s+([^\W\d_][\w'’-]*)")  # a word that does not open a sentence


def with_names_from(q: Question, texts: Sequence[str]) -> Question:
    """``q`` with ``names`` read off ``texts`` when it is typed without capitals ("who runs the bank of
    england"): a question word the texts write capitalised inside their sentences (NAME_SHARE of at
    least two uses) is a name, as it would have been written capitalised. A question with capitals
    keeps its own."""
    if q.names or q.text[1:] != q.text[1:].lower():
        return q
    wanted = set(q.stems)
    caps: dict[str, list[int]] = {}
    for text in texts:
        for m in _MID_WORD.finditer(text):
            word = m.group(1)
            for stem in terms(word):
                if stem in wanted:
                    caps.setdefault(stem, [0, 0])[word[0].isupper()] += 1
    names = tuple(s for s in q.stems if s in caps and sum(caps[s]) >= 2 and caps[s][1] >= NAME_SHARE * sum(caps[s]))
    return replace(q, names=names) if names else q


def names_absent(q: Question, texts: Sequence[str]) -> bool:
    """True when the question names things (proper nouns) and none of them occurs in ``texts``:
    "Who is the president of France?" over articles that never mention France."""
    if not q.names:
        return False
    have: set[str] = set()
    for t in texts:
        have.update(terms(t))
    return not any(n in have for n in q.names)
