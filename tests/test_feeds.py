"""Feeds and sitemaps (index.feeds, index.load's feed branch), against a real http.server on 127.0.0.1.

``FeedSite`` serves a dict of routes and records every request with its headers; it answers
conditional requests with 304 like a real server, so ``tests/test_watch.py`` uses it too.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.feeds import FeedItem, feed_kind, parse_feed, with_feed_metadata
from index.fetch import FetchedPage, fetch_url
from index.load import iter_articles
from index.types import Article, LoadFailure
from rag.errors import InputError
from rag.settings import Settings

ARTICLE = (Path(__file__).parent / "data" / "load" / "article.html").read_bytes()


def page_html(title: str | None, body: str, *, published: str | None = None, author: str | None = None) -> bytes:
    """An article page; without ``title`` it has no <title>, <h1> or og:title (a bare page)."""
    head = f"<title>{title}</title>" if title else ""
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    if author:
        head += f'<meta name="author" content="{author}">'
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body><article>{paras}</article></body></html>".encode()


@dataclass
class Route:
    status: int
    ctype: str
    body: bytes
    validators: bool = True  # send ETag and Last-Modified, and answer 304 when they match
    delay: float = 0.0  # seconds before answering (a slow server)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class FeedSite:
    """Routes served on 127.0.0.1 (editable while running) and the requests they received."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    most_in_flight: int = 0  # most requests being answered at once
    received: list[str] = field(default_factory=list)  # paths as requests arrive (before a route's delay)

    def put(self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8", status: int = 200,
            validators: bool = True) -> str:
        self.routes[path] = Route(status, ctype, body.encode() if isinstance(body, str) else body, validators)
        return self.base + path

    def requests(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]


def _handler(site: FeedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            path = self.path.split("?")[0]
            route = site.routes.get(path)
            with site.lock:
                site.received.append(path)
                site.in_flight += 1
                site.most_in_flight = max(site.most_in_flight, site.in_flight)
            try:
                if route is not None and route.delay:
                    time.sleep(route.delay)
                self._answer(path, route)
            finally:
                with site.lock:
                    site.in_flight -= 1

        def _answer(self, path: str, route: Route | None) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            if route is None:
                status, extra, body, ctype = 404, {}, b"not here", "text/plain"
            else:
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                modified = formatdate(1_700_000_000 + len(route.body), usegmt=True)
                extra = {"ETag": etag, "Last-Modified": modified} if route.validators and route.status == 200 else {}
                fresh = route.validators and route.status == 200 and (
                    headers.get("if-none-match") == etag
                    or ("if-none-match" not in headers and headers.get("if-modified-since") == modified))
                status, body, ctype = (304, b"", "") if fresh else (route.status, route.body, route.ctype)
            with site.lock:
                site.hits.append(Hit(path, headers, status))
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            if status != 304:
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[FeedSite]:
    s = FeedSite()
    server = _Server(("127.0.0.1", 0), _handler(s))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield s
    server.shutdown()
    server.server_close()


def local_settings(tmp_path: Path, **overrides: object) -> Settings:
    """127.0.0.1 allowed, as in tests/test_fetch.py: the local server stands in for the internet."""
    return Settings(home=tmp_path / "home", collection=f"t{uuid.uuid4().hex[:12]}",
                    **{"allow_private_urls": True, **overrides})  # type: ignore[arg-type]


def rss(items: list[dict[str, str]], title: str = "Example News") -> str:
    parts = []
    for it in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in it.items())
        parts.append(f"<item>{fields}</item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{title}</title><link>http://example.org/</link>{''.join(parts)}</channel></rss>")


STORM = "A storm hit the northern coast on Sunday, flooding roads in three towns.\n\nOfficials opened shelters for 400 residents."
BRIDGE = "The old bridge closed for repairs on Monday after inspectors found cracks.\n\nTraffic was diverted through the centre."


def serve_news(site: FeedSite) -> None:
    site.put("/news/storm", page_html("Storm floods coast", STORM, published="2024-12-01T08:00:00Z", author="Ana Ruiz"))
    site.put("/news/bridge", page_html(None, BRIDGE))  # a bare page: no title, date or author of its own


def serve_index_missing_a_child(site: FeedSite) -> str:
    """A sitemap index of two sitemaps: /s1.xml lists the storm page, /s2.xml is a 404. Its URL."""
    serve_news(site)
    site.put("/s1.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/storm'
                        "</loc></url></urlset>", "application/xml")
    return site.put("/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    "<sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>",
                    "application/xml")


# --- recognising feeds --------------------------------------------------------------------------

@pytest.mark.parametrize("body, ctype, kind", [
    (b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel/></rss>', "text/xml", "rss"),
    (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "text/html", "atom"),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "application/xml", "rdf"),
    (b'<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
     "application/xml", "sitemap"),
    (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', "text/plain", "sitemapindex"),
    (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>', "application/xml", None),
    (ARTICLE, "text/html", None),
    (b"%PDF-1.4 <rss>", "application/pdf", None),
])
def test_feed_kind_by_root_element(body: bytes, ctype: str, kind: str | None) -> None:
    assert feed_kind(FetchedPage("https://e.org/x", ctype, body, None)) == kind


def test_parse_atom_resolves_links_and_reads_metadata() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
<entry><title type="html">Storm &lt;b&gt;floods&lt;/b&gt; coast</title><id>tag:e.org,2024:1</id>
<link rel="alternate" href="/news/storm"/><updated>2024-12-02T10:00:00Z</updated>
<published>2024-12-01T08:00:00Z</published><author><name>Ana Ruiz</name></author></entry>
<entry><title>No link here</title><id>tag:e.org,2024:2</id></entry>
</feed>"""
    feed = parse_feed(FetchedPage("https://e.org/feeds/atom.xml", "application/atom+xml", body, None))
    assert (feed.kind, feed.title) == ("atom", "Atom News")
    [item] = feed.items
    assert item == FeedItem(link="https://e.org/news/storm", key="tag:e.org,2024:1", stamp="2024-12-02T10:00:00Z",
                            title="Storm floods coast", published=date(2024, 12, 1), author="Ana Ruiz")
    assert feed.problems == ("item 2 (No link here) has no http(s) link to an article; skipped",)


def test_malformed_feed_is_an_error_naming_it() -> None:
    with pytest.raises(InputError, match=r"https://e.org/f.xml: is a malformed RSS feed"):
        parse_feed(FetchedPage("https://e.org/f.xml", "text/xml", b"<rss><channel><item><title>x</ti", None))


def test_sitemap_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>https://e.org/a?&x;</loc></url></urlset>").encode()
    feed = parse_feed(FetchedPage("https://e.org/sitemap.xml", "application/xml", body, None))
    assert "TOP-SECRET" not in repr(feed)


@pytest.mark.parametrize("root", ["rss", "urlset"])
def test_entity_expansion_bomb_is_not_expanded(root: str) -> None:
    """A billion-laughs DOCTYPE (10^10 characters if expanded) reads as a small feed or fails as
    malformed; it is never expanded (expat's amplification limit for feedparser, lxml without entities)."""
    ents = '<!ENTITY a0 "xxxxxxxxxx">' + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    if root == "rss":
        body = (f'<?xml version="1.0"?><!DOCTYPE rss [{ents}]><rss version="2.0"><channel><title>&a9;</title>'
                "<item><title>&a9;</title><link>https://e.org/a</link></item></channel></rss>")
    else:
        body = (f'<?xml version="1.0"?><!DOCTYPE urlset [{ents}]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                "<url><loc>https://e.org/&a9;</loc></url></urlset>")
    try:
        feed = parse_feed(FetchedPage("https://e.org/f.xml", "text/xml", body.encode(), None))
    except InputError as exc:
        assert "malformed" in exc.reason
        return
    assert len(repr(feed)) < 2000


def test_feed_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(b"/path/to/file") reads that file; the parser must hand it a stream instead
    from index.feeds import _parse_syndication

    secret = tmp_path / "feed.xml"
    secret.write_text('<rss version="2.0"><channel><item><link>https://leak.example/</link></item></channel></rss>')
    page = FetchedPage("https://e.org/f.xml", "text/xml", str(secret).encode(), None)
    with pytest.raises(InputError, match="malformed RSS feed"):
        _parse_syndication(page, "rss")


def test_feed_metadata_fills_only_what_the_page_lacks() -> None:
    item = FeedItem("https://e.org/a", "k", "s", title="Feed title", published=date(2024, 1, 2), author="Feed Author")
    bare = Article("https://e.org/a", title="The old bridge closed for repairs.", text="The old bridge closed for repairs. More.")
    filled = with_feed_metadata(bare, item)
    assert (filled.title, filled.published, filled.author) == ("Feed title", date(2024, 1, 2), "Feed Author")
    assert filled.extra["date_source"] == "feed"
    full = Article("https://e.org/a", title="Page title", text="Body text.", author="Page Author",
                   published=date(2023, 5, 6), extra={"date_source": "htmldate"})
    assert with_feed_metadata(full, item) == full
    guessed = Article("https://e.org/a", title="Page title", text="Body.", published=date(2020, 1, 1),
                      extra={"date_source": "text"})
    assert with_feed_metadata(guessed, item).published == date(2024, 1, 2)  # a text guess yields to the feed


# --- ingesting feeds through index.load -----------------------------------------------------------

def test_rss_ingest_fetches_each_item_and_fills_metadata(site: FeedSite, tmp_path: Path) -> None:
    serve_news(site)
    url = site.put("/feed.xml", rss([
        {"title": "Storm floods coast (feed)", "link": site.base + "/news/storm", "guid": "storm-1",
         "pubDate": "Sat, 30 Nov 2024 23:00:00 GMT", "dc:creator": "Feed Desk"},
        {"title": "Bridge closed for repairs", "link": "/news/bridge", "guid": "bridge-1",
         "pubDate": "Mon, 02 Dec 2024 07:00:00 GMT", "dc:creator": "Lee Chan"},
    ]), "application/rss+xml")
    bridge, storm = iter_articles([url], local_settings(tmp_path))  # newest first, whatever the feed's order
    assert isinstance(storm, Article) and isinstance(bridge, Article)
    # the page's own metadata wins
    assert (storm.source, storm.title, storm.published, storm.author) == (
        site.base + "/news/storm", "Storm floods coast", date(2024, 12, 1), "Ana Ruiz")
    # a bare page borrows the feed's title, date and author
    assert (bridge.source, bridge.title, bridge.published, bridge.author) == (
        site.base + "/news/bridge", "Bridge closed for repairs", date(2024, 12, 2), "Lee Chan")
    assert bridge.text.startswith("The old bridge closed")
    assert site.hits[0].path == "/feed.xml"  # then the items' pages, fetched a few at a time
    assert sorted(h.path for h in site.hits[1:]) == ["/news/bridge", "/news/storm"]


def test_atom_ingest(site: FeedSite, tmp_path: Path) -> None:
    serve_news(site)
    url = site.put("/atom.xml", f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x</id><updated>2024-12-02T00:00:00Z</updated>
<entry><title>Bridge shut</title><id>urn:bridge</id><link href="{site.base}/news/bridge"/>
<updated>2024-12-03T00:00:00Z</updated><author><name>Atom Author</name></author></entry>
</feed>""", "application/atom+xml")
    [bridge] = iter_articles([url], local_settings(tmp_path))
    assert isinstance(bridge, Article)
    assert (bridge.title, bridge.published, bridge.author) == ("Bridge shut", date(2024, 12, 3), "Atom Author")


def test_news_sitemap_and_sitemap_index(site: FeedSite, tmp_path: Path) -> None:
    serve_news(site)
    site.put("/sitemap-news.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{site.base}/news/bridge</loc><news:news><news:publication><news:name>Example</news:name>
<news:language>en</news:language></news:publication><news:publication_date>2024-12-04</news:publication_date>
<news:title>Bridge closes (news sitemap)</news:title></news:news></url>
</urlset>""", "application/xml")
    site.put("/sitemap-plain.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/storm</loc>
<lastmod>2024-12-05</lastmod></url></urlset>""", "text/xml")
    index = site.put("/sitemap.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.base}/sitemap-news.xml</loc></sitemap><sitemap><loc>/sitemap-plain.xml</loc></sitemap>
<sitemap><loc>{site.base}/sitemap-missing.xml</loc></sitemap></sitemapindex>""", "application/xml")
    results = list(iter_articles([index], local_settings(tmp_path)))
    by_source = {r.source: r for r in results if isinstance(r, Article)}
    bridge, storm = by_source[site.base + "/news/bridge"], by_source[site.base + "/news/storm"]
    assert (bridge.title, bridge.published) == ("Bridge closes (news sitemap)", date(2024, 12, 4))
    assert (storm.title, storm.published) == ("Storm floods coast", date(2024, 12, 1))  # lastmod is not a date of publication
    [missing] = [r for r in results if isinstance(r, LoadFailure)]
    assert missing.item == site.base + "/sitemap-missing.xml" and "HTTP 404" in missing.reason


def test_item_pages_are_fetched_a_few_at_a_time_and_kept_in_feed_order(site: FeedSite, tmp_path: Path) -> None:
    from index.load import FEED_FETCHES

    items = []
    for n in range(12):
        site.put(f"/news/{n}", page_html(f"Story {n}", f"Story number {n} happened on a weekday.\n\nMore about {n}."))
        items.append({"title": f"Story {n}", "link": f"/news/{n}"})
    site.routes["/news/0"].delay = 0.3  # the first page is slow: the others are fetched meanwhile
    url = site.put("/feed.xml", rss(items), "application/rss+xml")
    got = list(iter_articles([url], local_settings(tmp_path)))
    assert [a.title for a in got] == [f"Story {n}" for n in range(12)]
    assert 1 < site.most_in_flight <= FEED_FETCHES


def test_failing_items_fail_alone_and_name_their_url(site: FeedSite, tmp_path: Path) -> None:
    serve_news(site)
    url = site.put("/feed.xml", rss([
        {"title": "Gone", "link": site.base + "/news/gone"},
        {"title": "Storm", "link": site.base + "/news/storm"},
        {"title": "Another feed", "link": site.base + "/feed.xml"},
    ]), "application/rss+xml")
    gone, storm, loop = iter_articles([url], local_settings(tmp_path))
    assert isinstance(gone, LoadFailure) and gone.item == site.base + "/news/gone" and "HTTP 404" in gone.reason
    assert isinstance(storm, Article)
    assert isinstance(loop, LoadFailure) and "links to another feed" in loop.reason


def test_ssrf_guard_applies_to_feed_items(site: FeedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private addresses refused (the default) with 127.0.0.1 treated as public: an item on
    127.0.0.2 (loopback, i.e. private) fails, and only that item."""
    from index import fetch

    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    serve_news(site)
    port = site.base.rsplit(":", 1)[1]
    url = site.put("/feed.xml", rss([
        {"title": "Internal", "link": f"http://127.0.0.2:{port}/news/storm"},
        {"title": "Metadata", "link": "http://169.254.169.254/latest/meta-data/"},
        {"title": "Bridge", "link": site.base + "/news/bridge"},
    ]), "application/rss+xml")
    s = local_settings(tmp_path, allow_private_urls=False)
    internal, metadata, bridge = iter_articles([url], s)
    assert isinstance(internal, LoadFailure) and internal.item == f"http://127.0.0.2:{port}/news/storm"
    assert "refusing to fetch 127.0.0.2" in internal.reason
    assert isinstance(metadata, LoadFailure) and "link-local" in metadata.reason
    assert isinstance(bridge, Article)
    assert not site.requests("/news/storm")  # the refused item was never requested


def test_feed_itself_is_guarded(site: FeedSite, tmp_path: Path) -> None:
    url = site.put("/feed.xml", rss([]), "application/rss+xml")
    [failure] = iter_articles([url], Settings(home=tmp_path))
    assert isinstance(failure, LoadFailure) and "refusing to fetch 127.0.0.1" in failure.reason
    assert not site.hits


def test_feed_size_cap(site: FeedSite, tmp_path: Path) -> None:
    url = site.put("/feed.xml", rss([{"title": "x" * 200_000, "link": "/a"}]), "application/rss+xml")
    [failure] = iter_articles([url], local_settings(tmp_path, max_file_mb=0.1))
    assert isinstance(failure, LoadFailure) and "larger than the 0.1 MB limit" in failure.reason


def test_feed_item_cap_reads_the_first_items_and_says_so(site: FeedSite, tmp_path: Path) -> None:
    serve_news(site)
    url = site.put("/feed.xml", rss([{"title": "Storm", "link": site.base + "/news/storm", "guid": "s"},
                                     {"title": "Bridge", "link": site.base + "/news/bridge", "guid": "b"}]),
                   "application/rss+xml")
    got = list(iter_articles([url], local_settings(tmp_path, feed_max_items=1)))
    assert [type(x).__name__ for x in got] == ["LoadFailure", "Article"]
    assert "lists 2 items; read the first 1 (RAG_FEED_MAX_ITEMS)" in got[0].reason
    assert got[1].source == site.base + "/news/storm"
    assert [h.path for h in site.hits] == ["/feed.xml", "/news/storm"]  # the second page is never fetched


def test_conditional_fetch_gets_304(site: FeedSite, tmp_path: Path) -> None:
    url = site.put("/feed.xml", rss([]), "application/rss+xml")
    s = local_settings(tmp_path)
    first = fetch_url(url, s)
    assert first.etag and first.last_modified and not first.not_modified
    again = fetch_url(url, s, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert site.requests("/feed.xml")[-1].headers["if-none-match"] == first.etag
    assert site.requests("/feed.xml")[-1].status == 304


def test_htmldate_is_never_given_a_url(site: FeedSite, tmp_path: Path) -> None:
    """A page whose whole body is a URL must not make htmldate download it."""
    target = site.put("/secret", "x")
    site.put("/page.html", target, "text/html")
    list(iter_articles([site.base + "/page.html"], local_settings(tmp_path)))
    assert not site.requests("/secret")


def test_end_to_end_feed_ingest_into_collection(site: FeedSite, tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    from index.collection import Collection

    serve_news(site)
    url = site.put("/feed.xml", rss([{"title": "Storm", "link": "/news/storm"},
                                     {"title": "Bridge", "link": "/news/bridge"},
                                     {"title": "Gone", "link": "/news/gone"}]), "application/rss+xml")
    with Collection.open(local_settings(tmp_path), embedder=fake_embedder) as coll:
        report = coll.ingest([url])
        assert report.summary()["added"] == 2 and report.summary()["failed"] == 1
        assert report.failed[0].item == site.base + "/news/gone"
        assert coll.ingest([url]).summary()["unchanged"] == 2
