"""index.watch: polling feeds into a real collection (embedded Chroma, counting fake embedder),
against a real http.server on 127.0.0.1 that answers conditional requests (tests/test_feeds.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.watch import Watcher, WatchState, check_feed_url, parse_every
from rag.errors import InputError
from tests.fakes import HashEmbedder
from tests.test_feeds import (  # noqa: F401
    BRIDGE, STORM, FeedSite, local_settings, page_html, rss, serve_index_missing_a_child, serve_news, site,
)


@pytest.fixture
def coll(tmp_path: Path, fake_embedder: HashEmbedder) -> Iterator[Collection]:
    with Collection.open(local_settings(tmp_path), embedder=fake_embedder) as c:
        yield c


@pytest.fixture
def watcher(coll: Collection) -> Iterator[Watcher]:
    w = Watcher(coll)
    yield w
    w.state.close()


def news_feed(site: FeedSite, *, bridge_date: str = "Mon, 02 Dec 2024 07:00:00 GMT") -> str:
    return site.put("/feed.xml", rss([
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm",
         "pubDate": "Sun, 01 Dec 2024 08:00:00 GMT"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge", "pubDate": bridge_date},
    ]), "application/rss+xml")


def embedded(e: HashEmbedder) -> int:
    return sum(e.calls)


def test_unchanged_feed_costs_one_conditional_request_and_no_embedding(
        site: FeedSite, watcher: Watcher, coll: Collection, fake_embedder: HashEmbedder) -> None:
    serve_news(site)
    url = news_feed(site)
    first = watcher.poll(url)
    assert first.status == "ingested" and first.report is not None
    assert first.report.summary()["added"] == 2
    texts, chunks, hits = embedded(fake_embedder), coll.stats()["chunks"], len(site.hits)
    assert texts > 0

    second = watcher.poll(url)
    assert (second.status, second.requests, second.fetched_items) == ("not_modified", 1, 0)
    [request] = site.hits[hits:]  # one request, for the feed, conditional, answered 304
    assert request.path == "/feed.xml" and request.status == 304
    assert request.headers["if-none-match"].startswith('"') and "if-modified-since" in request.headers
    assert embedded(fake_embedder) == texts and coll.stats()["chunks"] == chunks
    [feed] = watcher.state.feeds()
    assert (feed.url, feed.title, feed.items_added, feed.items_known, feed.last_error) == (
        url, "Example News", 2, 2, None)
    assert feed.last_polled


def test_feed_without_validators_compares_item_stamps(site: FeedSite, watcher: Watcher,
                                                      fake_embedder: HashEmbedder) -> None:
    serve_news(site)
    url = news_feed(site)
    site.routes["/feed.xml"].validators = False  # a server that sends no ETag / Last-Modified
    watcher.poll(url)
    texts, hits = embedded(fake_embedder), len(site.hits)
    again = watcher.poll(url)
    assert (again.status, again.fetched_items) == ("unchanged", 0)
    assert [h.path for h in site.hits[hits:]] == ["/feed.xml"]  # no page fetched
    assert "if-none-match" not in site.hits[-1].headers
    assert embedded(fake_embedder) == texts


def test_changed_item_is_reingested_and_only_it(site: FeedSite, watcher: Watcher, coll: Collection,
                                                fake_embedder: HashEmbedder) -> None:
    serve_news(site)
    url = news_feed(site)
    watcher.poll(url)
    texts, hits = embedded(fake_embedder), len(site.hits)
    site.put("/news/bridge", page_html(None, BRIDGE + "\n\nThe bridge will reopen in March, the council said."))
    news_feed(site, bridge_date="Tue, 03 Dec 2024 09:00:00 GMT")  # the feed marks the item as changed
    result = watcher.poll(url)
    assert result.status == "ingested" and result.fetched_items == 1
    assert result.report is not None and result.report.summary()["updated"] == 1
    assert [h.path for h in site.hits[hits:]] == ["/feed.xml", "/news/bridge"]  # the storm page is not fetched
    assert embedded(fake_embedder) > texts
    [bridge] = coll.db.list_articles("bridge", 10)
    assert (bridge.title, bridge.published) == ("Bridge closed", "2024-12-03")  # the feed's new date
    assert "reopen in March" in (coll.db.article_text(bridge.id) or "")
    [feed] = watcher.state.feeds()
    assert (feed.items_added, feed.items_updated) == (2, 1)  # counted apart: an update is no new article


@pytest.mark.parametrize("bad", [
    (500, "text/plain", b"internal error", "HTTP 500"),
    (200, "application/rss+xml", b"<rss><channel><item><title>cut off", "malformed RSS feed"),
    (200, "text/html", b"<html><body>Maintenance</body></html>", "is not a feed or sitemap"),
])
def test_broken_feed_is_recorded_and_the_next_round_works(site: FeedSite, watcher: Watcher, bad: tuple) -> None:
    status, ctype, body, expected = bad
    serve_news(site)
    url = site.put("/feed.xml", body, ctype, status=status)
    broken = watcher.poll(url)
    assert broken.status == "failed" and expected in (broken.error or "")
    [feed] = watcher.state.feeds()
    assert expected in (feed.last_error or "") and feed.last_polled
    news_feed(site)
    fixed = watcher.poll(url)
    assert fixed.status == "ingested" and fixed.report is not None and fixed.report.summary()["added"] == 2
    assert watcher.state.feeds()[0].last_error is None


def test_feed_that_is_down_does_not_stop_the_round(site: FeedSite, watcher: Watcher) -> None:
    serve_news(site)
    good = news_feed(site)
    down = "http://127.0.0.1:9/feed.xml"  # nothing listens on port 9
    results = watcher.poll_all([down, good])
    assert [r.status for r in results] == ["failed", "ingested"]
    assert "could not connect" in (results[0].error or "")


def test_failed_item_fails_alone_and_is_retried(site: FeedSite, watcher: Watcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """With private addresses refused (127.0.0.1 treated as public, as in test_fetch), an item on
    127.0.0.2 fails by the SSRF guard, alone; a 404 item is retried next round and added once it exists."""
    from index import fetch

    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    watcher.settings = local_settings(Path(watcher.settings.home).parent, allow_private_urls=False)
    serve_news(site)
    port = site.base.rsplit(":", 1)[1]
    url = site.put("/feed.xml", rss([
        {"title": "Internal", "link": f"http://127.0.0.2:{port}/news/storm", "guid": "internal"},
        {"title": "Later", "link": site.base + "/news/later", "guid": "later"},
        {"title": "Bridge", "link": site.base + "/news/bridge", "guid": "bridge"},
    ]), "application/rss+xml")
    first = watcher.poll(url)
    assert first.report is not None
    assert first.report.summary()["added"] == 1 and first.report.summary()["failed"] == 2
    reasons = {r.item: r.reason or "" for r in first.report.failed}
    assert "refusing to fetch 127.0.0.2" in reasons[f"http://127.0.0.2:{port}/news/storm"]
    assert "HTTP 404" in reasons[site.base + "/news/later"]
    [feed] = watcher.state.feeds()
    assert feed.items_failing == 2 and "item(s) failing" in (feed.last_error or "")

    site.put("/news/later", page_html("Later story", "This story was published a little later.\n\nIt has two paragraphs."))
    hits = len(site.hits)
    second = watcher.poll(url)
    # Changed for the retry backoff (tests/test_watch_retry.py): failed items no longer keep the
    # feed's validators from being saved (a dead link had the feed downloaded in full every round);
    # they are retried from the watch state, so the feed answers 304, then only the failed items
    assert site.hits[hits].path == "/feed.xml" and site.hits[hits].status == 304
    assert not site.requests("/news/storm")  # the guarded item is never requested
    assert second.fetched_items == 2 and second.report is not None
    assert second.report.summary()["added"] == 1 and second.report.summary()["failed"] == 1
    assert watcher.state.feeds()[0].items_failing == 1


def test_interrupted_poll_keeps_finished_items(site: FeedSite, watcher: Watcher, fake_embedder: HashEmbedder) -> None:
    """Ctrl-C mid-ingest: the article that committed stays and is recorded; the next poll does the rest."""
    serve_news(site)
    url = news_feed(site)

    def interrupt(r: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watcher.poll(url, progress=interrupt)
    assert watcher.state.feeds()[0].items_known == 1
    hits = len(site.hits)
    rest = watcher.poll(url)
    assert rest.status == "ingested" and rest.fetched_items == 1
    assert site.hits[hits].status == 200  # validators were not saved by the interrupted poll
    again = watcher.poll(url)
    assert again.status == "not_modified"


def test_sitemap_index_skips_unchanged_children(site: FeedSite, watcher: Watcher) -> None:
    serve_news(site)
    site.put("/s1.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/storm'
                        "</loc><lastmod>2024-12-01</lastmod></url></urlset>", "application/xml")
    site.put("/s2.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/bridge'
                        "</loc><lastmod>2024-12-02</lastmod></url></urlset>", "application/xml")

    def index(lastmod2: str) -> str:
        return site.put("/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        "<sitemap><loc>/s1.xml</loc><lastmod>2024-12-01</lastmod></sitemap>"
                        f"<sitemap><loc>/s2.xml</loc><lastmod>{lastmod2}</lastmod></sitemap></sitemapindex>",
                        "application/xml")

    url = index("2024-12-02")
    first = watcher.poll(url)
    assert first.report is not None and first.report.summary()["added"] == 2 and first.requests == 3
    hits = len(site.hits)
    index("2024-12-03")  # only the second child changed
    second = watcher.poll(url)
    assert [h.path for h in site.hits[hits:]] == ["/sitemap.xml", "/s2.xml"]
    assert (second.status, second.fetched_items) == ("unchanged", 0)  # its URL's lastmod did not change


def test_state_add_list_remove(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "watch.sqlite3")
    try:
        assert state.add(" https://e.org/feed.xml#top ") == "https://e.org/feed.xml"
        state.add("https://e.org/feed.xml")
        state.add("https://f.org/atom")
        assert [f.url for f in state.feeds()] == ["https://e.org/feed.xml", "https://f.org/atom"]
        assert state.remove("https://e.org/feed.xml") and not state.remove("https://e.org/feed.xml")
        assert state.urls() == ["https://f.org/atom"]
        # a second connection (another process: the CLI beside the UI) sees the same state
        other = WatchState(tmp_path / "watch.sqlite3")
        assert other.urls() == ["https://f.org/atom"]
        other.close()
    finally:
        state.close()


@pytest.mark.parametrize("url", ["ftp://e.org/feed", "feed.xml", "https://user:secret@e.org/feed"])
def test_bad_feed_urls(url: str) -> None:
    with pytest.raises(InputError) as err:
        check_feed_url(url)
    assert "secret" not in str(err.value)


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("90s", 90), ("1d", 86400)])
def test_parse_every(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "5s", "soon", "30m later"])
def test_parse_every_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_every(text)


def test_run_polls_in_rounds_until_stopped(site: FeedSite, watcher: Watcher) -> None:
    serve_news(site)
    url = news_feed(site)
    seen: list[str] = []
    watcher.run(0.01, urls=[url], rounds=3, on_result=lambda r: seen.append(r.status))
    assert seen == ["ingested", "not_modified", "not_modified"]
    stop = threading.Event()
    stop.set()
    watcher.run(3600, urls=[url], stop=stop, on_result=lambda r: seen.append(r.status))
    assert len(seen) == 3  # a stop set before the round: nothing polled, no wait


# --- rag watch (rag/cli/watch.py) ---------------------------------------------------------------

@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder: HashEmbedder):  # noqa: ANN201
    """``rag watch`` on its own typer app, on a data dir under tmp_path, with the counting embedder."""
    import typer
    from typer.testing import CliRunner

    import rag.cli.watch as cli_watch
    from rag.settings import load_settings

    monkeypatch.setenv("RAG_HOME", str(tmp_path / "clihome"))
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.setattr(cli_watch, "_open_collection", lambda: Collection.open(load_settings(), embedder=fake_embedder))
    app = typer.Typer()

    @app.callback()
    def _group() -> None:
        pass

    cli_watch.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["watch", *args], env={"COLUMNS": "200"})


def test_cli_once_list_remove(site: FeedSite, cli, fake_embedder: HashEmbedder) -> None:  # noqa: ANN001
    serve_news(site)
    url = site.put("/feed.xml", rss([
        {"title": "Bridge [/bold] closed [red]", "link": site.base + "/news/bridge", "guid": "b"},
        {"title": "Gone", "link": site.base + "/news/gone", "guid": "g"},
    ]), "application/rss+xml")
    first = cli(url, "--once")
    assert first.exit_code == 1, first.output  # an item failed
    assert "Bridge [/bold] closed [red]" in first.output  # markup in a title is printed as text
    assert "failed" in first.output and "/news/gone" in first.output and "HTTP 404" in first.output
    listed = cli("--list")
    assert listed.exit_code == 0 and url in listed.output and "Example News" in listed.output
    assert "1 item(s) failing" in listed.output
    site.put("/news/gone", page_html("Back again", STORM))
    retried = cli("--once")  # no URL: every watched feed; the failed item is retried
    assert retried.exit_code == 0 and "added" in retried.output and "Back again" in retried.output
    texts = sum(fake_embedder.calls)
    again = cli("--once")
    assert again.exit_code == 0 and "not modified" in again.output
    assert sum(fake_embedder.calls) == texts

    as_json = cli("--list", "--json")
    import json
    [feed] = json.loads(as_json.stdout)
    assert (feed["url"], feed["items_added"], feed["last_error"]) == (url, 2, None)

    removed = cli("--remove", url)
    assert removed.exit_code == 0 and "stopped watching" in removed.output
    assert "no feeds are watched" in cli("--list").output
    nothing = cli("--once")
    assert nothing.exit_code == 2 and "no feeds are watched yet" in nothing.output


def test_cli_broken_feed_exit_code_and_bad_interval(site: FeedSite, cli) -> None:  # noqa: ANN001
    url = site.put("/feed.xml", b"oops", "text/plain", status=500)
    broken = cli(url, "--once")
    assert broken.exit_code == 1 and "HTTP 500" in broken.output
    assert "retried next round" not in broken.output  # --once: there is no next round
    assert url in cli("--list").output  # a feed that is down stays watched
    bad = cli(url, "--every", "soon")
    assert bad.exit_code == 2 and "is not an interval" in bad.output


def test_cli_cuts_a_long_title_with_an_ellipsis(site: FeedSite, cli) -> None:  # noqa: ANN001
    """A title cut at 80 columns bare ("… world title [/bold] & \"quotes") read as corrupted data."""
    long = "Greene sets sights on the world title after a season of racing across Europe & \"quotes\" end"
    site.put("/news/long", page_html(long, STORM))
    url = site.put("/feed.xml", rss([{"title": "Long", "link": site.base + "/news/long", "guid": "l"}]),
                   "application/rss+xml")
    got = cli(url, "--once")
    assert got.exit_code == 0, got.output
    line = next(ln for ln in got.output.splitlines() if "Greene" in ln)
    assert line.rstrip().endswith("…") and "quotes" not in line, line
    assert "Greene sets sights on the world title after a season of racing across Europe" in line


def test_cli_once_does_not_read_the_interval(site: FeedSite, cli) -> None:  # noqa: ANN001
    """`rag watch --every 0s --once` was refused ("shorter than 10 seconds"): --once never waits."""
    url = site.put("/feed.xml", rss([]), "application/rss+xml")
    got = cli(url, "--every", "0s", "--once")
    assert got.exit_code == 0 and "shorter than" not in got.output, got.output
    assert cli(url, "--every", "0s").exit_code == 2  # without --once the interval is still checked


def test_cli_says_how_to_allow_a_local_address_in_its_own_terms(site: FeedSite, cli,  # noqa: ANN001
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's refusal names the setting for no surface (a UI or REST user cannot set the
    server's environment); `rag watch` adds how to set it, for the feed and for an item alike."""
    from index import fetch

    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "0")
    feed = cli(site.put("/feed.xml", rss([]), "application/rss+xml"), "--once")
    assert feed.exit_code == 1 and fetch.PRIVATE_OFF in " ".join(feed.output.split())
    assert "set RAG_ALLOW_PRIVATE_URLS=1 to fetch them" in " ".join(feed.output.split()), feed.output
    # an item on 127.0.0.2 under a feed the guard lets through (127.0.0.1 taken as public)
    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    port = site.base.rsplit(":", 1)[1]
    url = site.put("/feed2.xml", rss([{"title": "Internal", "link": f"http://127.0.0.2:{port}/news/x", "guid": "i"}]),
                   "application/rss+xml")
    item = " ".join(cli(url, "--once").output.split())
    assert "refusing to fetch 127.0.0.2" in item and item.count("set RAG_ALLOW_PRIVATE_URLS=1 to fetch them") == 1


def test_cli_a_page_is_not_watched_and_removing_an_unknown_feed_fails(site: FeedSite, cli) -> None:  # noqa: ANN001
    serve_news(site)
    page = site.base + "/news/bridge"
    got = cli(page, "--once")
    assert got.exit_code == 1 and "is not a feed or sitemap" in got.output
    assert "add it once with `rag ingest URL`" in got.output
    assert "no feeds are watched" in cli("--list").output
    missing = cli("--remove", site.base + "/nothere.xml")
    assert missing.exit_code == 1 and "not watched" in missing.output


# --- the Collection tab (ui/library.py) -----------------------------------------------------------

def test_ui_watch_poll_list_and_remove(site: FeedSite, coll: Collection) -> None:
    import gradio as gr

    from ui.library import Library

    serve_news(site)
    # feed text is plain text (tags dropped, entities read): "<3" must reach the page escaped
    url = site.put("/feed.xml", rss([{"title": "Bridge &lt;3 <img src=x onerror=alert(1)>", "guid": "b",
                                      "link": site.base + "/news/bridge"}], title="AT&amp;T &lt;3 news"),
                   "application/rss+xml")
    lib = Library(coll)
    assert "No feeds watched" in lib.feeds()[0]
    table, choices, box = lib.add_feed(url)
    assert url in table and box == ""
    steps = list(lib.poll_feeds(""))
    results, articles, _, table, _ = steps[-1]
    assert "1 added" in results and "Bridge &lt;3" in articles and "Bridge &lt;3" in results
    assert "<img" not in results + articles + table and "<3" not in results + articles + table
    assert "AT&amp;T &lt;3 news" in table
    # items added and updated apart, as `rag watch --list` shows them (under the feed, with its last poll)
    assert "1 added · 0 updated" in table
    table, _ = lib.remove_feed(url)
    assert "No feeds watched" in table
    with gr.Blocks():  # the panel lays itself out and wires its events inside any Blocks
        ingest_out, arts, victim, search = gr.HTML(), gr.HTML(), gr.Dropdown(), gr.Textbox()
        lib.feeds_panel(ingest_out, arts, victim, search)


def test_ui_watch_refuses_a_page_and_keeps_a_feed_that_is_down(site: FeedSite, coll: Collection) -> None:
    from ui.library import Library

    serve_news(site)
    lib = Library(coll)
    with pytest.warns(UserWarning, match="is not a feed or sitemap"):
        lib.add_feed(site.base + "/news/bridge")
    assert "No feeds watched" in lib.feeds()[0]
    down = site.put("/down.xml", b"oops", "text/plain", status=500)
    table, _, box = lib.add_feed(down)
    assert down in table and box == ""  # watched: its poll will report the error, as `rag watch` does


def test_ui_watch_takes_the_feed_a_page_advertises_and_a_broken_feed(site: FeedSite, coll: Collection) -> None:
    """`rag watch https://site/` watched the feed the page advertises; the Collection tab refused the
    page, and a feed URL sent as a feed with a broken body."""
    from ui.library import Library

    serve_news(site)
    feed = site.put("/feed.xml", rss([{"title": "Bridge", "guid": "b", "link": site.base + "/news/bridge"}]),
                    "application/rss+xml")
    home = site.put("/", b'<!doctype html><html><head><title>Site</title>'
                         b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
                         b"<body><p>Front page</p></body></html>", "text/html")
    lib = Library(coll)
    table, _, box = lib.add_feed(home)
    assert feed in table and box == ""
    assert lib.watch_state.urls() == [feed]  # the feed, not the page
    broken = site.put("/broken.xml", b"<<<not xml", "application/rss+xml")
    table, _, _ = lib.add_feed(broken)
    assert broken in table  # watched: its poll reports a malformed feed, as `rag watch` does


def test_ui_bad_feed_url_warns(coll: Collection) -> None:
    from ui.library import Library

    with pytest.warns(UserWarning, match="not an http"):
        assert Library(coll).add_feed("feed.xml")[0] is not None


def test_failed_child_sitemap_is_retried_next_round(site: FeedSite, watcher: Watcher) -> None:
    url = serve_index_missing_a_child(site)
    first = watcher.poll(url)
    assert first.status == "ingested" and first.report is not None and first.report.summary()["added"] == 1
    assert "child sitemap" in (first.error or "") and "/s2.xml" in (first.error or "") and "HTTP 404" in (first.error or "")
    assert "/s2.xml" in (watcher.state.feeds()[0].last_error or "")
    site.put("/s2.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/bridge'
                        "</loc></url></urlset>", "application/xml")
    hits = len(site.hits)
    second = watcher.poll(url)
    assert site.hits[hits].status == 200  # no validators were kept: the index is read again
    assert [h.path for h in site.hits[hits:]] == ["/sitemap.xml", "/s2.xml", "/news/bridge"]  # s1 is not re-read
    assert second.status == "ingested" and second.error is None and second.report is not None
    assert second.report.summary()["added"] == 1
    assert watcher.state.feeds()[0].last_error is None
    assert watcher.poll(url).status == "not_modified"
