"""Ingest: load -> chunk -> embed -> store, pipelined so loading, chunking and writes hide beside embedding.

Three stages run at once: a reader thread loads and chunks articles and decides what changed, the
calling thread embeds batches (the model is the ceiling), and a writer thread puts vectors into
Chroma and commits each article to the article database. Ordering makes a kill -9 harmless:
vectors are written first, the article row (and lexical index) second, superseded vectors last;
``reconcile`` at the next start drops vectors no article row claims and re-embeds any missing
(every write clears a "clean" mark in the database while it runs, so the full id comparison is only
paid after a write that did not finish, or when the counts differ).

See ``index.collection.Collection`` for the handle users open.          # doctest: +SKIP
>>> report = Collection.open().ingest(["seeds/"])   # doctest: +SKIP
>>> report.summary()                                # doctest: +SKIP
{'added': 1, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0}
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index.chunk import chunk_article, embed_text, rechunk_to_fit
from index.db import ArticleDB, chunk_metadata
from index.embed import Embedder
from index.maintenance import reindex
from index.store import Store
from index.stories import StoryIndex
from index.types import Article, Chunk, IngestReport, ItemResult, LoadFailure
from index.vectors import VectorStore
from rag.errors import RagError, StoreBusyError, StoreError

log = logging.getLogger(__name__)

Progress = Callable[[ItemResult], None]
_DONE = object()


@dataclass
class _Batch:
    items: list[tuple[Article, list[Chunk], str]] = field(default_factory=list)  # (article, chunks, status)
    n_chunks: int = 0


class Indexer:
    """Everything that writes to a collection: the ingest pipeline, the write lock, reconcile,
    reindex and remove. Reads go through its ``store`` (``index.store.Store``), which retrieval and
    answering share; ``index.collection.Collection`` opens both with one embedder."""

    #: Chunks per pipeline batch. Large, because a batch is sorted by length before it is embedded
    #: and padding waste shrinks with the pool it is sorted in (BBC: 16% extra word-pieces at 128,
    #: 2-3% at 1024); memory stays flat (a batch is ~1 MB of text). The first batch is small so
    #: the model starts at once.
    batch_chunks = 1024
    first_batch_chunks = 64

    def __init__(self, store: Store, embedder: Embedder, *, repair: bool = False) -> None:
        self.store = store
        self.settings = store.settings
        self.embedder = embedder
        self.db = store.db
        self._store_failure: StoreError | None = None  # set when the vector store fails mid-ingest
        self.repair = repair and not store.settings.chroma_url  # reindex may move an unreadable Chroma aside
        self.stories = StoryIndex(self.db)  # near-copies of one story share a story id (built on first use)

    @property
    def vectors(self) -> VectorStore:
        return self.store.vectors

    # --- write lock ---------------------------------------------------------------------------
    def _lock(self) -> FileLock:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.settings.lock_path), timeout=0)

    def _locked(self) -> FileLock:
        lock = self._lock()
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusyError(
                f"another ingest is writing to {self.settings.home}; wait for it to finish "
                f"(or, if no rag process is running, delete {self.settings.lock_path})"
            ) from None
        return lock

    @contextlib.contextmanager
    def _writing(self) -> Iterator[bool]:
        """Hold the write lock; yields whether the last write ended cleanly (else it was killed or failed).

        A "clean" mark in the database is cleared while a write runs and set when it succeeds, so
        the next ingest knows whether it must compare every id in Chroma with the database."""
        lock = self._locked()
        try:
            self.vectors  # noqa: B018 - reopen now if another process wrote before we took the lock
            was_clean = self.db.get_meta("clean") == "1"
            self.db.set_meta("clean", "0")
            self._store_failure = None
            yield was_clean
            if self._store_failure is None:  # else vectors may be half-written: reconcile next time
                self.db.set_meta("clean", "1")
        finally:
            lock.release()

    def _needs_reconcile(self, was_clean: bool) -> bool:
        return not was_clean or self.vectors.count() != self.db.counts()["chunks"]

    # --- ingest ---------------------------------------------------------------------------------
    def ingest(
        self, inputs: str | Sequence[str], *, prune: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Ingest files, folders, URLs and dumps. Never raises for one bad item: see the report."""
        from index.load import as_inputs, iter_articles

        inputs = as_inputs(inputs)  # one path given alone is one input (and one prune root), not its characters
        return self.ingest_articles(iter_articles(inputs, self.settings), progress=progress,
                                    prune_inputs=inputs if prune else None)

    def ingest_articles(
        self, articles: Iterable[Article | LoadFailure], *, progress: Progress | None = None,
        prune_inputs: Sequence[str] | None = None,
    ) -> IngestReport:
        """Ingest already-built ``Article``s (a ``LoadFailure`` is reported failed) with the same
        pipeline, write lock and report as ``ingest``; with ``prune_inputs``, stored sources under
        those inputs that were not seen are removed."""
        if prune_inputs is not None:
            from index.load import as_inputs

            prune_inputs = as_inputs(prune_inputs)
        t0 = time.perf_counter()
        with self._writing() as was_clean:
            # after a clean run with matching counts the full id comparison is skipped: at 400k
            # chunks it was most of an unchanged re-ingest
            if self._needs_reconcile(was_clean):
                self.reconcile()
            self._group_stories()
            results: list[ItemResult] = []

            def emit(r: ItemResult) -> None:
                results.append(r)
                if progress:
                    progress(r)

            self._deferred_sources: list[tuple[str, str]] = []
            failed_paths: set[str] = set()
            try:
                seen = self._run(articles, emit, failed_paths)
            finally:
                self._map_deferred_sources()
            if prune_inputs is not None:
                for r in self._prune(prune_inputs, seen, failed_paths):
                    emit(r)
        report = IngestReport(tuple(results), time.perf_counter() - t0)
        log.info("ingest: %s in %.1fs", report.summary(), report.seconds)
        return report

    def ingest_documents(self, docs: Iterable[object], *, progress: Progress | None = None) -> IngestReport:
        """Ingest LlamaIndex ``Document``s (``SimpleDirectoryReader``, any LlamaHub reader); see
        ``rag.integrations.llamaindex.ingest_documents`` for how their metadata is mapped."""
        from rag.integrations.llamaindex import ingest_documents

        return ingest_documents(self, docs, progress=progress)

    def _run(
        self, stream: Iterable[Article | LoadFailure], emit: Progress, failed_paths: set[str] | None = None
    ) -> set[str]:
        """The three-stage pipeline; returns the sources seen (for --prune).

        When the vector store fails (a Chroma server that died), what was committed stays in the
        report as added; every item not yet stored is reported failed with the reason, and the run
        ends with a report instead of an exception."""
        seen: set[str] = set()
        to_embed: queue.Queue = queue.Queue(maxsize=4)
        to_write: queue.Queue = queue.Queue(maxsize=4)
        errors: list[BaseException] = []
        stop = threading.Event()  # set when the embedding loop ends early (error, Ctrl-C)

        def reader() -> None:
            try:
                self._read(stream, emit, seen, to_embed, stop, failed_paths)
            except BaseException as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)
            finally:
                to_embed.put(_DONE)

        def writer() -> None:
            while (item := to_write.get()) is not _DONE:
                if errors:
                    continue
                batch, vecs = item
                if self._store_failure is not None:
                    self._fail_batch(batch, emit)
                    continue
                try:
                    self._write(batch, vecs, emit)
                except StoreError as exc:
                    log.error("the vector store failed mid-ingest: %s", exc)
                    self._store_failure = exc
                    self._fail_batch(batch, emit)
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)

        threads = [threading.Thread(target=reader, name="ingest-read"), threading.Thread(target=writer, name="ingest-write")]
        for t in threads:
            t.start()
        try:
            while (batch := to_embed.get()) is not _DONE:
                if errors:
                    continue
                if self._store_failure is not None:  # nothing more can be stored: do not embed it
                    self._fail_batch(batch, emit)
                    continue
                texts = [embed_text(a.title, c.text) for a, chunks, _ in batch.items for c in chunks]
                try:
                    to_write.put((batch, self._embed_sorted(texts)))
                except Exception as exc:  # noqa: BLE001 - a failing batch fails its items, not the run
                    for a, _, _ in batch.items:
                        emit(ItemResult(a.source, "failed", a.id, a.title, reason=f"embedding failed: {exc}"))
        finally:
            stop.set()
            to_write.put(_DONE)
            while threads[0].is_alive():  # unblock a reader waiting on a full queue
                try:
                    to_embed.get(timeout=0.05)
                except queue.Empty:
                    pass
            for t in threads:
                t.join()
        if errors:
            raise errors[0]
        return seen

    def _fail_batch(self, batch: _Batch, emit: Progress) -> None:
        reason = f"not stored: {self._store_failure}"
        for a, _, _ in batch.items:
            emit(ItemResult(a.source, "failed", a.id, a.title, reason=reason))

    def _embed_sorted(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` sorted by length, in the embedder's own batch size.

        Sorting the whole pipeline batch keeps padding low; calling the embedder one model batch at a
        time releases its lock in between, so questions asked during an ingest wait for one
        forward pass, not for a whole pipeline batch."""
        if not texts:
            return self.embedder(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        step = int(getattr(self.embedder, "batch_size", 0) or len(texts))  # optional: OpenAI's has none
        out: np.ndarray | None = None
        for i in range(0, len(order), step):
            part = order[i : i + step]
            vecs = self.embedder([texts[j] for j in part])
            if out is None:
                out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
            out[part] = vecs
        assert out is not None
        return out

    def _read(
        self, stream: Iterable[Article | LoadFailure], emit: Progress, seen: set[str], out: queue.Queue,
        stop: threading.Event | None = None, failed_paths: set[str] | None = None,
    ) -> None:
        pending: dict[str, str] = {}  # content hash -> article id, for articles not yet committed
        batch = _Batch()
        target = min(self.first_batch_chunks, self.batch_chunks)
        for item in stream:
            if stop is not None and stop.is_set():
                return
            if isinstance(item, LoadFailure):
                if failed_paths is not None:  # --prune must not remove what merely failed to load
                    failed_paths.add(item.item)
                emit(ItemResult(_printable(item.item), "failed", reason=_printable(item.reason)))
                continue
            if not _encodable(item.source):
                shown = _printable(item.source)
                emit(ItemResult(shown, "failed", title=item.title, reason=(
                    f"{shown}: the name is not valid UTF-8 (undecodable bytes shown as \ufffd), so it cannot "
                    "be stored as a source; rename the file")))
                continue
            seen.add(item.source)
            try:
                status = self._classify(item, pending, emit)
                if status is None:
                    continue
                chunks = self._chunk(item)
            except RagError as exc:
                emit(ItemResult(item.source, "failed", item.id, item.title, reason=str(exc)))
                continue
            except Exception as exc:
                log.exception("preparing %s failed", item.source)
                emit(ItemResult(item.source, "failed", item.id, item.title,
                                reason=f"unexpected error while chunking ({type(exc).__name__}: {exc}); please report it"))
                continue
            if not chunks:
                emit(ItemResult(item.source, "failed", item.id, item.title, reason="no text to index after cleaning"))
                continue
            pending[item.content_hash] = item.id
            batch.items.append((item, chunks, status))
            batch.n_chunks += len(chunks)
            if batch.n_chunks >= target:
                out.put(batch)
                batch = _Batch()
                target = self.batch_chunks
        if batch.items:
            out.put(batch)

    def _classify(self, art: Article, pending: dict[str, str], emit: Progress) -> str | None:
        """'added' / 'updated' for work to do; None when the item was settled here (unchanged, duplicate)."""
        h = art.content_hash
        by_src = self.db.by_source(art.source)
        if by_src and by_src.content_hash == h:
            emit(ItemResult(art.source, "unchanged", by_src.id, art.title))
            return None
        same = self.db.by_hash(h)
        dup_of = same.id if same else pending.get(h)
        if dup_of:
            if same:
                self._add_source(art.source, dup_of)
            else:  # its twin is still in the pipeline: map this source once the twin is committed
                self._deferred_sources.append((art.source, h))
            emit(ItemResult(art.source, "duplicate", dup_of, art.title, reason=f"same text as article {dup_of}"))
            return None
        return "updated" if by_src else "added"

    def _add_source(self, source: str, article_id: str) -> None:
        orphan = self.db.add_source(source, article_id)
        if orphan:
            self.vectors.delete(self.db.remove_article(orphan))
            self.stories.remove(orphan)

    def _assign_story(self, art: Article) -> None:
        """Group the committed article with its near-copies (``index.stories``). A failure leaves it
        ungrouped (its own story) and the next ingest's ``_group_stories`` retries it."""
        try:
            self.stories.assign(art.id, art.text)
        except Exception as exc:  # noqa: BLE001 - grouping is an index, never a reason to fail the article
            log.warning("story grouping of %s failed (it stays ungrouped for now): %s", art.source, exc)

    def _group_stories(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Group the articles that have no story yet: a store from before story groups, a failed
        assignment, or a refit of the grouping parameters (``python -m evals.fit_stories``)."""
        pending = self.stories.pending()
        if pending:
            log.info("grouping %d stored articles into stories", pending)
            self.stories.backfill(progress)

    def _map_deferred_sources(self) -> None:
        """Record the sources of duplicates whose twin was committed in this same run."""
        for source, h in self._deferred_sources:
            same = self.db.by_hash(h)
            if same:  # else the twin failed: the next ingest sees this source as new
                try:
                    self._add_source(source, same.id)
                except StoreError as exc:  # the mapping is stored; a left-over vector is reconciled later
                    log.warning("mapping %s: %s", source, exc)
                    self._store_failure = self._store_failure or exc
        self._deferred_sources.clear()

    def _chunk(self, art: Article) -> list[Chunk]:
        s = self.settings
        chunks = chunk_article(art, max_tokens=s.chunk_tokens, overlap=s.chunk_overlap)
        window = self.embedder.window
        if window and chunks:
            counts = self.embedder.count_tokens([embed_text(art.title, c.text) for c in chunks])
            chunks = rechunk_to_fit(art, chunks, counts, window, s.chunk_overlap,
                                    count=lambda t: self.embedder.count_tokens([embed_text(art.title, x) for x in t]))
        return chunks

    def _write(self, batch: _Batch, vecs: np.ndarray, emit: Progress) -> None:
        ids, metas = [], []
        for art, chunks, _ in batch.items:
            pub = art.published.isoformat() if art.published else None
            for c in chunks:
                ids.append(c.id)
                metas.append(chunk_metadata(art.id, art.source, pub))
        self.vectors.upsert(ids, vecs, metas)
        for art, chunks, status in batch.items:
            try:
                old = self.db.put_article(art, chunks)
                stale = set(old) - {c.id for c in chunks}
                if stale:
                    self.vectors.delete(sorted(stale))
                self._assign_story(art)
                emit(ItemResult(art.source, status, art.id, art.title, chunks=len(chunks)))  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
                log.warning("storing %s failed: %s", art.source, exc)
                emit(ItemResult(art.source, "failed", art.id, art.title, reason=f"store failed: {exc}"))

    def _prune(self, inputs: Sequence[str], seen: set[str], failed_paths: set[str] = frozenset()) -> list[ItemResult]:
        """Remove sources under the given paths that this run did not see.

        Only under an input that exists (a moved or mistyped folder prunes nothing, and says so),
        matched on path boundaries (``prune`` is not a prefix of ``prune-archive``), and never a
        source that failed to load in this run (an unreadable file or folder is not a deleted one)."""
        from index.load import is_url

        if self._store_failure is not None:
            return [ItemResult("--prune", "failed", reason=f"skipped: the vector store failed ({self._store_failure}), "
                                                           "so nothing was removed; ingest again with --prune")]
        protected = {f.split("#", 1)[0] for f in failed_paths}
        out = []
        for inp in inputs:
            if is_url(inp) or "\x00" in inp or not inp.strip():  # "" would be the current folder
                continue
            path = Path(inp).expanduser()
            if not path.exists():
                out.append(ItemResult(_printable(inp), "failed", reason=(
                    f"{_printable(inp)} does not exist, so --prune removed nothing under it; check the path "
                    "(was the folder moved or renamed?)")))
                continue
            root = os.path.realpath(path)
            for src in self.db.sources_under(root, (os.sep, "#")):
                if src in seen or any(_under(src, f) for f in protected):
                    continue
                aid, chunk_ids = self.db.remove_source(src)
                self.vectors.delete(chunk_ids)
                if aid and chunk_ids:  # the article went with its last source (else it stays in its story)
                    self.stories.remove(aid)
                out.append(ItemResult(src, "removed", aid, reason="source no longer exists"
                                      + ("" if chunk_ids else "; the article stays (ingested from another source too)")))
        return out

    # --- maintenance ----------------------------------------------------------------------------
    def reconcile(self) -> dict[str, int]:
        """Make Chroma agree with the article database (after a crash): drop orphans, re-embed gaps."""
        in_db = set(self.db.chunk_ids())
        in_vec = self.vectors.all_ids()
        orphans = sorted(in_vec - in_db)
        missing = sorted(in_db - in_vec)
        if orphans:
            log.info("reconcile: removing %d vectors no article claims", len(orphans))
            self.vectors.delete(orphans)
        if missing:
            log.info("reconcile: re-embedding %d chunks missing from Chroma", len(missing))
            self._embed_chunks(missing)
        return {"orphans_removed": len(orphans), "reembedded": len(missing)}

    def _embed_chunks(self, ids: Sequence[str]) -> None:
        rows = self.db.chunks_by_ids(ids)
        for i in range(0, len(ids), self.batch_chunks):
            part = [rows[c] for c in ids[i : i + self.batch_chunks] if c in rows]
            vecs = self._embed_sorted([embed_text(r.title, r.text) for r in part])
            self.vectors.upsert([r.id for r in part], vecs, [chunk_metadata(r.article_id, r.source, r.published) for r in part])

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every vector with the configured embedder from the stored texts (no source re-read).

        Resumable and never destructive; see ``index.maintenance.reindex``. Returns the chunks done."""
        return reindex(self, progress)

    def remove(self, refs: Iterable[str]) -> list[ItemResult]:
        """Remove articles by id or id prefix (with every source they came from), or one source: its
        article goes only when no other source holds it (two copies of a file, a file and a URL)."""
        out = []
        with self._writing():
            for ref in refs:
                aid = self.db.resolve(ref)
                if aid is None:
                    out.append(ItemResult(ref, "failed", reason="no such article id or source (see `rag list`)"))
                    continue
                others = [s for s in self.db.sources_of(aid) if s != ref]
                if ref in self.db.sources_of(aid) and others:
                    self.db.remove_source(ref)
                    out.append(ItemResult(ref, "removed", aid, reason=(
                        f"this source only: the article stays, also ingested from {others[0]}"
                        + (f" and {len(others) - 1} more" if len(others) > 1 else "")
                        + f"; `rag remove {aid}` removes it")))
                    continue
                self.vectors.delete(self.db.remove_article(aid))
                self.stories.remove(aid)
                out.append(ItemResult(ref, "removed", aid))
        return out



def _under(source: str, path: str) -> bool:
    """``source`` is ``path`` or lies below it (a file in a folder, a record of a dump)."""
    return source == path or source.startswith((path.rstrip(os.sep) + os.sep, path + "#"))


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: os.fsdecode of a non-UTF-8 file name
        return False
    return True


def _printable(s: str) -> str:
    """``s`` with undecodable file-name bytes replaced, so reports and terminals can show it."""
    return s if _encodable(s) else s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
