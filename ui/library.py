"""The collection tab's handlers: add uploads and URLs (with progress and per-item results), list,
search and remove stored articles. All of it goes through ``index.collection.Collection``.

Uploads go through :class:`ui.uploads.Uploads`: size limit, a stable copy under
``$RAG_HOME/uploads/`` (so re-uploading an edited file *updates* its article), cleanup of refused
files, and results that name files as uploaded, never by a server path.

Watched feeds (``index.watch``): the tab lists them (url, title, last polled, items added and updated, last
error), adds one (polling it at once, as ``rag watch URL`` does: a URL whose first poll fails is not
watched, and says why) and removes one, and "Poll now" runs one round here, streaming per-item results
like an upload. Polling on a schedule is left to ``rag watch`` (one poller per data directory, beside the
UI or under cron/systemd): a UI process may run in several workers or be restarted, and a second
poller would only contend for the store's write lock. The feed list is read from the same SQLite
state ``rag watch`` writes, so it shows that process's progress too.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import gradio as gr

from rag.errors import InputError, RagError
from index.feeds import NOT_A_FEED, advertised_feeds, is_page
from index.fetch import check_address, fetch_url
from index.load import KINDS, is_url
from index.collection import ChunksEmbedded, Collection
from index.db import ArticleInfo, StoryVersion
from index.types import ItemResult, grouped_words
from index.userinfo import redact_userinfo
from index.watch import PollResult, Watcher, WatchedFeed, WatchState, check_feed_url
from rag.service import in_given_order
from ui import render, toast
from ui.progress import Expected, expected, is_dump
from ui.uploads import Staged, Uploads

log = logging.getLogger(__name__)

FILE_TYPES = sorted(KINDS)
_LIST_LIMIT = 200
_TITLE_SHOWN = 80  # characters of a title in the remove picker
# a remove choice for every article of one file: the records of a dump (stored as "dump.jsonl#3"),
# named by one of its articles' ids (no server path goes to the page)
_EVERY_FROM = "file:"
_RECORD = re.compile(r"(.+)#\d+")
_REFRESH_S = 0.3
_DONE = object()


def parse_urls(text: str | None) -> tuple[list[str], list[ItemResult]]:
    """URLs from the paste box, one per line (or separated by spaces); the other words of a line are
    one failed item ("not a url" is one line that is no URL, not three), named as typed."""
    given = given_urls(text)
    return ([g for g in given if isinstance(g, str)],
            [dataclasses.replace(g, item=g.title or "") for g in given if isinstance(g, ItemResult)])


def given_urls(text: str | None) -> list[str | ItemResult]:
    """The paste box as given, in its order: each URL, and the other words of each line as one failed
    item, where its first word was typed. A refused line is shown as typed: the text is the item's
    title (escaped like any title; its password redacted and cut at 200 characters, as the REST API
    cuts it), and the item names the line. As the item, the text was shown as a file name, cut at its
    last slash: ``ftp://x`` showed as "x"."""
    given: list[str | ItemResult] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        rest: list[str] = []
        at = 0
        for token in line.split():
            if is_url(token) and token.lower().startswith(("http://", "https://")):
                given.append(token)
            else:
                at = at if rest else len(given)
                rest.append(token)
        if rest:
            typed = redact_userinfo(" ".join(rest))[:200]
            given.insert(at, ItemResult(f"URLs, line {n}", "failed", title=typed, reason="not an http(s) URL"))
    return given


def feeds_html(feeds: Sequence[WatchedFeed]) -> str:
    """The watched feeds as a table; every field escaped (titles and errors come from the feed)."""
    if not feeds:
        return ('<div class="rag-feeds"><p class="rag-empty">No feeds watched. Paste an RSS, Atom or sitemap URL '
                "and press Watch; <code>rag watch</code> polls them on a schedule.</p></div>")
    # two columns: in the Collection tab's narrow left column a table of five (feed, last polled,
    # added, updated, last error) showed the first two, and a feed's error sat out of sight
    rows = "".join(
        f"<tr><td class='rag-text'>{render.esc(f.title or '')}<div class='rag-dim'>{render.source_link(f.url)}</div>"
        + (f"<div class='rag-reason failed'>{render.esc(f.last_error)}</div>" if f.last_error else "")
        + f"</td><td class='rag-text'>{render.esc(_polled(f.last_polled))}"
        f"<div class='rag-dim'>{f.items_added} added · {f.items_updated} updated</div></td></tr>"
        for f in feeds
    )
    return ('<div class="rag-feeds"><table class="rag-table"><thead><tr><th>feed</th><th>last polled</th>'
            f"</tr></thead><tbody>{rows}</tbody></table></div>")


def _polled(when: str | None) -> str:
    """A poll time as the feed table shows it: ``2024-11-20T08:15:02Z`` -> ``2024-11-20 08:15 UTC``."""
    if not when:
        return "never"
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(?:Z|\+00:00)", when)
    return f"{m.group(1)} {m.group(2)} UTC" if m else when


def _poll_line(r: PollResult) -> str:
    what = {"not_modified": "not modified", "unchanged": "no new items", "failed": "failed"}.get(
        r.status, f"{r.listed} new or changed")
    return f"{what}: {r.url}"


def _without_url(r: PollResult, subject: str = "") -> str:
    """A poll's error without the URL it starts with (the message names the URL itself); ``subject``
    ("it ") goes before a reason that goes on from its URL ("is not a feed or sitemap")."""
    error = r.error or "no answer"
    head, sep, rest = error.partition(": ")
    if sep and is_url(head):  # the feed's URL, or where it led
        error = rest
    return subject + error if error.startswith(("is ", "was ", "has ", "took ", "lists ", "links ")) else error


def _poll_failure(r: PollResult, error: str | None = None) -> ItemResult:
    """A failed poll as a result (a row of the results, or ``error``, its words as a toast says them),
    its code kept: the page words it with its way on (``render.item_reason``: a private address
    refused, the setting is the server's)."""
    return ItemResult(r.url, "failed", reason=r.error if error is None else error, code=r.code)


def _refusal(exc: RagError) -> str:
    """An error's message for a toast; a refusal with a code (the fetch guard's, of a feed written as a
    private address) gets this page's way on, as the same refusal in the results does."""
    if isinstance(exc, InputError) and exc.code:
        said = render.item_reason(ItemResult(exc.item, "failed", reason=exc.reason, code=exc.code))
        return f"{exc.item}: {said}"
    return str(exc)


class Library:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.uploads = Uploads.for_settings(collection.settings)
        self._watch: WatchState | None = None

    # --- watched feeds ----------------------------------------------------------------------
    @property
    def watch_state(self) -> WatchState:
        if self._watch is None:
            self._watch = WatchState.for_settings(self.collection.settings)
        return self._watch

    def feeds(self) -> tuple[str, Any]:
        """The watched-feed table and the remove dropdown's choices."""
        feeds = self.watch_state.feeds()
        return feeds_html(feeds), gr.update(choices=[(f.title or f.url, f.url) for f in feeds], value=None)

    def add_feed(self, url: str | None) -> tuple[str, Any, str]:
        """Watch a feed URL without polling it (the Watch button polls it at once: :meth:`watch_feed`;
        this is for a caller that polls later, with Poll now or `rag watch`). One guarded request
        first, as `rag watch URL` does: a page that advertises a feed (``<link rel="alternate">``)
        gets that feed watched instead; a page that is no feed or sitemap is refused (watching it
        would fail every poll); a feed that is down, or sent as a feed with a broken body, is
        watched (its poll reports the error)."""
        found_at = ""
        try:
            url = check_feed_url((url or "").strip())
            self._check_address(url)
            try:
                page = fetch_url(url, self.collection.settings)
            except InputError:
                page = None
            if page is not None and is_page(page):
                advertised = advertised_feeds(page)
                if not advertised:
                    toast.warn(f"{url} {NOT_A_FEED}, so it is not watched: add the page once under URLs")
                    return gr.skip(), gr.skip(), gr.skip()
                found_at, url = url, check_feed_url(advertised[0])
            stored = self.watch_state.add(url)
        except RagError as exc:
            toast.warn(_refusal(exc))
            return gr.skip(), gr.skip(), gr.skip()
        instead = f" ({found_at} is a page that advertises it)" if found_at else ""
        toast.info(f"Watching {stored}{instead}. Press Poll now, or run `rag watch` to poll on a schedule.")
        return *self.feeds(), ""

    def watch_feed(self, url: str | None, search: str, progress: gr.Progress = gr.Progress()  # noqa: B008
                   ) -> Iterator[tuple[str, str, Any, str, Any, Any]]:
        """The Watch button: watch a feed URL and poll it at once, as `rag watch URL` does
        (``Watcher.poll_all``), streaming its items into the results like Poll now. Yields
        (results, articles, remove choices, feed table, feed choices, URL box).

        A page that advertises a feed gets that feed watched instead. A URL whose first poll fails
        (a page that is no feed or sitemap, a host that does not answer, an HTTP error, a malformed
        feed) is not watched: the error is shown and the URL stays in the box to be corrected. (It
        was watched without a word, and its error waited for the first Poll now; `rag watch` keeps
        such a feed for the next round, but here the user is there to read the error and press
        Watch again.) A feed already watched is polled and stays watched whatever its poll says."""
        skip = (gr.skip(),) * 6
        try:
            url = check_feed_url((url or "").strip())
            self._check_address(url)
            before = set(self.watch_state.urls())
        except RagError as exc:
            toast.warn(_refusal(exc))
            yield skip
            return
        events: queue.Queue = queue.Queue()
        state = self.watch_state
        watcher = Watcher(self.collection, state)

        def on_result(r: PollResult) -> None:
            # decided here, not in the generator: a closed browser tab must not leave the URL watched
            dropped = (r.status == "failed" and r.url not in before and not r.fetched_items
                       and not state.ever_read(r.url))
            if dropped:
                state.remove(r.url)  # nothing read: no feed to watch (yet)
            events.put((r, dropped))

        def work() -> None:
            try:
                watcher.poll_all([url], progress=events.put, on_result=on_result)
            except Exception as exc:  # noqa: BLE001 - reported below
                if url not in before:
                    state.remove(url)
                events.put(exc)
            finally:
                events.put(_DONE)

        threading.Thread(target=work, name="ui-watch", daemon=True).start()
        progress((0, 1), desc=f"Polling {url}"[:60], unit="feeds")
        items: list[ItemResult] = []
        results: list[ItemResult] = []  # the feed's failure, then its items
        notices: list[str] = []
        polled: PollResult | None = None
        dropped = False
        shown_at = 0.0
        while (ev := events.get()) is not _DONE:
            if isinstance(ev, Exception):
                log.warning("watch failed: %s", ev, exc_info=not isinstance(ev, RagError))
                msg = str(ev) if isinstance(ev, RagError) else f"poll failed ({type(ev).__name__}); see the server log"
                results.append(ItemResult(url, "failed", reason=msg))
                continue
            if isinstance(ev, tuple):
                polled, dropped = ev
                continue
            items.append(ev)
            progress((len(items), None), desc=f"{ev.status}: {(ev.title or ev.item)[:40]}", unit="articles")
            if time.monotonic() - shown_at > _REFRESH_S:
                shown_at = time.monotonic()
                yield render.ingest_html(results + items), *skip[1:]
        box: Any = ""
        if polled is None:  # the poll itself broke (logged above): nothing to say about the feed
            box = gr.skip()
            toast.warn(f"{url} is not watched: {results[-1].reason if results else 'its poll failed'}")
        else:
            shown = polled.url  # the feed a page advertised, if it was one
            if polled.found_at and not dropped:
                notices.append(f"{polled.found_at} is a page that advertises the feed {shown}: the feed is polled "
                               "and watched instead.")
            elif polled.found_at:
                shown = f"{shown} (the feed {polled.found_at} advertises)"
            if polled.status == "failed" and polled.error:
                results.append(_poll_failure(polled))
            why = (render.item_reason(_poll_failure(polled, _without_url(polled, "it "))) or "").rstrip(".")
            if dropped:
                box = gr.skip()  # the URL stays, to be corrected
                page = " A page is added once, under URLs." if polled.not_a_feed else ""
                notices.insert(0, f"{shown} is not watched (its error is below).{page}")
                toast.warn(f"{shown} is not watched: {why}.{page}")
            elif polled.status == "failed":
                notices.insert(0, f"{shown} is still watched: Poll now tries it again; Stop watching removes it.")
                toast.warn(f"{shown} is still watched, but its poll failed: {why}.")
            else:
                notices += polled.notices
                if polled.skipped:
                    notices.append(f"{polled.skipped} new or changed item(s) left for the next poll "
                                   "(RAG_FEED_MAX_ITEMS caps each poll; the newest were read).")
                counts = polled.report.summary() if polled.report else {}
                grouped = grouped_words(counts)
                read = ", ".join(f"{n} {k}{grouped if k == 'added' else ''}" for k, n in counts.items()
                                 if n and k != "grouped") or "no new items"
                toast.info(f"Watching {shown} ({read}). Poll now reads its new items; `rag watch` polls on a schedule.")
        table, choices = self.listing(search)
        yield (render.ingest_html(results + items, 1, 1, unit="feeds", notices=notices), table, choices,
               *self.feeds(), box)

    def _check_address(self, url: str) -> None:
        """Refuse a feed whose host is written as an address the fetch guard refuses (127.0.0.1,
        ``localhost``, 192.168.x.x) unless RAG_ALLOW_PRIVATE_URLS allows them, with the guard's own
        reason. Its fetch failing was read as "the feed is down": it was watched and every poll
        failed. (A name that resolves to such an address is still caught by the guard at poll time.)"""
        host = (urlsplit(url).hostname or "").strip("[]")
        try:
            ip = ipaddress.ip_address("127.0.0.1" if host.lower() == "localhost" else host)
        except ValueError:
            return
        check_address(url, host, ip, self.collection.settings)

    def remove_feed(self, url: str | None) -> tuple[str, Any]:
        if not url:
            toast.warn("Choose a feed to stop watching.")
            return gr.skip(), gr.skip()
        if self.watch_state.remove(url):
            toast.info(f"Stopped watching {url}; its articles stay in the collection.")
        else:
            toast.warn(f"{url} is not watched.")
        return self.feeds()

    def poll_feeds(self, search: str, progress: gr.Progress = gr.Progress()  # noqa: B008 - gradio's idiom
                   ) -> Iterator[tuple[str, str, Any, str, Any]]:
        """One round over every watched feed, in a thread; yields (results, articles, remove choices,
        feed table, feed choices) as items finish."""
        urls = self.watch_state.urls()
        if not urls:
            toast.warn("No feeds watched: paste a feed URL and press Watch first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        events: queue.Queue = queue.Queue()
        watcher = Watcher(self.collection, self.watch_state)

        def work() -> None:
            try:
                watcher.poll_all(urls, progress=events.put, on_result=events.put)
            except Exception as exc:  # noqa: BLE001 - reported below
                events.put(exc)
            finally:
                events.put(_DONE)

        threading.Thread(target=work, name="ui-poll", daemon=True).start()
        results: list[ItemResult] = []
        done_feeds, shown_at = 0, 0.0
        progress((0, len(urls)), desc="Polling feeds", unit="feeds")
        while (ev := events.get()) is not _DONE:
            if isinstance(ev, Exception):
                log.warning("poll failed: %s", ev, exc_info=not isinstance(ev, RagError))
                msg = str(ev) if isinstance(ev, RagError) else f"poll failed ({type(ev).__name__}); see the server log"
                results.append(ItemResult("(poll)", "failed", reason=msg))
                continue
            if isinstance(ev, PollResult):
                done_feeds += 1
                progress((done_feeds, len(urls)), desc=_poll_line(ev)[:60], unit="feeds")
                if ev.status == "failed" and ev.error:
                    results.append(_poll_failure(ev))
                continue
            results.append(ev)
            if time.monotonic() - shown_at > _REFRESH_S:
                shown_at = time.monotonic()
                yield render.ingest_html(results), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if not results:
            toast.info("No new or changed items in the watched feeds.")
        table, choices = self.listing(search)
        yield (render.ingest_html(results, done_feeds, len(urls), unit="feeds"), table, choices, *self.feeds())

    def feeds_panel(self, ingest_out: gr.HTML, articles: gr.HTML, victim: gr.Dropdown,
                    search: gr.Textbox) -> tuple[gr.events.Dependency, gr.events.Dependency]:
        """Lay out the watched-feeds block where it is called (inside the Collection tab of the
        Blocks) and wire it; Watch (which polls the new feed) and Poll now share the store-write
        queue with uploads and removals. Returns the Watch and Poll now events (the caller chains
        what else their new articles change)."""
        with gr.Accordion("Watched feeds", open=False, elem_id="rag-feeds-box"):
            feed_table = gr.HTML(elem_id="rag-feeds")
            with gr.Row(elem_classes="rag-centred"):
                # the buttons at gradio's default 160 px left the URL box a third of the narrow
                # column: its placeholder wrapped over four lines
                # label: the box's name for a screen reader (shown or not, gradio names it "Textbox")
                feed_url = gr.Textbox(label="Feed URL", show_label=False,
                                      placeholder="https://example.org/feed.xml (RSS, Atom or sitemap)",
                                      scale=4, min_width=160, elem_id="rag-feed-url")
                watch = gr.Button("Watch", scale=1, min_width=80, elem_id="rag-feed-add")
            with gr.Row(elem_classes="rag-bottom"):
                feed_choice = gr.Dropdown(label="Stop watching", choices=[], scale=4, min_width=160,
                                          elem_id="rag-feed-choice")
                unwatch = gr.Button("Stop", variant="stop", scale=1, min_width=80, elem_id="rag-feed-remove")
            poll = gr.Button("Poll now", variant="primary", elem_id="rag-feed-poll")
            gr.Markdown("Polling on a schedule: run `rag watch --every 30m` beside the UI.")
        # the page's own events, not part of the documented API ("Use via API" lists ask, add,
        # list_articles, remove and brief): feeds are managed with `rag watch` outside the page
        watching = gr.on([watch.click, feed_url.submit], self.watch_feed, [feed_url, search],
                         [ingest_out, articles, victim, feed_table, feed_choice, feed_url], api_visibility="private",
                         concurrency_id="store-write", concurrency_limit=1, show_progress_on=[ingest_out])
        unwatch.click(self.remove_feed, [feed_choice], [feed_table, feed_choice], api_visibility="private")
        polling = poll.click(self.poll_feeds, [search], [ingest_out, articles, victim, feed_table, feed_choice],
                             api_visibility="private", concurrency_id="store-write", concurrency_limit=1,
                             show_progress_on=[ingest_out])
        gr.on(None, self.feeds, None, [feed_table, feed_choice], api_visibility="private")  # on page load
        return watching, polling

    # --- ingest -----------------------------------------------------------------------------
    def add(self, files: Sequence[Any] | None, urls_text: str, search: str,
            progress: gr.Progress = gr.Progress()) -> Iterator[tuple[str, str, Any]]:  # noqa: B008 - gradio's idiom
        """Ingest uploads and URLs; yields (results, article list, remove choices) as items finish.
        The results list the files, then the URL box's lines in the order typed (a refused one too,
        as typed), with the articles of a feed or a dump under it."""
        staged, refused = self.uploads.stage(files)
        for r in refused:
            toast.warn(f"{r.item} {r.reason}")
        typed = given_urls(urls_text)
        given: list[str | ItemResult] = [*refused, *(s.name for s in staged), *typed]
        inputs = [str(s.path) for s in staged] + [g for g in typed if isinstance(g, str)]
        if not inputs:
            results = [g for g in given if isinstance(g, ItemResult)]
            if not results:
                toast.warn("Choose files to upload or paste URLs first.")
            yield render.ingest_html(results), gr.skip(), gr.skip()
            return
        yield from self._ingest(inputs, staged, given, search, progress)

    def _ingest(self, inputs: list[str], staged: list[Staged], given: list[str | ItemResult], search: str,
                progress: gr.Progress) -> Iterator[tuple[str, str, Any]]:
        """Run the ingest in a thread and stream its results (as the browser may see them), shown
        in the order ``given`` (the inputs as the page names them, and the items refused before
        the ingest, which count among the items done).

        The first step replaces the previous results (a feed's poll stayed under the new bar). The
        count has its total from the start: a dump's records are counted, read as the ingest reads
        them (``ui.progress``), where the dump counted as one item ("0/1", then no total until the
        end); a URL, which may be a feed of many, makes the total "at least". Results that come in a
        burst are shown once the burst is over, not when the next item is in (the list sat at
        "1 items" while seven more were stored and the next batch was embedded)."""
        refused = sum(isinstance(g, ItemResult) for g in given)
        ingested: list[ItemResult] = []
        events: queue.Queue = queue.Queue()

        # a feed cut at RAG_FEED_MAX_ITEMS, a front page given instead of its feed, an upload stored under another name
        notices: list[str] = [said for s in staged if (said := s.renamed)]

        def work() -> None:
            raw: list[ItemResult] = []  # as the pipeline reports them (server paths)

            def report(ev: ItemResult | ChunksEmbedded) -> None:
                if isinstance(ev, ItemResult):
                    raw.append(ev)
                events.put(ev)

            try:  # chunk_updates: the bar moves while one long article is embedded, not only between items
                notices.extend(self.uploads.shown_text(staged, n)
                               for n in self.collection.ingest(inputs, progress=report, chunk_updates=True).notices)
            except Exception as exc:  # noqa: BLE001 - reported below
                events.put(exc)
            finally:  # here, not in the generator: a closed browser tab must not cut the cleanup short
                self.uploads.settle(staged, raw)
                events.put(_DONE)

        threading.Thread(target=work, name="ui-ingest", daemon=True).start()
        dumps = ", ".join(s.name for s in staged if is_dump(s.name))
        if dumps:  # counted while the ingest starts (a 20 MB dump takes a second); the old results go now
            counting = f"counting the records of {dumps}"
            progress((refused, None), desc=counting[:60], unit="items")
            yield render.ingest_html(in_given_order(given, []), counted=counting), gr.skip(), gr.skip()
        expect = expected(inputs, self.collection.settings, refused)
        progress((refused, expect.total(refused)), desc="Adding articles", unit="items")
        yield self._progress_html(given, [], refused, expect), gr.skip(), gr.skip()
        done, shown_at, unshown = refused, 0.0, False
        while True:
            try:
                ev = events.get(timeout=_REFRESH_S)
            except queue.Empty:  # a burst is over: what came in it is shown now, not with the next item
                if unshown:
                    unshown, shown_at = False, time.monotonic()
                    yield self._progress_html(given, ingested, done, expect), gr.skip(), gr.skip()
                continue
            if ev is _DONE:
                break
            if isinstance(ev, Exception):
                log.warning("ingest failed: %s", ev, exc_info=not isinstance(ev, RagError))
                msg = str(ev) if isinstance(ev, RagError) else f"ingest failed ({type(ev).__name__}); see the server log"
                failed = self.uploads.shown(staged, ItemResult("(batch)", "failed", reason=msg))
                toast.warn(failed.reason or msg)
                ingested.append(failed)
                continue
            if isinstance(ev, ChunksEmbedded):
                if (of := expect.total(done)) is not None and done < of:
                    name = ev.title or self.uploads.shown_text(staged, ev.item) or ""
                    progress((done + (ev.done / ev.total if ev.total else 0.0), of), unit="items",
                             desc=f"embedding {ev.done}/{ev.total} chunks: {name[:40]}")
                continue
            ev = self.uploads.shown(staged, ev)
            ingested.append(ev)
            done += ev.status != "removed"
            progress((done, expect.total(done)), desc=f"{ev.status}: {(ev.title or ev.item)[:40]}", unit="items")
            unshown = True
            if time.monotonic() - shown_at > _REFRESH_S:  # a dump reports thousands of items: refresh, don't flood
                unshown, shown_at = False, time.monotonic()
                yield self._progress_html(given, ingested, done, expect), gr.skip(), gr.skip()
        table, choices = self.listing(search)
        shown = in_given_order(given, ingested)
        # a URL counted as one item was a feed of many (or of none): once all is read, what was read is all
        total = max(done, expect.items) if expect.exact else done
        yield render.ingest_html(shown, done, total, notices=notices), table, choices

    @staticmethod
    def _progress_html(given: list[str | ItemResult], ingested: list[ItemResult], done: int, expect: Expected) -> str:
        """The results of an ingest under way, each line where it was typed, counted against the total."""
        return render.ingest_html(in_given_order(given, ingested), done, expect.total(done),
                                  counted=expect.counted(done))

    # --- list / remove ----------------------------------------------------------------------
    def listing(self, search: str | None = None) -> tuple[str, Any]:
        """The article table and the remove dropdown's choices."""
        search = (search or "").strip() or None
        try:
            arts = self.collection.db.list_articles(search, _LIST_LIMIT)
            matched = self.collection.db.count_articles(search) if search or len(arts) == _LIST_LIMIT else None
            stats = self.collection.stats()
            stories = self.stories(arts)
        except RagError as exc:
            shown = render.hide_home(str(exc), self.collection.settings.home)
            toast.warn(shown)
            return render.error_html(shown), gr.skip()
        table = render.articles_html(arts, stats, matched, searched=search is not None, stories=stories)
        return table, gr.update(choices=self.remove_choices(arts), value=None)

    def stories(self, arts: Sequence[ArticleInfo]) -> dict[str, list[StoryVersion]]:
        """The versions of each story group the listed articles belong to with others (near-copies
        grouped at ingest, ``index.stories``), by story id: the list names them under each article,
        as `rag list` shows the groups in its story column."""
        grouped = dict.fromkeys(a.story_id for a in arts if a.story_size > 1 and a.story_id)
        return {sid: self.collection.db.story_versions(sid) for sid in grouped if sid}

    def remove_choices(self, arts: Sequence[ArticleInfo]) -> list[tuple[str, str]]:
        """The remove picker's (label, value) pairs: each article named as the table shows it (title,
        folder and file name or URL, date, id), so typing ``report.pdf`` or ``business/009.txt``
        finds it; then, for a file whose records are several articles (a dump), one choice for all
        of them. The values are ids, never server paths. Labels are plain text (the dropdown shows
        them as text)."""
        choices = [(f"{_title(a)} — {render.source_text(a.url or a.source)} · {a.published or 'undated'} · {a.id}",
                    a.id) for a in arts]
        files: dict[str, str] = {}  # a dump's path -> one of its listed articles
        for a in arts:
            if (m := _RECORD.fullmatch(a.source or "")) and not is_url(a.source):
                files.setdefault(m.group(1), a.id)
        for path, aid in files.items():
            n = len(self.collection.db.sources_under(path, ("#",)))
            if n > 1:
                choices.append((f"All {n} articles from {render.file_name(path)}", _EVERY_FROM + aid))
        return choices

    def targets(self, choice: str) -> tuple[list[str], str]:
        """The article ids a remove choice stands for, and the source they are removed from (as the
        page names it). ``choice``: a picker value (an id, or every article of a dump), or what an
        API caller may give: an id, a unique id prefix, a stored source, or a file name or URL as
        the page shows it (``report.pdf``). No ids: nothing matches."""
        db = self.collection.db
        if choice.startswith(_EVERY_FROM):
            for src in db.sources_of(choice[len(_EVERY_FROM):]):
                if m := _RECORD.fullmatch(src):
                    ids = [found.id for s in db.sources_under(m.group(1), ("#",)) if (found := db.by_source(s))]
                    return list(dict.fromkeys(ids)), render.file_name(m.group(1))
            return [], ""
        if aid := db.resolve(choice):
            described = db.described(aid)  # (source, title, author, published, url)
            if not described:
                return [aid], ""
            # a file by its bare name, as before: the question names the article by its title as well
            source = described[4] or described[0]
            return [aid], render.source_text(source) if is_url(source) else render.file_name(source)
        shown = [a for a in db.list_articles(choice, _LIST_LIMIT) if choice in _names(a)]
        return [a.id for a in shown], choice

    def confirm_remove(self, choice: str | None) -> tuple[str, Any]:
        """The Remove button: nothing is removed yet. It shows what would go ("Remove 3 articles
        from dump.jsonl?") and the buttons that confirm (:meth:`remove`) or cancel it."""
        if not choice:
            toast.warn("Choose an article to remove.")
            return gr.skip(), gr.skip()
        try:
            ids, source = self.targets(choice)
            described = self.collection.db.described(ids[0]) if len(ids) == 1 else None
        except RagError as exc:
            toast.warn(render.hide_home(str(exc), self.collection.settings.home))
            return gr.skip(), gr.skip()
        if not ids:
            toast.warn(f"{choice}: no such article in the collection.")
            return gr.skip(), gr.skip()
        title = (described[1] or "Untitled") if described else None
        return render.remove_question_html(len(ids), source, title), gr.update(visible=True)

    def remove(self, choice: str | None, search: str) -> tuple[str, Any]:
        """Remove what ``choice`` stands for (:meth:`targets`): the confirmed removal, and the API's."""
        if not choice:
            toast.warn("Choose an article to remove.")
            return gr.skip(), gr.skip()
        try:
            ids, source = self.targets(choice)
            # an id or a stored source goes to the collection as given (a source of an article that
            # has others goes alone, as `rag remove` does); a file name or a dump, as its ids; nothing
            # matched: the collection says why
            given = not choice.startswith(_EVERY_FROM) and ids == [self.collection.db.resolve(choice)]
            # named as the list shows it: the user chose a title, not an id
            titles = {aid: d[1] for aid in ids[:3] if (d := self.collection.db.described(aid))}
            results = self.collection.remove([choice] if given or not ids else ids)
        except RagError as exc:
            toast.warn(render.hide_home(str(exc), self.collection.settings.home))
            return gr.skip(), gr.skip()
        removed = [r for r in results if r.status == "removed"]
        if len(removed) > 3:  # a dump's records: one message, not hundreds
            toast.info(f"Removed {len(removed)} articles from {source}.")
        for r in results:
            if r.status == "removed" and len(removed) <= 3:
                title = titles.get(r.article_id or "")
                toast.info(f"Removed “{title}” ({r.article_id})." if title else f"Removed article {r.article_id}.")
            elif r.status != "removed":
                toast.warn(f"{r.item}: {r.reason}")
        return self.listing(search)


def _names(a: ArticleInfo) -> set[str]:
    """The names a caller may give an article by: each of its sources as the page shows it (a URL's
    host and path, a file's folder and name, ``business/009.txt``) and a file's bare name
    (``009.txt``, as the page showed files before; it may name several articles)."""
    sources = [s for s in (a.url, a.source, *a.sources) if s]
    return {render.source_text(s) for s in sources} | {render.file_name(s) for s in sources if not is_url(s)}


def _title(a: ArticleInfo) -> str:
    """An article's title on one line, cut short for the picker."""
    title = " ".join((a.title or "Untitled").split())
    return title if len(title) <= _TITLE_SHOWN else title[: _TITLE_SHOWN - 1].rstrip() + "…"
