"""Isolated stores for evals: a suite's corpus ingested into its own data dir, cached by content.

The store lives under ``<cache>/<key>`` where the key hashes the corpus contents and the settings
that shape an index (embedder, chunk size, overlap), so a second run over the same corpus reuses
it and a changed file, model or chunk size builds a fresh one. Nothing touches ``RAG_HOME``.

>>> rag, info = open_store(["seeds/000_2ee66f902f40f20f.txt"])   # doctest: +SKIP
>>> info["reused"], info["articles"]                            # doctest: +SKIP
(False, 1)
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.suite import CorpusRecord, write_corpus

log = logging.getLogger(__name__)

# bump when the way a corpus becomes a store changes; 2: the sentence splitter stopped reading a letter
# stuck to a digit or word ("1990s.", "Taylor's.") as an initial (rag/text.py), so chunks changed
STORE_VERSION = "2"
COLLECTION = "evals"


def cache_root() -> Path:
    """``$RAG_EVAL_CACHE``, else ``$XDG_CACHE_HOME/rag/evals`` (``~/.cache/rag/evals``)."""
    if os.environ.get("RAG_EVAL_CACHE"):
        return Path(os.environ["RAG_EVAL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rag" / "evals"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path]


DUMP_LINES = (".jsonl", ".ndjson")  # one record per non-blank line
DUMP_ROWS = (".csv", ".tsv")  # one record per row after the header


def _dump_records(path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix in DUMP_LINES:
        with path.open("rb") as f:
            return sum(1 for line in f if line.strip())
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))  # long article bodies
        return max(sum(1 for row in csv.reader(f, delimiter="\t" if suffix == ".tsv" else ",") if row) - 1, 0)


def expected_records(items: Sequence[str], max_mb: float) -> int | None:
    """What an ingest of ``items`` (expanded files and URLs) reports, for a progress total: one per
    file, and one per record of a JSON-lines or CSV dump (its line or row count: cheap). None when a
    count is unknown before reading (a URL, which may be a feed; a ``.json`` dump; a dump too large
    to count): a total of files would read "ingest 104/1" for a one-file dump."""
    total = 0
    for item in items:
        if "://" in item:
            return None
        path = Path(item)
        suffix = path.suffix.lower()
        if suffix == ".json":
            return None
        if suffix in DUMP_LINES + DUMP_ROWS:
            try:
                if path.stat().st_size > max_mb * 1024 * 1024:
                    return None
                total += _dump_records(path)
            except (OSError, csv.Error, ValueError):
                total += 1  # loading it reports what is wrong
            continue
        total += 1
    return total


def corpus_key(inputs: Sequence[str], settings: Any) -> str:
    """Hash of every input file's path and bytes (URLs by name) plus the index-shaping settings."""
    h = hashlib.sha256()
    h.update(f"v{STORE_VERSION}|{settings.embedder}|{settings.embed_model}|{settings.chunk_tokens}|"
             f"{settings.chunk_overlap}".encode())
    for item in sorted(inputs):
        if "://" in item:
            h.update(f"|url:{item}".encode())
            continue
        root = Path(item).expanduser().resolve()
        for f in _files(root):
            h.update(f"|{f}|".encode())
            try:
                with f.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
            except OSError:
                h.update(b"<unreadable>")
    return h.hexdigest()[:16]


def records_key(records: Sequence[CorpusRecord]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps([r.title, r.text, r.url]).encode())
    return h.hexdigest()[:16]


def store_settings(home: Path) -> Any:
    """The environment's settings (model, chunking, top_k, answerer) with an isolated embedded store."""
    from rag.settings import load_settings

    return load_settings(home=home, collection=COLLECTION, chroma_url=None)


def open_store(
    inputs: Sequence[str] = (),
    *,
    records: Sequence[CorpusRecord] = (),
    store_dir: Path | None = None,
    cache: bool = True,
    embedder: Any | None = None,
    progress: Callable[[Any], None] | None = None,
    on_start: Callable[[int | None], None] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """A ``RAG`` over ``inputs`` (files, folders, URLs) and/or ``records`` (a suite's own articles),
    ingested once into ``store_dir`` (default: the cache dir, keyed by content) and reused after.

    ``progress`` gets each record's ``ItemResult``; ``on_start`` the number of records to expect
    before a build (``expected_records``; None when it cannot be known before reading)."""
    from index.collection import Collection
    from rag.api import RAG

    probe = store_settings(Path(tempfile.gettempdir()))
    key = hashlib.sha256(f"{corpus_key(inputs, probe)}|{records_key(records)}".encode()).hexdigest()[:16]
    given = store_dir is not None
    if store_dir is None:
        store_dir = cache_root() / key if cache else Path(tempfile.mkdtemp(prefix="rag-eval-"))
    store_dir = Path(store_dir).expanduser()
    settings = store_settings(store_dir)
    ready = store_dir / "ready.json"
    coll = Collection.open(settings, embedder=embedder)
    info: dict[str, Any] = {"store": str(store_dir), "key": key, "reused": False, "failed": []}
    state = json.loads(ready.read_text()) if ready.is_file() else {}
    # `--store DIR` alone (no corpus, no suite articles): the store as it is, whatever built it
    as_is = given and not inputs and not records and bool(state)
    if (as_is or state.get("key") == key) and coll.db.counts()["articles"]:
        info["reused"] = True
        info["failed"] = state.get("failed", [])
    else:
        todo = list(inputs)
        if records:
            todo.append(str(write_corpus(records, store_dir / "corpus.jsonl")))
        if on_start:
            from index.load import expand_inputs

            expected = expected_records(expand_inputs(list(inputs)), settings.max_dump_mb)
            on_start(None if expected is None else expected + len(records))
        report = coll.ingest(todo, progress=progress)
        info["failed"] = [f"{r.item}: {r.reason}" for r in report.failed]
        info["ingest"] = report.summary()
        info["ingest_seconds"] = round(report.seconds, 1)
        ready.write_text(json.dumps({"key": key, "inputs": list(inputs), "records": len(records),
                                     "ingest": report.summary(), "failed": info["failed"]}, indent=1))
    counts = coll.db.counts()
    info.update(articles=counts["articles"], chunks=counts["chunks"], embedder=coll.embedder.name)
    return RAG(settings, collection=coll), info
