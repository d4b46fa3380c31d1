"""URL user-info (``http://user:password@host/``): used for the request, never stored or shown.

Real HTTP servers on 127.0.0.1 (and 127.0.0.2 as "another host"), the real pipeline with the
hash embedder, real SQLite and embedded Chroma, and the real `rag` CLI. The data directory is
searched byte for byte afterwards: the password must be in no file of the store.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from rag.errors import InputError
from index.fetch import fetch_url
from index.collection import Collection
from rag.settings import Settings
from index.userinfo import redact_userinfo, strip_userinfo
from tests.fakes import HashEmbedder

SECRET = "s3cr%40t"  # percent-encoded "@" in the password: sent decoded, stored nowhere
SENT = "s3cr@t"
STORY = b"Harbour reopens\n\nThe harbour of Portville reopened on Monday after the storm, officials said."


class _Pages(BaseHTTPRequestHandler):
    """Records the Authorization header of each request; routes /story, /missing, /same, /away."""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.server.seen.append((self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        port = self.server.server_address[1]
        if self.path == "/story":
            self._reply(200, STORY, "text/plain; charset=utf-8")
        elif self.path == "/same":  # absolute Location, same scheme/host/port
            self._reply(302, b"", location=f"http://127.0.0.1:{port}/story")
        elif self.path == "/away":  # another host: must not get the credentials
            other = self.server.other_port  # type: ignore[attr-defined]
            self._reply(302, b"", location=f"http://127.0.0.2:{other}/story")
        else:
            self._reply(404, b"no")

    def _reply(self, status: int, body: bytes, ctype: str = "text/plain", location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def _serve(host: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), _Pages)
    server.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers() -> Iterator[tuple[ThreadingHTTPServer, ThreadingHTTPServer]]:
    main, other = _serve("127.0.0.1"), _serve("127.0.0.2")
    main.other_port = other.server_address[1]  # type: ignore[attr-defined]
    yield main, other
    for s in (main, other):
        s.shutdown()
        s.server_close()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://ann:{SECRET}@127.0.0.1:{server.server_address[1]}{path}"


def test_strip_and_redact() -> None:
    assert strip_userinfo("https://a:b@h:81/p?q#f") == "https://h:81/p?q#f"
    assert strip_userinfo("https://a:p@ss@h/p") == "https://h/p"  # an unencoded "@" in the password
    assert strip_userinfo("/home/ann/mail@home.txt") == "/home/ann/mail@home.txt"
    assert redact_userinfo("x http://a:b@h/p y ann@example.org") == "x http://h/p y ann@example.org"


def test_credentials_are_sent_as_basic_auth_but_not_returned(servers, tmp_path: Path) -> None:  # noqa: ANN001
    main, other = servers
    settings = Settings(home=tmp_path, allow_private_urls=True)
    page = fetch_url(_url(main, "/story"), settings)
    assert page.final_url == f"http://127.0.0.1:{main.server_address[1]}/story"
    assert main.seen == [("/story", _basic("ann", SENT))]

    fetch_url(_url(main, "/same"), settings)  # same origin: the credentials follow the redirect
    assert main.seen[-2:] == [("/same", _basic("ann", SENT)), ("/story", _basic("ann", SENT))]

    page = fetch_url(_url(main, "/away"), settings)  # another host: they do not
    assert other.seen == [("/story", None)]
    assert "@" not in page.final_url


def test_errors_never_carry_the_password(servers, tmp_path: Path) -> None:  # noqa: ANN001
    main, _other = servers
    with pytest.raises(InputError) as err:
        fetch_url(_url(main, "/missing"), Settings(home=tmp_path, allow_private_urls=True))
    assert "HTTP 404" in str(err.value) and SECRET not in str(err.value) and "ann" not in str(err.value)
    with pytest.raises(InputError) as err:  # refused before any request (loopback not allowed)
        fetch_url(_url(main, "/story"), Settings(home=tmp_path))
    assert "RAG_ALLOW_PRIVATE_URLS" in str(err.value) and SECRET not in str(err.value)


def test_ingest_stores_and_reports_no_credentials(
    servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    main, _other = servers
    home = tmp_path / "home"
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    monkeypatch.setenv("RAG_HOME", str(home))
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    from rag.cli import app

    result = CliRunner().invoke(app, ["ingest", _url(main, "/story"), _url(main, "/missing")])
    assert result.exit_code == 1, result.output  # the 404 fails, the story is added
    assert "added" in result.output and "HTTP 404" in result.output
    result_list = CliRunner().invoke(app, ["list"])
    assert result_list.exit_code == 0 and "Harbour reopens" in result_list.output
    for output in (result.output, result_list.output):
        assert SECRET not in output and SENT not in output and "ann:" not in output

    with Collection.open(Settings(home=home), embedder=HashEmbedder()) as coll:
        [source] = [r[0] for r in coll.db._q("SELECT source FROM sources").fetchall()]
        assert source == f"http://127.0.0.1:{main.server_address[1]}/story"
    for f in home.rglob("*"):  # articles, sources, chunks, FTS, Chroma metadata, WAL files
        if f.is_file():
            data = f.read_bytes()
            assert SECRET.encode() not in data and SENT.encode() not in data, f
