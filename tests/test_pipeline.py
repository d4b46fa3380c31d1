"""The ingest pipeline (index.pipeline) with the HashEmbedder and embedded Chroma: batching,
vector alignment after length-sorting, re-ingest, edits, duplicates, failures and reconcile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.chunk import embed_text
from index.collection import Collection
from index.pipeline import Indexer
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder


def agree(coll: Collection) -> None:
    """Chroma and the article database hold exactly the same chunks; the lexical index matches."""
    ids = coll.db.chunk_ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == coll.vectors.all_ids()
    counts = coll.db.counts()
    assert counts["chunks"] == counts["lexical"] == coll.vectors.count() == len(ids)


@pytest.fixture
def small(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_tokens": 40})  # several chunks per synthetic article


@pytest.fixture
def coll(small: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch) -> Collection:
    monkeypatch.setattr(Indexer, "batch_chunks", 7)  # many batches, odd sizes
    monkeypatch.setattr(Indexer, "first_batch_chunks", 3)
    with Collection.open(small, embedder=fake_embedder) as c:
        yield c


def test_ingest_stores_every_chunk_once_with_its_own_vector(coll: Collection, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 12)
    report = coll.ingest([str(tmp_path / "news")])
    assert report.summary()["added"] == 12 and not report.failed
    agree(coll)
    ids = coll.db.chunk_ids()
    assert len(ids) > 12 * 2  # small chunks: several per article
    # batches are length-sorted before embedding: each vector must still belong to its own chunk
    rows = coll.db.chunks_by_ids(ids)
    got = coll.vectors.collection.get(ids=ids, include=["embeddings"])
    stored = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
    expected = HashEmbedder()([embed_text(rows[i].title, rows[i].text) for i in ids])
    for i, cid in enumerate(ids):
        assert np.allclose(stored[cid], expected[i], atol=1e-5), cid


def test_embed_sorted_restores_order_and_uses_model_batches() -> None:
    class Batched(HashEmbedder):
        batch_size = 4

    emb = Batched()
    indexer = Indexer.__new__(Indexer)
    indexer.embedder = emb
    texts = [("word " * n).strip() + f" t{n}" for n in (9, 1, 5, 12, 3, 7, 2, 11, 4, 6)]
    out = indexer._embed_sorted(texts)
    assert emb.calls == [4, 4, 2]  # one model batch per call: the lock is released in between
    assert np.allclose(out, HashEmbedder()(texts), atol=1e-6)


def test_unchanged_reingest_embeds_nothing(coll: Collection, fake_embedder: HashEmbedder, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 10)
    coll.ingest([str(tmp_path / "news")])
    calls = len(fake_embedder.calls)
    again = coll.ingest([str(tmp_path / "news")])
    assert again.summary()["unchanged"] == 10 and again.summary()["added"] == 0
    assert len(fake_embedder.calls) == calls
    agree(coll)


def test_editing_one_article_reembeds_only_it(coll: Collection, fake_embedder: HashEmbedder, tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "news", 10)
    coll.ingest([str(tmp_path / "news")])
    aid = coll.db.by_source(str(paths[3].resolve())).id
    old_ids = set(coll.db.chunk_ids(aid))
    paths[3].write_text(paths[3].read_text() + "\nA new closing sentence was added today.\n")
    before = sum(fake_embedder.calls)
    report = coll.ingest([str(tmp_path / "news")])
    assert report.summary() | {} == {"added": 0, "updated": 1, "unchanged": 9, "duplicate": 0, "removed": 0, "failed": 0,
                                       "skipped": 0, "grouped": 0}
    new_ids = set(coll.db.chunk_ids(aid))
    assert sum(fake_embedder.calls) - before == len(new_ids)
    assert not (old_ids & coll.vectors.all_ids())  # superseded vectors are gone
    agree(coll)


def test_same_text_from_two_sources_is_stored_once(coll: Collection, tmp_path: Path) -> None:
    [p] = write_corpus(tmp_path / "a", 1)
    copy = tmp_path / "b" / "copy.txt"
    copy.parent.mkdir()
    copy.write_text(p.read_text())
    report = coll.ingest([str(p), str(copy)])
    assert report.summary()["added"] == 1 and report.summary()["duplicate"] == 1
    assert coll.db.counts()["articles"] == 1 and coll.db.counts()["sources"] == 2
    # the duplicate names the file it copies (the twin was still in the pipeline), then a stored one
    [dup] = [i for i in report.items if i.status == "duplicate"]
    assert dup.reason == f"same text as {p.resolve()} (article {dup.article_id})", dup.reason
    third = tmp_path / "c.txt"
    third.write_text(p.read_text())
    [again] = coll.ingest([str(third)]).items
    assert again.status == "duplicate" and again.reason == f"same text as {p.resolve()} (article {dup.article_id})"
    agree(coll)


def test_failing_embedding_batch_fails_its_items_only(small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Flaky(HashEmbedder):
        def __call__(self, texts):
            if any("Town3 " in t for t in texts):
                raise RuntimeError("model exploded")
            return super().__call__(texts)

    monkeypatch.setattr(Indexer, "batch_chunks", 1)  # one article per batch
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1)
    write_corpus(tmp_path / "news", 6)
    with Collection.open(small, embedder=Flaky()) as coll:
        report = coll.ingest([str(tmp_path / "news")])
        [failed] = report.failed
        assert "a0003.txt" in failed.item and "model exploded" in failed.reason
        assert report.summary()["added"] == 5
        agree(coll)


def test_reconcile_drops_orphans_and_reembeds_gaps(coll: Collection, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 5)
    coll.ingest([str(tmp_path / "news")])
    ids = coll.db.chunk_ids()
    coll.vectors.delete(ids[:3])  # as if killed before the vectors were written
    coll.vectors.upsert(["ghost:0:0"], HashEmbedder()(["ghost"]), [{"article_id": "ghost", "source": "x", "published": 0}])
    assert coll.reconcile() == {"orphans_removed": 1, "reembedded": 3}
    agree(coll)
    assert coll.reconcile() == {"orphans_removed": 0, "reembedded": 0}


def test_prune_removes_vanished_files(coll: Collection, tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "news", 4)
    coll.ingest([str(tmp_path / "news")])
    paths[0].unlink()
    report = coll.ingest([str(tmp_path / "news")], prune=True)
    assert report.summary()["removed"] == 1 and coll.db.counts()["articles"] == 3
    agree(coll)


def test_one_path_given_alone_is_one_input_and_prunes_only_under_it(coll: Collection, tmp_path: Path) -> None:
    kept = write_corpus(tmp_path / "kept", 2)
    news = write_corpus(tmp_path / "news", 3, start=10)
    coll.ingest([str(tmp_path / "kept")])
    # a str (or a Path) is one input: its characters ("/", "t", ...) were inputs, "/" walked the disk
    report = coll.ingest(str(tmp_path / "news"))
    assert report.summary()["added"] == 3 and {i.item for i in report.items} == {str(p.resolve()) for p in news}
    news[0].unlink()
    report = coll.ingest(tmp_path / "news", prune=True)  # and "/" as a prune root would remove everything
    assert report.summary()["removed"] == 1 and coll.db.counts()["articles"] == 4
    assert all(coll.db.resolve(str(p.resolve())) for p in kept)
    with pytest.raises(TypeError, match="path or URL"):
        coll.ingest([tmp_path / "news", 3])
    agree(coll)


def test_an_empty_input_is_an_error_not_the_current_folder(coll: Collection, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "here", 2)
    monkeypatch.chdir(tmp_path / "here")  # `rag ingest "$UNSET"` read the folder it was run in
    for empty in ("", "  "):
        [item] = coll.ingest([empty], prune=True).items
        assert item.status == "failed" and "empty input" in item.reason, item
    assert coll.db.counts()["articles"] == 0


def test_large_single_batch_and_empty_input(small: Settings, fake_embedder: HashEmbedder, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 30)
    with Collection.open(small, embedder=fake_embedder) as coll:  # default batch sizes
        assert coll.ingest([str(tmp_path / "news")]).summary()["added"] == 30
        agree(coll)
        assert coll.indexer._embed_sorted([]).shape[0] == 0


def test_interrupted_embedding_stops_the_pipeline_without_hanging(small: Settings, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the embedding stage: the reader (blocked on a full queue) and writer stop, the
    lock is released, and what was committed is consistent."""

    class Interrupting(HashEmbedder):
        def __call__(self, texts):
            if len(self.calls) == 3:
                raise KeyboardInterrupt
            return super().__call__(texts)

    monkeypatch.setattr(Indexer, "batch_chunks", 2)
    monkeypatch.setattr(Indexer, "first_batch_chunks", 2)
    write_corpus(tmp_path / "news", 40)
    with Collection.open(small, embedder=Interrupting()) as coll:
        with pytest.raises(KeyboardInterrupt):
            coll.ingest([str(tmp_path / "news")])
        lock = coll.indexer._locked()  # released
        lock.release()
        report = Indexer(coll.store, HashEmbedder()).ingest([str(tmp_path / "news")])
        assert not report.failed and report.summary()["added"] + report.summary()["unchanged"] == 40, report.summary()
        agree(coll)


@pytest.mark.slow
def test_counting_tokens_while_the_model_embeds_in_another_thread(real_embedder) -> None:
    """The ingest reader counts word-pieces while the model encodes: they must not share tokenizer
    state (this failed whole BBC batches with "Unable to create tensor ... truncation")."""
    import threading

    texts = [("Storm damage closed the harbour for weeks. " * (1 + i % 9)).strip() for i in range(48)]
    expected = real_embedder.count_tokens(texts)
    errors: list[BaseException] = []
    stop = threading.Event()

    def count() -> None:
        try:
            while not stop.is_set():
                assert real_embedder.count_tokens(texts) == expected
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=count)
    t.start()
    try:
        for i in range(6):
            assert real_embedder(texts[i : i + 16]).shape == (16, 384)
    finally:
        stop.set()
        t.join()
    assert not errors, errors[0]


def test_reingest_after_a_clean_run_skips_the_full_id_comparison(coll: Collection, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "news", 5)
    coll.ingest([str(tmp_path / "news")])
    full = []
    real_all_ids = coll.vectors.all_ids
    monkeypatch.setattr(coll.vectors, "all_ids", lambda: full.append(1) or real_all_ids())
    coll.ingest([str(tmp_path / "news")])
    assert not full  # clean mark set and counts equal: nothing to compare

    coll.db.set_meta("clean", "0")  # as a killed ingest, remove or reindex leaves it
    coll.ingest([str(tmp_path / "news")])
    assert len(full) == 1 and coll.db.get_meta("clean") == "1"

    coll.vectors.delete(coll.db.chunk_ids()[:2])  # counts differ: compared even though marked clean
    coll.ingest([str(tmp_path / "news")])
    assert len(full) == 2
    agree(coll)


def test_a_second_copy_keeps_the_article_its_story_and_a_live_source(coll: Collection, tmp_path: Path) -> None:
    """Two identical files are one article with two sources, grouped with a near-copy. Pruning the
    deleted file, or `rag remove` of one source, keeps the article, shows it from the file that is
    left and keeps its story; removing the last source (or the article id) removes it."""
    news = tmp_path / "news"
    news.mkdir()
    text = " ".join(f"The harbour storm damaged {n} boats near the pier on Sunday, officials said." for n in range(12))
    (news / "a.txt").write_text("Storm hits harbour\n\n" + text, encoding="utf-8")
    (news / "b.txt").write_text("Storm hits harbour\n\n" + text, encoding="utf-8")
    (tmp_path / "wire.txt").write_text("Harbour hit by storm\n\nUPDATE: " + text, encoding="utf-8")
    coll.ingest([str(news), str(tmp_path / "wire.txt")])
    [art] = [a for a in coll.db.list_articles() if a.title == "Storm hits harbour"]
    assert art.story_size == 2 and len(coll.db.sources_of(art.id)) == 2

    (news / "a.txt").unlink()
    report = coll.ingest([str(news)], prune=True)
    assert report.summary()["removed"] == 1
    [kept] = [a for a in coll.db.list_articles() if a.id == art.id]
    assert kept.source == str(news / "b.txt") and kept.story_size == 2  # a live source, still grouped

    coll.ingest([str(news / "b.txt")])
    (news / "c.txt").write_text("Storm hits harbour\n\n" + text, encoding="utf-8")
    coll.ingest([str(news / "c.txt")])
    [res] = coll.remove([str(news / "b.txt")])
    assert res.status == "removed" and "stays" in res.reason and str(news / "c.txt") in res.reason
    assert coll.db.sources_of(art.id) == [str(news / "c.txt")]
    assert [a.source for a in coll.db.list_articles() if a.id == art.id] == [str(news / "c.txt")]
    agree(coll)

    [res] = coll.remove([str(news / "c.txt")])  # its last source: the article goes
    assert res.status == "removed" and not res.reason
    assert art.id not in {a.id for a in coll.db.list_articles()}
    agree(coll)


def test_search_check_warns_when_vector_search_misses_stored_passages(coll: Collection, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert coll.search_check() is None  # empty: nothing to find
    write_corpus(tmp_path / "news", 12)
    coll.ingest([str(tmp_path / "news")])
    assert coll.search_check() is None  # each sampled passage is found by its own vector
    real = coll.store.vectors.query
    # an index that answers every vector with the same few passages, as one broken by thousands of
    # identical vectors did (only ``rag reindex`` repaired it, and nothing said so)
    monkeypatch.setattr(coll.store.vectors, "query", lambda v, k, where=None: real(v * 0 + 1, k, where))
    warning = coll.search_check()
    assert warning and "rag reindex" in warning and "of 24" in warning


# --- Ctrl-C, a failing store and progress: the write lock, what is kept, what is redone -------------

class Batched(HashEmbedder):
    """The HashEmbedder with a model batch size, as the real embedders have (64)."""

    batch_size = 4


def test_ctrl_c_while_the_writer_stores_keeps_the_lock_until_its_batch_is_stored(
    small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaching the main thread while it joins the writer: the lock stays held and the writer
    stores the batch it has (it was released under the writer, and the process could exit mid-batch)."""
    import signal
    import threading
    import time

    from rag.errors import StoreBusyError

    write_corpus(tmp_path / "news", 6)
    main = threading.main_thread().ident
    real_write = Indexer._write
    seen: dict[str, object] = {}

    def write(self: Indexer, batch, vecs, emit) -> None:  # noqa: ANN001
        if "signalled" not in seen:
            seen["signalled"] = True
            time.sleep(0.3)  # the only batch is embedded: the main thread is joining this thread
            signal.pthread_kill(main, signal.SIGINT)
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:  # is the lock let go while this thread still writes?
                try:
                    self._locked().release()
                except StoreBusyError:
                    time.sleep(0.05)
                    continue
                seen["released while writing"] = True
                break
        real_write(self, batch, vecs, emit)
        seen["stored"] = True

    monkeypatch.setattr(Indexer, "_write", write)
    with Collection.open(small, embedder=HashEmbedder()) as coll:
        with pytest.raises(KeyboardInterrupt):
            coll.ingest([str(tmp_path / "news")])
        assert seen.get("stored") and "released while writing" not in seen
        assert coll.db.counts()["articles"] == 6  # the embedded batch was stored, not abandoned
        agree(coll)
        coll.indexer._locked().release()  # and released afterwards


def test_a_store_failing_mid_ingest_stops_the_embedding_of_the_next_batch(
    small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the writer finds the store gone, the batch being embedded stops at its next model batch
    (a dead Chroma server kept the model busy for 25 s), and every item not stored is reported."""
    import time

    from rag.errors import StoreError

    monkeypatch.setattr(Indexer, "first_batch_chunks", 2)
    monkeypatch.setattr(Indexer, "batch_chunks", 200)
    write_corpus(tmp_path / "news", 12)
    with Collection.open(small, embedder=HashEmbedder()) as coll:

        import threading

        second = threading.Event()

        class Waiting(Batched):
            def __call__(self, texts):  # noqa: ANN001, ANN204
                if len(self.calls) == 2:  # the second batch (a0000's 7 chunks were the first) ...
                    second.set()
                    deadline = time.monotonic() + 5
                    while coll.indexer._store_failure is None and time.monotonic() < deadline:
                        time.sleep(0.01)  # ... is being embedded when the writer finds the store gone
                return super().__call__(texts)

        def gone(*_a: object) -> None:
            second.wait(5)
            raise StoreError("the Chroma server at http://127.0.0.1:1 failed (ConnectError)")

        emb = Waiting()
        coll.indexer.embedder = emb
        monkeypatch.setattr(coll.vectors, "upsert", gone)
        report = coll.ingest([str(tmp_path / "news")])
        assert report.summary()["failed"] == 12 and report.summary()["added"] == 0
        assert {r.reason for r in report.failed} == {"not stored: the Chroma server at http://127.0.0.1:1 failed (ConnectError)"}
        assert emb.calls[:2] == [4, 3]  # the first batch
        assert len(emb.calls) == 3  # the second batch stopped after the model batch it was in


def test_a_stop_stores_the_batch_being_embedded_reads_no_further_and_prunes_nothing(
    small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rag ingest``'s first Ctrl-C sets ``stop`` while a batch is embedded: that batch is embedded to
    its end and stored, nothing after it, and --prune (which needs every input seen) removes nothing."""
    import threading

    monkeypatch.setattr(Indexer, "batch_chunks", 1)  # one article per pipeline batch
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1)
    paths = write_corpus(tmp_path / "news", 12)
    stop = threading.Event()

    class StopsInStory2(Batched):
        def __call__(self, texts):  # noqa: ANN001, ANN204
            if any(t.startswith("Story 2:") for t in texts):
                stop.set()  # in the first of the two model batches of Story 2's pipeline batch
            return super().__call__(texts)

    with Collection.open(small, embedder=HashEmbedder()) as coll:
        coll.ingest([str(p) for p in paths[10:]])  # stored before; this run reaches neither
        emb = StopsInStory2()
        report = Indexer(coll.store, emb).ingest([str(tmp_path / "news")], prune=True, stop=stop)
        assert [(r.status, r.title.split(":")[0]) for r in report.items] == [
            ("added", "Story 0"), ("added", "Story 1"), ("added", "Story 2")]
        assert sum(emb.calls) == 3 * 7  # Story 2 embedded to its end (7 chunks), nothing after it
        assert sorted(a.title.split(":")[0] for a in coll.db.list_articles(None, 20)) == [
            "Story 0", "Story 1", "Story 10", "Story 11", "Story 2"]  # --prune removed nothing
        agree(coll)
        assert coll.health() == []
        again = coll.ingest([str(tmp_path / "news")])  # the same command goes on: stored articles are skipped
        assert (again.summary()["unchanged"], again.summary()["added"]) == (5, 7)
        agree(coll)


def test_ctrl_c_after_a_stop_aborts_after_the_article_being_stored_and_leaves_no_stray_vectors(
    small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second Ctrl-C (a KeyboardInterrupt after ``stop``) while the writer stores a batch of three
    articles: it stops after the one it is committing, takes back the vectors it had written for the
    other two, and drops the batches queued. What is stored is whole: `rag stats` has nothing to say."""
    import signal
    import threading
    import time

    monkeypatch.setattr(Indexer, "batch_chunks", 20)  # three articles of 7 chunks per pipeline batch
    monkeypatch.setattr(Indexer, "first_batch_chunks", 20)
    write_corpus(tmp_path / "news", 12)
    stop = threading.Event()
    main = threading.main_thread().ident
    with Collection.open(small, embedder=HashEmbedder()) as coll:
        real_put = coll.db.put_article

        def put_article(article, chunks):  # noqa: ANN001, ANN202
            old = real_put(article, chunks)
            if not stop.is_set():  # the first article committed: Ctrl-C, then Ctrl-C again
                stop.set()
                signal.pthread_kill(main, signal.SIGINT)
                aborting = getattr(coll.indexer, "_aborting", None)
                end = time.monotonic() + 30  # (without an abort the batch is simply stored in full)
                while not (aborting is not None and aborting.is_set()) and time.monotonic() < end:
                    time.sleep(0.01)
            return old

        monkeypatch.setattr(coll.db, "put_article", put_article)
        seen: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            coll.indexer.ingest([str(tmp_path / "news")], progress=lambda r: seen.append(r.status), stop=stop)
        assert seen == ["added"] and coll.db.counts()["articles"] == 1
        agree(coll)  # the other two articles' vectors were taken back
        assert coll.health() == []
        coll.indexer._locked().release()  # the lock was let go
        again = coll.ingest([str(tmp_path / "news")])
        assert (again.summary()["unchanged"], again.summary()["added"]) == (1, 11)
        agree(coll)


def test_reconcile_reports_and_stores_each_model_batch(small: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 6)
    with Collection.open(small, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        ids = coll.db.chunk_ids()
        coll.vectors.delete(ids)  # as after a crash, or an emptied server collection

        class DiesThird(Batched):
            def __call__(self, texts):  # noqa: ANN001, ANN204
                if len(self.calls) == 2:
                    raise KeyboardInterrupt
                return super().__call__(texts)

        with pytest.raises(KeyboardInterrupt):
            Indexer(coll.store, DiesThird()).reconcile()
        assert coll.vectors.count() == 8  # two model batches were stored as they were embedded

        seen: list[tuple[int, int]] = []
        emb = Batched()
        assert Indexer(coll.store, emb).reconcile(lambda done, total: seen.append((done, total))) == {
            "orphans_removed": 0, "reembedded": len(ids) - 8}
        total = len(ids) - 8
        assert seen[0] == (0, total) and seen[-1] == (total, total)
        assert [b - a for (a, _), (b, _) in zip(seen, seen[1:])] == emb.calls  # one step per model batch
        agree(coll)


# --- chunk settings: ingest cuts like the stored articles and says so --------------------------------

def test_ingest_with_other_chunk_settings_skips_unchanged_articles_and_warns_once(
    small: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from index.chunk import chunk_article
    from index.maintenance import Chunking, stored_chunking
    from index.types import Article

    write_corpus(tmp_path / "news", 6)
    with Collection.open(small, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        assert stored_chunking(coll.db) == Chunking(40, 1)
    other = small.model_copy(update={"chunk_tokens": 80})
    emb = HashEmbedder()
    with Collection.open(other, embedder=emb) as coll:
        notice = ("stored articles were chunked with 40 tokens, RAG_CHUNK_TOKENS is 80: run `rag reindex` to "
                  "re-chunk them from the stored texts (until then new articles are chunked like the stored ones)")
        assert coll.health() == [notice]
        with caplog.at_level(logging.WARNING, logger="index.pipeline"):
            report = coll.ingest([str(tmp_path / "news")])
            assert report.summary()["unchanged"] == 6 and not emb.calls  # no re-chunk, no embedding: fast
            [new] = write_corpus(tmp_path / "more", 1, start=50)
            assert coll.ingest([str(new)]).summary()["added"] == 1
        assert [r.getMessage() for r in caplog.records] == [notice]  # once, not per ingest
        aid = coll.db.by_source(str(new.resolve())).id
        title, body = new.read_text().split("\n\n", 1)
        art = Article(source=str(new.resolve()), title=title, text=coll.db.article_text(aid))
        assert len(coll.db.chunk_ids(aid)) == len(chunk_article(art, max_tokens=40, overlap=1)) > len(
            chunk_article(art, max_tokens=80, overlap=1))  # cut like the stored articles, not mixed
        assert stored_chunking(coll.db) == Chunking(40, 1)
        agree(coll)


def test_a_store_without_recorded_chunk_settings_is_taken_to_be_at_the_settings(small: Settings, tmp_path: Path) -> None:
    from index.maintenance import Chunking, stored_chunking

    write_corpus(tmp_path / "news", 3)
    with Collection.open(small, embedder=HashEmbedder()) as coll:
        coll.ingest([str(tmp_path / "news")])
        coll.db.set_meta("chunking", None)  # a store from before the settings were recorded
    other = small.model_copy(update={"chunk_tokens": 80})
    emb = HashEmbedder()
    with Collection.open(other, embedder=emb) as coll:
        assert coll.health() == [] and coll.indexer.chunking_notice() is None
        assert coll.ingest([str(tmp_path / "news")]).summary()["unchanged"] == 3 and not emb.calls
        assert stored_chunking(coll.db) == Chunking(80, 1)  # recorded now: no surprise re-chunk


# --- remove: reasons for no surface in particular; the report in input order -------------------------


def test_remove_says_why_in_a_code_and_neutral_words(coll: Collection, tmp_path: Path) -> None:
    """``remove`` worded its reasons for the CLI ("(see `rag list`)", "`rag remove ID` removes it"),
    which REST then rewrote by regex: a ``code`` says why now, ``reason`` names no command, and each
    surface adds its own way on (tests/test_cli_newuser5.py)."""
    news = tmp_path / "news"
    news.mkdir()
    text = " ".join(f"The harbour storm damaged {n} boats near the pier on Sunday, officials said." for n in range(12))
    for name in ("a.txt", "b.txt"):
        (news / name).write_text("Storm hits harbour\n\n" + text, encoding="utf-8")
    write_corpus(tmp_path / "more", 12)
    coll.ingest([str(news), str(tmp_path / "more")])
    ids = [a.id for a in coll.db.list_articles(None, 50)]
    prefix = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)

    gone, several, alone = coll.remove(["no-such-article", prefix, str(news / "a.txt")])
    assert (gone.status, gone.code, gone.reason) == ("failed", "not_found", "no such article id or source")
    assert (several.status, several.code) == ("failed", "ambiguous")
    assert several.reason.startswith(f"'{prefix}' is the start of ") and several.reason.endswith("give more of the id")
    assert (alone.status, alone.code, alone.kept_by) == ("removed", "source_only", (str(news / "b.txt"),))
    assert alone.reason == f"this source only: the article stays, also ingested from {news / 'b.txt'}"
    for r in (gone, several, alone):
        assert "rag " not in r.reason and "`" not in r.reason and "(" not in r.reason, r.reason

    [last] = coll.remove([str(news / "b.txt")])  # its last source: the article goes, nothing to say
    assert (last.status, last.code, last.reason) == ("removed", None, None)


def test_the_report_lists_items_in_the_order_given_not_as_they_settled(
    coll: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged or failed item is settled at once by the reader, a new one only after its batch is
    embedded and written: the report listed ``[unchanged, failed, added]`` for inputs given as
    ``[new, unchanged, missing]``. It follows the inputs now (a folder's files in their order); what
    ``progress`` gets stays the order they settled in."""
    monkeypatch.setattr(Indexer, "batch_chunks", 1024)  # one batch, written after everything is read
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1024)
    old, new, later = write_corpus(tmp_path / "news", 3)
    coll.ingest([str(old)])
    missing = tmp_path / "missing.txt"
    settled: list[str] = []
    report = coll.ingest([str(new), str(old), str(missing), str(later)], progress=lambda r: settled.append(r.item))
    assert [(Path(r.item).name, r.status) for r in report.items] == [
        (new.name, "added"), (old.name, "unchanged"), (missing.name, "failed"), (later.name, "added")]
    assert [Path(i).name for i in settled] == [old.name, missing.name, new.name, later.name]  # as they settled
    again = coll.ingest([str(tmp_path / "news"), str(missing)])  # a folder: its files in order, then the rest
    assert [Path(r.item).name for r in again.items] == [old.name, new.name, later.name, missing.name]


def test_old_vectors_the_store_fails_to_remove_leave_the_update_stored_and_stop_the_rest(
    coll: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited article whose superseded vectors the store fails to delete (a Chroma server that
    hangs past RAG_CHROMA_TIMEOUT) is stored: its new version is in both stores and no row claims the
    old vectors. The store counts as failing, so the articles after it are reported not stored (each
    would wait on the store again), and the next ingest removes the old vectors and stores the rest."""
    from rag.errors import StoreError

    paths = write_corpus(tmp_path / "news", 6)
    coll.ingest([str(tmp_path / "news")])
    for p in paths[2:]:
        p.write_text(p.read_text() + "\nA new closing sentence was added today.\n")
    first = coll.db.by_source(str(paths[2].resolve())).id
    old_ids = set(coll.db.chunk_ids(first))
    calls: list[int] = []

    def hung(ids: list[str]) -> None:
        calls.append(len(ids))
        raise StoreError("the Chroma server at http://127.0.0.1:1 did not answer within 2 seconds")

    monkeypatch.setattr(coll.vectors, "delete", hung)
    report = coll.ingest([str(tmp_path / "news")])
    summary = report.summary()
    assert summary["updated"] >= 1 and summary["updated"] + summary["failed"] == 4
    assert len(calls) == 1  # one wait on the failing store, not one per article
    assert all(r.reason.startswith("not stored: the Chroma server") for r in report.failed)
    assert coll.db.get_meta("clean") == "0"
    new_ids = set(coll.db.chunk_ids(first))
    assert new_ids and new_ids != old_ids and new_ids <= coll.vectors.all_ids()

    monkeypatch.undo()
    report = coll.ingest([str(tmp_path / "news")])
    assert report.summary()["failed"] == 0 and report.summary()["updated"] == summary["failed"]
    assert not (old_ids - new_ids) & coll.vectors.all_ids()  # the old vectors are gone
    agree(coll)
