"""``rag mcp``: the real server process, driven by the official MCP SDK client over stdio and HTTP.

The data directory is filled the way a user does it (``rag ingest`` in a subprocess), then the
server is spawned with ``RAG_HOME`` pointing at it and every tool is called.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import ROOT, SEEDS

pytestmark = [pytest.mark.slow, pytest.mark.integration]

SEED = SEEDS / "000_2ee66f902f40f20f.txt"


def _env(home: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "XDG_CACHE_HOME", "HF_HOME")}
    return keep | {"RAG_HOME": str(home), "RAG_COLLECTION": "mcptest", "HF_HUB_OFFLINE": "1",
                   "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT)} | extra


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("mcphome")
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(SEED)], cwd=ROOT, env=_env(home),
                   check=True, capture_output=True, timeout=300)
    return home


def _data(result: Any) -> dict[str, Any]:  # noqa: ANN401
    assert not result.is_error, result.content
    text = json.loads(result.content[0].text)
    assert result.structured_content == text  # structured and text content agree
    return text


async def _exercise(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert {"search_articles", "ask", "list_articles", "get_article"} <= set(tools)
    assert "filters" in tools["search_articles"].input_schema["properties"]

    found = _data(await client.call_tool("search_articles", {"query": "Khansir", "top_k": 2}))
    top = found["passages"][0]
    assert "Khansir" in top["quote"] and top["published"] == "2024-12-01" and top["title"] and top["source"]

    empty = _data(await client.call_tool("search_articles", {"query": "Khansir", "filters": {"since": "2030-01-01"}}))
    assert empty["passages"] == []
    bad = await client.call_tool("search_articles", {"query": "Khansir", "filters": {"since": "soon"}})
    assert bad.is_error and "filters.since: " in bad.content[0].text and "YYYY-MM-DD" in bad.content[0].text
    typo = await client.call_tool("search_articles", {"query": "Khansir", "filter": {"since": "2030-01-01"}})
    assert typo.is_error and "'filter'" in typo.content[0].text  # not a search of everything

    answer = _data(await client.call_tool("ask", {"question": "Which town did the rebels capture south of Aleppo?"}))
    assert "Khansir" in answer["answer"] and not answer["refused"]
    cite = answer["citations"][0]
    assert {"title", "source", "date", "quote"} <= set(cite) and f"[{cite['n']}]" in answer["answer"]

    dated = _data(await client.call_tool("ask", {"question": "Which town did the rebels capture on Sunday?",
                                                  "as_of": "2024-12-03"}))
    assert dated["time_window"]["start"] == "2024-12-01" and "Khansir" in dated["answer"]
    assert "as_of" in tools["ask"].input_schema["properties"]

    arts = _data(await client.call_tool("list_articles", {}))["articles"]
    assert len(arts) == 1
    assert _data(await client.call_tool("list_articles", {"query": "no such title"}))["articles"] == []
    art = _data(await client.call_tool("get_article", {"id": arts[0]["id"]}))
    assert art["text"][cite["start"]:cite["end"]] == cite["quote"]  # the quote is the article's own text

    missing = await client.call_tool("get_article", {"id": "ffffffffffff"})
    assert missing.is_error and "list_articles" in missing.content[0].text

    blank = await client.call_tool("ask", {"question": "  "})
    assert blank.is_error and "question" in blank.content[0].text and "empty" in blank.content[0].text
    swapped = await client.call_tool("ask", {"question": "Khansir?", "filters": {"since": "2024-12-05",
                                                                                 "until": "2024-12-01"}})
    assert swapped.is_error and "is after until" in swapped.content[0].text


def test_every_tool_over_stdio(home: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "rag.mcp_server"], env=_env(home), cwd=ROOT)

    async def main() -> None:
        async with Client(params, read_timeout_seconds=120) as client:
            await _exercise(client)

    anyio.run(main)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _mcp_http(home: Path, **env: str) -> Iterator[tuple[str, int]]:
    """``rag mcp --http`` on a free 127.0.0.1 port, up and answering; stopped afterwards."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "mcp", "--http", "--port", str(port)], cwd=ROOT,
                            env=_env(home, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.1)
        yield url, port
    finally:
        proc.terminate()
        proc.wait(10)


def _search_over_http(url: str, headers: dict[str, str]) -> None:
    """The official client's streamable HTTP transport finds the seed's Khansir passage."""
    async def main() -> None:
        http = httpx2.AsyncClient(headers=headers, timeout=120)
        async with http, Client(streamable_http_client(url, http_client=http), read_timeout_seconds=120) as client:
            found = _data(await client.call_tool("search_articles", {"query": "Khansir"}))
            assert "Khansir" in found["passages"][0]["quote"]

    anyio.run(main)


def test_rag_mcp_command_over_http_with_a_key(home: Path) -> None:
    key = "mcp-key-0123456789"
    with _mcp_http(home, RAG_API_KEY=key) as (url, _):
        r = httpx.post(url, json={})
        assert r.status_code == 401 and key not in r.text
        _search_over_http(url, {"authorization": f"Bearer {key}"})


def test_keyless_http_serves_local_clients_and_refuses_other_sites(home: Path) -> None:
    with _mcp_http(home) as (url, port):
        r = httpx.post(url, json={}, headers={"origin": "http://evil.example"})
        assert r.status_code == 403 and "another site" in r.text
        assert httpx.post(url, json={}, headers={"host": f"rebound.example:{port}"}).status_code == 403
        _search_over_http(url, {})


def test_http_refuses_a_public_address_without_a_key(home: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "rag.cli", "mcp", "--http", "--host", "0.0.0.0"], cwd=ROOT,
                         env=_env(home), capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "RAG_API_KEY" in res.stderr
