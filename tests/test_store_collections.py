"""Collections in one RAG_HOME (embedded Chroma): each name its own set of articles, names an older
version used keep their articles, and a Chroma collection belongs to one article database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.collection import Collection
from index.db import ArticleDB
from index.vectors import STORE_KEY, ForeignCollectionError, make_client
from rag.settings import Settings, db_choice
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_robustness import agree


def _s(home: Path, name: str = "articles", **kw: object) -> Settings:
    return Settings(home=home, collection=name, chunk_tokens=40, **kw)


def _client(home: Path):  # noqa: ANN202
    return make_client(Settings(home=home))  # Chroma's settings must match the store's for the same path


def _as_older_version(home: Path, copies: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> None:
    """Make ``home`` look as an earlier version left it: one shared articles.sqlite3 with no record of
    the names it was used with and no store id, and collections without a stamp. ``copies`` makes
    collection ``new`` a copy of ``old`` (the same vectors, as that version's re-embedding made them);
    ``drop`` deletes collections."""
    db = ArticleDB(home / "articles.sqlite3")
    for key in db.meta_keys("used_by:") + ["store_id"]:
        db.set_meta(key, None)
    db.close()
    client = _client(home)
    for old, new in (copies or {}).items():
        src = client.get_collection(old, embedding_function=None)
        got = src.get(include=["embeddings", "metadatas"])
        dst = client.get_or_create_collection(new, embedding_function=None, metadata=dict(src.metadata))
        dst.upsert(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"])
    for name in drop:
        client.delete_collection(name)
    for col in client.list_collections():
        meta = {k: v for k, v in (col.metadata or {}).items() if k != STORE_KEY and not k.startswith("hnsw:")}
        col.modify(metadata=meta)
    client.close()  # Chroma keeps one instance per path in a process: release its files


def _sources(coll: Collection) -> set[str]:
    return {Path(a.source).name for a in coll.db.list_articles(limit=1000)}


# --- D4: RAG_COLLECTION separates sets of articles ------------------------------------------------

def test_a_new_collection_name_gets_its_own_articles_and_embeds_only_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_corpus(tmp_path / "world", 6)
    write_corpus(tmp_path / "sports", 2, start=100)
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "world")])
        world_chunks = coll.db.counts()["chunks"]
    emb = HashEmbedder()
    sports = _s(home, "sports")
    with Collection.open(sports, embedder=emb) as coll:
        assert coll.db.counts()["articles"] == 0 and coll.health()[0].startswith("the collection is empty")
        report = coll.ingest([str(tmp_path / "sports")])
        assert report.summary()["added"] == 2
        assert _sources(coll) == {"a0100.txt", "a0101.txt"}
        agree(coll, articles=2)
        embedded = sum(emb.calls)
        assert embedded == coll.db.counts()["chunks"]  # the other collection's articles were not re-embedded
    assert sports.db_path == home / "articles-sports.sqlite3"
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        assert len(_sources(coll)) == 6 and coll.db.counts()["chunks"] == world_chunks
        agree(coll, articles=6)
    # paths kept per article database; one write lock per RAG_HOME (the embedded Chroma directory is shared)
    default = _s(home)
    assert (default.feedback_path.name, sports.feedback_path.name) == ("feedback.jsonl", "feedback-sports.jsonl")
    assert (default.watch_path.name, sports.watch_path.name) == ("watch.sqlite3", "watch-sports.sqlite3")
    assert default.lock_path == sports.lock_path


def test_a_name_an_older_version_used_keeps_the_shared_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_corpus(tmp_path / "news", 5)
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        chunks = coll.db.counts()["chunks"]
    # an earlier version: RAG_COLLECTION=sports re-embedded the shared database into "sports"
    _as_older_version(home, copies={"articles": "sports"})
    sports = _s(home, "sports")
    assert db_choice(home, "sports") == "undecided"
    assert sports.db_path == home / "articles.sqlite3"  # `rag list` shows the articles it had
    emb = HashEmbedder()
    with Collection.open(sports, embedder=emb) as coll:
        assert coll.db.path == home / "articles.sqlite3" and coll.db.counts()["chunks"] == chunks
        assert coll.ingest([str(tmp_path / "news")]).summary()["unchanged"] == 5
        agree(coll, articles=5)
    assert emb.calls == []  # nothing re-embedded
    assert db_choice(home, "sports") == "shared" and not (home / "articles-sports.sqlite3").exists()
    # the default name keeps it too, and a name never used before starts empty
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        agree(coll, articles=5)
    with Collection.open(_s(home, "fresh"), embedder=HashEmbedder()) as coll:
        assert coll.db.counts()["articles"] == 0
    assert (home / "articles-fresh.sqlite3").exists()


def test_a_home_an_older_version_used_only_with_another_name_keeps_its_articles(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_corpus(tmp_path / "news", 4)
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
    _as_older_version(home, copies={"articles": "mine"}, drop=("articles",))
    emb = HashEmbedder()
    with Collection.open(_s(home, "mine"), embedder=emb) as coll:
        agree(coll, articles=4)
    assert emb.calls == []


def test_articles_whose_vectors_are_lost_stay_reachable_under_the_next_name(tmp_path: Path) -> None:
    """No collection holds the shared database's vectors any more (the Chroma directory was lost):
    the first new name takes that database, rather than starting empty beside it."""
    home = tmp_path / "home"
    write_corpus(tmp_path / "news", 3)
    with Collection.open(_s(home), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
    _as_older_version(home)
    shutil.rmtree(home / "chroma")
    with Collection.open(_s(home, "again"), embedder=HashEmbedder()) as coll:
        assert coll.db.path.name == "articles.sqlite3"
        coll.ingest([str(tmp_path / "news")])  # reconcile re-embeds them into "again"
        agree(coll, articles=3)


# --- D1 in the embedded store: a collection belongs to one article database -----------------------

def test_the_collection_is_stamped_with_the_database_s_store_id(settings: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 2)
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        sid = coll.db.store_id()
        assert coll.vectors.collection.metadata[STORE_KEY] == sid
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        assert coll.db.store_id() == sid  # made once, kept


def test_foreign_vectors_in_an_unstamped_collection_are_refused(settings: Settings, tmp_path: Path) -> None:
    """A collection without a stamp that holds vectors of no database of this home is not adopted
    (its ingests would delete them as orphans)."""
    col = _client(settings.home).get_or_create_collection(settings.collection, embedding_function=None,
                                                           metadata={"embedder": "fake:hash-64", "dim": 64})
    col.upsert(ids=[f"other:{i}" for i in range(3)], embeddings=[[0.1] * 64] * 3)
    other = ArticleDB(settings.home / "articles-other.sqlite3")  # the database they belong to, still here
    other._conn.execute("INSERT INTO articles(id, title, source, content_hash, version, text, n_chunks, updated_at)"
                        " VALUES ('other', 't', 's', 'h', 'v', 'x', 3, 0)")
    for i in range(3):
        other._conn.execute("INSERT INTO chunks(id, article_id, n, start, \"end\", tokens, sentences)"
                            " VALUES (?, 'other', ?, 0, 1, 1, '[]')", (f"other:{i}", i))
    other.close()
    with pytest.raises(ForeignCollectionError) as err:
        Collection.open(settings, embedder=HashEmbedder())
    assert settings.collection in str(err.value) and "RAG_COLLECTION" in str(err.value)
    assert col.count() == 3
    assert not settings.db_path.exists()  # refused before anything was stored: no empty database left behind


def test_a_database_moved_aside_to_start_over_takes_its_collection_over(settings: Settings, tmp_path: Path) -> None:
    """The fix an unreadable article database's message gives (move it aside, ingest again) still works:
    in the embedded store only a database of this home can own the collection, and that one is gone."""
    write_corpus(tmp_path / "news", 3)
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        path = coll.db.path
    path.rename(path.with_name(path.name + ".corrupt"))
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        agree(coll, articles=3)
