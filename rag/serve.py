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
            shown = f"[{host}]" if ":" in host else host
            ready(f"http://{shown}:{sock.getsockname()[1]}")
        server.run(sockets=[sock])
    finally:
        sock.close()


