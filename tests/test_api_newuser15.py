"""What new user #15 found on the REST API and the MCP server (report defects D9 and D10):

- D9: a ``since`` after ``until`` was a 422 ``invalid_request``, while the README documents a 400
  ``invalid_input`` (as ``published_from`` after ``published_to`` is in the library); the chat's
  ``temperature="hot"`` and MCP's ``top_k: "3"`` were accepted, though numbers are strict; an
  unknown role (``"wizard"``) or an image-only question was answered "the last message must be a
  non-empty user message", which named neither mistake.
- D10: a streamed chat with ``stream_options.include_usage`` got no last chunk with empty
  ``choices`` and the ``usage``, as OpenAI sends (the finish chunk keeps its usage, as before).

Real servers (uvicorn on 127.0.0.1) driven by the official ``openai`` client, httpx and the MCP SDK's
client over streamable HTTP, over a few hand-made articles and the hash embedder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import httpx2
import openai
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from rag.api import RAG
from rag.http_api import create_app
from rag.mcp_server import http_app
from tests.fakes import dump_rag
from tests.test_serve import Running

pytestmark = [pytest.mark.integration]

MODEL = "newuser15"
QUESTION = "How much snow fell in Buffalo?"
RECORDS = [  # (url, date, title, text)
    ("https://news.example/buffalo-snow", "2022-11-19", "Buffalo buried in snow",
     "More than six feet of snow fell in Buffalo over the weekend, the weather service said. "
     "Two people died while shovelling snow."),
    ("https://news.example/qatar-opening", "2022-11-20", "World Cup opens in Qatar",
     "Ecuador beat Qatar 2-0 in the opening match of the World Cup on Sunday."),
]


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RAG]:
    yield from dump_rag(tmp_path_factory.mktemp("newuser15"), RECORDS, MODEL)


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def mcp_url(rag: RAG) -> Iterator[str]:
    with Running(http_app(rag=rag)) as srv:
        yield f"{srv.url}/mcp"


def _client(api: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)


def _mcp(url: str, name: str, args: dict[str, Any]) -> Any:  # noqa: ANN401 - the tool result
    async def main() -> Any:  # noqa: ANN401
        http = httpx2.AsyncClient(timeout=60)
        async with http, Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as client:
            return await client.call_tool(name, args)

    return anyio.run(main)


# --- D9: a since after until is the documented 400 invalid_input ------------------------------------

SWAPPED = {"since": "2022-11-20", "until": "2022-11-01"}


@pytest.mark.parametrize(("route", "body"), [("ask", {"question": QUESTION}), ("search", {"query": "snow"})])
def test_a_since_after_until_is_a_400_invalid_input_saying_so(api: str, route: str, body: dict[str, Any]) -> None:
    r = httpx.post(f"{api}/v1/{route}", json=body | {"filters": SWAPPED}, timeout=60)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert (err["code"], err["type"]) == ("invalid_input", "invalid_request_error"), err
    assert err["message"] == ("filters: since 2022-11-20 is after until 2022-11-01: no article can match; "
                              "swap them"), err


def test_a_since_after_until_in_a_chat_is_the_same_400(api: str) -> None:
    with pytest.raises(openai.BadRequestError, match="since 2022-11-20 is after until 2022-11-01") as bad:
        _client(api).chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}],
                                             extra_body={"filters": SWAPPED})
    assert bad.value.code == "invalid_input"


def test_other_bad_filters_stay_a_422_naming_the_field(api: str) -> None:
    r = httpx.post(f"{api}/v1/search", json={"query": "snow", "filters": {"since": "2022-11-20", "until": "soon"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
    assert "filters.until" in r.json()["error"]["message"]


# --- D9: numbers are strict in the chat's sampling parameters and in MCP ----------------------------

@pytest.mark.parametrize(("param", "value"), [("temperature", "hot"), ("top_p", "0.9"), ("temperature", True),
                                              ("presence_penalty", [0]), ("frequency_penalty", "0")])
def test_a_chat_sampling_parameter_that_is_no_number_is_a_422_naming_it(
        api: str, param: str, value: Any) -> None:  # noqa: ANN401
    with pytest.raises(openai.UnprocessableEntityError) as bad:
        _client(api).chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}],
                                             **{param: value})
    err = bad.value.body
    assert err["code"] == "invalid_request", err
    assert err["message"].startswith(f"invalid request: body.{param}: "), err
    assert "number" in err["message"] and "e.g." in err["message"] and "leave it out" in err["message"], err


def test_chat_sampling_numbers_are_still_accepted(api: str) -> None:
    resp = _client(api).chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}],
                                                temperature=1, top_p=0.5, presence_penalty=-1.5, frequency_penalty=None)
    assert "six feet" in resp.choices[0].message.content


@pytest.mark.parametrize(("tool", "args"), [
    ("search_articles", {"query": "snow", "top_k": "3"}),
    ("ask", {"question": QUESTION, "top_k": "2"}),
    ("list_articles", {"limit": "5"}),
])
def test_mcp_numbers_sent_as_strings_are_a_tool_error_naming_the_field(mcp_url: str, tool: str,
                                                                       args: dict[str, Any]) -> None:
    result = _mcp(mcp_url, tool, args)
    assert result.is_error, result.content
    text = result.content[0].text
    field = next(k for k in args if k in ("top_k", "limit"))
    assert text.startswith(f"invalid arguments for {tool}: {field}: Input should be a valid integer"), text
    assert "send a whole number" in text, text


def test_mcp_numbers_sent_as_numbers_still_work(mcp_url: str) -> None:
    result = _mcp(mcp_url, "search_articles", {"query": "snow in Buffalo", "top_k": 1})
    assert not result.is_error, result.content
    assert len(result.structured_content["passages"]) == 1


# --- D9: an unknown role and an image-only question are named as what they are ----------------------

def test_an_unknown_role_is_named(api: str) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        _client(api).chat.completions.create(model=MODEL, messages=[{"role": "wizard", "content": "hi"}])
    err = bad.value.body
    assert err["code"] == "invalid_input", err
    assert err["message"] == "messages[0].role: unknown role 'wizard': use system, user or assistant", err


def test_an_image_only_question_says_only_text_is_supported(api: str) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://news.example/snow.jpg"}}
    with pytest.raises(openai.BadRequestError) as bad:
        _client(api).chat.completions.create(model=MODEL, messages=[
            {"role": "system", "content": "Be brief."}, {"role": "user", "content": [image]}])
    err = bad.value.body
    assert err["code"] == "invalid_input", err
    assert err["message"].startswith("messages[1].content: content parts other than text are not supported "
                                     "(got image_url)"), err
    assert "as text" in err["message"], err
    # the known roles OpenAI clients send are still taken (a developer or tool message is left out)
    resp = _client(api).chat.completions.create(model=MODEL, messages=[
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": QUESTION}]}])
    assert "six feet" in resp.choices[0].message.content


# --- D10: stream_options.include_usage sends OpenAI's last chunk with empty choices -----------------

def _chunks(api: str, **extra: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": QUESTION}]} | extra
    with httpx.stream("POST", f"{api}/v1/chat/completions", json=body, timeout=60) as r:
        assert r.status_code == 200
        lines = [line.removeprefix("data: ") for line in r.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


def test_include_usage_adds_a_last_chunk_with_empty_choices_and_the_usage(api: str) -> None:
    chunks = _chunks(api, stream_options={"include_usage": True})
    last, finish = chunks[-1], chunks[-2]
    assert last["choices"] == [] and last["usage"]["total_tokens"] > 0, last
    assert finish["choices"][0]["finish_reason"] == "stop" and finish["usage"] == last["usage"]  # kept, as before
    assert all("usage" in c and c["usage"] is None for c in chunks[:-2]), chunks  # OpenAI: null on the others
    streamed = list(_client(api).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": QUESTION}], stream=True,
        stream_options={"include_usage": True}))
    assert streamed[-1].choices == [] and streamed[-1].usage.total_tokens == last["usage"]["total_tokens"]


def test_without_include_usage_no_empty_choices_chunk_is_sent(api: str) -> None:
    for extra in ({}, {"stream_options": {"include_usage": False}}):
        chunks = _chunks(api, **extra)
        assert all(c["choices"] for c in chunks), chunks
        assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["usage"]["total_tokens"] > 0
