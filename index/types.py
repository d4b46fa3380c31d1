"""Typed records that cross the ingestion stage boundaries: load -> chunk -> embed -> store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from index.userinfo import redact_userinfo, strip_userinfo


def content_hash(text: str) -> str:
    """Hash of the normalised article text: equal texts from two sources are one article."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def article_id_for(source: str) -> str:
    """Stable id derived from where the article first came from (path, URL, or dump#record)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """One article, normalised. ``text`` is the exact text chunk spans and quotes refer to."""

    source: str
    title: str
    text: str
    author: str | None = None
    published: date | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        # A URL's password must never be stored (sources, chunk metadata) nor shown; see index/userinfo.py.
        object.__setattr__(self, "source", strip_userinfo(self.source))
        if self.url is not None:
            object.__setattr__(self, "url", strip_userinfo(self.url))

    @property
    def id(self) -> str:
        return article_id_for(self.source)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class Chunk:
    """A token-bounded run of whole sentences of one article, with its char span in the article."""

    article_id: str
    version: str  # first hex digits of the article's content hash: a changed article gets new chunk ids
    n: int
    text: str
    start: int
    end: int
    tokens: int
    sentences: tuple[tuple[int, int], ...]  # sentence spans, article offsets

    @property
    def id(self) -> str:
        return f"{self.article_id}:{self.version}:{self.n}"


@dataclass(frozen=True)
class LoadFailure:
    """An input item that could not be read; ``reason`` says why and what to do."""

    item: str
    reason: str
    # (read, listed): not a failure but a feed cut at RAG_FEED_MAX_ITEMS, as the setting asks
    # (``index.feeds.feed_cap`` reads it as the notice it is)
    capped: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "item", redact_userinfo(self.item))
        object.__setattr__(self, "reason", redact_userinfo(self.reason))


@dataclass(frozen=True)
class Skipped:
    """A file a folder walk passed over because ingest does not read its type (``report.docx``,
    ``bundle.zip``); ``reason`` names the type and what to do. Not a failure: a folder of articles
    often holds other files. A file given by name is a ``LoadFailure`` instead (it was asked for)."""

    item: str
    reason: str


Status = Literal["added", "updated", "unchanged", "duplicate", "failed", "removed", "skipped"]
#: every status, in the order reports show them ("skipped": files a folder walk did not read)
STATUSES: tuple[Status, ...] = ("added", "updated", "unchanged", "duplicate", "removed", "failed", "skipped")


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input item; what reports (CLI, UI, API) show, so never a URL's password."""

    item: str
    status: Status
    article_id: str | None = None
    title: str | None = None
    chunks: int = 0
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "item", redact_userinfo(self.item))
        if self.reason is not None:
            reason = redact_userinfo(self.reason)
            for named in dict.fromkeys((self.item, self.item.split("#")[0])):  # a dump's record: "x.jsonl#2"
                if reason.startswith(f"{named}: "):  # "failed a.html: a.html: looks like ...": named once
                    reason = reason[len(named) + 2 :]
                    break
            object.__setattr__(self, "reason", reason)


@dataclass(frozen=True)
class IngestReport:
    items: tuple[ItemResult, ...]
    seconds: float
    # what the ingest tells that is no item's result: a feed cut at RAG_FEED_MAX_ITEMS, a front page
    # given instead of the feed it advertises (``index.feeds.FeedNotice``, as text)
    notices: tuple[str, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.status == "failed")

    @property
    def skipped(self) -> tuple[ItemResult, ...]:
        """Files found in the folders given whose type ingest does not read (``Skipped``)."""
        return tuple(i for i in self.items if i.status == "skipped")

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}
