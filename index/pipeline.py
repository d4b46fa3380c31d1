"""Ingest: load -> chunk -> embed -> store, pipelined so loading, chunking and writes hide beside embedding.

Three stages run at once: a reader thread loads and chunks articles and decides what changed, the
calling thread embeds batches (the model is the ceiling), and a writer thread puts vectors into
Chroma and commits each article to the article database. Ordering makes a kill -9 harmless:
vectors are written first, the article row (and lexical index) second, superseded vectors last;
``reconcile`` at the next start drops vectors no article row claims and re-embeds any missing
(every write clears a "clean" mark in the database while it runs, so the full id comparison is only
paid after a write that did not finish, or when the counts differ).

Stopping: a ``stop`` event (``rag ingest``'s first Ctrl-C) ends an ingest cleanly: the batch being
embedded is embedded and stored, nothing more is read, and the report is returned. A
``KeyboardInterrupt`` after a stop request (the second Ctrl-C) aborts: the writer stops after the
article it is committing and takes back the vectors of the batch's articles it did not commit, so
what is stored stays whole and agrees with Chroma. A ``KeyboardInterrupt`` without a stop request
(Ctrl-C in Python) stores the batches already embedded, then is raised; a second one aborts.

See ``index.collection.Collection`` for the handle users open.          # doctest: +SKIP
>>> report = Collection.open().ingest(["seeds/"])   # doctest: +SKIP
>>> report.summary()                                # doctest: +SKIP
{'added': 1, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0, 'skipped': 0}
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import queue
import re
import shlex
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from filelock import FileLock, Timeout

from index.chunk import chunk_article, embed_text, rechunk_to_fit
from index.db import chunk_metadata
from index.embed import Embedder
from index.maintenance import (
    SHARED,
    Chunking,
    ReindexReport,
    chunking_mismatch,
    record_chunking,
    reindex,
    stored_chunking,
)
from index.store import Store
from index.stories import StoryIndex
from index.types import Article, Chunk, IngestReport, ItemResult, LoadFailure, Skipped, same_text
from index.userinfo import redact_userinfo
from index.vectors import VectorStore
from index import waits
from rag.errors import RagError, StoreBusyError, StoreError
from rag.text import word_count

if TYPE_CHECKING:
    from index.db import StoredArticle
    from index.feeds import FeedNotice
    from index.load import DumpRead, Waiting

log = logging.getLogger(__name__)

Progress = Callable[[ItemResult], None]
Counter = Callable[[int, int], None]  # (done, total): reconcile and reindex progress, per model batch
_DONE = object()
Notices = Callable[["FeedNotice | PruneSkipped"], None]  # what an ingest tells besides its items' results


@dataclass(frozen=True)
class PruneSkipped:
    """``prune`` removed nothing of a dump under the paths given, because the dump was not read whole:
    ``failed`` of its records (or the file) failed to load, so which stored articles it no longer holds
    is not known, and the ``kept`` sources it may no longer hold (stored from it before, not read from
    it now) stay. Said, not silent: a prune that removed nothing looked like a dump with nothing stale.
    Not a failure of its own (the records that failed are); an ingest's notice (``Notices``), like a
    feed cut at RAG_FEED_MAX_ITEMS. ``read``: some record of it loaded (else the file failed whole).

    >>> str(PruneSkipped("/d/dump.jsonl", 3, ("https://x.example/zoo",)))  # doctest: +NORMALIZE_WHITESPACE
    'prune skipped for /d/dump.jsonl: 3 records of it failed to load, so the article it may no longer hold
    was kept (https://x.example/zoo); fix those records and prune again, or remove that article'
    """

    dump: str
    failed: int
    kept: tuple[str, ...]
    read: bool = True

    NAMED = 3  # kept sources named

    @property
    def why(self) -> str:
        """What failed, in words: "3 records of it failed to load"."""
        if self.read:
            return f"{self.failed} record{'s' * (self.failed != 1)} of it failed to load"
        return "none of its records loaded" if self.failed > 1 else "it failed to load"

    @property
    def named(self) -> str:
        """The kept sources, a few of them named and how many more."""
        more = len(self.kept) - self.NAMED
        return ", ".join(self.kept[: self.NAMED]) + (f" and {more} more" if more > 0 else "")

    def __str__(self) -> str:
        one = len(self.kept) == 1
        return (f"prune skipped for {self.dump}: {self.why}, so "
                f"{'the article' if one else f'the {len(self.kept)} articles'} it may no longer hold "
                f"{'was' if one else 'were'} kept ({self.named}); fix "
                f"{'those records' if self.read else 'it'} and prune again, or remove "
                f"{'that article' if one else 'those articles'}")


@dataclass(frozen=True)
class ChunksEmbedded:
    """Intermediate progress of one item: ``done`` of its article's ``total`` chunks are embedded.

    Sent to an ingest's ``progress`` callback, only when asked for with ``chunk_updates=True``,
    after each model batch that embedded some of the article's chunks; the item's ``ItemResult``
    follows once it is stored. A long article (hundreds of chunks) takes many model batches, and
    without these a progress bar that counts items stood still for all of them. ``item`` is the
    source its ``ItemResult`` will name.
    """

    item: str
    title: str
    done: int
    total: int


#: What ``progress`` gets with ``chunk_updates=True``: the item results, and in between the
#: ``ChunksEmbedded`` updates. A plain ``Progress`` (results only) stays what callers get by default.
DetailedProgress = Callable[[ItemResult | ChunksEmbedded], None]


class _Cancelled(Exception):
    """Embedding of a pipeline batch stopped between model batches (the vector store failed)."""


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
    #: Seconds between two checks, while a batch is embedded, that a Chroma server still answers
    #: (``_store_gone``): one heartbeat per model batch of the bundled model on a CPU (1-3 s each),
    #: fewer for a fast one.
    probe_every = 1.0

    def __init__(self, store: Store, embedder: Embedder, *, repair: bool = False) -> None:
        self.store = store
        self.settings = store.settings
        self.embedder = embedder
        self.db = store.db
        self._store_failure: StoreError | None = None  # set when the vector store fails mid-ingest
        self._probed = float("-inf")  # when ``_store_gone`` last asked the Chroma server (time.monotonic)
        self.repair = repair and not store.settings.chroma_url  # reindex may move an unreadable Chroma aside
        self._held: int | None = None  # the thread holding the write lock through ``locked()``
        self._chunking: Chunking | None = None  # how this write cuts articles (see ``_effective_chunking``)
        self._chunking_told = False
        self.last_reindex: ReindexReport | None = None  # what the last ``reindex`` call did
        self._aborting = threading.Event()  # set by a second Ctrl-C: the writer stops after its article
        self.stories = StoryIndex(self.db)  # near-copies of one story share a story id (built on first use)
        self._allow_shrink = False  # this ingest stores a new version however short (``ingest(allow_shrink=)``)

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
            # No advice to delete the lock file: the lock ends with the process that holds it (flock),
            # so a left-over file never blocks, and deleting it under a live writer (a forgotten
            # `rag ui`) would let two processes write.
            raise StoreBusyError(
                f"another rag process is writing to RAG_HOME {self.settings.home} (an ingest, remove or "
                "reindex, or a `rag ui`, `rag serve` or `rag watch` storing articles); wait for it to "
                "finish and try again"
            ) from None
        return lock

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the write lock around several calls from this thread, e.g. so the CLI is refused
        before it draws a progress bar. Ingest, remove and reindex inside use the held lock."""
        if self._held == threading.get_ident():
            yield
            return
        lock = self._locked()
        self._held = threading.get_ident()
        try:
            yield
        finally:
            self._held = None
            lock.release()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[bool]:
        """Hold the write lock; yields whether the last write ended cleanly (else it was killed or failed).

        A "clean" mark in the database is cleared while a write runs and set when it succeeds, so
        the next ingest knows whether it must compare every id in Chroma with the database."""
        with self.locked():
            self.vectors  # noqa: B018 - reopen now if another process wrote before we took the lock
            was_clean = self.db.get_meta("clean") == "1"
            self.db.set_meta("clean", "0")
            self._store_failure = None
            yield was_clean
            if self._store_failure is None:  # else vectors may be half-written: reconcile next time
                self.db.set_meta("clean", "1")

    # --- chunk settings -------------------------------------------------------------------------
    def _effective_chunking(self) -> Chunking:
        """How new and changed articles are cut: like the stored ones, so a collection never mixes
        chunk sizes. A store without a record (from before it was kept) is taken to be at the
        settings; an empty one takes the settings. A difference is logged once per indexer (the CLI
        prints ``chunking_notice`` itself); `rag reindex` applies the settings."""
        current = Chunking.of(self.settings)
        stored = stored_chunking(self.db)
        if stored is None or (stored != current and not self.db.counts()["articles"]):
            record_chunking(self.db, current)
            return current
        if stored != current and not self._chunking_told:
            self._chunking_told = True
            log.warning("%s", chunking_mismatch(self.db, self.settings))
        return stored

    def chunking_notice(self) -> str | None:
        """The warning when stored articles were chunked otherwise than the settings say (else None);
        counts as told, so the next ingest does not log it again."""
        notice = chunking_mismatch(self.db, self.settings)
        self._chunking_told = self._chunking_told or notice is not None
        return notice

    def _needs_reconcile(self, was_clean: bool) -> bool:
        return not was_clean or self.vectors.count() != self.db.counts()["chunks"]

    # --- ingest ---------------------------------------------------------------------------------
    def ingest(
        self, inputs: str | Sequence[str], *, prune: bool = False, progress: Progress | None = None,
        reconcile_progress: Counter | None = None, stop: threading.Event | None = None,
        notice: Notices | None = None, allow_shrink: bool = False, chunk_updates: bool = False,
    ) -> IngestReport:
        """Ingest files, folders, URLs and dumps. Never raises for one bad item: see the report.

        The report lists the items in the order of ``inputs`` (a folder's files, a dump's records
        and a feed's items in the order they are read), then ``--prune``'s removals; ``progress``
        gets each item's result as it is settled, which is not that order (an unchanged or failed
        item is settled at once, a new one once its batch is embedded and stored); with
        ``chunk_updates=True`` it also gets a ``ChunksEmbedded`` after each model batch that embedded
        some of an article's chunks (a bar can then move during one large article);
        ``reconcile_progress(done, total)`` counts chunks re-embedded first when Chroma lacks some
        (after a crash), per model batch.
        ``notice`` gets what is worth saying but is no failure (default: the log): a feed longer
        than ``RAG_FEED_MAX_ITEMS`` (``index.feeds.FeedCapped``), a URL given that is a site's front
        page advertising a feed (``index.feeds.FrontPage``; the page is ingested all the same). ``stop`` and Ctrl-C:
        see the module docstring. ``allow_shrink``: store a new version of an article even when it
        is a small part of the stored one (refused by default: see ``_shrunk``)."""
        from index.feeds import front_pages
        from index.load import as_inputs, is_url, iter_articles

        inputs = as_inputs(inputs)  # one path given alone is one input (and one prune root), not its characters
        dumps: list[DumpRead] = []  # what each local dump held: --prune of its records stored by their url
        articles: Iterable[Article | LoadFailure] = iter_articles(inputs, self.settings, on_dump=dumps.append)
        urls = {i.strip() for i in inputs if is_url(i)}
        if urls:
            articles = front_pages(articles, urls)  # type: ignore[assignment] - its FrontPage notes: _read tells them
        return self.ingest_articles(articles, progress=progress, prune_inputs=inputs if prune else None,
                                    reconcile_progress=reconcile_progress, stop=stop, notice=notice,
                                    allow_shrink=allow_shrink, chunk_updates=chunk_updates, dumps=dumps)

    def ingest_articles(
        self, articles: Iterable[Article | LoadFailure | Skipped | Waiting], *, progress: Progress | None = None,
        prune_inputs: Sequence[str] | None = None, reconcile_progress: Counter | None = None,
        stop: threading.Event | None = None, notice: Notices | None = None, allow_shrink: bool = False,
        chunk_updates: bool = False, dumps: Sequence[DumpRead] | None = None, stream_stops: bool = False,
    ) -> IngestReport:
        """Ingest already-built ``Article``s (a ``LoadFailure`` is reported failed, except the
        note of a feed cut at ``RAG_FEED_MAX_ITEMS``, which goes to ``notice`` and the report's
        ``notices`` as ``index.feeds.FrontPage`` items of the stream do) with the same
        pipeline, write lock, options and report as ``ingest``; with ``prune_inputs``, stored sources under
        those inputs that were not seen are removed (not after a ``stop``: not everything was seen).
        A ``Skipped`` (a file of a folder whose type is not read) is reported "skipped". ``dumps``
        (filled by ``index.load.iter_articles`` as the stream is read) are the local dumps read: the
        sources of their records stored by url are kept, so that a later ``prune`` removes those the
        dump no longer holds (``_prune_dump_records``). ``stream_stops``: ``articles`` ends by itself
        soon after ``stop`` is set, with what it has ready (a watched feed's pages already fetched:
        ``index.load.load_feed_items``), so it is read to its end, and every article it gave is
        stored, instead of left at once. An ``index.load.Waiting`` in ``articles`` (its next item is
        not ready) hands over the articles read so far, to be stored now rather than with the next."""
        if prune_inputs is not None:
            from index.load import as_inputs

            prune_inputs = as_inputs(prune_inputs)
        t0 = time.perf_counter()
        with self._writing() as was_clean:
            self._chunking = self._effective_chunking()
            # after a clean run with matching counts the full id comparison is skipped: at 400k
            # chunks it was most of an unchanged re-ingest
            if self._needs_reconcile(was_clean):
                # on a server, vectors no chunk claims after a clean last write are not this home's: a copy of
                # it (same store id) shares the collection, and deleting them lost its articles' vectors (new
                # user 24); only an interrupted write of this home leaves orphans of its own
                self.reconcile(reconcile_progress, keep_unknown=was_clean and bool(self.settings.chroma_url))
            self._group_stories()
            results: list[ItemResult] = []

            def emit(r: ItemResult) -> None:
                results.append(r)
                if progress:
                    progress(r)

            self._deferred_sources: list[tuple[str, str, str | None]] = []  # (source, content hash, url)
            self._recheck: list[tuple[Article, str]] = []  # settled at the end: see ``_settle_rechecks``
            self._seen_hash: dict[str, str] = {}  # a source this run stores or settles -> the hash of its text
            self._replacing: set[str] = set()  # article ids a pass of items stored again rewrites
            self._allow_shrink = allow_shrink
            failed_paths: set[str] = set()
            told: list[FeedNotice | PruneSkipped] = []

            def tell(n: FeedNotice | PruneSkipped) -> None:
                told.append(n)
                (notice or _log_notice)(n)

            # a callback written for results only never gets an update it was not written for
            embedded = cast("Callable[[ChunksEmbedded], None]", progress) if chunk_updates and progress else None
            read_order: dict[str, int] = {}  # an item's name, as its result names it -> when it was read
            try:
                seen = self._run(articles, emit, failed_paths, stop, tell, embedded, read_order,
                                 stream_stops=stream_stops)
                self._map_deferred_sources()
                for _ in range(3):  # a text stored again may be a duplicate of another stored article
                    again = self._settle_rechecks(emit, failed_paths)
                    if not again:
                        break
                    if self._store_failure is not None or (stop is not None and stop.is_set()):
                        _not_stored(again, emit, failed_paths)
                        break
                    seen |= self._run(iter(again), emit, failed_paths, stop, tell, embedded, read_order)
                    self._map_deferred_sources()
                    self._replacing = set()
                _not_stored(self._settle_rechecks(emit, failed_paths), emit, failed_paths)
            finally:
                self._map_deferred_sources()
                self._replacing = set()
                if self._recheck:  # an interrupted run: what can be settled is, the rest waits for the next
                    _not_stored(self._settle_rechecks(emit, failed_paths), emit, failed_paths)
            read = list(dumps or ())  # a snapshot: after a stop the reader may still be appending
            settled: set[str] = set()  # dumps whose kept record sources --prune has replaced
            if prune_inputs is not None and stop is not None and stop.is_set():
                log.info("--prune removed nothing: the ingest was stopped before it saw every input")
            elif prune_inputs is not None:
                for r in self._prune(prune_inputs, seen, failed_paths, read if dumps is not None else None, settled):
                    emit(r)
                if dumps is not None and self._store_failure is None:  # (a store failure pruned nothing, and says so)
                    for skipped in self._prune_skipped(prune_inputs, seen, read):
                        tell(skipped)
            self._remember_dumps([d for d in read if d.path not in settled])
        # settled out of order (an unchanged or failed item at once, a new one after its batch is
        # embedded and written): reported in the order given, --prune's removals last
        results.sort(key=lambda r: read_order.get(r.item, len(results) + len(read_order)))
        report = IngestReport(tuple(results), time.perf_counter() - t0, tuple(str(n) for n in told))
        log.info("ingest: %s in %.1fs", report.summary(), report.seconds)
        return report

    def ingest_documents(self, docs: Iterable[object], *, progress: Progress | None = None) -> IngestReport:
        """Ingest LlamaIndex ``Document``s (``SimpleDirectoryReader``, any LlamaHub reader); see
        ``rag.integrations.llamaindex.ingest_documents`` for how their metadata is mapped."""
        from rag.integrations.llamaindex import ingest_documents

        return ingest_documents(self, docs, progress=progress)

    def _run(
        self, stream: Iterable[Article | LoadFailure], emit: Progress, failed_paths: set[str] | None = None,
        stop: threading.Event | None = None, tell: Notices | None = None,
        embedded: Callable[[ChunksEmbedded], None] | None = None, read_order: dict[str, int] | None = None,
        *, stream_stops: bool = False,
    ) -> set[str]:
        """The three-stage pipeline; returns the sources seen (for --prune). ``embedded`` gets the
        ``ChunksEmbedded`` updates (see ``_embed_batch``); ``read_order`` the position each item was
        read at, under the name its result gives it (see ``_read``).

        When the vector store fails (a Chroma server that died), what was committed stays in the
        report as added; every item not yet stored is reported failed with the reason, and the run
        ends with a report instead of an exception. ``stop``: the batch being embedded (or, when
        none is, the articles read so far) is embedded and stored, then the run ends."""
        seen: set[str] = set()
        to_embed: queue.Queue = queue.Queue(maxsize=4)
        to_write: queue.Queue = queue.Queue(maxsize=4)
        errors: list[BaseException] = []
        halt = threading.Event()  # set when the embedding loop ends (done, error, stop, Ctrl-C): the reader stops
        busy = threading.Lock()  # held by the reader while it settles an item (it may write a duplicate's source)
        abort = self._aborting = threading.Event()

        def report(r: ItemResult) -> None:  # the reader's results: none after an abort (nothing more is stored)
            if not abort.is_set():
                emit(r)

        def reader() -> None:
            try:
                self._read(stream, report, seen, to_embed, halt, failed_paths, busy=busy, tell=tell,
                           read_order=read_order, stop=None if stream_stops else stop)
            except BaseException as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)
            finally:
                _put(to_embed, _DONE, halt)

        def writer() -> None:
            while (item := to_write.get()) is not _DONE:
                if errors or abort.is_set():
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

        # The reader is a daemon: an abort does not wait for the item it is loading (a slow server,
        # a large PDF), and it leaves at its next item (``halt``); the writer is always waited for.
        threads = [_Stage(reader, "ingest-read", daemon=True), _Stage(writer, "ingest-write")]
        for t in threads:
            t.start()
        interrupted: KeyboardInterrupt | None = None
        try:
            while (batch := waits.get(to_embed)) is not _DONE:
                if not errors:
                    self._embed_batch(batch, emit, to_write, embedded)
                # the batch in hand is stored; the ones queued behind it are not embedded, unless
                # the stream stops by itself: it ends with the pages it has fetched, handed over as
                # they came, a few articles a batch, and those are stored too (a round stopped just
                # after a page came dropped it); a second Ctrl-C still aborts at once
                if stop is not None and stop.is_set() and not stream_stops:
                    break
        except KeyboardInterrupt as exc:
            interrupted = exc
        finally:
            halt.set()
            interrupted = self._finish(threads, to_write, busy, interrupted, stop)
        if interrupted is not None:
            raise interrupted
        if errors:
            raise errors[0]
        return seen

    def _embed_batch(self, batch: _Batch, emit: Progress, to_write: queue.Queue,
                     embedded: Callable[[ChunksEmbedded], None] | None = None) -> None:
        """Embed one pipeline batch and hand it to the writer (or report its items failed).

        ``embedded`` gets, after each model batch, a ``ChunksEmbedded`` for every article some of
        whose chunks it embedded (the batch is sorted by length, so an article's chunks spread over
        its model batches): the only sign of life while one long article is embedded."""
        if self._store_failure is not None:  # nothing more can be stored: do not embed it
            self._fail_batch(batch, emit)
            return
        texts = [embed_text(a.title, c.text) for a, chunks, _ in batch.items for c in chunks]
        on_batch = None
        if embedded is not None:
            owner = [k for k, (_, chunks, _) in enumerate(batch.items) for _ in chunks]  # text -> its item
            done = [0] * len(batch.items)

            def on_batch(positions: list[int], _vecs: np.ndarray) -> None:
                touched = sorted({owner[j] for j in positions})
                for j in positions:
                    done[owner[j]] += 1
                for k in touched:
                    art, chunks, _ = batch.items[k]
                    embedded(ChunksEmbedded(art.source, art.title, done[k], len(chunks)))
        try:
            vecs = self._embed_sorted(texts, on_batch=on_batch, cancel=self._store_gone)
        except _Cancelled:  # the store failed while this batch was embedded: stop embedding it
            self._fail_batch(batch, emit)
            return
        except Exception as exc:  # noqa: BLE001 - a failing batch fails its items, not the run
            for a, _, _ in batch.items:
                emit(ItemResult(a.source, "failed", a.id, a.title, reason=f"embedding failed: {exc}"))
            return
        to_write.put((batch, vecs))

    def _finish(self, threads: list[_Stage], to_write: queue.Queue, busy: threading.Lock,
                interrupted: KeyboardInterrupt | None, stop: threading.Event | None) -> KeyboardInterrupt | None:
        """End the pipeline: tell the writer no more batches come, wait for it, and make sure the
        reader writes nothing more; returns the Ctrl-C to raise, if any.

        An interrupted batch is not stored: it is embedded sorted by length, so its articles' chunks
        spread over all its model batches and hardly any article is whole before the end. A Ctrl-C
        is held back until the writer has stored the batches already embedded (seconds) instead of
        abandoning it mid-batch with the write lock released under it; after a ``stop`` request, or
        when a second one comes while waiting, it aborts instead: the writer stops after the
        article it is committing (``_write``) and drops the batches queued. The wait is on the
        writer's own event, not ``Thread.join``: a join interrupted by Ctrl-C marks the thread as
        stopped while it runs (CPython's bpo-45274 handling), after which ``is_alive()`` is False
        and the interpreter exits without waiting. The reader is not waited for: once it holds no
        item (``busy``) it sees ``halt`` before it touches the store again."""
        abort = self._aborting
        if interrupted is not None and stop is not None and stop.is_set():
            abort.set()
        sent = False
        while True:
            try:
                if not sent:
                    to_write.put(_DONE)
                    sent = True
                while not threads[1].finished.wait(0.1):
                    pass
                waits.acquire(busy)
                busy.release()
                break
            except KeyboardInterrupt as exc:
                if interrupted is not None or (stop is not None and stop.is_set()):
                    abort.set()
                    log.info("interrupted again: stopping after the article being stored")
                else:
                    log.warning("interrupted: storing what is already embedded, then stopping")
                interrupted = interrupted or exc
        if abort.is_set():
            log.info("ingest aborted: every article stored is complete; the next ingest goes on from there")
        return interrupted

    def _store_gone(self) -> bool:
        """Whether nothing more can be stored, asked before each model batch: a write failed, or the
        Chroma server no longer answers (``VectorStore.check_alive``, at most every ``probe_every`` s).

        The writer finds a dead server only when it writes the next pipeline batch, and that batch
        (1024 chunks: a minute of CPU) was embedded in full first: killing the server 15 s into a
        300-article ingest left the model busy for 60 s more. Asked here, it stops within one model
        batch; every item not stored is reported failed, and the same command run again resumes."""
        if self._store_failure is not None:
            return True
        now = time.monotonic()
        if now - self._probed < self.probe_every:
            return False
        self._probed = now
        try:
            self.vectors.check_alive()
        except StoreError as exc:
            if self._store_failure is None:  # the writer may have found it first
                log.error("the vector store failed mid-ingest: %s", exc)
                self._store_failure = exc
            return True
        return False

    def _fail_batch(self, batch: _Batch, emit: Progress) -> None:
        reason = f"not stored: {self._store_failure}"
        for a, _, _ in batch.items:
            emit(ItemResult(a.source, "failed", a.id, a.title, reason=reason, code="store_failed"))

    def _embed_sorted(self, texts: list[str], *, on_batch: Callable[[list[int], np.ndarray], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> np.ndarray:
        """Embed ``texts`` sorted by length, in the embedder's own batch size.

        Sorting the whole pipeline batch keeps padding low; calling the embedder one model batch at a
        time releases its lock in between, so questions asked during an ingest wait for one
        forward pass, not for a whole pipeline batch. ``on_batch(positions, vectors)`` is called
        after each model batch (progress, or storing it at once); ``cancel()`` is asked before each
        and raises ``_Cancelled`` when true."""
        if not texts:
            return self.embedder(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        # optional (a user's embedder may have none): then one call, and no progress inside it
        step = int(getattr(self.embedder, "batch_size", 0) or len(texts))
        out: np.ndarray | None = None
        for i in range(0, len(order), step):
            if cancel is not None and cancel():
                raise _Cancelled
            part = order[i : i + step]
            vecs = self.embedder([texts[j] for j in part])
            if out is None:
                out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
            out[part] = vecs
            if on_batch is not None:
                on_batch(part, vecs)
        assert out is not None
        return out

    def _read(
        self, stream: Iterable[Article | LoadFailure], emit: Progress, seen: set[str], out: queue.Queue,
        halt: threading.Event, failed_paths: set[str] | None = None, *, stop: threading.Event | None = None,
        busy: threading.Lock | None = None, tell: Notices | None = None, read_order: dict[str, int] | None = None,
    ) -> None:
        """Load, classify and chunk the articles of ``stream`` into pipeline batches on ``out``.

        ``halt`` (the pipeline ended): return before touching the store again. ``stop`` (asked to
        finish): read no further item (the one being loaded is settled), hand over the articles
        read so far and return. The stream is closed on the way out (a feed's page fetches not yet
        started are cancelled). ``read_order`` gets each item's position in the stream, under the
        name its ``ItemResult`` will have (``_result_name``), before anything is reported of it. A
        ``Waiting`` (the stream is about to wait for its next item: a feed's pages still being
        fetched) hands over the batch being filled, so its articles are stored now, not when the
        batch is full or a slow page has come (or timed out)."""
        from index.feeds import FrontPage, feed_cap
        from index.load import Waiting

        # content hash -> (article id, source), for articles not yet committed
        pending: dict[str, tuple[str, str]] = {}
        batch = _Batch()
        target = min(self.first_batch_chunks, self.batch_chunks)
        items = iter(stream)
        try:
            while stop is None or not stop.is_set():
                item = next(items, _DONE)
                if item is _DONE:
                    break
                if isinstance(item, Waiting):
                    if batch.items:
                        if not _put(out, batch, halt):
                            return  # the pipeline ended: nobody takes it
                        batch = _Batch()
                    continue
                if read_order is not None and isinstance(item, (Article, LoadFailure, Skipped)):
                    read_order.setdefault(_result_name(item.source if isinstance(item, Article) else item.item),
                                          len(read_order))
                with busy or contextlib.nullcontext():
                    if halt.is_set():
                        return
                    if isinstance(item, FrontPage):  # index.feeds.front_pages: a hint, not an article
                        (tell or _log_notice)(item)
                    elif isinstance(item, Skipped):  # a folder's file of a type not read: named, not failed
                        emit(ItemResult(_printable(item.item), "skipped", reason=_printable(item.reason)))
                    elif isinstance(item, LoadFailure):
                        capped = feed_cap(item)
                        if capped is not None:  # RAG_FEED_MAX_ITEMS did what it is for: a notice, not a failure
                            (tell or _log_notice)(capped)
                        else:
                            if failed_paths is not None:  # --prune must not remove what merely failed to load
                                failed_paths.add(item.item)
                            emit(ItemResult(_printable(item.item), "failed", reason=_printable(item.reason),
                                            code=item.code))
                    else:
                        chunks, status = self._prepare(item, pending, emit, seen)
                        if chunks:
                            pending[item.content_hash] = (item.id, item.source)
                            batch.items.append((item, chunks, status))
                            batch.n_chunks += len(chunks)
                            if batch.n_chunks >= target:
                                _put(out, batch, halt)
                                batch = _Batch()
                                target = self.batch_chunks
            if batch.items:
                _put(out, batch, halt)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _prepare(self, item: Article, pending: dict[str, tuple[str, str]], emit: Progress, seen: set[str]
                 ) -> tuple[list[Chunk], str]:
        """The article's chunks and status ("added"/"updated"), or no chunks when it was settled here
        (unchanged, duplicate, failed: reported through ``emit``)."""
        if not _encodable(item.source):
            shown = _printable(item.source)
            emit(ItemResult(shown, "failed", title=item.title, reason=(
                f"{shown}: the name is not valid UTF-8 (undecodable bytes shown as \ufffd), so it cannot "
                "be stored as a source; rename the file")))
            return [], ""
        seen.add(item.source)
        try:
            status = self._classify(item, pending, emit)
            if status is None:
                return [], ""
            chunks = self._chunk(item)
        except RagError as exc:
            emit(ItemResult(item.source, "failed", item.id, item.title, reason=str(exc)))
            return [], ""
        except Exception as exc:
            log.exception("preparing %s failed", item.source)
            emit(ItemResult(item.source, "failed", item.id, item.title,
                            reason=f"unexpected error while chunking ({type(exc).__name__}: {exc}); please report it"))
            return [], ""
        if not chunks:
            emit(ItemResult(item.source, "failed", item.id, item.title, reason="no text to index after cleaning"))
        return chunks, status

    def _classify(self, art: Article, pending: dict[str, tuple[str, str]], emit: Progress) -> str | None:
        """'added' / 'updated' for work to do; None when the item was settled here (unchanged, duplicate)."""
        h = art.content_hash
        by_src = self.db.by_source(art.source)
        if by_src and by_src.content_hash == h:
            if self._redescribed(art, by_src.id):
                return "updated"  # the same text under a corrected title, date, author or address
            if self.db.set_source_url(art.source, art.url):  # an exact copy's source, at a new address
                emit(ItemResult(art.source, "updated", by_src.id, art.title,
                                reason=f"same text as article {by_src.id}; its address is now {art.url or 'none'}"))
                return None
            if len(self.db.sources_of(by_src.id)) > 1:  # shared: another source's new text may replace it in
                self._recheck.append((art, "unchanged"))  # this run; told at its end (``_settle_rechecks``)
                self._seen_hash[art.source] = h
                return None
            emit(ItemResult(art.source, "unchanged", by_src.id, art.title))
            return None
        # before the duplicate check: a paywall stub that equals another stored stub would move this
        # source onto it and drop the good article all the same
        if by_src and not self._allow_shrink:
            shrunk = _shrunk(art, self.db.article_text(by_src.id) or "", by_src.id)
            if shrunk:
                emit(shrunk)
                return None
        same = self.db.by_hash(h)
        if same and same.id in self._replacing:  # a revisit pass rewrites that row before this one is written
            same = None
        twin = pending.get(h)
        if same:
            # the stored twin may be given new text later in this same run (files rotated: b.txt now holds what
            # a.txt held, and a.txt something new): mapped, or stored as its own, once the run has written all
            # (``_settle_rechecks``); mapped at once, the twin's update dropped this text and b.txt's article
            self._recheck.append((art, "duplicate"))
            self._seen_hash[art.source] = h
            return None
        if twin:
            dup_of, where = twin
            # kept as one more source of the article, with its own address (another outlet's URL): listed,
            # filtered on, removed by and cited ("also in") as the article's other sources are; its twin is
            # still in the pipeline: this source is mapped once the twin is committed
            self._deferred_sources.append((art.source, h, art.url))
            # the twin as data too (``kept_by``): each surface names it its own way from the fields
            emit(ItemResult(art.source, "duplicate", dup_of, art.title, reason=same_text(dup_of, where),
                            kept_by=(where,) if where else ()))
            return None
        self._seen_hash[art.source] = h  # the text this run stores for it (a failed item's is not: see above)
        return "updated" if by_src else "added"

    def _settle_rechecks(self, emit: Progress, failed_paths: set[str]) -> list[Article]:
        """Settle the items whose stored text another source could replace in this run, once it has written all:
        a duplicate of a stored article is mapped to it, and an unchanged source of a shared article is reported
        unchanged, when that article keeps the text (no source of it seen in this run holds other text now,
        and no item stored again here rewrites it); every other one is returned, in the order to store them
        again as their own articles (``_revisit_order``). New user 29 rotated two files (b.txt given a.txt's
        text, a.txt new text): b.txt was mapped to a.txt's article, whose update then replaced that text, and
        one article of two was gone; a dump without URLs with a record inserted at its top did the same to
        every record below it."""
        items, again, ids = list(self._recheck), [], set()
        self._recheck.clear()

        def keeps(art: Article, kind: str) -> StoredArticle | None:
            h = art.content_hash
            stored = self.db.by_hash(h) if kind == "duplicate" else self.db.by_source(art.source)
            if stored is None or stored.content_hash != h or stored.id in ids:
                return None
            if any(self._seen_hash.get(src, h) != h for src in self.db.sources_of(stored.id)):
                return None  # a source of it holds other text now: its stored text goes (or went) with it
            return stored

        moved = True
        while moved:  # storing one again rewrites its row, which another's twin may be
            moved = False
            for item in list(items):
                if keeps(*item) is None:
                    items.remove(item)
                    again.append(item[0])
                    ids.add(item[0].id)
                    moved = True
        for art, kind in items:
            stored = keeps(art, kind)  # (the loop above left only those it keeps: nothing was written since)
            if stored is None:
                again.append(art)
                continue
            if kind == "unchanged":
                emit(ItemResult(art.source, "unchanged", stored.id, art.title))
                continue
            self._add_source(art.source, stored.id, art.url)
            where = next((src for src in self.db.sources_of(stored.id) if src != art.source), "")
            reason = same_text(stored.id, where)
            if where.startswith("/") and not os.path.lexists(where):  # a file renamed: its old name is still cited
                reason += ", a file that no longer exists (renamed or moved?): an ingest with prune drops it"
            emit(ItemResult(art.source, "duplicate", stored.id, art.title, reason=reason,
                            kept_by=(where,) if where else ()))
        return self._revisit_order(again, emit, failed_paths)

    def _revisit_order(self, again: list[Article], emit: Progress, failed_paths: set[str]) -> list[Article]:
        """``again`` in an order that stores each after the one whose row holds its text now (a text may
        be stored once: the row must be rewritten first); texts swapped in a ring (a.txt given b.txt's and
        b.txt a.txt's) cannot be, and are reported failed with the fix."""
        by_id = {art.id: art for art in again}
        after: dict[str, str] = {}  # an item's article id -> the id of the item that must be written first
        for art in again:
            holder = self.db.by_hash(art.content_hash)
            if holder is not None and holder.id in by_id and holder.id != art.id:
                after[art.id] = holder.id
        order: list[Article] = []
        placed: set[str] = set()
        for art in again:
            chain, aid = [], art.id
            while aid not in placed and aid not in chain:
                chain.append(aid)
                aid = after.get(aid, aid)
                if aid == chain[-1]:
                    break
            if aid in chain and aid != chain[-1]:  # a ring: none of it can be written first
                for ring_id in chain[chain.index(aid):]:
                    if ring_id not in placed:
                        placed.add(ring_id)
                        ring = by_id[ring_id]
                        failed_paths.add(ring.source)
                        emit(ItemResult(ring.source, "failed", ring.id, ring.title, reason=(
                            "not stored: its text is stored under another source whose own new text is this one's "
                            "(texts swapped between sources); remove one of them and ingest again")))
            for aid in reversed(chain):
                if aid not in placed:
                    placed.add(aid)
                    order.append(by_id[aid])
        self._replacing = {art.id for art in order}
        return order

    def _redescribed(self, art: Article, article_id: str) -> bool:
        """``art`` is the stored article's own source (not a duplicate's) with the same text, and its
        title, author, date or URL differ: a corrected date line or headline is stored, not reported
        "unchanged" and dropped. (The title is part of every chunk's embedded text: re-embedded.)"""
        stored = self.db.described(article_id)
        if stored is None or stored[0] != art.source:
            return False
        published = art.published.isoformat() if art.published else None
        return stored[1:] != (art.title, art.author, published, art.url)

    def _add_source(self, source: str, article_id: str, url: str | None = None) -> None:
        orphan = self.db.add_source(source, article_id, url)
        if orphan:
            self.vectors.delete(self.db.remove_article(orphan))
            self.stories.remove(orphan)

    def _assign_story(self, art: Article) -> str | None:
        """Group the committed article with its near-copies (``index.stories``); its story id, for its
        result (``ItemResult.grouped``). A failure leaves it ungrouped (its own story: None) and the
        next ingest's ``_group_stories`` retries it."""
        try:
            return self.stories.assign(art.id, art.text)
        except Exception as exc:  # noqa: BLE001 - grouping is an index, never a reason to fail the article
            log.warning("story grouping of %s failed (it stays ungrouped for now): %s", art.source, exc)
            return None

    def _group_stories(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Group the articles that have no story yet: a store from before story groups, a failed
        assignment, or a refit of the grouping parameters (``python -m evals.fit_stories``)."""
        pending = self.stories.pending()
        if pending:
            log.info("grouping %d stored articles into stories", pending)
            self.stories.backfill(progress)

    def _map_deferred_sources(self) -> None:
        """Record the sources of duplicates whose twin was committed in this same run."""
        for source, h, url in self._deferred_sources:
            same = self.db.by_hash(h)
            if same:  # else the twin failed: the next ingest sees this source as new
                try:
                    self._add_source(source, same.id, url)
                except StoreError as exc:  # the mapping is stored; a left-over vector is reconciled later
                    log.warning("mapping %s: %s", source, exc)
                    self._store_failure = self._store_failure or exc
        self._deferred_sources.clear()

    def _chunk(self, art: Article, chunking: Chunking | None = None) -> list[Chunk]:
        cfg = chunking or self._chunking or Chunking.of(self.settings)
        chunks = chunk_article(art, max_tokens=cfg.tokens, overlap=cfg.overlap)
        window = self.embedder.window
        if window and chunks:
            counts = self.embedder.count_tokens([embed_text(art.title, c.text) for c in chunks])
            chunks = rechunk_to_fit(art, chunks, counts, window, cfg.overlap,
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
        for k, (art, chunks, status) in enumerate(batch.items):
            if self._aborting.is_set():  # a second Ctrl-C: the articles not committed give back their vectors
                self._drop_vectors(batch.items[k:])
                return
            try:
                old = self.db.put_article(art, chunks)
                stale = set(old) - {c.id for c in chunks}
                if stale and self._store_failure is None:  # else left for the next ingest's reconcile
                    try:
                        self.vectors.delete(sorted(stale))
                    except StoreError as exc:  # the new version is stored in both; only old vectors are
                        # left, which no row claims (search skips them, the next ingest removes them); the
                        # store is failing, so the rest of the batch does not wait on it again
                        log.warning("could not remove %d old vectors of %s (the next ingest will): %s",
                                    len(stale), art.source, exc)
                        self._store_failure = exc
                story = self._assign_story(art)
                emit(ItemResult(art.source, status, art.id, art.title, chunks=len(chunks),  # type: ignore[arg-type]
                                story_id=story))
            except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
                log.warning("storing %s failed: %s", art.source, exc)
                emit(ItemResult(art.source, "failed", art.id, art.title, reason=f"store failed: {exc}"))

    def _drop_vectors(self, items: list[tuple[Article, list[Chunk], str]]) -> None:
        """Delete the vectors just upserted for ``items``, which will not be committed, except those
        the database claims (an article stored before keeps its vectors): Chroma and the database
        stay equal, with no left-over vectors for ``rag stats`` to warn about."""
        claimed = {cid for art, _, _ in items for cid in self.db.chunk_ids(art.id)}
        orphans = [c.id for _, chunks, _ in items for c in chunks if c.id not in claimed]
        if not orphans:
            return
        try:
            self.vectors.delete(orphans)
        except Exception as exc:  # noqa: BLE001 - the next ingest's reconcile removes them
            log.warning("could not remove %d vectors of articles not stored (the next ingest will): %s",
                        len(orphans), exc)

    def _prune(self, inputs: Sequence[str], seen: set[str], failed_paths: set[str] = frozenset(),
               dumps: Sequence[DumpRead] | None = None, settled: set[str] | None = None) -> list[ItemResult]:
        """Remove sources under the given paths that this run did not see.

        Only under an input that exists (a moved or mistyped folder prunes nothing, and says so),
        matched on path boundaries (``prune`` is not a prefix of ``prune-archive``), and never a
        source that failed to load in this run (an unreadable file or folder is not a deleted one).
        With ``dumps`` (the local dumps this run read), also the records of a dump under those paths
        that were stored by their url and that the dump no longer holds (``_prune_dump_records``)."""
        from index.load import is_url

        if self._store_failure is not None:
            said = f"skipped: the vector store failed ({self._store_failure}), so nothing was removed"
            return [ItemResult("--prune", "failed", reason=said, code="prune_skipped", said=said)]
        protected = {f.split("#", 1)[0] for f in failed_paths}
        out = []
        roots: list[str] = []
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
            roots.append(root)
            for src in self.db.sources_under(root, (os.sep, "#")):
                if src in seen or any(_under(src, f) for f in protected):
                    continue
                title = self._title_of(src)
                aid, chunk_ids = self.db.remove_source(src)
                self.vectors.delete(chunk_ids)
                if aid and chunk_ids:  # the article went with its last source (else it stays in its story)
                    self.stories.remove(aid)
                out.append(ItemResult(src, "removed", aid, title, reason="source no longer exists"
                                      + ("" if chunk_ids else "; the article stays (ingested from another source too)")))
        if dumps is not None:
            out += self._prune_dump_records(roots, seen, protected, dumps, settled if settled is not None else set())
        return out

    def _title_of(self, source: str) -> str | None:
        """The title of the article stored from ``source`` (read before a prune unmaps it, so the report
        can say which article went: new user 30's `rag ingest --prune` named none)."""
        stored = self.db.by_source(source)
        described = self.db.described(stored.id) if stored else None
        return described[1] if described else None

    def _prune_skipped(self, inputs: Sequence[str], seen: set[str], dumps: Sequence[DumpRead]) -> list[PruneSkipped]:
        """The dumps under ``inputs`` that ``_prune`` left alone because they were not read whole, each
        with the stored sources a whole read would have let it weigh: those under its path and the
        urls kept for it (no other dump's), that this run did not read. None for a dump that holds
        nothing stale: its prune would have removed nothing either."""
        from index.load import is_url

        roots = [os.path.realpath(Path(i).expanduser()) for i in inputs
                 if i.strip() and "\x00" not in i and not is_url(i) and Path(i).expanduser().exists()]
        kept = {key[len(_DUMP_KEY):]: self._dump_urls(key[len(_DUMP_KEY):]) for key in self.db.meta_keys(_DUMP_KEY)}
        out = []
        for d in dumps:
            if d.whole or not any(_under(d.path, root) for root in roots):
                continue
            others = {u for path, urls in kept.items() if path != d.path for u in urls}
            stale = set(self.db.sources_under(d.path, ("#",))) | (kept.get(d.path, set()) - others)
            stale -= d.sources | seen
            stale = {src for src in stale if self.db.by_source(src) is not None}
            if stale:
                out.append(PruneSkipped(_printable(d.path), d.failed, tuple(sorted(map(_result_name, stale))),
                                        read=bool(d.sources)))
        return out

    # --- the records of a dump stored by their url (--prune) -------------------------------------
    # A dump's record with a url is stored under that url, not under the dump's path, so
    # ``sources_under`` cannot find it. The article database keeps, per local dump, the urls its
    # records had when it was last read (a meta value, ``_DUMP_KEY`` + the dump's path); --prune
    # removes those a dump held and holds no more. Kept from the first ingest that has this: a record
    # deleted from a dump before then is not known to have been in it (`rag remove URL` removes it).

    def _dump_urls(self, path: str) -> set[str]:
        raw = self.db.get_meta(_DUMP_KEY + path)
        try:
            urls = json.loads(raw) if raw else []
        except ValueError:
            return set()
        return {u for u in urls if isinstance(u, str)} if isinstance(urls, list) else set()

    def _set_dump_urls(self, path: str, urls: set[str]) -> None:
        self.db.set_meta(_DUMP_KEY + path, json.dumps(sorted(urls)) if urls else None)

    def _remember_dumps(self, dumps: Sequence[DumpRead]) -> None:
        """Add the url sources of the dumps read to those kept for them (none is forgotten without a
        --prune that removed it: a record deleted from a dump stays stored until one)."""
        for d in dumps:
            urls = _url_sources(d)
            old = self._dump_urls(d.path)
            if not urls <= old:
                self._set_dump_urls(d.path, old | urls)

    def _prune_dump_records(self, roots: Sequence[str], seen: set[str], protected: set[str],
                            dumps: Sequence[DumpRead], settled: set[str]) -> list[ItemResult]:
        """Remove the url sources a dump under ``roots`` held when last read and holds no more; a
        dump deleted from there loses them all. Kept: a dump that failed to read (or one record of
        it), one not read though it exists, a source this run saw (another dump or file holds it)
        and a source another dump's kept urls hold. ``settled`` gets the dumps whose urls it replaced."""
        read = {d.path: d for d in dumps}
        kept = {key[len(_DUMP_KEY):]: self._dump_urls(key[len(_DUMP_KEY):]) for key in self.db.meta_keys(_DUMP_KEY)}
        now = {path: _url_sources(d) if d.whole else kept.get(path, set()) | _url_sources(d)
               for path, d in read.items()}
        holders = collections.Counter(u for urls in {**kept, **now}.values() for u in urls)  # url -> dumps holding it
        out = []
        for path, old in sorted(kept.items()):
            d = read.get(path)
            if not any(_under(path, root) for root in roots) or any(_under(path, f) for f in protected):
                continue
            if d is None and os.path.lexists(path):  # not read, yet there (a hidden name): not deleted
                continue
            if d is not None and not d.whole:  # what it holds is not known: nothing of it goes
                continue
            current = now.get(path, set())
            mine = now.get(path, old)  # what ``holders`` counted for this dump
            shown = _printable(path)
            for src in sorted(old - current):
                if src in seen or holders[src] > (src in mine) or self.db.by_source(src) is None:
                    continue
                title = self._title_of(src)
                aid, chunk_ids = self.db.remove_source(src)
                self.vectors.delete(chunk_ids)
                if aid and chunk_ids:
                    self.stories.remove(aid)
                out.append(ItemResult(src, "removed", aid, title, reason=(
                    f"no longer in {shown}" if d is not None else f"{shown} no longer exists")
                    + ("" if chunk_ids else "; the article stays (ingested from another source too)")))
            self._set_dump_urls(path, current)
            settled.add(path)
        return out

    # --- maintenance ----------------------------------------------------------------------------
    def reconcile(self, progress: Counter | None = None, *, keep_unknown: bool = False) -> dict[str, int]:
        """Make Chroma agree with the article database (after a crash): drop orphans, re-embed gaps.

        ``progress(done, total)`` counts re-embedded chunks per model batch; each model batch is
        stored at once, so an interrupted reconcile loses at most one (the rest is found missing again).
        ``keep_unknown``: the vectors no chunk claims are another home's (``SHARED``), kept and warned of."""
        in_db = set(self.db.chunk_ids())
        in_vec = self.vectors.all_ids()
        orphans = sorted(in_vec - in_db)
        missing = sorted(in_db - in_vec)
        if orphans and keep_unknown:
            log.warning("%d vector%s in the Chroma collection %r %s", len(orphans), "s" if len(orphans) != 1 else "",
                        self.vectors.name, SHARED)
            orphans = []
        if orphans:
            log.info("reconcile: removing %d vectors no article claims", len(orphans))
            self.vectors.delete(orphans)
        if missing:
            log.info("reconcile: re-embedding %d chunks missing from Chroma", len(missing))
            self._embed_chunks(missing, progress)
        return {"orphans_removed": len(orphans), "reembedded": len(missing)}

    def _embed_chunks(self, ids: Sequence[str], progress: Counter | None = None) -> None:
        rows = self.db.chunks_by_ids(ids)
        done = 0
        if progress:
            progress(0, len(ids))
        for i in range(0, len(ids), self.batch_chunks):
            part = [rows[c] for c in ids[i : i + self.batch_chunks] if c in rows]
            metas = [chunk_metadata(r.article_id, r.source, r.published) for r in part]

            def store(idx: list[int], vecs: np.ndarray, part: list = part, metas: list = metas) -> None:
                nonlocal done
                self.vectors.upsert([part[j].id for j in idx], vecs, [metas[j] for j in idx])
                done += len(idx)
                if progress:
                    progress(done, len(ids))

            self._embed_sorted([embed_text(r.title, r.text) for r in part], on_batch=store)

    def reindex(self, progress: Counter | None = None, rechunk_progress: Counter | None = None) -> int:
        """Rebuild every vector with the configured embedder from the stored texts (no source re-read),
        first re-chunking stored articles when the chunk settings changed.

        Resumable and never destructive; see ``index.maintenance.reindex`` (``progress`` counts chunks
        per model batch, ``rechunk_progress`` articles). Returns the stored chunks, all re-embedded;
        ``last_reindex`` says what this run did (re-embedded, resumed at, re-chunked)."""
        self.last_reindex = reindex(self, progress, rechunk_progress)
        return self.last_reindex.chunks

    def remove(self, refs: Iterable[str]) -> list[ItemResult]:
        """Remove articles by id or id prefix (with every source they came from), or one source (by
        its name or its URL): its article goes only when no other source holds it (two copies of a
        file, a file and a URL, one text at two outlets). One ``ItemResult`` per ref, in their order:
        its ``code`` says why it is not a plain removal (``not_found``, ``ambiguous``, ``source_only``
        with ``kept_by``; None: the article went), its ``reason`` says it in words any surface can
        show; what to do next (a command, an endpoint) is the surface's to add."""
        out = []
        with self._writing():
            for given in refs:
                ref, aid = self._resolve_ref(given)
                if aid is None:
                    # what unresolved() words, as a code: several ids start with it, or nothing is it
                    several = bool(ref) and len(self.db._ids_starting(ref)) > 1  # noqa: SLF001
                    out.append(ItemResult(ref, "failed", reason=self.db.unresolved(ref),
                                       code="ambiguous" if several else "not_found"))
                    continue
                named = self.db.sources_named(aid, ref)  # none when ref is the article's id
                others = [s for s in self.db.sources_of(aid) if s not in named]
                title = (self.db.described(aid) or ("", ""))[1]  # what went, said with its full id
                if named and others:
                    for source in named:
                        self.db.remove_source(source)
                    out.append(ItemResult(ref, "removed", aid, title, code="source_only", kept_by=tuple(others), reason=(
                        f"this source only: the article stays, also ingested from {others[0]}"
                        + (f" and {len(others) - 1} more" if len(others) > 1 else ""))))
                    continue
                self.vectors.delete(self.db.remove_article(aid))
                self.stories.remove(aid)
                out.append(ItemResult(ref, "removed", aid, title))
        return out

    def _resolve_ref(self, ref: str) -> tuple[str, str | None]:
        """``(ref, article id)`` for ``rag remove REF``: a path is looked up first as ingest stores
        it (absolute and resolved, so ``rag remove "with spaces.txt"`` works in the folder it was
        ingested from, as do ``./`` and ``../`` forms, and a dump's record ``dump.jsonl#3``), then
        the ref as given (an id or unique id prefix, a URL, a source stored as it was given)."""
        from index.load import is_url, source_path

        if ref.strip() and "\x00" not in ref and not is_url(ref):
            candidates = [(ref, "")]  # (path, what follows it in the source)
            head, _, tail = ref.rpartition("#")
            if head and tail.isdigit():  # a dump's record: its file's path, then "#n"
                candidates.append((head, f"#{tail}"))
            for path, suffix in candidates:
                try:
                    source = source_path(path) + suffix
                except (OSError, ValueError, RuntimeError):  # RuntimeError: "~" without a home directory
                    continue
                found = self.db.by_source(source) if source != ref else None
                if found:
                    return source, found.id
        return ref, self.db.resolve(ref)



class _Stage(threading.Thread):
    """A pipeline thread that sets ``finished`` when its work is done (see ``Indexer._finish``)."""

    def __init__(self, target: Callable[[], None], name: str, *, daemon: bool = False) -> None:
        super().__init__(name=name, daemon=daemon)
        self._work = target
        self.finished = threading.Event()

    def run(self) -> None:
        waits.leave_signals_to_main()
        try:
            self._work()
        finally:
            self.finished.set()


def _put(q: queue.Queue, item: object, halt: threading.Event) -> bool:
    """Put ``item`` on ``q``, waiting for room until ``halt`` is set (then nobody takes it: False)."""
    while True:
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            if halt.is_set():
                return False


#: A new version of a stored article (same source) is refused, and the stored one kept, when it has
#: both under SHRINK_FRACTION of the stored words and under SHRINK_WORDS words. Real corrections
#: trim or add a sentence or two (a few percent); what turns a good article into a stub is a paywall
#: ("Subscribe to continue reading ... you have reached your limit of free articles": 20-80 words, up
#: to ~200 with a teaser paragraph), a "page not found" page, a cookie or consent wall, or a local
#: file overwritten by a saved error page. Both conditions, because either alone misfires: the
#: fraction alone would refuse a 6,000-word live blog cut to 2,500 (an edit, still an article), the
#: size alone every edit of a 120-word brief. Under half and under 300 words is a stub, or at most a
#: teaser, of an article twice its size: refusing it loses nothing (the item fails with the way to
#: replace it anyway), storing it silently lost the article.
SHRINK_FRACTION = 0.5
SHRINK_WORDS = 300

def _shrunk(art: Article, stored: str, article_id: str) -> ItemResult | None:
    """The failure (``code`` "shrunk") when ``art`` would replace the stored text ``stored`` of its
    source (article ``article_id``) with a stub (see SHRINK_FRACTION), else None."""
    from index.load import is_url

    new, old = word_count(art.text), word_count(stored)
    if not (new < SHRINK_WORDS and new < old * SHRINK_FRACTION):
        return None
    head, _, tail = art.source.rpartition("#")
    given = head if head and tail.isdigit() and not is_url(art.source) else art.source  # a dump's record: the dump
    said = (f"the new version holds {new} word{'s' * (new != 1)} against {old} stored (a paywall, error or cookie "
            "page?); the stored version is kept")
    # ``reason`` as it always read, for callers that show only it; the surfaces word their own from ``said``
    cli = (f"to replace it anyway: `rag ingest --allow-shrink {shlex.quote(given)}`, or "
           f"`rag remove {shlex.quote(art.source)}` and ingest it again")
    return ItemResult(art.source, "failed", article_id, art.title, reason=f"{said}; {cli}", code="shrunk", said=said,
                      given=given)


def _not_stored(arts: Sequence[Article], emit: Progress, failed_paths: set[str]) -> None:
    """Report ``arts`` failed: a run that ended (stopped, a store failure) before storing them as their own
    articles (``_settle_rechecks``). Their stored state is as before the run; the next ingest stores them, and
    --prune keeps them meanwhile."""
    for art in arts:
        failed_paths.add(art.source)
        emit(ItemResult(art.source, "failed", art.id, art.title, reason=(
            "not stored: another source's new text replaced the text it shared, and the run ended before it "
            "was stored as its own article; run the ingest again")))


def _log_notice(notice: FeedNotice | PruneSkipped) -> None:
    log.warning("%s", notice)


#: meta key prefix of the url sources a local dump's records had (``Indexer._dump_urls``)
_DUMP_KEY = "dump_urls:"


def _url_sources(dump: DumpRead) -> set[str]:
    """The sources of a dump's records that are not under its path: those stored by their url."""
    return {s for s in dump.sources if not _under(s, dump.path)}


def _under(source: str, path: str) -> bool:
    """``source`` is ``path`` or lies below it (a file in a folder, a record of a dump)."""
    return source == path or source.startswith((path.rstrip(os.sep) + os.sep, path + "#"))


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: os.fsdecode of a non-UTF-8 file name
        return False
    return True


def _result_name(source: str) -> str:
    """The ``item`` an ``ItemResult`` of ``source`` has: printable, without a URL's password."""
    return redact_userinfo(_printable(source))


def _printable(s: str) -> str:
    """``s`` with undecodable file-name bytes replaced, so reports and terminals can show it."""
    return s if _encodable(s) else s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
