"""Keeping the vector store whole: a resumable reindex (re-chunking first when the chunk settings
changed), repair of an unreadable Chroma directory, and the health warnings shown when questions
can only be answered by keyword search or the store is not what the settings say.

The article database holds every text, so chunks and vectors can always be rebuilt from it.
``reindex`` never empties the store first: it upserts model batch by model batch and records what
is done in the database's meta table, so a killed reindex resumes where it stopped (losing at most
one model batch) and the store keeps answering meanwhile. The chunk settings the stored articles
were cut with are recorded too (``Chunking``). A reindex with another embedder builds a new Chroma collection beside the old one and
swaps its name into the database only when it is complete (``active_collection``).

This is the ``Indexer``'s maintenance half, split off to keep ``index.pipeline`` small; it uses the
indexer's write lock and embedding helpers. Removing what a dump file brought in (``remove_dump``:
`rag remove dump.jsonl`) is here too: its records are stored by their url, not under its path; and
what a folder brought in (``remove_folder``: `rag remove news/`), stored under the paths of its files.

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
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from index.chunk import embed_text
from index.db import ArticleDB
from index.embed import runtime_probe
from index.types import Article, ItemResult
from rag.errors import RagError, StoreError
from rag.notices import EMPTY
from rag.settings import Settings
from index.vectors import VectorStore

if TYPE_CHECKING:
    from index.pipeline import Indexer
    from index.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_STATE = "reindex"  # meta key: {"target", "embedder", "dim", "rid", "done"} while a reindex is unfinished
_CHUNKING = "chunking"  # meta key: the Chunking every stored article was cut with
_RECHUNK = "rechunk"  # meta key: {"to": Chunking, "after": article id} while a re-chunk is unfinished

#: Bump when ``index.chunk`` cuts the same text differently (sentence splitting, packing, ids):
#: stored articles then count as chunked with other settings, and `rag reindex` re-chunks them.
CHUNKER_VERSION = 1


@dataclass(frozen=True)
class Chunking:
    """How stored articles were cut into chunks: the settings and the chunker's version.

    Recorded in the database's meta table. Ingest cuts new and changed articles like the stored
    ones (so a collection never mixes chunk sizes) and says so when the settings differ; `rag
    reindex` re-chunks every stored article from its stored text to the configured settings."""

    tokens: int
    overlap: int
    chunker: int = CHUNKER_VERSION

    @classmethod
    def of(cls, settings: Settings) -> Chunking:
        return cls(settings.chunk_tokens, settings.chunk_overlap)

    def describe(self) -> str:
        return f"{self.tokens} tokens, {self.overlap} sentence{'s' if self.overlap != 1 else ''} of overlap"


def stored_chunking(db: ArticleDB) -> Chunking | None:
    """The recorded chunking of the stored articles; None for a store from before it was recorded
    (taken to be at the configured settings: no re-chunk after an upgrade)."""
    return _chunking_from(db.get_meta(_CHUNKING))


def record_chunking(db: ArticleDB, chunking: Chunking) -> None:
    db.set_meta(_CHUNKING, json.dumps(asdict(chunking)))


def _chunking_from(raw: object) -> Chunking | None:
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return Chunking(int(data["tokens"]), int(data["overlap"]), int(data.get("chunker", 1)))
    except (TypeError, ValueError, KeyError):
        return None


def chunking_notice(stored: Chunking, current: Chunking) -> str:
    """What differs between the stored articles' chunking and the configured one, and the fix."""
    parts = []
    if stored.tokens != current.tokens:
        parts.append(f"with {stored.tokens} tokens, RAG_CHUNK_TOKENS is {current.tokens}")
    if stored.overlap != current.overlap:
        parts.append(f"with an overlap of {stored.overlap} sentence{'s' if stored.overlap != 1 else ''}, "
                     f"RAG_CHUNK_OVERLAP is {current.overlap}")
    if stored.chunker != current.chunker:
        parts.append(f"by chunker version {stored.chunker}, this version is {current.chunker}")
    return (f"stored articles were chunked {'; and '.join(parts)}: run `rag reindex` to re-chunk them from "
            "the stored texts (until then new articles are chunked like the stored ones)")


def chunking_mismatch(db: ArticleDB, settings: Settings) -> str | None:
    """``chunking_notice`` when stored articles were chunked otherwise than ``settings`` say, else None."""
    stored, current = stored_chunking(db), Chunking.of(settings)
    if stored is None or stored == current or not db.counts()["articles"]:
        return None
    return chunking_notice(stored, current)


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


@dataclass(frozen=True)
class ReindexReport:
    """What one ``reindex`` run did (``rag reindex`` prints it)."""

    chunks: int  # stored chunks, every one now with a vector from the configured embedder
    embedded: int  # chunks this run embedded
    resumed_at: int = 0  # chunks an earlier, interrupted run had re-embedded already (0: from the start)
    rechunked: int = 0  # articles this run cut anew (their chunking had changed)
    chunking: tuple[Chunking, Chunking] | None = None  # (from, to) when this run re-chunked


def reindex(coll: Indexer, progress: Progress | None = None,
            rechunk_progress: Progress | None = None) -> ReindexReport:
    """Re-chunk stored articles whose chunking differs from the settings, then re-embed every
    stored chunk with ``coll``'s embedder.

    ``progress(done, total)`` counts chunks and is called after every model batch (each one is
    stored and recorded at once, so an interrupted reindex loses at most one model batch);
    ``rechunk_progress(done, total)`` counts articles while they are re-chunked.

    With the same embedder the collection is rebuilt in place; with another one a new collection
    is built beside the old and swapped in when complete. A collection opened with ``repair=True``
    whose embedded Chroma fails while being rebuilt (damaged pages) is moved aside and rebuilt empty."""
    try:
        return _reindex(coll, progress, rechunk_progress)
    except StoreError as exc:
        if not coll.repair:
            raise
        coll.store.current_vectors.close()  # the client must be released before its files move
        start_empty_store(coll.db, coll.settings, exc)
        coll.store.replace_vectors(VectorStore(coll.settings, coll.embedder.name, dim=coll.embedder.dim,
                                               **runtime_probe(coll.embedder)))
        return _reindex(coll, progress, rechunk_progress)


def _reindex(coll: Indexer, progress: Progress | None, rechunk_progress: Progress | None) -> ReindexReport:
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
        rechunked, change = _rechunk(coll, active, rechunk_progress)
        if change is not None:  # chunks were cut anew (new rows, maybe reused rowids): embed them all
            state.update(rid=0, done=[])
            _save(db, state)
            db.set_meta(_RECHUNK, None)
        target = active if state["target"] == active.name else VectorStore(
            coll.settings, name, active.client, dim=dim, name=state["target"], **runtime_probe(coll.embedder))
        total = db.counts()["chunks"]
        skip = set(state.get("done") or ())  # stored by a killed run in the batch it was embedding
        resumed = (db.chunks_upto(state["rid"]) if state["rid"] else 0) + len(skip)
        done, embedded = resumed, 0
        if resumed:
            log.info("reindex: resuming after %d of %d chunks", resumed, total)
        if progress:
            progress(done, total)
        for rows in db.iter_chunks_after(state["rid"], coll.batch_chunks):
            last_rid = rows[-1][0]
            # what a killed run stored of this batch; only this batch's (they were counted again for
            # every later batch: "1280 of 39088" stored, `rag stats` said 1920)
            earlier = skip & {r[1] for r in rows}
            rows = [r for r in rows if r[1] not in skip]
            ids = [r[1] for r in rows]
            metas = db.chunk_meta(ids)
            state["done"] = sorted(earlier)

            def stored(idx: list[int], vecs, ids=ids, metas=metas) -> None:  # noqa: ANN001
                nonlocal done, embedded
                part = [ids[i] for i in idx]
                target.upsert(part, vecs, [metas[i] for i in idx])
                state["done"] += part
                _save(db, state)  # the resume point: these vectors are in Chroma
                done += len(part)
                embedded += len(part)
                if progress:
                    progress(done, total)

            coll._embed_sorted([embed_text(title, text) for _, _, title, text in rows], on_batch=stored)  # noqa: SLF001
            state.update(rid=last_rid, done=[])
            _save(db, state)
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
    return ReindexReport(done, embedded, resumed, rechunked, change)


@dataclass(frozen=True)
class _StoredArticle(Article):
    """A stored article rebuilt for re-chunking. It keeps its stored id: an article whose first
    source was removed is shown from another source, whose hash is not its id."""

    stored_id: str = ""

    @property
    def id(self) -> str:  # type: ignore[override]
        return self.stored_id


_RECHUNK_BATCH = 200  # articles re-chunked (and recorded as done) at a time


def _rechunk(coll: Indexer, active: VectorStore, progress: Progress | None) -> tuple[int, tuple[Chunking, Chunking] | None]:
    """Cut stored articles anew from their stored texts when they were chunked otherwise than the
    settings say; returns (articles changed, (from, to)), or (0, None) when nothing was to do.

    Resumable: the target and the last article done are recorded in the database, and the recorded
    chunking is switched first, so an ingest meanwhile already cuts like the target. The vectors of
    an article's old chunks are deleted *before* its new chunks are committed (a chunk id names
    article, version and number, so old and new chunks share ids): until the re-embedding that
    follows, a re-chunked article is found by keyword search only (``health`` says so), and a
    reconcile after a kill re-embeds exactly what is missing; never a vector of another text."""
    db, current = coll.db, Chunking.of(coll.settings)
    stored = stored_chunking(db)
    job = _rechunk_state(db)
    if job is not None and job["to"] != current:  # the settings changed again: every article again
        job = {"from": job["from"], "to": current, "after": ""}
    if job is None:
        if stored is None or stored == current or not db.counts()["articles"]:
            if stored != current:
                record_chunking(db, current)
            return 0, None
        job = {"from": stored, "to": current, "after": ""}
    db.set_meta(_RECHUNK, json.dumps({"from": asdict(job["from"]), "to": asdict(current), "after": job["after"]}))
    record_chunking(db, current)
    coll._chunking = current  # noqa: SLF001 - the write lock is held: cut like this from now on
    log.info("reindex: re-chunking stored articles (%s -> %s)", job["from"].describe(), current.describe())
    total = db.counts()["articles"]
    done = _articles_upto(db, job["after"])
    changed = 0
    if progress:
        progress(done, total)
    while batch := _stored_articles(db, job["after"], _RECHUNK_BATCH):
        spans = _chunk_spans(db, [a.id for a in batch])
        todo = []
        for art in batch:
            try:
                chunks = coll._chunk(art, current)  # noqa: SLF001
            except Exception as exc:  # noqa: BLE001 - keep its chunks rather than stop the reindex
                log.warning("re-chunking %s failed, its chunks stay as they were: %s", art.source, exc)
                continue
            old = spans.get(art.id, [])
            if chunks and [(c.start, c.end) for c in chunks] != [(s, e) for _, s, e in old]:
                todo.append((art, chunks, [cid for cid, _, _ in old]))
        active.delete([cid for _, _, ids in todo for cid in ids])  # first: never a vector of another text
        for art, chunks, _ in todo:
            db.put_article(art, chunks)
        changed += len(todo)
        job["after"] = batch[-1].id
        db.set_meta(_RECHUNK, json.dumps({"from": asdict(job["from"]), "to": asdict(current), "after": job["after"]}))
        done += len(batch)
        if progress:
            progress(done, total)
    log.info("reindex: re-chunked %d of %d articles", changed, total)
    return changed, (job["from"], current)


def _rechunk_state(db: ArticleDB) -> dict | None:
    raw = db.get_meta(_RECHUNK)
    try:
        data = json.loads(raw) if raw else None
        if data is None:
            return None
        to, frm = _chunking_from(data["to"]), _chunking_from(data["from"])
        if to is None or frm is None:
            return None
        return {"from": frm, "to": to, "after": str(data.get("after") or "")}
    except (ValueError, TypeError, KeyError):
        return None


# ArticleDB has no reader for whole article rows (their ``extra`` and ``author``) nor for chunk spans
# by article yet; these three read queries belong there (index/db.py) when it is next changed.
def _stored_articles(db: ArticleDB, after: str, limit: int) -> list[_StoredArticle]:
    """Whole stored articles with ids after ``after``, in id order (the re-chunk resume order)."""
    rows = db._q("SELECT id, source, title, text, author, published, url, extra FROM articles"  # noqa: SLF001
                 " WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
    out = []
    for aid, source, title, text, author, published, url, extra in rows:
        try:
            day = date.fromisoformat(published) if published else None
        except ValueError:
            day = None
        try:
            meta = json.loads(extra or "{}")
        except ValueError:
            meta = {}
        out.append(_StoredArticle(source=source, title=title, text=text, author=author, published=day, url=url,
                                  extra=meta if isinstance(meta, dict) else {}, stored_id=aid))
    return out


def _chunk_spans(db: ArticleDB, article_ids: list[str]) -> dict[str, list[tuple[str, int, int]]]:
    """(chunk id, start, end) of each article's stored chunks, in order."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for i in range(0, len(article_ids), 500):
        part = article_ids[i : i + 500]
        rows = db._q('SELECT article_id, id, start, "end" FROM chunks'  # noqa: SLF001
                     f" WHERE article_id IN ({','.join('?' * len(part))}) ORDER BY article_id, n", part)
        for aid, cid, start, end in rows:
            out.setdefault(aid, []).append((cid, start, end))
    return out


def _articles_upto(db: ArticleDB, after: str) -> int:
    if not after:
        return 0
    return db._q("SELECT count(*) FROM articles WHERE id <= ?", (after,)).fetchone()[0]  # noqa: SLF001


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


#: vectors on a Chroma server that no chunk of this home claims although its last write finished: another home's
SHARED = ("belong to no chunk of this home, which finished its last write: another home writes to this collection "
          "on the server (a copy of this home carries the same store id, so it is not refused). They are kept; give "
          "each home its own collection (RAG_COLLECTION) and run `rag reindex` in the one that moves")


def health(coll: Store) -> list[str]:
    """Warnings about ``coll`` that make answers worse without failing them: chunks without a
    vector (found by keyword search only), vectors no chunk claims, a reindex that has not
    finished, and stored articles chunked otherwise than the settings say.

    Every surface shows them (``rag stats``, each answer's notices on the CLI, REST, MCP and the UI),
    so they say what happened in words for none in particular; a reindex is only run by `rag
    reindex` (no REST route or UI control has one), which those that need one name wherever shown."""
    out: list[str] = []
    chunks = coll.db.counts()["chunks"]
    if not chunks:  # every surface shows it: how to add articles is each one's to say (``rag.notices.EMPTY``)
        return [EMPTY]
    job = _rechunk_state(coll.db)
    state = _state(coll.db)
    if job:
        out.append(f"a reindex has not finished re-chunking the stored articles to {job['to'].describe()} "
                   "(re-chunked articles are found by keyword search only until it re-embeds them); "
                   "if none is running, run `rag reindex` again to resume it")
    elif state:
        done = coll.db.chunks_upto(int(state.get("rid") or 0)) + len(state.get("done") or ())
        out.append(f"a reindex has not finished ({done} of {chunks} chunks re-embedded); "
                   "if none is running, run `rag reindex` again to resume it")
    mismatch = None if job else chunking_mismatch(coll.db, coll.settings)
    if mismatch:
        out.append(mismatch)
    try:
        n = coll.vectors.count()
    except RagError as exc:
        return [*out, str(exc)]
    if n < chunks:
        out.append(f"only {n} of {chunks} stored chunks have a vector, so the rest are found by keyword "
                   "search only; run `rag reindex` to rebuild the vectors from the stored texts")
    elif n > chunks and coll.settings.chroma_url and coll.db.get_meta("clean") == "1":
        k = n - chunks
        out.append(f"{k} vector{'s' if k != 1 else ''} in the Chroma collection {coll.vectors.name!r} "
                   f"({n} vectors, {chunks} chunks) {SHARED}")
    elif n > chunks:
        k = n - chunks
        out.append(f"{k} vector{'s' if k != 1 else ''} in Chroma belong{'s' if k == 1 else ''} to no stored chunk "
                   f"({n} vectors, {chunks} chunks): "
                   "left by an interrupted write, unless an ingest is running now; the next ingest "
                   "or reindex removes them")
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


def remove_dump(coll: Indexer, ref: str) -> list[ItemResult] | None:
    """Remove what the dump file ``ref`` (.json, .jsonl, .csv, .tsv, as `rag ingest` took it) brought in:
    its records stored under its path (``dump.jsonl#3``, those without a url) and those stored by their
    url that the store lists for it (``index.pipeline``'s ``_DUMP_KEY``: the urls its records had each
    time it was ingested, until a prune removed them). One ``ItemResult`` per record, as ``Indexer.remove``
    words them; None when ``ref`` is no dump or the store knows no record of it (one ingested before the
    store listed a dump's urls, or whose records are gone): then its urls are not known here.

    The same as a prune of the dump deleted (``_prune_dump_records``): a url that another dump's list
    holds too is kept ("skipped", naming that dump), as is an article that has other sources (only this
    source goes: ``source_only``). A url is one source whoever gave it, so a record's page ingested by
    its url too goes with the dump, as a prune of the dump removes it; `rag ingest URL` stores it again.

    >>> remove_dump(coll, "news/dump.jsonl")  # doctest: +SKIP
    [ItemResult(item='https://x.example/vz', status='removed', article_id='6f1c...', ...)]
    """
    from index.load import DUMP_KINDS, KINDS, is_url, source_path
    from index.pipeline import _DUMP_KEY, _printable

    if not ref.strip() or "\x00" in ref or is_url(ref) or KINDS.get(Path(ref).suffix.lower()) not in DUMP_KINDS:
        return None
    try:
        path = source_path(ref)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: "~" without a home directory
        return None
    with coll._writing():  # noqa: SLF001
        db = coll.db
        listed = coll._dump_urls(path)  # noqa: SLF001
        held = _held_by_dumps(coll, lambda other: other != path)
        records = [src for src in [*db.sources_under(path, ("#",)), *sorted(listed)] if db.by_source(src) is not None]
        if not records:
            return None
        out = _remove_sources(coll, [(src, f"a record of {_printable(path)}") for src in records], held)
        coll._set_dump_urls(path, set())  # noqa: SLF001 - its records are gone; ingesting it again lists them anew
    return out


def remove_folder(coll: Indexer, ref: str) -> list[ItemResult] | None:
    """Remove what `rag ingest FOLDER` brought in from the folder ``ref`` (as `rag ingest` took it: a
    relative path, ``~``, a link are resolved as ingest stores them): every article stored from a file
    under it, at any depth (and a dump's records without a url, ``dump.jsonl#3``), and the records the
    dumps under it brought in by their url, as ``remove_dump`` removes them. One ``ItemResult`` per
    source, each naming the folder; None when ``ref`` is no path or nothing stored is under it.

    `rag remove data/bbc2` after `rag ingest data/bbc2` failed ("no such article id or source"), and
    removing 40 files meant naming each (new user 11). The folder need not exist any more: what is
    stored under its path is what goes. Only sources under it on a path boundary (``/data/bbc`` is not
    under ``/data/bb``); an article also ingested from a source outside the folder stays, shown from
    that one (``source_only``), and a url another dump outside the folder lists too is kept
    ("skipped"), as ``remove_dump`` does.

    >>> remove_folder(coll, "news/2024")  # doctest: +SKIP
    [ItemResult(item='/home/me/news/2024/harbour.txt', status='removed', article_id='0797...', ...)]
    """
    from index.load import is_url, source_path
    from index.pipeline import _DUMP_KEY, _printable, _under

    if not ref.strip() or "\x00" in ref or is_url(ref):
        return None
    try:
        root = source_path(ref)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: "~" without a home directory
        return None
    if os.path.dirname(root) == root:  # the file system's root: no folder, and every file is under it
        return None
    with coll._writing():  # noqa: SLF001
        db = coll.db
        dumps = [key[len(_DUMP_KEY):] for key in db.meta_keys(_DUMP_KEY) if _under(key[len(_DUMP_KEY):], root)]
        files = [s for s in db.sources_under(root, tuple(dict.fromkeys((os.sep, "/")))) if s != root]
        listed = sorted({url for d in dumps for url in coll._dump_urls(d)} - set(files))  # noqa: SLF001
        sources = [s for s in [*files, *listed] if db.by_source(s) is not None]
        if not sources:
            return None
        shown = _printable(root)
        why = {s: f"under {shown}" for s in files}
        for d in dumps:
            for url in coll._dump_urls(d):  # noqa: SLF001
                why.setdefault(url, f"a record of {_printable(d)}, under {shown}")
        held = _held_by_dumps(coll, lambda other: not _under(other, root))
        out = _remove_sources(coll, [(s, why[s]) for s in sources], held, together=set(sources))
        for d in dumps:
            coll._set_dump_urls(d, set())  # noqa: SLF001
    return out


def _held_by_dumps(coll: Indexer, counts: Callable[[str], bool]) -> dict[str, str]:
    """url -> a dump whose list holds it (among the dumps ``counts`` keeps): a url that such a dump
    still lists is kept by a removal, as by a prune."""
    from index.pipeline import _DUMP_KEY

    held: dict[str, str] = {}
    for key in coll.db.meta_keys(_DUMP_KEY):
        other = key[len(_DUMP_KEY):]
        if counts(other):
            for url in coll._dump_urls(other):  # noqa: SLF001
                held.setdefault(url, other)
    return held


def _remove_sources(coll: Indexer, sources: list[tuple[str, str]], held: dict[str, str],
                    together: set[str] | None = None) -> list[ItemResult]:
    """Remove each ``(source, why)`` (the write lock held): an article goes with the last source it
    has, else only this source goes (``source_only``, naming one it keeps: one not in ``together``,
    the sources removed in the same call, when they leave it none); a url in ``held`` is kept."""
    from index.pipeline import _printable, _result_name

    db, out = coll.db, []
    for src, why in sources:
        name = _result_name(src)
        if src in held:
            out.append(ItemResult(name, "skipped", reason=(
                f"kept: {_printable(held[src])} holds this record too; remove it by its url to remove it anyway")))
            continue
        stored = db.by_source(src)
        if stored is None:  # (never: a source goes alone, or last of its article's)
            continue
        others = [s for s in db.sources_of(stored.id) if s != src and s not in (together or ())]
        aid, chunk_ids = db.remove_source(src)
        coll.vectors.delete(chunk_ids)
        if others:
            out.append(ItemResult(name, "removed", aid, code="source_only", kept_by=tuple(others), reason=(
                f"{why}; this source only: the article stays, also ingested from {others[0]}"
                + (f" and {len(others) - 1} more" if len(others) > 1 else ""))))
            continue
        if aid and chunk_ids:
            coll.stories.remove(aid)
        out.append(ItemResult(name, "removed", aid, reason=why))
    return out
