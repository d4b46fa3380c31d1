"""Feeds, sitemaps and `rag watch` as new user 20 found them (/tmp/newuser20/report.md).

1. A page with no date element quoted "update for Sat. 12/3/2022" and "December 3, 2022"; its
   sitemap and an RSS pubDate said 2022-12-04; it was stored as 2022-03-12: htmldate read 12/3
   day first, and that date from the body beat the feed's. A date the page states as data
   (<meta>, JSON-LD, <time>, its URL) still wins; one from its visible text yields to the feed's.
2. With RAG_ALLOW_PRIVATE_URLS=1 (needed for a feed on 127.0.0.1), a feed item and a redirect
   reached 169.254.169.254, a cloud host's metadata service. Link-local addresses are never fetched.
3. A stopped `rag watch` round said "0 item(s) listed as new or changed" of a feed that listed 2,
   and threw away a page fetched in a second that waited behind a slow one.
4. A sitemap ingest said "15 added" with nothing saying 5 were near-copies of stories stored before.

Pages and feeds are served on 127.0.0.1 (tests/test_feeds.py's FeedSite); the store is real, with
the HashEmbedder standing in for the model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.feeds import FeedItem, with_feed_metadata
from index.fetch import fetch_url
from index.formats import parse_html
from index.load import iter_articles
from index.types import Article, IngestReport, ItemResult, LoadFailure
from index.watch import PollResult, Watcher
from rag.cli.ingest import ingest_reason
from rag.cli.watch import _describe
from rag.errors import InputError
from rag.settings import Settings
from tests.test_cli_ingest import env, flat, run  # noqa: F401
from tests.test_feeds import FeedSite, local_settings, page_html, rss, site  # noqa: F401
from tests.test_feeds_newuser import _wait_for
from tests.test_stories import A, UNRELATED, copy_of
from tests.test_watch import coll, watcher  # noqa: F401

# --- 1. a date from the page's text yields to the feed's ----------------------------------------------

# story38.html of the report, shortened: no date element; two dates quoted in the body
MAUNA_LOA = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Mauna Loa lava flow creeps closer to Hawaii highway</title>{head}</head><body><main><article>
<h1>Mauna Loa lava flow creeps closer to Hawaii highway</h1><p class="byline">By Sam Okafor</p>
<p>As the world's largest active volcano spews molten rock in Hawaii, the lava flow is inching closer to a
major highway that serves as the shortest route between the east and west sides of the Big Island.</p>
<p>The flow front was about 2.4 miles from the Daniel K. Inouye Highway as of Saturday afternoon,
according to the US Geological Survey, and the highway remains open to traffic for now.</p>
<p>USGS #MaunaLoa morning update for Sat. 12/3/2022, 8:45 AM HST:</p>
<p>- As of 7 am, the Fissure 3 flow front was about 2.5 mi from Saddle Road, advancing at 40 feet per hour.
— USGS Volcanoes (@USGSVolcanoes) December 3, 2022</p>
<p>If the lava crosses the highway, it could add hours to residents' commutes by forcing alternate routes,
Hawaii Gov. David Ige told reporters on Saturday, calling it a tremendous inconvenience.</p>
</article></main></body></html>"""

FEED_DAY = date(2022, 12, 4)


def mauna_loa(head: str = "", lang: str = "en") -> str:
    return MAUNA_LOA.replace("{head}", head).replace('lang="en"', f'lang="{lang}"')


def test_the_report_s_page_reads_its_body_date_month_first_and_as_text() -> None:
    a = parse_html(mauna_loa(), "https://news.example/a/story38.html", "https://news.example/a/story38.html")
    # 3 December, as the page also writes it ("December 3, 2022"), not 12 March; and only a guess
    assert (a.published, a.extra.get("date_source")) == (date(2022, 12, 3), "text")


@pytest.mark.parametrize("lang, body_date, published", [
    ("en", "12/3/2022", date(2022, 12, 3)),      # US English: month first
    ("en-US", "12/3/2022", date(2022, 12, 3)),
    ("en-GB", "12/3/2022", date(2022, 3, 12)),   # British English: day first, as htmldate reads it
    ("de", "12.3.2022", date(2022, 3, 12)),      # dotted: day first
])
def test_an_all_numeric_body_date_follows_the_page_s_language(lang: str, body_date: str, published: date) -> None:
    page = mauna_loa(lang=lang).replace("12/3/2022", body_date).replace("December 3, 2022", "last weekend")
    a = parse_html(page, "x.html")
    assert (a.published, a.extra.get("date_source")) == (published, "text")


def sitemap(site: FeedSite, path: str) -> str:
    return site.put("/sitemap.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{site.base}{path}</loc><news:news><news:publication><news:name>Example</news:name>
<news:language>en</news:language></news:publication><news:publication_date>2022-12-04</news:publication_date>
<news:title>Mauna Loa lava flow creeps closer</news:title></news:news></url></urlset>""", "application/xml")


def one_rss_item(site: FeedSite, path: str) -> str:
    return site.put("/feed.xml", rss([{"title": "Mauna Loa lava flow creeps closer", "link": site.base + path,
                                       "guid": "ml", "pubDate": "Sun, 04 Dec 2022 12:00:00 +0000"}]),
                    "application/rss+xml")


@pytest.mark.parametrize("feed", [sitemap, one_rss_item], ids=["news-sitemap", "rss"])
def test_the_feed_s_date_replaces_a_date_from_the_page_s_text(site: FeedSite, tmp_path: Path, feed) -> None:  # noqa: ANN001, F811
    site.put("/a/story38.html", mauna_loa())
    [article] = iter_articles([feed(site, "/a/story38.html")], local_settings(tmp_path))
    assert isinstance(article, Article)
    assert (article.published, article.extra["date_source"]) == (FEED_DAY, "feed")  # was 2022-03-12


OWN_DAY = date(2022, 12, 2)  # the page's own date, two days before the feed's


@pytest.mark.parametrize("path, head, under_headline", [
    ("/a/meta.html", '<meta property="article:published_time" content="2022-12-02T10:00:00Z">', ""),
    ("/a/jsonld.html", '<script type="application/ld+json">{"@type": "NewsArticle", '
                       '"datePublished": "2022-12-02T10:00:00Z"}</script>', ""),
    ("/a/time.html", "", '<time datetime="2022-12-02">Friday</time>'),
    ("/2022/12/02/mauna-loa.html", '<link rel="canonical" href="https://news.example/2022/12/02/mauna-loa.html">', ""),
], ids=["meta", "json-ld", "time", "url"])
def test_a_date_the_page_states_as_data_still_wins(site: FeedSite, tmp_path: Path, path: str, head: str,  # noqa: F811
                                                   under_headline: str) -> None:
    site.put(path, mauna_loa(head).replace("</h1>", "</h1>" + under_headline))
    [article] = iter_articles([one_rss_item(site, path)], local_settings(tmp_path))
    assert isinstance(article, Article)
    assert article.published == OWN_DAY and article.extra["date_source"] != "feed", article.extra


def test_a_description_quoting_a_date_is_no_date_element() -> None:
    """<meta name="description"> is prose: a date quoted in it does not make the body's date metadata."""
    page = mauna_loa('<meta name="description" content="Update for Sat. 12/3/2022 from the USGS">')
    assert parse_html(page, "x.html").extra.get("date_source") == "text"


def test_with_feed_metadata_keeps_a_page_date_and_replaces_a_text_one() -> None:
    item = FeedItem("https://e.org/a", "k", "s", published=FEED_DAY)
    own = Article("https://e.org/a", title="T", text="Body.", published=date(2022, 12, 2), extra={"date_source": "htmldate"})
    guessed = Article("https://e.org/a", title="T", text="Body.", published=date(2022, 3, 12), extra={"date_source": "text"})
    assert with_feed_metadata(own, item).published == date(2022, 12, 2)
    assert with_feed_metadata(guessed, item).published == FEED_DAY


# --- 2. link-local and cloud metadata addresses are never fetched ------------------------------------

def allowed(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, allow_private_urls=True)


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.10.20:8080/",
    "http://[fe80::1]/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[::ffff:a9fe:a9fe]/",  # the same, written in hex
    "http://2852039166/",          # 169.254.169.254 as one decimal number
    "http://[fd00:ec2::254]/latest/meta-data/",  # AWS's IPv6 metadata service (a private address)
])
@pytest.mark.parametrize("allow", [True, False], ids=["private-allowed", "private-refused"])
def test_link_local_addresses_are_refused_even_with_private_urls_allowed(tmp_path: Path, url: str, allow: bool) -> None:
    # tests/conftest.py blocks any connection off loopback: a fetch that got past the guard fails otherwise
    with pytest.raises(InputError) as err:
        fetch_url(url, Settings(home=tmp_path, allow_private_urls=allow))
    assert err.value.item == url and err.value.code is None  # no setting allows it: no hint to set one
    assert "is never fetched, even with RAG_ALLOW_PRIVATE_URLS=1" in err.value.reason, err.value.reason
    assert "link-local" in err.value.reason or "cloud metadata" in err.value.reason


class _Redirect(BaseHTTPRequestHandler):
    """/go?u=URL answers 302 to URL (the report's server had such a route); /ok answers a page."""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path.startswith("/go?u="):
            self.send_response(302)
            self.send_header("Location", self.path[len("/go?u="):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body><p>ok</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def redirector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_redirect_to_the_metadata_address_is_refused_at_its_hop(redirector: str, tmp_path: Path) -> None:
    assert fetch_url(redirector + "/ok", allowed(tmp_path)).body  # 127.0.0.1 itself is allowed
    target = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(InputError) as err:
        fetch_url(f"{redirector}/go?u={target}", allowed(tmp_path))
    assert err.value.item == target and "never fetched" in err.value.reason


def test_a_feed_item_on_the_metadata_address_fails_alone_saying_why(site: FeedSite, tmp_path: Path) -> None:  # noqa: F811
    site.put("/news/ok", page_html("Storm floods coast", "A storm hit the coast on Sunday.\n\nShelters opened."))
    url = site.put("/feed.xml", rss([
        {"title": "Metadata", "link": "http://169.254.169.254/latest/meta-data/", "guid": "m"},
        {"title": "Storm floods coast", "link": site.base + "/news/ok", "guid": "ok"},
    ]), "application/rss+xml")
    results = list(iter_articles([url], local_settings(tmp_path)))
    [failure] = [r for r in results if isinstance(r, LoadFailure)]
    assert failure.item == "http://169.254.169.254/latest/meta-data/" and failure.code is None
    said = ingest_reason(ItemResult(failure.item, "failed", reason=failure.reason, code=failure.code))
    assert "never fetched, even with RAG_ALLOW_PRIVATE_URLS=1" in said and "set RAG_ALLOW_PRIVATE_URLS" not in said
    assert [r.title for r in results if isinstance(r, Article)] == ["Storm floods coast"]


def test_a_private_address_still_says_how_to_allow_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        fetch_url("http://0.0.0.0:9/", Settings(home=tmp_path))
    assert err.value.code == "private_address" and "it is an unspecified address" in err.value.reason  # was "a unspecified"


# --- 3. a stopped watch round counts the items the feed listed, and stores what it fetched ---------------

def test_a_round_stopped_before_any_page_came_counts_every_item_listed(site: FeedSite, watcher: Watcher) -> None:  # noqa: F811
    """The report's double Ctrl-C: both pages still being fetched. "0 item(s) listed" of 2."""
    for name in ("one", "two"):
        site.put(f"/news/{name}", page_html(f"Slow story {name}", "A slow page.\n\nIt takes its time."))
        site.routes[f"/news/{name}"].delay = 3.0
    url = site.put("/feed.xml", rss([{"title": f"Slow story {n}", "link": f"{site.base}/news/{n}", "guid": n}
                                     for n in ("one", "two")]), "application/rss+xml")
    stop = threading.Event()

    def ctrl_c() -> None:
        _wait_for(lambda: {"/news/one", "/news/two"} <= set(site.received))
        stop.set()

    threading.Thread(target=ctrl_c, daemon=True).start()
    started = time.monotonic()
    result = watcher.poll(url, stop=stop)
    assert time.monotonic() - started < 2.8  # the slow pages (3 s) were not waited for
    assert (result.fetched_items, len(result.not_stored), result.listed) == (0, 2, 2)
    line = _describe(result)
    assert "2 item(s) listed as new or changed in the feed; fetched: nothing stored" in line, line
    assert "not stored: 2 items (Slow story one; Slow story two)" in line


def test_an_interrupted_poll_counts_the_items_it_did_not_store() -> None:
    """A second Ctrl-C (``PollInterrupted``): one item stored, one not; 2 were listed."""
    left = FeedItem("https://e.org/b", "b", "s", title="Not yet")
    report = IngestReport((ItemResult("https://e.org/a", "added", "a1", "Stored"),), 0.1)
    result = PollResult("https://e.org/feed.xml", "ingested", 1, 1, report, not_stored=(left,))
    assert "2 item(s) listed as new or changed in the feed; fetched: 1 added" in _describe(result)


# --- 4. the ingest summary says which added articles joined a story already stored ---------------------

def test_the_summary_counts_the_articles_grouped_with_a_stored_story(coll, tmp_path: Path) -> None:  # noqa: ANN001, F811
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / "porthmere.txt").write_text(A)
    assert coll.ingest([str(tmp_path / "first")]).summary()["grouped"] == 0
    (tmp_path / "second").mkdir()
    (tmp_path / "second" / "wire-copy.txt").write_text(copy_of(A))
    (tmp_path / "second" / "orchestra.txt").write_text(UNRELATED)
    report = coll.ingest([str(tmp_path / "second")])
    summary = report.summary()
    assert (summary["added"], summary["grouped"]) == (2, 1), summary
    [copy] = [r for r in report.items if r.grouped]
    assert copy.item.endswith("wire-copy.txt") and copy.story_id == coll.db.by_source(
        str((tmp_path / "first" / "porthmere.txt").resolve())).id


def test_rag_ingest_of_a_sitemap_says_how_many_were_grouped(site: FeedSite, env: Settings,  # noqa: F811
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    paras = lambda text: "\n\n".join(text.split("\n\n")[1:])  # noqa: E731 - the body, under its own title
    site.put("/a/porthmere", page_html("Storm surge floods the harbour at Porthmere", paras(A)))
    site.put("/b/copy", page_html("Hundreds leave homes as sea floods Porthmere harbour", paras(copy_of(A))))
    site.put("/a/orchestra", page_html("City orchestra names new principal conductor", paras(UNRELATED)))
    first = run("ingest", site.base + "/a/porthmere")
    assert first.exit_code == 0 and "grouped" not in first.output, first.output
    url = site.put("/sitemap.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f"<url><loc>{site.base}/b/copy</loc></url><url><loc>{site.base}/a/orchestra</loc></url></urlset>",
                   "application/xml")
    got = run("ingest", url)
    assert got.exit_code == 0, got.output
    out = flat(got.output)
    # reworded for new user 30 ("grouped 2 added (1 grouped ...)" read as if both were): the count grouped, of the added
    assert f"grouped: 1 of the 2 added joins a story already stored: {site.base}/b/copy" in out, out


def test_a_watch_round_says_how_many_it_grouped() -> None:
    report = IngestReport((ItemResult("https://e.org/copy", "added", "c1", "Copy", story_id="a1"),
                           ItemResult("https://e.org/new", "added", "n1", "New", story_id="n1")), 0.1)
    result = PollResult("https://e.org/feed.xml", "ingested", 1, 2, report)
    assert "2 item(s) listed as new or changed in the feed; fetched: 2 added (1 grouped with a story already stored)" \
        in _describe(result)


def test_the_pages_ingest_results_say_how_many_it_grouped() -> None:
    from ui.render import ingest_html

    results = [ItemResult("copy.html", "added", "c1", "Copy", story_id="a1"),
               ItemResult("new.html", "added", "n1", "New", story_id="n1"),
               ItemResult("bad.html", "failed", reason="no text")]
    page = ingest_html(results, 3, 3)
    assert "3/3 items · 2 added (1 grouped with a story already stored) · 1 failed" in page, page
    alone = ingest_html(results[1:], 2, 2)  # none grouped: no words about it
    assert "2/2 items · 1 added · 1 failed" in alone and "grouped" not in alone, alone
