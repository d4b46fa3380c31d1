"""Chroma as the vector store: embedded ``PersistentClient`` by default, ``HttpClient`` for a server.

We always hand Chroma our own vectors: its default embedding function downloads a model, so no
collection is ever created with it. The collection's metadata records which embedder built it;
opening it with another embedder is an ``EmbedderMismatchError`` naming the fix (``rag reindex``).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from urllib.parse import urlparse

import numpy as np

from index.errors import EmbedderMismatchError, StoreError
from index.settings import Settings

log = logging.getLogger(__name__)


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
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


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
    ) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.dim = dim or None  # 0 = not known yet (an OpenAI embedder learns it from its first reply)
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
        return meta

    def _open(self, check: bool = True):
        try:
            col = self.client.get_or_create_collection(
                name=self.settings.collection, metadata=self._metadata(), embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"cannot open the Chroma collection {self.settings.collection!r}: {exc}") from exc
        meta = col.metadata or {}
        stored, stored_dim = meta.get("embedder"), meta.get("dim")
        name_differs = bool(stored) and stored != self.embedder_name
        dim_differs = bool(stored_dim and self.dim) and int(stored_dim) != self.dim
        if name_differs or dim_differs:
            if col.count() == 0:
                col.modify(metadata=self._metadata())
            elif check:
                raise self._mismatch(stored or self.embedder_name, stored_dim, self.dim)
        return col

    def _mismatch(self, stored: str, stored_dim: object, dim: object) -> EmbedderMismatchError:
        if stored == self.embedder_name and stored_dim and dim:
            return EmbedderMismatchError(f"{stored} ({stored_dim} dimensions)", f"{self.embedder_name} ({dim} dimensions)")
        return EmbedderMismatchError(stored, self.embedder_name)

    def _dimension_error(self, exc: Exception) -> Exception:
        """Chroma's 'expecting embedding with dimension of N, got M' as an error that names the fix."""
        m = re.search(r"dimension of (\d+), got (\d+)", str(exc))
        if m:
            return self._mismatch(self.embedder_name, m.group(1), m.group(2))
        return exc

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
        step = self._max_batch
        for i in range(0, len(ids), step):
            try:
                self.collection.upsert(
                    ids=list(ids[i : i + step]),
                    embeddings=vectors[i : i + step],
                    metadatas=list(metadatas[i : i + step]),
                )
            except Exception as exc:
                raise self._dimension_error(exc) from exc

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first.

        One round trip: Chroma (>= 1.0) returns fewer than ``k`` results when the collection (or the
        filtered part) is smaller, so no ``count()`` call is needed first."""
        try:
            res = self.collection.query(query_embeddings=[vector], n_results=k, where=where or None, include=["distances"])
        except Exception as exc:
            if self.collection.count() == 0:  # an old Chroma that refuses to query an empty index
                return []
            raise self._dimension_error(exc) from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def all_ids(self) -> set[str]:
        """Every id in the collection, in one call: paging with offsets is quadratic (each page
        re-scans the offset), which made it 3x slower at 100k ids and the bulk of reconcile at 400k."""
        return set(self.collection.get(include=[])["ids"])

    def count(self) -> int:
        return self.collection.count()

    def reset(self, embedder_name: str, dim: int | None = None) -> None:
        """Drop the collection and start empty for ``embedder_name`` (used by reindex)."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection: %s", exc)
        self.embedder_name = embedder_name
        self.dim = dim or None
        self.collection = self._open()

    def close(self) -> None:
        """Release the client (an embedded store's files); the object is unusable afterwards."""
        close = getattr(self.client, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # noqa: BLE001 - closing twice or a server gone: nothing to release
                log.debug("closing the Chroma client: %s", exc)
