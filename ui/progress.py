"""How far an ingest in the Collection tab has got, and how many items it will report in all.

An upload of a 40-article JSONL was counted as one item: the bar said "0/1 articles", then lost its
total once the first record was in ("8 articles"), and only the last result said "40/40". The ingest's
progress events (``index.types.ItemResult``, ``index.pipeline.ChunksEmbedded``) carry no total, and a
dump's records are known only as it is read, so before the ingest names them the page counts them
itself, reading each local dump as the ingest will (``index.load.iter_articles``: an article, or a
failed record, is one item each; an unreadable file one). A URL may turn out to be a feed or a dump
of many items: with one among the inputs the total is a floor, and the page says so.

>>> Expected(40, True).counted(8), Expected(3, False).counted(1), Expected(3, False).counted(5)
('8/40 items', '1 of at least 3 items', '5 items so far')
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.load import DUMP_KINDS, KINDS, expand_inputs, is_url, iter_articles
from rag.settings import Settings


@dataclass(frozen=True)
class Expected:
    """The items an ingest will report, as far as they are known before it runs: ``items`` in all,
    exactly (``exact``) or at least (a URL's feed or dump is counted as one item until it is read)."""

    items: int
    exact: bool

    def total(self, done: int) -> int | None:
        """The total for a progress bar at ``done`` items: None when it is not known (a URL among the
        inputs, or more items came than were counted: the file changed after it was counted)."""
        return self.items if self.exact and done <= self.items else None

    def counted(self, done: int, unit: str = "items") -> str:
        """``done`` as the results' summary says it: "8/40 items", "1 of at least 3 items" (a URL may
        be a feed), "5 items so far" (past what was counted)."""
        if (total := self.total(done)) is not None:
            return f"{done}/{total} {unit}"  # as the finished summary says it ("40/40 items")
        if done < self.items:
            return f"{done} of at least {_noun(self.items, unit)}"
        return f"{_noun(done, unit)} so far"


def _noun(n: int, unit: str) -> str:
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def expected(inputs: Sequence[str], settings: Settings, refused: int = 0) -> Expected:
    """The items ingesting ``inputs`` will report (with ``refused``, items refused before it): one per
    file or URL, a local dump's records each (:func:`dump_items`)."""
    items, exact = refused, True
    for item in expand_inputs(inputs):
        if is_url(item):
            items, exact = items + 1, False
        else:
            items += dump_items(item, settings) if is_dump(item) else 1
    return Expected(items, exact)


def is_dump(path: str) -> bool:
    """Whether a local file is read as many articles (.json, .jsonl, .csv, .tsv: ``index.records``)."""
    return KINDS.get(Path(path).suffix.lower()) in DUMP_KINDS


def dump_items(path: str, settings: Settings) -> int:
    """The items the ingest will report for a local dump: it is read as the ingest reads it (a 20 MB
    upload takes under a second; its articles are not embedded), each article or failed record one
    item, a file that cannot be read (too large, not text, only eval cases) one. Its warnings (dates
    that read both ways, eval cases skipped) are the ingest's to say: counting says none."""
    with _quiet():
        return sum(1 for _ in iter_articles([path], settings)) or 1


class _ThisThread(logging.Filter):
    """Drops what the thread that made it logs; every other thread's records pass."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


@contextmanager
def _quiet() -> Iterator[None]:
    """The loader's loggers (``index.*``) say nothing of this thread's reading meanwhile; the ingest
    reads the same file at the same time in its own threads, and its records are kept."""
    drop = _ThisThread()
    loggers = [lg for name, lg in list(logging.root.manager.loggerDict.items())
               if name.startswith("index.") and isinstance(lg, logging.Logger)]
    for lg in loggers:
        lg.addFilter(drop)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(drop)
