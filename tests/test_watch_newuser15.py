"""`rag watch` and `rag up` as new user 15 found them (/tmp/newuser15/report.md, D2 and D6).

- D2: a feed watched by `rag watch URL --every 1m` answered 200 with an HTML maintenance page for one
  round; the watch printed "(retried next round)", then "not watched: ... is a page", and dropped
  the feed: `rag watch --list` lost it, and the next round re-added it with its counters reset and
  fetched every page again. A feed already read as a feed keeps its place and its counters; the
  bad round is an error of that round (``last_error``), as a 500 is; only a URL that has never been
  read as a feed is refused as "a page, not a feed".
- D6: `rag up` ingested the seed article every time it ran; removed with `rag remove`, it came
  back on the next `rag up`, and its 2024 date became the newsroom's "newest article". `rag up`
  seeds only an empty collection.

Feeds are served on 127.0.0.1 (tests/test_feeds.py's FeedSite); `rag watch` runs on its own typer
app (``cli`` of tests/test_watch.py), `rag up` in this process on a real store (``env`` of
tests/test_cli_ingest.py), both embedding with the HashEmbedder.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import rag.cli.watch as cli_watch
from index.watch import Watcher
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.test_cli_ingest import env, flat, run  # noqa: F401
from tests.test_feeds import FeedSite, site  # noqa: F401
from tests.test_watch import cli, coll, news_feed, serve_news, watcher  # noqa: F401

MAINTENANCE = "<html><body><h1>Maintenance</h1><p>Back soon</p></body></html>"  # as the report's server sent


# --- D2: a known feed's bad round -------------------------------------------------------------------

def test_a_watched_feed_that_answers_a_page_once_stays_watched(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    serve_news(site)
    url = news_feed(site)
    assert watcher.poll(url).status == "ingested"
    site.put("/feed.xml", MAINTENANCE, "application/xml")
    bad = watcher.poll(url)
    assert bad.status == "failed" and not bad.not_a_feed  # an error of the round, not "a page"
    [feed] = watcher.state.feeds()
    assert feed.url == url and feed.items_added == 2 and "not a feed" in (feed.last_error or "")


def test_a_page_given_first_is_still_not_a_feed(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    site.put("/maintenance", MAINTENANCE)
    assert watcher.poll(site.base + "/maintenance").not_a_feed


def test_watch_every_keeps_a_feed_through_a_maintenance_page(site: FeedSite, cli,  # noqa: ANN001, F811
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's w4.log: round 1 reads the feed, round 2 gets the maintenance page, `--list` is []."""
    serve_news(site)
    url = news_feed(site)
    waited: list[float] = []

    def between_rounds(stop: threading.Event, seconds: float) -> None:
        waited.append(seconds)
        if len(waited) == 1:
            site.put("/feed.xml", MAINTENANCE, "application/xml")
        else:
            stop.set()  # as a Ctrl-C after round 2

    monkeypatch.setattr(cli_watch, "waits", SimpleNamespace(wait=between_rounds))  # the fetches keep theirs
    got = cli(url, "--every", "1m")
    out = flat(got.output)
    assert got.exit_code == 130 and "round 2" in out, got.output
    assert "(retried next round)" in out and "not watched" not in out and "is a page" not in out, got.output
    [feed] = json.loads(cli("--list", "--json").stdout)
    assert (feed["url"], feed["items_added"]) == (url, 2)
    assert "not a feed" in feed["last_error"]

    news_feed(site)  # the feed is back: its items are known, no page is fetched again
    pages = len(site.requests("/news/storm")) + len(site.requests("/news/bridge"))
    again = cli("--once")
    assert again.exit_code == 0, again.output
    assert len(site.requests("/news/storm")) + len(site.requests("/news/bridge")) == pages
    [feed] = json.loads(cli("--list", "--json").stdout)
    assert feed["items_added"] == 2 and feed["last_error"] is None


# --- D6: `rag up` seeds only an empty collection ------------------------------------------------------

def _titles(settings: Settings) -> list[str]:
    with sqlite3.connect(settings.db_path) as db:
        return [r[0] for r in db.execute("SELECT title FROM articles ORDER BY title")]


SEED_TITLE = "Rescue workers assist at the scene"  # the seed article's title starts so


def test_up_seeds_an_empty_collection_once(env: Settings) -> None:  # noqa: F811
    first = run("up", "--no-chat")
    assert first.exit_code == 0, first.output
    assert "ingest report" in first.output and [t[:len(SEED_TITLE)] for t in _titles(env)] == [SEED_TITLE]
    again = run("up", "--no-chat")
    assert again.exit_code == 0 and "ingest report" not in again.output, again.output
    assert "only to an empty collection" in flat(again.output) and len(_titles(env)) == 1


def test_up_does_not_bring_back_a_removed_seed(env: Settings, tmp_path: Path) -> None:  # noqa: F811
    """The report: `rag remove 4ae8ba5f ; rag up --no-chat` -> added 1 (back again)."""
    assert run("up", "--no-chat").exit_code == 0
    write_corpus(tmp_path / "news", 2)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    with sqlite3.connect(env.db_path) as db:
        [seed] = [r[0] for r in db.execute("SELECT id FROM articles WHERE title LIKE ?", (SEED_TITLE + "%",))]
    assert run("remove", seed).exit_code == 0
    up = run("up", "--no-chat")
    assert up.exit_code == 0, up.output
    assert "2 articles" in flat(up.output) and "seed" in up.output, up.output
    titles = _titles(env)
    assert len(titles) == 2 and not any(t.startswith(SEED_TITLE) for t in titles)


def test_up_adds_no_seed_to_a_newsrooms_collection(env: Settings, tmp_path: Path) -> None:  # noqa: F811
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    up = run("up", "--no-chat")
    assert up.exit_code == 0 and "ingest report" not in up.output, up.output
    assert len(_titles(env)) == 3
