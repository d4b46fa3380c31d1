"""Turn inputs (files, folders, http(s) URLs) into ``Article``s, one item at a time.

>>> from rag.settings import Settings
>>> for item in iter_articles(["seeds/", "https://example.com/story"], Settings()):  # doctest: +SKIP
...     print(item.title if isinstance(item, Article) else item.reason)

Bad input never raises and never stops the batch: it comes out as a ``LoadFailure`` whose
reason names the item and says what to do. Folders are walked lazily, so a large corpus is
read one file at a time.

Source strings (the article id is derived from them, so they are stable across runs):
  * a file: its absolute resolved path
  * a record of a dump: its url field if it has one, else ``<abs path>#<n>`` (n = line number for
    JSONL, 1-based data row for CSV, list index for JSON); for a dump fetched from a URL the
    final URL replaces the path
  * a URL: the final URL after redirects, without its #fragment
  * a feed or sitemap URL (RSS, Atom, sitemap, sitemap index; see ``index.feeds``): each item's
    article page, fetched like any URL, so the same source as ingesting that URL directly; the
    feed's title, date and author fill in what the page lacks. A failing item is one failure
    naming its URL; the rest of the feed goes on.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import stat
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path

from index import feeds, formats, waits
from rag.errors import InputError
from index.feeds import Feed, FeedItem
from index.fetch import FetchedPage, fetch_url
from index.formats.prose import ARTICLE_MIN_WORDS, too_little_text
from index.records import DateOrder, SkippedRecord, iter_records
from rag.settings import Settings
from rag.text import plural
from index.types import Article, LoadFailure, Skipped

logger = logging.getLogger(__name__)

KINDS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
         ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".json": "json", ".jsonl": "jsonl",
         ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv"}
SUPPORTED = ", ".join(sorted(KINDS))
CONTENT_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf",
                 "text/plain": "text", "text/markdown": "markdown", "text/x-markdown": "markdown",
                 "application/json": "json", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                 "application/x-jsonlines": "jsonl", "text/csv": "csv", "text/tab-separated-values": "tsv"}
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SNIFF = 8192


@dataclass(frozen=True)
class DumpRead:
    """A local dump (.json/.jsonl/.csv/.tsv file) read to its end, for ``--prune``: a record stored by
    its url is not under the dump's path, so the pipeline keeps, per dump, the sources its records
    had (``index.pipeline``). ``whole`` is False when any record of it failed or the file was not
    read as articles: then what it holds is not known, and nothing of it may be pruned (the pipeline
    says so: ``index.pipeline.PruneSkipped``, with ``failed``, how many of its records, or the file
    itself, failed to load)."""

    path: str  # the dump's source path; its records without a url are stored as ``<path>#<n>``
    sources: frozenset[str]  # the sources of the articles it held (urls, and ``<path>#<n>``)
    whole: bool
    failed: int = field(default=0, compare=False)


def iter_articles(inputs: Iterable[str], settings: Settings, *, on_dump: Callable[[DumpRead], None] | None = None
                  ) -> Iterator[Article | LoadFailure | Skipped]:
    """Yield an ``Article`` or a ``LoadFailure`` for every file, record and URL in ``inputs``, and a
    ``Skipped`` for every file of a folder whose type is not read (``report.docx``). ``on_dump``
    is told what each local dump held, once its last record was yielded (``DumpRead``)."""
    for item in _iter_items(inputs):
        if isinstance(item, Skipped):
            yield item
            continue
        dump = on_dump is not None and _is_local_dump(item)
        sources: set[str] = set()
        whole = True
        failed = 0
        try:
            for result in _load_item(item, settings):
                if dump:
                    if isinstance(result, Article):
                        sources.add(result.source)
                    else:
                        whole = False
                        failed += isinstance(result, LoadFailure)
                yield result
        except Exception as exc:  # a parser bug must not end the batch; say what broke
            logger.exception("unexpected error loading %s", item)
            whole = False
            failed += 1
            yield LoadFailure(item, f"{item}: unexpected error while reading ({type(exc).__name__}: {exc}); "
                                    "check the file opens normally, and report this if it does")
        if dump and on_dump is not None:
            on_dump(DumpRead(item, frozenset(sources), whole, failed))


def _is_local_dump(item: str) -> bool:
    return not is_url(item) and KINDS.get(Path(item).suffix.lower()) in DUMP_KINDS


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """The items ``iter_articles`` would load (for a progress total): URLs as given, resolved file
    paths, folders walked. A dump counts as one item although it may yield many articles; a file
    of a folder whose type is not read is not an item to load (it comes out as ``Skipped``)."""
    return [i for i in _iter_items(inputs) if isinstance(i, str)]


def source_path(ref: str) -> str:
    """The source a file given as ``ref`` is stored under: absolute and resolved (symlinks, ``..``,
    ``~``), as ``iter_articles`` makes it, whether or not the file still exists."""
    return os.path.realpath(Path(ref).expanduser().absolute())


def is_url(item: str) -> bool:
    return bool(_URL.match(item.strip()))


def as_inputs(inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """``inputs`` as a list of strings: one path or URL given alone is one input, not a sequence of
    characters (``ingest("/tmp/news")`` read "/" as an input and walked the whole file system; with
    ``prune`` it would have removed every stored file it did not see)."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    elif inputs is None or isinstance(inputs, (bytes, bytearray)) or not hasattr(inputs, "__iter__"):
        # None read as "'NoneType' object is not iterable"; b"/news" as 47, the code of its "/"
        raise TypeError(f"inputs must be a path or URL string, or a list of them, not {type(inputs).__name__} "
                        f"({inputs!r:.60}); e.g. ingest(['news/', 'https://example.org/story'])")
    out = []
    for item in inputs:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"an input must be a path or URL string, not {type(item).__name__} ({item!r:.60})")
        out.append(os.fspath(item))
    return out


def _iter_items(inputs: str | Iterable[str]) -> Iterator[str | Skipped]:
    seen: set[str] = set()
    for raw in as_inputs(inputs):
        if not raw.strip():  # "" is no path: read as one it is the current folder ("$UNSET_VARIABLE")
            yield raw
            continue
        if is_url(raw):
            yield raw.strip()
            continue
        if "\x00" in raw:  # no OS accepts it; let loading report it
            yield raw
            continue
        path = Path(raw).expanduser()
        if path.is_symlink() and not path.exists():  # a broken link given: named by itself, not its target
            yield str(path.absolute())
            continue
        items = _walk(path) if path.is_dir() else iter([str(path.absolute())])
        empty = True
        for item in items:
            empty = empty and isinstance(item, Skipped)  # a folder of .docx files alone has nothing to load
            key = source_path(item if isinstance(item, str) else item.item)
            if key in seen:  # the resolved path: a failure's item equals the source it would have had
                continue
            seen.add(key)
            # a skipped file is named as the folder shows it (a broken link was named by the file it points at)
            yield Skipped(item.item, item.reason) if isinstance(item, Skipped) else key
        if empty:  # a folder without one loadable file: say so rather than load nothing quietly
            yield source_path(str(path))


def _walk(folder: Path) -> Iterator[str | Skipped]:
    """Files under ``folder`` with a supported extension, sorted, skipping hidden names and dir
    symlinks; a file of another type comes out as ``Skipped`` (the report names it: a folder ingest
    that said "added 2, failed 0" over a report.docx left the user thinking it was read).

    Iterative (a stack, not recursion) so absurdly deep trees cannot blow the Python stack.
    """
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            logger.debug("cannot list %s: %s", current, exc)
            yield str(current.absolute())  # loading it reports the failure
            continue
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(Path(entry.path))
                elif not entry.is_file():  # named, not passed over in silence (new user 29)
                    yield Skipped(str(Path(entry.path).absolute()), _not_a_file(Path(entry.path)))
                elif Path(entry.name).suffix.lower() in KINDS:
                    yield str(Path(entry.path).absolute())
                else:
                    logger.debug("skipping %s: not a supported extension (%s)", entry.path, SUPPORTED)
                    yield Skipped(str(Path(entry.path).absolute()), unsupported_reason(entry.name))
            except OSError as exc:
                logger.debug("skipping %s: %s", entry.path, exc)
        stack.extend(reversed(subdirs))


#: what to do with the types people keep beside articles; anything else gets the generic advice
_CONVERT = (
    ({".doc", ".docx", ".odt", ".rtf", ".pages", ".wpd"}, "a word-processor document",
     "save it as .txt, .html or .pdf, then ingest that file"),
    ({".eml", ".msg", ".mbox", ".emlx"}, "an e-mail",
     "save the message as .txt or .html (or print it to .pdf), then ingest that file"),
    ({".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst"}, "an archive or compressed file",
     "unpack it, then ingest the unpacked files"),
    ({".xls", ".xlsx", ".ods", ".numbers"}, "a spreadsheet",
     "save it as .csv (one article per row: title, text, url, date), then ingest that file"),
    ({".ppt", ".pptx", ".odp", ".key"}, "a presentation", "save it as .pdf, then ingest that file"),
    ({".epub", ".mobi", ".azw", ".azw3"}, "an e-book", "convert it to .html or .pdf, then ingest that file"),
    ({".xml", ".rss", ".atom"}, "XML (a feed or sitemap?)",
     "a feed or sitemap is read from its URL: `rag ingest URL`; else save the articles as .txt or .html"),
)


QA_SUITE = "question-answer cases of an eval suite"  # a dump's reason to be skipped (``Skipped.reason``)


def unsupported_reason(name: str) -> str:
    """Why a file of a folder is not read and what to do, by its extension (``Skipped.reason``)."""
    suffix = Path(name).suffix.lower()
    if not suffix:
        return "no file extension, so its type is unknown; if it is plain text, rename it to .txt"
    for suffixes, what, todo in _CONVERT:
        if suffix in suffixes:
            return f"unsupported file type {suffix!r} ({what}); {todo}"
    return (f"unsupported file type {suffix!r}; if it holds an article, save it as .txt, .html or .pdf "
            "(a plain-text file: rename it to .txt)")


def _load_item(item: str, settings: Settings) -> Iterator[Article | LoadFailure | Skipped]:
    if not item.strip():
        yield LoadFailure(repr(item), "an empty input, not a file, folder or URL (an unset shell variable?); "
                                      "nothing was read")
        return
    if is_url(item):
        yield from _load_url(item, settings)
        return
    try:
        yield from _load_file(Path(item), settings)
    except InputError as exc:
        logger.info("skipped %s", exc)
        yield LoadFailure(item, str(exc), code=exc.code)


def _load_file(path: Path, settings: Settings) -> Iterator[Article | LoadFailure | Skipped]:
    shown = str(path)
    kind = KINDS.get(path.suffix.lower())
    before = _stat(path, shown)
    if kind is None:
        raise InputError(shown, f"has an unsupported file type {path.suffix or '(no extension)'!r}; "
                                f"supported: {SUPPORTED} (rename plain-text files to .txt)")
    limit_mb, knob = (settings.max_dump_mb, "RAG_MAX_DUMP_MB") if kind in DUMP_KINDS else \
        (settings.max_file_mb, "RAG_MAX_FILE_MB")
    data = _read_settled(path, shown, before, int(limit_mb * 1024 * 1024), limit_mb, knob)
    yield from _parse(kind, data, str(path.resolve()), shown, url=None, declared=None, date_order=settings.date_order)


#: files of many articles, one per record (``index.records``): a local one may be ``RAG_MAX_DUMP_MB``
DUMP_KINDS = frozenset({"json", "jsonl", "csv", "tsv"})


#: how ``_not_a_file``'s reasons open (a surface lists those files apart from the types it does not read)
NOT_A_FILE = ("is a broken symbolic link", "is not a regular file")


def _not_a_file(path: Path) -> str:
    """Why ``path``, in a folder or given, is no file to read: a broken symbolic link (to where), or a named
    pipe, socket or device (new user 29's FIFO was "empty (0 bytes)", a broken link named by its target)."""
    if path.is_symlink() and not path.exists():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"{NOT_A_FILE[0]} (to {target}); fix or remove the link"
    return f"{NOT_A_FILE[1]} (a named pipe, socket or device); give a file"


def _stat(path: Path, shown: str) -> os.stat_result:
    try:
        if path.is_dir():
            os.scandir(path).close()
            raise InputError(shown, f"is a folder with no files to load (looked for {SUPPORTED}, "
                                    "hidden files skipped); add articles or pass the files directly")
        if path.is_symlink() and not path.exists():
            raise InputError(shown, _not_a_file(path))
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise InputError(shown, _not_a_file(path))
        return st
    except FileNotFoundError:
        raise InputError(shown, f"does not exist; check the path (relative paths start at {os.getcwd()})") from None
    except PermissionError:
        raise InputError(shown, "cannot be read (permission denied); fix its permissions") from None
    except (OSError, ValueError) as exc:
        raise InputError(shown, f"cannot be read ({getattr(exc, 'strerror', None) or exc}); check the path") from None


def _read_settled(path: Path, shown: str, before: os.stat_result, limit: int, limit_mb: float,
                  knob: str = "RAG_MAX_FILE_MB") -> bytes:
    """Read the file once, and only keep the bytes if it did not change while they were read.

    A file still being written (a download, a sync client, an editor saving) would otherwise be
    stored half-read as if it were the article. Size, mtime, ctime and inode are compared before and
    after the read, and the bytes read must be the whole file; a change means one more try (the
    writer may just have finished), then the item fails with a reason. A writer that pauses between
    our two checks without changing the file cannot be seen from here.
    """
    for attempt in (1, 2):
        if before.st_size > limit:
            raise InputError(shown, f"is {_human(before.st_size)}, over the {limit_mb:g} MB limit; "
                                    f"raise {knob} or split the file")
        if before.st_size == 0:
            raise InputError(shown, "is empty (0 bytes); remove it or add the article text")
        try:
            with path.open("rb") as f:
                data = f.read(limit + 1)
        except OSError as exc:
            raise InputError(shown, f"cannot be read ({exc.strerror or exc}); check its permissions") from None
        after = _stat(path, shown)
        if _same_file_state(before, after) and len(data) == after.st_size:
            return data
        logger.info("%s changed while it was read (attempt %d: %d bytes read, size %d -> %d)",
                    shown, attempt, len(data), before.st_size, after.st_size)
        before = after
    raise InputError(shown, "changed while it was being read (twice), so only part of it might have been "
                            "read; wait until whatever writes it has finished (or copy it and ingest the "
                            "copy), then ingest it again")


def _same_file_state(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns, a.st_ino, a.st_dev) == \
        (b.st_size, b.st_mtime_ns, b.st_ctime_ns, b.st_ino, b.st_dev)


def _load_url(url: str, settings: Settings) -> Iterator[Article | LoadFailure | Skipped]:
    try:
        page = fetch_url(url, settings)
    except InputError as exc:
        logger.info("skipped %s", exc)
        yield LoadFailure(url, str(exc), code=exc.code)
        return
    if feeds.is_feed(page):
        yield from _load_feed(page, url, settings)
        return
    yield from _load_page(page, url, settings.date_order)


def load_feed_item(item: FeedItem, settings: Settings) -> Iterator[Article | LoadFailure]:
    """The article a feed item links to, fetched like any URL, with the feed's metadata filled in.

    A link that turns out to be another feed is refused (feeds are not followed from feeds); a
    failure names the item's URL."""
    try:
        results = list(_load_feed_item(item, settings))
    except Exception as exc:  # a parser bug must not end the feed; say what broke
        logger.exception("unexpected error loading feed item %s", item.link)
        results = [LoadFailure(item.link, f"{item.link}: unexpected error while reading ({type(exc).__name__}: "
                                          f"{exc}); check the page opens normally, and report this if it does")]
    yield from results


#: Item pages fetched at once. Fetching is network-bound and embedding CPU-bound: one page at a time
#: would leave the model idle on every slow server, so a few fetches run ahead of the pipeline,
#: as few as keep it busy (a browser opens 6 connections per host; we stay under that).
FEED_FETCHES = 4
#: seconds a stopped ``load_feed_items`` gives the pages in flight before it hands over those done
#: (a page read but still being parsed is worth storing; a slow server is not waited for)
STOP_GRACE = 1.0


class Waiting:
    """What ``load_feed_items(as_fetched=True)`` yields when no page is ready and it is about to wait
    for one (``WAITING``): the ingest pipeline then hands over the articles it holds
    (``index.pipeline``), so they are stored now, not once more pages come. A page fetched in a
    second was stored only after a slow one of the same watch round took the whole
    RAG_FETCH_TIMEOUT (new user 20)."""

    def __repr__(self) -> str:
        return "WAITING"


WAITING = Waiting()


def load_feed_items(items: Sequence[FeedItem], settings: Settings, workers: int = FEED_FETCHES, *,
                    stop: threading.Event | None = None, as_fetched: bool = False
                    ) -> Iterator[tuple[FeedItem, list[Article | LoadFailure]] | Waiting]:
    """``load_feed_item`` over ``items`` with up to ``workers`` pages in flight, in feed order, or
    with ``as_fetched`` in the order their pages come, with a ``WAITING`` before each wait (`rag
    watch`: a slow or hung page then holds up no other item of its round; `rag ingest` keeps the
    feed's order, which its report follows).

    At most ``workers`` results wait ahead of the consumer, so a slow pipeline holds few pages in
    memory; closing the iterator (Ctrl-C, a stopped ingest) cancels what has not started.
    ``stop`` (`rag watch`'s first Ctrl-C): once it is set, the pages already fetched are handed
    over and the iterator ends, without waiting for a slow page: a page fetched in a second sat
    behind one that took the whole RAG_FETCH_TIMEOUT, and was thrown away when the round stopped
    (new user 20). The fetches left running are abandoned (the caller may ``abort_fetches``)."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            if stop is not None and stop.is_set():
                return
            yield item, list(load_feed_item(item, settings))
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed-fetch",
                              initializer=waits.leave_signals_to_main)
    pending: deque[tuple[FeedItem, Future]] = deque()
    queue_ = iter(items)
    try:
        for item in itertools.islice(queue_, workers):
            pending.append((item, pool.submit(lambda i=item: list(load_feed_item(i, settings)))))
        while pending:
            if as_fetched and not any(f.done() for _, f in pending):
                yield WAITING
            head = _next_fetched(pending, stop, as_fetched)
            if head is None:  # stopped first
                # a page whose body came but is still being parsed is fetched too: a moment for it
                wait_futures([f for _, f in pending], timeout=STOP_GRACE)
                yield from ((i, f.result()) for i, f in list(pending) if f.done())
                return
            pending.remove(head)
            item, future = head
            nxt = None if stop is not None and stop.is_set() else next(queue_, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(lambda i=nxt: list(load_feed_item(i, settings)))))
            yield item, future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _next_fetched(pending: deque[tuple[FeedItem, Future]], stop: threading.Event | None, as_fetched: bool
                  ) -> tuple[FeedItem, Future] | None:
    """The next of ``pending`` to hand over, once its page came: the first (feed order) or, with
    ``as_fetched``, the first done. None when ``stop`` was set before it came."""
    if stop is None and not as_fetched:
        return pending[0]  # its ``result()`` waits for it
    while True:
        head = next((p for p in pending if p[1].done()), None) if as_fetched else pending[0]
        if head is not None and head[1].done():
            return head
        if stop is not None and stop.is_set():
            return None
        waiting = [f for _, f in pending] if as_fetched else [pending[0][1]]
        wait_futures(waiting, timeout=waits.SLICE, return_when=FIRST_COMPLETED)


def _load_feed_item(item: FeedItem, settings: Settings) -> Iterator[Article | LoadFailure]:
    try:
        page = fetch_url(item.link, settings)
    except InputError as exc:
        logger.info("skipped feed item %s", exc)
        yield LoadFailure(item.link, str(exc), code=exc.code)
        return
    if feeds.is_feed(page):
        yield LoadFailure(item.link, f"{item.link}: this feed item links to another feed, not an article page; "
                                     "ingest that feed's URL directly if you want its articles")
        return
    for result in _load_page(page, item.link, settings.date_order):
        if isinstance(result, Skipped):  # a feed links to articles: a question file is no item of one
            yield LoadFailure(item.link, f"{item.link}: {result.reason}")
        else:
            yield feeds.with_feed_metadata(result, item) if isinstance(result, Article) else result


def read_feed(page: FetchedPage, settings: Settings, shown: str | None = None) -> Iterator[Feed | LoadFailure]:
    """The feeds a fetched feed page stands for: itself, or for a sitemap index each child sitemap
    (fetched here, one level deep: a sitemap index may not list indexes). Failures name the URL."""
    shown = shown or page.final_url
    try:
        feed = feeds.parse_feed(page)
    except InputError as exc:
        yield LoadFailure(shown, str(exc), code=exc.code)
        return
    for problem in feed.problems:
        logger.warning("%s: %s", _terminal_safe(shown), problem)
    if feed.kind != "sitemapindex":
        yield feed
        return
    for child in feed.items:
        try:
            sub = feeds.parse_feed(fetch_url(child.link, settings))
        except InputError as exc:
            yield LoadFailure(child.link, str(exc), code=exc.code)
            continue
        if sub.kind == "sitemapindex":
            yield LoadFailure(child.link, f"{child.link}: a sitemap index inside a sitemap index is not followed; "
                                          "ingest it directly")
            continue
        yield sub


def _load_feed(page: FetchedPage, shown: str, settings: Settings) -> Iterator[Article | LoadFailure]:
    for feed in read_feed(page, settings, shown):
        if isinstance(feed, LoadFailure):
            yield feed
            continue
        logger.info("%s: %s with %d items", _terminal_safe(feed.url), feed.kind, len(feed.items))
        if not feed.items:
            yield LoadFailure(shown, f"{shown}: the {feed.kind} has no items with a link; check it in a feed reader")
        items = feed.items[: settings.feed_max_items]
        if len(feed.items) > len(items):
            yield LoadFailure(shown, f"{shown}: the {feed.kind} lists {len(feed.items)} items; read the first "
                                     f"{len(items)} (RAG_FEED_MAX_ITEMS); raise it to read more",
                              capped=(len(items), len(feed.items)))
        for _item, results in load_feed_items(items, settings):
            yield from results


def _load_page(page: FetchedPage, url: str, date_order: DateOrder = "auto"
               ) -> Iterator[Article | LoadFailure | Skipped]:
    """A fetched page (not a feed) as an Article, by its content type or its URL's extension."""
    kind = CONTENT_TYPES.get(page.content_type) or KINDS.get(Path(page.final_url.split("?")[0]).suffix.lower())
    if page.body.startswith(b"%PDF-"):
        kind = "pdf"
    if kind is None:
        yield LoadFailure(url, f"{url}: the server sent {page.content_type or 'no content type'}, "
                               "which is not an article format (HTML, PDF, text, JSON, CSV); "
                               "download it and convert it to one of those")
        return
    try:
        yield from _parse(kind, page.body, page.final_url, url, url=page.final_url, declared=page.encoding,
                          date_order=date_order)
    except InputError as exc:
        yield LoadFailure(url, str(exc), code=exc.code)


def _parse(kind: str, data: bytes, source: str, shown: str, *, url: str | None,
           declared: str | None, date_order: DateOrder = "auto") -> Iterator[Article | LoadFailure | Skipped]:
    """Dispatch on format. ``source`` becomes Article.source; ``shown`` names the item in messages;
    ``date_order`` (RAG_DATE_ORDER) reads a dump's dates that read both ways (``index.records``)."""
    if data.startswith(b"%PDF-"):
        kind = "pdf"  # a PDF saved under another name
    if kind == "pdf":
        yield _named(lambda: formats.parse_pdf(data, source, url), shown)
        return
    magic = formats.binary_kind(data)
    if magic:
        raise InputError(shown, f"looks like a binary file ({magic}, by its first bytes), not text; "
                                f"supported formats: {SUPPORTED}")
    if b"\x00" in data[:_SNIFF] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(shown, f"looks like a binary file (it contains NUL bytes), not text; "
                                f"supported formats: {SUPPORTED}")
    # an HTML page's own <meta charset> counts when the server's header named none (``declared``)
    text = formats.decode_html(data, declared) if kind == "html" else formats.decode_bytes(data, declared)
    unreadable = formats.unreadable_share(text)
    if unreadable > formats.UNREADABLE_MAX:
        raise InputError(shown, f"looks like a binary file ({unreadable:.0%} of its characters are control or "
                                f"undecodable characters), not text; if it is text, save it as UTF-8; "
                                f"supported formats: {SUPPORTED}")
    if kind in DUMP_KINDS:
        count = skipped = 0
        for result in iter_records(kind, text, source, date_order=date_order):
            if isinstance(result, SkippedRecord):
                skipped += 1
                continue
            count += 1
            short = too_little_text(result.text) if isinstance(result, Article) else None
            if short:  # a record of "x": a failed item, as a file of it is; the other records go on
                yield LoadFailure(result.source, f"{result.source}: {short}; put the article body in the "
                                                 "record's text field, or remove the record")
                continue
            yield result
        if skipped:
            # a notice, not a failure: an eval suite beside the articles is normal (seeds/)
            if count:
                logger.warning("%s: skipped %d question-answer record(s) (eval cases, not articles); "
                               "the other records were read", _terminal_safe(shown), skipped)
            else:  # an item of the report ("skipped"), so the CLI, the UI and REST all say so
                yield Skipped(source, f"{QA_SUITE} ({plural(skipped, 'record')}), not articles; "
                                      "run it with `rag eval`")
        elif count == 0:
            raise InputError(shown, "is empty: it holds no records; add articles or remove the file")
        return
    parser = {"text": formats.parse_text, "markdown": formats.parse_markdown, "html": formats.parse_html}[kind]
    yield _named(lambda: parser(text, source, url), shown)


def _terminal_safe(text: str) -> str:
    """Control characters (ESC, BEL, ...) from a file name shown escaped, never sent raw to a terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.1f} KB"


def _named(parse: Callable[[], Article], shown: str) -> Article:
    """Run a single-document parser, re-labelling its errors with the name the user gave; an article
    of next to no text (a file of "x" or "...", whatever its format) is refused here, for every format."""
    try:
        article = parse()
    except InputError as exc:
        raise InputError(shown, exc.reason) from None
    short = too_little_text(article.text)
    if short:
        fix = ("if the page shows an article in a browser, save it as text or PDF and add that" if is_url(shown)
               else "add the article's text to the file, or remove it")
        raise InputError(shown, f"{short}; an article needs at least {ARTICLE_MIN_WORDS} words: {fix}")
    return article
