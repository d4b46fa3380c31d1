"""Offline follow-up rewriting: turn "what about the day before?" into a standalone search query.

Deterministic: when a question leans on the conversation (pronouns, "what about", very few content
words), the content words of the previous question and the names in the previous answer are added
to it. With an LLM configured, ``rag.llm.LLMAnswerer.rewrite`` is used instead.

>>> rewrite_query("Who said that?", [("Which town did rebels capture south of Aleppo?", "Khansir [1]")])
'Who said that? town rebels capture south Aleppo Khansir'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text import STOPWORDS as _STOP
from rag.text import strip_markers

_REFERS = re.compile(
    r"\b(he|she|it|its|they|them|their|his|her|hers|this|that|these|those|there|then|the same|what about|"
    r"how about|and the|before|after|earlier|later|him)\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]{2,}\b")


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2]


def needs_context(question: str) -> bool:
    """Whether ``question`` leans on the conversation: it refers back ("she", "that", "what about"),
    or says too little to stand alone ("Who won?"), unless it names something ("What is the latest
    on Aleppo?" is a new question, not a follow-up)."""
    if _REFERS.search(question):
        return True
    return len(_content(question)) < 3 and not _NAME.search(question, 1)


def rewrite_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Standalone query for ``question`` given (question, answer) turns, oldest first."""
    if not history or not needs_context(question):
        return question
    prev_q, prev_a = history[-1]
    # the previous question as it was searched: a follow-up of a follow-up ("Who did she beat?", then
    # "What was the turnout?") keeps the topic of the first ("Greenfield election"), not only "beat"
    prev_q = rewrite_query(prev_q, history[-MAX_TURNS:-1])
    have = {w.lower() for w in _content(question)}
    extra: list[str] = []
    for w in _content(prev_q) + _NAME.findall(strip_markers(prev_a or ""))[:5]:
        if w.lower() not in have and w.lower() not in {e.lower() for e in extra}:
            extra.append(w)
    return f"{question} {' '.join(extra[:MAX_EXTRA])}".strip() if extra else question


MAX_TURNS = 4  # earlier turns a follow-up's topic is looked for in
MAX_EXTRA = 12  # words added to a follow-up at most
