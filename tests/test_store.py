"""The article database (index.db) and the Chroma wrapper (index.vectors): caching, concurrency,
lexical queries, dimension checks."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.db import ArticleDB
from rag.errors import EmbedderMismatchError
from index.collection import Collection
from rag.settings import Settings
from index.vectors import VectorStore
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder


@pytest.fixture
def filled(settings: Settings, fake_embedder: HashEmbedder, tmp_path: Path) -> Collection:
    write_corpus(tmp_path / "news", 8)
    with Collection.open(settings.model_copy(update={"chunk_tokens": 40}), embedder=fake_embedder) as coll:
        coll.ingest([str(tmp_path / "news")])
        yield coll


def test_counts_cache_sees_writes_from_another_connection(filled: Collection) -> None:
    db = filled.db
    before = db.counts()
    other = ArticleDB(db.path)  # another connection, as another process would have
    aid = other.resolve("a0000") or other.list_articles(limit=1)[0].id
    other.remove_article(aid)
    other.close()
    after = db.counts()
    assert after["articles"] == before["articles"] - 1
    assert after["chunks"] < before["chunks"] and after["lexical"] == after["chunks"] == db.n_chunks()


def test_counts_cache_sees_own_writes(filled: Collection) -> None:
    db = filled.db
    n = db.counts()["articles"]
    db.remove_article(db.list_articles(limit=1)[0].id)
    assert db.counts()["articles"] == n - 1


def test_lexical_ignores_stopwords_but_not_a_stopword_only_query(filled: Collection) -> None:
    db = filled.db
    hits = db.lexical("What did the harbour of Town3 do?", 5)
    assert hits and db.chunks_by_ids([hits[0][0]])[hits[0][0]].text.startswith("The harbour of Town3")
    assert db.lexical("the of", 5)  # only stopwords: searched as given rather than returning nothing
    assert db.lexical("   ", 5) == [] and db.lexical("?!", 5) == []


def test_reads_from_many_threads_while_writing(filled: Collection, tmp_path: Path) -> None:
    db = filled.db
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                hits = db.lexical("harbour reopened Monday", 10)
                rows = db.chunks_by_ids([c for c, _ in hits])
                assert all(r.text for r in rows.values())
                db.counts()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    write_corpus(tmp_path / "more", 6, start=100)
    filled.ingest([str(tmp_path / "more")])
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert db.counts()["articles"] == 14


def test_close_releases_reader_connections(settings: Settings) -> None:
    db = ArticleDB(settings.db_path)
    t = threading.Thread(target=lambda: db.counts())
    t.start()
    t.join()
    db.counts()
    db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        db._conn.execute("SELECT 1")


def test_query_asks_for_more_than_stored(settings: Settings) -> None:
    vs = VectorStore(settings, "fake:hash-64", dim=64)
    v = HashEmbedder()(["alpha beta", "gamma"])
    assert vs.query(v[0], 40) == []  # empty collection
    vs.upsert(["a:0:0", "b:0:0"], v, [{"article_id": a, "source": "s", "published": 0} for a in "ab"])
    got = vs.query(v[0], 40)
    assert [c for c, _ in got] == ["a:0:0", "b:0:0"] and got[0][1] == pytest.approx(1.0, abs=1e-5)
    assert vs.query(v[0], 40, where={"article_id": "b"})[0][0] == "b:0:0"
    vs.close()


def test_dimension_change_with_the_same_name_is_a_clear_error(settings: Settings) -> None:
    vs = VectorStore(settings, "fake:hash-64", dim=64)
    vs.upsert(["a:0:0"], HashEmbedder()(["alpha"]), [{"article_id": "a", "source": "s", "published": 0}])
    vs.close()
    with pytest.raises(EmbedderMismatchError, match=r"64 dimensions.*32 dimensions.*rag reindex"):
        VectorStore(settings, "fake:hash-64", dim=32)


def test_dimension_error_from_chroma_names_the_fix(settings: Settings) -> None:
    """A collection made before dims were recorded: Chroma's own error becomes ours."""
    vs = VectorStore(settings, "fake:hash-64")  # dim unknown (like an OpenAI embedder before its first reply)
    vs.upsert(["a:0:0"], HashEmbedder()(["alpha"]), [{"article_id": "a", "source": "s", "published": 0}])
    with pytest.raises(EmbedderMismatchError, match="rag reindex"):
        vs.upsert(["b:0:0"], HashEmbedder(dim=32)(["beta"]), [{"article_id": "b", "source": "s", "published": 0}])
    with pytest.raises(EmbedderMismatchError, match="rag reindex"):
        vs.query(np.ones(32, dtype=np.float32), 5)
    vs.close()


def test_a_filtered_dense_search_finds_what_chromas_own_filter_finds(
        settings: Settings, fake_embedder: HashEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``dense_within`` searches unfiltered and filters the ids (Chroma's ``where`` scans every
    chunk's metadata first: 103 ms against 3 ms); the nearest chunks in scope must be the same."""
    import json

    from rag.retrieve import scope as scoping
    from rag.types import Filters

    dump = tmp_path / "dated.jsonl"
    topics = ["ferry strike", "harbour crane", "rail fares", "bread prices", "flood defences"]
    dump.write_text("\n".join(json.dumps({
        "title": f"Story {i} on {topics[i % 5]}", "url": f"https://news.example/{'a' if i % 3 else 'b'}/{i}",
        "published": None if i % 7 == 0 else f"{2023 + i % 2}-{1 + i % 12:02d}-{1 + i % 27:02d}",
        "text": f"Report {i}. The {topics[i % 5]} story went on for day {i}. Officials said {i * 3} people were "
                f"affected by the {topics[(i + 1) % 5]}."}) for i in range(40)) + "\n", encoding="utf-8")
    with Collection.open(settings, embedder=fake_embedder) as coll:
        coll.ingest([str(dump)])
        store = coll.store
        filters = [Filters(published_from=date(2024, 1, 1)), Filters(published_to=date(2023, 6, 30)),
                   Filters(sources=("news.example/b",)), Filters(published_from=date(2024, 4, 1),
                                                                 published_to=date(2024, 4, 30))]
        for wide in (scoping.WIDE, 1):  # 1: too few in scope among the nearest, so Chroma's filter answers
            monkeypatch.setattr(scoping, "WIDE", wide)
            for f in filters:
                scope = scoping.scope_for(store, f)
                for text in ("ferry strike", "bread prices affected people", "flood"):
                    vector = fake_embedder([text])[0]
                    want = store.dense(vector, 5, scope.where)
                    got = scoping.dense_within(store, vector, 5, scope)
                    assert [c for c, _ in got] == [c for c, _ in want] and want, (f, text, wide)
