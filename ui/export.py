"""Copy and download: an answer or a timeline as plain text a researcher can paste, and a timeline
as the JSON ``rag brief --json`` prints.

The page shows answers and timelines as HTML, every article string escaped. Gradio's own copy
button copied a message's HTML as it is (tags, ``&amp;``, no sources). The export is made here
from the typed results (``Answer``, ``Brief``, ``DaySummary``), never from the HTML: it is plain
text, article strings as they are written. :func:`export_html` puts it in the page escaped, in a
hidden ``<pre>`` beside a Copy (and a Download JSON) button; the browser reads it back as the
text it was (``ui.style.JS`` copies it, or saves it as a file).

Sources are named as the page names them (:func:`source_name`): a URL in full, a file on the
server by its folder and name, never by the server's path.

>>> from rag.types import Answer, Citation
>>> c = Citation(1, "a1", "Rebels take <Khansir>", "https://news.example/khansir", "2024-11-24",
...              "Rebels said they had captured the town of Khansir.", 0, 50)
>>> print(answer_text(Answer("Which town?", "Khansir. Rebels said they had captured the town of Khansir [1].",
...                          False, (c,), (), {}, short_answer="Khansir")))
Question: Which town?
<BLANKLINE>
Khansir
Rebels said they had captured the town of Khansir [1].
<BLANKLINE>
Sources
[1] Rebels take <Khansir>
    2024-11-24 · https://news.example/khansir
    “Rebels said they had captured the town of Khansir.”
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from rag.brief import Brief, DaySummary, Event, undated_notice
from rag.brief import brief_json as shared_brief_json
from rag.text import quoted
from rag.types import Answer, Citation
from ui.render import _EMPTY_NOTICE, ASK_INSTEAD, EMPTY_COLLECTION, esc, file_label, rewritten_query

_INDENT = "    "


def source_name(source: str) -> str:
    """A source as the page names it, in full: an http(s) URL as it is (the page shortens it only
    for show), a file by its folder and name (``ui.render.file_label``).

    >>> source_name("https://example.org/a/b/"), source_name("/srv/bbc/business/009.txt")
    ('https://example.org/a/b/', 'business/009.txt')
    """
    parts = urlsplit(source or "")
    return source if parts.scheme in ("http", "https") and parts.netloc else file_label(source)


def notice_text(notice: str) -> str:
    """A library notice in the page's words (the empty collection points at the Collection tab, as
    the page says it); any other notice as it is, a command it quotes in backticks kept as written."""
    return EMPTY_COLLECTION if _EMPTY_NOTICE.match(notice) else notice


def _understood(answer: Answer) -> str:
    """The date the question was read against and what its time words were understood as, as the
    bubble says it ("as of 2022-10-05 · understood: latest")."""
    said = [f"as of {answer.as_of.isoformat()}"] if answer.as_of else []
    tw = answer.time_window
    if tw is not None and tw.label():
        phrase = "; ".join(dict.fromkeys(p.strip() for p in (tw.phrase or "").split(";") if p.strip()))
        said.append(f"understood: {tw.label()}" + (f" ({phrase})" if phrase and phrase != tw.label() else ""))
    return " · ".join(said)


def citations_text(citations: Sequence[Citation], *, dated: bool = True) -> list[str]:
    """Each source once, as ``rag ask`` lists them: ``[n] title``, then its date, where it is and
    its author, then every quote cited from it, then the other outlets of its story."""
    lines: list[str] = []
    for i, c in enumerate(citations):
        if i == 0 or citations[i - 1].n != c.n:  # two quotes of one passage: one [n] head
            lines.append(f"[{c.n}] {c.title or 'Untitled'}")
            where = ([c.published or "undated"] if dated else []) + [source_name(c.source)]
            where += [f"by {c.author}"] if c.author else []
            lines.append(_INDENT + " · ".join(where))
        lines.append(f"{_INDENT}{quoted(_one_line(c.quote))}")
        if c.also_in and (i + 1 == len(citations) or citations[i + 1].n != c.n):
            lines.append(f"{_INDENT}also in: " + ", ".join(source_name(s) for s in c.also_in))
    return lines


def _one_line(text: str) -> str:
    """A quote on one line: a sentence cut by the article's own line breaks reads as one."""
    return " ".join(text.split())


def answer_text(answer: Answer) -> str:
    """The answer as plain text to paste: the question, when it was asked as of (and what its time
    words were understood as), the short answer, the answer with its ``[n]`` markers, its notices,
    then its sources (title, date, URL or file, the exact quoted sentence)."""
    lines = [f"Question: {_one_line(answer.question)}"]
    when = _understood(answer)
    if when:
        lines.append(f"({when})")
    query = answer.search_query or answer.question
    if answer.refused or rewritten_query(query, answer.question):
        lines.append(f"Searched for: {_one_line(query)}")
    lines.append("")
    short = answer.short_label if not answer.refused else None
    if short:  # on a line of its own, as the bubble shows it in bold above the sentences
        lines.append(short)
    lines.append((answer.supporting if short else answer.text).strip())
    if answer.notices:
        lines += ["", *(f"Note: {notice_text(n)}" for n in answer.notices)]
    if answer.citations and not answer.refused:
        lines += ["", "Sources", *citations_text(answer.citations)]
    return "\n".join(lines)


# --- timelines ------------------------------------------------------------------------------------------


def period(result: Brief) -> str:
    """A timeline's period as the page says it: ``2024-11-25 to 2024-12-01`` (an open end: ``…``)."""
    since, until = (d.isoformat() if d else "…" for d in (result.since, result.until))
    return f"{since} to {until}"


def event_text(e: Event) -> list[str]:
    """One event: its date and title, the sentence that states it, and where it is (with the other
    outlets telling the same story)."""
    c = e.citation
    where = source_name(c.source)
    if e.also_in_sources:
        where += " · also in: " + ", ".join(source_name(s) for s in e.also_in_sources)
    return [f"{e.published or 'undated'}  {c.title or 'Untitled'}", f"{_INDENT}{quoted(_one_line(c.quote))}",
            _INDENT + where]


def day_text(d: DaySummary) -> list[str]:
    """One day of an LLM timeline: its verified summary and the sources it cites, or (nothing was
    kept, or the LLM failed) the day's extracted events; its notices either way."""
    lines = [d.day or "undated", *(f"Note: {n}" for n in d.notices)]
    if not d.summarized:
        for e in d.events:
            lines += event_text(e)
        return lines
    lines.append(d.text.strip())
    if d.answerer:
        lines.append(f"(summarised by {d.answerer})")
    return lines + citations_text(d.citations, dated=False)


def timeline_text(result: Brief, days: Sequence[DaySummary] | None = None) -> str:
    """The timeline as plain text to paste: topic, period and story count, then each event oldest
    first (date, title, the cited sentence, where it is), or with ``days`` the LLM's day summaries."""
    n = len(result.events)
    lines = [f"Timeline: “{result.topic}”, {period(result)} ({n} stor{'y' if n == 1 else 'ies'})"]
    if result.notice:  # in the page's words (articles about it stored undated: the Chat tab reads them)
        lines.append(undated_notice(result.undated_about, result.topic, ASK_INSTEAD) if result.undated_about
                     else notice_text(result.notice))
    if result.incomplete:  # days naming the topic in more passages than a brief reads
        lines.append(result.incomplete)
    blocks = [day_text(d) for d in days] if days is not None else [event_text(e) for e in result.events]
    for block in blocks:
        lines += ["", *block]
    return "\n".join(lines)


def brief_json(result: Brief, days: Sequence[DaySummary] | None = None) -> dict[str, Any]:
    """``rag brief --json``'s data for ``result`` (with ``days``: ``rag brief --llm --json``'s), by the
    same serialisation (``rag.brief.brief_json``), with every source named as the page names it
    (:func:`source_name`: a URL in full, a file by its folder and name, not the server's path)."""
    notice = undated_notice(result.undated_about, result.topic, ASK_INSTEAD) if result.undated_about else result.notice
    return shared_brief_json(result, days, notice=notice_text(notice) if notice else None, source=source_name)


def json_file_name(result: Brief) -> str:
    """The downloaded timeline's file name: ``timeline-<topic>-<since>-<until>.json``.

    >>> from datetime import date
    >>> json_file_name(Brief("Hurricane Ian / Florida", date(2022, 9, 22), date(2022, 10, 5), ()))
    'timeline-hurricane-ian-florida-2022-09-22-2022-10-05.json'
    """
    topic = re.sub(r"\W+", "-", result.topic.casefold()).strip("-")[:40].strip("-") or "topic"
    dates = "-".join(d.isoformat() for d in (result.since, result.until) if d)
    return f"timeline-{topic}{'-' + dates if dates else ''}.json"


# --- the page's export controls ----------------------------------------------------------------------------


def export_html(text: str, *, copy_label: str, data: dict[str, Any] | None = None, file_name: str = "") -> str:
    """A Copy button for ``text`` (and with ``data`` a Download JSON button saving it as ``file_name``).
    The text and JSON sit escaped in hidden ``<pre>`` elements beside them: the browser reads them
    back as they were (``ui.style.JS`` does the copying and the saving), and no article string is
    ever markup. Gradio's chat sanitizer keeps ``<button>`` and ``hidden`` (not ``data-*``: the chat
    has no download)."""
    parts = [f'<button type="button" class="rag-copy">{esc(copy_label)}</button>']
    if data is not None:
        parts.append(f'<button type="button" class="rag-download" data-file="{esc(file_name)}">Download JSON</button>')
    parts.append(f'<pre class="rag-plain" hidden>{esc(text)}</pre>')
    if data is not None:
        parts.append(f'<pre class="rag-json" hidden>{esc(json.dumps(data, ensure_ascii=False, indent=2))}</pre>')
    return f'<div class="rag-export">{"".join(parts)}</div>'


def answer_export_html(answer: Answer) -> str:
    """The Copy button under a finished answer (:func:`answer_text`)."""
    return export_html(answer_text(answer), copy_label="Copy with sources")


def timeline_export_html(result: Brief, days: Sequence[DaySummary] | None = None) -> str:
    """Copy and Download JSON under a timeline (:func:`timeline_text`, :func:`brief_json`)."""
    return export_html(timeline_text(result, days), copy_label="Copy as text", data=brief_json(result, days),
                       file_name=json_file_name(result))
