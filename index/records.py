"""Article dumps: one article per record in .json, .jsonl and .csv/.tsv files.

Fields are matched case-insensitively, with common aliases (``body`` -> text, ``headline`` ->
title, ``published_at`` -> date, ``link`` -> url, ``byline`` -> author). A bad record becomes a
``LoadFailure`` naming the file and the record; the other records still load.

A record that is a question-answer case (a ``question`` field and no article text, as in an eval
suite such as ``seeds/suite.jsonl`` or a SQuAD file) is not an article and not a mistake either: it
comes out as a ``SkippedRecord`` so the loader can say once that the file was skipped, and why.

A field that is HTML (a CMS export's body: ``<p>``, ``<br>``, ``<b>``, ``&amp;``) is read as text, its block
tags as paragraph breaks and its entities decoded (``from_html``); plain text that merely holds "<" or
"&" ("AT&T", "a < b") is kept as it is, byte for byte (its content hash, so a re-ingest finds it unchanged).

A dump's text is a news site's page, not cleaned by trafilatura: its related-story link lines
("More:Nikki Haley announces ...") and video player lines ("Video Ad Feedback ... 01:51 - Source: CNN")
are dropped (``index.formats.prose.drop_link_lines``). An all-numeric date that reads both ways
("03/12/2022") takes the day/month order the dump's unambiguous dates show (``_DumpDates``).

>>> out = list(iter_records("jsonl", '{"headline": "Hi", "body": "Hello there."}\\n{oops', "/d/a.jsonl"))
>>> out[0].title, out[1].reason.split(": ", 1)[1][:31]
('Hi', 'line 2 is not valid JSON (Expec')
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from html.entities import html5
from html.parser import HTMLParser
from typing import Any, Literal

from index.formats import HEADLINE_MAX, derive_title, normalise, parse_date, shorten
from index.formats.clean import clean_author
from index.formats.dates import day_month_order
from index.formats.prose import drop_link_lines
from index.types import Article, LoadFailure
from rag.text import UNSPACED_CHAR

logger = logging.getLogger(__name__)

ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "maintext"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "pubdate", "publish_date", "date_published"),
    "url": ("url", "link"),
    "author": ("author", "byline", "authors"),
}
_KNOWN = {alias for names in ALIASES.values() for alias in names}
_CONTAINERS = ("articles", "items", "records", "documents", "docs", "data", "results", "cases", "questions")
EXTRA_MAX = 100  # other short string fields are kept on Article.extra (category, section, ...)


@dataclass(frozen=True)
class SkippedRecord:
    """A record that is deliberately not loaded (a question-answer case); not a failure."""

    item: str
    reason: str


def is_qa_case(record: Any) -> bool:
    """A question-answer case rather than an article: a non-empty ``question`` and no article text
    (an eval suite's ``"article": "000_x.txt"`` names the gold article, it is not one), or a SQuAD
    entry (``qas``, or ``paragraphs`` holding them)."""
    if not isinstance(record, Mapping):
        return False
    fields = {str(k).strip().lower(): v for k, v in record.items()}
    if "qas" in fields or (isinstance(fields.get("paragraphs"), list)
                           and any(isinstance(p, Mapping) and "qas" in p for p in fields["paragraphs"])):
        return True
    question = fields.get("question")
    if not isinstance(question, str) or not question.strip():
        return False
    body = _pick(fields, "text")
    return not isinstance(body, str) or _is_reference(normalise(body))


def _is_reference(text: str) -> bool:
    """Empty, or one short word (a file name or id) where an article body should be."""
    return not text or (len(text) < 200 and not any(c.isspace() for c in text) and not UNSPACED_CHAR.search(text))


DateOrder = Literal["auto", "dmy", "mdy"]


def iter_records(kind: str, raw: str, base: str, *, date_order: DateOrder = "auto"
                 ) -> Iterator[Article | LoadFailure | SkippedRecord]:
    """Articles of a dump. ``kind`` is json, jsonl, csv or tsv; ``base`` is the file path or URL.

    ``date_order`` (``RAG_DATE_ORDER``) reads the dump's ambiguous all-numeric dates (03/12/2022)
    when none of its dates shows the order (``_DumpDates``). A record with such a date is held back
    until one does (then it and the records after it come out in order), or until the dump ends."""
    dates = _DumpDates(base, date_order)
    if kind == "jsonl":
        records = _iter_jsonl(raw, base, dates)
    elif kind == "json":
        records = _iter_json(raw, base, dates)
    else:
        records = _iter_csv(raw, base, "\t" if kind == "tsv" else None, dates)
    held: list[Article | LoadFailure | SkippedRecord | _Held] = []
    for result in records:
        if held or isinstance(result, _Held):
            held.append(result)
            if dates.shown is None:
                continue
        yield from (dates.settle(h) for h in held) if held else (result,)
        held.clear()
    yield from (dates.settle(h) for h in held)
    dates.tell()


@dataclass(frozen=True)
class _Held:
    """A record whose date reads both ways, waiting for the dump to show its order."""

    article: Article
    raw: str


class _DumpDates:
    """The day/month order of one dump's all-numeric dates. A date only one reading makes a date of
    shows it (25/12/2022: day first; 12/25/2022: month first); the first such date in the dump
    decides the ones that read both ways (03/12/2022), before it or after it. A dump that shows no
    order follows ``date_order`` (RAG_DATE_ORDER), and with "auto" is read month first (as before),
    with a warning naming the records; a dump that shows both orders gets a warning too."""

    def __init__(self, base: str, date_order: DateOrder) -> None:
        self.base, self.setting = base, date_order
        self.seen: dict[str, str] = {}  # "dmy"/"mdy" -> the first record showing it ("line 4: 25/12/2022")
        self.ambiguous: list[tuple[str, str]] = []  # (record, its date) of the dates that read both ways

    @property
    def shown(self) -> str | None:
        return next(iter(self.seen), None)

    def order(self) -> str:
        return self.shown or (self.setting if self.setting != "auto" else "mdy")

    def read(self, raw: Any, where: str) -> tuple[date | None, bool]:
        """(the date of ``raw``, whether it waits for the order: it reads both ways and none is shown)."""
        kind = day_month_order(raw)
        if kind in ("dmy", "mdy"):
            self.seen.setdefault(kind, f"{where}: {shorten(str(raw).strip(), 40)}")
        elif kind == "ambiguous":
            self.ambiguous.append((where, shorten(str(raw).strip(), 40)))
            if self.shown is None:
                return None, True
            return parse_date(raw, day_first=self.shown == "dmy"), False
        return parse_date(raw), False

    def settle(self, item: Article | LoadFailure | SkippedRecord | _Held) -> Article | LoadFailure | SkippedRecord:
        if not isinstance(item, _Held):
            return item
        return replace(item.article, published=parse_date(item.raw, day_first=self.order() == "dmy"))

    def tell(self) -> None:
        """Say how the dump's ambiguous dates were read, when the dump did not make it certain."""
        if not self.ambiguous:
            return
        order = self.order()
        words = "day first" if order == "dmy" else "month first"
        first = self.ambiguous[0][1]
        example = parse_date(first, day_first=order == "dmy")
        named = ", ".join(f"{where}: {raw}" for where, raw in self.ambiguous[:5]) + (
            f" and {len(self.ambiguous) - 5} more" if len(self.ambiguous) > 5 else "")
        read = f"read {words} ({first} as {example.day} {example:%B %Y})" if example else f"read {words}"
        if len(self.seen) > 1:
            logger.warning("%s: the dump writes dates both day first (%s) and month first (%s); its dates that "
                           "read either way (%s) were %s, as its first unambiguous date shows: check them, and "
                           "write dates as 2022-12-03 to make them certain", self.base, self.seen["dmy"],
                           self.seen["mdy"], named, read)
        elif self.shown and self.setting not in ("auto", self.shown):
            logger.warning("%s: RAG_DATE_ORDER=%s, but %s shows this dump writes its dates %s; its dates that "
                           "read either way (%s) were %s", self.base, self.setting, self.seen[self.shown],
                           words, named, read)
        elif self.shown:
            logger.info("%s: dates that read either way (%s) were %s, as %s shows", self.base, named, read,
                        self.seen[self.shown])
        elif self.setting != "auto":
            logger.info("%s: dates that read either way (%s) were %s (RAG_DATE_ORDER=%s)", self.base, named,
                        read, self.setting)
        else:
            one = len(self.ambiguous) == 1
            logger.warning("%s: %s a date that reads either way, day/month or month/day (%s), and no date in the "
                           "dump shows which; %s %s. If the dump writes the day first, set RAG_DATE_ORDER=dmy (or "
                           "write dates as 2022-12-03) and ingest it again", self.base,
                           "1 record has" if one else f"{len(self.ambiguous)} records have", named,
                           "it was" if one else "they were", read)


def _iter_jsonl(raw: str, base: str, dates: _DumpDates) -> Iterator[Article | LoadFailure | SkippedRecord | _Held]:
    for n, line in enumerate(raw.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _fail(base, n, f"{where} is not valid JSON ({exc.msg} at column {exc.colno}); "
                                 "fix or delete that line, the other lines were loaded")
            continue
        except RecursionError:
            yield _fail(base, n, f"{where} is nested too deeply to parse; fix or delete that line")
            continue
        yield _record(record, base, n, where, dates)


def _iter_json(raw: str, base: str, dates: _DumpDates) -> Iterator[Article | LoadFailure | SkippedRecord | _Held]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield LoadFailure(base, f"{base}: is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                                "fix the file (for one object per line name it .jsonl)")
        return
    except RecursionError:
        yield LoadFailure(base, f"{base}: the JSON is nested too deeply to parse; "
                                "write articles as a list of flat objects")
        return
    if isinstance(data, Mapping) and not _has_text(data):
        lists = [v for k, v in data.items() if str(k).lower() in _CONTAINERS and isinstance(v, list)]
        if lists:
            data = lists[0]
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records):
        yield _record(record, base, i, f"record at index {i}", dates)


def _iter_csv(raw: str, base: str, delimiter: str | None, dates: _DumpDates
              ) -> Iterator[Article | LoadFailure | SkippedRecord | _Held]:
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))  # long article bodies
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter)
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield LoadFailure(base, f"{base}: CSV error near line {reader.line_num} ({exc}); "
                                    "fix the quoting there, rows before it were loaded")
            return
        n += 1
        fields = {k: v for k, v in row.items() if k is not None}
        yield _record(fields, base, n, f"data row {n} (line {reader.line_num})", dates)


def _record(record: Any, base: str, n: int, where: str, dates: _DumpDates | None = None
            ) -> Article | LoadFailure | SkippedRecord | _Held:
    """One record -> Article, or a LoadFailure saying which record and what to change (a ``_Held``
    Article when its date waits for the dump's day/month order)."""
    if is_qa_case(record):
        return SkippedRecord(f"{base}#{n}", f"{where} is a question-answer case (an eval suite), not an article")
    if not isinstance(record, Mapping):
        return _fail(base, n, f"{where} is a JSON {type(record).__name__}, not an object; "
                              "write each article as an object with at least a 'text' field")
    fields = {str(k).strip().lower(): v for k, v in record.items()}
    body = _pick(fields, "text")
    if body is None and any(alias in fields for alias in ALIASES["text"]):
        body = ""
    if body is None:
        have = ", ".join(str(k) for k in record.keys()) or "none"
        return _fail(base, n, f"{where} has no text field (looked for {', '.join(ALIASES['text'])}); "
                              f"its fields are: {have}; rename the field holding the article body to 'text'")
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        markup = any(is_html(p) for p in body)
        body = "\n\n".join(from_html(p) for p in body)
    elif isinstance(body, str):
        markup = is_html(body)
        body = from_html(body)  # a CMS export's HTML body as text; plain text as it is
    else:
        return _fail(base, n, f"{where} has a text field of type {type(body).__name__}; make it a string")
    text = normalise(body)
    if not text:
        return _fail(base, n, f"{where} is empty: its text field has no text; fill it or remove the record")
    text, dropped = drop_link_lines(text)  # "More:Headline" links, "Video Ad Feedback ..." lines
    if dropped:
        logger.debug("%s: %s: dropped %d link or video line(s)", base, where, dropped)
    if _is_reference(text):
        # e.g. {"article": "000_x.txt"} in an eval suite: a reference to an article, not one
        return _fail(base, n, f"{where} has {text[:60]!r} as its text, a single word rather than an "
                              "article (a file name or id?); put the article body in a 'text' field")
    url = _string(_pick(fields, "url"))
    title = _html_line(_string(_pick(fields, "title")), markup)
    author = _pick(fields, "author")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author if a)
    author = clean_author(_html_line(_string(author), markup))  # "By Jane Smith" -> Jane Smith; "Published" -> none
    source = url or f"{base}#{n}"
    extra = {str(k): str(v).strip() for k, v in record.items()
             if str(k).strip().lower() not in _KNOWN and isinstance(v, (str, int, float))
             and not isinstance(v, bool) and 0 < len(str(v).strip()) < EXTRA_MAX}
    raw_date = _pick(fields, "date")
    published, waits = dates.read(raw_date, where) if dates is not None else (parse_date(raw_date), False)
    if published is None and raw_date is not None and not waits:
        # the article still loads (its text is what matters), but undated: say so, or its date is lost silently
        logger.warning("%s: %s has the date %r, which is not a date; it is stored undated (write dates "
                       "as 2024-11-25 or 25 November 2024)", base, where, shorten(str(raw_date), 60))
    article = Article(source=source, title=shorten(title, HEADLINE_MAX) if title else derive_title(text),
                      text=text, author=author, published=published, url=url, extra=extra)
    return _Held(article, str(raw_date).strip()) if waits else article


def _pick(fields: dict[str, Any], name: str) -> Any:
    for alias in ALIASES[name]:
        value = fields.get(alias)
        if value is not None and value != "":
            return value
    return None


def _has_text(record: Mapping[str, Any]) -> bool:
    return _pick({str(k).lower(): v for k, v in record.items()}, "text") is not None


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _fail(base: str, n: int, reason: str) -> LoadFailure:
    return LoadFailure(f"{base}#{n}", f"{base}: {reason}")



# --- HTML in a dump's fields (a CMS export's body) ---------------------------------------------------

#: the tags that make a field HTML: those a CMS body or headline is written with. A tag of another name
#: ("<int>" in "vector<int>", "<Name>") does not, nor "<" or "&" alone ("a < b", "AT&T").
_TAG_NAMES = ("p|br|div|span|b|i|u|s|em|strong|a|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|table|thead"
              "|tbody|tfoot|tr|td|th|caption|section|article|header|footer|aside|nav|main|script|style|noscript"
              "|iframe|hr|sup|sub|small|mark|cite|q|abbr|time|font|center|pre|code|dl|dt|dd|picture|source|video"
              "|audio|wbr|ins|del|big|tt|template|svg")
_HTML_TAG = re.compile(rf"</?(?P<name>{_TAG_NAMES})(?:\s[^<>]*)?/?>|<!--", re.IGNORECASE)
#: an entity written whole, with its semicolon: "&amp;", "&#8211;", "&#x2014;" ("AT&T" holds none)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: tags that end a paragraph (as ``index.formats.html``'s page scan reads them), and those whose text is no text
_BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "main",
                    "blockquote", "pre", "table", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "caption",
                    "header", "footer", "aside", "nav", "hr"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_PARAGRAPH = "\x00"  # a paragraph break while the text is built (a control character: none is left in data)


def is_html(text: str) -> bool:
    """Whether a dump field is HTML: it holds a tag a CMS writes with (``<p>``, ``<br/>``, ``<b>``, ``<a href>``).

    >>> is_html("<p>Verizon &amp; AT&amp;T said ...</p>"), is_html("AT&T said a < b"), is_html("std::vector<int>")
    (True, False, False)
    """
    return bool(_HTML_TAG.search(text))


def has_entity(text: str) -> bool:
    """Whether ``text`` holds an HTML entity written whole ("&amp;", "&#8211;"); "AT&T" and "&copy 2022" do not."""
    return any(_decoded(m) != m.group() for m in _ENTITY.finditer(text))


def decode_entities(text: str) -> str:
    """The entities written whole decoded, nothing else changed ("Dallas &amp; jobs" -> "Dallas & jobs";
    "AT&T" stays, and so does "&copy 2022", which only a browser reads as "© 2022")."""
    return _ENTITY.sub(_decoded, text)


def _decoded(m: re.Match[str]) -> str:
    entity = m.group()
    if entity[1] == "#":
        return html.unescape(entity)
    return html5.get(entity[1:], entity)


def from_html(text: str) -> str:
    """A dump field as text: HTML read as a browser shows it, else entities decoded, else ``text`` itself.

    HTML (``is_html``): tags go and their text stays (``<b>January</b>``); a block tag (``<p>``, ``<br>``,
    ``<div>``, ``<li>``, headings) ends a paragraph, and paragraphs are kept apart by a blank line, as a
    dump's plain bodies write them; a newline inside a paragraph is a space, but a blank line is a
    paragraph break all the same (a WordPress body writes paragraphs as blank lines, with <a> and
    <strong> in them); script and style go; entities are decoded. Without a block tag only the tags and
    entities go, the rest is kept as written. Plain text is returned as it is (so its content hash,
    and a re-ingest finds it unchanged).

    >>> from_html("<p>Verizon &amp; AT&amp;T said so.</p><p>The cuts start in <b>January</b>.</p>")
    'Verizon & AT&T said so.\\n\\nThe cuts start in January.'
    >>> from_html("AT&T said a < b."), from_html("Dallas &amp; jobs")
    ('AT&T said a < b.', 'Dallas & jobs')
    """
    if not is_html(text):
        return decode_entities(text) if has_entity(text) else text
    reader = _HtmlText(blocks=any((m["name"] or "").lower() in _BLOCK for m in _HTML_TAG.finditer(text)))
    try:
        reader.feed(text)
        reader.close()
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient; never lose the record to it
        logger.debug("reading a dump field as HTML failed (%s); its tags are stripped instead", exc)
        return decode_entities(_HTML_TAG.sub(" ", text))
    return reader.text()


def _html_line(value: str | None, markup: bool) -> str | None:
    """A title or byline: its entities decoded, and its tags gone when the record is HTML (``markup``: its
    text is) or the value itself is (it holds an entity). A headline of plain text keeps a "<b>" it holds
    as text (shown as written, never as markup), as ever."""
    if not value:
        return value
    if is_html(value) and (markup or has_entity(value)):
        return _string(from_html(value))
    return _string(decode_entities(value)) if has_entity(value) else value


class _HtmlText(HTMLParser):
    """The text of an HTML fragment (``from_html``); ``blocks``: it has block tags, so its whitespace is
    a browser's (a newline is a space); without them, its whitespace is kept as written."""

    def __init__(self, *, blocks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks = blocks
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append(_PARAGRAPH)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:  # <br/>, <hr/>
            self.parts.append(_PARAGRAPH)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCK:
            self.parts.append(_PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = data.replace(_PARAGRAPH, "")
        if self.blocks:
            data = re.sub(r"[^\S\n]*\n[^\S\n]*\n\s*", _PARAGRAPH, data)  # a blank line: a paragraph break
        self.parts.append(data)

    def text(self) -> str:
        text = "".join(self.parts)
        if not self.blocks:
            return text
        paragraphs = (" ".join(p.split()) for p in text.split(_PARAGRAPH))
        return "\n\n".join(p for p in paragraphs if p)
