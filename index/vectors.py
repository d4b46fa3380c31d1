"""Chroma as the vector store: embedded ``PersistentClient`` by default, ``HttpClient`` for a server.

We always hand Chroma our own vectors: its default embedding function downloads a model, so no
collection is ever created with it. The collection's metadata records which embedder built it;
opening it with another embedder is an ``EmbedderMismatchError`` naming the fix (``rag reindex``).

The name is the model's, not the runtime's (torch and ONNX builds of all-MiniLM-L6-v2 share it), so
the metadata also records the runtime and, with the first vectors, the embedder's ``fingerprint()``
(one fixed sentence embedded): opening with another runtime of the same model re-embeds that
sentence and refuses only when the vectors disagree (cosine < 0.99), so no needless reindex.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlparse

import numpy as np

from index.embed import decode_fingerprint, encode_fingerprint, fingerprints_agree
from rag.errors import EmbedderMismatchError, StoreError
from rag.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        u = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=u.hostname or "127.0.0.1",
                port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc}); start it "
                "(`chroma run --path DIR --host 127.0.0.1 --port 8000`) or unset RAG_CHROMA_URL to use the embedded store"
            ) from exc
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except BaseException as exc:  # e.g. InternalError "(code: 26) file is not a database"
        if not is_chroma_failure(exc):
            raise
        raise unreadable_store(settings, exc) from exc


def is_chroma_failure(exc: BaseException) -> bool:
    """An error from Chroma: any ``Exception``, and the Rust core's ``PanicException``, which derives
    from ``BaseException`` (a damaged chroma.sqlite3 panics while the client starts)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _store_failure(exc: BaseException) -> bool:
    """The store failed (as opposed to a bug in the caller): Chroma's own errors, a panic in its
    Rust core, a connection or HTTP error, an OS error."""
    import httpx
    from chromadb.errors import ChromaError

    return (isinstance(exc, (ChromaError, httpx.HTTPError, OSError, ConnectionError))
            or type(exc).__name__ == "PanicException")


def unreadable_store(settings: Settings, exc: BaseException) -> StoreError:
    """The embedded Chroma directory cannot be read: name it and the fix (the texts are safe in the db)."""
    return StoreError(
        f"the vector store {settings.chroma_path / 'chroma.sqlite3'} is unreadable ({type(exc).__name__}: {exc}); "
        f"run `rag reindex`: it moves {settings.chroma_path} aside and rebuilds the vectors from the stored "
        "article texts (no source is re-read)"
    )


class VectorStore:
    """One Chroma collection of chunk vectors, keyed by chunk id."""

    def __init__(
        self,
        settings: Settings,
        embedder_name: str,
        client: object | None = None,
        *,
        check: bool = True,
        dim: int | None = None,
        name: str | None = None,
        runtime: str | None = None,
        fingerprint: Callable[[], np.ndarray] | None = None,
    ) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.dim = dim or None  # 0 = not known yet (an OpenAI embedder learns it from its first reply)
        self.runtime = runtime  # e.g. "onnx-int8" or "torch": which build of the model makes the vectors
        self._fingerprint = fingerprint
        self._fp: np.ndarray | None = None
        self._stamped = fingerprint is None  # nothing to record without a fingerprint
        self.name = name or settings.collection  # a reindex to another embedder builds under a new name
        self.embedded = not settings.chroma_url
        self._check = check
        # an embedded store is reopened when another process wrote (see ``reopen``): queries and the
        # reopen hold this lock so no query runs on a client being closed
        self._lock: threading.RLock | contextlib.nullcontext = threading.RLock() if self.embedded else contextlib.nullcontext()
        self._own_client = client is None
        self.client = client or make_client(settings)
        try:
            self.collection = self._open(check)
        except BaseException:
            if client is None:
                self.close()  # do not keep an embedded store's files open behind an error
            raise

    def _metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {"embedder": self.embedder_name, "hnsw:space": "cosine"}
        if self.dim:
            meta["dim"] = self.dim
        if self.runtime:
            meta["embedder_runtime"] = self.runtime
        return meta

    @staticmethod
    def _modify_metadata(col, meta: dict) -> None:  # noqa: ANN001
        # Chroma replaces the whole dict, and refuses any "hnsw:space" in modify(), even unchanged
        col.modify(metadata={k: v for k, v in meta.items() if not k.startswith("hnsw:")})

    def fingerprint(self) -> np.ndarray:
        """The embedder's fingerprint, computed once (it embeds a sentence: loads the model)."""
        if self._fp is None:
            assert self._fingerprint is not None
            self._fp = self._fingerprint()
        return self._fp

    def _open(self, check: bool = True):
        try:
            col = self.client.get_or_create_collection(
                name=self.name, metadata=self._metadata(), embedding_function=None
            )
        except BaseException as exc:
            if not is_chroma_failure(exc):
                raise
            err = self._store_error(exc, f"cannot open the Chroma collection {self.name!r}")
            if err is exc:
                raise
            raise err from exc
        meta = col.metadata or {}
        stored, stored_dim = meta.get("embedder"), meta.get("dim")
        name_differs = bool(stored) and stored != self.embedder_name
        dim_differs = bool(stored_dim and self.dim) and int(stored_dim) != self.dim
        if name_differs or dim_differs:
            if col.count() == 0:
                self._modify_metadata(col, self._metadata())
            elif check:
                raise self._mismatch(stored or self.embedder_name, stored_dim, self.dim)
        elif check:
            self._check_runtime(meta)
        return col

    def _check_runtime(self, meta: dict) -> None:
        """Same model, another runtime (torch vs ONNX): interchangeable only if the vectors agree.

        A collection without a recorded runtime predates them: it was built by torch, which the ONNX
        build agrees with (cosine >= 0.998 per text on 300 BBC chunks and SQuAD questions)."""
        stored_rt = meta.get("embedder_runtime")
        if self._fingerprint is None or not stored_rt or stored_rt == self.runtime:
            return
        stored_fp = decode_fingerprint(str(meta.get("embedder_fingerprint") or ""))
        if stored_fp is None:
            return  # no vector was written under that runtime: nothing to disagree with
        if not fingerprints_agree(stored_fp, self.fingerprint()):
            raise EmbedderMismatchError(
                f"{self.embedder_name} (RAG_EMBED_RUNTIME={stored_rt})",
                f"{self.embedder_name} (RAG_EMBED_RUNTIME={self.runtime}), whose vectors differ",
            )
        log.info("collection built with runtime %s; %s agrees with it", stored_rt, self.runtime)

    def record_embedder(self, *, force: bool = False) -> None:
        """Record the runtime and fingerprint of the embedder writing the vectors.

        Called with the first vectors of an empty collection (not at creation: fingerprinting loads
        the model, and opening must not: ``rag list`` never embeds), never over an unrecorded
        collection that holds vectors (they may come from another runtime), and with ``force``
        after a reindex rewrote every vector."""
        self._stamped = True
        if self._fingerprint is None:
            return
        meta = dict(self.collection.metadata or {})
        if not force and ("embedder_fingerprint" in meta or self._call(self.collection.count)):
            return
        meta["embedder_fingerprint"] = encode_fingerprint(self.fingerprint())
        if self.runtime:
            meta["embedder_runtime"] = self.runtime
        self._modify_metadata(self.collection, meta)

    def _mismatch(self, stored: str, stored_dim: object, dim: object) -> EmbedderMismatchError:
        if stored == self.embedder_name and stored_dim and dim:
            return EmbedderMismatchError(f"{stored} ({stored_dim} dimensions)", f"{self.embedder_name} ({dim} dimensions)")
        return EmbedderMismatchError(stored, self.embedder_name)

    def _dimension_error(self, exc: BaseException) -> BaseException:
        """Chroma's 'expecting embedding with dimension of N, got M' as an error that names the fix;
        anything else (a server gone, an unreadable file) as a ``StoreError`` naming the store."""
        m = re.search(r"dimension of (\d+), got (\d+)", str(exc))
        if m:
            return self._mismatch(self.embedder_name, m.group(1), m.group(2))
        return self._store_error(exc)

    def _store_error(self, exc: BaseException, what: str = "") -> BaseException:
        """``exc`` as a ``StoreError`` when the store itself failed (Chroma's errors, a Rust panic,
        the connection); a programming error (TypeError, ...) is returned unchanged."""
        if isinstance(exc, (StoreError, EmbedderMismatchError)) or not _store_failure(exc):
            return exc
        if not self.embedded:
            return StoreError(
                f"{what + ': ' if what else ''}the Chroma server at {self.settings.chroma_url} failed "
                f"({type(exc).__name__}: {exc}); check it is running (`chroma run --path DIR --host 127.0.0.1 "
                "--port 8000`) and retry; ingest again to store what is missing"
            )
        return unreadable_store(self.settings, exc)

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except BaseException as exc:
            err = self._store_error(exc) if is_chroma_failure(exc) else exc
            if err is exc:
                raise
            raise err from exc

    def built_with(self) -> tuple[str | None, int | None]:
        """(embedder name, dimension) recorded on the collection when it was created."""
        meta = self.collection.metadata or {}
        dim = meta.get("dim")
        return meta.get("embedder"), int(dim) if dim else None

    def reopen(self, name: str | None = None) -> None:
        """Close and reopen an embedded client (and the collection, maybe under a new ``name``).

        An embedded Chroma client keeps its index in memory and never sees vectors another process
        added; the caller reopens when the article database says another process wrote. Note
        Chroma shares one client per path in a process, so this only refreshes once every other
        client on the path in this process is closed too."""
        with self._lock:
            if self.embedded and self._own_client:
                self.close()
                self.__dict__.pop("_max_batch", None)
                self.client = make_client(self.settings)
            self.name = name or self.name
            self.collection = self._open(self._check)

    @property
    def max_batch(self) -> int:
        try:
            return int(self.client.get_max_batch_size())
        except Exception:  # noqa: BLE001 - older clients / servers
            return 1000

    @functools.cached_property
    def _max_batch(self) -> int:
        return self.max_batch  # asked once: over HTTP every call is a round trip

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        if not self._stamped and len(ids):
            self.record_embedder()
        step = self._max_batch
        for i in range(0, len(ids), step):
            try:
                self.collection.upsert(
                    ids=list(ids[i : i + step]),
                    embeddings=vectors[i : i + step],
                    metadatas=list(metadatas[i : i + step]),
                )
            except BaseException as exc:
                err = self._dimension_error(exc) if is_chroma_failure(exc) else exc
                if err is exc:
                    raise
                raise err from exc

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            self._call(lambda part=part: self.collection.delete(ids=part))

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first.

        One round trip: Chroma (>= 1.0) returns fewer than ``k`` results when the collection (or the
        filtered part) is smaller, so no ``count()`` call is needed first."""
        with self._lock:
            try:
                res = self.collection.query(query_embeddings=[vector], n_results=k, where=where or None,
                                            include=["distances"])
            except BaseException as exc:
                if not is_chroma_failure(exc):
                    raise
                if self._call(self.collection.count) == 0:  # an old Chroma that refuses to query an empty index
                    return []
                err = self._dimension_error(exc)
                if err is exc:
                    raise
                raise err from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` (those that have one)."""
        with self._lock:
            res = self._call(lambda: self.collection.get(ids=list(ids), include=["embeddings"]))
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(res["ids"], res["embeddings"], strict=True)}

    def all_ids(self) -> set[str]:
        """Every id in the collection, in one call: paging with offsets is quadratic (each page
        re-scans the offset), which made it 3x slower at 100k ids and the bulk of reconcile at 400k."""
        with self._lock:
            return set(self._call(lambda: self.collection.get(include=[]))["ids"])

    def count(self) -> int:
        with self._lock:  # not while ``reopen`` swaps the client
            return self._call(lambda: self.collection.count())

    def drop(self, name: str) -> None:
        """Delete collection ``name`` (an absent one is fine): the old one after a reindex swap."""
        try:
            self.client.delete_collection(name)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection %s: %s", name, exc)

    def reset(self, embedder_name: str, dim: int | None = None) -> None:
        """Drop the collection and start empty for ``embedder_name`` (used by reindex)."""
        try:
            self.client.delete_collection(self.name)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection: %s", exc)
        self.embedder_name = embedder_name
        self.dim = dim or None
        self._stamped = self._fingerprint is None
        self.collection = self._open()

    def close(self) -> None:
        """Release the client (an embedded store's files); the object is unusable afterwards."""
        close = getattr(self.client, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # noqa: BLE001 - closing twice or a server gone: nothing to release
                log.debug("closing the Chroma client: %s", exc)
