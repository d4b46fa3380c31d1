"""Recognise and read feeds (RSS, Atom, RDF) and sitemaps (news sitemaps, plain ones, sitemap indexes).

>>> from index.fetch import FetchedPage
>>> page = FetchedPage("https://example.org/feed.xml", "application/rss+xml", b'''<?xml version="1.0"?>
... <rss version="2.0"><channel><title>Example</title><item><title>Storm hits coast</title>
... <link>/news/storm</link><pubDate>Sun, 01 Dec 2024 08:00:00 GMT</pubDate></item></channel></rss>''', None)
>>> is_feed(page)
True
>>> [(i.link, i.title, str(i.published)) for i in parse_feed(page).items]
[('https://example.org/news/storm', 'Storm hits coast', '2024-12-01')]

Items come newest first, by their date (``newest_first``), whatever order the feed lists them in, so
``RAG_FEED_MAX_ITEMS`` keeps the newest. A feed that is not well-formed XML (cut short, something
appended) is read leniently when items can be read from it, with a problem saying so; when none can,
it is an error naming it.

A feed is read here and nothing is fetched here: ``index.load`` fetches the feed and each item's
page through ``index.fetch`` (SSRF guard, size and time caps), and ``index.watch`` polls. Each item
carries what the feed says about it (title, date, author) so a page lacking them can borrow them
(``with_feed_metadata``), a stable ``key`` (guid or link) and a ``stamp`` that changes when the
feed says the item changed (its updated date, else a hash of what the feed shows of it).

What an ingest tells about feeds without it being a failure (``FeedNotice``): a feed cut at
``RAG_FEED_MAX_ITEMS`` (``FeedCapped``, from ``feed_cap``) and a site's front page given instead of
the feed it advertises (``FrontPage``, from ``front_pages``, which looks at the page as it is
fetched: ``index.fetch.observing``).

Safety: feedparser is given the bytes as a stream (given a string or bytes it would open a file of
that name, or fetch a URL), and its SAX parser does not load external entities. Sitemaps are
parsed by lxml with entity resolution, DTD loading and network access off.
"""

from __future__ import annotations

import calendar
import dataclasses
import hashlib
import html
import io
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Literal
from urllib.parse import urljoin, urlsplit

from rag.errors import InputError
from index.fetch import FetchedPage, observing
from index.formats import HEADLINE_MAX, decode_bytes, derive_title, parse_date, shorten
from index.types import Article, LoadFailure
from index.userinfo import strip_userinfo

logger = logging.getLogger(__name__)

FeedKind = Literal["rss", "atom", "rdf", "sitemap", "sitemapindex"]

_XML_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/x-rss+xml", "application/feed+xml"}
# the root element after the XML declaration, processing instructions, comments and a DOCTYPE
_PROLOG = re.compile(rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_ROOTS: dict[bytes, FeedKind] = {b"rss": "rss", b"feed": "atom", b"RDF": "rdf", b"urlset": "sitemap",
                                 b"sitemapindex": "sitemapindex"}
_SNIFF = 4096
_TAG = re.compile(r"<[^>]{0,500}>")
# terminal escape sequences (CSI, OSC, other ESC-x), then any C0/C1 control or bidi override left:
# feed text is one line of plain text, and a title is shown in terminals, pages and answers
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]{0,500}(?:\x07|\x1b\\)?|[@-Z\\-_]?)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_GZIP = b"\x1f\x8b"
_GZIP_MAX = 50 * 1024 * 1024  # the sitemap protocol's limit on an uncompressed sitemap (sitemap.xml.gz)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/x-rss+xml",
               "application/feed+xml")  # (JSON Feed is not read)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed or sitemap: where its article is and what the feed says about it."""

    link: str  # absolute http(s) URL of the article page (or, in a sitemap index, of a child sitemap)
    key: str  # stable identity within the feed: the guid / Atom id, else the link
    stamp: str  # changes when the feed says the item changed (updated date, lastmod, else a hash)
    title: str | None = None
    published: date | None = None
    author: str | None = None


@dataclass(frozen=True)
class Feed:
    """A parsed feed. For ``kind == "sitemapindex"`` the items are child sitemaps, not articles."""

    url: str
    kind: FeedKind
    title: str | None
    items: tuple[FeedItem, ...]  # newest first (``newest_first``)
    # what was wrong with it, each saying why: a feed read leniently (not well-formed XML), entries
    # that could not be used (no link)
    problems: tuple[str, ...] = ()


def feed_kind(page: FetchedPage) -> FeedKind | None:
    """Which kind of feed or sitemap the page is, from its root element; None for anything else.

    The root element decides, not the content type: feeds are often served as text/html or
    text/plain, and an XHTML article as application/xml."""
    if page.content_type in ("application/pdf",) or page.body.startswith(b"%PDF-"):
        return None
    head = _gunzip(page.body, _SNIFF) if page.body.startswith(_GZIP) else page.body[:_SNIFF]
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            head = head[len(bom):]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: decode the sniffed part first
        head = decode_bytes(head).encode("utf-8", "replace")
    m = _ROOT.match(head, _PROLOG.match(head).end())
    if not m:
        return None
    return _ROOTS.get(m.group(2))


NOT_A_FEED = "is not a feed or sitemap"  # what ``parse_feed`` says of a page (``rag watch`` stops watching it)


def is_feed(page: FetchedPage) -> bool:
    return feed_kind(page) is not None


def is_page(page: FetchedPage) -> bool:
    """A page, not a feed: no feed or sitemap root, and not sent as a feed either (a feed's address
    whose body is broken is a malformed feed, polled again later). ``rag watch`` and the UI stop
    watching such a URL, or watch the feed it advertises (``advertised_feeds``)."""
    return not is_feed(page) and page.content_type not in FEED_TYPES


def parse_feed(page: FetchedPage) -> Feed:
    """Read a feed or sitemap page; raises InputError (naming the feed URL) when it cannot be read."""
    kind = feed_kind(page)
    if kind is not None and page.body.startswith(_GZIP):  # a sitemap.xml.gz, sent as a gzip file
        body = _gunzip(page.body, _GZIP_MAX + 1)
        if len(body) > _GZIP_MAX:
            raise InputError(page.final_url, f"is larger than {_GZIP_MAX // 2**20} MB uncompressed, the most a "
                                             "sitemap may be; check the URL")
        page = dataclasses.replace(page, body=body)
    if kind is None:
        sent = f"the server sent {page.content_type or 'no content type'} with no <rss>, <feed>, <urlset> or " \
               "<sitemapindex> root"
        if not is_page(page):  # a feed's address whose body is broken
            raise InputError(page.final_url, f"is a malformed feed ({sent}); check it opens in a feed reader")
        advertised = advertised_feeds(page)
        hint = f"; the page advertises the feed {advertised[0]}: use that" if advertised else "; check the URL"
        raise InputError(page.final_url, f"{NOT_A_FEED} ({sent}){hint}")
    if kind in ("sitemap", "sitemapindex"):
        return _parse_sitemap(page, kind)
    return _parse_syndication(page, kind)


def advertised_feeds(page: FetchedPage) -> list[str]:
    """The RSS/Atom feeds an HTML page advertises (``<link rel="alternate" type="application/rss+xml"
    href="...">``, as a browser or feed reader finds them), as absolute http(s) URLs in page order.

    >>> advertised_feeds(FetchedPage("https://example.org/news/", "text/html", b'''<html><head>
    ... <link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>''', None))
    ['https://example.org/feed.xml']
    """
    doc = _html_doc(page)
    return [] if doc is None else _advertised(doc, page.final_url)


_FRONT_PATHS = ("", "index.html", "index.htm", "index.php")


def front_page_feed(page: FetchedPage) -> str | None:
    """The feed a site's front page advertises, when ``page`` is a front page: ``rag ingest
    https://site/`` stores that page as one article, and the user most likely wanted the feed.

    Article pages advertise their site's feed too, so only a page at the site's root (or one that
    calls itself a ``website`` in ``og:type``) counts, and never one that says it is an article
    (``og:type`` article, ``article:published_time``). None otherwise.

    >>> front_page_feed(FetchedPage("https://example.org/", "text/html", b'''<html><head>
    ... <link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>''', None))
    'https://example.org/feed.xml'
    """
    doc = _html_doc(page)
    if doc is None:
        return None
    found = _advertised(doc, page.final_url)
    if not found:
        return None
    meta = {(m.get("property") or m.get("name") or "").strip().lower(): (m.get("content") or "").strip().lower()
            for m in doc.iter("meta")}
    if meta.get("og:type") == "article" or "article:published_time" in meta:
        return None
    root = urlsplit(page.final_url).path.strip("/").lower() in _FRONT_PATHS
    return found[0] if root or meta.get("og:type") == "website" else None


def _html_doc(page: FetchedPage):  # noqa: ANN202 - lxml.html.HtmlElement | None
    """The page parsed as HTML (lxml), or None when it is not HTML or cannot be parsed."""
    if "html" not in (page.content_type or "") and not page.body.lstrip()[:200].lower().startswith(
            (b"<!doctype html", b"<html")):
        return None
    from lxml import etree, html as lxml_html

    try:
        return lxml_html.document_fromstring(page.body)
    except (etree.ParserError, ValueError):
        return None


def _advertised(doc: object, base: str) -> list[str]:
    found: list[str] = []
    for link in doc.iter("link"):  # type: ignore[attr-defined]
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base, href).split("#", 1)[0]
            if urlsplit(url).scheme.lower() in ("http", "https") and url not in found:
                found.append(url)
    return found


# --- what an ingest tells about feeds, not failures ------------------------------------------------

@dataclass(frozen=True)
class FeedCapped:
    """A feed (or one sitemap of an index) lists more items than ``RAG_FEED_MAX_ITEMS``: the newest
    ``read`` were taken (``newest_first``), as the setting asks. Not a failure."""

    feed: str
    read: int
    listed: int

    def __str__(self) -> str:
        return (f"{self.feed}: ingested the newest {self.read} of {self.listed} items ({self.listed - self.read} "
                "older left out); raise RAG_FEED_MAX_ITEMS to take more")


@dataclass(frozen=True)
class FrontPage:
    """A URL given to ingest is a site's front page that advertises ``feed`` (``front_page_feed``):
    the page was ingested as one article, but the site's articles are in the feed."""

    page: str
    feed: str

    def __str__(self) -> str:
        return f"{self.page} is a front page that advertises the feed {self.feed}; ingest the feed for its articles"


FeedNotice = FeedCapped | FrontPage

def feed_cap(failure: LoadFailure) -> FeedCapped | None:
    """The note ``index.load`` yields for a feed longer than ``RAG_FEED_MAX_ITEMS`` (a LoadFailure of
    the feed's URL with ``capped`` set) as the notice it is; None for a real failure."""
    return FeedCapped(failure.item, *failure.capped) if failure.capped else None


_END = object()


def front_pages(stream: Iterable[Article | LoadFailure], urls: set[str]
                ) -> Iterator[Article | LoadFailure | FrontPage]:
    """``stream`` (``index.load.iter_articles``) with a ``FrontPage`` before the item of each of
    ``urls`` whose page, fetched while the stream loads it, is a site's front page advertising a
    feed (the ingest pipeline tells it, ``Indexer.ingest``). The page is looked at as it is fetched,
    so nothing is fetched twice; the pages of a feed's items are not (another thread fetches them,
    and they are not among ``urls``)."""
    told: set[str] = set()
    found: list[FrontPage] = []

    def look(url: str, page: FetchedPage) -> None:
        url = url.strip()
        if url in urls and url not in told:
            feed = front_page_feed(page)
            if feed:
                told.add(url)
                found.append(FrontPage(strip_userinfo(url), feed))

    items = iter(stream)
    try:
        while True:
            with observing(look):
                item = next(items, _END)
            yield from found
            found.clear()
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def with_feed_metadata(article: Article, item: FeedItem) -> Article:
    """The article with the feed's title, date and author where the page lacks them.

    The page's title counts as lacking when it was derived from the first sentence; its date when
    there is none or it was only guessed: from the page's text (``date_source == "text"``) or, for
    a PDF, from when the file was made (``"pdf_metadata"``)."""
    changes: dict[str, object] = {}
    if item.title and (not article.title or article.title == derive_title(article.text)):
        changes["title"] = shorten(item.title, HEADLINE_MAX)
    guessed = article.extra.get("date_source") in ("text", "pdf_metadata")
    if item.published and (article.published is None or guessed):
        changes["published"] = item.published
        changes["extra"] = {**article.extra, "date_source": "feed"}
    if item.author and not article.author:
        changes["author"] = item.author
    return dataclasses.replace(article, **changes) if changes else article  # type: ignore[arg-type]


# --- RSS / Atom / RDF ------------------------------------------------------------------------

def newest_first(items: Iterable[tuple[FeedItem, float | None]]) -> list[FeedItem]:
    """(item, its time as a timestamp or None) -> the items newest first. Dated items by their time
    (ties in feed order), then the undated ones in feed order: feeds are written newest first by
    convention, but many list the oldest first, and ``RAG_FEED_MAX_ITEMS`` must keep the newest."""
    listed = list(items)
    dated = sorted((p for p in listed if p[1] is not None), key=lambda p: -p[1])  # type: ignore[operator]
    return [i for i, _ in dated] + [i for i, when in listed if when is None]


def _instant(value: object) -> float | None:
    """A feed or sitemap date (feedparser's struct_time, a date, or W3C/ISO text) as a UTC timestamp."""
    if not value:
        return None
    if isinstance(value, date):  # a day read from words ("December 3, 2024"): its midnight
        return float(calendar.timegm(value.timetuple()))
    if not isinstance(value, str):
        try:
            return float(calendar.timegm(value))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        day = parse_date(value)
        return None if day is None else float(calendar.timegm(day.timetuple()))
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def _parse_syndication(page: FetchedPage, kind: FeedKind) -> Feed:
    import feedparser
    from feedparser.exceptions import ThingsNobodyCaresAboutButMe

    # An XML media type whatever the server said: given text/html or text/plain, feedparser skips
    # its XML parser for the lenient one, and a feed cut short was read without a word.
    headers = {"content-location": page.final_url, "content-type": "application/xml"}
    if page.encoding:
        headers["content-type"] += f"; charset={page.encoding}"
    parsed = feedparser.parse(io.BytesIO(page.body), response_headers=headers)
    items: list[tuple[FeedItem, float | None]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, entry in enumerate(parsed.entries, 1):
        link = _entry_link(entry, page.final_url)
        title = _plain(entry.get("title"))
        if not link:
            problems.append(f"item {n} ({title or 'untitled'}) has no http(s) link to an article; skipped")
            continue
        if link in seen:
            continue
        seen.add(link)
        when = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
        published = _struct_date(when) or _worded_date(entry)
        detail = entry.get("author_detail") or {}
        author = _plain(detail.get("name") or entry.get("author"))
        updated = entry.get("updated") or entry.get("published")
        stamp = updated or _digest(title, link, entry.get("summary"))
        key = str(entry.get("id") or link)
        item = FeedItem(link=link, key=key, stamp=str(stamp), title=title, published=published, author=author)
        items.append((item, _instant(when) if when else _instant(published)))
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and not isinstance(problem, ThingsNobodyCaresAboutButMe):  # not well-formed XML
        name = "Atom" if kind == "atom" else kind.upper()
        # one line of plain text (not _plain: "<unknown>:1:52" is no tag to strip)
        said = " ".join(_CONTROL.sub("", _ANSI.sub("", f"{type(problem).__name__}: {problem}")).split())
        if not items:  # nothing usable in it: an error, not an empty feed
            raise InputError(page.final_url, f"is a malformed {name} feed: no item could be read from it ({said}; "
                                             "cut short, or not a feed?); check it opens in a feed reader")
        # the items read are used (same for RSS and Atom); the user hears that some may be missing
        problems.insert(0, f"the {name} feed is malformed ({said}; cut short, or something appended?); read "
                           f"leniently: {len(items)} item(s) found, any after the break are missing")
    # a guid shared by several items (a CMS that gives each the site's address) identifies none of
    # them: those items are known by their links, or a watch would fetch all but one every round
    shared = {k for k, n in Counter(i.key for i, _ in items).items() if n > 1}
    ordered = newest_first((dataclasses.replace(i, key=i.link) if i.key in shared else i, when) for i, when in items)
    return Feed(page.final_url, kind, _plain(parsed.feed.get("title")), tuple(ordered), tuple(problems))


def _entry_link(entry: dict, base: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links") or () if link.get("rel", "alternate") == "alternate"]
    if entry.get("guidislink") or str(entry.get("id", "")).startswith(("http://", "https://")):
        candidates.append(entry.get("id"))
    for raw in candidates:
        if raw:
            url = urljoin(base, str(raw).strip())
            if urlsplit(url).scheme.lower() in ("http", "https"):
                return url
    return None


def _struct_date(value: object) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc).date()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _worded_date(entry: dict) -> date | None:
    """A date feedparser could not read but that names its month ("December 3, 2024", "Tuesday,
    December 3, 2024 - 10:00": common in hand-made feeds). All-numeric ones ("03/12/2024") stay
    unread: day and month order is a guess, and a wrong feed date would beat the page's own."""
    for field in ("published", "updated", "created"):
        raw = entry.get(field)
        if raw and re.search(r"[A-Za-z]{3}", str(raw)):
            found = parse_date(str(raw))
            if found:
                return found
    return None


# --- sitemaps ---------------------------------------------------------------------------------

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def _parse_sitemap(page: FetchedPage, kind: FeedKind) -> Feed:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, recover=True)
    try:
        root = etree.fromstring(page.body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(page.final_url, f"is a malformed sitemap ({exc}); check it opens in a browser") from exc
    if root is None:
        raise InputError(page.final_url, "is a malformed sitemap (no XML root element could be read); "
                                         "check it opens in a browser")
    child = "sitemap" if kind == "sitemapindex" else "url"
    items: list[tuple[FeedItem, float | None]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, node in enumerate(_children(root, child), 1):
        loc = _text(node, "loc", direct=True)
        url = urljoin(page.final_url, loc) if loc else ""
        if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
            problems.append(f"<{child}> {n} has no http(s) <loc>; skipped")
            continue
        if url in seen:
            continue
        seen.add(url)
        lastmod = _text(node, "lastmod", direct=True)
        news = next(iter(node.iter(f"{_NEWS}news", "news")), None)
        title = _plain(_text(news, "title")) if news is not None else None
        when = _text(news, "publication_date") if news is not None else None
        published = parse_date(when)
        stamp = lastmod or _digest(title, url, str(published or ""))
        items.append((FeedItem(link=url, key=url, stamp=stamp, title=title, published=published),
                      _instant(when) or _instant(lastmod)))
    return Feed(page.final_url, kind, None, tuple(newest_first(items)), tuple(problems))


def _children(root: object, name: str) -> list:
    return [el for el in root if isinstance(el.tag, str) and _local(el.tag) == name]  # type: ignore[attr-defined]


def _text(node: object, name: str, *, direct: bool = False) -> str | None:
    """Text of the first element called ``name`` (any namespace) below ``node``, or a direct child."""
    if node is None:
        return None
    for el in (node if direct else node.iter()):  # type: ignore[attr-defined]
        if isinstance(el.tag, str) and _local(el.tag) == name and el.text and el.text.strip():
            return el.text.strip()
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- helpers ------------------------------------------------------------------------------------

def _plain(value: object) -> str | None:
    """Feed text (a title may hold markup and entities) as one line of plain text."""
    if not value:
        return None
    text = html.unescape(_TAG.sub(" ", str(value)))
    text = " ".join(_CONTROL.sub("", _ANSI.sub("", text)).split())
    return text or None


def _gunzip(data: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of gzip ``data`` uncompressed (a cap, against a gzip bomb); what a
    truncated or corrupt stream gave before it broke."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data, limit)
    except zlib.error:
        return b""


def _digest(*parts: object) -> str:
    return "sha1:" + hashlib.sha1("\x1f".join(str(p or "") for p in parts).encode("utf-8")).hexdigest()
