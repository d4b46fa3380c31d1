"""The Timeline tab: catch up on a topic as a dated list of events, newest last (``rag.brief``).

The handler calls :func:`rag.brief.brief`, the same code path as ``rag brief``; with the LLM
chosen, :func:`rag.brief.summarize_days` adds a verified summary per day, shown day by day as it
is written. Article text is untrusted: every title, source, quote and summary sentence is escaped
(``ui.render.esc``/``highlight``/``with_markers``) before any markup of ours is added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Protocol

import gradio as gr

from rag.api import RAG
from rag.brief import (
    Brief, DaySummary, Event, brief, parse_since, summarize_days, undated_notice, undated_stories,
)
from rag.errors import RagError
from rag.models import INSTALL_HINT
from ui import render, toast
from ui.chat import day
from ui.export import period, timeline_export_html
from ui.render import esc, source_link

log = logging.getLogger(__name__)

PERIOD_HELP = "7d, 2w, 3m, 1y before the 'As of' date, or a date like 2024-11-25"


class LocalModel(Protocol):
    """The installed local model, as the chat offers it beside the configured answerer
    (:class:`ui.chat.Chat`): its label without loading it, and its answerer (loaded on first use)."""

    def local_label(self) -> str | None: ...

    def local_llm(self) -> Any | None: ...


class Timeline:
    """The Timeline tab's handler and layout, bound to one ``RAG`` (thread-safe, shared by all sessions).

    Day summaries are written by the configured LLM (``RAG_ANSWERER=llm`` or ``local``, or an
    OpenAI-compatible server), else by the installed local model ``local`` offers: the chat offered
    that model while the Timeline said to set OPENAI_API_KEY."""

    def __init__(self, rag: RAG, *, local: LocalModel | None = None) -> None:
        self.rag = rag
        self.local = local

    def llm_label(self) -> str | None:
        """The summarising LLM's name, or None when there is none (the summary option is then off)."""
        llm = self.rag.llm
        if llm is None:
            return self.local.local_label() if self.local is not None else None
        return getattr(llm, "label", None) or getattr(llm, "model", None) or llm.name

    def llm(self) -> Any | None:
        """The answerer that writes the day summaries (:meth:`llm_label`), None without one."""
        if self.rag.llm is not None:
            return self.rag.llm
        return self.local.local_llm() if self.local is not None else None

    # --- layout -------------------------------------------------------------------------------
    def panel(self, as_of: gr.Textbox, *, concurrency_limit: int) -> None:
        """Lay out the tab's contents where it is called (inside ``gr.Tab``) and wire them. Briefs
        share the chat's queue (``concurrency_id="chat"``): both read the store, embed a query and
        may call the same LLM. ``as_of``: the sidebar's reference date, which "7d" counts back from."""
        llm = self.llm_label()
        # the period's help goes under the row, not in "Since" alone: a field with an info line had
        # its box lower than Topic's and Until's, and Until's long placeholder wrapped
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. Aleppo", scale=4, elem_id="rag-tl-topic")
            since = gr.Textbox(label="Since", value="7d", placeholder="7d, 2w, 3m or YYYY-MM-DD",
                               scale=2, elem_id="rag-tl-since")
            until = gr.Textbox(label="Until", placeholder="empty: 'As of'", scale=2, elem_id="rag-tl-until")
        gr.HTML(f'<p class="rag-dim rag-help">Since: {esc(PERIOD_HELP)}. Until: a date; empty: the '
                "'As of' date. 'As of' is in Settings; empty: today.</p>")
        with gr.Row():
            sources = gr.Textbox(label="Sources", placeholder="e.g. reuters, bbc.co.uk", scale=4,
                                 info="Comma-separated; matches the source, URL or title. Empty: all.",
                                 elem_id="rag-tl-sources")
            # the model named as the sidebar's Answerer names it: "with the LLM (local (Qwen…))" doubled
            # its brackets, and at 800 px the box was too narrow for its words (ui.style: #rag-tl-llm)
            use_llm = gr.Checkbox(
                label=f"Summarise each day with {llm}" if llm else "Summarise each day with an LLM",
                value=False, interactive=llm is not None, scale=2, elem_id="rag-tl-llm",
                info="Each sentence is checked against its citation." if llm
                else f"Set OPENAI_API_KEY or OPENAI_BASE_URL, or install the local model ({INSTALL_HINT}), "
                     "to summarise with an LLM.")
            go = gr.Button("Catch up", variant="primary", scale=1, elem_id="rag-tl-go")
        out = gr.HTML(timeline_html(None), elem_id="rag-timeline")
        gr.on([topic.submit, go.click], self.run, [topic, since, until, sources, use_llm, as_of], [out],
              api_name="brief", concurrency_id="chat", concurrency_limit=concurrency_limit,
              show_progress="minimal")

    # --- handler ------------------------------------------------------------------------------
    def run(self, topic: str, since: str, until: str, sources: str, use_llm: bool = False,
            as_of: str = "") -> Iterator[str]:
        """Yield the timeline's HTML: a pending note, then the events (with the LLM, day by day)."""
        topic = (topic or "").strip()
        if not topic:
            toast.warn("Type a topic first, e.g. Aleppo.")
            yield gr.skip()
            return
        try:
            reference = day(as_of, "'As of'") or date.today()
            start = parse_since(since, reference)
            end = day(until, "'Until'") or reference
            if start and start > end:
                raise RagError(f"'Since' ({start}) is after 'Until' ({end})")
        except RagError as exc:
            toast.warn(str(exc))
            yield render.error_html(str(exc))
            return
        names = tuple(s.strip() for s in (sources or "").split(",") if s.strip())
        yield pending_html(topic)
        try:
            result = brief(self.rag, topic, since=start, until=end, sources=names)
            llm = self.llm() if use_llm and result.events else None
            if llm is None:
                if use_llm and result.events:
                    toast.warn("No LLM is configured; showing the extracted sentences.")
                yield timeline_html(result)  # the events at once; the undated stories, read next, join them
                if undated := self.left_out(result, names):
                    yield timeline_html(result, undated=undated)
                return
            undated = self.left_out(result, names)
            days: list[DaySummary] = []
            for summary in summarize_days(self.rag, result, llm=llm):
                days.append(summary)
                yield timeline_html(result, days, writing=True, undated=undated)
            yield timeline_html(result, days, undated=undated)
        except RagError as exc:
            log.warning("brief failed: %s", exc)
            shown = render.hide_home(str(exc), self.rag.settings.home)
            toast.warn(shown)
            yield render.error_html(f"Could not make the timeline: {shown}")
        except Exception as exc:  # noqa: BLE001 - the edge: log the trace, show a sentence
            log.exception("brief failed unexpectedly")
            toast.warn("Something went wrong while making the timeline; see the server log.")
            yield render.error_html(f"Something went wrong ({type(exc).__name__}); see the server log.")

    def left_out(self, result: Brief, sources: tuple[str, ...]) -> tuple[Event, ...]:
        """The stories the timeline cannot place for want of a date (``rag.brief.undated_stories``); the
        timeline stands without them when they cannot be read."""
        try:
            return undated_stories(self.rag, result, sources)
        except RagError as exc:
            log.warning("could not read the undated stories about %r: %s", result.topic, exc)
            return ()


# --- rendering (pure) -------------------------------------------------------------------------------

_UNDATED_SHOWN = 10  # undated stories named under a timeline; the rest counted
#: how a stored article gets a date (README, "Inputs"), and how the page replaces it with the dated file
DATING = ("To place one on the timeline, give its file a date and add it again (an upload of the same file name, "
          "or <code>rag ingest</code> of the same file, updates its article): a <code>date YYYY-MM-DD</code> "
          "line at the top of a text file or under its headline, <code>date:</code> in a Markdown file's front "
          "matter, a <code>date</code> field in a JSON or CSV record, date metadata in an HTML page.")


def undated_html(topic: str, undated: Sequence[Event], said: str = "") -> str:
    """The stories about ``topic`` a timeline leaves out for want of a date (``Timeline.left_out``): how
    many, which (title and source, escaped), how to give them a date (:data:`DATING`), and that the
    Chat tab reads them. ``said``: the brief's own notice about them (an empty period's), shown
    instead of the count."""
    n = len(undated)
    if said:
        head = render.page_text(said)
    else:
        some = f"{n} stories" if n != 1 else "1 story"
        head = (f"{some} about “{esc(topic)}” {'are' if n != 1 else 'is'} not on this timeline: "
                f"{'their articles carry' if n != 1 else 'its article carries'} no publication date, so no period "
                f"can place {'them' if n != 1 else 'it'}. The Chat tab reads undated articles too.")
    items = "".join(f"<li>“{esc(e.citation.title or 'Untitled')}” · {source_link(e.citation.source)}</li>"
                    for e in undated[:_UNDATED_SHOWN])
    if n > _UNDATED_SHOWN:
        items += f"<li>and {n - _UNDATED_SHOWN} more</li>"
    listed = f'<ul class="rag-undated-list">{items}</ul>' if items else ""
    return f'<div class="rag-notice rag-undated"><p>{head}</p>{listed}<p>{DATING}</p></div>'


def pending_html(topic: str) -> str:
    return f'<div class="rag-answer rag-pending">Reading the articles about “{esc(topic)}”…</div>'


def _also(sources: Sequence[str]) -> str:
    return " · also in: " + ", ".join(source_link(s) for s in sources) if sources else ""


def event_html(e: Event) -> str:
    """One event: date, the cited sentence as a highlighted quote, title, source link, other versions."""
    c = e.citation
    return (
        f'<article class="rag-source cited rag-event">'
        f'<header><time datetime="{esc(e.published or "")}">{esc(e.published or "undated")}</time> · '
        f'<span class="rag-title">{esc(c.title or "Untitled")}</span></header>'
        f'<blockquote class="rag-passage"><mark>{esc(c.quote)}</mark></blockquote>'
        f'<div class="rag-meta">{source_link(c.source)}{_also(e.also_in_sources)}</div></article>'
    )


def day_html(d: DaySummary, index: int) -> str:
    """One day of the LLM brief: its verified summary with linked [n] markers and the cited quotes,
    or (nothing survived verification, or the LLM failed) the day's extracted events."""
    head = f'<header><time datetime="{esc(d.day or "")}">{esc(d.day or "undated")}</time></header>'
    notes = render.notices_html(d.notices)
    if not d.summarized:
        return f'<section class="rag-day">{head}{notes}{"".join(event_html(e) for e in d.events)}</section>'
    turn = f"tl{index}"  # anchors src-tl<day>-<n>: never the chat's src-<turn>-<n>
    body = render.with_markers(d.text, [p.n for p in d.passages], turn, [p.text for p in d.passages])
    cites = "".join(
        f'<article class="rag-source cited" id="{render.anchor(turn, c.n)}">'
        f'<header><span class="rag-n">[{c.n}]</span> <span class="rag-title">{esc(c.title or "Untitled")}</span>'
        f'</header><blockquote class="rag-passage"><mark>{esc(c.quote)}</mark></blockquote>'
        f'<div class="rag-meta">{esc(c.published or "undated")} · {source_link(c.source)}{_also(c.also_in)}</div>'
        f"</article>"
        for c in d.citations
    )
    return (f'<section class="rag-source rag-day">{head}<div class="rag-answer">{body}</div>{notes}'
            f'<div class="rag-meta">summarised by {esc(d.answerer)}</div>{cites}</section>')


def timeline_html(result: Brief | None, days: Sequence[DaySummary] | None = None, *, writing: bool = False,
                  undated: Sequence[Event] = ()) -> str:
    """The whole timeline: a heading naming topic and period, then the events oldest first
    (newest last), or with ``days`` the LLM's day summaries (``writing``: more days to come). Once
    it is all there, Copy (as plain text) and Download JSON (``rag brief --json``'s data) under the
    heading (``ui.export``). ``undated``: the stories about the topic the period cannot hold for want
    of a date (``rag.brief.undated_stories``), said above the events (:func:`undated_html`)."""
    if result is None:
        return ('<div class="rag-sources rag-timeline rag-empty">Name a topic and a period: what the articles '
                "report about it appears here as a dated list, one cited sentence per story, newest last.</div>")
    n = len(result.events)
    head = (f'<div class="rag-sources-head">“{esc(result.topic)}” · {n} stor{"y" if n == 1 else "ies"} · '
            f"{esc(period(result))}</div>")
    if result.notice:  # articles about it stored undated: said with this page's way to ask of them
        notice = undated_notice(result.undated_about, result.topic, render.ASK_INSTEAD) if result.undated_about \
            else result.notice
        if result.undated_about:  # which they are, and how to date them
            return f'<div class="rag-sources rag-timeline">{head}{undated_html(result.topic, undated, notice)}</div>'
        return f'<div class="rag-sources rag-timeline">{head}<p class="rag-empty">{render.page_text(notice)}</p></div>'
    if not result.events:
        left_out = undated_html(result.topic, undated) if undated else ""
        return (f'<div class="rag-sources rag-timeline">{head}<p class="rag-empty">Nothing in the articles about '
                f"“{esc(result.topic)}” was published from {esc(period(result))}. Try a longer period, another "
                f"'As of' date or fewer source filters.</p>{left_out}</div>")
    if days is None:
        body = "".join(event_html(e) for e in result.events)
    else:
        body = "".join(day_html(d, i) for i, d in enumerate(days))
        if writing:
            body += '<div class="rag-answer rag-pending">Summarising the next day…</div>'
    export = "" if writing else timeline_export_html(result, days)
    # days naming the topic in more passages than a brief reads: said above the events, which stay
    missing = f'<p class="rag-notice">{render.page_text(result.incomplete)}</p>' if result.incomplete else ""
    left_out = undated_html(result.topic, undated) if undated else ""
    return f'<div class="rag-sources rag-timeline">{head}{export}{missing}{left_out}{body}</div>'
