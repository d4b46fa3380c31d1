"""``rag watch``: keep the collection current from feeds and sitemaps (``index.watch``).

    rag watch https://example.org/feed.xml --every 30m   # watch it (and poll it) every 30 minutes
    rag watch https://example.org/                         # the feed the page advertises (<link rel=alternate>)
    rag watch                                              # poll every watched feed, every 30 minutes
    rag watch --once                                       # one round, then exit (cron, systemd timers)
    rag watch --list                                       # watched feeds: last polled, added/updated, errors,
                                                           # and each failing item's next try
    rag watch --remove https://example.org/feed.xml        # stop watching (its articles stay)

Ctrl-C (or SIGTERM) stops cleanly: the first one ends the round after the article being ingested
(its feed's state recorded, nothing half-written; the pages already fetched are stored, a slow one
still coming is not waited for, nor fetched on: ``stop_fetches``), a second one stops at once, without
waiting for the pages being fetched (a page fetched before is stored by then: pages are stored as
they come, so a slow item holds up no other); either way the exit code is 130, as for every `rag` command stopped so
(it was 0 after a first one). The ingest commits article by article and the item state of
everything that finished is kept, so the next run goes on where this one stopped; the items a
stopped poll did not store are named, and the next round fetches them (no validators were kept).
One poller per data directory (``index.watch.PollerLock``): a second `rag watch` that would poll,
``--once`` or ``--every``, is refused naming the running one's pid, exit code 75 (busy), as is a
``--once`` round the store's write lock kept from storing (another process writing). A site's page
given as a feed is replaced by the feed it advertises. A feed that fails stays watched and is
polled again (README: "a feed that is down or malformed is retried next round"); one that has never
answered says so, with the command that stops watching it. A feed's items that fail are retried,
less often the longer they fail (``index.watch.retry_wait``), and never given up on: each round
says how many still fail and when each is tried next, as ``--list`` does (a table of them); the
failed items retried are counted apart from the new or changed ones. Each failure is printed once (the
library logs it at info level only). Every title, URL and error printed goes through
``safe``/``esc``. Loads the store and the model only when it polls; where no feed was ever
watched, ``--list``, ``--remove`` and a poll of the watched feeds say so and create nothing.
Messages go through ``say``: whole lines in a pipe or a log, wrapped under themselves at a terminal.
"""

from __future__ import annotations

import calendar
import time
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from index import waits
from index.types import ItemResult, grouped_words
from rag.cli.ingest import ingest_reason
from rag.cli.output import (
    EXIT_BUSY, EXIT_FAILED, EXIT_INTERRUPTED, CtrlC, cell, clip, esc, fail, out, plural, print_json, safe, say,
    stop_fetches,
)
from rag.errors import RagError

if TYPE_CHECKING:
    from index.collection import Collection
    from index.watch import PollerLock, PollResult
    from rag.settings import Settings

NO_FEEDS = "no feeds are watched yet; give one: rag watch https://example.org/feed.xml"
TITLE_CELLS = 80  # a title longer than this is cut, with "…" (a bare cut read as corrupted data)
NAMED = 5  # items a stopped poll names as not stored (or a poll as failing); then how many more
LISTED_FAILING = 20  # failing items `rag watch --list` shows in a table; `--list --json` has them all
_STATUS_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "duplicate": "dim", "failed": "red"}


def _open_collection() -> Collection:
    from index.collection import Collection
    from rag.settings import load_settings

    return Collection.open(load_settings())


def watch(
    feeds: Annotated[Optional[list[str]], typer.Argument(metavar="FEED_URL", help=(
        "feed or sitemap URLs (RSS, Atom, sitemap.xml, sitemap index) to watch; none: every watched feed"))] = None,
    every: Annotated[str, typer.Option(
        metavar="INTERVAL", help="interval between rounds, e.g. 30m, 1h, 1h30m (unused with --once)")] = "30m",
    once: Annotated[bool, typer.Option("--once", help="poll one round and exit")] = False,
    list_feeds: Annotated[bool, typer.Option("--list", help="list the watched feeds and exit")] = False,
    remove: Annotated[Optional[list[str]], typer.Option(
        "--remove", metavar="FEED_URL", help="stop watching this feed URL (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="with --list: print JSON")] = False,
) -> None:
    """Poll feeds and sitemaps, ingesting only new or changed items (conditional GET with ETag/Last-Modified)."""
    from index.watch import PollerLock, open_state, parse_every
    from rag.settings import load_settings

    if as_json and not list_feeds:  # a poll's output is for people; only the list has a JSON form
        fail("--json goes with --list: rag watch --list --json")
    try:
        settings = load_settings()
        unknown = False
        watching = settings.watch_path.exists()  # else no feed was ever watched: nothing is created to say so
        if list_feeds or remove:
            if not watching:
                unknown = bool(remove)
                for url in remove or ():
                    say("[yellow]not watched:[/yellow]", f"{safe(url)} (no feed is watched)")
                if list_feeds:
                    _print_feeds([], as_json)
            else:
                with open_state(settings) as state:
                    for url in remove or ():
                        if state.remove(url):
                            say("", f"stopped watching {safe(url)} (its articles stay; `rag remove` removes them)")
                        else:
                            unknown = True
                            say("[yellow]not watched:[/yellow]", f"{safe(url)} (see `rag watch --list`)")
                    if list_feeds:
                        _print_feeds(state.feeds(), as_json)
            if not feeds and not once:
                if unknown:
                    raise typer.Exit(1)
                return
        seconds = 0.0 if once else parse_every(every)  # --once never waits: its interval is not read
        if not feeds and not watching:  # said before the store is opened (and made) to find no feed
            fail(NO_FEEDS)
        poller = PollerLock(settings).acquire()  # before the model loads: a second poller is refused at once
    except RagError as exc:
        fail(exc)
    try:
        _poll(settings, poller, feeds, once, seconds)
    finally:
        poller.release()


def _poll(settings: Settings, poller: PollerLock, feeds: list[str] | None, once: bool, seconds: float) -> None:
    """The rounds of `rag watch` (one with ``once``), ``poller`` held; ends in its exit code."""
    from index.watch import Watcher

    if poller.taken_over:
        say("[yellow]note:[/yellow]", f"the last `rag watch` here (pid {poller.taken_over}) ended without stopping "
                                      "cleanly (killed?); this one takes over")
    try:
        coll = _open_collection()
    except RagError as exc:
        fail(exc)
    watcher = Watcher(coll)
    try:
        before = set(watcher.state.urls())
        urls = [watcher.state.add(u) for u in feeds or ()] or None
    except RagError as exc:
        watcher.state.close()
        coll.close()
        fail(exc)
    if urls is None and not watcher.state.urls():
        watcher.state.close()
        coll.close()
        fail(NO_FEEDS)
    rounds = 0
    failed = busy = False
    ctrl_c = CtrlC("[yellow]stopping after the current article; Ctrl-C again stops at once[/yellow]")
    stop = ctrl_c.stop

    def on_item(r: ItemResult) -> None:
        line = Text(clip(safe(r.title or r.item, newlines=False), TITLE_CELLS))
        if r.status == "failed":  # under the title, as a line of its own
            line.append("\n" + " " * 12).append(safe(ingest_reason(r), newlines=False), style="red")
        say(Text.assemble("  ", (f"{r.status:9}", _STATUS_STYLE.get(r.status, ""))), line)

    def on_result(result: PollResult) -> None:
        nonlocal failed, busy
        failed = failed or result.status == "failed" or bool(result.report and result.report.failed)
        busy = busy or result.busy
        say("", Text.from_markup(_describe(result, once)))  # its outside text went through esc()
        if result.found_at:
            say("", f"watching {safe(result.url, newlines=False)} instead: "
                    f"{safe(result.found_at, newlines=False)} is a page that advertises it")
        if result.status == "failed" and result.url not in before and result.not_a_feed:
            watcher.state.remove(result.url)  # a page never read as a feed: it would fail every round
            say("[yellow]not watched:[/yellow]", f"{safe(result.url)} is a page, not a feed or sitemap; "
                                                 "add it once with `rag ingest URL`")
        elif result.status == "failed" and not watcher.state.ever_read(result.url):
            # down, refused or malformed since it was added: kept (it may come up), but not silently
            shown = safe(result.url, newlines=False)
            say("[yellow]still watched, but it has never answered as a feed:[/yellow]",
                f"{shown} is polled again every round; `rag watch --remove {shown}` stops watching it")

    try:
        with ctrl_c:
            while not stop.is_set():
                rounds += 1
                started = time.monotonic()
                say(f"[bold]round {rounds}[/bold]", f"({time.strftime('%H:%M:%S')})")
                watcher.poll_all(urls, progress=on_item, on_result=on_result, stop=stop)
                if once or stop.is_set():
                    break
                wait = max(0.0, seconds - (time.monotonic() - started))
                at = time.localtime(time.time() + wait)
                shown = time.strftime("%H:%M:%S" if wait < 12 * 3600 else "%Y-%m-%d %H:%M:%S", at)
                say("", Text(f"next round at {shown}; Ctrl-C stops", style="dim"))
                waits.wait(stop, wait)  # woken by a Ctrl-C whichever thread the kernel gives it to
    except KeyboardInterrupt:  # a second Ctrl-C (``index.watch.PollInterrupted`` within a poll: said by on_result)
        stop.set()
    finally:
        if stop.is_set():
            stop_fetches()  # pages a stopped round will not use: the exit must not wait for their servers
        watcher.state.close()
        coll.close()
    if ctrl_c.again:
        say("", "stopped at once: the articles stored and the feed state recorded before are kept; "
                "the next run fetches the rest")
        raise typer.Exit(EXIT_INTERRUPTED)
    if stop.is_set():  # a run stopped by Ctrl-C or SIGTERM exits 130, as `rag ingest` and `rag reindex` do
        say("", f"stopped after {rounds} round(s); what was ingested is kept")
        raise typer.Exit(EXIT_INTERRUPTED)
    if busy:  # only with --once: another process was writing; the round is to be done again
        say("[yellow]busy:[/yellow]", "another rag process was writing to RAG_HOME; nothing is lost: run "
                                      "`rag watch --once` again later (exit code 75)")
        raise typer.Exit(EXIT_BUSY)
    if failed:  # only with --once: a feed or an item failed (as `rag ingest` exits 1 for a failed item)
        raise typer.Exit(EXIT_FAILED)


def _describe(r: PollResult, once: bool = False) -> str:
    url = esc(r.url, newlines=False)
    counts = _fetched_counts(r.report.summary()) if r.report else ""
    if r.status == "not_modified" and not r.retried:
        return f"[dim]{url}: not modified (1 conditional request, nothing fetched or embedded)[/dim]" + _notes(r, once)
    if r.status == "not_modified":  # the feed is as it was, but failed items it lists were due for a retry
        return (f"{url}: not modified (1 conditional request); {r.retried} failed item(s) retried; "
                f"fetched: {counts or 'nothing stored'}" + _notes(r, once))
    if r.status == "unchanged":
        return f"[dim]{url}: no new or changed items[/dim]" + _notes(r, once)
    if r.status == "failed":
        error = r.error or ""
        if error.startswith(f"{r.url}: "):  # the URL is said once, as the subject of the sentence
            error = error[len(r.url) + 2:]
            error = f"it {error}" if error.startswith(_SUBJECTLESS) else error
        return (f"[red]{url}: failed:[/red] {esc(_worded(r, error))}" + ("" if once else " (retried next round)")
                + _failing(r, once))
    # ``listed``, not ``fetched_items``: a stopped round counted only the items it settled ("0 item(s)
    # listed as new or changed" of a feed that listed 2, both named below as not stored). Failed items
    # retried are counted apart: the feed did not list them as new or changed (it lists them as before)
    taken = [f"{r.listed} item(s) listed as new or changed in the feed"] if r.listed or not r.retried else []
    taken += [f"{r.retried} failed item(s) retried"] if r.retried else []
    line = f"{url}: {', '.join(taken)}; fetched: {counts or 'nothing stored'}"
    if r.error:  # items were read, but a child sitemap failed
        line += f"\n  [red]{esc(_worded(r, r.error))}[/red]"
    return line + _notes(r, once)


def _fetched_counts(summary: dict[str, int]) -> str:
    """A poll's ingest counts: "2 added (1 grouped with a story already stored), 1 failed".

    "unchanged": the feed listed the item as new or changed (new to this watch, a new date), but the
    article fetched is the one already stored ("2 new or changed ..., fetched: 2 unchanged" read as a
    contradiction). "grouped" is a part of "added", not a status of its own."""
    words = {"unchanged": "already stored as they are", "added": "added" + grouped_words(summary)}
    return ", ".join(f"{n} {words.get(k, k)}" for k, n in summary.items() if n and k != "grouped")


def _worded(r: PollResult, error: str) -> str:
    """A poll's error as the CLI words any result: with its way on from the poll's code
    (``PollResult.code``: a private address refused, "set RAG_ALLOW_PRIVATE_URLS=1")."""
    return ingest_reason(ItemResult(r.url, "failed", reason=error, code=r.code))


#: error reasons that go on from the URL they follow ("URL: is a malformed Atom feed"): after
#: "failed:" they read as a sentence with "it" before them
_SUBJECTLESS = ("is ", "was ", "has ", "took ", "lists ", "links ")


def _notes(r: PollResult, once: bool = False) -> str:
    """What to say below a poll's line: the feed's notices (read leniently, ...), the items left for
    later and the items still failing."""
    out = "".join(f"\n  [yellow]warning:[/yellow] {esc(n)}" for n in r.notices)  # e.g. a feed read leniently
    if r.not_stored:  # a stopped poll: what it did not store, and that nothing of it is skipped later
        names = [esc(clip(safe(i.title or i.link, newlines=False), TITLE_CELLS)) for i in r.not_stored[:NAMED]]
        more = len(r.not_stored) - len(names)
        out += (f"\n  [yellow]not stored: {plural(len(r.not_stored), 'item')} ({'; '.join(names)}"
                f"{f'; and {more} more' if more else ''}); the next round fetches "
                f"{'it' if len(r.not_stored) == 1 else 'them'} again[/yellow]")
    if r.skipped:
        out += (f"\n  [yellow]{r.skipped} new or changed item(s) left for the next round: RAG_FEED_MAX_ITEMS caps "
                "each round, and the newest were read; raise it to read more at once[/yellow]")
    return out + _failing(r, once)


def _failing(r: PollResult, once: bool) -> str:
    """The feed's items still failing after a poll, each with when it is tried next: none is given up
    on (an item that failed 3 times was dropped without a word, new user report)."""
    if not r.failing:
        return ""
    named = [f"{esc(clip(safe(f.title or f.link, newlines=False), TITLE_CELLS))} (failed "
             f"{plural(f.attempts, 'time')}; next try {_next_try(f.next_retry, once)})" for f in r.failing[:NAMED]]
    more = len(r.failing) - len(named)
    return (f"\n  [yellow]{len(r.failing)} item(s) failing, still retried, less often the longer they fail: "
            f"{'; '.join(named)}{f'; and {more} more (rag watch --list)' if more else ''}[/yellow]")


def _next_try(when: str | None, once: bool = False) -> str:
    """When a failing item is tried next, in local time: "next round", or "after 14:05" (with the date
    when it is not today)."""
    if when is None:
        return "at the next run" if once else "next round"
    try:
        at = time.localtime(calendar.timegm(time.strptime(when, "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        return f"after {esc(when, newlines=False)}"
    today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", at)
    return "after " + time.strftime("%H:%M" if today else "%Y-%m-%d %H:%M", at)


def _print_feeds(feeds: list, as_json: bool) -> None:  # noqa: ANN001 - list[index.watch.WatchedFeed]
    from dataclasses import asdict

    from rich.table import Table

    if as_json:
        print_json([asdict(f) for f in feeds])
        return
    if not feeds:
        say("", "no feeds are watched; add one with `rag watch URL`")
        return
    t = Table()
    for col in ("url", "title", "last polled", "added", "updated", "last error"):
        t.add_column(col, overflow="fold")
    for f in feeds:
        t.add_row(cell(f.url), cell(f.title or ""), cell(f.last_polled or "never"), str(f.items_added),
                  str(f.items_updated), cell((f.last_error or "")[:400]))
    out.print(t)
    failing = [i for f in feeds for i in f.failing]
    if not failing:
        return
    # each failing item and when it is tried next: all are retried, none given up on (README, `rag watch`)
    t = Table(title=f"{len(failing)} item(s) failing, still retried (times UTC)", title_justify="left")
    for col in ("item", "failed", "last try", "next try", "last error"):
        t.add_column(col, overflow="fold")
    for i in failing[:LISTED_FAILING]:
        t.add_row(cell(i.link), plural(i.attempts, "time"), cell(i.last_attempt),
                  cell(i.next_retry or "next round"), cell((i.reason or "")[:400]))
    out.print(t)
    if len(failing) > LISTED_FAILING:
        say("", f"and {len(failing) - LISTED_FAILING} more failing item(s): `rag watch --list --json` lists them all")


def register(app: typer.Typer) -> None:
    """Add ``rag watch`` to ``app``."""
    app.command("watch")(watch)

