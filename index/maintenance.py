"""Keeping the vector store whole: a resumable reindex, repair of an unreadable Chroma directory,
and the health warnings shown when questions can only be answered by keyword search.

The article database holds every text, so vectors can always be rebuilt from it. ``reindex``
never empties the store first: it upserts batch by batch and records the last chunk done in the
database's meta table, so a killed reindex resumes where it stopped and the store keeps answering
meanwhile. A reindex with another embedder builds a new Chroma collection beside the old one and
swaps its name into the database only when it is complete (``active_collection``).

This is the ``Indexer``'s maintenance half, split off to keep ``index.pipeline`` small; it uses the
indexer's write lock and embedding helpers.

>>> from index.collection import Collection                              # doctest: +SKIP
>>> with Collection.open(check_embedder=False, repair=True) as coll:   # doctest: +SKIP
...     coll.health(), coll.reindex()
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from index.chunk import embed_text
from index.db import ArticleDB
from index.embed import runtime_probe
from rag.errors import RagError, StoreError
from rag.settings import Settings
from index.vectors import VectorStore

if TYPE_CHECKING:
    from index.pipeline import Indexer
    from index.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_STATE = "reindex"  # meta key: {"target", "embedder", "dim", "rid"} while a reindex is unfinished


def _collection_key(settings: Settings) -> str:
    return f"collection:{settings.collection}"


def active_collection(db: ArticleDB, settings: Settings) -> str:
    """The Chroma collection that holds the vectors for ``settings.collection``: the configured name
    until a reindex to another embedder built and swapped in a new one (recorded in the database)."""
    return db.get_meta(_collection_key(settings)) or settings.collection


def move_chroma_aside(settings: Settings) -> Path:
    """Rename an unreadable embedded Chroma directory to ``chroma.corrupt-<time>`` (kept, not deleted)."""
    src = settings.chroma_path
    dest = src.with_name(f"chroma.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    if dest.exists():
        dest = dest.with_name(f"{dest.name}-{os.getpid()}")
    if src.exists():
        shutil.move(str(src), str(dest))
    return dest


def start_empty_store(db: ArticleDB, settings: Settings, exc: BaseException) -> None:
    """Move an unreadable embedded Chroma directory aside and forget what the database knew of it."""
    moved = move_chroma_aside(settings)
    log.warning("the vector store was unreadable (%s); moved it to %s and starting an empty one", exc, moved)
    db.set_meta(_collection_key(settings), None)
    db.set_meta(_STATE, None)
    db.set_meta("clean", "0")


def reindex(coll: Indexer, progress: Progress | None = None) -> int:
    """Re-embed every stored chunk with ``coll``'s embedder; returns the chunks done (all of them).

    With the same embedder the collection is rebuilt in place; with another one a new collection
    is built beside the old and swapped in when complete. A collection opened with ``repair=True``
    whose embedded Chroma fails while being rebuilt (damaged pages) is moved aside and rebuilt empty."""
    try:
        return _reindex(coll, progress)
    except StoreError as exc:
        if not coll.repair:
            raise
        coll.store.current_vectors.close()  # the client must be released before its files move
        start_empty_store(coll.db, coll.settings, exc)
        coll.store.replace_vectors(VectorStore(coll.settings, coll.embedder.name, dim=coll.embedder.dim,
                                               **runtime_probe(coll.embedder)))
        return _reindex(coll, progress)


def _reindex(coll: Indexer, progress: Progress | None) -> int:
    db, active = coll.db, coll.store.current_vectors
    name, dim = coll.embedder.name, coll.embedder.dim or None
    with coll._writing():  # noqa: SLF001
        state = _state(db)
        if state and (state.get("embedder") != name or state.get("dim") != dim):
            if state.get("target") != active.name:  # half-built for another embedder: start over
                active.drop(state["target"])
            state = None
        if state is None:
            state = {"target": _target(coll, name, dim), "embedder": name, "dim": dim, "rid": 0}
            _save(db, state)
        target = active if state["target"] == active.name else VectorStore(
            coll.settings, name, active.client, dim=dim, name=state["target"], **runtime_probe(coll.embedder))
        total = db.counts()["chunks"]
        done = db.chunks_upto(state["rid"]) if state["rid"] else 0
        if done:
            log.info("reindex: resuming after %d of %d chunks", done, total)
        if progress:
            progress(done, total)
        for rows in db.iter_chunks_after(state["rid"], coll.batch_chunks):
            ids = [r[1] for r in rows]
            vecs = coll._embed_sorted([embed_text(title, text) for _, _, title, text in rows])  # noqa: SLF001
            target.upsert(ids, vecs, db.chunk_meta(ids))
            state["rid"] = rows[-1][0]
            _save(db, state)  # the resume point: this batch is in Chroma
            done += len(rows)
            if progress:
                progress(done, total)
        target.record_embedder(force=True)  # every vector is now this runtime's (an in-place rebuild too)
        orphans = target.all_ids() - set(db.chunk_ids())  # in place, stale vectors survive upserts
        if orphans:
            target.delete(sorted(orphans))
        if target is not active:
            db.set_meta(_collection_key(coll.settings), target.name)  # the swap: readers open this one now
            target._own_client = active._own_client  # noqa: SLF001 - the shared client changes hands
            coll.store.replace_vectors(target)
            target.drop(active.name)
        db.set_meta(_STATE, None)
        db.set_meta("embedder", name)
        coll._group_stories()  # noqa: SLF001 - a store from before story groups is grouped here too
    return done


def _state(db: ArticleDB) -> dict | None:
    raw = db.get_meta(_STATE)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _save(db: ArticleDB, state: dict) -> None:
    db.set_meta(_STATE, json.dumps(state))


def _target(coll: Indexer, name: str, dim: int | None) -> str:
    """The active collection when it holds this embedder's vectors (or none), else a new name."""
    v = coll.store.current_vectors
    stored, stored_dim = v.built_with()
    other = stored not in (None, name) or bool(stored_dim and dim and stored_dim != dim)
    if not other:
        return v.name
    if v.count() == 0:
        v.reset(name, dim)  # empty, but labelled with another embedder
        return v.name
    return f"{coll.settings.collection}-r{uuid.uuid4().hex[:8]}"


def health(coll: Store) -> list[str]:
    """Warnings about ``coll`` that make answers worse without failing them: chunks without a
    vector (found by keyword search only) and a reindex that has not finished."""
    out: list[str] = []
    chunks = coll.db.counts()["chunks"]
    if not chunks:
        return ["the collection is empty: add articles with `rag ingest PATH_OR_URL` (files, folders, URLs, "
                "feeds) or the UI's Collection tab"]
    state = _state(coll.db)
    if state:
        done = coll.db.chunks_upto(int(state.get("rid") or 0))
        out.append(f"a `rag reindex` has not finished ({done} of {chunks} chunks re-embedded); "
                   "if none is running, run `rag reindex` again to resume it")
    try:
        n = coll.vectors.count()
    except RagError as exc:
        return [*out, str(exc)]
    if n < chunks:
        out.append(f"only {n} of {chunks} stored chunks have a vector, so the rest are found by keyword "
                   "search only; run `rag reindex` to rebuild the vectors from the stored texts")
    return out


SEARCH_SAMPLE = 24  # stored chunks searched by their own vectors (about 50 ms)
SEARCH_MIN_FOUND = 0.9  # a healthy index finds every one (254 of 254 measured); a broken one 91 of 254


def search_check(coll: Store, sample: int = SEARCH_SAMPLE) -> str | None:
    """A warning when vector search no longer finds what is stored, else None: a random sample of
    stored chunks is searched by its own vector, and each should come back among the first three.
    An index damaged by thousands of identical vectors (which ``chunk_article`` no longer stores)
    answered from keyword search alone, stayed so after the bad article was removed, and nothing
    said so; ``rag reindex`` rebuilds it. For ``rag stats``, not per question."""
    ids = coll.db.sample_chunk_ids(sample)
    if not ids:  # an empty collection: nothing to find (``health`` says it is empty)
        return None
    try:
        vecs = coll.vectors.vectors_of(ids)
        found = sum(cid in {hit for hit, _ in coll.vectors.query(v, 3)} for cid, v in vecs.items())
    except RagError as exc:
        return str(exc)
    if vecs and found < SEARCH_MIN_FOUND * len(vecs):
        return (f"vector search found only {found} of {len(vecs)} sampled stored passages by their own vectors, "
                "so answers miss passages; run `rag reindex` to rebuild the vector index")
    return None
