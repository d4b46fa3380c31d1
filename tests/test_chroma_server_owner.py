"""Several data directories, restarts and wrong addresses against a real `chroma run` on loopback:
a collection belongs to one article database (two RAG_HOMEs never prune each other's vectors), a
long-running reader survives its collection being made again, and a wrong RAG_CHROMA_URL is one
line that names what to fix."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.collection import Collection
from index.vectors import STORE_KEY, ForeignCollectionError, make_client, store_error
from rag.api import RAG
from rag.errors import StoreError
from rag.http_api import create_app
from rag.retrieve import retrieve
from rag.settings import Settings
from tests.chroma_server import chroma_server, free_port
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_robustness import agree

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-owner")) as (url, _):
        yield url


def _s(home: Path, url: str, name: str) -> Settings:
    return Settings(home=home, collection=name, chroma_url=url, chunk_tokens=40)


def _name() -> str:
    return f"c{uuid.uuid4().hex[:10]}"


# --- D1: two RAG_HOMEs, one server, one collection name --------------------------------------------

def test_a_second_home_on_the_same_collection_is_refused_and_the_first_keeps_its_vectors(
    tmp_path: Path, chroma_url: str,
) -> None:
    name = _name()
    a, b = _s(tmp_path / "a", chroma_url, name), _s(tmp_path / "b", chroma_url, name)
    write_corpus(tmp_path / "news", 8)
    write_corpus(tmp_path / "other", 2, start=50)
    with Collection.open(a, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        vectors = coll.vectors.count()
        assert vectors == coll.db.counts()["chunks"]
    with pytest.raises(ForeignCollectionError) as err:
        with Collection.open(b, embedder=HashEmbedder()) as coll:
            coll.ingest([str(tmp_path / "other")])  # before: its reconcile deleted every vector of a
    msg = str(err.value)
    assert f"'{name}'" in msg and chroma_url in msg and "set a different RAG_COLLECTION for this RAG_HOME" in msg
    with Collection.open(a, embedder=HashEmbedder()) as coll:
        assert coll.vectors.count() == vectors
        assert coll.ingest([str(tmp_path / "news")]).summary()["unchanged"] == 8
        agree(coll, articles=8)
    # the fix the message gives
    with Collection.open(_s(tmp_path / "b", chroma_url, name + "-b"), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "other")])
        agree(coll, articles=2)
    with Collection.open(a, embedder=HashEmbedder()) as coll:
        agree(coll, articles=8)


def test_a_copied_home_on_the_same_collection_loses_no_vector_and_both_are_told(
    tmp_path: Path, chroma_url: str,
) -> None:
    """A copy of a home (a backup restored beside it, a staging clone) carries its store id, so the stamp does not
    refuse it: each home's ingest deleted the other's new vectors as orphans, and the copy's counts still matched
    (new user 24). Vectors no chunk claims after a clean write are kept now, and `rag stats` says why."""
    import shutil

    name = _name()
    write_corpus(tmp_path / "news", 4)
    write_corpus(tmp_path / "b-only", 1, start=60)
    write_corpus(tmp_path / "a-only", 1, start=70)
    a = _s(tmp_path / "a", chroma_url, name)
    with Collection.open(a, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    b = _s(tmp_path / "b", chroma_url, name)
    with Collection.open(b, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "b-only")])
        b_ids = set(coll.db.chunk_ids())
    with Collection.open(a, embedder=HashEmbedder()) as coll:
        assert coll.ingest([str(tmp_path / "a-only")]).summary()["added"] == 1
        a_ids = set(coll.db.chunk_ids())
        kept = coll.vectors.all_ids()
        [warning] = coll.health()
    assert b_ids | a_ids <= kept  # before: A's ingest deleted B's new article's vectors
    assert "another home writes to this collection" in warning and "RAG_COLLECTION" in warning
    assert warning.startswith(f"{len(b_ids - a_ids)} vector")
    with Collection.open(b, embedder=HashEmbedder()) as coll:
        assert coll.ingest([str(tmp_path / "b-only")]).summary()["unchanged"] == 1
        assert b_ids <= coll.vectors.all_ids()
        assert any("another home writes to this collection" in w for w in coll.health())


def _older_version_collection(url: str, name: str, ids: list[str], dim: int = 64) -> None:
    """A collection as an earlier version made it on the server: no owner stamp."""
    col = make_client(Settings(chroma_url=url)).get_or_create_collection(
        name, embedding_function=None, metadata={"embedder": "fake:hash-64", "dim": dim, "hnsw:space": "cosine"})
    col.upsert(ids=ids, embeddings=[[0.125] * dim] * len(ids))


def test_an_unstamped_collection_is_adopted_only_by_the_database_whose_chunks_it_holds(
    tmp_path: Path, chroma_url: str,
) -> None:
    name = _name()
    write_corpus(tmp_path / "news", 4)
    write_corpus(tmp_path / "other", 3, start=70)
    # each home's articles, ingested in its embedded store first: their chunk ids
    homes = {}
    for key, corpus in (("a", "news"), ("b", "other")):
        s = Settings(home=tmp_path / key, collection=name, chunk_tokens=40)
        with Collection.open(s, embedder=HashEmbedder()) as coll:
            coll.ingest([str(tmp_path / corpus)])
            homes[key] = coll.db.chunk_ids()
    _older_version_collection(chroma_url, name, homes["a"])  # an older version of a wrote it
    with pytest.raises(ForeignCollectionError, match="none of .*chunks"):
        Collection.open(_s(tmp_path / "b", chroma_url, name), embedder=HashEmbedder())
    emb = HashEmbedder()
    with Collection.open(_s(tmp_path / "a", chroma_url, name), embedder=emb) as coll:
        assert coll.vectors.collection.metadata[STORE_KEY] == coll.db.store_id()  # adopted
        assert coll.vectors.count() == len(homes["a"])
    with pytest.raises(ForeignCollectionError, match="another RAG_HOME"):
        Collection.open(_s(tmp_path / "b", chroma_url, name), embedder=HashEmbedder())


def test_a_home_refused_the_collection_it_shared_keeps_its_articles_under_a_new_name(
    tmp_path: Path, chroma_url: str,
) -> None:
    """The README's server recipe once had every RAG_HOME on the default name. The home that lost
    the collection follows the refusal's advice (another RAG_COLLECTION) and finds its articles
    there, rather than an empty collection beside them."""
    write_corpus(tmp_path / "mine", 3, start=200)
    # b's articles: ingested by the default name in its own embedded store (articles.sqlite3)
    with Collection.open(Settings(home=tmp_path / "b", chunk_tokens=40), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "mine")])
    with chroma_server(tmp_path / "server") as (url, _):
        with Collection.open(_s(tmp_path / "a", url, "articles"), embedder=HashEmbedder()) as coll:
            pass  # a holds the server's "articles" now
        with pytest.raises(ForeignCollectionError):
            Collection.open(_s(tmp_path / "b", url, "articles"), embedder=HashEmbedder())
        with Collection.open(_s(tmp_path / "b", url, "b-articles"), embedder=HashEmbedder()) as coll:
            assert coll.db.path.name == "articles.sqlite3"
            coll.ingest([str(tmp_path / "mine")])  # reconcile stores their vectors on the server
            agree(coll, articles=3)


# --- D2: a long-running reader whose collection was made again --------------------------------------

def test_a_reader_survives_its_server_restarting_on_another_path(tmp_path: Path) -> None:
    port = free_port()
    s = _s(tmp_path / "home", f"http://127.0.0.1:{port}", "articles")
    write_corpus(tmp_path / "news", 5)
    query = "When did the harbour of Town3 reopen?"
    with chroma_server(tmp_path / "first", port):
        serving = Collection.open(s, embedder=HashEmbedder())  # `rag serve`: opened once, kept
        serving.ingest([str(tmp_path / "news")])
        assert retrieve(serving.store, query, embed=serving.embedder).passages
    try:
        with chroma_server(tmp_path / "second", port):  # the same address, an empty server
            # before: every query failed with NotFoundError ("check it is running") until a restart
            got = retrieve(serving.store, query, embed=serving.embedder)
            assert got.passages[0].text.startswith("The harbour of Town3")  # keyword search meanwhile
            assert serving.vectors.count() == 0
            with Collection.open(s, embedder=HashEmbedder()) as cli:  # `rag ingest` elsewhere refills it
                cli.ingest([str(tmp_path / "news")])
            assert serving.vectors.count() == serving.db.counts()["chunks"]
            cid = serving.db.chunk_ids()[0]
            hits = serving.store.dense(serving.vectors.vectors_of([cid])[cid], 3)
            assert hits[0][0] == cid  # dense search answers again, without a restart
    finally:
        serving.close()


def test_a_reader_survives_its_collection_being_dropped_and_made_again(tmp_path: Path, chroma_url: str) -> None:
    s = _s(tmp_path / "home", chroma_url, _name())
    write_corpus(tmp_path / "news", 3)
    with Collection.open(s, embedder=HashEmbedder()) as serving:
        serving.ingest([str(tmp_path / "news")])
        make_client(s).delete_collection(s.collection)
        with Collection.open(s, embedder=HashEmbedder()) as cli:
            cli.ingest([str(tmp_path / "news")])  # made again (a new id), refilled
        assert serving.vectors.count() == serving.db.counts()["chunks"]
        assert serving.store.dense(serving.embedder(["harbour of Town1"])[0], 2)
        assert serving.vectors.collection.metadata[STORE_KEY] == serving.db.store_id()


def test_a_collection_gone_for_good_is_not_a_server_that_is_down(tmp_path: Path) -> None:
    from chromadb.errors import NotFoundError

    s = Settings(home=tmp_path, chroma_url="http://127.0.0.1:18123")
    msg = str(store_error(s, "articles", NotFoundError("Collection [01fe] does not exist.")))
    assert "gone from the Chroma server at http://127.0.0.1:18123" in msg and "check it is running" not in msg


# --- N6: /healthz checks the vector store ---------------------------------------------------------

def test_healthz_is_503_while_the_server_is_down(tmp_path: Path) -> None:
    from tests.test_serve import Running

    port = free_port()
    s = _s(tmp_path / "home", f"http://127.0.0.1:{port}", "articles")
    with chroma_server(tmp_path / "server", port) as (_, proc):
        rag = RAG(s, collection=Collection.open(s, embedder=HashEmbedder()), llm=None)
        with Running(create_app(rag, api_key="")) as srv:
            r = httpx.get(f"{srv.url}/healthz")
            assert r.status_code == 200 and r.json()["status"] == "ok"
            proc.kill()
            proc.wait(timeout=30)
            r = httpx.get(f"{srv.url}/healthz", timeout=30)
            assert r.status_code == 503, r.text
            body = r.json()
            assert body["error"]["type"] == "store_unavailable" and f"--port {port}" in body["error"]["message"]
    rag.collection.close()


# --- N3, N4, N5: the address in the hints, something else on the port, the wrong scheme ------------

def test_hints_name_the_configured_port(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(StoreError) as err:
        Collection.open(_s(tmp_path, f"http://127.0.0.1:{port}", "articles"), embedder=HashEmbedder())
    msg = str(err.value)
    assert f"--host 127.0.0.1 --port {port}" in msg and "--port 8000" not in msg


def test_a_port_that_is_not_chroma_is_one_line_with_the_status(tmp_path: Path) -> None:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with pytest.raises(StoreError) as err:
            Collection.open(_s(tmp_path / "home", url, "articles"), embedder=HashEmbedder())
    finally:
        httpd.shutdown()
        httpd.server_close()
    msg = str(err.value)
    assert f"{url} answered but is not a Chroma server (HTTP 404 on /api/v2/heartbeat)" in msg
    assert "<" not in msg and "\n" not in msg


def test_https_against_a_plain_http_server_says_to_check_the_scheme(tmp_path: Path, chroma_url: str) -> None:
    https = chroma_url.replace("http://", "https://")
    with pytest.raises(StoreError) as err:
        Collection.open(_s(tmp_path / "home", https, "articles"), embedder=HashEmbedder())
    msg = str(err.value)
    assert "check the scheme" in msg and f"RAG_CHROMA_URL={chroma_url}" in msg
    assert "Are you sure it is running" not in msg
