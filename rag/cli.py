"""The `rag` command: ingest, ask, chat, list, remove, reindex, stats (and `ui`, `eval`).

Library errors (``RagError``) become one red line and exit code 2; bad items in an ingest are
listed in the report and make the exit code 1, but never stop the batch.

Everything printed that comes from an article, a file name, a URL or an error passes through
``safe()`` (control characters made visible, URL passwords removed) and, where rich reads markup,
through ``esc()`` too: a title such as ``Markets [/bold] tumble`` or a file name holding
``ESC ]0;...BEL`` must neither crash rich nor drive the user's terminal.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from index.errors import RagError
from index.settings import load_settings
from index.types import IngestReport, ItemResult
from index.userinfo import redact_userinfo

# pretty_exceptions_show_locals=False: an unexpected traceback must not dump local variables
# (article texts, settings) to the terminal.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Ask questions of your articles, with citations.")
# emoji=False: ":fire:" in an article is text, not an emoji code for rich to replace.
console = Console(stderr=True, emoji=False)
out = Console(emoji=False)

# C0 controls but tab and newline (ESC starts every terminal sequence; BEL ends OSC titles; CR
# overwrites a line), DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the bidi
# overrides that make a terminal show text in another order than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: object, *, newlines: bool = True) -> str:
    """``text`` made harmless for a terminal: control characters shown as ``\\x1b``-style escapes,
    URL passwords removed; newlines kept (or, with ``newlines=False``, turned into spaces, for
    one-line fields such as titles); all other unicode unchanged."""
    s = _CONTROL.sub(_visible, str(text).replace("\r\n", "\n"))
    if not newlines:
        s = s.replace("\n", " ")
    return redact_userinfo(s)


def esc(text: object, *, newlines: bool = True) -> str:
    """``safe(text)`` for a place where rich reads markup: ``[/bold]`` stays text."""
    return escape(safe(text, newlines=newlines))


def cell(text: object) -> Text:
    """A table cell from untrusted text (a ``Text`` is never parsed as markup)."""
    return Text(safe(text, newlines=False))


def _print_json(data: object) -> None:
    """JSON on stdout: json.dumps escapes C0 controls; C1 and bidi controls become \\uXXXX too."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    out.out(_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text), highlight=False)


class _SafeFormatter(logging.Formatter):
    """Log lines name files and URLs too: they reach the terminal through ``safe()`` like the rest."""

    def format(self, record: logging.LogRecord) -> str:
        return safe(super().format(record))


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log what happens")] = False) -> None:
    _setup_logging(verbose)


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {esc(exc)}")
    raise typer.Exit(2)


def _collection():  # noqa: ANN202
    from index.pipeline import Collection

    return Collection.open(load_settings())


def print_report(report: IngestReport) -> None:
    t = Table(title=f"ingest report ({report.seconds:.1f}s)")
    for col in ("added", "updated", "unchanged", "duplicate", "removed", "failed"):
        t.add_column(col, justify="right")
    s = report.summary()
    t.add_row(*(str(s[c]) for c in ("added", "updated", "unchanged", "duplicate", "removed", "failed")))
    console.print(t)
    for item in report.failed:
        console.print(f"[red]failed[/red] {esc(item.item)}: {esc(item.reason)}")


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="files, folders, http(s) URLs, .jsonl/.csv/.json dumps")],
    prune: Annotated[bool, typer.Option(help="remove stored articles whose source under these paths is gone")] = False,
) -> None:
    """Add or update articles. Unchanged ones are skipped; changed ones replace their old chunks."""
    from index.load import expand_inputs

    try:
        coll = _collection()
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
        _fail(exc)
        return
    print_report(report)
    if report.failed:
        raise typer.Exit(1)


def _filters(source: list[str] | None, since: str | None, until: str | None):  # noqa: ANN202
    from rag.types import Filters

    try:
        return Filters(
            sources=tuple(source or ()),
            published_from=date.fromisoformat(since) if since else None,
            published_to=date.fromisoformat(until) if until else None,
        )
    except ValueError as exc:
        _fail(RagError(f"--since/--until take YYYY-MM-DD dates ({exc})"))


SourceOpt = Annotated[Optional[list[str]], typer.Option("--source", help="only articles whose source/URL/title contains this")]
SinceOpt = Annotated[Optional[str], typer.Option(help="published on or after YYYY-MM-DD")]
UntilOpt = Annotated[Optional[str], typer.Option(help="published on or before YYYY-MM-DD")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="your question")],
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    top_k: Annotated[Optional[int], typer.Option("--top-k", "-k", min=1, max=50)] = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    offline: Annotated[bool, typer.Option(help="never call an LLM")] = False,
) -> None:
    """Ask one question; prints the answer with its cited passages."""
    from rag.api import RAG

    try:
        rag = RAG(load_settings())
        if as_json:
            answer = rag.ask(question, top_k=top_k, filters=_filters(source, since, until), offline=offline)
            _print_json(answer.to_dict())
            return
        answer = None
        for piece in rag.stream(question, top_k=top_k, filters=_filters(source, since, until), offline=offline):
            if isinstance(piece, str):
                out.print(safe(piece), end="", markup=False, highlight=False)
            else:
                answer = piece
    except RagError as exc:
        _fail(exc)
        return
    _print_answer(answer, streamed=answer.answerer != "extractive")


def _print_answer(answer, streamed: bool = False) -> None:  # noqa: ANN001
    if streamed:  # the streamed text above was a draft; this is what the passages support
        out.print()
        console.print("[bold]verified answer:[/bold]", highlight=False)
    if answer.short_answer:
        out.print(Text(safe(answer.short_answer, newlines=False), style="bold"))
    out.print(safe(answer.text), markup=False, highlight=False)
    for n in answer.notices:
        console.print(f"[yellow]note:[/yellow] {esc(n)}", markup=True, highlight=False)
    for c in answer.citations:
        out.print(safe(f"  [{c.n}] {c.title} ({c.published or 'undated'}) {c.source}", newlines=False),
                  markup=False, highlight=False)
        out.print(f"      “{safe(c.quote)}”", markup=False, highlight=False)


@app.command()
def chat(
    top_k: Annotated[Optional[int], typer.Option("--top-k", "-k", min=1, max=50)] = None,
) -> None:
    """A terminal chat: follow-up questions may refer to earlier turns. Empty line or Ctrl-D quits."""
    from rag.api import RAG

    try:
        rag = RAG(load_settings())
    except RagError as exc:
        _fail(exc)
        return
    history: list[tuple[str, str]] = []
    console.print(f"[bold]rag chat[/bold] ({rag.answerer_name}, {rag.collection.db.counts()['articles']} articles). "
                  "Empty line quits.")
    while True:
        try:
            q = input("you> ").strip()
        except EOFError:
            break
        if not q:
            break
        try:
            answer = rag.ask(q, top_k=top_k, history=history)
        except RagError as exc:
            console.print(f"[red]error:[/red] {esc(exc)}")
            continue
        if answer.search_query and answer.search_query != q:
            console.print(f"[dim](searched: {esc(answer.search_query)})[/dim]")
        _print_answer(answer)
        history.append((q, answer.text))


@app.command("list")
def list_articles(
    search: Annotated[Optional[str], typer.Argument(help="filter by title/source")] = None,
    limit: int = 50,
) -> None:
    """List stored articles with their metadata and chunk counts."""
    from index.db import ArticleDB

    try:  # the article database alone: listing needs neither Chroma nor the model (`rag stats` counts vectors)
        db = ArticleDB(load_settings().db_path)
    except RagError as exc:
        _fail(exc)
        return
    t = Table()
    for col in ("id", "published", "title", "chunks", "source"):
        t.add_column(col)
    try:
        for a in db.list_articles(search, limit):
            t.add_row(cell(a.id), cell(a.published or ""), cell(a.title[:60]), str(a.n_chunks), cell(a.url or a.source))
        counts = db.counts()
    finally:
        db.close()
    out.print(t)
    out.print(counts)


@app.command()
def remove(refs: Annotated[list[str], typer.Argument(help="article ids (or unique prefixes) or sources")]) -> None:
    """Remove articles from the collection."""
    try:
        results = _collection().remove(refs)
    except RagError as exc:
        _fail(exc)
        return
    for r in results:
        console.print(f"{r.status}: {esc(r.item)}" + (f" ({esc(r.reason)})" if r.reason else ""))
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def reindex() -> None:
    """Re-embed every stored chunk with the configured embedder (after changing RAG_EMBEDDER)."""
    from index.pipeline import Collection

    try:
        coll = Collection.open(load_settings(), check_embedder=False, repair=True)
        with Progress(TextColumn("[bold]reindex"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("reindex", total=coll.db.counts()["chunks"])
            n = coll.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    except RagError as exc:
        _fail(exc)
        return
    console.print(f"re-embedded {n} chunks with {coll.embedder.name}")


@app.command()
def stats() -> None:
    """Counts of articles, chunks, vectors and the embedder of the collection."""
    try:
        coll = _collection()
        _print_json(coll.stats())
        warnings = coll.health()
    except RagError as exc:
        _fail(exc)
        return
    for w in warnings:
        console.print(f"[yellow]warning:[/yellow] {esc(w)}")


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_articles() -> list[str]:
    """The seed article files (seeds/ also holds the eval suite, which is not an article)."""
    return sorted(str(p) for p in SEEDS.iterdir() if p.suffix in {".txt", ".md", ".html"})


@app.command()
def up(
    no_chat: Annotated[bool, typer.Option("--no-chat", help="ingest the seeds, then exit")] = False,
) -> None:
    """First run: ingest the seed articles (skipped when unchanged), then open the chat UI."""
    try:
        coll = _collection()
        report = coll.ingest(seed_articles(), progress=None)
    except RagError as exc:
        _fail(exc)
        return
    print_report(report)
    console.print(f"data directory: {esc(coll.settings.home)}")
    if not no_chat:
        _serve_ui(coll.settings, coll=coll)


# --- commands from other packages (ui/, evals/) register themselves here ---


def _serve_ui(settings, host: str | None = None, port: int | None = None, coll=None) -> None:  # noqa: ANN001
    from rag.api import RAG
    from ui.app import launch

    try:
        rag = RAG(settings, collection=coll) if coll is not None else None
        demo = launch(settings, rag, host=host, port=port, block=False)
    except RagError as exc:
        _fail(exc)
        return
    console.print(f"[bold]chat UI:[/bold] {demo.local_url}  (Ctrl-C stops it)")
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass


@app.command("ui")
def ui_command(
    host: Annotated[Optional[str], typer.Option(help="bind address (default RAG_UI_HOST, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="port (default RAG_UI_PORT, 7860)")] = None,
) -> None:
    """Open the chat UI: chat with cited sources, manage the collection, rate answers."""
    try:
        settings = load_settings()
    except RagError as exc:
        _fail(exc)
        return
    _serve_ui(settings, host, port)


from evals.cli import register as _register_eval  # noqa: E402

_register_eval(app)

from rag.mcp_server import register as _register_mcp  # noqa: E402
from rag.models import register as _register_models  # noqa: E402
from rag.serve import register as _register_serve  # noqa: E402

_register_serve(app)
_register_mcp(app)
_register_models(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
