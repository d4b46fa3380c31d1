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

from index.db import ArticleDB, ArticleInfo, ChunkRow, StoryVersion
from index.embed import Embedder, runtime_probe
from index.maintenance import active_collection, health, start_empty_store
from index.vectors import ForeignCollectionError, VectorStore, is_chroma_failure, make_client, ownership, store_error
from rag.errors import StoreError
from rag.settings import DEFAULT_COLLECTION, SHARED_DB, Settings, db_choice, own_db_name, used_by_key

log = logging.getLogger(__name__)



DENSE_OVERFETCH = 4  # nearest neighbours asked per one kept (``Store.dense``) ...
DENSE_DEEP_ENOUGH = 400  # ... up to this depth: a query this deep is kept whole (retrieval's filtered one, 10 x 40)

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
        db, client, created = open_article_db(settings, repair=repair)
        probe = runtime_probe(embedder)
        try:
            try:
                vectors = VectorStore(settings, embedder.name, client, check=check_embedder, dim=embedder.dim,
                                      name=active_collection(db, settings), owner=db, own_client=True, **probe)
            except StoreError as exc:
                if isinstance(exc, ForeignCollectionError) or not (repair and not settings.chroma_url):
                    raise
                start_empty_store(db, settings, exc)
                vectors = VectorStore(settings, embedder.name, check=check_embedder, dim=embedder.dim,
                                      owner=db, **probe)
        except BaseException as exc:
            db.close()
            if created and isinstance(exc, ForeignCollectionError):
                _discard_new(db.path)  # refused before anything was stored: leave no empty database behind
            raise
        if db.get_meta(used_by_key(settings.collection)) is None:  # written once: every write wakes readers
            db.set_meta(used_by_key(settings.collection), "1")
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
        """The ``k`` chunks nearest ``vector`` (cosine similarity, best first; ties by id), within ``where``.

        Chroma's HNSW index is approximate and each process loads it anew: over one store, the same
        query vector's 40 nearest differed between processes (a chunk at cosine 0.415 found in one, missed
        in the next; RealTime QA's "World Water Day" question was answered in one `rag eval` run and
        refused in another, as a candidate dated after its day came and went). ``DENSE_OVERFETCH`` times
        ``k`` are asked and the best ``k`` kept: the same 40 in every one of 5 processes, where asking
        for 40 or 80 gave two different sets (160 and 400 gave the same). No deeper than
        ``DENSE_DEEP_ENOUGH``: retrieval's filtered query already asks 400 to keep 40 (``rag.retrieve.scope``),
        and asking 1,600 cost it 5.3 ms for 2.2."""
        got = self.vectors.query(vector, max(k, min(k * DENSE_OVERFETCH, DENSE_DEEP_ENOUGH)), where)
        return sorted(got, key=lambda hit: (-hit[1], hit[0]))[:k]

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

    def story_versions(self, story_id: str) -> list[StoryVersion]:
        """Each version of one story, earliest first: its articles, and the exact copies kept as more
        sources of them (``StoryVersion.is_copy``; ``ArticleDB.story_versions``)."""
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


# --- which article database a collection name uses ----------------------------------------------
def open_article_db(settings: Settings, *, repair: bool = False) -> tuple[ArticleDB, object | None, bool]:
    """The article database of ``settings.collection`` (see ``Settings.db_path``), the Chroma client
    made to decide it (or None), and whether the database file was created just now.

    A name other than ``articles`` gets its own ``articles-<name>.sqlite3``, except when the shared
    ``articles.sqlite3`` is what it used before (every name shared it in earlier versions). When the
    files cannot tell (``db_choice`` is ``undecided``: the shared database holds chunks but has not
    seen this name), the vector store decides, once, and the answer is recorded:

    - the name's collection holds the shared database's vectors: it keeps the shared database;
    - else, when a collection of the shared database (the default's, or one it was used with) holds
      its vectors: those articles have their home, and this name starts its own database;
    - else no collection holds them (a RAG_HOME refused a server collection it shared with another
      and given another name; vectors lost): this name takes the shared database, so its articles
      stay reachable."""
    choice = db_choice(settings.home, settings.collection)
    if choice != "undecided":
        path = settings.home / (SHARED_DB if choice == "shared" else own_db_name(settings.collection))
        created = not path.exists()
        return ArticleDB(path), None, created
    shared = ArticleDB(settings.home / SHARED_DB)
    client = None
    try:
        use_shared = False
        if shared.has_chunks():
            try:
                client = make_client(settings)
                use_shared = _shared_db_is_yours(shared, client, settings)
            except StoreError:
                if not (repair and not settings.chroma_url):
                    raise
                # an unreadable embedded store (`rag reindex` repairs it): decide from the records alone
                use_shared = not shared.meta_keys("used_by:")
                client = _close_client(client)
        if use_shared:
            log.info("collection %r keeps the shared article database %s (an earlier version used it so)",
                     settings.collection, shared.path)
            return shared, client, False
        shared.close()
        path = settings.home / own_db_name(settings.collection)
        log.info("collection %r gets its own article database %s", settings.collection, path)
        created = not path.exists()
        return ArticleDB(path), client, created
    except BaseException:
        shared.close()
        _close_client(client)
        raise


def _shared_db_is_yours(shared: ArticleDB, client: object, settings: Settings) -> bool:
    name = settings.collection
    if _holds_vectors_of(client, name, shared, settings):
        return True  # an earlier version stored this name's vectors from the shared database
    homes = {DEFAULT_COLLECTION} | {k.removeprefix("used_by:") for k in shared.meta_keys("used_by:")}
    for other in sorted(homes - {name}):
        if _holds_vectors_of(client, shared.get_meta(f"collection:{other}") or other, shared, settings):
            return False  # the shared articles have their collection: this name is a new set
    return True


def _holds_vectors_of(client, name: str, db: ArticleDB, settings: Settings) -> bool:  # noqa: ANN001
    """Whether Chroma collection ``name`` exists and holds ``db``'s vectors (stamped with its store id,
    or made by an older version and holding only its chunks)."""
    from chromadb.errors import NotFoundError

    try:
        col = client.get_collection(name=name, embedding_function=None)
        return ownership(col, db) in ("ours", "free")
    except NotFoundError:
        return False
    except BaseException as exc:
        err = store_error(settings, name, exc, f"cannot read the Chroma collection {name!r}") \
            if is_chroma_failure(exc) else exc
        if err is exc:
            raise
        raise err from exc


def _close_client(client: object | None) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        try:
            close()
        except Exception as exc:  # noqa: BLE001
            log.debug("closing the Chroma client: %s", exc)


def _discard_new(path) -> None:  # noqa: ANN001 - a Path
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
