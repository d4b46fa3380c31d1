"""``rag mcp``: the collection as an MCP server, so agent clients can search news with citations.

    rag mcp                              # stdio (what Claude Desktop, Cursor, ... launch)
    rag mcp --http --port 8765           # streamable HTTP at http://127.0.0.1:8765/mcp
    python -m rag.mcp_server             # stdio, without the rest of the CLI

Tools (official ``mcp`` SDK, all read-only): ``search_articles(query, filters, top_k, as_of)``,
``ask(question, filters, as_of, top_k)``, ``list_articles(query, limit, offset)``, ``get_article(id)``. An
argument a tool does not take is an error naming it (a misspelt ``filters`` would otherwise widen
the search unseen), and a bad value's error names the field and what to send; numbers are strict, as
REST's are (``"top_k": "3"`` was taken as 3: new user 15, D9). ``filters.since`` takes
what ``rag ask --since`` takes (a date, a period, a question's time words; ``rag.service.SearchFilters``). Every
passage and citation carries title, source, author (null when unknown) and ``published`` (the
publication date, YYYY-MM-DD, as the REST API names it); a passage its whole ``text`` (also as
``quote``, for older clients, in ``search_articles``), a citation the exact sentence quoted
(``quote``). ``ask`` returns the fields of REST's ``/v1/ask`` an agent acts on (``ASK_FIELDS``). All
of it goes through ``rag.service`` and ``RAG.ask`` -- the same code path as the CLI, UI and REST API.
The RAG (and its model) is built on the first tool call, so the client's handshake is answered at once.

A client configuration (Claude Desktop's ``mcpServers``)::

    {"rag": {"command": "rag", "args": ["mcp"], "env": {"RAG_HOME": "/path/to/data"}}}
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from rag.arguments import json_day
from rag.errors import RagError
from rag import service
from rag.notices import EMPTY, empty_notice
from rag.serve import list_page
from rag.service import SearchFilters, UnreadableSince

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from rag.settings import Settings
    from rag.api import RAG
    from rag.types import Filters

log = logging.getLogger(__name__)

DEFAULT_HTTP_PORT = 8765
INSTRUCTIONS = (
    "Search and question a collection of news articles. Answers cite passages as [n]; each citation "
    "has the article title, source, author, published date and the exact quote. Use search_articles for passages, ask "
    "for a short cited answer, list_articles/get_article to browse. Dates are YYYY-MM-DD."
)

#: how an MCP client's empty collection gets articles (``rag.notices.empty_notice``): no tool here adds
#: any, so it is whoever runs the server, with the rag command where it runs
HOW_TO_ADD = "`rag ingest PATH_OR_URL` where this server runs (files, folders, URLs, feeds): these tools only read"


class _LazyRAG:
    """One RAG per process, built on first use (loading the model takes seconds)."""

    def __init__(self, settings: Settings | None = None, rag: RAG | None = None) -> None:
        self._settings = settings
        self._rag = rag
        self._lock = threading.Lock()

    def get(self) -> RAG:
        with self._lock:
            if self._rag is None:
                from rag.settings import load_settings
                from rag.api import RAG

                self._rag = RAG(self._settings or load_settings())
            return self._rag


def build_server(settings: Settings | None = None, rag: RAG | None = None) -> MCPServer:
    """The MCP server over ``rag`` (or the collection ``settings`` describe, opened on first use)."""
    from mcp.server.mcpserver.exceptions import ToolError

    from mcp.types import ToolAnnotations

    lazy = _LazyRAG(settings, rag)
    server = _server_class()(name="rag", title="News articles with citations", instructions=INSTRUCTIONS,
                             version=_version(), log_level="WARNING")
    # every tool only reads the collection: a client may call them without asking the user each time
    read_only = ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False)

    def run(fn, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001
        """Library errors become tool errors the model can read (and act on); a remedy only whoever
        runs the server applies is said to be theirs (``service.client_words``)."""
        try:
            return fn(lazy.get(), *args, **kwargs)
        except RagError as exc:
            raise ToolError(service.client_words(exc)[0]) from None

    def chosen(tool: str, filters: SearchFilters | None, as_of: date | None) -> Filters | None:
        """The tool's filters with ``since`` read against ``as_of``. An unreadable ``since`` is worded
        as any other bad argument (``StrictServer`` passes it on as it is); a ``since`` after ``until``
        as the library says it (it was raised bare: the client read only "Error executing tool")."""
        try:
            return filters.to_filters(as_of) if filters else None
        except UnreadableSince as exc:
            raise ToolError(f"invalid arguments for {tool}: {exc}") from exc
        except RagError as exc:
            raise ToolError(service.client_words(exc)[0]) from None

    @server.tool(annotations=read_only)
    def search_articles(
        query: Annotated[str, Field(description="words or a question to search for")],
        filters: Annotated[SearchFilters | None, Field(description="restrict by source substring and date")] = None,
        top_k: Annotated[int, Field(ge=1, le=50, strict=True, description="passages to return")] = 5,
        as_of: Annotated[date | None, BeforeValidator(json_day),
                         Field(description="reference date (YYYY-MM-DD) for 'this week', 'latest', 'on Sunday'; "
                                           "default today")] = None,
    ) -> dict[str, Any]:
        """Find the passages that best match `query` (hybrid dense + keyword search), best first.
        Each passage has title, source, author, `published` (YYYY-MM-DD), its whole text as `text`
        (`quote` holds the same text, kept for older clients: it is not one sentence, as an ask
        citation's `quote` is), and its article id.
        Time expressions in `query` are read against `as_of` (default today). `notices` says when
        nothing can be found (an empty collection, filters no article matches)."""
        wanted = chosen("search_articles", filters, as_of)
        passages = run(service.search, query, top_k=top_k, filters=wanted, as_of=as_of)
        return run(service.public, {"query": query, "passages": [_passage(p) for p in passages],
                                    "notices": run(service.search_notices, passages, HOW_TO_ADD, wanted)})

    @server.tool(annotations=read_only)
    def ask(
        question: Annotated[str, Field(description="a question about the articles")],
        filters: Annotated[SearchFilters | None, Field(description="restrict by source substring and date")] = None,
        as_of: Annotated[date | None, BeforeValidator(json_day),
                         Field(description="reference date (YYYY-MM-DD) for 'this week', 'latest', 'on Sunday'; "
                                           "default today")] = None,
        top_k: Annotated[int | None, Field(ge=1, le=50, strict=True, description="passages to answer from; default "
                                                                     "the server's setting")] = None,
    ) -> dict[str, Any]:
        """Answer `question` from the collection. Time expressions ("this week", "on Sunday", "latest")
        are resolved against `as_of` (default today); `as_of` and `time_window` say what was understood.
        The answer marks claims with [n]; `citations[n]` gives the article title, source, author,
        `published` date and the exact supporting quote. `refused` is true when the articles do not
        answer it. `short_answer` is the phrase answering a who/when/where/how-many question (exact
        article text at `short_answer_span`), or null; `confidence` the offline answerer's
        P(answerable) (null for an LLM answer); `unsupported_claims` the sentences removed because no
        passage supports them; `passages` the passages answered from, as REST's /v1/ask has them
        (each with its whole `text`; `n` is the [n] of the answer)."""
        answer = run(service.ask, question, filters=chosen("ask", filters, as_of), as_of=as_of, top_k=top_k)
        d = answer.to_dict()
        return run(service.public, {
            "answer": answer.text,
            "refused": answer.refused,
            "citations": [service.citation_dict(c) for c in answer.citations],
            "notices": [empty_notice(HOW_TO_ADD) if n == EMPTY else n for n in answer.notices],  # as search says it
            "time_window": d["time_window"],
        } | {k: d[k] for k in ASK_FIELDS})

    @server.tool(annotations=read_only)
    def list_articles(
        query: Annotated[str | None, Field(description="only titles/sources containing this")] = None,
        limit: Annotated[int, Field(ge=1, le=500, strict=True)] = 50,
        offset: Annotated[int, Field(ge=0, strict=True,
                                     description="articles to skip: the next_offset of the last page")] = 0,
    ) -> dict[str, Any]:
        """Stored articles, newest first: id, title, source, url, author, published date, size.
        `total` is how many match; `next_offset` (null on the last page) is the `offset` of the next page."""
        return run(service.public, run(list_page, query, limit, offset))

    @server.tool(annotations=read_only)
    def get_article(id: Annotated[str, Field(description="article id (or a unique prefix, or its source)")]) -> dict[str, Any]:  # noqa: A002
        """One article with its metadata and full text."""
        art = run(service.get_article, id)
        if art is None:
            raise ToolError(f"no article {id!r}: {run(service.unresolved, id)}; list_articles shows the ids")
        return run(service.public, art)

    return server


#: the fields of ``Answer.to_dict`` (REST's /v1/ask) that ``ask`` adds to its answer, refused, citations,
#: notices and time_window, in the same names and shapes; the rest (timings, the prompt sent to an
#: LLM, the search query, usage) are the server's business, not an agent's
ASK_FIELDS = ("short_answer", "short_answer_span", "confidence", "unsupported_claims", "as_of", "passages")


def _version() -> str:
    """The installed package's version, for the server info a client shows and logs (the SDK's
    default is an empty string)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rag-articles")
    except PackageNotFoundError:  # a source tree run without `pip install -e .`
        return "0+unknown"


@functools.cache
def _server_class() -> type[MCPServer]:
    """``MCPServer`` whose tools refuse what they do not take, as the REST API's bodies do.

    The SDK drops an argument a tool has no parameter for, so ``{"filter": {...}}`` or ``since`` beside
    ``filters`` would search everything while the agent believes it narrowed the search; here it is
    an error naming it and the tool's arguments, and ``tools/list`` says so (``additionalProperties:
    false``). A value of the wrong type is an error naming the field and what to send, without
    pydantic's boilerplate (which a model cannot act on)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
    from pydantic import ValidationError

    from rag.arguments import meant_field
    from rag.serve import field_problem, readable_dates

    class StrictServer(MCPServer):
        async def list_tools(self) -> list[Any]:
            return [t.model_copy(update={"input_schema": {**t.input_schema, "additionalProperties": False}})
                    for t in await super().list_tools()]

        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:  # noqa: ANN401
            tool = next((t for t in await super().list_tools() if t.name == name), None)
            takes = tuple(tool.input_schema.get("properties", {})) if tool else ()
            unknown = [a for a in arguments if a not in takes] if tool else []
            if unknown:  # "ask does not take 'asof' (did you mean 'as_of'?); its arguments are ..."
                said = [f"{a[:60]!r}" + (f" (did you mean {m!r}?)" if (m := meant_field(a, takes)) else "")
                        for a in unknown]
                raise ToolError(f"{name} does not take {', '.join(said)}; its arguments are {', '.join(takes)}")
            try:
                return await super().call_tool(name, arguments, context)
            except ToolError as exc:
                cause = exc.__cause__
                if isinstance(cause, ToolError) and isinstance(cause.__cause__, UnreadableSince):
                    raise cause from None  # a bad argument found once as_of was known: worded as the others
                if isinstance(exc, UnexpectedToolError) or not isinstance(cause, ValidationError):
                    raise
                fields = {"filters": tuple(SearchFilters.model_fields)}
                problems = [field_problem(tuple(e["loc"]), e["msg"], e["type"], fields)
                            for e in readable_dates(cause.errors())]
                raise ToolError(f"invalid arguments for {name}: " + "; ".join(problems)) from cause

    return StrictServer


def _passage(p: Any) -> dict[str, Any]:  # noqa: ANN401 - rag.types.Passage
    """A passage as the tools return it: REST's field names (``published``, the passage as ``text``).
    ``quote`` holds the same whole passage, as it did before ``text`` was added: kept so that clients
    reading it go on working, though the name says less than it should (an ask citation's ``quote``
    is the one sentence cited)."""
    d = service.passage_dict(p)
    return {"n": d["n"], "article_id": d["article_id"], "title": d["title"], "source": d["source"],
            "author": d["author"], "published": d["published"], "score": d["score"], "text": d["text"],
            "quote": d["text"], "start": d["start"], "end": d["end"]}


def run_http(settings: Settings, host: str | None = None, port: int | None = None, ready: Any = None) -> None:
    """Streamable HTTP at ``/mcp``; loopback only unless RAG_API_KEY is set (then it is required)."""
    import uvicorn

    from rag.serve import bind, check_bind

    host = host or settings.api_host
    port = port or DEFAULT_HTTP_PORT
    key = settings.api_key()
    check_bind(host, key, "the MCP server")
    sock = bind(host, port)
    try:
        app = http_app(settings, host, key)
        if ready is not None:  # an IPv6 address goes in brackets, or the URL names no port
            shown = f"[{host.strip('[]')}]" if ":" in host else host
            ready(f"http://{shown}:{sock.getsockname()[1]}/mcp")
        uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
    finally:
        sock.close()


def http_app(settings: Settings | None = None, host: str = "127.0.0.1", key: str | None = None, *,
             rag: RAG | None = None) -> Any:  # noqa: ANN401 - an ASGI app
    """The ASGI app of ``rag mcp --http``: streamable HTTP at ``/mcp``, behind the key (``key``) or,
    without one, ``LocalOnly``; with CORS as ``rag serve`` has it (loopback pages without a key, any
    page with one), so a browser client such as the MCP Inspector can connect directly: its
    ``Mcp-Session-Id`` header is allowed and readable."""
    from rag.http_api import ApiCors, BearerAuth, LocalOnly

    app: Any = build_server(settings, rag).streamable_http_app(host=host)
    app = BearerAuth(app, key, prefix="/mcp") if key else LocalOnly(app)
    return ApiCors(app, any_origin=bool(key), prefixes=("/mcp",),
                   headers=("mcp-session-id", "mcp-protocol-version", "last-event-id"),
                   expose=("mcp-session-id", "mcp-protocol-version"))


def main() -> None:
    """``python -m rag.mcp_server``: stdio. Logs go to stderr; stdout carries only the protocol."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    from rag.settings import load_settings

    try:
        build_server(load_settings()).run("stdio")
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)  # the edge of the program: stdout is the protocol's
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
