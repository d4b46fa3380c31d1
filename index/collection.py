"""A stored collection as a user holds it: a read-only ``Store`` and the ``Indexer`` that writes to
it, opened together with the one embedder that built (and queries) its vectors.

Retrieval and answering take ``collection.store``; ingest, remove and reindex go through
``collection.indexer``. The methods below are those two objects' own, forwarded so a script needs
one handle.

>>> from index.collection import Collection                # doctest: +SKIP
>>> with Collection.open() as coll:                         # doctest: +SKIP
...     coll.ingest(["seeds/"]).summary()
...     coll.ingest_text("The harbour of Kelso reopened on Monday after six weeks of repairs.",
...                      title="Kelso harbour reopens", published="2024-12-01").summary()
{'added': 1, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0, 'skipped': 0}
{'added': 1, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0, 'skipped': 0}
"""

from __future__ import annotations

import reprlib
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Self

from index.db import ArticleDB
from index.embed import Embedder, make_embedder
from index.pipeline import ChunksEmbedded, Counter, DetailedProgress, Indexer, Notices, Progress
from index.store import Store
from index.types import Article, IngestReport, ItemResult, LoadFailure, content_hash
from index.vectors import VectorStore
from rag.errors import InputError
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from index.load import DumpRead

__all__ = ["ChunksEmbedded", "Collection", "DetailedProgress", "Progress", "text_article"]


class Collection:
    """The stored collection: ``store`` (read), ``indexer`` (write) and their ``embedder``."""

    def __init__(self, store: Store, embedder: Embedder, *, repair: bool = False) -> None:
        self.store = store
        self.embedder = embedder
        self.indexer = Indexer(store, embedder, repair=repair)
        self.settings: Settings = store.settings

    @classmethod
    def open(cls, settings: Settings | None = None, *, embedder: Embedder | None = None,
             check_embedder: bool = True, repair: bool = False) -> Self:
        """Open (creating if needed) the collection in ``settings.home``; see ``Store.open`` for
        ``check_embedder`` (False only for ``reindex``) and ``repair`` (``rag reindex``)."""
        settings = settings or load_settings()
        embedder = embedder or make_embedder(settings)
        return cls(Store.open(settings, embedder, check_embedder=check_embedder, repair=repair), embedder,
                   repair=repair)

    @property
    def db(self) -> ArticleDB:
        return self.store.db

    @property
    def vectors(self) -> VectorStore:
        return self.store.vectors

    # --- writes (the Indexer) -------------------------------------------------------------------
    def ingest(
        self, inputs: str | Sequence[str], *, prune: bool = False, progress: Progress | DetailedProgress | None = None,
        reconcile_progress: Counter | None = None, stop: threading.Event | None = None,
        notice: Notices | None = None, allow_shrink: bool = False, chunk_updates: bool = False,
    ) -> IngestReport:
        """Ingest files, folders, URLs and dumps (a list, or one of them alone). Never raises for one
        bad item: see the report.

        - ``prune``: remove stored articles whose source under the folders given is gone.
        - ``progress(result)``: each item's ``ItemResult`` as it is settled (from worker threads).
        - ``chunk_updates``: ``progress`` also gets a ``ChunksEmbedded(item, title, done, total)``
          after each model batch that embedded some of an article's chunks, so a bar moves during
          one long article (off by default: a callback written for ``ItemResult`` never sees one).
        - ``reconcile_progress(done, total)``: chunks re-embedded first when Chroma lacks some.
        - ``stop``: a ``threading.Event``; once set, the batch being embedded is stored and the
          ingest returns its report (``rag ingest``'s first Ctrl-C).
        - ``notice``: gets what is no failure but worth saying (a feed cut at
          ``RAG_FEED_MAX_ITEMS``, a front page given instead of its feed); default: the log.
        - ``allow_shrink``: store a new version of an article even when it is a small part of the
          stored one (refused by default: it is usually a paywall or error page).

        >>> coll.ingest("news/", progress=lambda r: print(r.status, r.item))  # doctest: +SKIP
        added /home/me/news/kelso.txt
        """
        return self.indexer.ingest(inputs, prune=prune, progress=progress, reconcile_progress=reconcile_progress,
                                   stop=stop, notice=notice, allow_shrink=allow_shrink, chunk_updates=chunk_updates)

    def ingest_articles(
        self, articles: Iterable[Article | LoadFailure], *, progress: Progress | DetailedProgress | None = None,
        prune_inputs: Sequence[str] | None = None, reconcile_progress: Counter | None = None,
        stop: threading.Event | None = None, notice: Notices | None = None, allow_shrink: bool = False,
        chunk_updates: bool = False, dumps: Sequence[DumpRead] | None = None, stream_stops: bool = False,
    ) -> IngestReport:
        """Ingest already-built ``Article``s through the pipeline of ``ingest`` (same options);
        ``prune_inputs``: stored sources under these paths that were not among the articles are removed;
        ``dumps``: the local dumps read (``index.load.DumpRead``), whose records no longer held are pruned too;
        ``stream_stops``: ``articles`` ends by itself soon after ``stop`` (see ``Indexer.ingest_articles``)."""
        return self.indexer.ingest_articles(articles, progress=progress, prune_inputs=prune_inputs,
                                            reconcile_progress=reconcile_progress, stop=stop, notice=notice,
                                            allow_shrink=allow_shrink, chunk_updates=chunk_updates, dumps=dumps,
                                            stream_stops=stream_stops)

    def ingest_text(
        self, text: str, *, title: str | None = None, source: str | None = None, url: str | None = None,
        published: date | datetime | str | None = None, author: str | None = None,
        progress: Progress | DetailedProgress | None = None, allow_shrink: bool = False, chunk_updates: bool = False,
    ) -> IngestReport:
        """Ingest one article given as a string, as a ``.txt`` file of it would be read: the text
        is cleaned (control characters, hard-wrapped lines), a leading ``date YYYY-MM-DD`` line is
        its date, and without ``title`` a headline-like first line is the title (else the first
        sentence). Then the pipeline of files: unchanged, duplicate, the shrink guard
        (``allow_shrink``), chunking, embedding; ``progress`` and ``chunk_updates`` as in ``ingest``.

        ``source`` names the article (its id derives from it): ingesting other text under the same
        source is an update of that article, as for an edited file. By default it is ``url`` when
        given (a web article keeps its address, as dumps and feeds store it), else
        ``text:<hash of the text>``, so ingesting the same text again is ``unchanged``, and the
        same text under another source a ``duplicate``. ``published``: a ``date``, a ``datetime``
        (its day) or an ISO string (``"2024-12-01"``); it wins over a date line in the text.

        Arguments that cannot make an article raise ``InputError`` naming the argument and the
        fix (as ``ingest(None)`` raises rather than reporting): a ``text`` that is not a str or is
        empty, a ``published`` that is not a date, a ``url`` that is not an http(s) URL. What the
        pipeline refuses (a stub replacing a stored article) is a "failed" item of the report.

        >>> report = coll.ingest_text("Flooding closed the A1 near Kelso on Monday, police said.",  # doctest: +SKIP
        ...                           title="A1 closed by floods", author="Jo Reid", published="2024-12-01")
        >>> report.items[0].status                                                                  # doctest: +SKIP
        'added'
        """
        article = text_article(text, title=title, source=source, url=url, published=published, author=author)
        return self.ingest_articles([article], progress=progress, allow_shrink=allow_shrink,
                                    chunk_updates=chunk_updates)

    def ingest_documents(self, docs: Iterable[object], *, progress: Progress | None = None) -> IngestReport:
        return self.indexer.ingest_documents(docs, progress=progress)

    def remove(self, refs: Iterable[str]) -> list[ItemResult]:
        return self.indexer.remove(refs)

    def reindex(self, progress: Counter | None = None, rechunk_progress: Counter | None = None) -> int:
        return self.indexer.reindex(progress, rechunk_progress)

    def reconcile(self, progress: Counter | None = None) -> dict[str, int]:
        return self.indexer.reconcile(progress)

    # --- reads (the Store) ----------------------------------------------------------------------
    def health(self) -> list[str]:
        return self.store.health()

    def search_check(self) -> str | None:
        """A warning when vector search no longer finds stored passages (``rag stats``), else None."""
        from index.maintenance import search_check

        return search_check(self.store)

    def health_notices(self, max_age: float = 10.0) -> tuple[str, ...]:
        return self.store.health_notices(max_age)

    def stats(self) -> dict[str, int | str]:
        return self.db.counts() | {"vectors": self.vectors.count(), "embedder": self.embedder.name}

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- an article from a string (``Collection.ingest_text``) ----------------------------------------
_INGEST_TEXT = 'coll.ingest_text("Flooding closed the A1 near Kelso on Monday...", title="A1 closed")'
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60


def _got(value: object) -> str:
    """``value`` as an error message shows it: short, with its type."""
    return "None" if value is None else f"{type(value).__name__} {_repr.repr(value)}"


def text_article(text: object, *, title: object = None, source: object = None, url: object = None,
                 published: object = None, author: object = None) -> Article:
    """The ``Article`` of a string, read as ``index.formats.parse_text`` reads a ``.txt`` file, the
    arguments given winning over what the text says; ``InputError`` naming a bad argument (see
    ``Collection.ingest_text``)."""
    from index.formats import HEADLINE_MAX, normalise, parse_text, shorten, split_date_prefix, unwrap_lines
    from index.load import is_url

    if not isinstance(text, str):
        hint = "; decode it first, e.g. data.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""
        raise InputError("text", f"must be a str (the article's text), got {_got(text)}{hint}; e.g. {_INGEST_TEXT}")
    title_ = _optional_str(title, "title", 'title="A1 closed"')
    author_ = _optional_str(author, "author", 'author="Jo Reid"')
    url_ = _optional_str(url, "url", 'url="https://example.org/news/a1-closed"')
    if url_ is not None and not is_url(url_):
        raise InputError("url", f"must be an http(s) URL, got {_got(url)}; e.g. "
                                'url="https://example.org/news/a1-closed", or leave it out (source= names the text)')
    given = _optional_str(source, "source", 'source="newsroom:2024-12-01/a1-closed"', collapse=False)
    if source is not None and given is None:
        raise InputError("source", "is empty; give a name that stays the same for this article (e.g. "
                                   'source="newsroom:2024-12-01/a1-closed"), or leave it out to name it by its text')
    day = _day(published)
    src = given or url_ or f"text:{content_hash(text)[:16]}"
    if not normalise(text):
        raise InputError("text", f"is empty (nothing but whitespace or control characters); pass the article's "
                                 f"text, e.g. {_INGEST_TEXT}")
    try:
        parsed = parse_text(text, src, url_)
    except InputError as exc:  # "is empty: no text found": a date line and nothing else
        raise InputError("text", f"has no article text ({exc.reason}); pass the article's text after any "
                                 f"date line, e.g. {_INGEST_TEXT}") from None
    body = parsed.text
    if title_ is not None and title_ != parsed.title:
        # the first line, taken for a headline, is not the title given: it is the article's text
        body = split_date_prefix(unwrap_lines(normalise(text)))[1] or body
    return Article(source=src, title=shorten(title_, HEADLINE_MAX) if title_ else parsed.title, text=body,
                   author=author_, published=day or parsed.published, url=url_)


def _optional_str(value: object, name: str, example: str, *, collapse: bool = True) -> str | None:
    """``value`` stripped, its white space runs made one space unless not ``collapse`` (None when
    None or blank), or ``InputError`` naming ``name``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(name, f"must be a str or None, got {_got(value)}; e.g. {example}")
    return (" ".join(value.split()) if collapse else value.strip()) or None


def _day(value: object) -> date | None:
    """``published`` as a date: a ``date``, a ``datetime`` (its day) or an ISO string."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # type: ignore[return-value]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                day = parse(value.strip())
            except ValueError:
                continue
            return day.date() if isinstance(day, datetime) else day
    raise InputError("published", f"must be a date, a datetime or an ISO date string, got {_got(value)}; "
                                  'e.g. published=date(2024, 12, 1) or published="2024-12-01", or leave it out')
