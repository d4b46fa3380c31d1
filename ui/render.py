"""Pure functions that turn answers, sources and ingest results into safe HTML for the chat UI.

Article text is untrusted: every piece of it (titles, sources, passages, quotes, the answer text,
which repeats article sentences) goes through ``html.escape`` before any markup of ours is added,
so ``<script>``, ``<img onerror=...>`` or a markdown link inside an article shows up as text.
Highlights are placed by offset on the raw text and each segment is escaped on its own, so an
escaped entity can never be cut in half by a ``<mark>``.

>>> highlight("a <b> c", [(2, 5)])
'a <mark>&lt;b&gt;</mark> c'
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from index.db import ArticleInfo, StoryVersion
from index.types import STATUSES, ItemResult, grouped_words
from index.load import is_url
from rag.brief import UNDATED as SAID_UNDATED
from rag.service import twin_named
from rag.text import MARKER, marker_numbers
from rag.verify import quoted_marker
from rag.types import Answer, Citation, Filters, Passage


def esc(text: object) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


def hide_home(text: str, home: Path | str) -> str:
    """``text`` with the data directory's path replaced by ``$RAG_HOME`` (error messages name files
    in it; the browser needs the file, not where the server keeps it)."""
    for spelling in sorted({str(home), os.path.realpath(home)}, key=len, reverse=True):
        text = text.replace(spelling, "$RAG_HOME")
    return text


def _lines(text: str) -> str:
    return esc(text).replace("\n", "<br>")


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with each ``(start, end)`` span (offsets into ``text``) wrapped in ``<mark>``."""
    merged: list[list[int]] = []
    for s, e in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [esc(text[pos:s]), "<mark>", esc(text[s:e]), "</mark>"]
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def quote_span(passage: Passage, citation: Citation) -> tuple[int, int] | None:
    """The citation's quote as offsets into ``passage.text`` (it carries article offsets)."""
    s, e = citation.start - passage.start, citation.end - passage.start
    if 0 <= s < e <= len(passage.text) and passage.text[s:e] == citation.quote:
        return s, e
    i = passage.text.find(citation.quote) if citation.quote else -1  # defensive: spans should always agree
    return (i, i + len(citation.quote)) if i >= 0 else None


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def with_markers(text: str, numbers: Iterable[int], turn: int, quoted: Sequence[str] = ()) -> str:
    """Escaped ``text`` whose ``[n]`` markers for known passages link to their source card.

    ``quoted``: the passages' texts. A ``[n]`` that sits inside text copied verbatim from one of them
    is the article's own bracket (a footnote, "see [2]"), not a citation, and stays plain text."""
    known = set(numbers)
    out, pos = [], 0
    for m in MARKER.finditer(text):
        ns = marker_numbers(m.group(0))
        if not all(n in known for n in ns) or quoted_marker(text, m.start(), m.end(), quoted):
            continue
        out.append(_lines(text[pos : m.start()]))
        out.append("".join(f'<a class="rag-cite" href="#{anchor(turn, n)}">[{n}]</a>' for n in ns))
        pos = m.end()
    out.append(_lines(text[pos:]))
    return "".join(out)


def streaming_html(partial: str) -> str:
    """An answer still arriving from the LLM: its draft as escaped text, marked as not yet checked
    (the verified answer replaces it; a sentence no passage supports will be gone)."""
    return ('<div class="rag-answer rag-draft"><div class="rag-draft-label">Draft, being checked against the '
            f'sources…</div>{_lines(partial)}<span class="rag-cursor">▍</span></div>')


def pending_html(writer: str | None = None) -> str:
    """An answer being made. ``writer``: the LLM that writes it after the search (None: offline, which
    takes a second). A local model took 30 s on a CPU behind a bare "Searching…", which read as
    stuck: the bubble names who is writing, and the page counts the seconds (``rag-elapsed``,
    ticked by ``ui.style.JS``)."""
    doing = ("Searching the articles and reading the passages…" if writer is None else
             f"Searching the articles; then {esc(writer)} writes the answer, checked against the passages "
             "(on a CPU this can take a minute)…")
    return f'<div class="rag-answer rag-pending">{doing}<span class="rag-elapsed"></span></div>'


def stopped_html() -> str:
    """An answer stopped before it was done: an LLM's draft was never checked, so none of it is shown."""
    return ('<div class="rag-answer rag-refused rag-stopped">Stopped before the answer was checked against '
            "the sources; ask again for an answer.</div>")


def waiting_html() -> str:
    """A question asked while another answer ran: it is answered next (its own bubble, not "Searching…")."""
    return ('<div class="rag-answer rag-waiting">Waiting: asked as soon as the answer above is done. '
            "Stop takes it back into the question box.</div>")


def unfinished(content: str) -> bool:
    """Whether a chat message is still "Searching…" or an unchecked draft (ours: article text is escaped,
    so it cannot carry these class attributes)."""
    return content.startswith(('<div class="rag-answer rag-pending">', '<div class="rag-answer rag-draft">'))


_QUERY_SHOWN = 300  # characters of a search query shown; the rest (a pasted article, say) is elided


def shown_query(query: str) -> str:
    """A search query as the page shows it: escaped, a very long one cut short (it had pushed every
    source card out of the panel)."""
    query = " ".join(query.split())
    return esc(query if len(query) <= _QUERY_SHOWN else query[: _QUERY_SHOWN - 1].rstrip() + "…")


_QUESTION_SHOWN = 600  # characters of a question shown in its bubble; the rest folds away


def question_html(question: str) -> str:
    """A question's chat bubble, escaped. A pasted article (100 KB of text) filled the chat with one
    bubble; past ``_QUESTION_SHOWN`` characters the rest is folded into a "show all" that opens in place."""
    if len(question) <= _QUESTION_SHOWN:
        return esc(question)
    cut = question.rfind(" ", 0, _QUESTION_SHOWN)
    cut = cut if cut > _QUESTION_SHOWN // 2 else _QUESTION_SHOWN
    return (f'{esc(question[:cut])}… <details class="rag-more"><summary>show all '
            f"({len(question):,} characters)</summary>{esc(question[cut:])}</details>")


#: the empty collection as the page tells it: the library's notice says to add articles, and the page
#: says where (its notice named the CLI, `rag ingest ...`, which showed in the chat with its backticks)
EMPTY_COLLECTION = ("The collection is empty: add articles in the Collection tab (upload files or paste URLs, "
                    "then press “Add to collection”, or watch a feed under “Watched feeds”).")
_EMPTY_NOTICE = re.compile(r"^\s*the collection is empty\b", re.I)
#: the same for a timeline of a collection without dates (``rag.brief.UNDATED``; it pointed at `rag ask`)
UNDATED = ("No article in the collection has a date, and a timeline lists the articles published in a period: "
           "add dated articles (a date field, HTML date metadata, a <code>date YYYY-MM-DD</code> line), or ask "
           "in the Chat tab, which reads undated articles too.")
#: how this page asks a question of undated articles (``rag.brief.ASK_INSTEAD``: "3 articles about
#: “Yukos” carry no publication date, ...")
ASK_INSTEAD = "ask in the Chat tab instead, which reads undated articles too"
_CODE = re.compile(r"`([^`\n]+)`")


def page_text(message: str) -> str:
    """A message of the library (a notice, an error) as HTML for this page: escaped, its line breaks
    kept, a command or value it quotes in backticks (``rag reindex``) set as code instead of showing
    the backticks, and the empty-collection and undated-collection notices in the page's own words
    (:data:`EMPTY_COLLECTION`, :data:`UNDATED`).

    >>> page_text("run `rag reindex` <now>")
    'run <code>rag reindex</code> &lt;now&gt;'
    """
    if _EMPTY_NOTICE.match(message):
        return esc(EMPTY_COLLECTION)
    if message.strip() == SAID_UNDATED:
        return UNDATED
    # escaped first: a backtick is no markup of its own
    return _CODE.sub(r"<code>\1</code>", _lines(message))


def error_html(message: str) -> str:
    return f'<div class="rag-error">⚠ {page_text(message)}</div>'


def notices_html(notices: Sequence[str]) -> str:
    return "".join(f'<div class="rag-notice">⚠ {page_text(n)}</div>' for n in notices)


def answer_html(answer: Answer, turn: int, filtered: bool = False, follow_up: bool = False) -> str:
    """The chat bubble: answer with linked markers, notices, and the search query on demand.
    ``filtered``: source or date filters were set (a refusal with no passage then points at them);
    ``follow_up``: earlier turns were sent along, so a search query unlike the question is their
    rewrite (without them it is the question's own topic, e.g. of "What is the latest on X?")."""
    body = with_markers(answer.supporting, [p.n for p in answer.passages], turn, [p.text for p in answer.passages])
    short = "" if answer.refused or not answer.short_answer else f'<div class="rag-short"><b>{esc(answer.short_label)}</b></div>'
    parts = [f'{short}<div class="rag-answer">{body}</div>', notices_html(answer.notices)]
    query = answer.search_query or answer.question
    rewritten = follow_up and rewritten_query(query, answer.question)
    if answer.refused:
        where = ("the closest passages are in the sources panel." if answer.passages else
                 "no passage matched it under the sources and dates set in Settings." if filtered else
                 "no passage matched it.")
        parts.append(
            f'<div class="rag-refused">No supported answer in the articles. Searched for: '
            f'<q>{shown_query(query)}</q> — {where}{understood_html(answer)}</div>'
        )
    else:
        label = "Search query (rewritten from your follow-up)" if rewritten else "Search query"
        ms = answer.timings_ms.get("total")
        took = f" · {ms:.0f} ms" if ms is not None else ""
        # the dates the question was read as stay in sight, as the CLI's dim last line: folded into
        # the search query's details, "And the week before?" gave no sign of which week it meant
        parts.append(understood_html(answer))
        parts.append(
            f'<details class="rag-query"><summary>{label} · {esc(answer.answerer)}{took}</summary>'
            f"<q>{shown_query(query)}</q></details>"
        )
    return "".join(parts)


def rewritten_query(query: str, question: str) -> bool:
    """Whether the searched ``query`` was made from the conversation rather than from ``question``
    alone: a catch-up question is searched by its own topic ("Walmart" of "What is the latest on
    Walmart?"), which was called "rewritten from your follow-up" once the chat had a turn before it."""
    q, asked = " ".join(query.split()).casefold(), " ".join(question.split()).casefold()
    return bool(q) and q != asked and q not in asked


_PHRASE_SHOWN = 80  # characters of the time words quoted after "understood: ..."


def understood_html(answer: Answer) -> str:
    """What the question's time expressions were read as ("understood: 2024-11-25 .. 2024-12-01").
    The phrase is quoted once per distinct expression and cut short: a long question saying "over
    the past several months" twelve times had it quoted twelve times, under the answer and the sources."""
    tw = answer.time_window
    if tw is None or not tw.label():
        return ""
    said = "; ".join(dict.fromkeys(p.strip() for p in (tw.phrase or "").split(";") if p.strip()))
    if len(said) > _PHRASE_SHOWN:
        said = said[: _PHRASE_SHOWN - 1].rstrip() + "…"
    phrase = f" (<q>{esc(said)}</q>)" if said and said != tw.label() else ""  # not "latest (latest)"
    return f'<div class="rag-understood">understood: {esc(tw.label())}{phrase}</div>'



def source_text(source: str) -> str:
    """A source as the page names it (plain text, not escaped): an http(s) URL by its host and path,
    a file on the server by its folder and name (:func:`file_label`).

    >>> source_text("/srv/bbc/business/009.txt"), source_text("https://example.org/a/b/")
    ('business/009.txt', 'example.org/a/b')
    """
    parts = urlsplit(source or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        shown = (parts.netloc + parts.path).rstrip("/")
        return shown if len(shown) <= 70 else shown[:67] + "…"
    return file_label(source)


#: the folder uploads are kept in (``$RAG_HOME/uploads``: ``ui.uploads``, and the REST API's uploads)
UPLOADS = "uploads"
_FOLDER_SHOWN = 40  # characters of a file's folder shown before its name


def file_label(source: str) -> str:
    """A local file as the page names it: its folder and name (``/srv/bbc/business/009.txt`` ->
    ``business/009.txt``). By its name alone, five BBC articles all read "009.txt" (business/,
    politics/, tech/...): one folder tells them apart, and the folders above it, where the server
    keeps them, stay off the page. An upload is named as it was uploaded (``report.pdf``): its
    folder is the data directory's ``uploads``, which says nothing the user does not know.

    >>> file_label("/srv/rag/uploads/report.pdf"), file_label("/srv/bbc/tech/009.txt#2"), file_label("a.txt")
    ('report.pdf', 'tech/009.txt#2', 'a.txt')
    """
    *folders, name = re.split(r"[/\\]", source or "")
    folder = folders[-1] if folders else ""
    if not name or not folder or folder == UPLOADS:
        return file_name(source)
    if len(folder) > _FOLDER_SHOWN:
        folder = folder[: _FOLDER_SHOWN - 1] + "…"
    return f"{folder}/{name}"


def source_link(source: str) -> str:
    """A link for http(s) sources (opened in a new tab, no referrer); anything else as its folder and
    file name (:func:`source_text`), escaped."""
    parts = urlsplit(source or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return (f'<a href="{esc(source)}" target="_blank" rel="noopener noreferrer nofollow">'
                f"{esc(source_text(source))}</a>")
    return f'<span class="rag-path">{esc(source_text(source))}</span>'


def file_name(source: str) -> str:
    """The last component of a local path (``/srv/rag/uploads/a.txt#3`` -> ``a.txt#3``)."""
    return re.split(r"[/\\]", source or "")[-1] or "(unnamed)"


def _card(p: Passage, cites: Sequence[Citation], turn: int, anchored: bool = True) -> str:
    """One passage's card. ``anchored``: with the id the answer's [n] markers link to; the passages of
    an answer still being written (or stopped) have no markers, and no id an answer's cards could be
    taken for."""
    spans = [s for c in cites if (s := quote_span(p, c)) is not None]
    text = p.text.strip()  # chunks may start on a line break; offsets shift with the trim
    lead = len(p.text) - len(p.text.lstrip())
    spans = [(s - lead, e - lead) for s, e in spans]
    meta = " · ".join([esc(p.published or "undated"), source_link(p.source)])
    if p.author:  # as the collection list shows it: source · author
        meta += f" · {esc(p.author)}"
    also = tuple(dict.fromkeys(src for c in cites for src in c.also_in))  # the same story from other outlets
    if also:
        meta += " · also in: " + ", ".join(source_link(src) for src in also)
    cls = "rag-source cited" if cites else "rag-source"
    # tabindex -1: a [n] marker moves keyboard focus here (ui.style.JS), not only the scroll
    target = f' id="{anchor(turn, p.n)}" tabindex="-1"' if anchored else ""
    return (
        f'<article class="{cls}"{target}>'
        f'<header><span class="rag-n">[{p.n}]</span> <span class="rag-title">{esc(p.title or "Untitled")}</span></header>'
        f'<div class="rag-meta">{meta}</div>'
        f'<div class="rag-passage">{highlight(text, spans)}</div></article>'
    )


def sources_pending_html() -> str:
    """The sources panel while an answer is being made (it said "Ask a question" to someone who had)."""
    return '<div class="rag-sources rag-empty rag-pending">Finding the passages for this question…</div>'


def _found(passages: Sequence[Passage], question: str) -> str:
    n = len(passages)
    return f"Found {n} passage{'s' * (n != 1)} for <q>{shown_query(question)}</q>"


def sources_reading_html(passages: Sequence[Passage], question: str) -> str:
    """The sources panel while an LLM writes the answer: the passages retrieved for it, known before
    its first word ("Finding the passages…" stood over a draft already written from them). None is
    marked as cited yet: the answer is checked against them once it is written. "The best of them": a
    local model is given the first few only (``RAG_LOCAL_TOP_K``). The head is ``rag-pending``: the
    page's live region reads it out, and "Found …" again when the answer is done."""
    head = (f'<div class="rag-sources-head rag-pending">{_found(passages, question)}; the answer is being '
            "written from the best of them. The sentences it cites are highlighted once it has been checked.</div>")
    return f'<div class="rag-sources rag-reading">{head}{"".join(_card(p, (), 0, False) for p in passages)}</div>'


def sources_stopped_html(passages: Sequence[Passage], question: str) -> str:
    """The sources panel after Stop, when the passages had been found: those passages, with a note
    that the answer was stopped (it stayed on "Finding the passages…" for good)."""
    head = f'<div class="rag-sources-head">{_found(passages, question)}</div>'
    note = ('<p class="rag-refused rag-stopped">The answer was stopped before it was checked against '
            "these passages, so none is cited; ask again for an answer.</p>")
    return f'<div class="rag-sources">{head}{note}{"".join(_card(p, (), 0, False) for p in passages)}</div>'


def sources_failed_html() -> str:
    """The sources panel when the question could not be answered (the chat says why): it stayed on
    "Finding the passages for this question…" as if still searching."""
    return '<div class="rag-sources rag-empty">No passages: this question could not be answered (see the chat).</div>'


def sources_html(answer: Answer | None, turn: int = 0) -> str:
    """The sources panel for one answer: cited passages with the quote highlighted, then the rest."""
    if answer is None:
        return ('<div class="rag-sources rag-empty">Ask a question: the passages an answer rests on '
                "appear here, with the cited sentence highlighted.</div>")
    query = answer.search_query or answer.question
    head = f'<div class="rag-sources-head">Searched for <q>{shown_query(query)}</q>{understood_html(answer)}</div>'
    if not answer.passages:
        return f'<div class="rag-sources">{head}<p class="rag-empty">No passage matched the search and filters.</p></div>'
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    cited = [p for p in answer.passages if p.n in by_n]
    rest = [p for p in answer.passages if p.n not in by_n]
    parts = [head]
    if answer.refused:
        parts.append('<p class="rag-refused">No passage supports an answer. These came closest:</p>')
        parts += [_card(p, (), turn) for p in rest]
    else:
        parts += [_card(p, by_n[p.n], turn) for p in cited]
        if rest:
            parts.append(f"<details><summary>Other retrieved passages ({len(rest)})</summary>")
            parts += [_card(p, (), turn) for p in rest]
            parts.append("</details>")
    return f'<div class="rag-sources">{"".join(parts)}</div>'


def settings_html(answerer: str, top_k: int, filters: Filters, articles: int | None,
                  as_of: date | None = None) -> str:
    """The one-line summary of the settings in force, shown above the chat. ``as_of`` (when set) is
    named too: it changes what "latest" and "this week" mean, and on a phone the sidebar is closed.
    ``articles``: the collection's size, None when it could not be counted (the count is left out)."""
    sources = ", ".join(filters.sources) if filters.sources else "all sources"
    lo, hi = filters.published_from, filters.published_to
    dates = "any date" if not (lo or hi) else f"{lo.isoformat() if lo else '…'} to {hi.isoformat() if hi else '…'}"
    items = [answerer, f"{top_k} passage{'s' * (top_k != 1)}", sources, dates]
    items += [f"as of {as_of.isoformat()}"] if as_of else []
    items += [f"{articles} article{'s' * (articles != 1)}"] if articles is not None else []
    return '<div class="rag-settings">' + "".join(f"<span>{esc(i)}</span>" for i in items) + "</div>"


_STATUS_ORDER = STATUSES  # "skipped": files of a folder whose type is not read (index.types.Skipped)


def ingest_html(results: Sequence[ItemResult], done: int | None = None, total: int | None = None,
                limit: int = 200, unit: str = "items", notices: Sequence[str] = (),
                counted: str | None = None) -> str:
    """Per-item ingest results: status, title or item, chunks, reason. Past ``limit`` rows, failures
    are all kept and the other rows are the most recent ones (a dump can hold thousands). ``done`` of
    ``total`` counts ``unit`` (a feed poll counts feeds); ``counted`` says it in other words ("1 of at
    least 3 items": ``ui.progress.Expected.counted``). ``notices``: what the ingest told that is no
    failure (a feed cut at RAG_FEED_MAX_ITEMS, a front page given instead of its feed)."""
    if not results and done is None and counted is None:
        return '<div class="rag-empty">Upload files or paste URLs, then press Add.</div>'
    counts = {s: sum(r.status == s for r in results) for s in _STATUS_ORDER}
    finished = done is not None and total is not None and done >= total
    # "40 added (5 grouped with a story already stored)", as the CLI says it: the page said only "40 added"
    # (new user 20)
    grouped = grouped_words({"grouped": sum(r.status == "added" and r.grouped for r in results)})
    summary = " · ".join(f"{n} {s}{grouped if s == 'added' else ''}" for s, n in counts.items() if n) \
        or ("nothing new" if finished else "working…")
    if counted is not None:
        summary = f"{counted} · {summary}"
    elif done is not None:
        summary = (f"{done}/{total} {unit} · " if total else f"{done} {unit} · ") + summary
    shown = list(results)
    if len(shown) > limit:
        failed = [r for r in shown if r.status == "failed"]
        rest = [r for r in shown if r.status != "failed"]
        keep = {id(r) for r in failed + rest[len(rest) - max(limit - len(failed), 0):]}
        shown = [r for r in shown if id(r) in keep]
        summary += f" (showing {len(shown)} of {len(results)}: every failure, the latest others)"
    rows = "".join(
        f'<tr><td class="rag-fit"><span class="rag-status {esc(r.status)}">{esc(r.status)}</span></td>'
        f"<td class='rag-text'>{_ingested(r)}</td><td class='rag-fit'>{r.chunks or ''}</td></tr>"
        for r in shown
    )
    told = "".join(f'<p class="rag-notice">{page_text(n)}</p>' for n in notices)
    return (f'<div class="rag-ingest"><p>{esc(summary)}</p>{told}<table class="rag-table"><thead><tr>'
            f"<th>status</th><th>article</th><th>chunks</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _ingested(r: ItemResult) -> str:
    """One ingest result's article cell: the title (else the item), where it came from, and why it
    failed. The reason had a column of its own, which the Collection tab's narrow left column pushed
    out of sight (behind a sideways scroll): a failed upload showed no reason. An item without a
    title was named twice ("empty.txt" over "empty.txt")."""
    named = f"{esc(r.title)}<div class='rag-dim'>{source_link(r.item)}</div>" if r.title else source_link(r.item)
    reason = item_reason(r)
    why = f"<div class='rag-reason {esc(r.status)}'>{esc(reason)}</div>" if reason else ""
    return named + why


#: what this page adds to a result of a given ``code`` (``index.types.ResultCode``): how to go on here
#: (``ItemResult.worded``). A refused private address: the setting is the server's this page runs on.
PAGE_HINTS: dict[str, str] = {
    "shrunk": "to replace it anyway, remove it with “Remove an article” and add it again",
    "private_address": ("that is a setting of the server this page runs on: whoever started it can turn it on "
                        "(RAG_ALLOW_PRIVATE_URLS=1, then restart it)"),
}


def item_reason(r: ItemResult) -> str | None:
    """Why an item is what it is, with what to do on this page: the result says why in words for no
    surface and in a word (``code``), and the page adds its own way on (``PAGE_HINTS``). The stored
    copy a duplicate repeats (its ``kept_by``) is named as the page names sources (:func:`page_source`):
    a file ingested on the server (`rag ingest PATH`) by its file name, never by the server's folders.

    >>> item_reason(ItemResult("a.txt", "failed", "8b11d0e9", code="shrunk", said="the stored version is kept"))
    'the stored version is kept; to replace it anyway, remove it with “Remove an article” and add it again'
    >>> item_reason(ItemResult("b.html", "duplicate", "0797", reason="same text as /srv/news/b.html (article 0797)",
    ...                        kept_by=("/srv/news/b.html",)))
    'same text as b.html (article 0797)'
    """
    return twin_named(r, page_source).worded(PAGE_HINTS)


def page_source(source: str) -> str:
    """A stored source named in a message on this page: a URL as it is (the reader may open it), a
    file on the server by its bare file name (:func:`file_name`), as the collection list shows it."""
    return source if is_url(source) else file_name(source)


def remove_question_html(n: int, source: str, title: str | None = None) -> str:
    """The question the Remove button asks before anything is removed: how many articles, from
    which source (as the page names it), and the title when it is one article; all of it escaped."""
    what = f"{n} article{'s' * (n != 1)}" + (f" from {esc(source)}" if source else "")
    named = f": “{esc(title)}”" if title else ""
    return (f'<div class="rag-confirm" role="alert"><b>Remove {what}{named}?</b> Nothing is removed until '
            "you press <i>Yes, remove</i>; <i>Cancel</i> keeps it.</div>")


def articles_html(articles: Sequence[ArticleInfo], stats: dict[str, int | str] | None = None,
                  matched: int | None = None, searched: bool = False,
                  stories: Mapping[str, Sequence[StoryVersion]] | None = None) -> str:
    """The stored articles with their metadata and chunk counts. ``matched``: how many the search
    (``searched``) or the whole list holds, when that is more than the rows shown or a search narrowed them.
    ``stories``: the versions of each listed story group (``ArticleDB.story_versions``, by story id):
    an article grouped with others (near-copies from other outlets, ``index.stories``) says so under
    its source, with the story id `rag list` shows and the other versions (:func:`story_line`); an
    article ingested from several addresses (exact copies) says "+1 more", as `rag list` does."""
    head = ""
    if stats:
        n = stats.get("articles", 0)
        head = (f"{esc(n)} article{'s' * (n != 1)} · {esc(stats.get('chunks', 0))} chunks · "
                f"embedder {esc(stats.get('embedder', '?'))}")
        if searched and matched is not None:
            head = f"{matched} match{'es' * (matched != 1)} of {head}"
        if matched is not None and matched > len(articles):
            head += f" · showing the first {len(articles)}: search to narrow the list"
        head = f"<p>{head}</p>"
    if not articles:
        return f'<div class="rag-articles">{head}<p class="rag-empty">No articles match.</p></div>'
    # chunks, chars and id are "rag-minor" columns: a narrow list (a phone) leaves them out and shows them
    # on a "rag-narrow" line under the title instead (ui.style.CSS), rather than scrolling sideways
    rows = "".join(
        f"<tr><td class='rag-fit'>{esc(a.published or '')}</td><td class='rag-text'>{esc(a.title or 'Untitled')}"
        f"<div class='rag-dim'>{source_link(a.url or a.source)}{_more_sources(a)}"
        f"{' · ' + esc(a.author) if a.author else ''}</div>{story_line(a, stories)}"
        f"<div class='rag-dim rag-narrow'>{a.n_chunks} chunk{'s' * (a.n_chunks != 1)} · {a.chars:,} chars · "
        f"<code>{esc(a.id)}</code></div></td>"
        f"<td class='rag-fit rag-minor'>{a.n_chunks}</td><td class='rag-fit rag-minor'>{a.chars:,}</td>"
        f"<td class='rag-fit rag-minor'><code>{esc(a.id)}</code></td></tr>"
        for a in articles
    )
    return (f'<div class="rag-articles">{head}<table class="rag-table"><thead><tr><th>published</th><th>title / source</th>'
            f"<th class='rag-minor'>chunks</th><th class='rag-minor'>chars</th><th class='rag-minor'>id</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


_VERSIONS_SHOWN = 5  # other versions of a story named under an article; the rest counted
_STORY_ID_SHOWN = 8  # characters of a story id, as `rag list`'s story column cuts it


def _more_sources(a: ArticleInfo) -> str:
    """" +1 more" when the article was also ingested from other addresses or files (exact copies,
    kept as more sources of it), as `rag list`'s source column says it."""
    n = len(set(a.sources) - {""}) - 1
    return f" <span class='rag-more'>+{n} more</span>" if n > 0 else ""


def story_line(a: ArticleInfo, stories: Mapping[str, Sequence[StoryVersion]] | None = None) -> str:
    """An article's story group under its source, when it has company (``story_size`` > 1): the story
    id as `rag list`'s story column shows it ("1a2b3c4d x3" there: three articles tell it) and the other
    versions (title, source, date; ``stories`` holds them by story id), every field escaped. The list
    showed no story at all, so near-copies of one story read as unrelated articles (new user 28).

    >>> from index.db import StoryVersion
    >>> a = ArticleInfo("a1", "Port shut", "/srv/up/a.txt", None, None, "2024-11-26", 1, 9, ("/srv/up/a.txt",), "a1", 2)
    >>> print(story_line(a, {"a1": [StoryVersion("a1", "/srv/up/a.txt", None, "Port shut", "2024-11-26"),
    ...                            StoryVersion("b2", "/srv/uploads/b.txt", None, "<i>Port</i> shut", None)]}))
    <div class='rag-dim rag-story'>story <code>a1</code>: 2 versions · also: “&lt;i&gt;Port&lt;/i&gt; shut” <span class="rag-path">b.txt</span> · undated</div>
    """
    if a.story_size <= 1 or not a.story_id:
        return ""
    head = f"story <code>{esc(a.story_id[:_STORY_ID_SHOWN])}</code>: {a.story_size} versions"
    # the story's other articles and their copies; this article's own copies are its "+1 more"
    others = [v for v in (stories or {}).get(a.story_id, ()) if v.article_id != a.id]
    named = [f"“{esc(v.title or 'Untitled')}” {source_link(v.address)} · {esc(v.published or 'undated')}"
             for v in others[:_VERSIONS_SHOWN]]
    if len(others) > _VERSIONS_SHOWN:
        named.append(f"{len(others) - _VERSIONS_SHOWN} more")
    also = " · also: " + "; ".join(named) if named else ""
    return f"<div class='rag-dim rag-story'>{head}{also}</div>"
