"""Deterministic fakes that behave like the real parts, for fast unit tests of logic.

``HashEmbedder`` maps text to a unit vector seeded by its words (texts sharing words get
similar vectors, like a real model), has a truncating window, counts tokens, and records calls.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class HashEmbedder:
    def __init__(self, dim: int = 64, window: int | None = 256, name: str = "fake:hash-64") -> None:
        self.name = name
        self.dim = dim
        self.window = window
        self.calls: list[int] = []

    def _word_vec(self, w: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            words = [w.lower() for w in _WORD.findall(t)]
            if self.window:
                words = words[: self.window - 2]  # a real model truncates past its window
            v = sum((self._word_vec(w) for w in words), np.zeros(self.dim))
            n = np.linalg.norm(v)
            out[i] = v / n if n else v
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_WORD.findall(t)) + 2 for t in texts]


def cli_on(monkeypatch, settings, **env: str) -> None:  # noqa: ANN001 - pytest's MonkeyPatch, a Settings
    """The `rag` command, run in this process (typer's ``CliRunner``), on ``settings``' store with the
    HashEmbedder: RAG_HOME and RAG_COLLECTION set, then ``env`` (``COLUMNS="200"``, ...)."""
    import index.collection

    for key, value in {"RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection, **env}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())


def folder_rag(root, articles: dict[str, str], collection: str):  # noqa: ANN001, ANN201 - a Path; (RAG, Collection)
    """A RAG over ``articles`` (file name -> text) written to a folder under ``root`` and ingested with the
    HashEmbedder into a store there; the caller closes the collection (the second item) when done."""
    from index.collection import Collection
    from rag.api import RAG
    from rag.settings import Settings

    folder = root / "articles"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(home=root / "home", collection=collection)
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(folder)]).count("added") == len(articles)
    return RAG(settings, collection=coll, llm=None), coll


def dated_rag(settings, articles: Sequence[tuple[str, str, str]]) -> Iterator:  # noqa: ANN001 - a Settings; RAG
    """A RAG (offline answerer) over ``articles`` ((published YYYY-MM-DD, title, text), stored as
    ``/news/<i>.txt``) ingested with the HashEmbedder into ``settings``' store; the collection is closed
    after the one RAG it yields (a fixture's body: ``yield from dated_rag(settings, ARTICLES)``)."""
    from datetime import date

    from index.collection import Collection
    from index.types import Article
    from rag.api import RAG

    coll = Collection.open(settings, embedder=HashEmbedder())
    arts = [Article(source=f"/news/{i}.txt", title=t, text=body, published=date.fromisoformat(d))
            for i, (d, t, body) in enumerate(articles)]
    assert coll.ingest_articles(arts).summary()["added"] == len(arts)
    try:
        yield RAG(settings, collection=coll, llm=None)
    finally:
        coll.close()


def dump_rag(root, records: Sequence[tuple[str, str, str, str]], collection: str) -> Iterator:  # noqa: ANN001 - a Path
    """A RAG over ``records`` ((url, date, title, text)) written as a JSONL dump under ``root`` and ingested with
    the HashEmbedder, as `rag ingest news.jsonl` would; the collection is closed after the one RAG it yields."""
    import json

    from index.collection import Collection
    from rag.api import RAG
    from rag.settings import Settings

    dump = root / "news.jsonl"
    dump.write_text("".join(json.dumps({"url": u, "date": d, "title": t, "text": x}) + "\n"
                            for u, d, t, x in records), encoding="utf-8")
    settings = Settings(home=root / "home", collection=collection)
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(dump)]).count("added") == len(records)
    try:
        yield RAG(settings, collection=coll, llm=None)
    finally:
        coll.close()
