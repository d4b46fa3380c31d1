"""An article's author reaches every place a citation is shown: `rag ask` (text and ``--json``),
`rag list`, the chat UI's source cards, REST ``/v1/ask`` and ``/v1/search``, and the MCP tools.

Two articles are ingested as a user does it (`rag ingest`): an HTML page whose author is in
``<meta name="author">`` and a JSON-lines dump record whose author holds HTML and rich markup,
which must show as text everywhere (escaped for the page, never read as markup by the terminal).
The real collection: embedded Chroma and the bundled model (offline), the extractive answerer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

import index.collection
from index.collection import Collection
from rag.api import RAG
from rag.cli import app
from rag.settings import Settings
from rag.types import Citation, Passage

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the bundled model, embedded Chroma

BRIDGE_AUTHOR = "Jane Doe"
FERRY_AUTHOR = "<b>Bold</b> [red]Red[/red]"  # HTML and rich markup: text, never markup
BRIDGE_Q = "When did the harbour bridge in Townville reopen?"
FERRY_Q = "When did the ferry strike in Portside end?"

BRIDGE_HTML = f"""<!doctype html>
<html><head><title>Harbour bridge reopens in Townville</title>
<meta name="author" content="{BRIDGE_AUTHOR}">
<meta property="article:published_time" content="2024-11-05T09:00:00Z">
</head><body><article><h1>Harbour bridge reopens in Townville</h1>
<p>The harbour bridge in Townville reopened on Monday after six weeks of repairs, the mayor said.</p>
<p>Traffic on the coast road returned to normal by the evening, and the ferry service that had replaced
the bridge was stopped.</p>
<p>Engineers replaced the cables and repainted the deck during the closure.</p>
</article></body></html>
"""
FERRY_RECORD = {
    "title": "Ferry strike ends in Portside", "author": FERRY_AUTHOR, "date": "2024-11-06",
    "url": "https://example.org/ferry-strike",
    "text": "The ferry strike in Portside ended on Tuesday after the union accepted a new pay offer. Crews "
            "returned to work the same afternoon and the first boat left at four. The harbour master said "
            "timetables would be normal by Thursday.",
}


@dataclass
class Authored:
    settings: Settings
    runner: CliRunner

    def rag(self, embedder: Any) -> RAG:  # noqa: ANN401 - the session's LocalEmbedder
        return RAG(self.settings, collection=Collection.open(self.settings, embedder=embedder), llm=None)

    def cli(self, *args: str) -> Any:  # noqa: ANN401 - click Result
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def authored(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_embedder: Any) -> Authored:
    for key, value in (("RAG_HOME", str(settings.home)), ("RAG_COLLECTION", settings.collection),
                       ("RAG_ANSWERER", "extractive"), ("COLUMNS", "250")):
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: real_embedder)
    page = tmp_path / "bridge.html"
    page.write_text(BRIDGE_HTML, encoding="utf-8")
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(FERRY_RECORD) + "\n", encoding="utf-8")
    done = Authored(settings, CliRunner())
    done.cli("ingest", str(page), str(dump))
    return done


def test_old_constructors_still_work() -> None:
    """``author`` comes last with a default: positional Passage/Citation calls are unchanged."""
    p = Passage(1, "a:0", "a", "T", "s", None, 1.0, "text", 0, 4)
    c = Citation(1, "a", "T", "s", None, "text", 0, 4)
    assert p.author is None and c.author is None and c.also_in == ()


def test_rag_ask_names_the_author_of_each_citation(authored: Authored) -> None:
    r = authored.cli("ask", "--offline", BRIDGE_Q)
    assert "[1] Harbour bridge reopens in Townville (2024-11-05) " in r.stdout
    assert f" · {BRIDGE_AUTHOR}" in r.stdout
    r = authored.cli("ask", "--offline", FERRY_Q)
    # rich markup in an author is printed as it is, not read as a colour ("Red" alone would be)
    assert f"https://example.org/ferry-strike · {FERRY_AUTHOR}" in r.stdout


def test_rag_ask_json_has_the_author_on_citations_and_passages(authored: Authored) -> None:
    answer = json.loads(authored.cli("ask", "--offline", "--json", BRIDGE_Q).stdout)
    assert answer["citations"] and all(c["author"] == BRIDGE_AUTHOR for c in answer["citations"])
    by_title = {p["title"]: p["author"] for p in answer["passages"]}
    assert by_title["Harbour bridge reopens in Townville"] == BRIDGE_AUTHOR
    answer = json.loads(authored.cli("ask", "--offline", "--json", FERRY_Q).stdout)
    assert answer["citations"][0]["author"] == FERRY_AUTHOR  # JSON carries the data as it is


def test_rag_list_shows_the_authors(authored: Authored) -> None:
    out = authored.cli("list").stdout
    assert "author" in out
    rows = {line.split("│")[3].strip(): line for line in out.splitlines() if line.count("│") > 4}
    assert BRIDGE_AUTHOR in rows["Harbour bridge reopens in Townville"]
    assert FERRY_AUTHOR in rows["Ferry strike ends in Portside"]  # the markup as text


def test_ui_source_cards_show_the_author_escaped(authored: Authored, real_embedder: Any) -> None:
    from ui.render import sources_html

    rag = authored.rag(real_embedder)
    page = sources_html(rag.ask(BRIDGE_Q, offline=True))
    assert f" · {BRIDGE_AUTHOR}</div>" in page
    page = sources_html(rag.ask(FERRY_Q, offline=True))
    assert " · &lt;b&gt;Bold&lt;/b&gt; [red]Red[/red]" in page
    assert "<b>Bold</b>" not in page


def test_rest_ask_and_search_return_the_author(authored: Authored, real_embedder: Any) -> None:
    from fastapi.testclient import TestClient

    from rag.http_api import create_app

    with TestClient(create_app(authored.rag(real_embedder), api_key=""), base_url="http://127.0.0.1") as client:
        r = client.post("/v1/ask", json={"question": FERRY_Q})
        assert r.status_code == 200, r.text
        assert r.json()["citations"][0]["author"] == FERRY_AUTHOR
        r = client.post("/v1/search", json={"query": "harbour bridge Townville", "top_k": 2})
        assert r.status_code == 200, r.text
        authors = {p["title"]: p["author"] for p in r.json()["passages"]}
        assert authors["Harbour bridge reopens in Townville"] == BRIDGE_AUTHOR


def test_mcp_search_and_ask_return_the_author(authored: Authored, real_embedder: Any) -> None:
    from mcp import Client

    from rag.mcp_server import build_server

    server = build_server(rag=authored.rag(real_embedder))

    async def call() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Client(server) as client:
            found = await client.call_tool("search_articles", {"query": "harbour bridge Townville", "top_k": 2})
            asked = await client.call_tool("ask", {"question": FERRY_Q})
        assert not found.is_error and not asked.is_error, (found.content, asked.content)
        return json.loads(found.content[0].text), json.loads(asked.content[0].text)

    found, asked = anyio.run(call)
    authors = {p["title"]: p["author"] for p in found["passages"]}
    assert authors["Harbour bridge reopens in Townville"] == BRIDGE_AUTHOR
    assert asked["citations"][0]["author"] == FERRY_AUTHOR


def test_brief_and_the_week_digest_cite_the_author(authored: Authored, real_embedder: Any) -> None:
    """The two catch-up paths build their own citations: a topic's brief and "what happened" digest."""
    from datetime import date

    from rag.brief import brief, digest

    rag = authored.rag(real_embedder)
    told = brief(rag, "ferry strike Portside", since=date(2024, 11, 1), until=date(2024, 11, 30))
    assert told.events and told.events[0].citation.author == FERRY_AUTHOR
    week = digest(rag, since=date(2024, 11, 1), until=date(2024, 11, 30))
    authors = {e.citation.title: e.citation.author for e in week.events}
    assert authors == {"Harbour bridge reopens in Townville": BRIDGE_AUTHOR, "Ferry strike ends in Portside": FERRY_AUTHOR}
    assert all(e.passages[0].author == e.citation.author for e in week.events)


def test_rag_list_keeps_whole_dates_and_ids_at_80_columns(authored: Authored, monkeypatch: pytest.MonkeyPatch) -> None:
    # a new user's `rag list` at 80 columns, with the author column shown, read "2005-03-…"
    import rag.cli.output

    monkeypatch.setattr(rag.cli.output.out, "_width", 80)
    out = authored.cli("list").stdout
    assert "2024-11-05" in out and "2024-11-0…" not in out
    assert all(len(line) <= 80 for line in out.splitlines())
