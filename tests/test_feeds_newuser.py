"""Feeds and ``rag watch`` as a demanding new user meets them, against feeds served on 127.0.0.1
(``tests/test_feeds.py``'s FeedSite): a huge feed, a site's home page given as its feed, feed text
carrying terminal escapes, links a client cannot send, dates written in words, intervals too long
for a timer, and Ctrl-C during a poll and during the wait."""

from __future__ import annotations

import gzip
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.feeds import advertised_feeds, front_page_feed, parse_feed
from index.fetch import FetchedPage, fetch_url
from index.load import iter_articles
from index.types import Article
from index.watch import Watcher, parse_every
from rag.errors import InputError
from tests.conftest import ROOT
from tests.fakes import HashEmbedder
from tests.test_feeds import (  # noqa: F401
    STORM, FeedSite, local_settings, page_html, rss, serve_index_missing_a_child, serve_news, site,
)
from tests.test_watch import cli, coll, watcher  # noqa: F401

HOME = """<!DOCTYPE html><html><head><title>Example News</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Top stories" href="/feeds/top.xml">
<link rel="alternate" type="application/atom+xml" href="/feeds/atom.xml">
</head><body><h1>Example News</h1><p>Welcome to the front page of Example News, updated daily.</p></body></html>"""


def two_item_feed(site: FeedSite, path: str = "/feeds/top.xml") -> str:
    return site.put(path, rss([
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge"},
    ]), "application/rss+xml")


# --- a huge feed: RAG_FEED_MAX_ITEMS holds for `rag watch` as for `rag ingest` -------------------

def test_watch_reads_only_the_first_feed_max_items(site: FeedSite, tmp_path: Path, fake_embedder: HashEmbedder) -> None:
    """RAG_FEED_MAX_ITEMS caps each round; the items left out are read in the next rounds (no 304
    hides them), and once all are read the feed costs one conditional request again."""
    for n in range(6):
        site.put(f"/tiny/{n}", page_html(f"Tiny story {n}", f"Council {n} approved a budget of {n} pounds on Monday."))
    url = site.put("/huge.xml", rss([{"title": f"Tiny story {n}", "link": f"{site.base}/tiny/{n}", "guid": f"t{n}"}
                                     for n in range(6)]), "application/rss+xml")
    with Collection.open(local_settings(tmp_path, feed_max_items=2), embedder=fake_embedder) as c:
        w = Watcher(c)
        try:
            first = w.poll(url)
            assert first.report is not None and first.report.summary()["added"] == 2
            assert (first.fetched_items, first.skipped) == (2, 4)
            assert sorted(h.path for h in site.hits if h.path.startswith("/tiny/")) == ["/tiny/0", "/tiny/1"]
            assert w.state.feeds()[0].items_known == 2
            second = w.poll(url)
            assert (second.status, second.fetched_items, second.skipped) == ("ingested", 2, 2)
            third = w.poll(url)
            assert (third.status, third.fetched_items, third.skipped) == ("ingested", 2, 0)
            assert sorted(h.path for h in site.hits if h.path.startswith("/tiny/")) == [f"/tiny/{n}" for n in range(6)]
            assert w.state.feeds()[0].items_known == 6
            assert w.poll(url).status == "not_modified"
        finally:
            w.state.close()


def test_cli_says_when_items_beyond_the_cap_were_not_read(
        site: FeedSite, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001, F811
    serve_news(site)
    monkeypatch.setenv("RAG_FEED_MAX_ITEMS", "1")
    url = two_item_feed(site, "/feed.xml")
    got = cli(url, "--once")
    assert got.exit_code == 0, got.output
    assert "1 added" in got.output and "1 new or changed item(s) left for the next round: RAG_FEED_MAX_ITEMS" in got.output
    assert not site.requests("/news/bridge")


# --- a site's home page given as the feed -------------------------------------------------------

def test_advertised_feeds_are_found_in_page_order() -> None:
    page = FetchedPage("https://example.org/news/", "text/html", HOME.encode(), None)
    assert advertised_feeds(page) == ["https://example.org/feeds/top.xml", "https://example.org/feeds/atom.xml"]
    with pytest.raises(InputError, match="advertises the feed https://example.org/feeds/top.xml"):
        parse_feed(page)
    plain = FetchedPage("https://example.org/a", "text/html", b"<html><head><title>A</title></head></html>", None)
    assert advertised_feeds(plain) == []


@pytest.mark.parametrize("url, head, expected", [
    ("https://example.org/", "", "https://example.org/feeds/top.xml"),
    ("https://example.org/index.html", "", "https://example.org/feeds/top.xml"),
    ("https://example.org/world/", '<meta property="og:type" content="website">', "https://example.org/feeds/top.xml"),
    ("https://example.org/2024/12/01/storm", "", None),  # an article page advertises its site's feed too
    ("https://example.org/", '<meta property="og:type" content="article">', None),
    ("https://example.org/", '<meta property="article:published_time" content="2024-12-01">', None),
])
def test_a_front_page_is_told_apart_from_an_article_page(url: str, head: str, expected: str | None) -> None:
    page = FetchedPage(url, "text/html", HOME.replace("<title>", head + "<title>").encode(), None)
    assert front_page_feed(page) == expected
    plain = FetchedPage("https://example.org/", "text/html", b"<html><head><title>A</title></head></html>", None)
    assert front_page_feed(plain) is None


def test_watching_a_home_page_watches_the_feed_it_advertises(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    serve_news(site)
    feed = two_item_feed(site)
    home = site.put("/", HOME)
    urls = [home]
    [result] = watcher.poll_all(urls)
    assert (result.url, result.found_at, result.status) == (feed, home, "ingested")
    assert result.report is not None and result.report.summary()["added"] == 2
    assert watcher.state.urls() == [feed] and urls == [feed]  # the page is not watched, the feed is
    hits = len(site.hits)
    [again] = watcher.poll_all(urls)
    assert again.status == "not_modified" and [h.path for h in site.hits[hits:]] == ["/feeds/top.xml"]


def test_cli_watches_the_advertised_feed(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    serve_news(site)
    feed = two_item_feed(site)
    home = site.put("/", HOME)
    got = cli(home, "--once")
    assert got.exit_code == 0, got.output
    assert f"watching {feed} instead" in got.output and "2 added" in got.output
    [watched] = json.loads(cli("--list", "--json").stdout)
    assert watched["url"] == feed and watched["items_added"] == 2


def test_a_feed_address_serving_garbage_stays_watched(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    """Served as application/rss+xml but unreadable: a broken feed (retried), not a page to drop."""
    url = site.put("/feed.xml", b"\x00\x01 garbage <<<", "application/rss+xml")
    got = cli(url, "--once")
    assert got.exit_code == 1 and "malformed feed" in got.output
    assert "is a page" not in got.output
    assert url in cli("--list").output


# --- feed text with terminal escapes, links a client cannot send -------------------------------

def test_control_characters_and_escape_sequences_are_dropped_from_feed_text(
        site: FeedSite, watcher: Watcher, coll: Collection) -> None:  # noqa: F811
    site.put("/news/bare", page_html(None, STORM))  # no title of its own: the feed's title is stored
    url = site.put("/feed.xml", rss([
        {"title": "Ferries \x1b[1;31mresume\x1b[0m \x1b]0;pwned\x07today\u202e", "link": site.base + "/news/bare",
         "guid": "f", "author": "Ana \x1b[2JRuiz"},
    ], title="Lab \x1b]8;;http://evil/\x1b\\News\x1b]8;;\x1b\\"), "application/rss+xml")
    result = watcher.poll(url)
    assert result.report is not None and result.report.summary()["added"] == 1
    [article] = coll.db.list_articles(None, 10)
    assert article.title == "Ferries resume today"
    assert watcher.state.feeds()[0].title == "Lab News"


def test_a_link_with_a_control_character_fails_as_a_bad_url(site: FeedSite, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a valid URL"):
        fetch_url(site.base + "/news/\x1b[31mred", local_settings(tmp_path))


# --- a guid shared by every item -------------------------------------------------------------------

def test_items_sharing_one_guid_are_each_polled_once(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    """A CMS that gives every item the site's address as its guid: each item is still known alone,
    so an unchanged feed (here from a server without validators) fetches no page."""
    serve_news(site)
    url = site.put("/feed.xml", rss([
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": site.base + "/"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": site.base + "/"},
    ]), "application/rss+xml", validators=False)
    first = watcher.poll(url)
    assert first.report is not None and first.report.summary()["added"] == 2
    assert watcher.state.feeds()[0].items_known == 2
    hits = len(site.hits)
    again = watcher.poll(url)
    assert (again.status, again.fetched_items) == ("unchanged", 0)
    assert [h.path for h in site.hits[hits:]] == ["/feed.xml"]


# --- dates written in words ----------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("December 3, 2024", "2024-12-03"),
    ("Tuesday, December 3, 2024 - 10:00", "2024-12-03"),
    ("Tue, 03 Dec 2024 10:00:00 GMT", "2024-12-03"),
    ("03/12/2024", "None"),  # 3 December or March 12: left unread rather than guessed
])
def test_item_dates_feedparser_cannot_read(written: str, expected: str) -> None:
    body = rss([{"title": "Storm", "link": "/news/storm", "pubDate": written}]).encode()
    [item] = parse_feed(FetchedPage("https://example.org/feed.xml", "application/rss+xml", body, None)).items
    assert str(item.published) == expected


# --- intervals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["99999999999999999999d", "31d", "1000h"])
def test_parse_every_rejects_intervals_too_long_to_wait(text: str) -> None:
    with pytest.raises(InputError, match="longer than 30 days"):
        parse_every(text)


# --- Ctrl-C ----------------------------------------------------------------------------------------

def slow_first_feed(site: FeedSite) -> str:
    """Three items, the first one's page slow: a Ctrl-C that comes while it is fetched finds the
    ingest waiting for it (pages are fetched a few at a time, ingested in feed order)."""
    serve_news(site)
    site.put("/news/slow", page_html("Ferry service resumes", "Ferries to the islands resumed on Friday after a "
                                     "week of storms.\n\nThe operator added two sailings."))
    site.routes["/news/slow"].delay = 3.0
    return site.put("/feed.xml", rss([
        {"title": "Ferry service resumes", "link": site.base + "/news/slow", "guid": "slow"},
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge"},
    ]), "application/rss+xml")


def test_stop_stores_the_pages_fetched_and_records_the_round(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    """A stop while the slow first page is fetched: the two pages already fetched behind it are
    stored (they were thrown away: new user 20), the slow one is not waited for, and is due next round."""
    url = slow_first_feed(site)
    stop = threading.Event()

    def ctrl_c() -> None:  # as `rag watch` does on a first Ctrl-C
        _wait_for(lambda: "/news/slow" in site.received and len(site.requests("/news/bridge")) == 1)
        stop.set()

    threading.Thread(target=ctrl_c, daemon=True).start()
    started = time.monotonic()
    first = watcher.poll(url, stop=stop)
    assert time.monotonic() - started < 2.5  # the slow page (3 s) was not waited for
    assert first.status == "ingested" and first.report is not None
    # in the order the pages came (assertion changed from feed order when a round began storing each page as it is
    # fetched, so a slow page holds up no other: tests/test_watch_newuser20b.py)
    assert sorted((r.status, r.title) for r in first.report.items) == [("added", "Bridge closed"),
                                                                        ("added", "Storm floods coast")]
    assert [i.title for i in first.not_stored] == ["Ferry service resumes"] and first.listed == 3
    [feed] = watcher.state.feeds()
    assert (feed.items_added, feed.items_known) == (2, 2) and feed.last_polled  # the round is recorded
    assert watcher.poll_all([url], stop=stop) == []  # a set stop: no further feed is polled
    hits = len(site.hits)
    rest = watcher.poll(url)
    assert site.hits[hits].status == 200  # no validators were kept: the feed is read again
    assert rest.report is not None and [r.title for r in rest.report.items] == ["Ferry service resumes"]
    assert rest.report.summary()["added"] == 1
    assert watcher.poll(url).status == "not_modified"


_RUN_CLI = """
import sys, typer
import rag.cli.watch as w
from index.collection import Collection
from rag.settings import load_settings
from tests.fakes import HashEmbedder
w._open_collection = lambda: Collection.open(load_settings(), embedder=HashEmbedder())
app = typer.Typer()
app.callback()(lambda: None)
w.register(app)
app(["watch", *sys.argv[1:]])
"""


@pytest.fixture
def cli_process(tmp_path: Path) -> Iterator:  # noqa: ANN201
    """Start a Python script (``code``, its ``args``) as its own process, with RAG_HOME under
    tmp_path and local URLs allowed (SIGINT goes to it alone); yields a starter whose process has
    ``lines`` (a queue of its output lines). Every process started is stopped."""
    procs: list[subprocess.Popen] = []
    base = {**os.environ, "RAG_HOME": str(tmp_path / "clihome"), "RAG_ALLOW_PRIVATE_URLS": "1",
            "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "PYTHONPATH": str(ROOT)}

    def start(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env={**base, **(env or {})},
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        proc.lines = queue.Queue()  # type: ignore[attr-defined]
        proc.seen = []  # type: ignore[attr-defined]

        def pump() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                proc.lines.put(line)  # type: ignore[attr-defined]
            proc.lines.put(None)  # type: ignore[attr-defined]

        threading.Thread(target=pump, daemon=True).start()
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


@pytest.fixture
def watch_process(cli_process) -> Iterator:  # noqa: ANN001, ANN201
    """``rag watch ARGS`` as its own process (``cli_process``); ``env`` adds to its environment."""
    return lambda *args, env=None: cli_process(_RUN_CLI, *args, env=env)


def _read_until(proc: subprocess.Popen, text: str, limit: float = 120.0) -> str:
    """The process's output up to the first line containing ``text`` (fails if it exits first)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            line = proc.lines.get(timeout=1)  # type: ignore[attr-defined]
        except queue.Empty:
            continue
        if line is None:
            break
        proc.seen.append(line)  # type: ignore[attr-defined]
        if text in line:
            return "".join(proc.seen)  # type: ignore[attr-defined]
    raise AssertionError(f"{text!r} never came; output: {''.join(proc.seen)}")  # type: ignore[attr-defined]


def _wait_for(cond: object, limit: float = 120.0) -> None:
    end = time.monotonic() + limit
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < end, "condition never met"
        time.sleep(0.05)


def _rest(proc: subprocess.Popen) -> str:
    proc.wait(timeout=120)
    while (line := proc.lines.get(timeout=30)) is not None:  # type: ignore[attr-defined]
        proc.seen.append(line)  # type: ignore[attr-defined]
    return "".join(proc.seen)  # type: ignore[attr-defined]


# ``systemctl stop`` / ``docker stop`` send SIGTERM: it killed `rag watch` at once, with no report and the round's
# pages thrown away (new user 11); it stops as Ctrl-C does
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_during_a_poll_stores_the_pages_fetched(
        site: FeedSite, watch_process, cli, stop: signal.Signals) -> None:  # noqa: ANN001, F811
    """The slow first page is not waited for; the two fetched behind it are stored (they were
    thrown away, and the round said "0 item(s) listed" or "1 item(s) listed" of 3: new user 20)."""
    url = slow_first_feed(site)
    proc = watch_process(url, "--every", "1h")
    _wait_for(lambda: "/news/slow" in site.received and site.requests("/news/bridge"))
    proc.send_signal(stop)
    out = _rest(proc)
    assert proc.returncode == 130, out  # exit codes now documented (README, Exit codes): an interrupted command exits 130, ``rag watch`` too
    assert "stopping after the current article" in out and "stopped after 1 round(s)" in out
    assert "Traceback" not in out
    assert "added     Storm floods coast" in out and "added     Bridge closed" in out, out
    # not stored, so named as such (the next round fetches it again): never as added
    assert "added     Ferry service resumes" not in out
    assert "3 item(s) listed as new or changed in the feed; fetched: 2 added" in out, out
    assert "not stored: 1 item (Ferry service resumes); the next round fetches it again" in out, out
    [feed] = json.loads(cli("--list", "--json").stdout)  # the round was recorded
    assert (feed["items_added"], feed["items_known"]) == (2, 2) and feed["last_polled"]
    rest = cli("--once")  # the next run goes on where this one stopped
    assert rest.exit_code == 0 and "1 added" in rest.output, rest.output


def test_a_second_ctrl_c_stops_at_once_without_waiting_for_the_pages_in_flight(
        site: FeedSite, watch_process, cli) -> None:  # noqa: ANN001, F811
    """The second Ctrl-C came while an item's page was being fetched from a slow server: the
    process waited for it (up to RAG_FETCH_TIMEOUT). It now stops at once; the feed polled before
    stays stored and recorded, and the next run fetches the rest."""
    serve_news(site)
    done = two_item_feed(site, "/feed.xml")
    site.put("/news/slow", page_html("Ferry service resumes", "Ferries to the islands resumed on Friday after a "
                                     "week of storms.\n\nThe operator added two sailings."))
    site.routes["/news/slow"].delay = 100.0  # answered long after the process should be gone
    slow = site.put("/slow.xml", rss([{"title": "Ferry service resumes", "link": site.base + "/news/slow",
                                       "guid": "slow"}]), "application/rss+xml")
    proc = watch_process(done, slow, "--every", "1h", env={"RAG_FETCH_TIMEOUT": "300"})
    _wait_for(lambda: "/news/slow" in site.received)
    proc.send_signal(signal.SIGINT)
    _read_until(proc, "stopping after the current article")
    proc.send_signal(signal.SIGINT)
    out = _rest(proc)
    assert not site.requests("/news/slow"), out  # the process ended before the slow server answered
    assert proc.returncode == 130, out
    assert "stopped at once: the articles stored and the feed state recorded before are kept" in out
    assert "Traceback" not in out and "2 added" in out
    feeds = {f["url"]: f for f in json.loads(cli("--list", "--json").stdout)}
    assert (feeds[done]["items_added"], feeds[done]["items_known"]) == (2, 2) and feeds[done]["last_polled"]
    assert (feeds[slow]["items_added"], feeds[slow]["items_known"]) == (0, 0)
    site.routes["/news/slow"].delay = 0.0
    rest = cli("--once")
    assert rest.exit_code == 0 and "1 added" in rest.output and "not modified" in rest.output, rest.output


def test_ctrl_c_during_the_wait_stops_at_once(site: FeedSite, watch_process) -> None:  # noqa: ANN001, F811
    serve_news(site)
    url = two_item_feed(site, "/feed.xml")
    proc = watch_process(url, "--every", "1h")
    _read_until(proc, "next round at")
    proc.send_signal(signal.SIGINT)
    out = _rest(proc)
    assert proc.returncode == 130 and "stopped after 1 round(s)" in out and "Traceback" not in out, out  # as above


def test_cli_json_without_list_is_refused(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    url = two_item_feed(site, "/feed.xml")
    got = cli(url, "--once", "--json")  # a user who expects a machine-readable poll gets told, not ignored
    assert got.exit_code == 2 and "--json goes with --list" in got.output
    assert not site.hits  # nothing was polled


def test_cli_shows_a_failed_child_sitemap_beside_the_items_read(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    url = serve_index_missing_a_child(site)
    got = cli(url, "--once")
    assert "1 added" in got.output
    assert "child sitemap" in got.output and "/s2.xml" in got.output and "HTTP 404" in got.output, got.output


# --- sitemaps as big sites serve them ------------------------------------------------------------

def _urlset(*locs: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>").encode()


def test_gzipped_sitemaps_are_read(site: FeedSite, tmp_path: Path, watcher: Watcher) -> None:  # noqa: F811
    """sitemap-1.xml.gz, sent as a gzip file (no Content-Encoding): by `rag ingest` and in an index."""
    serve_news(site)
    site.put("/sitemap-1.xml.gz", gzip.compress(_urlset(site.base + "/news/storm")), "application/x-gzip")
    results = list(iter_articles([site.base + "/sitemap-1.xml.gz"], local_settings(tmp_path)))
    assert [a.title for a in results if isinstance(a, Article)] == ["Storm floods coast"], results
    url = site.put("/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   "<sitemap><loc>/sitemap-1.xml.gz</loc></sitemap></sitemapindex>", "application/xml")
    polled = watcher.poll(url)
    assert polled.error is None and polled.report is not None and polled.report.summary()["added"] == 1


def test_a_gzip_bomb_is_not_inflated_past_the_sitemap_limit() -> None:
    bomb = gzip.compress(_urlset("https://example.org/a")[:-len(b"</urlset>")] + b" " * (51 * 2**20) + b"</urlset>")
    page = FetchedPage("https://example.org/sitemap.xml.gz", "application/x-gzip", bomb, None)
    with pytest.raises(InputError, match="larger than 50 MB uncompressed"):
        parse_feed(page)


def test_an_index_whose_child_is_a_page_stays_watched(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    serve_news(site)
    site.put("/s1.xml", _urlset(site.base + "/news/storm"), "application/xml")
    site.put("/s2.xml", "<html><body>Moved</body></html>")  # a child sitemap answered by an HTML page
    url = site.put("/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   "<sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>",
                   "application/xml")
    got = cli(url, "--once")
    assert "1 added" in got.output and "/s2.xml" in got.output
    assert "not watched" not in got.output, got.output
    assert [f["url"] for f in json.loads(cli("--list", "--json").stdout)] == [url]
