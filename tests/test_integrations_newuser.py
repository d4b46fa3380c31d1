"""The integrations as a new user meets them: the MCP server through the SDK's own client, the REST
API through the ``openai`` client and httpx on 127.0.0.1, the LlamaIndex retriever written the way the
LlamaIndex docs write an index's (``similarity_top_k``, ``as_query_engine(filters=...)``).

Over four small dated articles with the hash embedder: what is checked is the plumbing (arguments
reaching retrieval, errors naming the field and the fix), not the ranking.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx
import openai
import pytest
from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters
from mcp import Client

from index.collection import Collection
from rag.api import RAG
from rag.errors import ConfigError, InputError
from rag.http_api import create_app
from rag.integrations.llamaindex import ArticleRetriever
from rag.mcp_server import build_server
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.test_llamaindex import RecordingLLM, write_articles
from tests.test_serve import Running

AS_OF = date(2024, 3, 8)  # the week after the Cornwall storm (2024-03-05)
STORM = "Which ferries were cancelled last week?"


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> RAG:
    home = tmp_path_factory.mktemp("newuser")
    settings = Settings(home=home / "home", collection="newuser")
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(write_articles(home / "articles"))]).count("added") == 4
    return RAG(settings, collection=coll, llm=None)


# --- MCP -----------------------------------------------------------------------------------------

def _mcp(rag: RAG, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """The tools as listed, and each call's result, through the SDK client (JSON-RPC, in memory)."""
    async def main() -> tuple[list[Any], list[Any]]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            tools = (await client.list_tools()).tools
            return tools, [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(main)


def test_mcp_refuses_an_argument_a_tool_does_not_take(rag: RAG) -> None:
    # a misspelt `filters` was dropped: the search ran over everything while the agent believed it narrowed
    tools, (typo, extra) = _mcp(rag, [("search_articles", {"query": "storm", "filter": {"sources": ["storm"]}}),
                                      ("ask", {"question": STORM, "history": []})])
    assert typo.is_error and "'filter'" in typo.content[0].text and "filters" in typo.content[0].text
    assert extra.is_error and "'history'" in extra.content[0].text and "question" in extra.content[0].text
    assert all(t.input_schema["additionalProperties"] is False for t in tools)


def test_mcp_search_takes_as_of_and_ask_takes_top_k_like_rest(rag: RAG) -> None:
    tools, (found, answer) = _mcp(rag, [("search_articles", {"query": STORM, "as_of": AS_OF.isoformat(), "top_k": 3}),
                                        ("ask", {"question": STORM, "as_of": AS_OF.isoformat(), "top_k": 1})])
    schema = {t.name: t.input_schema["properties"] for t in tools}
    assert "as_of" in schema["search_articles"] and "top_k" in schema["ask"]
    assert not found.is_error and not answer.is_error
    passages = json.loads(found.content[0].text)["passages"]
    assert [(p["article_id"], p["start"]) for p in passages] == \
        [(p.article_id, p.start) for p in rag.search(STORM, top_k=3, as_of=AS_OF)]
    cited = json.loads(answer.content[0].text)["citations"]
    assert cited and {c["n"] for c in cited} == {1}  # one passage to answer from


@pytest.mark.parametrize(("tool", "args", "field", "fix"), [
    ("search_articles", {"query": "storm", "filters": {"sources": "storm"}}, "filters.sources", '["reuters"]'),
    ("search_articles", {"query": "storm", "filters": {"source": ["storm"]}}, "filters.source",
     "sources, since, until, article_ids"),
    ("search_articles", {"query": "storm", "top_k": 1000}, "top_k", "from 1 to 50"),
    ("ask", {"question": STORM, "as_of": "08/03/2024"}, "as_of", "YYYY-MM-DD"),
    ("get_article", {}, "id", "list_articles"),
])
def test_mcp_a_wrong_value_names_the_field_and_the_fix(rag: RAG, tool: str, args: dict, field: str,
                                                       fix: str) -> None:
    _, (result,) = _mcp(rag, [(tool, args)])
    text = result.content[0].text
    assert result.is_error and f"{field}: " in text and fix in text, text
    assert "errors.pydantic.dev" not in text


# --- REST ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


def test_rest_ask_history_takes_chat_messages_as_the_python_api_does(api: str) -> None:
    pairs = [["Which ferries were cancelled?", "Ferries to the Isles of Scilly."]]
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": pairs[0][0]}, {"role": "assistant", "content": pairs[0][1]}]
    by_pairs = httpx.post(f"{api}/v1/ask", json={"question": "Who was rescued?", "history": pairs}, timeout=60)
    by_messages = httpx.post(f"{api}/v1/ask", json={"question": "Who was rescued?", "history": messages}, timeout=60)
    assert by_pairs.status_code == by_messages.status_code == 200, by_messages.text
    a, b = by_pairs.json(), by_messages.json()
    assert (a["answer"], a["search_query"], a["citations"]) == (b["answer"], b["search_query"], b["citations"])
    assert a["search_query"] != "Who was rescued?"  # the history was read


@pytest.mark.parametrize(("route", "body", "field", "fix"), [
    ("search", {"query": "storm", "filters": {"sources": "storm"}}, "body.filters.sources", '["reuters"]'),
    ("search", {"query": "storm", "as_of": "yesterday"}, "body.as_of", "YYYY-MM-DD"),
    ("search", {"query": "storm", "topk": 3}, "body.topk", "query, top_k, filters, as_of"),
    ("ask", {"question": "x", "history": "none"}, "body.history", '{"role": "user"'),
    ("articles", {"urls": "https://example.org/a"}, "urls", '["https://example.org/story.html"]'),
])
def test_rest_a_wrong_value_names_the_field_and_the_fix(api: str, route: str, body: dict, field: str,
                                                        fix: str) -> None:
    r = httpx.post(f"{api}/v1/{route}", json=body, timeout=60)
    message = r.json()["error"]["message"]
    assert r.status_code == 422 and f"{field}: " in message and fix in message, message


def test_openai_client_sees_the_fix_for_a_bad_extension_field(api: str) -> None:
    c = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)
    with pytest.raises(openai.UnprocessableEntityError) as info:
        c.chat.completions.create(model="newuser", messages=[{"role": "user", "content": STORM}],
                                  extra_body={"as_of": "last week"})
    assert "as_of" in info.value.message and "YYYY-MM-DD" in info.value.message


def test_an_openai_api_this_server_lacks_says_which_one_it_speaks(api: str) -> None:
    c = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)
    for call in (lambda: c.responses.create(model="newuser", input=STORM),  # the SDK's newer API
                 lambda: c.embeddings.create(model="newuser", input=STORM)):
        with pytest.raises(openai.NotFoundError) as info:
            call()
        assert "POST /v1/chat/completions" in info.value.message
    wrong = httpx.put(f"{api}/v1/ask", json={"question": STORM}, timeout=60)
    assert wrong.status_code == 405 and "send POST" in wrong.json()["error"]["message"]


# --- LlamaIndex ----------------------------------------------------------------------------------

def _ids(nodes: list[Any]) -> list[str]:
    return [n.node.node_id for n in nodes]


def test_retriever_reads_time_words_against_as_of(rag: RAG) -> None:
    retriever = ArticleRetriever(rag, top_k=3, as_of=AS_OF.isoformat())
    expected = [p.chunk_id for p in rag.search(STORM, top_k=3, as_of=AS_OF)]
    assert _ids(retriever.retrieve(STORM)) == expected
    assert _ids(anyio.run(retriever.aretrieve, STORM)) == expected
    with pytest.raises(InputError, match="as_of"):
        ArticleRetriever(rag, as_of="08/03/2024")


def test_retriever_takes_llamaindex_s_own_argument_names(rag: RAG) -> None:
    assert len(ArticleRetriever(rag, similarity_top_k=2).retrieve("storm ferries tram")) == 2
    with pytest.raises(ConfigError, match="top_k='5'.*int"):
        ArticleRetriever(rag, top_k="5")  # type: ignore[arg-type]

    llm = RecordingLLM(reply=lambda prompt: "Ferries to the Isles of Scilly.")
    # as an index's: index.as_query_engine(llm=..., similarity_top_k=..., filters=...)
    engine = ArticleRetriever(rag).as_query_engine(
        llm=llm, similarity_top_k=1, filters=MetadataFilters(filters=[MetadataFilter(key="source", value="storm")]))
    nodes = engine.query(STORM).source_nodes
    assert len(nodes) == 1 and nodes[0].node.metadata["title"] == "Storm batters Cornwall"
    chat = ArticleRetriever(rag).as_chat_engine(llm=llm, chat_mode="condense_plus_context", as_of=AS_OF)
    assert chat.chat(STORM).response == "Ferries to the Isles of Scilly."
    with pytest.raises(ConfigError, match="chat_mode='context'"):
        ArticleRetriever(rag).as_chat_engine(llm=llm, chat_mode="context")
    with pytest.raises(ConfigError, match="pass a LlamaIndex LLM explicitly"):
        ArticleRetriever(rag).as_query_engine()


# --- an empty collection -------------------------------------------------------------------------

def test_searching_an_empty_collection_says_so(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", collection="empty")
    empty = RAG(settings, collection=Collection.open(settings, embedder=HashEmbedder()), llm=None)
    _, (found,) = _mcp(empty, [("search_articles", {"query": "storm"})])
    data = json.loads(found.content[0].text)
    assert data["passages"] == [] and "collection is empty" in data["notices"][0]  # not a query to rephrase
    with Running(create_app(empty, api_key="")) as srv:
        r = httpx.post(f"{srv.url}/v1/search", json={"query": "storm"}, timeout=60)
    assert r.json()["passages"] == [] and "POST /v1/articles" in r.json()["notices"][0]
