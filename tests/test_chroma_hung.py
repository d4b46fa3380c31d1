"""A Chroma server that hangs (accepts connections, never answers) is a ``StoreError``, not a wait forever.

chromadb's HTTP client has no time limit (its httpx session is built with ``timeout=None``): with the
`chroma run` process stopped (SIGSTOP: the kernel still accepts TCP), `rag ask`, `rag ingest` and
``RAG.ask`` blocked for good. Every request now gives up after ``RAG_CHROMA_TIMEOUT`` seconds
(``index.vectors._limit_wait``, and a heartbeat before the client is built) with a message naming the
server, the limit and the fix. A real `chroma run` on loopback, stopped with SIGSTOP and always
continued (SIGCONT) before it is killed. The ``timeout`` marks are there only to fail a test that
hangs instead of waiting for the suite's 900 s; nothing here measures speed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.pipeline import Indexer
from index.types import ItemResult
from rag.api import RAG
from rag.errors import ConfigError, InputError, StoreError
from rag.settings import Settings, load_settings
from tests.chroma_server import chroma_server
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_robustness import agree

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 2  # RAG_CHROMA_TIMEOUT in these tests: seconds
QUESTION = "When did the harbour of Town4 reopen?"


# --- the setting (no server) ---------------------------------------------------------------------
def test_chroma_timeout_defaults_to_a_limit_and_reads_its_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().chroma_timeout == 30
    monkeypatch.setenv("RAG_CHROMA_TIMEOUT", "2.5")
    assert load_settings().chroma_timeout == 2.5


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_chroma_timeout_that_is_not_positive_is_refused_naming_the_env_var(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RAG_CHROMA_TIMEOUT", value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == f"invalid setting: RAG_CHROMA_TIMEOUT='{value}': should be greater than 0"


def test_a_chroma_timeout_of_zero_given_in_code_names_the_keyword() -> None:
    with pytest.raises(InputError) as err:
        Settings(chroma_timeout=0)
    assert str(err.value).startswith("chroma_timeout: got 0, which should be greater than 0; give chroma_timeout")


# --- a real server, stopped ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen]]:
    """`chroma run` on a free loopback port, for this module: (url, process)."""
    with chroma_server(tmp_path_factory.mktemp("chroma-hung")) as (url, proc):
        try:
            yield url, proc
        finally:
            proc.send_signal(signal.SIGCONT)  # a stopped process is killed all the same, but never leave one


@contextlib.contextmanager
def stopped(proc: subprocess.Popen) -> Iterator[None]:
    """The server hangs (SIGSTOP) inside the block; it always runs again after it (SIGCONT)."""
    proc.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGCONT)


@pytest.fixture
def hung_settings(settings: Settings, server: tuple[str, subprocess.Popen],
                  monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a user gets from the environment: this server, a 2 s limit, a fresh home."""
    url, _ = server
    for name, value in {"RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection,
                        "RAG_CHROMA_URL": url, "RAG_CHROMA_TIMEOUT": str(TIMEOUT), "RAG_CHUNK_TOKENS": "40"}.items():
        monkeypatch.setenv(name, value)
    s = load_settings()
    assert s.chroma_timeout == TIMEOUT and s.chroma_url == url
    return s


def _says_timed_out(message: str, url: str) -> None:
    assert f"the Chroma server at {url} did not answer within {TIMEOUT} seconds" in message, message
    assert "not overloaded" in message and "RAG_CHROMA_TIMEOUT" in message and "try again" in message, message


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_ask_against_a_stopped_server_is_a_store_error_naming_the_server_and_the_setting(
    hung_settings: Settings, server: tuple[str, subprocess.Popen], tmp_path: Path
) -> None:
    url, proc = server
    write_corpus(tmp_path / "news", 6)
    with Collection.open(hung_settings, embedder=HashEmbedder()) as coll:
        assert coll.ingest([str(tmp_path / "news")]).summary()["added"] == 6
        rag = RAG(hung_settings, collection=coll, llm=None)
        assert not rag.ask(QUESTION, offline=True).refused  # the server answers

        with stopped(proc):  # opened before the server hung: the query gives up
            with pytest.raises(StoreError) as err:
                rag.ask(QUESTION, offline=True)
        _says_timed_out(str(err.value), url)
        assert err.value.fix is not None and "RAG_CHROMA_TIMEOUT" in err.value.fix

        assert not rag.ask(QUESTION, offline=True).refused  # running again: the same RAG answers again

    with stopped(proc):  # hung before the collection is opened: Chroma's client is not even built
        with pytest.raises(StoreError) as err:
            Collection.open(hung_settings, embedder=HashEmbedder())
    _says_timed_out(str(err.value), url)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_rag_ask_and_ingest_against_a_stopped_server_exit_2_with_the_message(
    hung_settings: Settings, server: tuple[str, subprocess.Popen], tmp_path: Path
) -> None:
    """As a server that is not running: a library error, one line on stderr, exit code 2."""
    url, proc = server
    write_corpus(tmp_path / "news", 3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env |= {"RAG_HOME": str(hung_settings.home), "RAG_COLLECTION": hung_settings.collection, "RAG_CHROMA_URL": url,
            "RAG_CHROMA_TIMEOUT": str(TIMEOUT), "RAG_CHUNK_TOKENS": "40", "COLUMNS": "400"}

    def rag(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    assert rag("ingest", str(tmp_path / "news")).returncode == 0
    with stopped(proc):
        ask = rag("ask", QUESTION)
        ingest = rag("ingest", str(tmp_path / "news"))
    for got in (ask, ingest):
        assert got.returncode == 2, got.stderr
        _says_timed_out(" ".join(got.stderr.split()), url)
    assert rag("ask", QUESTION).returncode == 0  # running again: nothing to repair


ARTICLES = 20


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_ingest_whose_server_hangs_stops_claims_only_what_is_stored_and_a_rerun_stores_the_rest(
    hung_settings: Settings, server: tuple[str, subprocess.Popen], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server hangs right after the first write: the next write gives up after the limit, every
    article not stored is reported failed with the reason, and what the report calls added is exactly
    what is stored. Continued, the server may still apply the write it never confirmed; the same
    command run again stores the rest and the two stores agree."""
    url, proc = server
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1)  # the first pipeline batch is a0000 alone
    # no heartbeat between model batches (``_store_gone``): the write itself must give up
    monkeypatch.setattr(Indexer, "probe_every", 3600.0)
    write_corpus(tmp_path / "news", ARTICLES)

    hung: list[str | None] = []  # the article stored before the server was stopped

    def progress(r: ItemResult) -> None:  # called by the writer: its next write finds the server stopped
        if r.status == "added" and not hung:
            proc.send_signal(signal.SIGSTOP)
            hung.append(r.article_id)

    try:
        with Collection.open(hung_settings, embedder=HashEmbedder()) as coll:
            report = coll.ingest([str(tmp_path / "news")], progress=progress)
            stored = {a.id for a in coll.db.list_articles()}
    finally:
        proc.send_signal(signal.SIGCONT)

    assert hung, "the first article was never written"
    added = {r.article_id for r in report.items if r.status == "added"}
    assert added == set(hung) and stored == added  # what the report calls added is exactly what is stored
    assert len(report.failed) == ARTICLES - 1
    [reason] = {r.reason for r in report.failed}  # one reason, naming the server, the limit and the fix
    assert reason.startswith("not stored: ")
    _says_timed_out(reason, url)

    with Collection.open(hung_settings, embedder=HashEmbedder()) as coll:
        assert set(coll.db.chunk_ids()) <= coll.vectors.all_ids()  # every claimed article has its vectors
        again = coll.ingest([str(tmp_path / "news")])
        assert not again.failed
        assert again.summary()["added"] == ARTICLES - 1 and again.summary()["unchanged"] == 1
        agree(coll, articles=ARTICLES)
