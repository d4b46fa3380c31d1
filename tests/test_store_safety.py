"""Store safety (issue 8, items 1, 5, 8, 9): nothing stored is lost, a damaged store is a one-line
error with the fix, a running reader sees other processes' ingests, missing vectors are announced.

Real parts throughout: SQLite, embedded Chroma (and a real `chroma run` server that is killed),
a second process for the cross-process test; the HashEmbedder stands in for the model.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.chunk import embed_text
from rag.errors import StoreError
from index.collection import Collection
from index.pipeline import Indexer
from rag.settings import Settings
from rag.api import RAG
from rag.retrieve import retrieve
from tests.corpus import write_corpus
from tests.chroma_server import chroma_server
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent


def _s(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_tokens": 40})


def _article(path: Path, title: str, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path




def _sources(coll: Collection) -> set[str]:
    return {r[0] for r in coll.db._q("SELECT source FROM sources")}


# --- item 1: --prune and `rag remove` only remove what they were asked to -------------------------

def test_prune_of_a_moved_folder_removes_nothing_and_says_so(settings: Settings, tmp_path: Path) -> None:
    _article(tmp_path / "prune" / "n1.txt", "Harbour reopens", "The harbour of Avonmouth reopened on Monday.")
    _article(tmp_path / "prune-archive" / "n2.txt", "Bridge closes", "The old bridge of Calder closed on Friday.")
    with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "prune"), str(tmp_path / "prune-archive")])
        before = _sources(coll)
        assert len(before) == 2
        (tmp_path / "prune").rename(tmp_path / "prune.moved")
        report = coll.ingest([str(tmp_path / "prune")], prune=True)
        assert report.count("removed") == 0
        assert _sources(coll) == before
        assert any("does not exist, so --prune removed nothing" in (r.reason or "") for r in report.items)


def test_prune_matches_on_path_boundaries(settings: Settings, tmp_path: Path) -> None:
    d = tmp_path / "prune"
    _article(d / "n1.txt", "Harbour reopens", "The harbour of Avonmouth reopened on Monday.")
    _article(d / "n1.txt.txt", "Bridge closes", "The old bridge of Calder closed on Friday.")
    _article(tmp_path / "prune-archive" / "n3.txt", "Mill burns", "A fire destroyed the mill at Hebden on Sunday.")
    gone = _article(d / "n4.txt", "Dam breaks", "The dam above Holme gave way after the storm.")
    with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
        coll.ingest([str(d), str(tmp_path / "prune-archive")])
        assert len(_sources(coll)) == 4
        assert coll.ingest([str(d / "n1.txt")], prune=True).count("removed") == 0
        assert len(_sources(coll)) == 4  # n1.txt.txt is not "under" n1.txt
        gone.unlink()
        report = coll.ingest([str(d)], prune=True)
        assert [r.item for r in report.items if r.status == "removed"] == [os.path.realpath(gone)]
        assert os.path.realpath(tmp_path / "prune-archive" / "n3.txt") in _sources(coll)  # the sibling folder stays


def test_prune_keeps_a_source_that_failed_to_load(settings: Settings, tmp_path: Path) -> None:
    d = tmp_path / "news"
    a = _article(d / "a.txt", "Harbour reopens", "The harbour of Avonmouth reopened on Monday.")
    _article(d / "b.txt", "Bridge closes", "The old bridge of Calder closed on Friday.")
    with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
        coll.ingest([str(d)])
        a.write_bytes(b"")  # exists but cannot be loaded now (e.g. being rewritten): not a deleted file
        report = coll.ingest([str(d)], prune=True)
        assert report.count("removed") == 0 and len(report.failed) == 1
        assert os.path.realpath(a) in _sources(coll)


@pytest.mark.parametrize("ref", ["%", "_", "%%", "_%", ""])
def test_remove_treats_percent_and_underscore_literally(settings: Settings, tmp_path: Path, ref: str) -> None:
    _article(tmp_path / "news" / "a.txt", "Harbour reopens", "The harbour of Avonmouth reopened on Monday.")
    with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        (result,) = coll.remove([ref])
        assert result.status == "failed"
        assert coll.db.counts()["articles"] == 1
        aid = coll.db.list_articles()[0].id
        assert coll.remove([aid[:6]])[0].status == "removed"  # a real prefix still works
        assert coll.db.counts()["articles"] == 0


# --- item 8: a damaged store is a one-line error naming the file and the fix ---------------------

def test_garbage_article_database_is_a_store_error(settings: Settings) -> None:
    settings.home.mkdir(parents=True)
    settings.db_path.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(StoreError, match=r"articles(-\S+)?\.sqlite3.*(not a database).*re-ingest"):
        Collection.open(settings, embedder=HashEmbedder())


def test_damaged_article_database_is_a_store_error(settings: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 30)
    with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
    _checkpoint(settings.db_path)
    assert settings.db_path.stat().st_size > 8 * 4096
    _damage(settings.db_path, 2 * 4096)  # keep the header page, damage the rest
    with pytest.raises(StoreError, match=r"articles(-\S+)?\.sqlite3 is unreadable \(.*malformed"):
        with Collection.open(_s(settings), embedder=HashEmbedder()) as coll:
            coll.ingest([str(tmp_path / "news")])


def _checkpoint(path: Path) -> None:
    """Move everything from the WAL into the database file itself (so damaging the file damages data)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _damage(path: Path, keep: int) -> None:
    """Overwrite ``path`` from byte ``keep`` on with random bytes (after a WAL checkpoint)."""
    _checkpoint(path)
    data = bytearray(path.read_bytes())
    data[keep:] = os.urandom(len(data) - keep)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["garbage", "header-kept"])
def test_unreadable_chroma_is_a_store_error_and_reindex_repairs_it(settings: Settings, tmp_path: Path, damage: str) -> None:
    s = _s(settings)
    write_corpus(tmp_path / "news", 20)
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        chunks = coll.db.counts()["chunks"]
    chroma_db = s.chroma_path / "chroma.sqlite3"
    if damage == "garbage":
        chroma_db.write_bytes(os.urandom(100_000))
    else:  # damaged pages behind a valid header: fails when the client starts or on first use
        _damage(chroma_db, chroma_db.stat().st_size // 2 // 4096 * 4096)
    with pytest.raises(StoreError, match=r"chroma\.sqlite3 is unreadable.*rag reindex"):
        with Collection.open(s, embedder=HashEmbedder()) as coll:
            retrieve(coll.store, "harbour of Town2", embed=coll.embedder)
    with Collection.open(s, embedder=HashEmbedder(), check_embedder=False, repair=True) as coll:
        assert coll.reindex() == chunks
    assert len(list(s.home.glob("chroma.corrupt-*"))) == 1  # kept, not deleted
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        assert coll.vectors.count() == chunks and coll.health() == []
        assert retrieve(coll.store, "harbour of Town2", embed=coll.embedder).passages[0].text.startswith("The harbour of Town2")


# --- item 9: missing vectors are announced; reindex is resumable and never empties the store -----

def test_missing_vectors_warn_in_health_and_on_every_answer(settings: Settings, tmp_path: Path) -> None:
    s = _s(settings)
    write_corpus(tmp_path / "news", 4)
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        assert coll.health() == []
        answer = RAG(s, collection=coll, llm=None).ask("When did the harbour of Town2 reopen?", offline=True)
        assert not any("keyword search only" in n for n in answer.notices)
    shutil.rmtree(s.chroma_path)
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        (warning,) = coll.health()
        assert "only 0 of" in warning and "rag reindex" in warning
        answer = RAG(s, collection=coll, llm=None).ask("When did the harbour of Town2 reopen?", offline=True)
        assert warning in answer.notices


class _DiesAfter(HashEmbedder):
    """Raises on embedding call ``n`` (a reindex killed half-way: each finished batch is committed)."""

    def __init__(self, n: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.n = n

    def __call__(self, texts):  # noqa: ANN001, ANN204
        if len(self.calls) + 1 >= self.n:
            raise KeyboardInterrupt("killed")
        return super().__call__(texts)


@pytest.mark.parametrize("other", [False, True], ids=["same-embedder", "new-embedder"])
def test_killed_reindex_keeps_answering_and_resumes(settings: Settings, tmp_path: Path, monkeypatch, other: bool) -> None:
    s = _s(settings)
    monkeypatch.setattr(Indexer, "batch_chunks", 8)
    monkeypatch.setattr(Indexer, "first_batch_chunks", 8)
    write_corpus(tmp_path / "news", 12)
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        chunks = coll.db.counts()["chunks"]
        ids = set(coll.db.chunk_ids())
    assert chunks > 32
    kw = {"dim": 32, "name": "fake:other"} if other else {}
    with Collection.open(s, embedder=_DiesAfter(4, **kw), check_embedder=False) as coll:
        with pytest.raises(KeyboardInterrupt):
            coll.reindex()
    # killed after 3 batches: the store still answers from a full set of vectors, and says a reindex is pending
    with Collection.open(s, embedder=HashEmbedder()) as coll:
        assert coll.vectors.all_ids() == ids
        (warning,) = coll.health()
        assert "has not finished (24 of" in warning and "resume" in warning
        assert retrieve(coll.store, "harbour of Town2", embed=coll.embedder).passages[0].text.startswith("The harbour of Town2")
    emb = HashEmbedder(**kw)
    with Collection.open(s, embedder=emb, check_embedder=False) as coll:
        assert coll.reindex() == chunks
        assert sum(emb.calls) == chunks - 24  # resumed: the finished batches were not embedded again
    with Collection.open(s, embedder=HashEmbedder(**kw)) as coll:  # the switched embedder now opens checked
        assert coll.vectors.all_ids() == ids and coll.health() == []
        assert retrieve(coll.store, "harbour of Town2", embed=coll.embedder).passages[0].text.startswith("The harbour of Town2")


# --- item 5: a long-running reader sees another process's ingest ---------------------------------

def test_another_process_ingest_is_visible_to_the_dense_search_of_a_running_reader(
    settings: Settings, tmp_path: Path
) -> None:
    s = _s(settings)
    write_corpus(tmp_path / "old", 3)
    new = _article(tmp_path / "new" / "kiln.txt", "Kiln fire at Morwenstow",
                   "Potters at Morwenstow lost their kiln to a fire on Tuesday night.")
    emb = HashEmbedder()
    with Collection.open(s, embedder=emb) as coll:
        coll.ingest([str(tmp_path / "old")])
        rag = RAG(s, collection=coll, llm=None)
        assert rag.ask("When did the harbour of Town1 reopen?", offline=True).passages  # A answers (Chroma loaded)
        proc = subprocess.run(
            [sys.executable, "-m", "tests.ingest_worker", str(s.home), s.collection, str(new)],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        new_ids = set(coll.db.chunk_ids(coll.db.resolve(os.path.realpath(new))))
        assert new_ids
        qvec = emb([embed_text("Kiln fire at Morwenstow", "Potters at Morwenstow lost their kiln to a fire")])[0]
        dense = {cid for cid, _ in coll.vectors.query(qvec, 5)}
        assert new_ids & dense, "the new article's chunk is not found by vector search"
        answer = rag.ask("What did the potters at Morwenstow lose?", offline=True)
        assert any(p.chunk_id in new_ids for p in answer.passages)


# --- item 8: a Chroma server that dies mid-ingest gives a report, not a traceback ----------------

@pytest.mark.integration
@pytest.mark.slow
def test_server_dying_mid_ingest_reports_what_was_stored(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(Indexer, "batch_chunks", 8)
    monkeypatch.setattr(Indexer, "first_batch_chunks", 8)
    write_corpus(tmp_path / "news", 12)
    with chroma_server(tmp_path / "server") as (url, proc):
        s = _s(settings).model_copy(update={"chroma_url": url})

        class KillsServer(HashEmbedder):
            coll: Collection | None = None

            def __call__(self, texts):  # noqa: ANN001, ANN204
                if len(self.calls) == 3:  # once the first batch is committed, the server dies
                    deadline = time.monotonic() + 30
                    while self.coll.db.counts()["articles"] == 0 and time.monotonic() < deadline:
                        time.sleep(0.05)
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(timeout=30)
                return super().__call__(texts)

        emb = KillsServer()
        with Collection.open(s, embedder=emb) as coll:
            emb.coll = coll
            report = coll.ingest([str(tmp_path / "news")])
            added = {r.article_id for r in report.items if r.status == "added"}
            assert added and report.failed
            assert len(added) + len(report.failed) == 12
            assert all("not stored" in (r.reason or "") and url in (r.reason or "") for r in report.failed)
            stored = {a.id for a in coll.db.list_articles()}
            assert stored == added  # what the report calls added is exactly what is stored
