"""``rag serve``: the collection over HTTP -- an OpenAI-compatible chat endpoint plus ask, search and articles.

    rag serve                          # http://127.0.0.1:8080 (RAG_API_HOST / RAG_API_PORT)
    rag serve --ui                     # the same port also serves the chat UI at /ui/
    RAG_API_KEY=... rag serve --host 0.0.0.0   # any non-loopback address needs a key

This module is the command (binding, the key policy, uvicorn); the routes live in
``rag.http_api``, imported only when a server starts, so FastAPI costs the other ``rag``
commands nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from rag.settings import Settings
    from rag.api import RAG


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: only the local machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: str | None, what: str = "the API") -> None:
    """Refuse to listen beyond this machine without a key: anyone on the network could read and
    change the collection."""
    if not api_key and not is_loopback(host):
        raise ConfigError(f"{what} would listen on {host} without a key: set RAG_API_KEY to a long random "
                          "secret (clients send it as 'Authorization: Bearer <key>'), or bind 127.0.0.1")


#: what a field of a REST body or an MCP tool call takes, for the message of a value it refused
FIELD_HINTS: dict[str, str] = {
    "query": 'send the words to search for as a string, e.g. "Khansir rebels"',
    "question": 'send the question as a string, e.g. "Which town did the rebels capture?"',
    "top_k": "send a whole number from 1 to 50, e.g. 5 (or leave it out)",
    "limit": "send a whole number of articles, e.g. 20 (or leave it out)",
    "offset": "send how many articles to skip, a whole number from 0, e.g. the next_offset of the last page",
    "as_of": 'send a date as "YYYY-MM-DD", e.g. "2024-12-03" (or leave it out for today)',
    "since": 'send a date as "YYYY-MM-DD", e.g. "2024-11-01", a period back from as_of such as "7d", or "last week"',
    "until": 'send a date as "YYYY-MM-DD", e.g. "2024-12-31"',
    "filters": 'send an object, e.g. {"sources": ["reuters"], "since": "2024-11-01", "until": "2024-12-31"}',
    "sources": 'send a list of strings (substrings of the source, URL or title), e.g. ["reuters"]',
    "article_ids": 'send a list of article ids, e.g. ["2ee66f902f40f20f"]',
    "history": ('send earlier turns as [question, answer] pairs, e.g. [["Who resigned?", "The minister."]], '
                'or as messages, e.g. [{"role": "user", "content": "Who resigned?"}, '
                '{"role": "assistant", "content": "The minister."}]'),
    "messages": 'send a list of messages, e.g. [{"role": "user", "content": "Which town did the rebels capture?"}]',
    "role": 'send "user", "assistant" or "system"',
    "content": 'send the message text as a string (or a list of {"type": "text", "text": ...} parts)',
    "urls": 'send a list of http(s) URLs, e.g. ["https://example.org/story.html"]',
    "id": 'send an article id as a string (list_articles shows them), e.g. "2ee66f902f40f20f"',
    "offline": "send true or false",
    "stream": "send true or false",
}


def field_problem(loc: tuple[str | int, ...], msg: str, kind: str = "",
                  fields: dict[str, tuple[str, ...]] | None = None) -> str:
    """One validation error of a REST body or an MCP tool call as a line that names the field and
    says what to send: ``top_k: Input should be less than or equal to 50; send a whole number from 1
    to 50, e.g. 5``. ``fields`` maps an object's path ("" for the top level) to the fields it takes,
    for the message of an unknown one.

    >>> field_problem(("top_k",), "Input should be less than or equal to 50", "less_than_equal")
    'top_k: Input should be less than or equal to 50; send a whole number from 1 to 50, e.g. 5 (or leave it out)'
    """
    path = ".".join(str(p) for p in loc) or "body"
    if kind == "extra_forbidden":
        from rag.arguments import meant_field

        parent = ".".join(str(p) for p in loc[:-1])
        known = (fields or {}).get(parent)
        where = f"{parent} takes" if parent else "the fields are"
        meant = meant_field(str(loc[-1]), known) if known and loc else None
        if meant:  # "body.asof: unknown field 'asof': did you mean 'as_of'? (body takes question, ...)"
            return f"{path}: unknown field {str(loc[-1])[:60]!r}: did you mean {meant!r}? ({where} {', '.join(known)})"
        return f"{path}: unknown field" + (f"; {where} {', '.join(known)}" if known else "; leave it out")
    if kind == "value_error":  # our own validators' messages say what to do
        return f"{path}: {msg.removeprefix('Value error, ')}"
    # the innermost named field: a union's member ("str", "list[...]"), a list index and where FastAPI
    # found the value ("body", "query": the query string) are not fields
    names = loc[1:] if len(loc) > 1 and loc[0] in ("body", "query", "path", "header") else loc
    hint = next((FIELD_HINTS[p] for p in reversed(names) if isinstance(p, str) and p in FIELD_HINTS), None)
    return f"{path}: {msg}" + (f"; {hint}" if hint else "")


#: the tags pydantic puts after a field's name in the errors of a union's members (``since: date | str``)
_UNION_TAGS = ("date", "str")


def readable_dates(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors of a REST body or an MCP tool call, with pydantic's reading of a number as a Unix
    time ("Datetimes provided to dates should have zero time - e.g. be exact dates", for ``"until":
    20221212``) said as the date string to send, with what was sent (``rag.arguments.day_string_problem``);
    the error of a union's other member (``since``'s "Input should be a valid string") goes with it."""
    from rag.arguments import day_string_problem

    out: list[dict[str, Any]] = []
    dated: set[tuple[Any, ...]] = set()
    for e in errors:
        loc, value = tuple(e.get("loc", ())), e.get("input")
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if str(e.get("type", "")).startswith("date_") and (numeric or (isinstance(value, str) and value.isdigit())):
            base = loc[:-1] if loc[-1:] == ("date",) else loc
            if base not in dated:
                dated.add(base)
                out.append({"type": "value_error", "loc": base, "msg": day_string_problem(value), "input": value})
        else:
            out.append(e)

    def sibling(e: dict[str, Any]) -> bool:  # the other member of a union whose date was said above
        loc = tuple(e.get("loc", ()))
        return e.get("type") != "value_error" and loc[:-1] in dated and bool(loc) and loc[-1] in _UNION_TAGS

    return [e for e in out if not sibling(e)]


def list_page(rag: RAG, query: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of the stored articles (newest first) for ``GET /v1/articles`` and the MCP
    ``list_articles`` tool: ``articles`` as ``rag.service.list_articles`` gives them, plus ``total``
    (how many match ``query``) and ``next_offset`` (the ``offset`` of the next page; null on the
    last). Without an offset a client could never see past the route's largest ``limit``, though
    ``rag list --offset`` pages through any collection."""
    from index.db import article_page

    db = rag.collection.db
    search = (query or "").strip() or None
    return article_page(db.list_articles(search, limit, offset), db.count_articles(search), offset)


def create_app(rag: RAG, *, api_key: str | None = None, ui: bool = False) -> FastAPI:
    """The ASGI app serving ``rag`` (see ``rag.http_api.create_app``)."""
    from rag.http_api import create_app as build

    return build(rag, api_key=api_key, ui=ui)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a busy port is a clear error before the model loads."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another port "
                          "with --port or RAG_API_PORT") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, ui: bool = False,
          ready: Any = None) -> None:
    """Build the RAG and serve it until Ctrl-C. ``ready(url)`` is called once the port is bound."""
    import uvicorn

    from rag.api import RAG

    host = host or settings.api_host
    port = port or settings.api_port
    key = settings.api_key()
    check_bind(host, key)
    if ui and not settings.ui_auth and not is_loopback(host):  # the UI can add and remove articles too
        raise ConfigError(f"the chat UI would be open to anyone who can reach {host}: set "
                          "RAG_UI_AUTH=user:password, drop --ui, or bind 127.0.0.1")
    sock = bind(host, port)
    try:
        app = create_app(RAG(settings), api_key=key or "", ui=ui)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                               timeout_graceful_shutdown=5))
        if ready is not None:
            shown = f"[{host.strip('[]')}]" if ":" in host else host
            ready(f"http://{shown}:{sock.getsockname()[1]}")
        server.run(sockets=[sock])
    finally:
        sock.close()


