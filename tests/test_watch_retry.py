"""`rag watch` and a feed item whose page failed, as a new user found them.

1. An item whose page answered 404 was retried in the first 3 rounds, then never fetched again, even
   once the page was published: not in a round the feed answered 304, nor in one it answered 200
   unchanged, and nothing said it was abandoned. It is now retried, less and less often (the wait
   since its last attempt doubling up to a day), also in rounds the feed answers 304, and each
   round and `rag watch --list` say how many items fail, that they are still retried and when next.
2. `rag watch --list` still said "1 item(s) failing" after `rag ingest FEED` had stored that very
   page: an item stored since, by any ingest of its URL, is no longer failing.
3. The failed items retried were reported as "listed as new or changed in the feed": they are
   counted apart ("N failed item(s) retried").

A real http.server on 127.0.0.1 (tests/test_feeds.py's FeedSite), a real store (embedded Chroma)
and the counting HashEmbedder, as tests/test_watch.py uses them. Time is a ``Clock`` the watcher is
given (``Watcher(clock=...)``): a test moves it on instead of sleeping, and asserts on which pages
were requested, never on how long anything took.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest

import index.watch
from index.collection import Collection
from index.watch import Watcher, WatchState
from rag.settings import Settings
from tests.test_cli_ingest import env, flat, run  # noqa: F401 - fixtures
from tests.test_feeds import FeedSite, page_html, rss, serve_news, site  # noqa: F401 - fixtures
from tests.test_watch import cli, coll  # noqa: F401 - fixtures

HOUR = 3600.0
LATER = "Later story"
LATER_TEXT = "This story was published a little after its feed entry.\n\nIt has two paragraphs of text."


class Clock:
    """The time a watcher measures its retry waits by, moved on by the test (no sleeping)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def watcher(coll: Collection, clock: Clock) -> Iterator[Watcher]:  # noqa: F811
    w = Watcher(coll, clock=clock)
    yield w
    w.state.close()


def later_feed(site: FeedSite, *, title: str = "Example News", with_later: bool = True) -> str:  # noqa: F811
    """A feed listing the storm page (served) and /news/later (a 404 until the test publishes it)."""
    serve_news(site)
    items = [{"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"}]
    if with_later:
        items.append({"title": LATER, "link": site.base + "/news/later", "guid": "later"})
    return site.put("/feed.xml", rss(items, title=title), "application/rss+xml")


def asked(site: FeedSite, path: str = "/news/later") -> int:  # noqa: F811
    return len(site.requests(path))


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- 1. retried with a backoff, in 304 rounds too, never given up on ---------------------------------

def test_retry_wait_doubles_from_an_hour_up_to_a_day() -> None:
    from index.watch import retry_wait

    assert [retry_wait(n) for n in (1, 2)] == [0.0, 0.0]  # the next round, as before
    assert [retry_wait(n) / HOUR for n in range(3, 11)] == [1, 2, 4, 8, 16, 24, 24, 24]
    assert retry_wait(10_000) == 24 * HOUR  # no overflow, no end


def test_a_failed_item_is_retried_less_often_but_never_given_up(site: FeedSite, watcher: Watcher,  # noqa: F811
                                                                clock: Clock) -> None:
    url = later_feed(site)
    first = watcher.poll(url)
    assert first.report is not None and first.report.summary()["failed"] == 1
    [failing] = first.failing
    assert (failing.link, failing.title, failing.attempts, failing.next_retry) == (
        site.base + "/news/later", LATER, 1, None)  # None: the next round
    assert "HTTP 404" in (failing.reason or "")

    for attempt in (2, 3):  # the first retries come at the next rounds (rag watch --every 30m)
        clock.advance(0.5 * HOUR)
        hits = len(site.hits)
        again = watcher.poll(url)
        # the feed is not read again to retry it: it answers 304, and the item comes from the state
        assert [(h.path, h.status) for h in site.hits[hits:]] == [("/feed.xml", 304), ("/news/later", 404)]
        assert (again.status, again.retried, again.listed, again.fetched_items) == ("not_modified", 1, 0, 1)
        assert again.report is not None and again.report.summary()["failed"] == 1
        assert again.failing[0].attempts == attempt
    # the 3rd failure: retried an hour after it, then 2, 4, 8, 16 hours, then once a day
    assert again.failing[0].next_retry == iso(clock.now + HOUR)

    waits = [1, 2, 4, 8, 16, 24, 24, 24]
    for n, wait in enumerate(waits, start=4):
        clock.advance(wait * HOUR / 2)  # half the wait: not yet
        before = asked(site)
        early = watcher.poll(url)
        assert asked(site) == before, f"attempt {n} came early"
        assert (early.status, early.report, early.retried) == ("not_modified", None, 0)
        assert early.failing[0].attempts == n - 1 and early.failing[0].next_retry  # still retried, and when
        clock.advance(wait * HOUR / 2)
        due = watcher.poll(url)
        assert asked(site) == before + 1, f"attempt {n} was not made"
        assert due.failing[0].attempts == n
        assert due.failing[0].next_retry == iso(clock.now + min(2 * wait, 24) * HOUR)

    # 11 failures and over 4 days later, the page is published: the next retry adds it
    site.put("/news/later", page_html(LATER, LATER_TEXT))
    clock.advance(24 * HOUR)
    got = watcher.poll(url)
    assert (got.status, got.retried, got.failing) == ("not_modified", 1, ())
    assert got.report is not None and got.report.summary()["added"] == 1
    [feed] = watcher.state.feeds(clock.now)
    assert (feed.items_failing, feed.last_error, feed.failing, feed.items_added) == (0, None, (), 2)
    clock.advance(24 * HOUR)
    before = asked(site)
    assert watcher.poll(url).report is None and asked(site) == before  # done: not fetched again


def test_a_round_that_reads_the_feed_retries_a_due_item_and_not_one_still_waiting(
        site: FeedSite, watcher: Watcher, clock: Clock) -> None:  # noqa: F811
    """The report's second case: the feed touched (200, "no new or changed items")."""
    url = later_feed(site)
    for _ in range(3):
        watcher.poll(url)
        clock.advance(0.5 * HOUR)
    before = asked(site)
    later_feed(site, title="Example News (touched)")  # a new ETag, the same items
    waiting = watcher.poll(url)
    assert site.hits[-1].path == "/feed.xml" and site.hits[-1].status == 200
    assert asked(site) == before and (waiting.status, waiting.retried) == ("unchanged", 0)
    assert waiting.failing[0].next_retry == iso(clock.now + 0.5 * HOUR)  # an hour after the 3rd attempt
    clock.advance(0.5 * HOUR)
    later_feed(site, title="Example News (touched again)")
    site.put("/news/later", page_html(LATER, LATER_TEXT))
    due = watcher.poll(url)
    assert asked(site) == before + 1
    assert (due.status, due.retried, due.listed, due.failing) == ("ingested", 1, 0, ())
    assert due.report is not None and due.report.summary()["added"] == 1


def test_a_failed_item_the_feed_no_longer_lists_is_neither_retried_nor_failing(
        site: FeedSite, watcher: Watcher, clock: Clock) -> None:  # noqa: F811
    url = later_feed(site)
    assert len(watcher.poll(url).failing) == 1
    later_feed(site, with_later=False)  # the entry was withdrawn
    dropped = watcher.poll(url)
    assert dropped.failing == () and watcher.state.feeds(clock.now)[0].items_failing == 0
    before = asked(site)
    for _ in range(3):
        clock.advance(HOUR)
        assert watcher.poll(url).status == "not_modified"
    assert asked(site) == before


def test_an_item_given_up_on_before_the_upgrade_is_retried_on_a_304(site: FeedSite, coll: Collection,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    """A watch state written by the version that gave up after 3 attempts (no retry time, 3 attempts,
    the feed's ETag saved): the item is retried at the next round, the feed answering 304."""
    url = later_feed(site)
    first = Watcher(coll)
    first.poll(url)
    with sqlite3.connect(first.state.path) as db:
        feed_row = db.execute("SELECT url, added_at, last_polled, last_ok, etag, last_modified FROM feeds").fetchone()
        item_rows = db.execute("SELECT feed, key, link, stamp, status, reason, article_id, updated_at FROM items"
                               ).fetchall()
    first.state.close()
    old = tmp_path / "old-watch.sqlite3"
    # the schema of the version before (items without title, date, retry time)
    with closing(sqlite3.connect(old)) as db:
        db.executescript(
            "CREATE TABLE feeds (url TEXT PRIMARY KEY, title TEXT, added_at TEXT NOT NULL, last_polled TEXT,"
            " last_ok TEXT, last_error TEXT, etag TEXT, last_modified TEXT, items_added INTEGER NOT NULL DEFAULT 0,"
            " items_updated INTEGER NOT NULL DEFAULT 0);"
            "CREATE TABLE items (feed TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE, key TEXT NOT NULL,"
            " link TEXT NOT NULL, stamp TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
            " reason TEXT, article_id TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (feed, key));")
        db.execute("INSERT INTO feeds(url, added_at, last_polled, last_ok, etag, last_modified) VALUES (?,?,?,?,?,?)",
                   feed_row)
        for feed, key, link, stamp, status, reason, article_id, updated in item_rows:
            db.execute("INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?)",
                       (feed, key, link, stamp, status, 3 if status == "failed" else 0, reason, article_id, updated))
        db.commit()
    site.put("/news/later", page_html(LATER, LATER_TEXT))
    upgraded = Watcher(coll, WatchState(old, articles=coll.db.path))
    try:
        hits = len(site.hits)
        got = upgraded.poll(url)
        assert [(h.path, h.status) for h in site.hits[hits:]] == [("/feed.xml", 304), ("/news/later", 200)]
        assert got.report is not None and got.report.summary()["added"] == 1 and got.failing == ()
    finally:
        upgraded.state.close()


# --- the CLI: each round and --list say what fails and when it is tried next --------------------------

@pytest.fixture
def cli_clock(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Clock:
    """`rag watch` with its watcher on ``clock`` (the CLI makes its ``Watcher`` from ``index.watch``)."""
    monkeypatch.setattr(index.watch, "Watcher", functools.partial(Watcher, clock=clock))
    return clock


def test_cli_rounds_and_list_say_the_failing_items_are_still_retried(site: FeedSite, cli,  # noqa: ANN001, F811
                                                                      cli_clock: Clock) -> None:
    url = later_feed(site)
    first = cli(url, "--once")
    out = flat(first.output)
    assert first.exit_code == 1, first.output
    assert "1 item(s) failing, still retried" in out and f"{LATER} (failed 1 time; next try at the next run)" in out
    for _ in range(2):
        cli_clock.advance(0.5 * HOUR)
        again = flat(cli("--once").output)
    # a 304 round: its retry is counted as one, not as an item the feed listed as new or changed
    assert "not modified (1 conditional request); 1 failed item(s) retried; fetched: 1 failed" in again, again
    assert "listed as new or changed" not in again
    at = time.strftime("%H:%M", time.localtime(cli_clock.now + HOUR))
    assert f"{LATER} (failed 3 times; next try after " in again and at in again, again

    cli_clock.advance(0.5 * HOUR)  # not due yet: nothing fetched, but still said
    waiting = cli("--once")
    out = flat(waiting.output)
    assert waiting.exit_code == 0, waiting.output  # nothing failed this round
    assert "not modified (1 conditional request, nothing fetched or embedded)" in out
    assert "1 item(s) failing, still retried" in out and "failed 3 times; next try after" in out

    listed = flat(cli("--list").output)
    assert "1 item(s) failing, still retried (next at " in listed, listed
    assert "next try" in listed and f"{site.base}/news/later" in listed and "HTTP 404" in listed
    [feed] = json.loads(cli("--list", "--json").stdout)
    assert feed["items_failing"] == 1 and "still retried" in feed["last_error"]
    [item] = feed["failing"]
    assert (item["link"], item["title"], item["attempts"], item["next_retry"]) == (
        f"{site.base}/news/later", LATER, 3, iso(cli_clock.now + 0.5 * HOUR))


def test_cli_counts_retried_items_apart_from_new_ones(site: FeedSite, cli,  # noqa: ANN001, F811
                                                      cli_clock: Clock) -> None:
    """A round that reads the feed (changed: one new item) and retries a failed one says both."""
    url = later_feed(site)
    assert cli(url, "--once").exit_code == 1
    site.put("/news/later", page_html(LATER, LATER_TEXT))
    site.put("/feed.xml", rss([
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge"},
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"},
        {"title": LATER, "link": site.base + "/news/later", "guid": "later"},
    ]), "application/rss+xml")
    cli_clock.advance(0.5 * HOUR)
    got = cli("--once")
    out = flat(got.output)
    assert got.exit_code == 0, got.output
    assert "1 item(s) listed as new or changed in the feed, 1 failed item(s) retried; fetched: 2 added" in out, out
    assert "failing" not in out


def test_an_item_stored_by_rag_ingest_is_no_longer_failing(site: FeedSite, env: Settings,  # noqa: F811
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The report: `rag watch --list` said "1 item(s) failing; latest: ... HTTP 404" after `rag ingest
    FEED` had stored the page; and the next watch round fetched the page again for nothing."""
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    url = later_feed(site)
    assert run("watch", url, "--once").exit_code == 1
    [feed] = json.loads(run("watch", "--list", "--json").stdout)
    assert feed["items_failing"] == 1
    site.put("/news/later", page_html(LATER, LATER_TEXT))
    ingested = run("ingest", url)
    assert ingested.exit_code == 0, ingested.output
    before = asked(site)

    [feed] = json.loads(run("watch", "--list", "--json").stdout)
    assert (feed["items_failing"], feed["last_error"]) == (0, None), feed
    assert feed["failing"] == []
    assert "failing" not in flat(run("watch", "--list").output)
    polled = run("watch", "--once")
    assert polled.exit_code == 0 and "failing" not in flat(polled.output), polled.output
    assert "retried" not in flat(polled.output)
    assert asked(site) == before  # not fetched again: it is stored
    [feed] = json.loads(run("watch", "--list", "--json").stdout)
    assert feed["items_failing"] == 0 and feed["last_error"] is None
