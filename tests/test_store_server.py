"""The store behind a real `chroma run` server on loopback (HttpClient): ingest, query, re-ingest,
embedder mismatch and reindex, and a kill -9 of an ingest that talks to the server."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import EmbedderMismatchError, StoreError
from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from rag.retrieve import retrieve
from tests.corpus import write_corpus
from tests.chroma_server import chroma_server, free_port
from tests.fakes import HashEmbedder
from tests.test_robustness import agree, start_worker, wait_for_articles

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on a free loopback port, for this module."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@pytest.fixture
def server_settings(settings: Settings, chroma_url: str) -> Settings:
    return settings.model_copy(update={"chroma_url": chroma_url, "chunk_tokens": 40})


def test_ingest_query_reingest_through_the_server(server_settings: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 10)
    emb = HashEmbedder()
    with Collection.open(server_settings, embedder=emb) as coll:
        report = coll.ingest([str(tmp_path / "news")])
        assert report.summary()["added"] == 10 and not report.failed
        agree(coll, articles=10)
        got = retrieve(coll.store, "When did the harbour of Town4 reopen?", embed=coll.embedder)
        assert got.passages[0].text.startswith("The harbour of Town4")
        answer = RAG(server_settings, collection=coll, llm=None).ask("When did the harbour of Town4 reopen?", offline=True)
        assert not answer.refused and "Town4" in answer.citations[0].quote
        calls = len(emb.calls)
        assert coll.ingest([str(tmp_path / "news")]).summary()["unchanged"] == 10
        assert len(emb.calls) == calls
    assert not (server_settings.home / "chroma").exists()  # the vectors live on the server


def test_embedder_mismatch_and_reindex_through_the_server(server_settings: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 4)
    with Collection.open(server_settings, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
    with pytest.raises(EmbedderMismatchError, match="rag reindex"):
        Collection.open(server_settings, embedder=HashEmbedder(dim=32, name="fake:other"))
    with pytest.raises(EmbedderMismatchError, match="64 dimensions.*32 dimensions"):
        Collection.open(server_settings, embedder=HashEmbedder(dim=32))
    with Collection.open(server_settings, embedder=HashEmbedder(dim=32, name="fake:other"), check_embedder=False) as coll:
        assert coll.reindex() == coll.db.counts()["chunks"]
    with Collection.open(server_settings, embedder=HashEmbedder(dim=32, name="fake:other")) as coll:
        agree(coll, articles=4)
        assert retrieve(coll.store, "harbour of Town2", embed=coll.embedder).passages[0].text.startswith("The harbour of Town2")


def test_kill_9_with_the_server_then_reingest_agrees(server_settings: Settings, tmp_path: Path) -> None:
    s = server_settings
    corpus = tmp_path / "news"
    write_corpus(corpus, 30)
    proc = start_worker(s, [str(corpus)], delay=0.08)  # passes RAG_CHROMA_URL on
    wait_for_articles(proc, s.db_path, 8)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        assert retrieve(coll.store, "harbour of Town3", embed=coll.embedder).passages
        report = coll.ingest([str(corpus)])
        assert not report.failed
        agree(coll, articles=30)


def test_unreachable_server_is_a_clear_error(settings: Settings) -> None:
    bad = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(StoreError, match="chroma run"):
        Collection.open(bad, embedder=HashEmbedder())
