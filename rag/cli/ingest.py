"""``rag ingest | list | remove | reindex | stats``: what is in the collection, and changing it.

Bad items in an ingest are listed in the report and make the exit code 1, but never stop the batch.
The store (index.collection: Chroma, the embedder) is imported inside the commands that need it;
``rag list`` reads the article database alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rag.cli.output import cell, console, esc, fail, out, print_json, safe
from rag.errors import RagError

if TYPE_CHECKING:
    from index.collection import Collection
    from index.types import IngestReport, ItemResult


def open_collection() -> Collection:
    """The configured collection (RAG_HOME, RAG_COLLECTION), opened with the configured embedder."""
    from index.collection import Collection
    from rag.settings import load_settings

    return Collection.open(load_settings())


def print_report(report: IngestReport) -> None:
    """The ingest counts as a table, then one line per failed item naming it and why."""
    from rich.table import Table

    t = Table(title=f"ingest report ({report.seconds:.1f}s)")
    cols = ("added", "updated", "unchanged", "duplicate", "removed", "failed")
    for col in cols:
        t.add_column(col, justify="right")
    s = report.summary()
    t.add_row(*(str(s[c]) for c in cols))
    console.print(t)
    for item in report.failed:
        console.print(f"[red]failed[/red] {esc(item.item)}: {esc(item.reason)}")


def ingest(
    inputs: Annotated[list[str], typer.Argument(help="files, folders, http(s) URLs, .jsonl/.csv/.json dumps")],
    prune: Annotated[bool, typer.Option(help="remove stored articles whose source under these paths is gone")] = False,
) -> None:
    """Add or update articles. Unchanged ones are skipped; changed ones replace their old chunks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from index.load import expand_inputs

    try:
        coll = open_collection()
        total = len(expand_inputs(inputs))
        with Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[last]}", markup=False),  # a title is text, not markup
            TimeElapsedColumn(), console=console, transient=False,
        ) as bar:
            task = bar.add_task("ingest", total=total or None, last="")

            def tick(r: ItemResult) -> None:
                if r.status != "removed":
                    bar.update(task, advance=1, last=f"{r.status}: {safe(r.title or r.item, newlines=False)[:50]}")
                    if bar.tasks[0].total is not None and bar.tasks[0].completed > bar.tasks[0].total:
                        bar.update(task, total=bar.tasks[0].completed)  # dumps hold many articles per file

            report = coll.ingest(inputs, prune=prune, progress=tick)
    except RagError as exc:
        fail(exc)
    print_report(report)
    if report.failed:
        raise typer.Exit(1)


def list_articles(
    search: Annotated[Optional[str], typer.Argument(help="filter by title/source")] = None,
    limit: int = 50,
) -> None:
    """List stored articles with their metadata and chunk counts."""
    from rich.table import Table

    from index.db import ArticleDB
    from rag.settings import load_settings

    try:  # the article database alone: listing needs neither Chroma nor the model (`rag stats` counts vectors)
        db = ArticleDB(load_settings().db_path)
    except RagError as exc:
        fail(exc)
    t = Table()
    try:
        arts = db.list_articles(search, limit)
        # story groups: near-copies of one story share a story id (index/stories.py); "x3": three
        # versions stored. The column is shown only when some listed article has company.
        grouped = any(a.story_size > 1 for a in arts)
        for col in ("id", "published", "title", "chunks", *(("story",) if grouped else ()), "source"):
            t.add_column(col, overflow="fold" if col in ("title", "source") else "ellipsis")
        for a in arts:
            story = (f"{a.story_id[:8]} x{a.story_size}" if a.story_size > 1 else "",) if grouped else ()
            t.add_row(cell(a.id), cell(a.published or ""), cell(a.title), str(a.n_chunks), *map(cell, story),
                      cell(a.url or a.source))
        counts = db.counts()
    finally:
        db.close()
    if arts:
        out.print(t)
    elif search:
        out.print(f"no article's title or source contains {safe(search, newlines=False)!r}", markup=False, highlight=False)
    shown = f"{len(arts)} shown of " if search or len(arts) < counts["articles"] else ""
    out.print(f"{shown}{counts['articles']} articles, {counts['chunks']} chunks", markup=False, highlight=False)


def remove(refs: Annotated[list[str], typer.Argument(help="article ids (or unique prefixes) or sources")]) -> None:
    """Remove articles from the collection."""

    try:
        results = open_collection().remove(refs)
    except RagError as exc:
        fail(exc)
    for r in results:
        console.print(f"{r.status}: {esc(r.item)}" + (f" ({esc(r.reason)})" if r.reason else ""))
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def reindex() -> None:
    """Re-embed every stored chunk with the configured embedder (after changing RAG_EMBEDDER)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from index.collection import Collection
    from rag.settings import load_settings

    try:
        coll = Collection.open(load_settings(), check_embedder=False, repair=True)
        with Progress(TextColumn("[bold]reindex"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("reindex", total=coll.db.counts()["chunks"])
            n = coll.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    except RagError as exc:
        fail(exc)
    console.print(f"re-embedded {n} chunks with {esc(coll.embedder.name)}")


def stats() -> None:
    """Counts of articles, chunks, vectors and the embedder of the collection."""

    try:
        coll = open_collection()
        print_json(coll.stats())
        warnings = coll.health()
        broken = coll.search_check()
        warnings += [broken] if broken else []
    except RagError as exc:
        fail(exc)
    for w in warnings:
        console.print(f"[yellow]warning:[/yellow] {esc(w)}")


def register(app: typer.Typer) -> None:
    """Add the collection commands to ``app``."""
    app.command()(ingest)
    app.command("list")(list_articles)
    app.command()(remove)
    app.command()(reindex)
    app.command()(stats)
