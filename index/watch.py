"""Keep a collection current from feeds: poll each watched feed, ingest only new or changed items.

>>> from index.collection import Collection                        # doctest: +SKIP
>>> watcher = Watcher(Collection.open())                          # doctest: +SKIP
>>> watcher.state.add("https://example.org/feed.xml")             # doctest: +SKIP
>>> [r.status for r in watcher.poll_all()]                        # doctest: +SKIP
['ingested']
>>> [r.status for r in watcher.poll_all()]  # nothing new: one conditional request, no embedding  # doctest: +SKIP
['not_modified']

Cost of a round per feed: one conditional GET (``If-None-Match`` / ``If-Modified-Since`` with the
validators of the last complete poll). A 304, or a feed whose items all carry the stamps already
seen, ends there: no page is fetched, nothing is embedded, the store's write lock is not taken.
Only items whose key (guid or link) is new or whose stamp (updated date, lastmod, else a hash of
what the feed shows) changed are fetched, through ``index.load.load_feed_item`` (SSRF guard, size
and time caps), a few at a time, and ingested by ``Indexer.ingest_articles``, which commits article
by article, each page as it comes, whatever the feed's order: a slow or hung page delays no other
item of its round. A round (``Watcher.poll_all``) asks for the feed documents of its feeds a few at a
time (``index.load.FEED_FETCHES``) from its start, so a feed whose server hangs until
RAG_FETCH_TIMEOUT delays the feeds after it by no more than that, once, instead of each feed's own
fetch adding to it; the feeds are still read, ingested and reported one after another, in the
round's order (only the first request of each feed runs ahead; a sitemap index's children and the
items are fetched when its turn comes).

Failures never stop the watch: a feed that is down, slow or malformed records ``last_error`` and is
polled again next round (it stays watched, even when it never answered: ``rag watch --remove`` ends
that); it is logged at info level only, since the ``PollResult`` carries it to the caller, which
shows it (``rag watch`` prints it once). A failing item is never given up on while the feed lists
it: it is retried in the next ``RETRY_ROUNDS`` rounds, then less and less often, the wait since its
last attempt doubling from ``RETRY_FIRST`` up to ``RETRY_CAP`` (``retry_wait``); a changed stamp
makes it due at once. Its retries do not need the feed read again: in a round the feed answers 304
the items due for a retry are taken from the state (link, title, date, author as the feed last
listed them), so the feed's validators are kept even while items fail. A failed item the feed no
longer lists is forgotten when the feed is read in full (not for a sitemap index, whose children are
not all read each round); one stored since (by this watch or any ``rag ingest`` of its URL) is no
longer failing, and is not fetched again for it (``WatchState.settle_stored`` at each poll;
``WatchState.feeds`` leaves it out as well). ``PollResult.retried`` counts the failed items retried
apart from the new or changed ones, and ``PollResult.failing`` names the items still failing and when
each is tried next.
A ``stop`` event (``rag watch`` sets it on a first
Ctrl-C) ends a poll between items, with the round recorded: the pages already fetched are stored,
the ones still being fetched are not waited for (``index.load.load_feed_items``), and the items
left are due next round (``PollResult.not_stored``); the feeds after it are not read, even when
their document came already (nothing is recorded for them: no validators, so the next round asks
for them in full); a KeyboardInterrupt stops inside an
ingest (after a ``stop``, at once: ``index.pipeline``): what was committed stays, and item state is
recorded for every item that finished.
At most ``RAG_FEED_MAX_ITEMS`` new or changed items are read per feed (per child sitemap) and round,
the newest (``index.feeds.newest_first``), as ``rag ingest`` reads the newest; the ones left out are
due next round, and until they are read the validators are not saved (a 304 would hide them).
A feed read leniently (not well-formed XML) or with unusable entries says so in
``PollResult.notices``.

A second Ctrl-C during a poll (``PollInterrupted``) still records the items that finished and
keeps no validators, and its ``PollResult`` names the due items not stored (``not_stored``: pages
being fetched, or fetched but not yet embedded and written), which the next round fetches again.
A page fetched before it is stored by then (pages are stored as they come); only the articles
being embedded at that moment are dropped (see ``Watcher._ingest``).

State lives in ``$RAG_HOME/watch.sqlite3`` (SQLite: the CLI's ``rag watch`` and the UI may use it
at once): the watched feeds (url, title, last polled, items added and updated, last error,
validators) and, per feed, the items seen (key, link, stamp, title, date, author, status, attempts,
when a failed one is retried). One scheduled
poller at a time polls them: ``PollerLock`` (``watch.lock`` beside the state, an OS lock that a
killed watcher lets go of, and ``watch.pid``, the poller's pid for the message of the next one refused).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

from index import feeds, waits
from index.db import stored_links
from index.feeds import Feed, FeedItem
from index.fetch import FetchedPage, fetch_url
from index.load import FEED_FETCHES, Waiting, is_url, load_feed_items
from index.types import Article, IngestReport, ItemResult, LoadFailure, ResultCode
from index.userinfo import strip_userinfo
from rag.errors import InputError, RagError, StoreBusyError
from rag.settings import Settings

log = logging.getLogger(__name__)

PollStatus = Literal["not_modified", "unchanged", "ingested", "failed"]
_DONE_STATUSES = {"added", "updated", "unchanged", "duplicate"}
_CHILD = "sitemap-child:"  # item keys of a sitemap index's child sitemaps (their stamp: the index's lastmod)
MIN_EVERY = 10.0  # seconds: a smaller interval is a typo (and impolite to the feed's server)
MAX_EVERY = 30 * 86400.0  # seconds: longer is a typo too (and beyond what a timer can show); use cron
# A failed item is retried at the next round for its first RETRY_ROUNDS failed attempts (as it always
# was), then after RETRY_FIRST seconds since its last attempt, doubled after each failure up to
# RETRY_CAP: 1 h, 2 h, 4 h, ... 1 day, and once a day from then on. It was given up on after 3 attempts,
# so a page published a little after its feed entry was lost for good (new user report).
RETRY_ROUNDS = 3
RETRY_FIRST = 3600.0
RETRY_CAP = 86400.0
# seconds a retry may come early: a round starts ``every`` seconds after the last one began, and an
# item tried a little later in that round must not wait a whole round more for it
RETRY_SLACK = 300.0


def retry_wait(attempts: int, *, rounds: int = RETRY_ROUNDS, first: float = RETRY_FIRST,
               cap: float = RETRY_CAP) -> float:
    """Seconds an item that failed ``attempts`` times in a row waits, from its last attempt, for its
    next one; 0: the next round.

    >>> [retry_wait(n) / 3600 for n in (1, 2, 3, 4, 5, 8, 20)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 24.0, 24.0]
    """
    if attempts < rounds:
        return 0.0
    return min(cap, first * 2.0 ** min(attempts - rounds, 40))


@dataclass(frozen=True)
class FailingItem:
    """An item of a watched feed whose last attempt failed. It is still retried: at the next round
    (``next_retry`` None) or from ``next_retry`` on (``retry_wait``); never given up on while the feed
    lists it."""

    link: str
    title: str | None
    attempts: int  # failed attempts in a row (since its stamp last changed)
    reason: str | None  # why the last one failed
    last_attempt: str  # ISO 8601 UTC
    next_retry: str | None  # ISO 8601 UTC; None: at the next round


@dataclass(frozen=True)
class WatchedFeed:
    """A watched feed as the CLI and UI list it."""

    url: str
    title: str | None
    added_at: str
    last_polled: str | None  # ISO 8601 UTC
    last_error: str | None  # the feed's error, else a summary of failing items, else None
    items_added: int  # articles added from this feed, in total
    items_known: int  # items seen in the feed so far
    items_failing: int  # items whose last attempt failed and that are not stored since (``failing``)
    items_updated: int = 0  # stored articles updated from this feed (a changed item), in total
    # the failing items, each with when it is retried next (all are retried: none is given up on)
    failing: tuple[FailingItem, ...] = ()


@dataclass(frozen=True)
class PollResult:
    """One feed's poll: what happened and what it cost."""

    url: str
    status: PollStatus
    requests: int  # HTTP requests for the feed itself (1, plus changed child sitemaps of an index)
    fetched_items: int  # new or changed items whose pages were fetched (a stopped poll: those settled)
    report: IngestReport | None = None
    error: str | None = None
    skipped: int = 0  # new or changed items left for the next round by RAG_FEED_MAX_ITEMS (the oldest)
    found_at: str | None = None  # the page given to watch, which advertised this feed (now watched instead)
    not_a_feed: bool = False  # the URL, never read as a feed, is a page (a child sitemap's failure is not this)
    notices: tuple[str, ...] = ()  # what was wrong with the feed but kept no item out (read leniently, ...)
    # why ``error`` is what it is, in a word, when a client may act on it (``index.types.ResultCode``):
    # ``private_address`` when the fetch guard refused the feed's address, or a child sitemap's. Set
    # from the refusal (``InputError.code``), never read from the words; passed on to the
    # ``ItemResult`` a surface makes of the error, so each words it with its own hint
    code: ResultCode | None = None
    # the poll failed because another process held the store's write lock (``StoreBusyError``):
    # nothing is wrong with the feed, the round is merely to be done again (`rag watch --once` exits 75)
    busy: bool = False
    # due items a stopped or interrupted poll did not store (not fetched yet, or fetched but not yet
    # written): no item state or validators were kept for them, so the next round fetches them again
    not_stored: tuple[FeedItem, ...] = ()
    # of the items this poll took up (``fetched_items`` and ``not_stored``), those retried because
    # they failed before, the feed listing them unchanged: counted apart from the new or changed ones
    # (they were said to be "listed as new or changed in the feed"). A 304 round may retry some too
    retried: int = 0
    # the feed's items still failing after this poll, each with when it is tried next
    failing: tuple[FailingItem, ...] = ()

    @property
    def listed(self) -> int:
        """The new or changed items this poll took up (not those ``skipped``, nor the failed ones
        ``retried``): the ones it settled (``fetched_items``) and the ones a stop left
        (``not_stored``). A stopped round said "0 item(s) listed as new or changed" of a feed that
        listed 2 (new user 20)."""
        return max(0, self.fetched_items + len(self.not_stored) - self.retried)


@dataclass(frozen=True)
class _Prefetched:
    """A feed document ``Watcher.poll_all`` asked for ahead of its turn, and the validators (ETag,
    Last-Modified) it asked with: read from the state before, on the round's own thread (the state
    is not read or written from the fetching threads)."""

    validators: tuple[str | None, str | None]
    page: Future[FetchedPage]  # ``fetch_url``'s page, or the InputError it raised


class PollInterrupted(KeyboardInterrupt):
    """A Ctrl-C (the second: ``stop`` was set before) that stopped a poll mid-ingest. ``result`` is
    what the poll got done: the articles stored (``report``), every finished item recorded, no
    validators kept, and ``not_stored`` the items the next round fetches again. A KeyboardInterrupt
    still, so a caller that knows nothing of it stops as before."""

    def __init__(self, result: PollResult) -> None:
        super().__init__()
        self.result = result


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, title TEXT, added_at TEXT NOT NULL, last_polled TEXT, last_ok TEXT,
    last_error TEXT, etag TEXT, last_modified TEXT, items_added INTEGER NOT NULL DEFAULT 0,
    items_updated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE, key TEXT NOT NULL, link TEXT NOT NULL,
    stamp TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,
    article_id TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (feed, key)
);
"""


_ITEM_COLUMNS = {"title": "TEXT", "published": "TEXT", "author": "TEXT", "retry_at": "REAL"}  # added later


@dataclass(frozen=True)
class _Known:
    stamp: str
    status: str
    attempts: int
    retry_at: float | None = None  # a failed item: when it is due again (epoch seconds); None: next round


class WatchState:
    """The watched feeds and their items, in a small SQLite file (safe across processes)."""

    def __init__(self, path: Path, *, articles: Path | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        if "items_updated" not in {r[1] for r in self._db.execute("PRAGMA table_info(feeds)")}:
            try:  # a state file from before updates were counted apart (they were counted as added)
                self._db.execute("ALTER TABLE feeds ADD COLUMN items_updated INTEGER NOT NULL DEFAULT 0")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise
        have = {r[1] for r in self._db.execute("PRAGMA table_info(items)")}
        for column, kind in _ITEM_COLUMNS.items():  # a state file from before failed items were retried
            if column not in have:
                try:
                    self._db.execute(f"ALTER TABLE items ADD COLUMN {column} {kind}")
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):
                        raise
        # the article database of the same collection: a failing item stored since is no longer
        # failing (``failing``, ``feeds``); None: not looked up
        self.articles = articles

    @classmethod
    def for_settings(cls, settings: Settings) -> WatchState:
        return cls(settings.watch_path, articles=settings.db_path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- feeds ------------------------------------------------------------------------------
    def add(self, url: str) -> str:
        """Watch ``url`` (idempotent); returns the URL as stored. Raises InputError for a non-URL."""
        url = check_feed_url(url)
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO feeds(url, added_at) VALUES (?, ?)", (url, _now()))
        return url

    def remove(self, url: str) -> bool:
        """Stop watching ``url`` and forget its items (the articles stay); False if it was not watched."""
        with self._lock:
            cur = self._db.execute("DELETE FROM feeds WHERE url = ?", (url.strip(),))
        return cur.rowcount > 0

    def urls(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT url FROM feeds ORDER BY added_at, url")]

    def feeds(self, now: float | None = None) -> list[WatchedFeed]:
        """The watched feeds, each with its items failing as of ``now`` (default: the time): an item
        stored since it failed, by the watch or by any other ingest of its URL, is not one (it was
        listed as failing until a poll of its feed, after `rag ingest` had stored it)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT f.url, f.title, f.added_at, f.last_polled, f.last_error, f.items_added, f.items_updated,"
                " COUNT(i.key)"
                " FROM feeds f LEFT JOIN items i ON i.feed = f.url AND i.key NOT LIKE 'sitemap-child:%'"
                " GROUP BY f.url ORDER BY f.added_at, f.url"
            ).fetchall()
        failing = self._failing(None, now)
        out = []
        for url, title, added, polled, error, added_n, updated_n, known in rows:
            items = failing.get(url, ())
            if not error and items:
                error = failing_summary(items)
            out.append(WatchedFeed(url, title, added, polled, error, int(added_n), int(known), len(items),
                                   int(updated_n), tuple(items)))
        return out

    def failing(self, url: str, now: float | None = None) -> tuple[FailingItem, ...]:
        """The items of ``url`` whose last attempt failed and that are not stored since, the latest
        failure first, each with when it is retried next as of ``now`` (default: the time)."""
        return tuple(self._failing(url, now).get(url, ()))

    def _failing(self, url: str | None, now: float | None) -> dict[str, list[FailingItem]]:
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT feed, link, title, attempts, reason, updated_at, retry_at FROM items"
                " WHERE status = 'failed' AND key NOT LIKE 'sitemap-child:%' AND (? IS NULL OR feed = ?)"
                " ORDER BY updated_at DESC, link", (url, url)).fetchall()
        stored = stored_links(self.articles, {r[1] for r in rows}) if rows else {}
        out: dict[str, list[FailingItem]] = {}
        for feed, link, title, attempts, reason, at, retry_at in rows:
            if link in stored:
                continue
            nxt = _iso(retry_at) if retry_at is not None and retry_at > now else None
            out.setdefault(feed, []).append(FailingItem(link, title, int(attempts), reason, at, nxt))
        return out

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_poll(self, url: str, *, error: str | None, title: str | None = None, added: int = 0,
                    updated: int = 0, validators: tuple[str | None, str | None] | None = None) -> None:
        """After a poll: the time, the error (None = fine), articles added and updated, and validators
        to keep."""
        now = _now()
        with self._lock:
            self._db.execute(
                "UPDATE feeds SET last_polled = ?, last_error = ?, items_added = items_added + ?,"
                " items_updated = items_updated + ?,"
                " title = COALESCE(?, title), last_ok = CASE WHEN ? IS NULL THEN ? ELSE last_ok END"
                " WHERE url = ?", (now, error, added, updated, title, error, now, url))
            if validators is not None:
                self._db.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?", (*validators, url))

    # --- items ------------------------------------------------------------------------------
    def known(self, url: str) -> dict[str, _Known]:
        with self._lock:
            rows = self._db.execute("SELECT key, stamp, status, attempts, retry_at FROM items WHERE feed = ?", (url,))
            return {k: _Known(s, st, a, r) for k, s, st, a, r in rows}

    def due_retries(self, url: str, now: float, slack: float = RETRY_SLACK) -> list[FeedItem]:
        """The failed items of ``url`` due for a retry at ``now`` (their wait over but for ``slack``
        seconds), as the feed last listed them: a round the feed answers 304 retries them without
        reading it again. The one waiting longest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT link, key, stamp, title, published, author FROM items WHERE feed = ? AND status = 'failed'"
                " AND key NOT LIKE 'sitemap-child:%' AND (retry_at IS NULL OR retry_at <= ?)"
                " ORDER BY updated_at, key", (url, now + slack)).fetchall()
        return [FeedItem(link, key, stamp, title, _date(published), author)
                for link, key, stamp, title, published, author in rows]

    def settle_stored(self, url: str, articles: Path | None = None) -> int:
        """Mark as done the failed items of ``url`` whose page is stored now (by `rag ingest` of the
        URL, say): they are not failing any more, and not fetched again for it. ``articles``: the
        article database to look in (default: this state's). How many were."""
        with self._lock:
            rows = self._db.execute("SELECT key, link FROM items WHERE feed = ? AND status = 'failed'"
                                    " AND key NOT LIKE 'sitemap-child:%'", (url,)).fetchall()
        stored = stored_links(articles or self.articles, {link for _, link in rows}) if rows else {}
        done = [(stored[link], url, key) for key, link in rows if link in stored]
        if done:
            with self._lock:
                self._db.executemany(
                    "UPDATE items SET status = 'done', attempts = 0, reason = NULL, retry_at = NULL, article_id = ?"
                    " WHERE feed = ? AND key = ? AND status = 'failed'", done)
            log.info("%s: %d failed item(s) stored since; no longer failing", url, len(done))
        return len(done)

    def forget_unlisted_failures(self, url: str, listed: Iterable[str]) -> int:
        """Forget the failed items of ``url`` that are not among the keys ``listed`` (the feed no
        longer lists them: nothing to retry). Should the feed list one again, it is a new item."""
        keys = set(listed)
        with self._lock:
            rows = self._db.execute("SELECT key FROM items WHERE feed = ? AND status = 'failed'"
                                    " AND key NOT LIKE 'sitemap-child:%'", (url,)).fetchall()
            gone = [(url, k) for (k,) in rows if k not in keys]
            if gone:
                self._db.executemany("DELETE FROM items WHERE feed = ? AND key = ?", gone)
        return len(gone)

    def ever_read(self, url: str) -> bool:
        """Whether a poll of ``url`` ever read it as a feed (or got a 304)."""
        with self._lock:
            row = self._db.execute("SELECT last_ok IS NOT NULL FROM feeds WHERE url = ?", (url,)).fetchone()
        return bool(row and row[0])

    def record_items(self, url: str, rows: Iterable[tuple[FeedItem, str, str | None, str | None]],
                     prefix: str = "", *, now: float | None = None,
                     wait: Callable[[int], float] = retry_wait) -> None:
        """Store (item, status "done"/"failed", reason, article id) for items that finished, at ``now``
        (default: the time). A failed item counts its attempts in a row at the same stamp, and is due
        again ``wait(attempts)`` seconds after ``now`` (0: at the next round).

        One transaction: thousands of items cost one commit, and all or none are recorded."""
        now = time.time() if now is None else now
        at = _iso(now)
        rows = list(rows)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                known = {k: (s, a) for k, s, a in self._db.execute(
                    "SELECT key, stamp, attempts FROM items WHERE feed = ?", (url,))}
                for item, status, reason, article_id in rows:
                    key = prefix + item.key
                    old_stamp, attempts = known.get(key, (None, 0))
                    attempts = 0 if status == "done" else (attempts + 1 if old_stamp == item.stamp else 1)
                    pause = wait(attempts) if status == "failed" else 0.0
                    self._db.execute(
                        "INSERT OR REPLACE INTO items(feed, key, link, stamp, status, attempts, reason, article_id,"
                        " updated_at, title, published, author, retry_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (url, key, item.link, item.stamp, status, attempts, reason, article_id, at, item.title,
                         item.published.isoformat() if item.published else None, item.author,
                         now + pause if pause > 0 else None))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def failing_summary(items: Sequence[FailingItem]) -> str:
    """What a feed's ``last_error`` says of its failing items when the feed itself is fine: how many,
    that they are still retried and when the first is, and the latest reason."""
    first = min((i.next_retry for i in items), key=lambda t: (t is not None, t or ""))
    when = "next round" if first is None else f"next at {first.replace('T', ' ').replace('Z', ' UTC')}"
    return f"{len(items)} item(s) failing, still retried ({when}); latest: {items[0].reason}"


class Watcher:
    """Polls watched feeds into a collection (``index.pipeline.Collection``)."""

    def __init__(self, collection: object, state: WatchState | None = None, *, retry_rounds: int = RETRY_ROUNDS,
                 retry_first: float = RETRY_FIRST, retry_cap: float = RETRY_CAP,
                 clock: Callable[[], float] = time.time) -> None:
        """``retry_rounds``, ``retry_first``, ``retry_cap``: when a failed item is retried
        (``retry_wait``); ``clock``: the time, in epoch seconds, those waits are measured by."""
        self.collection = collection
        self.settings: Settings = collection.settings  # type: ignore[attr-defined]
        # the collection's own article database (a failed item stored since is no longer failing)
        db = getattr(getattr(collection, "db", None), "path", None)
        self.articles: Path | None = db if isinstance(db, Path) else None
        self.state = state or WatchState(self.settings.watch_path, articles=self.articles or self.settings.db_path)
        self.retry_rounds, self.retry_first, self.retry_cap = retry_rounds, retry_first, retry_cap
        self.clock = clock

    def retry_wait(self, attempts: int) -> float:
        """Seconds an item that failed ``attempts`` times in a row waits for its next attempt (0: next round)."""
        return retry_wait(attempts, rounds=self.retry_rounds, first=self.retry_first, cap=self.retry_cap)

    def poll_all(self, urls: Sequence[str] | None = None, *,
                 progress: Callable[[ItemResult], None] | None = None,
                 on_result: Callable[[PollResult], None] | None = None,
                 stop: threading.Event | None = None) -> list[PollResult]:
        """One round over ``urls`` (default: every watched feed); one feed's failure never stops it.

        The feed documents are fetched a few at a time from the start of the round (``_ahead``), so
        a server that hangs until RAG_FETCH_TIMEOUT holds up the feeds after it once, not feed by
        feed; everything else goes one feed after another, in the order of ``urls``: the results,
        ``on_result``, each feed's ingest and its state.

        ``stop`` (set by a first Ctrl-C) ends the round after the item being ingested, with every
        feed's state recorded; a feed not read by then is not read at all, even when its document
        came already (no state is recorded for it, so the next round asks for it again in full).
        The round ends once the fetches it started have (each within RAG_FETCH_TIMEOUT: those not
        started are cancelled), also when PollInterrupted or a KeyboardInterrupt ends it. A page in
        a list ``urls`` that advertised a feed (``found_at``) is replaced there by the feed, so the
        next round polls the feed."""
        results = []
        todo = list(urls) if urls is not None else self.state.urls()
        stopped = stop is not None and stop.is_set()  # nothing is polled: nothing to fetch ahead either
        # the state is read here, on the caller's thread, before any fetch starts
        ahead = {} if stopped else self._ahead(todo)
        pool = ThreadPoolExecutor(max_workers=min(FEED_FETCHES, len(ahead)), thread_name_prefix="watch-feed",
                                  initializer=waits.leave_signals_to_main) if len(ahead) > 1 else None
        prefetched: dict[int, _Prefetched] = {}
        try:
            if pool is not None:  # submitted in the round's order: the first feeds are asked for first
                for n, (url, (etag, modified)) in ahead.items():
                    prefetched[n] = _Prefetched((etag, modified), pool.submit(
                        fetch_url, url, self.settings, etag=etag, last_modified=modified))
            for n, url in enumerate(todo):
                if stop is not None and stop.is_set():
                    break
                early = prefetched.get(n)
                if early is not None and not _came(early.page, stop):
                    break  # stopped while its document was coming: not read, polled again next round
                try:
                    # ``poll`` without its fetch: the state is added to, and read, as ``poll`` does
                    result = self._poll(self.state.add(url), progress, stop, follow=True, prefetched=early)
                except PollInterrupted as exc:  # what it stored and what it did not are said, then it stops
                    results.append(exc.result)
                    if on_result:
                        on_result(exc.result)
                    raise
                results.append(result)
                if result.found_at and isinstance(urls, list) and n < len(urls) and urls[n] == url:
                    urls[n] = result.url
                if on_result:
                    on_result(result)
        finally:
            if pool is not None:
                _end_fetches(pool, [p.page for p in prefetched.values()])
        return results

    def _ahead(self, todo: Sequence[str]) -> dict[int, tuple[str, tuple[str | None, str | None]]]:
        """The feeds of a round whose documents are fetched ahead: position in ``todo`` -> (URL as
        stored, its validators), read from the state now. A URL listed twice is fetched ahead once,
        at its first place: the second poll asks with the validators the first one recorded, as a
        round one feed after another did. A URL that is not one (``check_feed_url``) is not fetched:
        it raises at its turn, as before."""
        first: dict[str, int] = {}
        for n, url in enumerate(todo):
            try:
                first.setdefault(check_feed_url(url), n)
            except InputError:
                continue
        return {n: (url, self.state.validators(url)) for url, n in first.items()}

    def run(self, every: float, *, urls: Sequence[str] | None = None, stop: threading.Event | None = None,
            rounds: int | None = None, progress: Callable[[ItemResult], None] | None = None,
            on_result: Callable[[PollResult], None] | None = None) -> None:
        """Poll every ``every`` seconds until ``stop`` is set (or ``rounds`` rounds are done).

        The wait is measured from the start of a round, so a slow round does not drift the schedule
        (a round longer than ``every`` starts the next one at once)."""
        stop = stop or threading.Event()
        urls = list(urls) if urls is not None else None  # poll_all may replace a page by its feed
        done = 0
        while not stop.is_set():
            started = time.monotonic()
            self.poll_all(urls, progress=progress, on_result=on_result, stop=stop)
            done += 1
            if rounds is not None and done >= rounds:
                return
            waits.wait(stop, max(0.0, every - (time.monotonic() - started)))

    def poll(self, url: str, *, progress: Callable[[ItemResult], None] | None = None,
             stop: threading.Event | None = None) -> PollResult:
        """Poll one feed (adding it to the watched list if needed).

        Never raises for a feed that is down, slow or malformed (see ``PollResult.error`` and the
        state's ``last_error``); only a URL that is not http(s) raises InputError. A web page given
        as a feed that advertises one (``<link rel="alternate" type="application/rss+xml">``) is
        replaced by that feed in the watched list, and the feed is polled (``found_at``). At most
        ``RAG_FEED_MAX_ITEMS`` new or changed items of a feed (of each child sitemap) are read, the
        newest; the rest are due next round (``skipped``). ``stop`` ends the ingest after the current item."""
        return self._poll(self.state.add(url), progress, stop, follow=True)

    def _poll(self, url: str, progress: Callable[[ItemResult], None] | None, stop: threading.Event | None,
              *, follow: bool, prefetched: _Prefetched | None = None) -> PollResult:
        """``_poll_feed``, its result naming the feed's items still failing after it (``failing``)."""
        # a failed item stored since (`rag ingest` of its URL) is failing no more, nor fetched again for it
        self.state.settle_stored(url, self.articles)
        try:
            result = self._poll_feed(url, progress, stop, follow=follow, prefetched=prefetched)
        except PollInterrupted as exc:
            failing = self.state.failing(exc.result.url, self.clock())
            raise PollInterrupted(dataclasses.replace(exc.result, failing=failing)) from None
        return dataclasses.replace(result, failing=self.state.failing(result.url, self.clock()))

    def _poll_feed(self, url: str, progress: Callable[[ItemResult], None] | None, stop: threading.Event | None,
                   *, follow: bool, prefetched: _Prefetched | None = None) -> PollResult:
        """Poll ``url``; ``prefetched``: its document, fetched by ``poll_all`` ahead of its turn (done),
        used when it was asked for with the validators the state has now. Else (none, or the state
        changed since: the feed a page of the round advertised, polled by then) it is fetched here."""
        etag, modified = self.state.validators(url)
        try:
            if prefetched is not None and prefetched.validators == (etag, modified):
                page = prefetched.page.result()  # done: raises what the fetch raised
            else:
                page = fetch_url(url, self.settings, etag=etag, last_modified=modified)
        except InputError as exc:
            return self._failed(url, str(exc), requests=1, code=exc.code)
        if page.not_modified:
            log.info("%s: not modified", url)
            validators = (page.etag, page.last_modified)
            # the feed still lists its failed items as they were: those due are retried all the same
            retries = self.state.due_retries(url, self.clock())[:self.settings.feed_max_items]
            if not retries:
                self.state.record_poll(url, error=None, validators=validators)
                return PollResult(url, "not_modified", requests=1, fetched_items=0)
            result = self._ingest(url, None, retries, {i.key for i in retries}, [], 1, validators, progress,
                                  None, stop)
            return dataclasses.replace(result, status="not_modified") if result.status == "ingested" else result
        try:
            feed = feeds.parse_feed(page)
        except InputError as exc:
            page_only = feeds.is_page(page)
            known = self.state.ever_read(url)
            advertised = feeds.advertised_feeds(page) if follow and page_only else []
            if advertised and not known:
                return self._adopt(url, advertised[0], progress, stop)
            failed = self._failed(url, str(exc), requests=1, code=exc.code)
            # a feed already read that answers a page once (a maintenance page) failed this round, as
            # a 500 does: it stays watched with its counters (`rag watch --every` dropped it, new user 15)
            return dataclasses.replace(failed, not_a_feed=page_only and not known)
        requests = 1
        known = self.state.known(url)
        due_items: list[FeedItem] = []
        children: list[FeedItem] = []  # changed child sitemaps of a sitemap index, recorded once read whole
        child_errors: list[LoadFailure] = []
        notices = list(feed.problems)
        skipped = 0
        if feed.kind == "sitemapindex":
            for child in feed.items:
                if self._due(known.get(_CHILD + child.key), child):
                    requests += 1
                    sub = self._child(child)
                    if isinstance(sub, Feed):
                        notices += [f"child sitemap {sub.url}: {p}" for p in sub.problems]
                        read, left = self._capped(sub, known)
                        due_items += read
                        skipped += left
                        if not left:  # else it is due again next round, for the items left out
                            children.append(child)
                    else:
                        child_errors.append(sub)
        else:
            due_items, skipped = self._capped(feed, known)
            # a failed item the feed no longer lists is not retried (a 304 round would take it from the state)
            self.state.forget_unlisted_failures(url, (i.key for i in feed.items))
        # a child sitemap that failed, or items left out by the cap, are read next round: keep no
        # validators, or a 304 would hide them
        validators = None if child_errors or skipped else (page.etag, page.last_modified)
        note = "; ".join(e.reason for e in child_errors) or None
        code = next((e.code for e in child_errors if e.code), None)  # a child sitemap refused by the guard
        if not due_items:
            self.state.record_items(url, ((c, "done", None, None) for c in children), prefix=_CHILD)
            self.state.record_poll(url, error=note, title=feed.title, validators=validators)
            return PollResult(url, "failed" if note else "unchanged", requests=requests, fetched_items=0, error=note,
                              skipped=skipped, notices=tuple(notices), code=code)
        retried = {i.key for i in due_items if self._retry(known.get(i.key), i)}
        try:
            result = self._ingest(url, feed, due_items, retried, children, requests, validators, progress, note,
                                  stop)
        except PollInterrupted as exc:
            raise PollInterrupted(dataclasses.replace(exc.result, skipped=skipped, notices=tuple(notices),
                                                      code=code)) from None
        return dataclasses.replace(result, skipped=skipped, notices=tuple(notices), code=code)

    # --- internals ------------------------------------------------------------------------------
    def _capped(self, feed: Feed, known: dict[str, _Known]) -> tuple[list[FeedItem], int]:
        """The items of ``feed`` due this round, at most ``RAG_FEED_MAX_ITEMS``: the newest (a feed's
        items come newest first, ``index.feeds.newest_first``), and how many due ones are left out
        (read in a later round: they stay due, and the validators are not kept)."""
        due = [i for i in feed.items if self._due(known.get(i.key), i)]
        cap = self.settings.feed_max_items
        if len(due) > cap:
            log.info("%s: %d new or changed items; reading the newest %d (RAG_FEED_MAX_ITEMS), the rest next round",
                     feed.url, len(due), cap)
        return due[:cap], max(0, len(due) - cap)

    def _adopt(self, page_url: str, feed_url: str, progress: Callable[[ItemResult], None] | None,
               stop: threading.Event | None) -> PollResult:
        """Watch the feed a page advertises instead of the page, and poll it."""
        log.info("%s is a page advertising the feed %s; watching the feed instead", page_url, feed_url)
        feed_url = self.state.add(feed_url)
        self.state.remove(page_url)
        result = self._poll(feed_url, progress, stop, follow=False)
        return dataclasses.replace(result, requests=result.requests + 1, found_at=page_url)

    def _due(self, known: _Known | None, item: FeedItem) -> bool:
        """New, changed, or failed at this stamp and due for its retry (``retry_wait``)."""
        if known is None or known.stamp != item.stamp:
            return True
        return self._retry(known, item) and (known.retry_at is None or known.retry_at <= self.clock() + RETRY_SLACK)

    @staticmethod
    def _retry(known: _Known | None, item: FeedItem) -> bool:
        """Whether ``item``, if due, is a retry: it failed before, and the feed lists it unchanged."""
        return known is not None and known.stamp == item.stamp and known.status == "failed"

    def _child(self, child: FeedItem) -> Feed | LoadFailure:
        """A child sitemap of an index, or the failure that kept it from being read: its ``reason``
        names it, its ``code`` is the refusal's (a private address)."""
        try:
            sub = feeds.parse_feed(fetch_url(child.link, self.settings))
        except InputError as exc:
            log.info("child sitemap %s", exc)
            return LoadFailure(child.link, f"child sitemap {exc}", code=exc.code)
        if sub.kind == "sitemapindex":
            log.info("child sitemap %s is itself an index; not followed", child.link)
            return LoadFailure(child.link, f"child sitemap {child.link} is itself a sitemap index; it is not "
                                           "followed, watch it directly")
        return sub

    def _ingest(self, url: str, feed: Feed | None, due_items: list[FeedItem], retried: set[str],
                children: list[FeedItem], requests: int, validators: tuple[str | None, str | None] | None,
                progress: Callable[[ItemResult], None] | None, note: str | None,
                stop: threading.Event | None = None) -> PollResult:
        """Fetch and store ``due_items`` (of ``feed``; None: a 304, the failed items ``retried`` only),
        recording each item that finished and the poll."""
        by_name: dict[str, FeedItem] = {}  # article source / failure item -> the feed item it came from
        outcome: dict[str, tuple[str, str | None, str | None]] = {}  # item key -> (status, reason, article id)
        added = updated = 0  # articles added, and updated, from this feed in this poll
        settled: list[ItemResult] = []  # the results so far: the report of an interrupted poll
        lock = threading.Lock()
        started = time.perf_counter()

        def stream() -> Iterator[Article | LoadFailure | Waiting]:
            # pages in the order they come, and a ``Waiting`` whenever none is ready, on which the
            # pipeline stores what it holds: a slow or hung item delays no other item of the round
            # (one fetched in a second waited for a slow one's RAG_FETCH_TIMEOUT, new user 20).
            # Ctrl-C (``stop``) ends it with the pages already fetched, not waiting for the others
            # (``load_feed_items``): those are stored, the items not fetched are due next round
            pages = load_feed_items(due_items, self.settings, stop=stop, as_fetched=True)
            try:
                for got in pages:
                    if isinstance(got, Waiting):
                        yield got
                        continue
                    item, results = got
                    for result in results:
                        with lock:
                            by_name[result.source if isinstance(result, Article) else result.item] = item
                        yield result
            finally:
                pages.close()

        def seen(r: ItemResult) -> None:
            nonlocal added, updated
            with lock:
                item = by_name.get(r.item)
                settled.append(r)
            if item is not None:
                added += r.status == "added"
                updated += r.status == "updated"
                done = r.status in _DONE_STATUSES
                outcome[item.key] = ("done" if done else "failed", None if done else r.reason, r.article_id)
            if progress:
                progress(r)

        report: IngestReport | None = None
        error: str | None = note
        busy = False
        interrupted = False
        log.info("%s: %d new or changed item(s), %d failed one(s) retried, of %s", url, len(due_items) - len(retried),
                 len(retried), len(feed.items) if feed is not None else "a feed not modified")
        try:
            # ``stop`` tells the pipeline too: a Ctrl-C after it (the second) aborts the ingest at
            # once instead of waiting for the batches it holds
            report = self.collection.indexer.ingest_articles(  # type: ignore[attr-defined]
                stream(), progress=seen, stop=stop, stream_stops=True)
        except RagError as exc:  # the store is busy or failed: nothing is lost, the items are due again
            error = "; ".join(filter(None, (str(exc), note)))
            busy = isinstance(exc, StoreBusyError)
            log.info("%s: %s", url, exc)  # the PollResult carries it
        except KeyboardInterrupt:  # stopped at once: said below, once the state is recorded
            # The pages fetched earlier are stored already (handed over as they came); what is lost
            # is the batch being embedded or queued, fetched moments ago. It is not finished first:
            # a batch may hold many articles (1024 chunks, a minute of CPU for the bundled model,
            # when a big round's pages came faster than the model), and "stops at once" must not
            # wait that long; the pipeline aborts (``Indexer._finish``), the next round fetches them.
            interrupted = True
        finally:  # also on Ctrl-C: keep the state of every item that finished
            finished = [(i, *outcome[i.key]) for i in due_items if i.key in outcome]
            self.state.record_items(url, finished, now=self.clock(), wait=self.retry_wait)
            # Items not settled (a stop, a busy store) keep the feed's validators from being saved, so
            # the next round reads it in full. A failed item does not: it is retried from the state in
            # a round the feed answers 304 (it kept the feed downloaded in full every round)
            unsettled = any(i.key not in outcome for i in due_items)
            if not unsettled:  # a complete round: the next poll may be answered 304
                self.state.record_items(url, ((c, "done", None, None) for c in children), prefix=_CHILD,
                                        now=self.clock())
            self.state.record_poll(url, error=error, title=feed.title if feed is not None else None, added=added,
                                   updated=updated, validators=None if unsettled else validators)
        stopped = interrupted or (stop is not None and stop.is_set())
        fetched = len(outcome) if stopped else len(due_items)
        left = tuple(i for i in due_items if i.key not in outcome) if stopped else ()
        took = sum(i.key in retried for i in due_items)  # every due item is settled or ``left``
        if interrupted:
            with lock:
                report = IngestReport(tuple(settled), time.perf_counter() - started)
            raise PollInterrupted(PollResult(url, "ingested", requests, fetched, report, error, not_stored=left,
                                             retried=took))
        if error and report is None:
            return PollResult(url, "failed", requests, fetched, report, error, busy=busy, retried=took)
        if error:  # items were ingested, but a child sitemap failed
            return PollResult(url, "ingested", requests, fetched, report, error, not_stored=left, retried=took)
        return PollResult(url, "ingested", requests, fetched, report, not_stored=left, retried=took)

    def _failed(self, url: str, error: str, *, requests: int, code: ResultCode | None = None) -> PollResult:
        log.info("%s", error)  # not a warning: the PollResult carries it, and the caller shows it once
        self.state.record_poll(url, error=error)
        return PollResult(url, "failed", requests=requests, fetched_items=0, error=error, code=code)


def _came(future: Future[FetchedPage], stop: threading.Event | None) -> bool:
    """Wait for a feed document fetched ahead, in short slices (a Ctrl-C is handled at once,
    ``index.waits``); False when ``stop`` was set before it came."""
    while not future.done():
        if stop is not None and stop.is_set():
            return False
        wait_futures([future], timeout=waits.SLICE)
    return True


def _end_fetches(pool: ThreadPoolExecutor, pages: list[Future[FetchedPage]]) -> None:
    """End a round's fetching ahead: the documents not asked for yet are not (a stopped or
    interrupted round), and the round waits for those being fetched, so no thread of it outlives it.
    That wait is at most RAG_FETCH_TIMEOUT (``fetch_url``'s cap on the whole fetch), in short slices;
    `rag watch`'s second Ctrl-C makes the fetches in flight fail at once (``abort_fetches``)."""
    pool.shutdown(wait=False, cancel_futures=True)
    running = [f for f in pages if not f.done()]
    while running:
        wait_futures(running, timeout=waits.SLICE)
        running = [f for f in running if not f.done()]
    pool.shutdown(wait=True)  # the threads end once their fetch did: a moment


class WatcherRunning(StoreBusyError):
    """Another ``rag watch`` polls the feeds of this data directory (``PollerLock``); ``pid`` is its
    process id when it could be read. Busy, like a held write lock: a script tries again later."""

    def __init__(self, message: str, *, pid: int | None, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.pid = pid


class PollerLock:
    """One scheduled poller per watch state (one per RAG_HOME, per article database): `rag watch
    --every` and `rag watch --once` run side by side polled the same feeds and said nothing (new user
    11; the write lock only took turns at storing).

    ``watch.lock`` beside ``watch.sqlite3`` is held with ``filelock`` (an OS lock that ends with its
    process, as the store's write lock), and ``watch.pid`` says who holds it: the poller's pid and
    start time, for the message of the next one refused. A watcher killed with ``kill -9`` leaves its
    pid in ``watch.pid`` but not the lock, so the next one takes over (``taken_over``: that pid)
    instead of waiting for a process that is gone; a clean exit empties ``watch.pid``. (Two files:
    filelock truncates its lock file when it opens it, so the lock file holds no pid.)

    >>> with PollerLock(settings) as poller:    # doctest: +SKIP
    ...     Watcher(coll).run(1800)             # another one raises WatcherRunning, naming this pid
    """

    def __init__(self, settings: Settings) -> None:
        self.path = settings.watch_path.with_suffix(".pid")
        self.home = settings.home
        self.taken_over: int | None = None  # the pid of a watcher that ended holding it (killed)
        self._lock = FileLock(str(settings.watch_path.with_suffix(".lock")), timeout=0)

    def acquire(self) -> PollerLock:
        """Take it, or raise ``WatcherRunning`` naming the poller that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            pid, since = _holder(self.path)
            who = f"pid {pid}" + (f", since {since}" if since else "") if pid else "its pid not yet written"
            raise WatcherRunning(
                f"another `rag watch` ({who}) is polling the watched feeds of RAG_HOME {self.home}: one poller "
                f"per data directory; let it poll, or stop it ({f'`kill {pid}`' if pid else 'Ctrl-C'}) and start "
                "this one again", pid=pid,
                fix=f"let the running `rag watch` poll, or stop it{f' (kill {pid})' if pid else ''} and try again",
            ) from None
        left, _ = _holder(self.path)
        self.taken_over = left if left and left != os.getpid() else None
        if self.taken_over:
            log.info("taking over the watch from pid %d, which ended without letting go (killed?)", left)
        self.path.write_text(f"{os.getpid()} {_now()}\n", encoding="ascii")
        return self

    def release(self) -> None:
        """Let go (idempotent): ``watch.pid`` is emptied, then the lock released."""
        if not self._lock.is_locked:
            return
        try:
            self.path.write_text("", encoding="ascii")
        finally:
            self._lock.release()

    def __enter__(self) -> PollerLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(path: Path) -> tuple[int | None, str | None]:
    """The pid and start time a poller wrote in ``watch.pid`` (None, None when empty or unreadable)."""
    try:
        words = path.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return None, None
    pid = int(words[0]) if words and words[0].isdigit() else None
    return pid, (words[1] if pid and len(words) > 1 else None)


def check_feed_url(url: str) -> str:
    """A feed URL as stored: http(s), no password (the state file would keep it), no fragment."""
    url = url.strip()
    if not is_url(url) or not url.lower().startswith(("http://", "https://")):
        raise InputError(url, "is not an http(s) URL; give the feed's address, e.g. https://example.org/feed.xml")
    if strip_userinfo(url) != url:
        raise InputError(strip_userinfo(url), "a watched feed URL may not carry a user name or password "
                                              "(it would be stored in the watch state); use a public feed URL")
    return url.split("#", 1)[0]


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """``"30m"``, ``"1h"``, ``"1h30m"``, ``"90s"``, ``"1d"`` -> seconds (at least ``MIN_EVERY``)."""
    s = text.strip().replace(" ", "")
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2).lower()]
        pos = m.end()
    if pos != len(s) or not s:
        raise InputError(text, "is not an interval; write it like 30m, 1h, 1h30m or 90s")
    if total < MIN_EVERY:
        raise InputError(text, f"is shorter than {MIN_EVERY:g} seconds; poll less often (e.g. 30m)")
    if total > MAX_EVERY:
        raise InputError(text, f"is longer than {MAX_EVERY / 86400:g} days; poll more often, or run "
                               "`rag watch --once` from cron")
    return total


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(seconds: float) -> str:
    """Epoch seconds as the state writes times: ISO 8601 UTC, to the second."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def open_state(settings: Settings) -> closing[WatchState]:
    """``with open_state(settings) as state:`` for one-off reads and edits (CLI --list / --remove)."""
    return closing(WatchState.for_settings(settings))
