"""Article dumps: one article per record in .json, .jsonl and .csv/.tsv files.

Fields are matched case-insensitively, with common aliases (``body`` -> text, ``headline`` ->
title, ``published_at`` -> date, ``link`` -> url, ``byline`` -> author). A bad record becomes a
``LoadFailure`` naming the file and the record; the other records still load.

A record that is a question-answer case (a ``question`` field and no article text, as in an eval
suite such as ``seeds/suite.jsonl`` or a SQuAD file) is not an article and not a mistake either: it
comes out as a ``SkippedRecord`` so the loader can say once that the file was skipped, and why.

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
import io
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from index.formats import HEADLINE_MAX, derive_title, normalise, parse_date, shorten
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
        body = "\n\n".join(body)
    if not isinstance(body, str):
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
    title = _string(_pick(fields, "title"))
    author = _pick(fields, "author")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author if a)
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
                      text=text, author=_string(author), published=published, url=url, extra=extra)
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

