"""Offline follow-up rewriting: turn "what about the day before?" into a standalone search query.

Deterministic: when a question leans on the conversation (a pronoun or "what about" pointing back,
an opening "And", or too few words to name what it is about), the content words of the previous
question and the names in the previous answer are added to it. A question that names its own
subject ("What did the mayor announce?" after a question on a crane collapse: a noun phrase whose
words the conversation has not used) is a new question and is searched as written, whatever came
before, a refused question included. With an LLM configured, ``rag.llm.LLMAnswerer.rewrite`` is
used instead.

>>> rewrite_query("Who said that?", [("Which town did rebels capture south of Aleppo?", "Khansir [1]")])
'Who said that? town rebels capture south Aleppo Khansir'
>>> rewrite_query("What did the mayor announce?", [("Which town did rebels capture?", "Khansir [1]")])
'What did the mayor announce?'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from rag.text import STOPWORDS as _STOP
from rag.text import strip_markers, terms
from rag.timewindow import understand

_REFERS = re.compile(
    r"\b(he|she|it|its|they|them|their|his|her|hers|this|these|those|then|the same|what about|"
    r"how about|and the|before|after|earlier|later|him)\b",
    re.I,
)
# "that" and "there" point back ("Who said that?", "How many were killed there?") except as a relative
# pronoun after a noun phrase ("the crane that collapsed") and in "is there" / "there were"
_THAT = re.compile(r"\bthat\b", re.I)
_RELATIVE_BEFORE = re.compile(r"\b(?:the|an?)\s+(?:[A-Za-z0-9'’-]+\s+){1,3}$", re.I)
_THERE = re.compile(r"\bthere\b", re.I)
_EXISTENTIAL = re.compile(r"\b(?:is|are|was|were|be|been)\s+there\b|\bthere\s+(?:is|are|was|were|has|have|had|will)\b",
                          re.I)
# what points at something the last turn named: "she", "that", "there", "the day before"; not "what
# about" or an opening "And", which carry on the last turn's question but may name a new subject
_POINTS = re.compile(
    r"\b(he|she|it|its|they|them|their|his|her|hers|him|this|these|those|that|there|then|the same|before|"
    r"after|earlier|later)\b", re.I)
# "the spring one(s)": a noun of the last question, with another word before it
_ONE = re.compile(r"\b(?:the|a|an)\s+[A-Za-z][\w'’-]*\s+ones?\b", re.I)
# "the autumn conference": a word before a noun, which such a question replaces
_MODIFIED = re.compile(r"\b(?:the|a|an|this|that|its|their)\s+([A-Za-z][\w'’-]*)\s+[A-Za-z][\w'’-]*", re.I)
_OPENS_ON = re.compile(r"^\s*(?:and|but)\b", re.I)  # "And when?", "But who paid?": carries on the last turn
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]{2,}\b")
# capitalised, but a date, not what a question is about ("How many were hurt on Sunday?")
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december today yesterday tomorrow".split())
# a noun phrase the question names: a determiner and the (up to three) content words after it
_PHRASE = re.compile(r"\b(?:the|an?)\s+((?:[A-Za-z0-9][A-Za-z0-9'’-]*\s*){1,3})", re.I)
# "What was the turnout?", "Who is the mayor?", "How big was the crowd?": an attribute of something
# the question leaves unsaid (the turnout of which election?), so it reads on from the last turn
_ATTRIBUTE = re.compile(
    r"^\s*(?:what|who|which|whose|where|when|why|how(?:\s+[a-z]+)?)(?:\s+(?:is|was|are|were)|['’]s)"
    r"\s+(?:the|an?)\s+(?P<np>[A-Za-z0-9'’ -]+?)\s*[?.!]*\s*$", re.I)


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2]


def _names(text: str) -> list[str]:
    """Capitalised words past the first character that are not days, months or "Today"."""
    return [w for w in _NAME.findall(text[1:]) if w.lower() not in _CALENDAR]


def refers_back(question: str) -> bool:
    """A pronoun or phrase pointing at the conversation ("she", "that", "what about", "the day before"),
    or an opening "And"/"But"."""
    if _REFERS.search(question) or _OPENS_ON.match(question):
        return True
    for m in _THAT.finditer(question):
        if not (_RELATIVE_BEFORE.search(question[: m.start()]) and re.match(r"\s+\w", question[m.end():])):
            return True
    existential = [range(*e.span()) for e in _EXISTENTIAL.finditer(question)]
    return any(not any(m.start() in span for span in existential) for m in _THERE.finditer(question))


def names_own_subject(question: str, context: Sequence[str] = ()) -> bool:
    """Whether ``question`` names what it is about: a noun phrase ("the mayor", "the croissant") with a
    word that ``context`` (the words a rewrite would add) lacks, in a question that says more than
    "what was the X" (an attribute of something unsaid: "What was the turnout?")."""
    m = _ATTRIBUTE.match(question)
    if m and not any(w.lower() in _STOP for w in _WORD.findall(m.group("np"))):
        return False
    known = set(terms(" ".join(context)))
    for p in _PHRASE.finditer(question):
        words = []
        for w in _WORD.findall(p.group(1)):
            if w.lower() in _STOP:
                break
            words.append(w)
        if any(len(w) > 2 and not set(terms(w)) <= known for w in words):
            return True
    return False


def needs_context(question: str, history: Sequence[tuple[str, str]] = ()) -> bool:
    """Whether ``question`` leans on the conversation ``history`` ((question, answer) turns, oldest
    first): it refers back ("she", "that", "what about", "And when?"), or says too little to stand
    alone ("Who won?", "How many were hurt?", "What was the turnout?"), unless it names something
    ("What is the latest on Aleppo?") or a subject the conversation has not been about ("What did
    the mayor announce?" after a question on a crane collapse)."""
    return _leans_on(question, _added(history, question))


def _leans_on(question: str, added: Sequence[str]) -> bool:
    """``needs_context`` given the words a rewrite would add."""
    if refers_back(question):
        return True
    if len(_content(question)) >= 3 or _names(question):
        return False
    return not names_own_subject(question, added)


def _added(history: Sequence[tuple[str, str]], question: str = "") -> list[str]:
    """The words a rewrite of ``question`` adds from the last turn of ``history``: the content words
    of its question as that was searched, then the names in its answer. A question that names a new
    subject in the last one's frame ("What about Time Warner?" after "Who runs British Airways?")
    takes the frame's words only: the old subject's names and the answer about it would outweigh the
    new one (and every later turn would carry them on). A question that says what it asks for
    ("And which town gets the spring one?") takes no names from the last answer ("Manchester" was
    the autumn one's town)."""
    if not history:
        return []
    prev_q, prev_a = history[-1]
    # the previous question as it was searched: a follow-up of a follow-up ("Who did she beat?", then
    # "What was the turnout?") keeps the topic of the first ("Greenfield election"), not only "beat";
    # a question that stood alone was searched as written, so a refused one passes on its own words only
    prev_q = rewrite_query(prev_q, history[-MAX_TURNS:-1])
    pointer = bool(_POINTS.search(question))
    if _ONE.search(question):  # "the spring one" after "the autumn conference": "conference", not "autumn"
        replaced = {m.group(1).lower() for m in _MODIFIED.finditer(prev_q) if m.group(1).lower() not in _STOP}
        prev_q = " ".join(w for w in prev_q.split() if w.lower().strip("?.,!") not in replaced)
    if _names(question) and not pointer:
        old = {w.lower() for w in _names(prev_q)}
        return [w for w in _content(prev_q) if w.lower() not in old]
    if not pointer and len(_content(question)) >= 3:
        return _content(prev_q)
    names = [w for w in _NAME.findall(strip_markers(prev_a or ""))
             if w.lower() not in _STOP and w.lower() not in _CALENDAR]  # not "The", not "Sunday"
    return _content(prev_q) + names[:5]


def rewrite_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Standalone query for ``question`` given (question, answer) turns, oldest first: the question as
    written when it stands alone, else with the last turn's words added (``needs_context``). A
    question after a refused answer gets the refused question's words only when it is a follow-up."""
    if not history:
        return question
    added = _added(history, question)
    if not _leans_on(question, added):
        return question
    have = {w.lower() for w in _content(question)}
    extra: list[str] = []
    for w in added:
        if w.lower() not in have and w.lower() not in {e.lower() for e in extra}:
            extra.append(w)
    return f"{question} {' '.join(extra[:MAX_EXTRA])}".strip() if extra else question


_PERSON = re.compile(r"\b(he|she|him|her|hers|his|they|them|their)\b", re.I)


def points_at_nothing(question: str, history: Sequence[tuple[str, str]] = ()) -> str | None:
    """The pronoun of a first question that says too little to tell whom it means ("How fast was
    she?", "Who did they beat?": no name, under three content words), else None. The answer is
    then a guess at who is meant, and the reader is told so."""
    m = _PERSON.search(question)
    if history or m is None or _names(question) or len(_content(question)) >= 3:
        return None
    return m.group(1).lower()


# what a follow-up about another time may say besides the time: "And ...?", "What about ...?"
_SHIFT_FILLER = re.compile(r"^\s*(?:and|but|so|ok|okay)?\s*(?:what|how)?\s*(?:about)?\s*", re.I)
# "the week before", "the day before": one period earlier than the last question's
_BEFORE = re.compile(r"^(?:the\s+)?(?P<unit>day|week|month|year)\s+(?:before|earlier|prior)$", re.I)
_UNIT_OF = {"today": "day", "yesterday": "day"}
_EARLIER = {  # the last question's period -> the one before it, in words ``rag.timewindow`` reads
    "today": "yesterday", "yesterday": "2 days ago", "this week": "last week", "last week": "2 weeks ago",
    "this month": "last month", "last month": "2 months ago", "this year": "last year", "last year": "2 years ago",
}


def time_shift(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The last question asked again about another time, when ``question`` names only a time ("And
    last week?", "What about the week before?", "And on Sunday?" after "What happened this week?"):
    "What happened last week?". The time words replace the last question's own (or are added); "the
    week before" is the period before the last question's ("this week" -> "last week"). None when the
    follow-up says anything else, or there is no last question. (Only the words of a period are read
    here, so today's date stands in for ``as_of``.)"""
    if not history:
        return None
    rest = _SHIFT_FILLER.sub("", question.strip().rstrip("?!. ")).strip()
    if not rest:
        return None
    prev = history[-1][0].strip()
    prev = time_shift(prev, history[-MAX_TURNS:-1]) or prev  # "And the week before?" after "And last week?"
    prev_window = understand(prev, date.today())
    old = prev_window.phrase if prev_window and prev_window.phrase and ";" not in prev_window.phrase else None
    before = _BEFORE.match(rest)
    if before:
        unit = before.group("unit").lower()
        said = (old or "").lower()
        key = next((k for k in _EARLIER if said.endswith(k) and _UNIT_OF.get(k, k.split()[-1]) == unit), None)
        if key is None:
            return None  # "the week before" of a question with no such period: not read here
        new = _EARLIER[key]
    else:
        window = understand(rest, date.today())
        if window is None or window.phrase is None or len(window.phrase) < len(rest) - 3:
            return None  # more than a time: "And the mayor last week?" is a follow-up of its own
        new = rest
    if old and old in prev:
        return prev.replace(old, new, 1)
    body = prev.rstrip("?!. ")
    return f"{body} {new}?"


_TIME_WORDS = frozenset("day days week weeks weekend month months year years latest news ago".split())
_POINTER_TOPIC = frozenset("it that this them they these those him her he she".split())


def topic_of_pointer(topic: str | None, history: Sequence[tuple[str, str]]) -> str | None:
    """The catch-up topic a pronoun stands for ("What is the latest on it?" after "Who won the
    Powerball jackpot?": "Powerball"): the last question's names, else its first content words, as
    it was searched. ``topic`` itself when it is no pronoun; None when there is nothing to stand for."""
    if topic is None or topic.lower() not in _POINTER_TOPIC:
        return topic
    if not history:
        return None
    prev = time_shift(history[-1][0], history[-MAX_TURNS:-1]) or rewrite_query(history[-1][0], history[-MAX_TURNS:-1])
    words = [w for w in _content(prev) if w.lower() not in _CALENDAR and w.lower() not in _TIME_WORDS]
    names = [w for w in words if w[:1].isupper()]
    return " ".join(dict.fromkeys(names or words[:3])) or None


MAX_TURNS = 4  # earlier turns a follow-up's topic is looked for in
MAX_EXTRA = 12  # words added to a follow-up at most
