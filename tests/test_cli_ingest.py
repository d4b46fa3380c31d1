"""`rag ingest`, `rag reindex` and `rag stats` as a user meets them when something is in the way:
another process writing, Ctrl-C, a Chroma server lost mid-ingest, chunk settings changed.

The commands run in-process (CliRunner) on a real store with the HashEmbedder standing in for the
model (tests/test_cli_commands.py runs the model in a child process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from index.collection import Collection
from index.pipeline import Indexer
from index.types import IngestReport, ItemResult
from rag.cli import app
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder


class Batched(HashEmbedder):
    batch_size = 4


class DiesAt(Batched):
    """Ctrl-C on model batch ``n`` (counted from 0)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __call__(self, texts):  # noqa: ANN001, ANN204
        if len(self.calls) == self.n:
            raise KeyboardInterrupt
        return super().__call__(texts)


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """RAG_HOME and friends set for the CLI; ``use(embedder)`` picks what the commands embed with."""
    for key, value in (("RAG_HOME", str(settings.home)), ("RAG_COLLECTION", settings.collection),
                       ("RAG_CHUNK_TOKENS", "40"), ("COLUMNS", "300")):
        monkeypatch.setenv(key, value)
    use(monkeypatch, HashEmbedder())
    return settings.model_copy(update={"chunk_tokens": 40})


def use(monkeypatch: pytest.MonkeyPatch, embedder: HashEmbedder) -> None:
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: embedder)


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_busy_store_is_refused_before_the_progress_bar_with_a_generic_message(env: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 3)
    with Collection.open(env, embedder=HashEmbedder()) as other:
        lock = other.indexer._locked()  # another process writing (a `rag ui` storing an upload, say)
        try:
            for args in (("ingest", str(tmp_path / "news")), ("reindex",), ("remove", "abc")):
                result = run(*args)
                out = flat(result.output)
                assert result.exit_code == 2, (args, result.output)
                assert f"another rag process is writing to RAG_HOME {env.home}" in out, out
                assert "ingest.lock" not in out and "delete" not in out  # the lock ends with its process
                assert "0/3" not in out and "0/0" not in out  # no empty progress bar first
        finally:
            lock.release()
    assert run("ingest", str(tmp_path / "news")).exit_code == 0


def test_ctrl_c_during_ingest_says_what_was_stored_and_how_to_continue(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Indexer, "batch_chunks", 2)  # one article per batch
    monkeypatch.setattr(Indexer, "first_batch_chunks", 2)
    write_corpus(tmp_path / "news", 6)
    use(monkeypatch, DiesAt(2))  # the second article's batch (the first one's 7 chunks are 2 model batches)
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 130, result.output
    out = flat(result.output)
    assert "interrupted: 1 article stored by this run (1 added, 0 updated), each complete; run the same command " \
           "again to continue" in out, out
    use(monkeypatch, HashEmbedder())
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 0 and flat(result.output).count("unchanged") >= 1
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        assert coll.db.counts()["articles"] == 6 == len(coll.db.list_articles())


def test_ctrl_c_during_reindex_and_the_resumed_run_report_this_runs_work(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Indexer, "batch_chunks", 1000)
    write_corpus(tmp_path / "news", 4)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        total = coll.db.counts()["chunks"]
    use(monkeypatch, DiesAt(2))
    result = run("reindex")
    assert result.exit_code == 130, result.output
    assert f"interrupted: 8 of {total} chunks re-embedded (8 by this run), each stored; run `rag reindex` again " \
           "to resume" in flat(result.output)
    use(monkeypatch, Batched())
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert (f"re-embedded {total - 8} chunks with fake:hash-64 (resumed: 8 were re-embedded by an earlier run); "
            f"{total} chunks stored") in flat(result.output)


def test_changed_chunk_settings_are_named_by_ingest_and_stats_and_applied_by_reindex(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "80")
    notice = "stored articles were chunked with 40 tokens, RAG_CHUNK_TOKENS is 80: run `rag reindex`"
    result = run("stats")
    assert result.exit_code == 0 and f"warning: {notice}" in flat(result.output), result.output
    result = run("ingest", str(tmp_path / "news"))
    out = flat(result.output)
    assert result.exit_code == 0 and out.count(notice) == 1 and out.index(notice) < out.index("ingest report")
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert ("re-chunked 3 articles from the stored texts (40 tokens, 1 sentence of overlap -> 80 tokens, "
            "1 sentence of overlap)") in flat(result.output)
    result = run("stats")
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_failures_that_share_a_reason_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli.ingest import print_report

    gone = "not stored: the Chroma server at http://127.0.0.1:8000 failed (ConnectError: refused); check it is running"
    items = [ItemResult(f"/news/a{i}.txt", "failed", reason=gone) for i in range(178)]
    items += [ItemResult("/news/bad.bin", "failed", reason="looks like a binary file"),
              ItemResult("/news/ok.txt", "added")]
    print_report(IngestReport(tuple(items), 1.0))
    err = flat(capsys.readouterr().err)
    assert err.count(gone) == 1
    assert f"failed 178 items (/news/a0.txt, /news/a1.txt, /news/a2.txt and 175 more): {gone}" in err
    assert "failed /news/bad.bin: looks like a binary file" in err


def test_re_embedding_missing_vectors_shows_its_own_progress(env: Settings, tmp_path: Path) -> None:
    """After a crash (or an emptied server collection) ingest first re-embeds what Chroma lacks: a
    bar of its own, not `0/N` articles for minutes."""
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        ids = coll.db.chunk_ids()
        coll.vectors.delete(ids)
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 0, result.output
    assert "re-embed missing" in result.output and f"{len(ids)}/{len(ids)}" in result.output
