"""Chroma as the vector store: embedded ``PersistentClient`` by default, ``HttpClient`` for a server.

We always hand Chroma our own vectors: its default embedding function downloads a model, so no
collection is ever created with it. The collection's metadata records which embedder built it;
opening it with another embedder is an ``EmbedderMismatchError`` naming the fix (``rag reindex``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlparse

import numpy as np

from index.errors import EmbedderMismatchError, StoreError
from index.settings import Settings

log = logging.getLogger(__name__)


def make_client(settings: Settings):  # noqa: ANN201 - chromadb.ClientAPI
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
        self, settings: Settings, embedder_name: str, client: object | None = None, *, check: bool = True
    ) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.client = client or make_client(settings)
        self.collection = self._open(check)

    def _open(self, check: bool = True):  # noqa: ANN202
        col = self.client.get_or_create_collection(
            name=self.settings.collection,
            metadata={"embedder": self.embedder_name, "hnsw:space": "cosine"},
            embedding_function=None,
        )
        stored = (col.metadata or {}).get("embedder")
        if stored and stored != self.embedder_name:
            if col.count() == 0:
                col.modify(metadata={"embedder": self.embedder_name, "hnsw:space": "cosine"})
            elif check:
                raise EmbedderMismatchError(stored, self.embedder_name)
        return col

    @property
    def max_batch(self) -> int:
        try:
            return int(self.client.get_max_batch_size())
        except Exception:  # older clients / servers
            return 1000

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        step = self.max_batch
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                metadatas=list(metadatas[i : i + step]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        n = self.collection.count()
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector], n_results=min(k, n), where=where or None, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def all_ids(self) -> set[str]:
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            offset += page

    def count(self) -> int:
        return self.collection.count()

    def reset(self, embedder_name: str) -> None:
        """Drop the collection and start empty for ``embedder_name`` (used by reindex)."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection: %s", exc)
        self.embedder_name = embedder_name
        self.collection = self._open()
