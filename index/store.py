"""The read-only store seam: what retrieval and answering may ask of a stored collection.

A ``Store`` is the article database (texts, metadata, the BM25 lexical index, story groups) and the
vector store (Chroma, embedded or a server) seen together, read-only. Retrieval (``rag.retrieve``)
and the answerers only ever hold a ``Store``; everything that writes (ingest, reconcile, reindex,
remove) goes through ``index.pipeline.Indexer``, which holds the same ``Store`` and its write lock.
Another backend (a server-side article store, say) implements ``StoreReader`` and retrieval does
not change.

>>> from index.store import Store                  # doctest: +SKIP
>>> store = Store.open(settings, embedder)          # doctest: +SKIP
>>> store.dense(embedder(["rebels Aleppo"])[0], 5)  # doctest: +SKIP
[('3f2a...:0', 0.61), ...]
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, Self

import numpy as np

from index.db import ArticleDB, ArticleInfo, ChunkRow
from index.embed import Embedder, runtime_probe
from index.maintenance import active_collection, health, start_empty_store
from index.vectors import VectorStore
from rag.errors import StoreError
from rag.settings import Settings

log = logging.getLogger(__name__)


class StoreReader(Protocol):
    """What retrieval needs from a store: two searches, the chunks they name, and the filters."""

    settings: Settings

    def dense(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]: ...

    def lexical(self, query: str, k: int, article_ids: Sequence[str] | None = None) -> list[tuple[str, float]]: ...

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]: ...

    def article_ids(self, sources: Sequence[str], published_from: date | None,
                    published_to: date | None) -> list[str]: ...


class Store:
    """The article database and the vector store of one collection, opened for reading.

    An embedded Chroma client never sees vectors another process wrote after it was opened, so the
    vector store is reopened when the article database's SQLite ``data_version`` changes (every
    ingest commits there last)."""

    def __init__(self, settings: Settings, db: ArticleDB, vectors: VectorStore) -> None:
        self.settings = settings
        self.db = db
        self._vectors = vectors
        self._vectors_gen = db.data_version()
        self._gen_lock = threading.Lock()
        self._health: tuple[tuple[int, int], float, tuple[str, ...]] | None = None

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder, *, check_embedder: bool = True,
             repair: bool = False) -> Self:
        """Open (creating if needed) the stores for ``settings.collection``, checking that the
        vectors were built by ``embedder`` (``check_embedder=False`` only for ``reindex``).

        ``repair=True`` (``rag reindex``): an embedded Chroma directory that cannot be read is moved
        aside to ``chroma.corrupt-<time>`` and an empty one started, which the reindex then fills
        from the stored texts. The article database is never touched."""
        db = ArticleDB(settings.db_path)
        probe = runtime_probe(embedder)
        try:
            try:
                vectors = VectorStore(settings, embedder.name, check=check_embedder, dim=embedder.dim,
                                      name=active_collection(db, settings), **probe)
            except StoreError as exc:
                if not (repair and not settings.chroma_url):
                    raise
                start_empty_store(db, settings, exc)
                vectors = VectorStore(settings, embedder.name, check=check_embedder, dim=embedder.dim, **probe)
        except BaseException:
            db.close()
            raise
        return cls(settings, db, vectors)

    # --- the vector store, current with other processes' writes ---------------------------------
    @property
    def vectors(self) -> VectorStore:
        """The vector store, reopened first when another process wrote since it was opened."""
        v = self._vectors
        with self._gen_lock:
            gen = self.db.data_version()
            if gen != self._vectors_gen:
                self._vectors_gen = gen
                name = active_collection(self.db, self.settings)
                # an embedded client must be reopened to see new vectors; a server is always current,
                # but a reindex elsewhere may have swapped in another collection
                if v.embedded or name != v.name:
                    log.debug("another process wrote to the store: reopening the Chroma collection %s", name)
                    v.reopen(name)
        return v

    def replace_vectors(self, vectors: VectorStore) -> None:
        """Swap in another vector store (a reindex that built a new collection, or a repaired one)."""
        with self._gen_lock:
            self._vectors = vectors
            self._vectors_gen = self.db.data_version()

    @property
    def current_vectors(self) -> VectorStore:
        """The vector store as opened, without the reopen check (for the writer holding the lock)."""
        return self._vectors

    # --- reads: what retrieval and answering use -----------------------------------------------
    def dense(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """The ``k`` chunks nearest ``vector`` (cosine similarity, best first), within ``where``."""
        return self.vectors.query(vector, k, where)

    def lexical(self, query: str, k: int, article_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best BM25 chunks for ``query`` (best first), within ``article_ids`` if given."""
        return self.db.lexical(query, k, article_ids)

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """The stored chunks (text, spans, article metadata) for ``ids``; unknown ids are absent."""
        return self.db.chunks_by_ids(ids)

    def article_ids(self, sources: Sequence[str], published_from: date | None,
                    published_to: date | None) -> list[str]:
        """Ids of the articles whose source/URL contains one of ``sources`` and whose date is in range."""
        return self.db.filter_article_ids(sources, published_from, published_to)

    def article_text(self, article_id: str) -> str | None:
        return self.db.article_text(article_id)

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Lexical-index document frequencies (the offline answerer's IDF weights)."""
        return self.db.doc_freqs(terms)

    def n_lexical(self) -> int:
        return self.db.counts()["lexical"]

    def story_versions(self, story_id: str) -> list[tuple[str, str, str, str | None]]:
        """(article id, title, url or source, published) of each version of one story, earliest first."""
        return self.db.story_versions(story_id)

    def list_articles(self, search: str | None = None, limit: int = 200) -> list[ArticleInfo]:
        return self.db.list_articles(search, limit)

    def resolve(self, ref: str) -> str | None:
        """The article id for an id, id prefix or source (``rag remove``, ``GET /v1/articles/{id}``)."""
        return self.db.resolve(ref)

    def health(self) -> list[str]:
        """Warnings that make answers worse without failing them (chunks without vectors, an
        unfinished reindex); ``rag stats`` prints them and every ``Answer`` carries them."""
        return health(self)

    def health_notices(self, max_age: float = 10.0) -> tuple[str, ...]:
        """``health()`` cached until the database changes or ``max_age`` seconds pass (asked per question)."""
        key = self.db.change_key()
        now = time.monotonic()
        cached = self._health
        if cached is None or cached[0] != key or now - cached[1] > max_age:
            cached = self._health = (key, now, tuple(self.health()))
        return cached[2]

    def close(self) -> None:
        """Release the article database and the Chroma client (an embedded store's files)."""
        self._vectors.close()
        self.db.close()
