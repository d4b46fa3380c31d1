"""``rag up | ui | serve | mcp``: the first run, and the long-running servers.

The UI (gradio), the REST API (FastAPI) and the MCP server are imported when their command runs,
never when ``rag`` starts. ``rag up`` first ingests the seed articles shipped in ``seeds/`` into an
empty collection (only: a collection that holds articles is left as it is).
Ctrl-C or SIGTERM stops a server, exit code 0: stopping is how a server ends (README "Exit codes");
SIGTERM is left to the web server (``sigterm_default``), which shuts down gracefully.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rag.cli.output import fail, plural, safe, say, sigterm_default
from rag.errors import RagError

if TYPE_CHECKING:
    from index.collection import Collection
    from rag.settings import Settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_SUFFIXES = frozenset({".txt", ".md", ".html"})
MCP_DEFAULT_PORT = 8765  # rag.mcp_server.DEFAULT_HTTP_PORT, named here without importing the MCP stack


def seed_articles(folder: Path = SEEDS) -> list[str]:
    """The seed article files (seeds/ also holds the eval suite, which is not an article)."""
    if not folder.is_dir():
        fail(f"no seed articles: {folder} is missing (a source checkout ships seeds/; "
             "or run `rag ingest YOUR_FOLDER`, then `rag ui`)")
    return sorted(str(p) for p in folder.iterdir() if p.suffix in SEED_SUFFIXES)


def _serve_ui(settings: Settings, host: str | None = None, port: int | None = None,
              coll: Collection | None = None) -> None:
    with sigterm_default():
        _run_ui(settings, host, port, coll)


def _run_ui(settings: Settings, host: str | None, port: int | None, coll: Collection | None) -> None:
    from rag.api import RAG
    from ui.app import launch

    try:
        rag = RAG(settings, collection=coll) if coll is not None else None
        demo = launch(settings, rag, host=host, port=port, block=False)
    except RagError as exc:
        fail(exc)
    say("[bold]chat UI:[/bold]", f"{safe(demo.local_url)}  (Ctrl-C stops it)")
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass


def up(
    no_chat: Annotated[bool, typer.Option(
        "--no-chat", help="ingest the seeds (into an empty collection), then exit")] = False,
) -> None:
    """First run: ingest the seed articles into an empty collection, then open the chat UI.

    Only an empty collection is seeded: `rag up` seeded every run, so a seed removed with `rag remove`
    came back, and its 2024 date became a newsroom's "newest article" (new user 15)."""
    from rag.cli.ingest import open_collection, print_report

    try:
        coll = open_collection()
        held = int(coll.db.counts()["articles"])
        report = None if held else coll.ingest(seed_articles(), progress=None)
    except RagError as exc:
        fail(exc)
    if report is not None:
        print_report(report)
    else:
        say("seed articles:", f"not added, the collection is left unchanged: it holds {plural(held, 'article')}, "
                              "and `rag up` adds the seeds only to an empty collection")
    say("data directory:", safe(coll.settings.home))
    if not no_chat:
        _serve_ui(coll.settings, coll=coll)


def ui_command(
    host: Annotated[Optional[str], typer.Option(help="bind address (default RAG_UI_HOST, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="port (default RAG_UI_PORT, 7860)")] = None,
) -> None:
    """Open the chat UI: chat with cited sources, manage the collection, rate answers."""
    from rag.settings import load_settings

    try:
        settings = load_settings()
    except RagError as exc:
        fail(exc)
    _serve_ui(settings, host, port)


def serve_command(
    host: Annotated[Optional[str], typer.Option(help="bind address (default RAG_API_HOST, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="port (default RAG_API_PORT, 8080)")] = None,
    ui: Annotated[bool, typer.Option("--ui", help="also serve the chat UI at /ui/ on the same port")] = False,
) -> None:
    """Serve the REST API: OpenAI-compatible chat, ask, search and articles (see /openapi.json)."""
    from rag.serve import serve as run_api
    from rag.settings import load_settings

    def ready(url: str) -> None:
        # say: a URL is never broken across lines in a pipe (piped to a log, rich wrapped at 80 columns)
        shown = safe(url)
        stops = "" if ui else "  (Ctrl-C stops it)"  # said once, on the last line
        say("[bold]REST API:[/bold]", f"{shown}/v1  (schema: {shown}/openapi.json){stops}")
        if ui:
            say("[bold]chat UI:[/bold]", f"{shown}/ui/  (Ctrl-C stops it)")

    try:
        with sigterm_default():
            run_api(load_settings(), host=host, port=port, ui=ui, ready=ready)
    except RagError as exc:
        fail(exc)
    except KeyboardInterrupt:
        pass


def mcp_command(
    http: Annotated[bool, typer.Option("--http", help="serve streamable HTTP instead of stdio")] = False,
    host: Annotated[Optional[str], typer.Option(help="--http bind address (default 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(
        min=1, max=65535, help=f"--http port (default {MCP_DEFAULT_PORT})")] = None,
) -> None:
    """Serve the collection to MCP clients: search_articles, ask, list_articles, get_article."""
    from rag.mcp_server import build_server, run_http
    from rag.settings import load_settings

    try:
        settings = load_settings()
        with sigterm_default():
            if http:
                run_http(settings, host, port, ready=lambda url: say(
                    "[bold]MCP (streamable HTTP):[/bold]", f"{safe(url)}  (Ctrl-C stops it)"))
            else:
                build_server(settings).run("stdio")  # stdout is the protocol's: nothing else is printed there
    except RagError as exc:
        fail(exc)
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    """Add the first-run command and the servers to ``app``."""
    app.command()(up)
    app.command("ui")(ui_command)
    app.command("serve")(serve_command)
    app.command("mcp")(mcp_command)
