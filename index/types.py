"""Typed records that cross the ingestion stage boundaries: load -> chunk -> embed -> store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
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


#: Why an item's result is not a plain one, in a word, for a client that acts on it (every surface
#: words it its own way: ``ItemResult``):
#:
#: - ``private_address`` (ingest, failed): the fetch guard refused a local or private address
#:   (``PRIVATE_OFF``); the RAG_ALLOW_PRIVATE_URLS setting allows them;
#: - ``shrunk`` (ingest, failed): the new version of a stored article is a stub of it (a paywall or
#:   error page: ``index.pipeline._shrunk``), so the stored one (``article_id``) is kept; it is
#:   replaced when ingested again with ``allow_shrink=True`` (``given``: what to ingest, a dump's
#:   record's dump), or removed and ingested again;
#: - ``prune_skipped`` (ingest, failed, item "--prune"): the vector store failed, so ``prune``
#:   removed nothing; an ingest with ``prune=True`` once the store answers does;
#: - ``not_found`` (remove, failed): no article has this id, id prefix or source;
#: - ``ambiguous`` (remove, failed): several article ids start with the prefix given;
#: - ``source_only`` (remove, removed): the source went, the article stays, held by ``kept_by`` (its
#:   other sources), and goes when it is removed by its id (``article_id``);
#: - ``store_failed`` (ingest, failed): the vector store failed mid-ingest (a Chroma server gone), so the
#:   item was not stored; nothing is wrong with it: the same ingest once the store answers stores it.
ResultCode = Literal["private_address", "shrunk", "prune_skipped", "not_found", "ambiguous", "source_only",
                     "store_failed"]

#: why the fetch guard (``index.fetch.check_address``) refuses a local or private address, in words
#: for no surface in particular: the setting is named, not how to set it (a UI or REST user cannot set
#: the server's environment). The refusal carries the code ``private_address`` (``InputError.code``,
#: then ``LoadFailure.code`` or ``index.watch.PollResult.code``), from which each edge adds its own way
#: on (the CLI "set RAG_ALLOW_PRIVATE_URLS=1", REST "on the server"); the sentence is never read back
#: for it. Kept here, with the records, as the words the codes stand beside.
PRIVATE_OFF = "local and private addresses are not fetched while the RAG_ALLOW_PRIVATE_URLS setting is off"


@dataclass(frozen=True)
class LoadFailure:
    """An input item that could not be read; ``reason`` says why and what to do, ``code`` (when a
    client may act on it: ``ResultCode``) why in a word, and becomes its ``ItemResult``'s."""

    item: str
    reason: str
    # (read, listed): not a failure but a feed cut at RAG_FEED_MAX_ITEMS, as the setting asks
    # (``index.feeds.feed_cap`` reads it as the notice it is)
    capped: tuple[int, int] | None = None
    code: ResultCode | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "item", redact_userinfo(self.item))
        object.__setattr__(self, "reason", redact_userinfo(self.reason))


@dataclass(frozen=True)
class Skipped:
    """A file a folder walk passed over because ingest does not read its type (``report.docx``,
    ``bundle.zip``), or because it is no file to read (a broken symbolic link, a named pipe:
    ``index.load.NOT_A_FILE``); ``reason`` says which and what to do. Not a failure: a folder of articles
    often holds other files. A file given by name is a ``LoadFailure`` instead (it was asked for)."""

    item: str
    reason: str


def same_text(article_id: str, source: str = "") -> str:
    """What a duplicate says of the stored article whose text it repeats (its ``ItemResult.reason``):
    the article named by its source, else by its id alone. Made from the fields each time (a surface
    names the source its own way: ``rag.service.twin_named``), never read back from the words.

    >>> same_text("0797", "/srv/news/a.txt"), same_text("0797")
    ('same text as /srv/news/a.txt (article 0797)', 'same text as article 0797')
    """
    # named by its source: "same text as article 3f2a..." left the user to look the id up
    return f"same text as {source} (article {article_id})" if source else f"same text as article {article_id}"


Status = Literal["added", "updated", "unchanged", "duplicate", "failed", "removed", "skipped"]
#: every status, in the order reports show them ("skipped": files a folder walk did not read)
STATUSES: tuple[Status, ...] = ("added", "updated", "unchanged", "duplicate", "removed", "failed", "skipped")


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input item (ingested or removed); what reports (CLI, UI, API) show, so
    never a URL's password.

    ``reason`` says why in words any surface can show, naming no command or endpoint (but for
    ``shrunk``, whose ``reason`` names the CLI's commands, as it always did, for callers that print
    only it). ``code`` says why in a word (``ResultCode``), for a client that acts on it: each surface
    words a result from it, adding its own way on (the CLI "`rag list`", REST "GET /v1/articles", the
    UI its Remove control). ``said`` is what a coded result said in words for no surface when
    ``reason`` is not that (``shrunk``; for ``prune_skipped`` both are it); ``given`` what to ingest
    again (``shrunk``); ``kept_by`` an article's other sources (``source_only``), or the stored one a
    duplicate repeats, the one its ``reason`` names (``duplicate``, with the article's id in
    ``article_id``: ``same_text``; none when the article has no source to name). The code is given
    where the result is made, from the failure that carries it (``LoadFailure.code``, a watched
    feed's ``PollResult.code``); it is never read back from the words.

    >>> refused = f"refusing to fetch 127.0.0.1: {PRIVATE_OFF}"
    >>> ItemResult("http://127.0.0.1/x", "failed", reason=refused).code is None  # the words alone carry none
    True
    >>> ItemResult("http://127.0.0.1/x", "failed", reason=refused, code="private_address").code
    'private_address'
    """

    item: str
    status: Status
    article_id: str | None = None
    title: str | None = None
    chunks: int = 0
    reason: str | None = None
    code: ResultCode | None = None
    said: str = ""
    given: str = ""
    kept_by: tuple[str, ...] = ()
    # the story an article stored (added, updated) belongs to (``index.stories``): its own id when it
    # starts one, else the id of the story's first article, stored before it (``grouped``)
    story_id: str | None = None

    @property
    def grouped(self) -> bool:
        """Whether the article was put in a story already stored: a near-copy (one wire story from
        another outlet, a retitled or trimmed version), shown once in answers with "also in"."""
        return self.story_id is not None and self.story_id != self.article_id

    def __post_init__(self) -> None:
        object.__setattr__(self, "item", redact_userinfo(self.item))
        object.__setattr__(self, "said", redact_userinfo(self.said))  # as ``item`` and ``reason`` are
        object.__setattr__(self, "given", redact_userinfo(self.given))
        object.__setattr__(self, "kept_by", tuple(redact_userinfo(s) for s in self.kept_by))
        if self.reason is not None:
            reason = redact_userinfo(self.reason)
            for named in dict.fromkeys((self.item, self.item.split("#")[0])):  # a dump's record: "x.jsonl#2"
                if reason.startswith(f"{named}: "):  # "failed a.html: a.html: looks like ...": named once
                    reason = reason[len(named) + 2 :]
                    break
            object.__setattr__(self, "reason", reason)

    def worded(self, hints: Mapping[str, str], quote: Callable[[str], str] = str) -> str | None:
        """This result's words for no surface (``said``, else ``reason``) followed by a surface's way on
        from its ``code``: ``hints[code]``, a template that may name ``{item}``, ``{given}`` (``item``
        when there is none) and ``{article_id}``, each put in through ``quote`` (the CLI quotes for a
        shell). A hint naming the article id is left out when there is none. None: nothing to say.
        Each surface keeps its hints and words every result through this (``rag.cli.ingest.ingest_reason``,
        ``rag.service.rest_reason``, ``ui.render.item_reason``).

        >>> r = ItemResult("b.txt", "removed", "8b11", reason="this source only", code="source_only")
        >>> r.worded({"source_only": "`rag remove {article_id}` removes it"})
        'this source only; `rag remove 8b11` removes it'
        >>> ItemResult("a.txt", "added", "8b11").worded({"source_only": "..."}) is None
        True
        """
        hint = hints.get(self.code) if self.code else None
        if hint and ("{article_id}" not in hint or self.article_id):
            hint = hint.format(item=quote(self.item), given=quote(self.given or self.item),
                               article_id=quote(self.article_id or ""))
        else:
            hint = None
        return "; ".join(part for part in (self.said or self.reason, hint) if part) or None


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
        """How many items of each status, and ``grouped``: how many of the added articles were put in
        a story already stored (``ItemResult.grouped``), a part of ``added``, not a status of its own.
        "15 added" of a sitemap said nothing of the 5 near-copies among them (new user 20).

        >>> IngestReport((ItemResult("a", "added", "a1", story_id="a1"),
        ...               ItemResult("b", "added", "b1", story_id="a1")), 0.1).summary()["grouped"]
        1
        """
        return {s: self.count(s) for s in STATUSES} | {"grouped": self.grouped}

    @property
    def grouped(self) -> int:
        """Added articles put in a story already stored (near-copies; see ``summary``)."""
        return sum(1 for i in self.items if i.status == "added" and i.grouped)


def grouped_words(summary: dict[str, int]) -> str:
    """What follows "N added" when some were near-copies of a story already stored, else "" (the CLI's
    ingest and watch, the UI's ingest results).

    >>> grouped_words({"added": 15, "grouped": 5}), grouped_words({"added": 15, "grouped": 0})
    (' (5 grouped with a story already stored)', '')
    """
    n = summary.get("grouped", 0)
    return f" ({n} grouped with a story already stored)" if n else ""
