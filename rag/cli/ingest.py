"""``rag ingest | list | remove | reindex | stats``: what is in the collection, and changing it.

Bad items in an ingest are listed in the report and make the exit code 1, but never stop the batch.
A feed longer than RAG_FEED_MAX_ITEMS is a notice, not a failure; so is a site's front page given
instead of its feed (a hint naming the feed). Ctrl-C: the first one stores the batch being
embedded and stops, a second one stops at once; either way every article stored is whole and
running the same command again goes on (stored articles are skipped). Exit code 130.
``rag ingest --json``: stdout is one JSON document, the report (``ingest_json``), whatever the exit code.
The store (index.collection: Chroma, the embedder) is imported inside the commands that need it;
``rag list`` reads the article database alone.
"""

from __future__ import annotations

import csv
import os
import shlex
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from rag.cli.empty import EMPTY, empty_here, nothing_stored, worded
from rag.cli.output import CtrlC, cell, clip, console, fail, out, plural, print_json, safe, say, stop_fetches
from rag.errors import RagError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.table import Table

    from index.collection import Collection
    from index.db import ArticleInfo
    from index.feeds import FeedNotice
    from index.pipeline import PruneSkipped
    from index.types import IngestReport, ItemResult
    from rag.settings import Settings


def open_collection(settings: Settings | None = None) -> Collection:
    """The configured collection (RAG_HOME, RAG_COLLECTION), opened with the configured embedder."""
    from index.collection import Collection
    from rag.settings import load_settings

    return Collection.open(settings or load_settings())


FAILED_NAMES = 3  # items named per reason when several failed for the same reason
SKIPPED_TYPES = 5  # file types named one line each when a folder held files of types not read
DUPLICATE_LINES = 10  # stored articles named as repeated by duplicates, one line each; then how many more


def print_report(report: IngestReport) -> None:
    """The ingest counts as a table, then the duplicates, each with the stored article it repeats
    (``_print_duplicates``), then the articles --prune removed (source, id, title, why), then the
    failures: one line per item, or, when several items failed for the same reason (a Chroma server
    gone mid-ingest fails every item left), one line for the reason with the count and a few of the
    items; then the files of the folders given that were not read (their type), a line per type with
    a few of the files and what to do."""
    from rich.table import Table

    t = Table(title=f"ingest report ({report.seconds:.1f}s)")
    s = report.summary()
    # "skipped" only when something was: a folder ingest that passed over a .docx; the other
    # columns always, so the table reads the same run after run
    cols = ("added", "updated", "unchanged", "duplicate", "removed", "failed") + (("skipped",) if s["skipped"] else ())
    for col in cols:
        t.add_column(col, justify="right")
    t.add_row(*(str(s[c]) for c in cols))
    console.print(t)
    _print_grouped(report)
    _print_duplicates(tuple(r for r in report.items if r.status == "duplicate"))
    for r in report.items:  # --prune: which articles went ("removed 1" alone named none; new user 30)
        if r.status == "removed":
            what = f" (article {r.article_id}: {safe(r.title, newlines=False)})" if r.article_id and r.title else ""
            why = ingest_reason(r)
            say("removed:", safe(r.item) + what + (f": {safe(why)}" if why else ""))
    for reason, items in _by_reason(report.failed).items():
        if len(items) == 1:
            say("[red]failed[/red]", f"{safe(items[0])}: {safe(reason)}")
            continue
        say("[red]failed[/red]", f"{len(items)} items ({_named(items)}): {safe(reason)}")
    _print_skipped(report.skipped)


def _by_reason(results: tuple[ItemResult, ...]) -> dict[str, list[str]]:
    by_reason: dict[str, list[str]] = {}
    for item in results:
        by_reason.setdefault(ingest_reason(item), []).append(item.item)
    return by_reason


#: what the CLI adds to a result of a given ``code`` (``index.types.ResultCode``): how to go on, in `rag`
#: commands; ``{item}``, ``{given}`` and ``{article_id}`` are put in quoted for a shell (``ItemResult.worded``)
CLI_HINTS: dict[str, str] = {
    "shrunk": "to replace it anyway: `rag ingest --allow-shrink {given}`, or `rag remove {item}` and ingest it again",
    "prune_skipped": "run the same `rag ingest --prune` again once the vector store answers",
    "private_address": "set RAG_ALLOW_PRIVATE_URLS=1 to fetch them",  # here the user runs rag: the variable is theirs
    "not_found": "see `rag list`",
    "ambiguous": "`rag list` shows the whole ids",
    "source_only": "`rag remove {article_id}` removes it",
    "store_failed": "run the same `rag ingest` again once the vector store answers",
}


def ingest_reason(r: ItemResult) -> str:
    """Why an item of an ingest (or of ``rag remove``, or a watched feed's poll) is what it is, with
    the command that goes on from it: the result says why in words for no surface and in a word
    (``code``), and the CLI adds its command (``CLI_HINTS``)."""
    return r.worded(CLI_HINTS, shlex.quote) or ""


def _named(items: list[str]) -> str:
    """A few of ``items``, made safe, and how many more."""
    named = ", ".join(safe(i) for i in items[:FAILED_NAMES])
    return named + (f" and {len(items) - FAILED_NAMES} more" if len(items) > FAILED_NAMES else "")


def _print_grouped(report: IngestReport) -> None:
    """The added articles that joined a story already stored (near-copies: ``ItemResult.grouped``),
    a few named: a sitemap's "15 added" said nothing of its 5 copies of stories stored before, which
    answers cite once (with "also in") and only `rag list`'s story column showed (new user 20)."""
    s = report.summary()
    if not s["grouped"]:
        return
    items = [r.item for r in report.items if r.status == "added" and r.grouped]
    # "grouped 196 added (1 grouped with a story already stored)" read as if all 196 were (new user 30)
    joins = "joins a story" if s["grouped"] == 1 else "join stories"
    say("[cyan]grouped:[/cyan]", f"{s['grouped']} of the {s['added']} added {joins} already stored: "
                                 f"{_named(items)}; answers cite a story once, naming its other sources; "
                                 "`rag list` shows the story column")


def _print_duplicates(duplicates: tuple[ItemResult, ...]) -> None:
    """Each duplicate and the stored article it repeats, by its source (its reason, "same text as
    /news/a.txt (article 0797...)"): the table's "duplicate 1" alone left the user to guess which
    input repeated which article, and a fact-checker needs to know which copy was not stored as its
    own article. Listed as failures are: the copies of one article on one line, a few of them named;
    at most ``DUPLICATE_LINES`` lines (a dump ingested again under another name repeats thousands),
    then how many more."""
    by_twin = list(_by_reason(duplicates).items())
    for reason, items in by_twin[:DUPLICATE_LINES]:
        which = safe(items[0]) if len(items) == 1 else f"{len(items)} items ({_named(items)})"
        say("[yellow]duplicate[/yellow]", f"{which}: {safe(reason)}")
    rest = by_twin[DUPLICATE_LINES:]
    if rest:
        n = sum(len(items) for _, items in rest)
        say(" ", f"and {n} more {'duplicate' if n == 1 else 'duplicates'} (of {plural(len(rest), 'stored article')})")


def _print_skipped(skipped: tuple[ItemResult, ...]) -> None:
    """The files of the folders given whose type ingest does not read: how many, then a line per
    type (one reason per type: ``index.load.unsupported_reason``) naming a few and what to do."""
    from index.load import QA_SUITE, SUPPORTED

    suites = [r for r in skipped if r.reason and r.reason.startswith(QA_SUITE)]
    for r in suites:  # a dump of eval cases beside the articles (seeds/): said per file, by its reason
        say("[yellow]skipped[/yellow]", f"{safe(r.item)}: {safe(r.reason)}")
    # a broken link, a named pipe: named with why (``index.load._not_a_file``), not as a type not read
    from index.load import NOT_A_FILE

    odd = [r for r in skipped if r.reason and r.reason.startswith(NOT_A_FILE)]
    for r in odd:
        say("[yellow]skipped[/yellow]", f"{safe(r.item)}: {safe(r.reason)}")
    skipped = tuple(r for r in skipped if r not in suites and r not in odd)
    if not skipped:
        return
    say("[yellow]skipped[/yellow]", f"{plural(len(skipped), 'file')} in the folders given: "
        f"{'its type is' if len(skipped) == 1 else 'their types are'} not read (supported: {SUPPORTED})")
    by_reason = list(_by_reason(skipped).items())
    for reason, items in by_reason[:SKIPPED_TYPES]:
        say(" ", f"{_named(items)}: {safe(reason)}")  # label " ": under the line above, two spaces in
    rest = by_reason[SKIPPED_TYPES:]
    if rest:
        files = [i for _, items in rest for i in items]
        types = sorted({Path(i).suffix.lower() or "(no extension)" for i in files})
        say(" ", f"and {plural(len(files), 'file')} of other types ({safe(', '.join(types))}), e.g. "
                 f"{_named(files)}")


def _bar(*, disable: bool = False):  # noqa: ANN202 - rich.progress.Progress
    """The progress bar, on stderr; ``disable``: counted, never drawn."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[last]}", markup=False),  # a title is text, not markup
        TimeElapsedColumn(), console=console, transient=False, disable=disable,
    )


TITLE_CELLS = 50  # the most of a title the progress line shows, however wide the terminal
BAR_FRAME = 45  # the cells of the progress line besides its last item: "ingest", the bar, 12/34, 0:00:05


def _last(what: str, title: str) -> str:
    """The progress line's last item, "added: Title", cut to the room the line has left: a 50-character
    title at 80 columns squeezed the bar to 4 cells and cut the time ("0:00:…"), and a Japanese one
    (two cells a character) left "i… added: ..." of the whole line."""
    room = max(console.width - BAR_FRAME, 16)
    return clip(f"{what}: {clip(safe(title, newlines=False), TITLE_CELLS)}", room)


DUMP_LINES = (".jsonl", ".ndjson")  # one record per non-blank line
DUMP_ROWS = (".csv", ".tsv")  # one record per row after the header


def expected_items(items: list[str], max_mb: float) -> int:
    """What the progress bar counts to: one per file or URL, and one per record of a JSON-lines or
    CSV dump (a 3,359-article dump showed "7/7", a bar always full, for minutes); a ``.json`` dump,
    or one too large to load, counts as one and the total grows as its articles come."""
    total = 0
    for item in items:
        suffix = Path(item).suffix.lower() if "://" not in item else ""
        n = 0
        if suffix in DUMP_LINES + DUMP_ROWS:
            try:
                if os.path.getsize(item) <= max_mb * 1024 * 1024:
                    n = _records(item, suffix)
            except (OSError, csv.Error, ValueError):
                n = 0  # loading it reports what is wrong
        total += max(n, 1)
    return total


def _records(path: str, suffix: str) -> int:
    if suffix in DUMP_LINES:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))  # long article bodies
        return max(sum(1 for row in csv.reader(f, delimiter="\t" if suffix == ".tsv" else ",") if row) - 1, 0)


def _warn(text: str | None) -> None:
    if text:
        say("[yellow]warning:[/yellow]", safe(text))


def print_notices(notices: list[FeedNotice | PruneSkipped]) -> None:
    """What an ingest tells that is not a failure, one line each (``notice_lines``)."""
    for label, _kind, text, _fields in notice_lines(notices):
        say(label, safe(text, newlines=False))


def notice_lines(notices: list[FeedNotice | PruneSkipped]) -> list[tuple[str, str, str, dict[str, object]]]:
    """What an ingest tells that is not a failure, as (label, kind, words, fields), one per line printed:
    feeds cut at RAG_FEED_MAX_ITEMS (the sitemaps of one index added up: ``feed_capped``), front pages
    given instead of the feed they advertise (``front_page``), and dumps --prune left alone because a
    record of them failed to load (``prune_skipped``: ``prune_skipped_line``). The words are as stored
    (``print_notices`` makes them safe for a terminal, ``print_json`` for JSON)."""
    from index.feeds import FeedCapped, FrontPage
    from index.pipeline import PruneSkipped

    lines: list[tuple[str, str, str, dict[str, object]]] = []
    capped: dict[str, tuple[int, int]] = {}
    for n in notices:
        if isinstance(n, FeedCapped):
            read, listed = capped.get(n.feed, (0, 0))
            capped[n.feed] = (read + n.read, listed + n.listed)
    for feed, (read, listed) in capped.items():
        lines.append(("[yellow]notice:[/yellow]", "feed_capped", str(FeedCapped(feed, read, listed)),
                      {"feed": feed, "read": read, "listed": listed}))
    for n in notices:
        if isinstance(n, FrontPage):
            lines.append(("[yellow]hint:[/yellow]", "front_page",
                          f"{n.page} is a site's front page and advertises the feed {n.feed}; for the site's "
                          f"articles use `rag ingest {n.feed}` (once) or `rag watch {n.feed}` (kept current)",
                          {"page": n.page, "feed": n.feed}))
        elif isinstance(n, PruneSkipped):
            lines.append(("[yellow]notice:[/yellow]", "prune_skipped", prune_skipped_line(n),
                          {"dump": n.dump, "failed": n.failed, "kept": list(n.kept)}))
    return lines


def prune_skipped_line(n: PruneSkipped) -> str:
    """What `rag ingest --prune` says of a dump it pruned nothing of because some of its records failed
    to load (``index.pipeline.PruneSkipped``): the rule, the articles it kept, and the two ways on, in
    `rag` commands (a dump's records are stored by their url, so `rag remove` takes those)."""
    one = len(n.kept) == 1
    them = "it" if one else "them"
    remove = (f"`rag remove {' '.join(shlex.quote(s) for s in n.kept)}`" if len(n.kept) <= n.NAMED
              else "`rag remove` with each of their sources (`rag list` shows them)")
    return (f"--prune skipped for {n.dump}: {n.why}{' (see above)' if n.failed else ''}, so "
            f"{'the article' if one else f'the {len(n.kept)} articles'} it may no longer hold "
            f"{'was' if one else 'were'} kept ({n.named}); fix {'those records' if n.read else 'the file'} and run "
            f"the same `rag ingest --prune` again, or remove {them} if stale: {remove}")


def _interrupted(stored: dict[str, int], *, at_once: bool, prune: bool) -> str:
    """Says (on stderr) and returns what an interrupted ingest stored and how to go on."""
    n = stored["added"] + stored["updated"]
    how = "stopped at once" if at_once else "interrupted"
    pruned = "; --prune removed nothing (it needs a run that reads every input)" if prune else ""
    line = (f"{how}: {plural(n, 'article')} stored by this run ({stored['added']} added, "
            f"{stored['updated']} updated), each complete; run the same command again to continue "
            f"(articles already stored are skipped){pruned}")
    say("", line)
    return line


def ingest_json(report: IngestReport, notices: list[FeedNotice | PruneSkipped], *, warnings: Sequence[str] = (),
                interrupted: str | None = None) -> dict[str, object]:
    """`rag ingest --json`: the report a script reads instead of the table on stderr. ``summary``: the
    table's counts (``IngestReport.summary``: added, updated, unchanged, duplicate, removed, failed,
    skipped, and grouped, the added articles that joined a story already stored), shaped as REST's
    ingest answers (``rag.service.report_dict``); ``items``: one per input item, article of a dump or
    article --prune removed, with the CLI's reason (``ingest_reason``: what the human lines say of
    failures, duplicates, skipped files and removals), its ``code`` (``index.types.ResultCode``), the
    story an added article is in (``story_id``; ``grouped`` when that story was stored before) and the
    stored source a duplicate repeats (``kept_by``); ``notices`` (``notice_lines``) and the warnings
    said before the ingest (``kind`` "warning"); ``interrupted``: null, or what the stop line on stderr
    says (the items are then those settled before the stop). Strings are as stored: ``print_json``
    escapes the control characters a terminal would run."""
    items = [{"item": r.item, "status": r.status, "article_id": r.article_id, "title": r.title,
              "chunks": r.chunks, "reason": ingest_reason(r) or None, "code": r.code,
              "story_id": r.story_id, "grouped": r.grouped, "kept_by": list(r.kept_by)} for r in report.items]
    told = [{"kind": "warning", "text": w} for w in warnings]
    told += [{"kind": kind, "text": text} | fields for _label, kind, text, fields in notice_lines(notices)]
    return {"summary": report.summary(), "items": items, "notices": told, "seconds": round(report.seconds, 3),
            "interrupted": interrupted}


def ingest(
    inputs: Annotated[list[str], typer.Argument(
        metavar="PATH_OR_URL", help="files, folders, http(s) URLs, .jsonl/.csv/.json dumps")],
    prune: Annotated[bool, typer.Option(help="remove stored articles whose source under these paths is gone")] = False,
    allow_shrink: Annotated[bool, typer.Option(
        help="store a new version even when it is a small part of the stored one (by default such a version, "
             "a paywall or error page, is refused and the stored article kept)")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="print one JSON document on stdout: the counts, each item (status, article id, title, "
                       "reason) and the notices, instead of the table; same exit codes")] = False,
) -> None:
    """Add or update articles. Unchanged ones are skipped; changed ones replace their old chunks."""
    from index.load import expand_inputs
    from index.pipeline import ChunksEmbedded
    from index.types import IngestReport

    stored = {"added": 0, "updated": 0}
    notices: list[FeedNotice | PruneSkipped] = []
    warnings: list[str] = []
    settled_items: list[ItemResult] = []  # every item's result as it comes: the report of a run stopped at once
    started = time.monotonic()
    ctrl_c = CtrlC("[yellow]stopping: the batch being embedded is stored first; Ctrl-C again stops at once[/yellow]")
    try:
        coll = open_collection()
        # a busy store is refused before a progress bar is drawn; Ctrl-C before it is taken stops at once
        with coll.indexer.locked(), ctrl_c:
            warning = coll.indexer.chunking_notice()
            _warn(warning)
            warnings += [warning] if warning else []
            total = expected_items(expand_inputs(inputs), coll.settings.max_dump_mb)
            # --json: stdout is the document alone; the bar stays on stderr, drawn only at a terminal (a
            # cron job's stderr would get its last frame)
            with (_bar(disable=True) if as_json and not console.is_terminal else _bar()) as bar:
                task = bar.add_task("ingest", total=total or None, last="")
                fixing: list = []
                # items settled, and the share of chunks embedded of each article not yet stored: the
                # bar moves while a long article (hundreds of chunks) is embedded, not only between items
                settled = [0]
                partial: dict[str, float] = {}
                ticking = threading.Lock()  # results come from the reader and writer threads, updates from embedding

                def tick(r: ItemResult | ChunksEmbedded) -> None:
                    with ticking:
                        if isinstance(r, ChunksEmbedded):
                            partial[r.item] = r.done / r.total if r.total else 0.0
                            bar.update(task, completed=settled[0] + sum(partial.values()),
                                       last=_last(f"embedding {r.done}/{r.total} chunks", r.title or r.item))
                            return
                        partial.pop(r.item, None)
                        settled_items.append(r)
                        if r.status in stored:
                            stored[r.status] += 1
                        if r.status not in ("removed", "skipped"):  # not among the items the bar counts
                            settled[0] += 1
                            if bar.tasks[0].total is not None and settled[0] > bar.tasks[0].total:
                                bar.update(task, total=settled[0])  # dumps hold many articles per file
                            bar.update(task, completed=settled[0] + sum(partial.values()),
                                       last=_last(r.status, r.title or r.item))

                def reconciling(done: int, n: int) -> None:  # chunks missing from Chroma, re-embedded first
                    if not fixing:
                        fixing.append(bar.add_task("re-embed missing", total=n, last="chunks missing from Chroma"))
                    bar.update(fixing[0], completed=done, total=n)

                report = coll.indexer.ingest(inputs, prune=prune, progress=tick, reconcile_progress=reconciling,
                                             stop=ctrl_c.stop, notice=notices.append, allow_shrink=allow_shrink,
                                             chunk_updates=True)
                # records skipped (QA cases) or not read count no more; after a stop the total stays what
                # was found, so the bar shows how far it got ("126/150"), not a finished "126/126"
                if ctrl_c.stop.is_set():
                    bar.update(task, completed=settled[0], last="stopped")
                else:
                    bar.update(task, completed=settled[0], total=settled[0])
    except RagError as exc:
        fail(exc)
    except KeyboardInterrupt:
        if not as_json:
            print_notices(notices)
        line = _interrupted(stored, at_once=ctrl_c.again, prune=prune)
        if as_json:  # no report came back: the items settled before the stop (each stored one is whole)
            so_far = IngestReport(tuple(settled_items), time.monotonic() - started)
            print_json(ingest_json(so_far, notices, warnings=warnings, interrupted=line))
        raise typer.Exit(130) from None
    if not as_json:
        print_report(report)
        print_notices(notices)
    if ctrl_c.stop.is_set():  # the first Ctrl-C: the batch being embedded was stored, then the ingest stopped
        stop_fetches()  # pages it will not use: the exit must not wait for their servers
        line = _interrupted(stored, at_once=False, prune=prune)
        if as_json:
            print_json(ingest_json(report, notices, warnings=warnings, interrupted=line))
        raise typer.Exit(130)
    if as_json:  # the exit code below is the same as without --json
        print_json(ingest_json(report, notices, warnings=warnings))
    if any(r.code == "store_failed" for r in report.failed):
        raise typer.Exit(2)  # the store, not the items: "a store that cannot be reached" (new user 29 got 1)
    if report.failed:
        raise typer.Exit(1)


LIST_LIMIT = 50  # articles `rag list` shows at once
ID_PREFIX = 8  # an article or story id cut to this when the table is short of room (`rag remove` takes prefixes)
# the columns whose text is cut to fit: the least each keeps, and its share of the room left
FLEX_MIN = {"title": 20, "author": 8, "source": 12}
PIPED_WIDTH = 400  # cells a `rag list` table may take off a terminal: whole titles and sources
FLEX_WEIGHT = {"title": 3, "author": 1, "source": 2}


def article_table(arts: Sequence[ArticleInfo], width: int) -> Table:
    """``rag list``'s table, one line per article, at most ``width`` cells wide with its right border.

    Folding long titles and URLs into several lines made a table rich could not fit in 80 columns: it
    cut the lines, and with them the right border. Here every column but the title, author and source
    keeps its width (a date, a count; ids cut to a prefix that ``rag remove`` still takes), and those
    three share the room left, in proportion to what they hold, each cut with "…" (a source in the
    middle: its outlet or folder, and its file name). Whole ids when the whole table fits as it is.
    The story column ("x3": three versions stored, index/stories.py) is shown only when some listed
    article has company, the author column only when one has a byline; on a terminal too narrow for
    them and a title that can still be read (``FLEX_MIN``), the author column goes, then the story one.
    An article ingested from several sources (exact copies) shows one and how many more ("+1 more")."""
    from rich.cells import cell_len
    from rich.table import Table

    grouped = any(a.story_size > 1 for a in arts)
    authored = any(a.author for a in arts)
    rows = [{"id": a.id, "published": a.published or "", "title": a.title,
             **({"author": a.author or ""} if authored else {}), "chunks": str(a.n_chunks),
             **({"story": f"{a.story_id[:ID_PREFIX]} x{a.story_size}" if a.story_size > 1 else ""} if grouped else {}),
             "source": a.url or a.source} for a in arts]
    shown = [{col: safe(v, newlines=False) for col, v in row.items()} for row in rows]
    more = [more_sources(a) for a in arts]  # kept whole when the source is cut: "…/judge.html +1 more"
    for row, extra in zip(shown, more, strict=True):
        row["source"] += extra
    cols = list(rows[0]) if rows else ["id", "published", "title", "chunks", "source"]
    natural = {col: max([cell_len(col)] + [cell_len(r[col]) for r in shown]) for col in cols}
    widths = _widths(cols, natural, width)
    for optional in ("author", "story"):
        room = _flex_room(cols, widths, width)
        if optional in cols and room < sum(FLEX_MIN[c] for c in cols if c in FLEX_MIN):
            cols.remove(optional)
            widths = _widths(cols, natural, width)
    # one space between columns, not two: the room of a date at 80 columns (not rich's collapse_padding,
    # which measures the first column one cell narrower than it draws it)
    t = Table(padding=(0, 1, 0, 0))
    for col in cols:
        t.add_column(col, width=widths[col], no_wrap=True, overflow="crop" if col == "id" else "ellipsis")
    for row, extra in zip(shown, more, strict=True):
        t.add_row(*(_source_cell(row[col], extra, widths[col]) if col == "source" else
                    cell(row[col], widths[col]) if col in FLEX_MIN else Text(row[col]) for col in cols))
    return t


def more_sources(a: ArticleInfo) -> str:
    """" +1 more" when the article was ingested from other sources too (an exact copy at another address
    or in another file is kept as one more source of it): the row shows one, and `rag list SEARCH` finds
    the article by any of them. The count is of ``ArticleInfo.sources`` (REST lists them all)."""
    n = max(len(set(a.sources)) - 1, 0)
    return f" +{n} more" if n else ""


def _source_cell(text: str, extra: str, width: int) -> Text:
    """The source cell: the source cut in the middle, its " +1 more" always whole after it."""
    from rich.cells import cell_len

    if not extra or cell_len(text) <= width:
        return cell(text, width, middle=True)
    return Text(clip(text[: len(text) - len(extra)], max(width - cell_len(extra), 1), middle=True) + extra)


def _frame(cols: Sequence[str]) -> int:
    """The cells a table of ``cols`` takes besides its text: the borders, and a space after each column's text."""
    return 2 * len(cols) + 1


def _flex_room(cols: Sequence[str], widths: dict[str, int], width: int) -> int:
    """What the title, author and source columns have left of ``width`` beside the other columns."""
    return width - _frame(cols) - sum(widths[c] for c in cols if c not in FLEX_MIN)


def _widths(cols: Sequence[str], natural: dict[str, int], width: int) -> dict[str, int]:
    """Each column's width: what it holds when the table fits, else ids cut to ``ID_PREFIX`` and the
    flexible columns sharing the rest (``_shares``)."""
    widths = {c: natural[c] for c in cols}
    if sum(widths.values()) + _frame(cols) <= width:
        return widths
    widths["id"] = min(widths["id"], ID_PREFIX)
    widths.update(_shares(_flex_room(cols, widths, width), {c: widths[c] for c in cols if c in FLEX_MIN}))
    return widths


def _shares(room: int, wanted: dict[str, int]) -> dict[str, int]:
    """``room`` cells shared among the flexible columns, a cell at a time to the one furthest below
    its share by ``FLEX_WEIGHT``: first up to ``FLEX_MIN`` each (or what it holds, when less), then up
    to what it holds; a column that needs less than its share leaves the rest to the others. On a
    terminal too narrow for the minimums they shrink too, rather than rich cutting the dates."""
    got = dict.fromkeys(wanted, 0)
    left = room
    for cap in ({c: min(n, FLEX_MIN[c]) for c, n in wanted.items()}, wanted):
        while left > 0:
            short = [c for c in got if got[c] < cap[c]]
            if not short:
                break
            neediest = min(short, key=lambda c: got[c] / FLEX_WEIGHT[c])
            got[neediest] += 1
            left -= 1
    return {c: max(n, 1) for c, n in got.items()}


def list_articles(
    search: Annotated[Optional[str], typer.Argument(metavar="SEARCH", help="filter by title/source")] = None,
    limit: Annotated[int, typer.Option(min=1, help="articles shown")] = LIST_LIMIT,
    offset: Annotated[int, typer.Option(min=0, help="skip this many first (newest) articles: the next page")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="print one JSON document: the articles (every field) and the counts")] = False,
) -> None:
    """List stored articles, newest first, with their metadata and chunk counts."""
    from rag.settings import load_settings

    try:
        settings = load_settings()
        arts, counts, matching, chunks = _listed(settings, search, limit, offset)
    except RagError as exc:
        fail(exc)
    if as_json:
        print_json(list_json(arts, counts, matching, chunks, search=search, limit=limit, offset=offset))
        if not counts["articles"]:  # stdout is the document alone
            say("[yellow]note:[/yellow]", safe(empty_here(settings)))
        return
    what = repr(safe(search, newlines=False)) if search else ""
    if arts:
        # piped or redirected, nothing is cut: a file has no edge (new user 16's `rag list > list.txt` had titles cut
        # to 20 characters, the 80 columns rich assumes off a terminal), unless COLUMNS sets one
        if out.is_terminal or os.environ.get("COLUMNS"):
            out.print(article_table(arts, out.width))
        else:  # (rich's print caps a width at the console's: a console as wide as the table instead)
            from rich.console import Console

            Console(file=out.file, width=PIPED_WIDTH, emoji=False).print(article_table(arts, PIPED_WIDTH))
    elif search and not matching:
        out.print(f"no article's title or source contains {what}", markup=False, highlight=False)
    # the counts of what is listed: with a search, its articles' chunks, beside the collection's
    total = f"{plural(counts['articles'], 'article')}, {plural(counts['chunks'], 'chunk')}"
    listed = f"{plural(matching, 'article')}, {plural(chunks, 'chunk')}"
    if offset or len(arts) < matching:  # a page of them: which one, and how to get the next
        which = (f"{matching} whose title or source contains {what} ({listed}; the collection: {total})"
                 if search else total)
        rest = offset + len(arts) < matching
        more = (f"; next: rag list{' ' + what if search else ''}{f' --limit {limit}' if limit != LIST_LIMIT else ''}"
                f" --offset {offset + len(arts)}") if rest and arts else ""
        if arts:
            out.print(f"{offset + 1}-{offset + len(arts)} shown of {which}{more}", markup=False, highlight=False)
        else:  # "none from 101 shown of 4 articles" read as a fault
            out.print(f"none shown: --offset {offset} is past the last of {which}", markup=False, highlight=False)
    elif search:
        out.print(f"{matching} of {plural(counts['articles'], 'article')}, {plural(chunks, 'chunk')} "
                  f"(of {counts['chunks']})", markup=False, highlight=False)
    else:
        out.print(total, markup=False, highlight=False)
    if not counts["articles"]:  # what to do next, as `rag ask` says it; stdout keeps the counts alone
        say("[yellow]note:[/yellow]", safe(empty_here(settings)))


def list_json(arts: Sequence[ArticleInfo], counts: dict[str, int], matching: int, chunks: int, *,
              search: str | None, limit: int, offset: int) -> dict[str, object]:
    """`rag list --json`: the page of articles with every field the table shows and what it cuts or
    leaves out (whole id and source, the url, every source an article came from, its story group),
    shaped as REST ``GET /v1/articles`` answers (``articles``, ``total``, ``offset``, ``next_offset``),
    plus the chunks of the articles matching and the collection's counts. At 80 columns, or in a
    pipe, the table cut sources to ``http:/…ry.html`` (new user 11); a script reads this instead.
    Strings are as stored: ``print_json`` escapes the control characters a terminal would run."""
    from index.db import article_page

    return article_page(list(arts), matching, offset) | {
        "chunks": chunks, "search": search, "limit": limit,
        "collection": {"articles": counts["articles"], "chunks": counts["chunks"]}}


def _listed(settings: Settings, search: str | None, limit: int,
            offset: int) -> tuple[list[ArticleInfo], dict[str, int], int, int]:
    """The page of articles `rag list` shows, the collection's counts, and the articles and chunks
    ``search`` matches. The article database alone: listing needs neither Chroma nor the model
    (`rag stats` counts vectors); none when nothing was ever stored, and none is created."""
    if nothing_stored(settings):
        return [], dict.fromkeys(("articles", "chunks"), 0), 0, 0
    from index.db import ArticleDB

    db = ArticleDB(settings.db_path)
    try:
        counts = db.counts()
        matching, chunks = db.count_matching(search) if search else (counts["articles"], counts["chunks"])
        return db.list_articles(search, limit, offset), counts, matching, chunks
    finally:
        db.close()


def remove(refs: Annotated[list[str], typer.Argument(
        metavar="ID_OR_SOURCE",
        help="article ids (or unique prefixes), sources, a dump file (the records it brought in), "
             "or a folder (every article ingested from a file under it)")]) -> None:
    """Remove articles from the collection.

    A dump file (.jsonl, .csv, .json, .tsv) removes the records it brought in: they are stored by their
    url (or as dump.jsonl#N without one), and the store lists a dump's urls each time it is ingested.
    A folder removes every article stored from a file under it (as `rag ingest FOLDER` stored them),
    and the records its dumps brought in; each is listed."""
    from rag.settings import load_settings

    try:
        settings = load_settings()
        if nothing_stored(settings):  # nothing to remove: say so without creating the store to look
            for ref in refs:
                say("[red]failed:[/red]", f"{safe(ref)} (no such article id or source: nothing is stored)")
            say("[yellow]note:[/yellow]", safe(empty_here(settings)))
            raise typer.Exit(1)
        coll = open_collection(settings)
        folders: dict[str, int] = {}
        with coll.indexer.locked():
            results = _removed(coll, refs, coll.remove(refs), folders)
    except RagError as exc:
        fail(exc)
    for r in results:
        why = ingest_reason(r)
        # what went, by full id and title: "removed: e" left the user to guess which article a prefix had named
        what = f" (article {r.article_id}: {safe(r.title, newlines=False)})" if r.status == "removed" \
            and r.code is None and r.article_id and r.article_id != r.item and r.title else ""
        say("[red]failed:[/red]" if r.status == "failed" else f"{r.status}:",
            safe(r.item) + what + (f" ({safe(why)})" if why else ""))
    for ref, n in folders.items():  # after 40 lines of files, what they add up to
        say("", f"{safe(ref)}: {plural(n, 'source')} under it removed")
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _removed(coll: Collection, refs: Sequence[str], results: list[ItemResult],
             folders: dict[str, int] | None = None) -> list[ItemResult]:
    """``results`` (one per ref) with a dump file that is no article's source read as the records it
    brought in (``index.maintenance.remove_dump``), a folder as the articles stored from its files
    (``index.maintenance.remove_folder``; ``folders`` gets how many sources each folder lost), or,
    when the store knows none of them, a failure that says where a dump's records are, or what a
    folder's articles are stored under, and how to go on ("no such article id or source" said
    nothing of either)."""
    from index.load import DUMP_KINDS, KINDS, is_url
    from index.maintenance import remove_dump, remove_folder
    from index.types import ItemResult

    out: list[ItemResult] = []
    for ref, r in zip(refs, results, strict=True):
        path = r.code == "not_found" and not is_url(ref)
        dump = path and "#" not in Path(ref).name and KINDS.get(Path(ref).suffix.lower()) in DUMP_KINDS
        if dump:
            records = remove_dump(coll.indexer, ref)
            if records is not None:
                out += records
                continue
            given = shlex.quote(ref)
            out.append(ItemResult(ref, "failed", reason=(
                "no record of this dump is stored: a dump's records are stored by their url (or as "
                f"{Path(ref).name}#N without one), and the store lists no url for this path (removed already, "
                f"ingested before the store listed them, or from another path); `rag ingest {given}` lists them, "
                f"then `rag remove {given}` removes them; or remove them by url: `rag list SITE` shows them, then "
                "`rag remove URL ...`")))
            continue
        files = remove_folder(coll.indexer, ref) if path else None
        if files is not None:
            out += files
            if folders is not None:
                folders[ref] = sum(f.status == "removed" for f in files)
            continue
        if path and _is_folder(ref):
            out.append(ItemResult(ref, "failed", reason=_no_folder(ref)))
            continue
        out.append(r)
    return out


def _is_folder(ref: str) -> bool:
    try:
        return Path(ref).expanduser().is_dir()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: "~" without a home directory
        return False


def _no_folder(ref: str) -> str:
    """Why `rag remove FOLDER` removed nothing, and how to go on."""
    from index.load import source_path

    where = source_path(ref)
    if os.path.dirname(where) == where:
        return ("is the file system's root, not removed as a folder: give the folder the articles were "
                "ingested from, or their ids or sources (`rag list`)")
    return (f"no stored article came from a file under this folder ({where}, the path `rag ingest` stores): "
            "removed already, or ingested from another path; `rag list WORD` shows the stored sources, and "
            "`rag remove ID_OR_SOURCE ...` removes them")


# the docstring is the command's help: its first paragraph one line, as `rag --help` lists it as written
def reindex() -> None:
    """Re-embed every stored chunk with the configured embedder (after changing RAG_EMBEDDER).

    First re-chunks the stored articles from their stored texts when RAG_CHUNK_TOKENS or
    RAG_CHUNK_OVERLAP changed."""
    from index.collection import Collection
    from rag.settings import load_settings

    seen: dict[str, tuple[int, int]] = {}  # phase -> (done, total); "first": where re-embedding started
    try:
        settings = load_settings()
        if nothing_stored(settings):  # nothing to rebuild: said without creating the store (or loading the model)
            say("[yellow]note:[/yellow]", f"nothing to reindex; {EMPTY}")
            return
        coll = Collection.open(settings, check_embedder=False, repair=True)
        with coll.indexer.locked():  # a busy store is refused before a progress bar is drawn
            with _bar() as bar:
                tasks: dict[str, object] = {}

                def show(phase: str, note: str) -> Callable[[int, int], None]:
                    def update(done: int, total: int) -> None:
                        if phase not in tasks:  # a bar per phase, in the order they run
                            tasks[phase] = bar.add_task(phase, total=total, last=note)
                            seen.setdefault(f"{phase} first", (done, total))
                        seen[phase] = (done, total)
                        bar.update(tasks[phase], completed=done, total=total)
                    return update

                coll.reindex(show("reindex", ""), show("re-chunk", "articles, from the stored texts"))
    except RagError as exc:
        fail(exc)
    except KeyboardInterrupt:
        if "reindex" in seen:
            (done, total), (first, _) = seen["reindex"], seen["reindex first"]
            what = f"{done} of {plural(total, 'chunk')} re-embedded ({done - first} by this run), each stored"
        elif "re-chunk" in seen:
            done, total = seen["re-chunk"]
            what = f"{done} of {plural(total, 'article')} re-chunked, none re-embedded yet"
        else:
            what = "nothing re-embedded yet"
        say("", f"interrupted: {what}; run `rag reindex` again to resume")
        raise typer.Exit(130) from None
    r = coll.indexer.last_reindex
    assert r is not None
    if r.chunking is not None:
        before, after = r.chunking
        say("", f"re-chunked {plural(r.rechunked, 'article')} from the stored texts ({before.describe()} -> "
                f"{after.describe()})")
    resumed = (f" (resumed: {r.resumed_at} {'was' if r.resumed_at == 1 else 'were'} re-embedded by an earlier run)"
               if r.resumed_at else "")
    say("", f"re-embedded {plural(r.embedded, 'chunk')} with {safe(coll.embedder.name)}{resumed}; "
            f"{plural(r.chunks, 'chunk')} stored")
    if not r.chunks:
        say("[yellow]note:[/yellow]", safe(empty_here(settings)))


def stats() -> None:
    """Counts of articles, chunks, vectors and the embedder of the collection, and where it is stored."""
    from rag.settings import load_settings

    try:
        settings = load_settings()
        # on stderr (stdout is the JSON alone): which directory was read, a mistyped RAG_HOME said nothing
        say("[dim]data:[/dim]", safe(f"RAG_HOME={settings.home} (database {settings.db_path.name})"))
        if nothing_stored(settings):  # the counts, without creating the store (or loading the model) to count
            print_json(dict.fromkeys(("articles", "chunks", "sources", "lexical", "vectors"), 0)  # ArticleDB.counts
                       | {"embedder": _embedder_name(settings)})
            say("[yellow]warning:[/yellow]", safe(empty_here(settings)))
            return
        try:
            coll = open_collection(settings)
            counted = coll.stats()
        except StoreError:
            # the vector store is down: the database's counts still say what is stored (new user 11: `rag
            # stats` printed nothing while `rag list` listed every article), then the error and its fix
            print_json(_db_counts(settings) | {"vectors": None, "embedder": _embedder_name(settings)})
            raise
        print_json(counted)
        warnings = coll.health()
        broken = coll.search_check()
        warnings += [broken] if broken else []
    except RagError as exc:
        fail(exc)
    for w in warnings:
        say("[yellow]warning:[/yellow]", safe(worded(w)))


def _db_counts(settings: Settings) -> dict[str, int]:
    """The article database's counts (``ArticleDB.counts``), read without Chroma or the model."""
    from index.db import ArticleDB

    db = ArticleDB(settings.db_path)
    try:
        return db.counts()
    finally:
        db.close()


def _embedder_name(settings: Settings) -> str:
    """The name the configured embedder stores its vectors under (``Embedder.name``), without loading it."""
    from index.embed import LOCAL_MODEL

    return f"openai:{settings.embed_model}" if settings.embedder == "openai" else f"local:{LOCAL_MODEL}"


def register(app: typer.Typer) -> None:
    """Add the collection commands to ``app``."""
    app.command()(ingest)
    app.command("list")(list_articles)
    app.command()(remove)
    app.command()(reindex)
    app.command()(stats)
