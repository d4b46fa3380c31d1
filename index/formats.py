"""Per-format parsers for single documents (.txt, .md, .html, .pdf) and the text helpers they share.

Each parser takes the raw content plus the article's ``source`` and returns an ``Article``;
it raises ``InputError`` with a fixable reason when there is no article to be had.
The record dumps (.json/.jsonl/.csv) live in ``index.records``.

>>> a = parse_text(" date 2024-12-01 Storm hits coast\\n\\nA storm hit the coast.", "/x/a.txt")
>>> a.title, a.published.isoformat(), a.text
('Storm hits coast', '2024-12-01', 'A storm hit the coast.')
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser

from rag.errors import InputError
from index.types import Article

logger = logging.getLogger(__name__)

TITLE_MAX = 90  # derived titles (first sentence) are cut to about this many characters
HEADLINE_MAX = 150  # a first line longer than this is body text, not a headline

_DATE_PREFIX = re.compile(r"\A[ \t]*date[ \t]*:?[ \t]*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
_DATE_LINE = re.compile(r"\A[ \t]*(?:date|published)[ \t]*:[ \t]*([^\n]{4,60})(?:\n|\Z)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|\Z)")
_INNER_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z“\"']")


# --- text helpers --------------------------------------------------------------------------

def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text: BOM, then a declared charset, then UTF-8, cp1252, latin-1 (which never fails)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    for codec in ([declared] if declared else []) + ["utf-8", "cp1252", "latin-1"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


def normalise(text: str) -> str:
    """Newlines to \\n, no trailing spaces, at most two blank lines in a row, no outer whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


def parse_date(value: object) -> date | None:
    """A date from ISO dates/datetimes, RFC 2822, '1 December 2024', or a Unix timestamp; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds are common in dumps
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not _YEAR.search(text):  # dateutil would happily turn "5" into the 5th of this month
        return None
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(text, default=datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError, TypeError):
        logger.debug("unparseable date %r", text)
        return None


def derive_title(text: str) -> str:
    """The first sentence of the text, cut at a word boundary to about TITLE_MAX characters."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    end = _SENTENCE_END.search(first)
    sentence = first[: end.end()] if end else first
    return shorten(sentence, TITLE_MAX)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def split_date_prefix(text: str) -> tuple[date | None, str]:
    """Take a leading ``date YYYY-MM-DD`` prefix (rest of line kept) or ``Date: ...`` line off the text."""
    m = _DATE_PREFIX.match(text)
    if m:
        found = parse_date(m.group(1))
        if found:
            return found, text[m.end():].lstrip()
    m = _DATE_LINE.match(text)
    if m:
        found = parse_date(m.group(1))
        if found:
            return found, text[m.end():].lstrip()
    return None, text


def split_title(text: str) -> tuple[str, str]:
    """(title, body): a short headline-like first line becomes the title and leaves the body.

    Otherwise the title is derived from the first sentence and the text stays intact, so that
    nothing of an article whose first line is a sentence is lost.
    """
    first, _, rest = text.partition("\n")
    line, body = first.strip(), rest.strip()
    if line and body and len(line) <= HEADLINE_MAX and not _INNER_BOUNDARY.search(line):
        ends_like_sentence = line.endswith((".", ",", ";", ":"))
        followed_by_blank = rest.startswith("\n")
        if followed_by_blank or not ends_like_sentence:
            return shorten(line, HEADLINE_MAX), body
    return derive_title(text), text


def _require_text(text: str, item: str, what: str) -> None:
    if not text.strip():
        raise InputError(item, f"is empty: no text found in this {what}; remove it or add the article text")


# --- plain text and markdown --------------------------------------------------------------

def parse_text(raw: str, source: str, url: str | None = None) -> Article:
    text = normalise(raw)
    _require_text(text, source, "text file")
    published, text = split_date_prefix(text)
    _require_text(text, source, "text file")
    title, text = split_title(text)
    return Article(source=source, title=title, text=text, published=published, url=url)


def parse_markdown(raw: str, source: str, url: str | None = None) -> Article:
    meta, body = split_front_matter(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = normalise(body)
    _require_text(text, source, "markdown file")
    published = parse_date(meta.pop("date", None) or meta.pop("published", None))
    prefix_date, text = split_date_prefix(text)
    published = published or prefix_date
    title = meta.pop("title", "").strip()
    heading = re.match(r"\A#[ \t]+(.+?)[ \t#]*(?:\n|\Z)", text) or re.match(r"\A([^\n]+)\n=+[ \t]*(?:\n|\Z)", text)
    if heading and (not title or heading.group(1).strip() == title) and text[heading.end():].strip():
        title, text = title or heading.group(1).strip(), text[heading.end():].strip()
    elif not title:
        title, text = split_title(text)
    _require_text(text, source, "markdown file")
    author = meta.pop("author", None) or meta.pop("byline", None)
    url = meta.pop("url", None) or meta.pop("link", None) or url
    extra = {k: v for k, v in meta.items() if v and len(v) < 100}
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text, author=author or None,
                   published=published, url=url, extra=extra)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` delimited ``key: value`` lines at the very top -> (lower-cased keys -> values, rest)."""
    m = re.match(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-", "#")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
    return meta, text[m.end():]


# --- HTML ----------------------------------------------------------------------------------

class _PageScan(HTMLParser):
    """Stdlib fallback: <title>, <meta> tags, <time datetime> and the visible text of a page."""

    _SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "header", "aside"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "blockquote", "pre", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self.times: list[str] = []
        self.parts: list[str] = []
        self._in_title = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
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

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)


_META_TITLE = ("og:title", "twitter:title", "headline", "dc.title")
_META_AUTHOR = ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
_META_DATE = ("article:published_time", "datepublished", "date", "pubdate", "publish-date", "dc.date",
              "dc.date.issued", "sailthru.date", "parsely-pub-date", "og:published_time")


def parse_html(raw: str, source: str, url: str | None = None) -> Article:
    """Main text via trafilatura (boilerplate removed); metadata from it, then from <title>/<meta>.

    The date comes from ``html_date`` (see there); ``extra["date_source"]`` says which rule found
    it, so a feed's own date can replace a mere guess (``index.feeds.with_feed_metadata``)."""
    from trafilatura import bare_extraction

    scan = _PageScan()
    try:
        scan.feed(raw)
        scan.close()
    except Exception as exc:  # html.parser is lenient, but never let metadata sink the article
        logger.debug("html scan of %s failed: %s", source, exc)
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
    published, date_source = html_date(raw, scan, found.get("date"))
    author = found.get("author") or _first(scan.meta, _META_AUTHOR)
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


#: ``date_source`` values, most to least trusted. "text" is a date trafilatura found by searching the
#: page's text (htmldate's extensive search): often right, but a guess (see ``html_date``).
DATE_SOURCES = ("htmldate", "meta", "time", "text")


def html_date(raw: str, scan: _PageScan, extracted: object = None) -> tuple[date | None, str | None]:
    """The page's publication date and which rule found it.

    Order, measured on htmldate's labelled pages (adbar/htmldate tests/eval_mediacloud_2020.json,
    200 news pages, and tests/eval_default.json, 800 mixed pages; right / wrong / none):

    * htmldate, markup only (``extensive_search=False, original_date=True``): 170/12/18 and 693/59/48
    * our <meta>/<time> rules alone: 115/5/80 and 477/46/277; after htmldate they added no page
      (kept: they are cheap, and read the <meta> names htmldate does not know)
    * trafilatura's date (htmldate's extensive text search), what this function replaced as the
      first rule: 176/19/5 and 724/71/5
    * this chain (htmldate, rules, then trafilatura's date): 178/17/5 and 726/70/4: more right and
      fewer wrong than before; the last step is marked "text" so a feed's date can override it.

    htmldate is given the HTML as a string and never a URL: a page whose whole body looks like a URL
    would make it download that URL, so such a body skips htmldate.
    """
    found = _htmldate(raw)
    if found:
        return found, "htmldate"
    meta = parse_date(_first(scan.meta, _META_DATE))
    if meta:
        return meta, "meta"
    stamped = next(filter(None, map(parse_date, scan.times)), None)
    if stamped:
        return stamped, "time"
    guessed = parse_date(extracted)
    return (guessed, "text") if guessed else (None, None)


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


# --- PDF -----------------------------------------------------------------------------------

def parse_pdf(data: bytes, source: str, url: str | None = None) -> Article:
    """Text of every page; title from the PDF metadata (unless it is a file name) or the first line."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(source, "the PDF is password-protected; save an unprotected copy and add that")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(source, f"could not be read as a PDF ({type(exc).__name__}: {exc}); "
                                 "check it opens in a PDF viewer, or export the article as text") from exc
    text = normalise("\n\n".join(p.strip() for p in pages))
    if not text:
        raise InputError(source, "is empty: the PDF has no extractable text (a scanned image?); "
                                 "run OCR on it first or add the article as text")
    published, text = split_date_prefix(text)
    title = _meta_field(meta, "title")
    if not title or re.search(r"\.(docx?|pdf|odt|rtf|txt|indd)$|^untitled", title, re.IGNORECASE):
        first = text.split("\n", 1)[0].strip()
        title = first if len(first) <= HEADLINE_MAX else derive_title(text)
    if published is None:
        try:
            published = parse_date(meta.creation_date) if meta else None
        except Exception:  # malformed /CreationDate strings raise inside pypdf
            published = None
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text,
                   author=_meta_field(meta, "author"), published=published, url=url)


def _meta_field(meta: object, name: str) -> str | None:
    try:
        value = getattr(meta, name, None) if meta is not None else None
    except Exception:
        return None
    value = " ".join(str(value).split()) if value else ""
    return value or None
