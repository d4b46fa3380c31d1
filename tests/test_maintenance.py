"""index.maintenance with the HashEmbedder and embedded Chroma: `rag reindex` re-chunks stored
articles when the chunk settings changed (from the stored texts, resumable, never a vector of
another text), reports what this run did, stores each model batch as it is embedded, and
``health`` names orphan vectors and a chunking that differs from the settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.chunk import chunk_article, embed_text
from index.collection import Collection
from index.maintenance import Chunking, stored_chunking
from index.pipeline import Indexer
from index.types import Article
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder


class Batched(HashEmbedder):
    """The HashEmbedder with a model batch size, as the real embedders have (64)."""

    batch_size = 4


class DiesAt(Batched):
    """Ctrl-C on model batch ``n`` (counted from 0)."""

    def __init__(self, n: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.n = n

    def __call__(self, texts):  # noqa: ANN001, ANN204
        if len(self.calls) == self.n:
            raise KeyboardInterrupt
        return super().__call__(texts)


def at(settings: Settings, tokens: int) -> Settings:
    return settings.model_copy(update={"chunk_tokens": tokens})


def filled(settings: Settings, tmp_path: Path, n: int = 6) -> list[Path]:
    paths = write_corpus(tmp_path / "news", n)
    with Collection.open(at(settings, 40), embedder=HashEmbedder()) as coll:
        assert coll.ingest([str(tmp_path / "news")]).summary()["added"] == n
    return paths


def consistent(coll: Collection) -> None:
    """Every vector stored belongs to a stored chunk and is that chunk's text's vector (none is the
    vector of another text), the lexical index matches the chunks."""
    ids = coll.db.chunk_ids()
    counts = coll.db.counts()
    assert counts["chunks"] == counts["lexical"] == len(ids)
    got = coll.vectors.collection.get(include=["embeddings"])
    assert set(got["ids"]) <= set(ids)
    rows = coll.db.chunks_by_ids(got["ids"])
    want = HashEmbedder()([embed_text(rows[c].title, rows[c].text) for c in got["ids"]])
    assert np.allclose(np.asarray(got["embeddings"]), want, atol=1e-5)


def cut_as(coll: Collection, tokens: int) -> None:
    """Each stored article's chunks are exactly what chunking its stored text at ``tokens`` gives."""
    for info in coll.db.list_articles(limit=1000):
        art = Article(source=info.source, title=info.title, text=coll.db.article_text(info.id))
        want = [(c.start, c.end) for c in chunk_article(art, max_tokens=tokens, overlap=1)]
        rows = coll.db.chunks_by_ids(coll.db.chunk_ids(info.id))
        assert sorted((r.start, r.end) for r in rows.values()) == want, info.source


def test_reindex_rechunks_from_the_stored_texts_when_the_chunk_settings_changed(settings: Settings, tmp_path: Path) -> None:
    for p in filled(settings, tmp_path):
        p.unlink()  # no source is re-read
    with Collection.open(at(settings, 80), embedder=HashEmbedder()) as coll:
        before = coll.db.counts()["chunks"]
        assert any("chunked with 40 tokens, RAG_CHUNK_TOKENS is 80: run `rag reindex`" in w for w in coll.health())
        articles: list[tuple[int, int]] = []
        chunks: list[tuple[int, int]] = []
        n = coll.reindex(lambda d, t: chunks.append((d, t)), lambda d, t: articles.append((d, t)))
        r = coll.indexer.last_reindex
        assert n == r.chunks == r.embedded == coll.db.counts()["chunks"] < before
        assert r.rechunked == 6 and r.resumed_at == 0 and r.chunking == (Chunking(40, 1), Chunking(80, 1))
        assert articles[0] == (0, 6) and articles[-1] == (6, 6) and chunks[-1] == (n, n)
        cut_as(coll, 80)
        consistent(coll)
        assert coll.vectors.count() == n and coll.health() == []
        assert stored_chunking(coll.db) == Chunking(80, 1)
        assert coll.reindex() == n and coll.indexer.last_reindex.rechunked == 0  # settings unchanged: no re-chunk


def test_a_killed_rechunk_never_leaves_a_vector_of_another_text_and_resumes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.maintenance as maintenance

    monkeypatch.setattr(maintenance, "_RECHUNK_BATCH", 2)
    filled(settings, tmp_path)
    with Collection.open(at(settings, 80), embedder=HashEmbedder()) as coll:
        real_put = coll.db.put_article
        calls = []

        def put(article, chunks):  # noqa: ANN001, ANN202
            calls.append(article.id)
            if len(calls) == 4:  # in the second batch of two articles
                raise KeyboardInterrupt
            return real_put(article, chunks)

        monkeypatch.setattr(coll.db, "put_article", put)
        with pytest.raises(KeyboardInterrupt):
            coll.reindex()
    with Collection.open(at(settings, 80), embedder=HashEmbedder()) as coll:
        consistent(coll)  # re-chunked articles (and the one killed) have no vectors yet: none is wrong
        warnings = coll.health()
        assert any("has not finished re-chunking the stored articles to 80 tokens" in w for w in warnings), warnings
        assert any(w.startswith("only ") and "have a vector" in w for w in warnings)
        emb = HashEmbedder()
        n = Indexer(coll.store, emb).ingest([str(tmp_path / "news")])  # an ingest meanwhile cuts like the target
        assert n.summary()["unchanged"] == 6
    with Collection.open(at(settings, 80), embedder=HashEmbedder()) as coll:
        coll.reindex()
        assert coll.indexer.last_reindex.rechunked == 3  # the first batch's two and the third were done already
        cut_as(coll, 80)
        consistent(coll)
        assert coll.vectors.count() == coll.db.counts()["chunks"] and coll.health() == []


def test_reindex_stores_each_model_batch_and_a_resumed_run_reports_its_own_work(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C loses at most the model batch being embedded; the next run embeds only the rest and
    says so (it reported the total across runs)."""
    monkeypatch.setattr(Indexer, "batch_chunks", 1000)  # one pipeline batch: only model batches are stored
    filled(settings, tmp_path)
    s = at(settings, 40)
    with Collection.open(s, embedder=DiesAt(3), check_embedder=False) as coll:
        total = coll.db.counts()["chunks"]
        seen: list[tuple[int, int]] = []
        with pytest.raises(KeyboardInterrupt):
            coll.reindex(lambda d, t: seen.append((d, t)))
        assert seen == [(0, total), (4, total), (8, total), (12, total)]  # per model batch of 4
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        assert any("has not finished (12 of" in w for w in coll.health())
    emb = Batched()
    with Collection.open(s, embedder=emb, check_embedder=False) as coll:
        assert coll.reindex() == total
        r = coll.indexer.last_reindex
        assert r.resumed_at == 12 and r.embedded == total - 12 == sum(emb.calls)
        consistent(coll)
        assert coll.vectors.count() == total and coll.health() == []


def test_health_names_vectors_that_no_chunk_claims(settings: Settings, tmp_path: Path) -> None:
    filled(settings, tmp_path, 3)
    with Collection.open(at(settings, 40), embedder=HashEmbedder()) as coll:
        assert coll.health() == []
        coll.vectors.upsert(["ghost:0:0", "ghost:0:1"], HashEmbedder()(["a", "b"]),
                            [{"article_id": "ghost", "source": "x", "published": 0}] * 2)
        [warning] = coll.health()
        assert warning.startswith("2 vectors in Chroma belong to no stored chunk")
        assert "interrupted write" in warning and "the next ingest or reindex removes them" in warning
        coll.ingest([str(tmp_path / "news")])  # counts differ: reconciled
        assert coll.health() == []


def test_a_reindex_killed_twice_counts_each_stored_chunk_once(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed inside a pipeline batch, resumed past it and killed again: the chunks the first run
    stored were counted once more for every later pipeline batch ("interrupted: 1280 of 39088", then
    `rag stats`: "1920 of 39088 chunks re-embedded"; a resumed run then reported 640 too many)."""
    monkeypatch.setattr(Indexer, "batch_chunks", 12)  # pipeline batches of 3 model batches of 4
    filled(settings, tmp_path, n=8)
    s = at(settings, 40)
    with Collection.open(s, embedder=DiesAt(1), check_embedder=False) as coll:  # stores 4 of the first 12
        total = coll.db.counts()["chunks"]
        assert total > 36
        with pytest.raises(KeyboardInterrupt):
            coll.reindex()
    seen: list[tuple[int, int]] = []
    with Collection.open(s, embedder=DiesAt(4), check_embedder=False) as coll:  # the first batch's 8, then 8 of 12
        with pytest.raises(KeyboardInterrupt):
            coll.reindex(lambda d, t: seen.append((d, t)))
    stored = seen[-1][0]
    assert stored == 4 + 8 + 8
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        assert any(f"has not finished ({stored} of {total}" in w for w in coll.health()), coll.health()
    emb = Batched()
    with Collection.open(s, embedder=emb, check_embedder=False) as coll:
        assert coll.reindex() == total
        r = coll.indexer.last_reindex
        assert r.resumed_at == stored and r.embedded == total - stored == sum(emb.calls)
        consistent(coll)
