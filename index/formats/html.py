"""HTML pages: the main text via trafilatura (boilerplate removed), metadata from it and from
<title>/<meta>/<time>, and the publication date (``html_date``); a page that is no article
(paywall, cookie wall, player, directory listing) is refused (``index.formats.prose``).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from html.parser import HTMLParser

from index.formats.clean import clean_author, normalise, strip_controls
from index.formats.dates import _element_date, _written_with_day, parse_date
from index.formats.prose import _require_article, _require_whole
from index.formats.quiet import Quiet
from index.formats.titles import HEADLINE_MAX, derive_title, shorten
from index.types import Article
from rag.errors import InputError

logger = logging.getLogger(__name__)
_trafilatura_quiet = Quiet("trafilatura", logger)


class _PageScan(HTMLParser):
    """Stdlib fallback: <title>, <meta> tags, <time datetime> and the visible text of a page; and
    ``markup``, where the page states dates as data rather than prose (``_MarkupDates``); and the
    text of its bylines (an element of class or id "byline"/"author", rel or itemprop "author")."""

    _SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "header", "aside"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "blockquote", "pre", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self.times: list[str] = []
        self.parts: list[str] = []
        self.lang = ""  # <html lang>, lower case: how the page writes an all-numeric date (``_month_first``)
        self.markup = _MarkupDates()
        self.bylines: list[str] = []
        self._in_title = False
        self._skip = 0
        self._byline: list[str] = []  # the tags open in the byline being read, outermost first

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        self.markup.start(tag, a)
        if tag == "html" and not self.lang:
            self.lang = a.get("lang", "").strip().lower().replace("_", "-")
        if tag == "meta":
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"].strip()
        elif tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        elif tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        if self._byline or _BYLINE.search(" ".join(a.get(k, "") for k in ("class", "id", "rel", "itemprop"))):
            if tag not in _MarkupDates._VOID:
                self._byline.append(tag)
                self.bylines += [] if len(self._byline) > 1 else [""]

    def handle_endtag(self, tag: str) -> None:
        self.markup.end(tag)
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        if tag in self._byline:  # an end tag left out inside it (<p>) closes with the one around it
            del self._byline[len(self._byline) - 1 - self._byline[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.markup.data(data)
        if self._byline:
            self.bylines[-1] += data
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)


class _MarkupDates:
    """The places a page states its date as data, for a machine, rather than in its prose: <meta>
    content, a canonical link's URL, <abbr>/<time> attributes, any attribute named for a date
    (``datetime``, ``data-published``), JSON-LD, and the text of a <time> or of an element whose
    ``itemprop`` names a date. A date htmldate found that none of these states came from the page's
    visible text (htmldate searches it even with ``extensive_search=False``)."""

    _NAMED = re.compile(r"date|time|publish|modified", re.IGNORECASE)
    _VOID = {"meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "embed", "wbr"}  # no end tag

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._open: list[str] = []  # the dated elements (and JSON-LD scripts) being read, innermost last

    def start(self, tag: str, a: dict[str, str]) -> None:
        named = self._NAMED.search(a.get("name") or a.get("property") or a.get("itemprop") or "")
        if named:  # <meta name="date" content=...>, <span itemprop="datePublished" content=...>; not a description
            self.parts.append(a.get("content", ""))
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.parts.append(a.get("href", ""))
        self.parts += [v for k, v in a.items() if tag in ("abbr", "time") or self._NAMED.search(k)]
        json_ld = tag == "script" and "ld+json" in a.get("type", "").lower()
        if tag not in self._VOID and (json_ld or tag == "time" or (named and "itemprop" in a)):
            self._open.append(tag)

    def end(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def data(self, data: str) -> None:
        if self._open:
            self.parts.append(data)

    def text(self, url: str | None = None) -> str:
        return "\n".join(filter(None, [*self.parts, url or ""]))


_META_TITLE = ("og:title", "twitter:title", "headline", "dc.title")
_BYLINE = re.compile(r"byline|author", re.IGNORECASE)
_BYLINE_MAX = 200  # characters: an element longer is no byline (or one left open over the article)
_META_AUTHOR = ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
_META_DATE = ("article:published_time", "datepublished", "date", "pubdate", "publish-date", "dc.date",
              "dc.date.issued", "sailthru.date", "parsely-pub-date", "og:published_time")


def parse_html(raw: str, source: str, url: str | None = None) -> Article:
    """Main text via trafilatura (boilerplate removed); metadata from it, then from <title>/<meta>.

    The date comes from ``html_date`` (see there); ``extra["date_source"]`` says which rule found
    it, so a feed's own date can replace a mere guess (``index.feeds.with_feed_metadata``)."""
    from trafilatura import bare_extraction

    # escape sequences go before lxml sees the page: it drops an ESC and keeps the rest ("[31m")
    raw = strip_controls(raw)

    scan = _PageScan()
    try:
        scan.feed(raw)
        scan.close()
    except Exception as exc:  # html.parser is lenient, but never let metadata sink the article
        logger.debug("html scan of %s failed: %s", source, exc)
    with _trafilatura_quiet():  # "discarding data: None" for a page without text, beside our own reason
        doc = bare_extraction(raw, url=url, with_metadata=True, include_comments=False, include_tables=True)
    found = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    text = normalise(_unboxed(found.get("text") or "")) or normalise(scan.text())
    if not text:
        raise InputError(source, "no article text found in this HTML page (is it rendered by JavaScript?); "
                                 "save the article as text or PDF and add that instead")
    title = (found.get("title") or _first(scan.meta, _META_TITLE) or scan.title or "").strip()
    title = " ".join(title.split())
    if _LISTING.match(title):
        raise InputError(source, f"is a directory listing ({title!r}), not an article; add the files it lists")
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1:].lstrip()  # the headline is a field, not the first paragraph
    _require_article(text, raw, source)
    _require_whole(text, source, url)
    published, date_source = html_date(raw, scan, found.get("date"), url=url)
    author = clean_author(found.get("author")) or clean_author(_first(scan.meta, _META_AUTHOR))
    if found.get("author") and not author:  # "Published 15 May 2023 by Jo Lee": trafilatura kept "Published"
        bylines = (b for b in scan.bylines if len(b) <= _BYLINE_MAX and re.search(r"\bby\b", b, re.IGNORECASE))
        author = next(filter(None, map(clean_author, bylines)), None)
    return Article(source=source, title=shorten(title, HEADLINE_MAX) if title else derive_title(text),
                   text=text, author=author or None, published=published, url=url,
                   extra={"date_source": date_source} if date_source else {})


_LISTING = re.compile(r"(?:Index of|Directory listing for) /")  # Apache, nginx, python -m http.server


def _unboxed(text: str) -> str:
    """trafilatura's text with the borders of one-cell table rows taken off: a page laid out in a
    table ("| Published: ... The council voted ... |") is prose; a row of several cells ("| a | b |")
    is kept as it is."""
    out = []
    for line in text.split("\n"):
        m = re.fullmatch(r"\|\s*(.*?)\s*\|", line.strip())
        out.append(m.group(1) if m and " | " not in m.group(1) else line)
    return "\n".join(out)


#: ``date_source`` values, most to least trusted. "text" is a date found in the page's visible text
#: (htmldate's text patterns, or trafilatura's extensive search): often right, but a guess, which a
#: feed's or sitemap's date for the page replaces (``index.feeds.with_feed_metadata``; see ``html_date``).
DATE_SOURCES = ("htmldate", "meta", "time", "text")


def html_date(raw: str, scan: _PageScan, extracted: object = None, *, url: str | None = None
              ) -> tuple[date | None, str | None]:
    """The page's publication date and which rule found it.

    Order, measured on htmldate's labelled pages (adbar/htmldate tests/eval_mediacloud_2020.json,
    200 news pages, and tests/eval_default.json, 800 mixed pages; right / wrong / none):

    * htmldate with ``extensive_search=False, original_date=True``: 170/12/18 and 693/59/48
    * our <meta>/<time> rules alone: 115/5/80 and 477/46/277; after htmldate they added no page
      (kept: they are cheap, and read the <meta> names htmldate does not know)
    * trafilatura's date (htmldate's extensive text search), what this function replaced as the
      first rule: 176/19/5 and 724/71/5
    * this chain (htmldate, rules, then trafilatura's date): 178/17/5 and 726/70/4: more right and
      fewer wrong than before; the last step is marked "text" so a feed's date can override it.
    * with a day required (below): 178/14/8 and 726/66/8, the same right dates and 7 wrong ones
      fewer (all 7 were 1 January or a 1st from a copyright line, a bare year or a month; measured
      with and without the page's URL given to trafilatura, alike).

    htmldate without its extensive search still reads the visible text (numeric dates after
    "update", "posted", ...: 1.11's ``idiosyncrasies_search`` and timestamp patterns). Its date
    counts as the page's metadata ("htmldate") only when the markup states it (``_MarkupDates``:
    <meta>, JSON-LD, <time>, a date attribute, the page's URL); else it is "text", after our
    <meta>/<time> rules, and a feed's or sitemap's date replaces it. A page with no date element
    that quoted "update for Sat. 12/3/2022" was stored as 12 March 2022 although its sitemap and
    feed said 4 December (new user 20). htmldate reads such a date day first, with no setting to
    change it; ``_month_first`` reads it again.

    A date is taken only with its day, or at least its month from a real date element: htmldate's
    text search turns "© 2024" or any bare year into 2024-01-01 and "March 2024" into 2024-03-01,
    so a 1st from it counts only if the page writes that day (``_written_with_day``); htmldate's
    1 January from markup (itemprop=copyrightYear) likewise; a <meta>/<time> of a year alone is none.
    A month from markup (<time datetime="2024-03">) is stored as its 1st, as our own rules store it:
    htmldate hands it back with today's day of the month (dateutil's default).

    htmldate is given the HTML as a string and never a URL: a page whose whole body looks like a URL
    would make it download that URL, so such a body skips htmldate.
    """
    found = _htmldate(raw)
    if found and not _written_with_day(raw, found):
        if found.month == found.day == 1:
            found = None  # htmldate's reading of itemprop=copyrightYear: a year, not a date
        elif found.day == date.today().day:
            found = found.replace(day=1)  # a month ("2024-03"): dateutil gave it today's day
    found = found and _month_first(found, raw, scan.lang)
    meta = _element_date(_first(scan.meta, _META_DATE))
    stamped = [d for d in map(_element_date, scan.times) if d]
    if found and (found in (meta, *stamped) or _written_with_day(scan.markup.text(url), found)):
        return found, "htmldate"
    if meta:
        return meta, "meta"
    if stamped:
        return stamped[0], "time"
    if found:
        return found, "text"  # htmldate read it in the page's text
    guessed = parse_date(extracted)
    if guessed and (guessed.day != 1 or _written_with_day(raw, guessed)):
        return _month_first(guessed, raw, scan.lang), "text"
    return None, None


#: <html lang> values whose pages write an all-numeric date month first (or no lang given: parse_date's
#: reading, dateutil's, and US news's)
_MONTH_FIRST_LANGS = ("", "en", "en-us")


def _month_first(found: date, raw: str, lang: str) -> date:
    """``found`` or, when the page wrote it as an all-numeric date that htmldate read day first,
    its month-first reading: htmldate builds d/m/y dates from the text day first ("12/3/2022":
    12 March), a setting it does not have. The page's own words decide when it writes either
    reading in words or as ISO ("December 3, 2022" beside "12/3/2022"); else a slashed date on a
    page in US English, or of no stated language, is read month first, as ``parse_date`` reads one.

    >>> _month_first(date(2022, 3, 12), "<p>Update for Sat. 12/3/2022</p>", "")
    datetime.date(2022, 12, 3)
    >>> _month_first(date(2022, 3, 12), "<p>Update for Sat. 12/3/2022</p>", "en-gb")
    datetime.date(2022, 3, 12)
    """
    if found.day > 12 or found.day == found.month:
        return found  # read one way only
    swapped = date(found.year, found.day, found.month)
    if _written_with_day(raw, found, numeric=False):
        return found
    if _written_with_day(raw, swapped, numeric=False):
        return swapped
    y = found.year
    slashed = re.search(rf"(?<!\d)0?{found.day}/0?{found.month}/(?:{y}|{y % 100:02})(?!\d)", raw)
    return swapped if slashed and lang in _MONTH_FIRST_LANGS else found


def _htmldate(raw: str) -> date | None:
    if raw.startswith("http") and " " not in raw:  # htmldate would fetch it (htmldate.utils.load_html)
        return None
    from htmldate import find_date

    try:
        found = find_date(raw, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception as exc:  # a date is optional: a parser failure must not sink the article
        logger.debug("htmldate failed: %s", exc)
        return None
    try:
        return date.fromisoformat(found) if found else None
    except ValueError:
        return None


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((meta[k] for k in keys if meta.get(k)), None)
