"""The chat's history kept in the browser (``gr.BrowserState``: the browser's localStorage), so that a
reload of the page or a restart of ``rag ui`` does not empty the conversation.

Only data is kept, never HTML: per answered turn the question, the answer's text with its ``[n]``
markers, the short answer, the notices, whether it was refused, the search query and dates it was read
with, its citations and passages (title, source, date, quote or text, article id and offsets) and the
settings it was asked under. On load the turns go through ``ui.render`` again, exactly as a fresh
answer does, so every article string is escaped there: a stored ``<script>`` is text, as it was.

Nothing is kept on the server, and nothing secret in the browser: no prompt, no key, no server path
(a file source is kept as the page names it, ``business/009.txt``, by ``ui.export.source_name``).
Anything unreadable (another version's shape, a value edited by hand) is dropped with a debug line
and the chat starts empty. The last :data:`MAX_TURNS` turns are kept, fewer when their JSON passes
:data:`MAX_CHARS` (the browser's localStorage holds some 5 MB per site, and the value travels with
every save and page load).

>>> from rag.types import Answer
>>> record = turn_record("Which town?", Answer("Which town?", "Khansir.", False, (), (), {}), {"top_k": 5})
>>> turn_from_record(record)[1].text
'Khansir.'
>>> restored({"version": 0, "turns": [record]})
[]
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from rag.types import Answer, Citation, Passage, TimeWindow
from ui.export import source_name

log = logging.getLogger(__name__)

VERSION = 1  # the stored shape; a value of any other version is dropped
MAX_TURNS = 50  # the most turns kept
MAX_CHARS = 1_000_000  # the most characters of JSON kept (the oldest turns go first)
# gradio encrypts the value with this before it goes into localStorage. It must stay the same across
# restarts (gradio's default is a new random one per app, which made a restart lose the history), and
# it is sent to the page, so it protects nothing: it is no secret, and none is kept with it.
CIPHER = "rag-chat-history"


class Restored(NamedTuple):
    """One turn read back: what ``ui.chat.Turn`` and its chat messages are made from."""

    question: str
    answer: Answer
    options: dict[str, Any]
    follow_up: bool  # earlier turns were sent along with it (its bubble says a rewritten query is one)


def storage_key(home: Path | str, collection: str) -> str:
    """The localStorage key of one collection's chat: the same for every run of the server on that
    collection, another for another collection (its turns cite articles this one may not hold). A
    hash, so that the data directory's path is not written into the page."""
    where = f"{os.path.realpath(home)}\0{collection}".encode()
    return f"rag-chat-{hashlib.sha256(where).hexdigest()[:16]}"


def empty() -> dict[str, Any]:
    """The stored value of an empty chat. Not None: gradio's BrowserState writes no null, so the old
    history would stay in localStorage and come back on the next load."""
    return {"version": VERSION, "turns": []}


# --- saving ------------------------------------------------------------------------------------------------


def _citation(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "article_id": c.article_id, "title": c.title, "source": source_name(c.source),
            "published": c.published, "quote": c.quote, "start": c.start, "end": c.end,
            "also_in": [source_name(s) for s in c.also_in], "author": c.author}


def _passage(p: Passage) -> dict[str, Any]:
    return {"n": p.n, "chunk_id": p.chunk_id, "article_id": p.article_id, "title": p.title,
            "source": source_name(p.source), "published": p.published, "text": p.text, "start": p.start,
            "end": p.end, "author": p.author}


def turn_record(question: str, answer: Answer, options: Mapping[str, Any], follow_up: bool = False) -> dict[str, Any]:
    """One answered turn as JSON-able data (no HTML, no prompt, no server path)."""
    tw = answer.time_window
    total = answer.timings_ms.get("total")
    return {
        "question": question,
        "answer": answer.text,
        "short_answer": answer.short_answer,
        "refused": answer.refused,
        "notices": list(answer.notices),
        "answerer": answer.answerer,
        "search_query": answer.search_query,
        "as_of": answer.as_of.isoformat() if answer.as_of else None,
        "time_window": None if tw is None else {
            "start": tw.start.isoformat() if tw.start else None, "end": tw.end.isoformat() if tw.end else None,
            "phrase": tw.phrase, "recency": tw.recency},
        "total_ms": float(total) if isinstance(total, (int, float)) else None,
        "citations": [_citation(c) for c in answer.citations],
        "passages": [_passage(p) for p in answer.passages],
        "options": {k: options.get(k) for k in ("answerer", "top_k", "sources", "since", "until", "as_of")},
        "follow_up": follow_up,
    }


def dumped(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The value to store for these turn records (oldest first): the last :data:`MAX_TURNS`, fewer
    when their JSON would pass :data:`MAX_CHARS`."""
    kept = list(records[-MAX_TURNS:])
    sizes = [len(json.dumps(r, ensure_ascii=False, separators=(",", ":"))) for r in kept]
    while kept and sum(sizes) > MAX_CHARS:
        kept.pop(0)
        sizes.pop(0)
    return {"version": VERSION, "turns": kept}


# --- restoring ---------------------------------------------------------------------------------------------


def _str(d: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = d.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key}: not a string")
    return value


def _int(d: Mapping[str, Any], key: str) -> int:
    value = d.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key}: not an integer")
    return value


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    if not isinstance(value, list):
        raise ValueError(f"{key}: not a list")
    return value


def _dict(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: not an object")
    return value


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a date: not a string")
    return date.fromisoformat(value)


def _strings(d: Mapping[str, Any], key: str) -> tuple[str, ...]:
    items = _list(d, key)
    if not all(isinstance(s, str) for s in items):
        raise ValueError(f"{key}: not a list of strings")
    return tuple(items)


def _citation_from(value: Any) -> Citation:
    d = _dict(value, "a citation")
    return Citation(_int(d, "n"), _str(d, "article_id"), _str(d, "title"), _str(d, "source"),
                    _str(d, "published", optional=True), _str(d, "quote"), _int(d, "start"), _int(d, "end"),
                    also_in=_strings(d, "also_in"), author=_str(d, "author", optional=True))


def _passage_from(value: Any) -> Passage:
    d = _dict(value, "a passage")
    return Passage(_int(d, "n"), _str(d, "chunk_id"), _str(d, "article_id"), _str(d, "title"), _str(d, "source"),
                   _str(d, "published", optional=True), 0.0, _str(d, "text"), _int(d, "start"), _int(d, "end"),
                   author=_str(d, "author", optional=True))


def _window(value: Any) -> TimeWindow | None:
    if value is None:
        return None
    d = _dict(value, "time_window")
    recency = d.get("recency")
    if not isinstance(recency, bool):
        raise ValueError("time_window.recency: not a boolean")
    return TimeWindow(_day(d.get("start")), _day(d.get("end")), _str(d, "phrase"), recency)


def _options(value: Any) -> dict[str, Any]:
    d = _dict(value, "options")
    top_k = d.get("top_k")
    sources = d.get("sources")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool)):
        raise ValueError("options.top_k: not an integer")
    if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
        raise ValueError("options.sources: not a list of strings")
    out: dict[str, Any] = {"answerer": _str(d, "answerer", optional=True), "top_k": top_k,
                           "sources": list(sources or [])}
    for key in ("since", "until", "as_of"):
        out[key] = _str(d, key, optional=True)
    return out


def turn_from_record(value: Any) -> Restored:
    """One stored turn read back; ``ValueError`` (or ``TypeError``) when it is not what
    :func:`turn_record` writes."""
    d = _dict(value, "a turn")
    refused, follow_up = d.get("refused"), d.get("follow_up", False)
    if not isinstance(refused, bool) or not isinstance(follow_up, bool):
        raise ValueError("refused/follow_up: not a boolean")
    total = d.get("total_ms")
    if total is not None and (not isinstance(total, (int, float)) or isinstance(total, bool)):
        raise ValueError("total_ms: not a number")
    question = _str(d, "question")
    answer = Answer(
        question=question,
        text=_str(d, "answer"),
        refused=refused,
        citations=tuple(_citation_from(c) for c in _list(d, "citations")),
        passages=tuple(_passage_from(p) for p in _list(d, "passages")),
        timings_ms={} if total is None else {"total": float(total)},
        answerer=_str(d, "answerer"),
        search_query=_str(d, "search_query", optional=True),
        notices=_strings(d, "notices"),
        short_answer=_str(d, "short_answer", optional=True),
        as_of=_day(d.get("as_of")),
        time_window=_window(d.get("time_window")),
    )
    return Restored(question, answer, _options(d.get("options")), follow_up)


def restored(value: Any) -> list[Restored]:
    """The turns of a stored value, oldest first (the last :data:`MAX_TURNS`). Nothing stored, an
    empty chat, another version's shape or any malformed turn: no turns (the last two logged at
    debug level; the chat starts empty)."""
    if value is None:
        return []
    try:
        d = _dict(value, "the stored chat")
        if d.get("version") != VERSION:
            raise ValueError(f"version {d.get('version')!r}, not {VERSION}")
        return [turn_from_record(t) for t in _list(d, "turns")[-MAX_TURNS:]]
    except (ValueError, TypeError, OverflowError) as exc:
        log.debug("the chat history stored in the browser is not readable; starting empty: %s", exc)
        return []
