"""A new user's ingest and watch defects, end to end: an exact copy at a second outlet, a feed cut
at RAG_FEED_MAX_ITEMS, what `rag watch` prints, and feeds that are not well-formed XML.

Real collection (embedded Chroma, the HashEmbedder for the model); feeds are served on 127.0.0.1
by ``tests/test_feeds.py``'s FeedSite; the CLI runs in-process (``tests/test_watch.py``'s ``cli``)
or, where what reaches the terminal matters (log lines), as a real process (``tests.rag_cli_hash``).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.feeds import parse_feed
from index.fetch import FetchedPage
from index.watch import Watcher
from rag.api import RAG
from rag.errors import InputError
from rag.settings import Settings
from rag.types import Filters
from tests.conftest import ROOT
from tests.fakes import HashEmbedder
from tests.test_feeds import FeedSite, local_settings, page_html, rss, site  # noqa: F401
from tests.test_watch import cli  # noqa: F401

WIRE = ("Rebels captured the town of Khansir south of Aleppo on Sunday, cutting a government supply route. "
        "The town lies on the road to the city's southern districts. A monitoring group said fighting "
        "continued overnight near the airport and that at least four people were killed. Government "
        "forces had used the road to bring fuel and food into the western half of the city for months. "
        "Residents said the shelling was the heaviest in weeks.")
A_URL = "https://outlet-a.example/world/khansir"
B_URL = "https://outlet-b.example/news/2024/khansir-falls"
C_URL = "https://outlet-c.example/syria"
QUESTION = "Which town did the rebels capture south of Aleppo?"


def markdown(title: str, day: str, url: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\nurl: {url}\n---\n\n{body}\n"


def cli_process(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real `rag` command (HashEmbedder) on ``home``, 127.0.0.1 allowed; stdout and stderr together."""
    env = {**os.environ, "RAG_HOME": str(home), "RAG_ALLOW_PRIVATE_URLS": "1", "COLUMNS": "250",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", *args], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


# --- 1. an exact copy of an article at a second outlet -------------------------------------------

@pytest.fixture
def outlets(tmp_path: Path) -> Path:
    """The same text at outlets A and B (other title, date and URL), and an edited copy at outlet C."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.md").write_text(markdown("Rebels take Khansir", "2024-12-01", A_URL, WIRE), encoding="utf-8")
    (news / "b.md").write_text(markdown("Khansir falls to rebels", "2024-12-02", B_URL, WIRE), encoding="utf-8")
    (news / "c.md").write_text(markdown("Syria: town falls", "2024-12-02", C_URL, "ALEPPO (Wire) - " + WIRE),
                               encoding="utf-8")
    return news


@pytest.fixture
def coll(settings: Settings) -> Iterator[Collection]:
    with Collection.open(settings, embedder=HashEmbedder()) as c:
        yield c


def test_an_exact_copy_at_another_outlet_is_findable_cited_and_removable_alone(
        coll: Collection, settings: Settings, outlets: Path) -> None:
    report = coll.ingest([str(outlets)])
    assert report.summary()["duplicate"] == 1 and report.summary()["added"] == 2, report.summary()
    [copy] = [a for a in coll.db.list_articles() if A_URL == a.url]

    # `rag list outlet-b`, `rag list b.md`: the copy's address and file name find its article
    assert [a.id for a in coll.db.list_articles("outlet-b")] == [copy.id]
    assert [a.id for a in coll.db.list_articles("b.md")] == [copy.id]
    assert coll.db.count_matching("outlet-b") == (1, copy.n_chunks)
    # --source outlet-b (a filter on source, url and title)
    assert coll.store.article_ids(("outlet-b",), None, None) == [copy.id]

    # an answer citing the article lists the other outlets' versions: the exact copy and the edited one
    rag = RAG(settings, collection=coll)
    answer = rag.ask(QUESTION, offline=True)
    assert not answer.refused, answer.notices
    cited = next(c for c in answer.citations if "Khansir" in c.quote)  # A's text, or C's edited copy of it
    assert cited.source in (A_URL, C_URL) and B_URL in cited.also_in
    assert {cited.source, *cited.also_in} == {A_URL, B_URL, C_URL} and len(cited.also_in) == 2
    scoped = rag.ask(QUESTION, offline=True, filters=Filters(sources=("outlet-b",)))
    assert not scoped.refused and {c.article_id for c in scoped.citations} == {copy.id}

    # a second ingest of the folder changes nothing
    again = coll.ingest([str(outlets)])
    assert again.summary()["unchanged"] == 3 and sum(again.summary().values()) == 3, again.summary()

    # `rag remove URL-of-B`: that source only, as for two sources of one article
    [res] = coll.remove([B_URL])
    assert res.status == "removed" and "this source only" in res.reason and str(outlets / "a.md") in res.reason
    assert coll.db.sources_of(copy.id) == [str(outlets / "a.md")]
    assert coll.db.list_articles("outlet-b") == [] and coll.store.article_ids(("outlet-b",), None, None) == []
    cited = next(c for c in rag.ask(QUESTION, offline=True).citations if "Khansir" in c.quote)
    assert {cited.source, *cited.also_in} == {A_URL, C_URL} and len(cited.also_in) == 1
    [gone] = coll.remove([B_URL])
    assert gone.status == "failed" and "no such article" in gone.reason


def test_removing_the_first_outlet_shows_the_article_from_the_copy_at_its_address(
        coll: Collection, outlets: Path) -> None:
    assert coll.ingest([str(outlets / "a.md")]).count("added") == 1
    assert coll.ingest([str(outlets)]).summary()["duplicate"] == 1  # B's copy, in a later ingest
    assert len(coll.db.list_articles(B_URL)) == 1
    [res] = coll.remove([A_URL])  # by the URL of the article's own source
    assert res.status == "removed" and "this source only" in res.reason
    [kept] = [a for a in coll.db.list_articles() if a.id == res.article_id]
    assert (kept.source, kept.url) == (str(outlets / "b.md"), B_URL)  # shown from B, at B's address
    [last] = coll.remove([B_URL])
    assert last.status == "removed" and not last.reason  # its last source: the article goes
    assert res.article_id not in {a.id for a in coll.db.list_articles()}


def test_rag_list_finds_a_copy_by_its_outlet_and_file_name(coll: Collection, settings: Settings,
                                                           outlets: Path) -> None:
    coll.ingest([str(outlets)])
    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection, "COLUMNS": "250"}
    for search in ("outlet-b", "b.md"):
        got = subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", "list", search], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert got.returncode == 0, got.stderr
        assert "Rebels take Khansir" in got.stdout and "no article" not in got.stdout, got.stdout


def test_a_store_from_before_copy_addresses_learns_them_on_the_next_ingest(coll: Collection,
                                                                            outlets: Path) -> None:
    """An older database (no sources.url) opens, keeps each article's own address, and records a
    copy's address when its source is ingested again (reported updated once, then unchanged)."""
    coll.ingest([str(outlets)])
    [art] = [a for a in coll.db.list_articles() if a.url == A_URL]
    path = coll.db.path
    coll.close()
    with sqlite3.connect(path) as raw:
        raw.execute("ALTER TABLE sources DROP COLUMN url")
    with Collection.open(coll.settings, embedder=HashEmbedder()) as again:
        assert again.db.resolve(A_URL) == art.id  # the article's own source took the article's URL
        assert again.db.list_articles("outlet-b") == []  # the copy's address was never stored
        first = again.ingest([str(outlets)])
        assert first.summary()["updated"] == 1 and first.summary()["unchanged"] == 2, first.summary()
        assert [a.id for a in again.db.list_articles("outlet-b")] == [art.id]
        assert again.ingest([str(outlets)]).summary()["unchanged"] == 3


# --- 2. RAG_FEED_MAX_ITEMS keeps the newest, and a later poll gets the rest --------------------------

def oldest_first_feed(site: FeedSite, path: str = "/feed.xml", *, dated: bool = True,  # noqa: F811
                      days: dict[int, int] | None = None) -> str:
    """Four dated items, oldest first (1 Dec ... 4 Dec; ``days``: item -> another day), each linking
    to a page of its own."""
    items = []
    for n in range(1, 5):
        if f"/news/{n}" not in site.routes:
            site.put(f"/news/{n}", page_html(f"Story {n}", f"The council met on day {n} and approved plan number "
                                                            f"{n}.\n\nOfficials said work on plan {n} starts soon."))
        item = {"title": f"Story {n}", "link": f"{site.base}/news/{n}", "guid": f"s{n}"}
        if dated:
            item["pubDate"] = f"{(days or {}).get(n, n):02d} Dec 2024 08:00:00 GMT"
        items.append(item)
    return site.put(path, rss(items), "application/rss+xml")


def fetched_pages(site: FeedSite, since: int = 0) -> list[str]:  # noqa: F811
    return sorted(h.path for h in site.hits[since:] if h.path.startswith("/news/"))


def test_watch_with_the_cap_reads_the_newest_then_the_rest(site: FeedSite, cli,  # noqa: ANN001, F811
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_FEED_MAX_ITEMS", "2")
    url = oldest_first_feed(site)
    first = cli(url, "--once")
    assert first.exit_code == 0, first.output
    assert fetched_pages(site) == ["/news/3", "/news/4"]  # the two newest, though the feed lists them last
    assert "2 new or changed item(s) left for the next round" in first.output
    seen = len(site.hits)
    second = cli(url, "--once")  # not a 304: the feed's validators were not kept
    assert second.exit_code == 0 and "not modified" not in second.output, second.output
    assert fetched_pages(site, seen) == ["/news/1", "/news/2"]
    assert "left for the next round" not in second.output
    third = cli(url, "--once")
    assert third.exit_code == 0 and "not modified" in third.output, third.output
    [feed] = json.loads(cli("--list", "--json").stdout)
    assert (feed["items_added"], feed["items_known"]) == (4, 4)


def test_ingest_with_the_cap_takes_the_newest_and_says_how_many_were_left_out(
        site: FeedSite, tmp_path: Path) -> None:  # noqa: F811
    url = oldest_first_feed(site)
    with Collection.open(local_settings(tmp_path, feed_max_items=2), embedder=HashEmbedder()) as c:
        report = c.ingest([url])
        assert sorted(r.title for r in report.items if r.status == "added") == ["Story 3", "Story 4"]
    assert fetched_pages(site) == ["/news/3", "/news/4"]
    assert report.notices == (f"{url}: ingested the newest 2 of 4 items (2 older left out); raise "
                              "RAG_FEED_MAX_ITEMS to take more",)


def test_an_undated_feed_is_capped_in_feed_order(site: FeedSite, tmp_path: Path) -> None:  # noqa: F811
    url = oldest_first_feed(site, dated=False)
    with Collection.open(local_settings(tmp_path, feed_max_items=2), embedder=HashEmbedder()) as c:
        assert c.ingest([url]).count("added") == 2
    assert fetched_pages(site) == ["/news/1", "/news/2"]  # nothing says which is newer: the feed's order


# --- 3. what `rag watch` prints --------------------------------------------------------------------

def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was just free)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def test_a_failure_is_printed_once_as_a_sentence(site: FeedSite, tmp_path: Path) -> None:  # noqa: F811
    url = site.put("/atom.xml", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
                                "<entry><title>A</ti", "application/atom+xml")
    got = cli_process(tmp_path / "home", "watch", url, "--once")
    assert got.returncode == 1, got.stdout
    assert "WARNING" not in got.stdout, got.stdout
    assert got.stdout.count("is a malformed Atom feed") == 1, got.stdout
    assert f"{url}: failed: it is a malformed Atom feed: no item could be read from it" in got.stdout
    assert "failed is" not in got.stdout


def test_a_feed_that_never_answered_stays_watched_and_says_how_to_stop(cli) -> None:  # noqa: ANN001, F811
    url = refused_url()
    got = cli(url, "--once")
    assert got.exit_code == 1 and "could not connect" in got.output, got.output
    flat = " ".join(got.output.split())
    assert f"still watched, but it has never answered as a feed: {url}" in flat
    assert f"`rag watch --remove {url}` stops watching it" in flat
    assert url in cli("--list").output  # README: a feed that is down is retried next round
    assert cli("--remove", url).exit_code == 0 and "no feeds are watched" in cli("--list").output


def test_an_updated_item_is_counted_apart_from_the_added_ones(site: FeedSite, cli) -> None:  # noqa: ANN001, F811
    url = oldest_first_feed(site)
    assert cli(url, "--once").exit_code == 0
    site.put("/news/2", page_html("Story 2", "The council met on day 2 and approved plan number 2.\n\n"
                                             "Officials said work on plan 2 starts in March, a month late."))
    oldest_first_feed(site, days={2: 5})  # the feed marks item 2 as changed
    got = cli("--once")
    assert got.exit_code == 0 and "1 updated" in got.output and "added" not in got.output, got.output
    [row] = json.loads(cli("--list", "--json").stdout)
    assert (row["items_added"], row["items_updated"]) == (4, 1)
    table = cli("--list").output
    assert "added" in table and "updated" in table


# --- 4. feeds that are not well-formed XML ------------------------------------------------------------

RSS_ITEMS = "".join(f"<item><title>Story {n}</title><link>https://e.org/news/{n}</link><guid>g{n}</guid></item>"
                    for n in range(1, 4))
ATOM_ENTRIES = "".join(f'<entry><title>Story {n}</title><id>urn:{n}</id><link href="https://e.org/news/{n}"/></entry>'
                       for n in range(1, 4))
RSS = f'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>{RSS_ITEMS}</channel></rss>'
ATOM = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{ATOM_ENTRIES}</feed>'


@pytest.mark.parametrize("name, body", [
    ("RSS", RSS.removesuffix("</channel></rss>")),  # cut short
    ("RSS", RSS + "\n<html>garbage</html><<"),  # something appended
    ("Atom", ATOM.removesuffix("</feed>")),
    ("Atom", ATOM + "\n<html>garbage</html><<"),
])
@pytest.mark.parametrize("ctype", ["application/xml", "text/html"])
def test_a_malformed_feed_is_read_leniently_with_a_warning(name: str, body: str, ctype: str) -> None:
    feed = parse_feed(FetchedPage("https://e.org/feed", ctype, body.encode(), None))
    assert [i.link for i in feed.items] == [f"https://e.org/news/{n}" for n in range(1, 4)]
    assert feed.problems[0].startswith(f"the {name} feed is malformed (SAXParseException")
    assert "read leniently: 3 item(s) found" in feed.problems[0]


@pytest.mark.parametrize("name, body", [("RSS", RSS[:60]), ("Atom", ATOM[:90])])
def test_a_feed_with_nothing_readable_fails_naming_it(name: str, body: str) -> None:
    with pytest.raises(InputError, match=rf"^https://e.org/feed: is a malformed {name} feed: no item could be read"):
        parse_feed(FetchedPage("https://e.org/feed", "application/xml", body.encode(), None))


def test_a_well_formed_feed_has_no_such_warning() -> None:
    for body in (RSS, ATOM):
        assert parse_feed(FetchedPage("https://e.org/feed", "text/html", body.encode(), None)).problems == ()


def test_ingest_and_watch_warn_of_a_truncated_feed(site: FeedSite, tmp_path: Path, cli) -> None:  # noqa: ANN001, F811
    for n in range(1, 3):
        site.put(f"/news/{n}", page_html(f"Story {n}", f"The council met on day {n} and approved plan number {n}."))
    items = "".join(f"<item><title>Story {n}</title><link>{site.base}/news/{n}</link><guid>g{n}</guid></item>"
                    for n in range(1, 3))
    url = site.put("/cut.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>{items}',
                   "application/rss+xml")
    ingested = cli_process(tmp_path / "home", "ingest", url)
    assert ingested.returncode == 0, ingested.stdout
    assert ingested.stdout.count("read leniently: 2 item(s) found") == 1, ingested.stdout
    watched = cli(url, "--once")
    assert watched.exit_code == 0, watched.output
    flat = " ".join(watched.output.split())
    assert "warning: the RSS feed is malformed (SAXParseException" in flat and "2 added" in flat
    assert flat.count("read leniently") == 1
