"""The integrations as a demanding new user wires them into an app: a web page on localhost calling
the REST API from a real browser (CORS), a client generated from ``/openapi.json``, paging through the
articles, an OpenAI client reading a stream that fails half way, an MCP client reading the server's
info and tool annotations, and the ready lines of ``rag serve`` / ``rag mcp --http`` in a log.

Each runs against the real server (uvicorn on 127.0.0.1), the official ``openai`` and ``mcp``
clients and headless chromium, over four small dated articles with the hash embedder: what is
checked is the plumbing, not the ranking.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import openai
import pytest
from mcp import Client

from index.collection import Collection
from rag.api import RAG
from rag.http_api import create_app
from rag.mcp_server import build_server, http_app
from rag.settings import Settings
from tests.conftest import ROOT
from tests.fakes import HashEmbedder
from tests.test_llamaindex import write_articles
from tests.test_mcp import _env
from tests.test_serve import Running
from tests.ui_helpers import CHROMIUM, free_port

pytestmark = [pytest.mark.integration]

KEY = "newuser2-key-0123456789abcdef"
STORM = "Which ferries were cancelled last week?"


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> RAG:
    home = tmp_path_factory.mktemp("newuser2")
    settings = Settings(home=home / "home", collection="newuser2")
    coll = Collection.open(settings, embedder=HashEmbedder())
    folder = write_articles(home / "articles")
    copy = home / "copy"  # the storm story again under another name: one article, two sources
    copy.mkdir()
    storm = next(p for p in sorted(folder.iterdir()) if "Storm" in p.read_text())
    (copy / "storm-copy.txt").write_text(storm.read_text())
    report = coll.ingest([str(folder), str(copy)])
    assert report.count("added") == 4 and report.count("duplicate") == 1, report
    return RAG(settings, collection=coll, llm=None)


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def keyed(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key=KEY)) as srv:
        yield srv.url


# --- a web app in the browser ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def page_server() -> Iterator[int]:
    """A plain static server on loopback: the origin of the "web app" pages below."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"<!doctype html><title>my news app</title><p>app</p>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()


FETCH = """async ([url, body, headers]) => {
  try {
    const r = await fetch(url, {method: body ? "POST" : "GET", headers,
                                body: body ? JSON.stringify(body) : undefined});
    return {status: r.status, json: await r.json()};
  } catch (e) { return {failed: String(e)}; }
}"""


def _browse(origin: str, calls: list[tuple[str, dict[str, Any] | None, dict[str, str]]]) -> list[dict[str, Any]]:
    """Open ``origin`` in headless chromium (``evil.example`` resolves to 127.0.0.1) and run each
    ``fetch(url, body, headers)`` from that page, as a web app's script would."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP evil.example 127.0.0.1"])
        try:
            page = browser.new_page()
            page.goto(origin)
            return [page.evaluate(FETCH, [url, body, headers]) for url, body, headers in calls]
        finally:
            browser.close()


def test_a_web_app_on_localhost_calls_the_api_from_the_browser(api: str, keyed: str, page_server: int) -> None:
    # LocalOnly admitted a page served from loopback, but without CORS headers the browser refused
    # the JSON POST's preflight (a 405) and hid every response: no local web app could use the API
    question = {"question": STORM, "as_of": "2024-03-08"}
    json_header = {"content-type": "application/json"}
    asked, listed = _browse(f"http://localhost:{page_server}/", [
        (f"{api}/v1/ask", question, json_header), (f"{api}/v1/articles?limit=1", None, {})])
    assert asked["status"] == 200 and "Scilly" in asked["json"]["answer"], asked
    assert listed["status"] == 200 and listed["json"]["total"] == 4

    # another site's page still gets nothing without a key; with the key, any page may call
    refused, with_key, without_key = _browse(f"http://evil.example:{page_server}/", [
        (f"{api}/v1/ask", question, json_header),
        (f"{keyed}/v1/ask", question, json_header | {"authorization": f"Bearer {KEY}"}),
        (f"{keyed}/v1/ask", question, json_header)])
    assert "failed" in refused, refused
    assert with_key["status"] == 200 and "Scilly" in with_key["json"]["answer"], with_key
    assert without_key["status"] == 401 and without_key["json"]["error"]["code"] == "invalid_api_key"


def test_cors_covers_the_api_and_not_the_ui(api: str) -> None:
    preflight = {"origin": "http://127.0.0.1:5173", "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"}
    ok = httpx.options(f"{api}/v1/chat/completions", headers=preflight)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
    assert "access-control-allow-credentials" not in ok.headers  # a key in a header, never a cookie
    other = httpx.options(f"{api}/v1/chat/completions", headers=preflight | {"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in httpx.get(f"{api}/ui/", headers={"origin": preflight["origin"]}).headers


def test_mcp_over_http_answers_a_browser_client_s_preflight(rag: RAG) -> None:
    # the MCP Inspector (a web page on localhost:6274) connects directly: it must send and read Mcp-Session-Id
    with Running(http_app(rag=rag)) as srv:
        r = httpx.options(f"{srv.url}/mcp", headers={
            "origin": "http://localhost:6274", "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,mcp-session-id,mcp-protocol-version"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "http://localhost:6274"
        assert "mcp-session-id" in r.headers["access-control-allow-headers"]
        evil = httpx.post(f"{srv.url}/mcp", json={}, headers={"origin": "http://evil.example"})
        assert evil.status_code == 403  # LocalOnly still refuses other sites


# --- a client generated from /openapi.json ---------------------------------------------------------

def test_openapi_declares_the_error_body_that_is_sent(api: str, keyed: str) -> None:
    schema = httpx.get(f"{api}/openapi.json").json()
    ask = schema["paths"]["/v1/ask"]["post"]["responses"]
    # FastAPI declared {"detail": [...]} for a 422; the body sent is {"error": {...}, "detail": [...]}
    assert ask["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert {"400", "401", "404", "409", "413", "415", "503"} <= set(ask)
    body = schema["components"]["schemas"]["ErrorBody"]
    detail = schema["components"]["schemas"]["ErrorDetail"]
    sent = httpx.post(f"{api}/v1/ask", json={"question": STORM, "top_k": "3"}).json()
    assert set(sent) <= set(body["properties"]) and set(sent["error"]) <= set(detail["properties"])
    assert set(detail["required"]) <= set(sent["error"])
    assert "securitySchemes" not in schema.get("components", {})  # no key: nothing to send

    keyed_schema = httpx.get(f"{keyed}/openapi.json").json()  # the schema itself needs no key
    assert keyed_schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "the server's RAG_API_KEY"}
    assert keyed_schema["paths"]["/v1/ask"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in keyed_schema["paths"]["/healthz"]["get"]


@pytest.mark.parametrize(("route", "body", "said", "example"), [
    ("ask", b"", "the request body is empty", '{"question": '),
    ("ask", b"[1, 2]", "the request body is JSON but not an object", '{"question": '),
    ("search", b"null", "the request body is JSON but not an object", '{"query": '),
    ("chat/completions", b"", "the request body is empty", '{"messages": [{"role": "user"'),
])
def test_a_body_that_is_empty_or_not_an_object_says_so(api: str, route: str, body: bytes, said: str,
                                                       example: str) -> None:
    # was "invalid request: body: Field required" / "Input should be a valid dictionary"
    r = httpx.post(f"{api}/v1/{route}", content=body, headers={"content-type": "application/json"})
    message = r.json()["error"]["message"]
    assert r.status_code == 422 and said in message and f"POST /v1/{route} takes a JSON object" in message
    assert example in message


# --- paging and removing ---------------------------------------------------------------------------

def test_articles_page_with_offset_over_rest_and_mcp(api: str, rag: RAG) -> None:
    # limit is capped (1000 REST, 500 MCP) and there was no offset: a larger collection was out of reach
    seen, offset = [], 0
    while offset is not None:
        page = httpx.get(f"{api}/v1/articles", params={"limit": 3, "offset": offset}).json()
        assert page["total"] == 4 and page["offset"] == offset
        seen += [a["id"] for a in page["articles"]]
        offset = page["next_offset"]
    assert seen == [a.id for a in rag.collection.db.list_articles(None, 10)]
    # the keys `rag list --json` gives ("collection": a client of one read the other's and broke, new user 24)
    counts = rag.collection.db.counts()
    assert page["collection"] == {"articles": counts["articles"], "chunks": counts["chunks"]} == \
        {k: page["stats"][k] for k in ("articles", "chunks")}
    bad = httpx.get(f"{api}/v1/articles", params={"offset": -1})
    assert bad.status_code == 422 and "query.offset: " in bad.json()["error"]["message"]

    async def mcp() -> list[Any]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            return [await client.call_tool("list_articles", {"limit": 3, "offset": 3}),
                    await client.call_tool("list_articles", {"query": "storm", "offset": 1})]

    last, past = anyio.run(mcp)
    data = json.loads(last.content[0].text)
    assert [a["id"] for a in data["articles"]] == seen[3:] and data["next_offset"] is None and data["total"] == 4
    assert json.loads(past.content[0].text) | {"articles": []} == {
        "articles": [], "total": 1, "offset": 1, "next_offset": None}


def test_delete_speaks_rest_not_the_cli(api: str, rag: RAG, tmp_path: Path) -> None:
    missing = httpx.delete(f"{api}/v1/articles/ffffffffffff").json()["error"]["message"]
    assert "GET /v1/articles lists them" in missing and "rag list" not in missing, missing
    ambiguous = httpx.delete(f"{api}/v1/articles/%20").json()["error"]["message"]
    assert "rag list" not in ambiguous
    # one source of two goes alone; the note named `rag remove ID`, a command a REST client cannot run
    copy = next(s for a in rag.collection.db.list_articles(None, 10) for s in a.sources if s.endswith("storm-copy.txt"))
    r = httpx.delete(f"{api}/v1/articles/{copy}")
    aid = r.json()["removed"]
    assert r.status_code == 200 and f"DELETE /v1/articles/{aid} removes it" in r.json()["note"], r.text
    assert "rag remove" not in r.json()["note"]
    assert httpx.get(f"{api}/v1/articles/{aid}").status_code == 200  # the article stays


# --- a stream that fails half way ------------------------------------------------------------------

class FailingMidStream(RAG):
    """A RAG whose answer breaks after its first claim, as a bug in a store or model adapter would."""

    def stream(self, question: str, **options: Any) -> Iterator[Any]:  # noqa: ANN401
        yield "Ferries to the Isles of Scilly were cancelled [1]. "
        raise RuntimeError("the vector store went away")


def test_a_stream_that_fails_unexpectedly_ends_with_an_error_the_client_reads(rag: RAG) -> None:
    broken = FailingMidStream(rag.settings, collection=rag.collection, llm=None)
    with Running(create_app(broken, api_key="")) as srv:
        c = openai.OpenAI(base_url=f"{srv.url}/v1", api_key="unused", max_retries=0, timeout=60)
        stream = c.chat.completions.create(model="newuser2", messages=[{"role": "user", "content": STORM}],
                                           stream=True)
        got: list[str] = []
        # before: the connection was cut, and httpx raised "peer closed connection" naming nothing
        with pytest.raises(openai.APIError) as info:
            for chunk in stream:
                got += [chunk.choices[0].delta.content or ""] if chunk.choices else []
        assert "internal error (RuntimeError)" in info.value.message
        assert "went away" not in info.value.message  # the detail is for the server log
        assert "".join(got).startswith("Ferries")


# --- MCP server info -------------------------------------------------------------------------------

def test_mcp_server_names_its_version_and_its_tools_only_read(rag: RAG) -> None:
    async def main() -> tuple[Any, list[Any]]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            return client.server_info, (await client.list_tools()).tools

    info, tools = anyio.run(main)
    from importlib.metadata import version

    assert info.name == "rag" and info.version == version("rag-articles")  # was ""
    assert {t.name for t in tools} == {"search_articles", "ask", "list_articles", "get_article"}
    assert all(t.annotations.read_only_hint and not t.annotations.open_world_hint for t in tools)


# --- ready lines in a log --------------------------------------------------------------------------

def _first_line(args: list[str], home: Path) -> str:
    """The first line a ``rag`` server prints (on stderr: stdout is for results) when piped to a log."""
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", *args], cwd=ROOT, env=_env(home, COLUMNS="80"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        return proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(10)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_ready_lines_give_whole_urls(tmp_path: Path) -> None:
    # piped to a log, rich wrapped the line at 80 columns, inside the schema URL's line
    port = free_port()
    line = _first_line(["serve", "--port", str(port)], tmp_path)
    assert f"http://127.0.0.1:{port}/v1" in line and f"http://127.0.0.1:{port}/openapi.json" in line, line
    if _ipv6_loopback():  # printed as http://::1:PORT/mcp: no client reads a port from that
        port = free_port()
        line = _first_line(["mcp", "--http", "--host", "::1", "--port", str(port)], tmp_path)
        assert f"http://[::1]:{port}/mcp" in line, line
