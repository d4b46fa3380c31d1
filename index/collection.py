"""A stored collection as a user holds it: a read-only ``Store`` and the ``Indexer`` that writes to
it, opened together with the one embedder that built (and queries) its vectors.

Retrieval and answering take ``collection.store``; ingest, remove and reindex go through
``collection.indexer``. The methods below are those two objects' own, forwarded so a script needs
one handle.

>>> from index.collection import Collection                # doctest: +SKIP
>>> with Collection.open() as coll:                         # doctest: +SKIP
...     coll.ingest(["seeds/"]).summary()
{'added': 1, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Self

from index.db import ArticleDB
from index.embed import Embedder, make_embedder
from index.pipeline import Counter, Indexer, Progress
from index.store import Store
from index.types import Article, IngestReport, ItemResult, LoadFailure
from index.vectors import VectorStore
from rag.settings import Settings, load_settings


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
    def ingest(self, inputs: str | Sequence[str], *, prune: bool = False, progress: Progress | None = None,
               reconcile_progress: Counter | None = None) -> IngestReport:
        """Ingest files, folders, URLs and dumps (a list, or one of them alone). Never raises for one
        bad item: see the report."""
        return self.indexer.ingest(inputs, prune=prune, progress=progress, reconcile_progress=reconcile_progress)

    def ingest_articles(self, articles: Iterable[Article | LoadFailure], *, progress: Progress | None = None,
                        prune_inputs: Sequence[str] | None = None,
                        reconcile_progress: Counter | None = None) -> IngestReport:
        return self.indexer.ingest_articles(articles, progress=progress, prune_inputs=prune_inputs,
                                            reconcile_progress=reconcile_progress)

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
