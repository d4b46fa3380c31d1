"""index.fetch and URL ingestion, against a local http.server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index import fetch
from rag.errors import InputError
from index.fetch import PRIVATE_OFF, address_kind, fetch_url
from index.load import iter_articles
from rag.settings import Settings
from index.types import Article, LoadFailure

ARTICLE = (Path(__file__).parent / "data" / "load" / "article.html").read_bytes()


class Handler(BaseHTTPRequestHandler):
    """Routes: /article, /text, /dump.jsonl, /redirect/<n>, /loop, /to-other-host, /big, /big-stream, /slow."""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = self.path.split("?")[0]
        if path == "/article":
            self._send(200, "text/html; charset=utf-8", ARTICLE)
        elif path == "/text":
            self._send(200, "text/plain; charset=iso-8859-1", "Caf\xe9 owners protest\n\nThey met on Monday.".encode("latin-1"))
        elif path == "/dump.jsonl":
            body = "\n".join(json.dumps(r) for r in ({"title": "A", "text": "First story text."},
                                                     {"title": "B", "text": "Second story text.", "url": "https://b.example/2"}))
            self._send(200, "application/x-ndjson", body.encode())
        elif path == "/octets":
            self._send(200, "application/octet-stream", b"\x01\x02")
        elif path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            self._redirect(f"/redirect/{n - 1}" if n > 1 else "/article#section-2")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/to-other-host":
            self._redirect(f"http://127.0.0.2:{self.server.server_address[1]}/article")
        elif path == "/big":
            self._send(200, "text/plain", b"x" * 300_000)
        elif path == "/big-stream":  # no Content-Length: only counting while streaming catches it
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"y" * 10_000)
        elif path == "/slow":
            time.sleep(2)
            self._send(200, "text/plain", b"late")
        else:
            self._send(404, "text/plain", b"not here")

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early (size cap, timeout) are expected here


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Handler)  # port chosen by the OS
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(home=tmp_path, **{"allow_private_urls": True, **overrides})  # type: ignore[arg-type]


# --- fetching --------------------------------------------------------------------------------

def test_fetch_page(base: str, tmp_path: Path) -> None:
    page = fetch_url(base + "/article", make_settings(tmp_path))
    assert (page.final_url, page.content_type, page.encoding) == (base + "/article", "text/html", "utf-8")
    assert page.body == ARTICLE


def test_redirects_are_followed_and_fragment_dropped(base: str, tmp_path: Path) -> None:
    page = fetch_url(base + "/redirect/3", make_settings(tmp_path, fetch_max_redirects=3))
    assert page.final_url == base + "/article"


@pytest.mark.parametrize("path", ["/redirect/4", "/loop"])
def test_redirect_limit(base: str, tmp_path: Path, path: str) -> None:
    with pytest.raises(InputError, match="more than 3 redirects.*RAG_FETCH_MAX_REDIRECTS"):
        fetch_url(base + path, make_settings(tmp_path, fetch_max_redirects=3))


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_size_cap(base: str, tmp_path: Path, path: str) -> None:
    with pytest.raises(InputError, match="larger than the 0.1 MB limit; raise RAG_MAX_FILE_MB"):
        fetch_url(base + path, make_settings(tmp_path, max_file_mb=0.1))


def test_timeout(base: str, tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(InputError, match="RAG_FETCH_TIMEOUT"):
        fetch_url(base + "/slow", make_settings(tmp_path, fetch_timeout=0.3))
    assert time.monotonic() - start < 1.5


def test_http_error_status(base: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_url(base + "/missing", make_settings(tmp_path))


# --- SSRF protection -------------------------------------------------------------------------

def test_loopback_refused_by_default(base: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        fetch_url(base + "/article", Settings(home=tmp_path))
    assert "refusing to fetch 127.0.0.1" in err.value.reason and "loopback" in err.value.reason
    # the setting is named for no surface in particular: how to set it is each surface's to say (a UI or
    # REST user cannot set the server's environment; the CLI adds "set RAG_ALLOW_PRIVATE_URLS=1")
    assert "RAG_ALLOW_PRIVATE_URLS setting is off" in err.value.reason and PRIVATE_OFF in err.value.reason
    assert "set RAG_ALLOW_PRIVATE_URLS" not in err.value.reason


@pytest.mark.parametrize("url", [
    "http://localhost:9/",
    "http://[::1]:9/",
    "http://[::ffff:127.0.0.1]:9/",
    "http://2130706433:9/",  # 127.0.0.1 written as one decimal number
    "http://0.0.0.0:9/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/",
])
def test_private_addresses_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(InputError, match="refusing to fetch .*RAG_ALLOW_PRIVATE_URLS"):
        fetch_url(url, Settings(home=tmp_path))


def test_every_redirect_hop_is_checked(base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pretend 127.0.0.1 is public; the redirect to 127.0.0.2 must still be refused at its hop
    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    assert fetch_url(base + "/article", Settings(home=tmp_path)).body == ARTICLE
    with pytest.raises(InputError, match="refusing to fetch 127.0.0.2"):
        fetch_url(base + "/to-other-host", Settings(home=tmp_path))


@pytest.mark.parametrize("ip, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"), ("10.0.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"), ("2002:7f00:1::", "loopback"),
    ("8.8.8.8", None), ("2606:4700:4700::1111", None),
])
def test_address_kind(ip: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(ip)) == kind


@pytest.mark.parametrize("url, expected", [
    ("ftp://example.com/a.txt", "only http:// and https://"),
    ("file:///etc/passwd", "only http:// and https://"),
    ("http:///nohost", "no host name"),
])
def test_bad_urls(tmp_path: Path, url: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        fetch_url(url, make_settings(tmp_path))


# --- URL ingestion through iter_articles -----------------------------------------------------

def test_url_ingestion_html(base: str, tmp_path: Path) -> None:
    [a] = iter_articles([base + "/redirect/1"], make_settings(tmp_path))
    assert isinstance(a, Article)
    assert a.source == a.url == base + "/article"
    assert (a.title, a.author, a.published) == ("Harbour bridge reopens after repairs", "Maria Lopez", date(2024, 11, 3))
    assert a.text.startswith("The harbour bridge reopened")


def test_url_ingestion_text_and_dump(base: str, tmp_path: Path) -> None:
    text, first, second = iter_articles([base + "/text", base + "/dump.jsonl"], make_settings(tmp_path))
    assert isinstance(text, Article) and text.title == "Café owners protest" and text.text == "They met on Monday."
    assert isinstance(first, Article) and first.source == base + "/dump.jsonl#1"
    assert isinstance(second, Article) and second.source == second.url == "https://b.example/2"


def test_url_refused_without_allow_private_and_batch_goes_on(base: str, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Local story\n\nStill loaded after the refused URL.")
    refused, article = iter_articles([base + "/article", str(good)], Settings(home=tmp_path))
    assert isinstance(refused, LoadFailure) and refused.item == base + "/article"
    assert base + "/article" in refused.reason and "RAG_ALLOW_PRIVATE_URLS" in refused.reason
    assert isinstance(article, Article) and article.title == "Local story"


def test_url_with_unusable_content_type(base: str, tmp_path: Path) -> None:
    [f] = iter_articles([base + "/octets"], make_settings(tmp_path))
    assert isinstance(f, LoadFailure) and "application/octet-stream" in f.reason and "/octets" in f.reason
