"""RAG_FETCH_TIMEOUT caps the whole fetch, against real trickling servers on 127.0.0.1.

httpx's timeouts are per read: a server that sends one byte well inside the read timeout is
never idle, so before the total cap was enforced on the socket it held a fetch (and an ingest's
write lock) for as long as it kept trickling. Each server here trickles for ``TRICKLE_FOR``
seconds, far beyond the cap, so a fetch that is not cut off fails the time bound.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import InputError
from index.fetch import fetch_url
from rag.settings import Settings

CAP = 1.5  # RAG_FETCH_TIMEOUT for these tests
SLACK = 3.0  # correctness bound (the fetch ends near the cap), not a speed benchmark
TRICKLE_FOR = 25.0
STEP = 0.2  # one byte every STEP seconds: well inside the per-read timeout


class _Trickle(socketserver.BaseRequestHandler):
    """Reads the request, then sends the response one byte at a time (mode: headers or body)."""

    server: _TrickleServer

    def handle(self) -> None:
        self.request.settimeout(5)
        try:
            self.request.recv(65536)
            if self.server.mode == "headers":
                head, rest = b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"x" * 10_000
            else:  # no Content-Length: the body runs until the connection closes
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nSlow news. "
                rest = b"y" * 10_000
            self.request.sendall(head)
            end = time.monotonic() + TRICKLE_FOR
            for byte in rest:
                if time.monotonic() > end or self.server.stopping.wait(STEP):
                    break
                self.request.sendall(bytes([byte]))
                self.server.sent += 1
        except OSError:  # the client hung up: what the deadline is meant to do
            self.server.hung_up.set()


class _TrickleServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Trickle)
        self.mode = mode
        self.sent = 0
        self.stopping = threading.Event()
        self.hung_up = threading.Event()


@pytest.fixture(params=["headers", "body"])
def trickle(request: pytest.FixtureRequest) -> Iterator[tuple[str, _TrickleServer]]:
    server = _TrickleServer(request.param)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story", server
    server.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.mark.timeout(60)
def test_total_cap_covers_trickled_headers_and_body(trickle: tuple[str, _TrickleServer], tmp_path: Path) -> None:
    url, server = trickle
    settings = Settings(home=tmp_path, allow_private_urls=True, fetch_timeout=CAP)
    start = time.monotonic()
    with pytest.raises(InputError, match=r"longer than 1.5s in total.*RAG_FETCH_TIMEOUT") as err:
        fetch_url(url, settings)
    elapsed = time.monotonic() - start
    assert elapsed < CAP + SLACK, f"the fetch ran {elapsed:.1f}s against a {CAP}s cap"
    assert server.sent > 0, "the server never trickled: the test would not show anything"
    assert err.value.item == url  # a trickled body is an error, never a truncated article


@pytest.mark.timeout(60)
def test_connect_phase_is_bounded_by_the_remaining_time(tmp_path: Path) -> None:
    """A listener that never accepts: the connection stays in the backlog, no response ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        settings = Settings(home=tmp_path, allow_private_urls=True, fetch_timeout=CAP)
        start = time.monotonic()
        with pytest.raises(InputError, match="RAG_FETCH_TIMEOUT"):
            fetch_url(url, settings)
        assert time.monotonic() - start < CAP + SLACK
    finally:
        listener.close()


@pytest.mark.timeout(60)
def test_name_resolution_is_inside_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """getaddrinfo has no timeout; a resolver that hangs (here: a stand-in that sleeps) must not
    hold the fetch past the cap. (A real slow DNS server cannot be run without root.)"""
    release = threading.Event()
    real = socket.getaddrinfo

    def slow_resolver(host: str, *args: object, **kwargs: object) -> object:
        if host == "slow.example":
            release.wait(TRICKLE_FOR)
        return real("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    settings = Settings(home=tmp_path, allow_private_urls=True, fetch_timeout=CAP)
    start = time.monotonic()
    try:
        with pytest.raises(InputError, match="RAG_FETCH_TIMEOUT"):
            fetch_url("http://slow.example/story", settings)
        assert time.monotonic() - start < CAP + SLACK
    finally:
        release.set()
