"""The operations the REST API (``rag serve``) and the MCP server (``rag mcp``) expose, as plain functions.

Both servers are thin adapters over these: the answering goes through ``RAG.ask``/``RAG.stream``,
retrieval through ``rag.retrieve.retrieve`` exactly as ``RAG.stream`` calls it, and every write
through ``Collection.ingest``/``Collection.remove`` (which hold the store's file lock). Results are
JSON-ready dicts with the field names of the typed records (``Passage``, ``Citation``, ``Answer.to_dict``).

>>> from rag.service import SearchFilters
>>> SearchFilters(sources=["reuters"], since="2024-12-01").to_filters()
Filters(sources=('reuters',), published_from=datetime.date(2024, 12, 1), published_to=None, article_ids=())
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydField

from index.userinfo import redact_userinfo
from rag.errors import EmbedderMismatchError, InputError, RagError
from rag.notices import search_notices  # noqa: F401 - REST and MCP call service.search_notices
from index.types import IngestReport, ItemResult, same_text
from rag.types import Answer, Citation, Filters, Passage

if TYPE_CHECKING:
    from rag.api import RAG

log = logging.getLogger(__name__)

_URL = re.compile(r"^https?://", re.IGNORECASE)
_COPY_CHUNK = 1 << 20


# --- inputs ------------------------------------------------------------------------------------


class SearchFilters(BaseModel):
    """Filters as clients send them (REST body, MCP tool argument); unknown keys are refused so a
    typo cannot silently widen a search."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[str] = PydField(default_factory=list, description="substrings of the source, URL or title")
    since: date | str | None = PydField(
        None, description="published on or after this: a date (YYYY-MM-DD), a period counted back from as_of "
                          "(7d, 2w, 3m, 1y) or a question's time words read against as_of ('last week', "
                          "'yesterday', 'since March'), as `rag ask --since` takes")
    until: date | None = PydField(None, description="published on or before (YYYY-MM-DD)")
    article_ids: list[str] = PydField(default_factory=list, description="only these article ids")

    @field_validator("since", mode="before")
    @classmethod
    def _date_or_words(cls, value: object) -> object:
        """A date as a date; any other text is kept, to be read against ``as_of`` by ``to_filters``
        (a period "7d" or time words "last week": which week depends on ``as_of``, known only once the
        whole request is read); blank is no lower bound, as ``rag ask --since ""`` is."""
        if not isinstance(value, str):
            return value
        text = " ".join(value.split())
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return text

    @model_validator(mode="after")
    def _ordered(self) -> SearchFilters:
        if isinstance(self.since, date) and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}: no article can match; swap them")
        return self

    def to_filters(self, as_of: date | None = None) -> Filters:
        """The filters; a ``since`` given as text ("7d", "last week") is read as ``rag ask --since``
        reads it (``rag.brief.parse_since``, the one parser) against ``as_of`` (today when None), and
        then may not fall after ``until``; text it cannot read is ``UnreadableSince`` (REST: a 422
        naming ``filters.since``; MCP: a tool error).

        >>> SearchFilters(since="last week").to_filters(date(2024, 12, 3)).published_from
        datetime.date(2024, 11, 25)
        """
        since = self.since
        if isinstance(since, str):
            from rag.brief import parse_since

            try:
                since = parse_since(since, as_of or date.today())
            except InputError:
                raise UnreadableSince(since, as_of) from None
            if since and self.until and since > self.until:
                raise InputError("filters.since", f"{self.since} counts back from {as_of or date.today()} to {since}, "
                                                  f"after until {self.until}: no article can match; set as_of within "
                                                  "the period, or give since as a date")
        return Filters(
            sources=tuple(s.strip() for s in self.sources if s.strip()),
            published_from=since,
            published_to=self.until,
            article_ids=tuple(a.strip() for a in self.article_ids if a.strip()),
        )


#: what ``filters.since`` takes, as a bad value's error lists it: ``rag ask --since``'s three forms
SINCE_FORMS = ('a date (YYYY-MM-DD) nor a period (7d, 2w, 3m, 1y) nor a question\'s time words '
               '("last week", "yesterday", "since March")')


class UnreadableSince(InputError):
    """``filters.since`` is none of the forms ``rag ask --since`` takes (read against ``as_of``)."""

    def __init__(self, value: str, as_of: date | None) -> None:
        against = f"as_of {as_of}" if as_of else f"today ({date.today()})"
        super().__init__("filters.since", f"{value[:40]!r} is neither {SINCE_FORMS}, read against {against}")
        self.value = value


# --- records -> JSON ---------------------------------------------------------------------------
def passage_dict(p: Passage) -> dict[str, Any]:
    """A passage as ``rag ask --json`` prints it (without the internal sentence spans)."""
    d = asdict(p)
    d.pop("sentences", None)
    return d


def citation_dict(c: Citation) -> dict[str, Any]:
    """A citation with ``date`` beside ``published`` (agent clients look for a date)."""
    return asdict(c) | {"date": c.published}


def report_dict(report: IngestReport, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ingest report: summary counts, one row per item, seconds. ``rename`` maps server-side
    staging paths back to the names the client sent, so no server path is ever echoed."""
    def shown(s: str | None) -> str | None:
        for path, name in (rename or {}).items():
            if s:
                s = s.replace(path, name)
        return s

    items = [{k: getattr(i, k) for k in _ITEM_FIELDS} | {"item": shown(i.item), "reason": shown(rest_reason(i))}
             | ({"code": i.code} if i.code in _REPORT_CODES else {}) for i in report.items]
    return {"summary": report.summary(), "items": items, "seconds": round(report.seconds, 3),
            "notices": [shown(n) for n in report.notices]}


#: what REST adds to a result of a given ``code`` (``index.types.ResultCode``): the call that goes on
#: from it (``ItemResult.worded``). A refused private address: the setting is the server's, not the
#: client's. A 404 of a removal (``not_found``, ``ambiguous``) adds "GET /v1/articles lists them" itself.
REST_HINTS: dict[str, str] = {
    "shrunk": "to replace it anyway: DELETE /v1/articles/{article_id}, then send it again",
    "private_address": ("that setting is the server's: whoever runs the server can turn it on "
                        "(RAG_ALLOW_PRIVATE_URLS=1)"),
    "source_only": "DELETE /v1/articles/{article_id} removes it",
}

#: an item's fields in a report, as they always were; ``code`` is added for the codes in
#: ``_REPORT_CODES`` only (a client branches on it, not on the words)
_ITEM_FIELDS = ("item", "status", "article_id", "title", "chunks", "reason")
_REPORT_CODES = frozenset({"private_address"})


def rest_reason(item: ItemResult) -> str | None:
    """Why an ingest or remove item is what it is, with what a REST client does next: the result
    says why in words for no surface and in a word (``code``), and here the call that goes on from
    it is added (``REST_HINTS``).

    >>> rest_reason(ItemResult("a.txt", "failed", "8b11d0e9", code="shrunk", said="the stored version is kept"))
    'the stored version is kept; to replace it anyway: DELETE /v1/articles/8b11d0e9, then send it again'
    >>> rest_reason(ItemResult("a.txt", "removed", "8b11d0e9", code="source_only",
    ...                        reason="this source only: the article stays, also ingested from b.txt"))
    'this source only: the article stays, also ingested from b.txt; DELETE /v1/articles/8b11d0e9 removes it'
    """
    return item.worded(REST_HINTS)


def twin_named(item: ItemResult, name: Callable[[str], str]) -> ItemResult:
    """``item`` with the stored source a duplicate repeats (``kept_by``, stored as stored: a file by its
    server path) named by ``name`` (the UI by its file name, REST as ``client_source`` does); any other
    result, or a duplicate with no source to name, as it is. The words stay the pipeline's
    (``index.types.same_text``), made from the fields: the reason is never read back.

    >>> r = ItemResult("b.txt", "duplicate", "0797", reason="same text as /srv/news/a.txt (article 0797)",
    ...                kept_by=("/srv/news/a.txt",))
    >>> twin_named(r, lambda s: s.rsplit("/", 1)[-1]).reason
    'same text as a.txt (article 0797)'
    """
    if item.status != "duplicate" or not item.article_id or not item.kept_by:
        return item
    source = item.kept_by[0]
    shown = name(source)
    return item if shown == source else replace(item, reason=same_text(item.article_id, shown))


def client_source(rag: RAG, source: str) -> str:
    """A stored source as an ingest report names it to a client of a server: a URL as it is, an
    upload as ``uploads/<name>`` (``public``), and a file the server ingested itself (`rag ingest`
    PATH) by its file name only: where the server keeps its files is its business, and the article
    id beside it is what ``GET /v1/articles/{ref}`` takes.

    >>> import types; fake = types.SimpleNamespace(settings=types.SimpleNamespace(home=Path("/srv/rag")))
    >>> client_source(fake, "/home/ann/news/bridge.html"), client_source(fake, "https://example.org/a")
    ('bridge.html', 'https://example.org/a')
    >>> client_source(fake, "/srv/rag/uploads/story.txt")
    'uploads/story.txt'
    """
    if _URL.match(source):
        return source
    shown = public(rag, source)
    if shown != source:  # an upload: as every other response names it
        return shown
    return re.split(r"[/\\]", source)[-1] or source


def client_words(exc: RagError) -> tuple[str, str | None]:
    """A library error's message and fix as a client of a server (REST, MCP) reads them. The library
    words a remedy as it is run where the collection is stored; one only whoever runs the server can
    apply is said to be theirs (an embedder mismatch: `rag reindex` runs on the server, not in the
    client). Any other error as it is (a store error's "try again" is every surface's).

    >>> message, fix = client_words(EmbedderMismatchError("fake:a", "fake:b"))
    >>> message.startswith("the collection was built with embedder 'fake:a' but 'fake:b' is configured; whoever")
    True
    """
    if isinstance(exc, EmbedderMismatchError):
        fix = ("whoever runs the server can rebuild its collection from the stored article texts with "
               f"`rag reindex`, or set RAG_EMBEDDER back to match {exc.stored!r}")
        return f"{exc.said}; {fix}", fix
    return str(exc), exc.fix


def public(rag: RAG, obj: Any) -> Any:  # noqa: ANN401 - a response's JSON value
    """``obj`` (a response's dicts, lists and strings) with the server path of every staged upload
    written as ``uploads/<name>``, as REST and MCP show it: the client sent the file by name, and the
    folder the server keeps it in is the server's business (the chat UI shows file names only). A
    source field (``_SOURCE_KEYS``) naming a file the server ingested itself (`rag ingest PATH`) shows
    its file name only, as ``client_source`` does (new user 24 read ``/tmp/.../docs/ferry-copy.txt``
    in ``sources``). ``get_article``/``remove`` accept both forms back (``server_ref``)."""
    prefix = str(_uploads(rag)) + os.sep
    def walk(v: Any, key: str | None = None) -> Any:  # noqa: ANN401
        if isinstance(v, str):
            if key in _SOURCE_KEYS and os.path.isabs(v):
                return client_source(rag, v)
            return v.replace(prefix, UPLOADS) if prefix in v else v
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x, key) for x in v]
        return v
    return walk(obj)


#: the response fields that hold a stored source (an article's, a citation's, a passage's, a twin's)
_SOURCE_KEYS = frozenset({"source", "sources", "also_in", "kept_by"})


def server_ref(rag: RAG, ref: str) -> str:
    """An article reference as the client may send it: ``uploads/<name>`` (as ``public`` shows a
    staged upload) stands for its server path, and a file name ``public`` showed for a file the
    server ingested (``bridge.html``, a dump's ``news.jsonl#3``) for the one stored source of that
    name when no id, id prefix or source is it; anything else unchanged."""
    ref = ref.strip()
    if ref.startswith(UPLOADS) and len(ref) > len(UPLOADS):
        return str(_uploads(rag) / ref[len(UPLOADS):])
    db = rag.collection.db
    if ref and not re.search(r"[/\\]", ref) and db.resolve(ref) is None:
        named = db.sources_called(ref)
        return named[0] if len(named) == 1 else ref
    return ref


UPLOADS = "uploads/"


def _uploads(rag: RAG) -> Path:
    return (rag.settings.home / "uploads").resolve()


# --- operations --------------------------------------------------------------------------------
def search(rag: RAG, query: str, *, top_k: int | None = None, filters: Filters | None = None,
           as_of: date | None = None) -> tuple[Passage, ...]:
    """The passages ``rag.ask(query)`` would answer from (the same retrieval and reranking)."""
    query = query.strip()
    if not query:
        raise InputError("query", "is empty; send the words to search for")
    return rag.search(query, top_k=top_k, filters=filters, as_of=as_of)


def ask(rag: RAG, question: str, **options: Any) -> Answer:
    """``rag.ask(question, **options)``; an empty question is an error naming the field, as in the CLI."""
    if not question.strip():
        raise InputError("question", "is empty; ask a question about the articles")
    return rag.ask(question, **options)


def list_articles(rag: RAG, query: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Stored articles (newest first), optionally only those whose title/source contains ``query``."""
    arts = rag.collection.db.list_articles((query or "").strip() or None, limit)
    return [a.to_dict() for a in arts]


def unresolved(rag: RAG, ref: str) -> str:
    """Why ``get_article(ref)`` found nothing (several ids start with ``ref``, several stored files
    have that name, or none is it)."""
    ref = ref.strip()
    if ref and len(rag.collection.db.sources_called(ref)) > 1 and server_ref(rag, ref) == ref:
        return f"more than one stored file is named {ref!r}; give the article id"
    return rag.collection.db.unresolved(server_ref(rag, ref) if ref else "")


def get_article(rag: RAG, ref: str) -> dict[str, Any] | None:
    """One article with its full text, by id, unique id prefix or source; None when there is none."""
    db = rag.collection.db
    aid = db.resolve(server_ref(rag, ref)) if ref and ref.strip() else None
    if aid is None:
        return None
    info = next((a for a in db.list_articles(aid, 5) if a.id == aid), None)
    text = db.article_text(aid)
    if info is None or text is None:
        return None  # removed in between
    return asdict(info) | {"sources": list(info.sources), "text": text}


def in_given_order(given: Sequence[str | ItemResult], items: Sequence[ItemResult]) -> tuple[ItemResult, ...]:
    """``items`` (a collection's report, in the order of the inputs ingested: ``Indexer.ingest``) with
    the inputs refused before the ingest (the ``ItemResult``s among ``given``) put back where they were
    given. An item stays under the input before it when that input names it (the input itself, or a
    dump's record ``input#3``; a URL without its password, as reports name it) and no item of it had
    its name yet; else it starts the next input that names it, if one does: a feed's articles stay
    under their feed, and an input given twice is reported twice, each in its place.

    >>> from index.types import ItemResult as R
    >>> [r.item for r in in_given_order(["a", R("bad", "failed"), "b", "a"],
    ...                                  [R("a", "added"), R("b", "added"), R("a", "unchanged")])]
    ['a', 'bad', 'b', 'a']
    """
    inputs = [redact_userinfo(g) for g in given if isinstance(g, str)]
    under: list[list[ItemResult]] = [[] for _ in inputs]

    def names(item: ItemResult, j: int) -> bool:
        return item.item == inputs[j] or item.item.startswith(f"{inputs[j]}#")

    at, seen = -1, set[str]()  # the input the items go under, and the names of its items so far
    for item in items:
        if not (at >= 0 and names(item, at) and item.item not in seen):
            j = next((j for j in range(at + 1, len(inputs)) if names(item, j)), None)
            if j is not None or at < 0:
                at, seen = (j if j is not None else 0), set()
        seen.add(item.item)
        under[at].append(item)
    ingested = iter(under)
    return tuple(r for g in given for r in (next(ingested) if isinstance(g, str) else (g,)))


class Writer:
    """Serialises this process's writes (ingest, remove) so concurrent requests queue instead of
    failing on the store's file lock; another process's lock still raises ``StoreBusyError``."""

    def __init__(self, rag: RAG) -> None:
        self.rag = rag
        self._lock = threading.Lock()
        self.uploads = _uploads(rag)

    def ingest(self, urls: Sequence[str] = (), files: Iterable[tuple[str, BinaryIO]] = ()) -> dict[str, Any]:
        """Ingest URLs and uploaded files (``(filename, stream)``); returns the report dict.

        Uploads are staged as ``$RAG_HOME/uploads/<name>`` (the path the UI uses: the same name
        re-uploaded *updates* its article), ingested, then deleted. A file over RAG_MAX_FILE_MB,
        a bad name or a non-http(s) URL fails as one item; the rest of the batch goes on. The report
        lists the files, then the URLs, each where it was sent (a refused one too), with the articles
        of a feed or a dump under it (``in_given_order``)."""
        given: list[str | ItemResult] = []  # each input as sent: the path or URL ingested, or why it was not
        with self._lock:
            staged: dict[str, str] = {}  # server path -> client file name
            try:
                for name, stream in files:
                    try:
                        if str((self.uploads / _safe_name(name)).resolve()) in staged:
                            raise InputError(_safe_name(name), "was sent twice in this request; send each file once")
                        path = self._stage(name, stream)
                        staged[path] = _safe_name(name)
                        given.append(path)
                    except InputError as exc:
                        given.append(ItemResult(exc.item, "failed", reason=exc.reason))
                for u in urls:
                    u = (u or "").strip()
                    given.append(u if _URL.match(u) else ItemResult(u[:200], "failed", reason="not an http(s) URL"))
                inputs = [g for g in given if isinstance(g, str)]
                report = self.rag.collection.ingest(inputs) if inputs else IngestReport((), 0.0)
            finally:
                for path in staged:
                    Path(path).unlink(missing_ok=True)
        def named(source: str) -> str:  # a file of this request by the name the client sent it as
            return staged.get(source) or client_source(self.rag, source)

        items = tuple(twin_named(i, named) for i in in_given_order(given, report.items))
        # an earlier upload is named as every response names it (``uploads/<name>``), not by the server's folder
        return public(self.rag, report_dict(IngestReport(items, report.seconds, report.notices), staged))

    def _stage(self, name: str, stream: BinaryIO) -> str:
        safe = _safe_name(name)
        limit = int(self.rag.settings.max_file_mb * 1024 * 1024)
        self.uploads.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.uploads, prefix=".upload-", suffix=".part")
        try:
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_COPY_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InputError(safe, f"is over the {self.rag.settings.max_file_mb:g} MB limit; "
                                               "raise RAG_MAX_FILE_MB or split the file")
                    out.write(chunk)
            dest = self.uploads / safe
            os.replace(tmp, dest)
            return str(dest.resolve())
        finally:
            Path(tmp).unlink(missing_ok=True)

    def remove(self, ref: str) -> ItemResult:
        """Remove one article (id, unique id prefix or source)."""
        with self._lock:
            return self.rag.collection.remove([server_ref(self.rag, ref)])[0]


def _safe_name(name: str | None) -> str:
    """The client's file name without any directory part; refused when nothing usable is left."""
    base = Path((name or "").replace("\\", "/")).name.strip()
    if not base or base in {".", ".."} or base.startswith(".") or "\x00" in base:
        raise InputError(repr(name or "")[:80], "is not a usable file name; send the file with a name like story.txt")
    return base
