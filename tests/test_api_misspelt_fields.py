"""A new user's API defects: a misspelt extension field of the chat, and a numeric ``as_of``.

1. ``/v1/chat/completions`` took ``"asof": "2022-12-23"`` with a 200, answered as of today (a refusal about
   the wrong period), while ``/v1/ask`` and MCP's ``ask`` refused the typo. Now a top-level field that is
   neither OpenAI's nor ours but looks like one of ours misspelt (``asof``, ``as-of``, ``asOf``, ``topk``,
   ``filter``, ...) is the 422 of any bad field, naming it and the field meant; every field of OpenAI's chat
   API is still accepted, and any other unknown field is ignored, as documented, and named in the
   ``x-rag-ignored-fields`` response header.
2. ``"as_of": 20221212`` (a JSON number) was refused in pydantic's words about Unix times ("Datetimes provided
   to dates should have zero time"), and ``1671753600`` was taken, silently, as 2022-12-23. Now every surface
   that takes ``as_of`` (REST /v1/ask, /v1/search, /v1/chat/completions, MCP ``ask``, ``search_articles``)
   says it must be a date string "YYYY-MM-DD", with the value received; so do the filters' dates.

Real servers (uvicorn on 127.0.0.1) driven by the official ``openai`` client, httpx and the MCP SDK's
client over streamable HTTP, over a few hand-made articles and the hash embedder (``tests.test_api_newuser15``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from rag.api import RAG
from rag.http_api import create_app
from rag.mcp_server import http_app
from tests.fakes import dump_rag
from tests.test_api_newuser15 import _client, _mcp
from tests.test_serve import Running

pytestmark = [pytest.mark.integration]

MODEL = "misspelt"
QUESTION = "How much snow fell in Buffalo?"
AS_OF = "2022-12-23"
RECORDS = [  # (url, date, title, text)
    ("https://news.example/buffalo-blizzard", "2022-12-22", "Blizzard heads for Buffalo",
     "Forecasters said more than four feet of snow could fall in Buffalo this weekend. "
     "The governor declared a state of emergency on Thursday."),
    ("https://news.example/qatar-final", "2022-12-18", "Argentina win the World Cup",
     "Argentina beat France on penalties in the World Cup final in Qatar on Sunday."),
]
MESSAGES = [{"role": "user", "content": QUESTION}]


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RAG]:
    yield from dump_rag(tmp_path_factory.mktemp("misspelt"), RECORDS, MODEL)


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def mcp_url(rag: RAG) -> Iterator[str]:
    with Running(http_app(rag=rag)) as srv:
        yield f"{srv.url}/mcp"


def _chat(api: str, **body: Any) -> httpx.Response:  # noqa: ANN401
    return httpx.post(f"{api}/v1/chat/completions", json={"model": MODEL, "messages": MESSAGES} | body, timeout=60)


def _invalid(r: httpx.Response) -> dict[str, Any]:
    """The error of a 422 in the envelope every bad field of this API gets."""
    assert r.status_code == 422, r.text
    body = r.json()
    err = body["error"]
    assert (err["type"], err["code"]) == ("invalid_request_error", "invalid_request"), err
    assert err["message"].startswith("invalid request: body."), err
    assert isinstance(body["detail"], list) and body["detail"], body
    return body


# --- 1. a misspelt extension field of the chat is a 422 naming it and the field meant ------------------------

MISSPELT = [("asof", "as_of"), ("as-of", "as_of"), ("asOf", "as_of"), ("AS_OF", "as_of"), ("as_off", "as_of"),
            ("topk", "top_k"), ("top-k", "top_k"), ("topK", "top_k"), ("filter", "filters"), ("fliters", "filters"),
            ("ofline", "offline"), ("as_of_date", "as_of")]
VALUES = {"as_of": AS_OF, "top_k": 2, "filters": {"sources": ["buffalo"]}, "offline": True}


@pytest.mark.parametrize(("field", "meant"), MISSPELT)
@pytest.mark.parametrize("stream", [False, True])
def test_a_misspelt_extension_field_is_a_422_saying_which_field_was_meant(
        api: str, field: str, meant: str, stream: bool) -> None:
    """As the user's curl sent it, and as the official SDK sends it (``extra_body``), streamed or not."""
    body = _invalid(_chat(api, stream=stream, **{field: VALUES[meant]}))
    err = body["error"]
    assert err["message"].startswith(f"invalid request: body.{field}: unknown field {field!r}: "
                                     f"did you mean {meant!r}?"), err
    assert body["detail"] == [{"type": "extra_forbidden", "loc": ["body", field],
                               "msg": f"unknown field {field!r}: did you mean {meant!r}?"}], body
    assert err["fix"] == f"rename {field!r} to {meant!r}", err
    with pytest.raises(openai.UnprocessableEntityError) as bad:
        _client(api).chat.completions.create(model=MODEL, messages=MESSAGES, stream=stream,
                                             extra_body={field: VALUES[meant]})
    assert bad.value.body["message"] == err["message"], bad.value.body


def test_the_user_s_request_says_as_of_instead_of_answering_as_of_today(api: str) -> None:
    err = _invalid(_chat(api, asof=AS_OF))["error"]
    assert "body.asof: unknown field 'asof': did you mean 'as_of'?" in err["message"], err
    assert "top_k, filters, offline, as_of" in err["message"], err  # the fields this server adds to OpenAI's
    # and the field spelt right is read: the question is answered as of that day
    resp = _client(api).chat.completions.create(model=MODEL, messages=MESSAGES, extra_body={"as_of": AS_OF})
    assert resp.model_extra["rag"]["as_of"] == AS_OF
    assert "four feet" in resp.choices[0].message.content


@pytest.mark.parametrize(("field", "meant"), [("since", "filters.since"), ("until", "filters.until"),
                                              ("sources", "filters.sources")])
def test_a_filter_sent_beside_filters_is_a_422_saying_to_send_it_inside(api: str, field: str, meant: str) -> None:
    value = ["buffalo"] if field == "sources" else "2022-12-01"
    err = _invalid(_chat(api, **{field: value}))["error"]
    assert f"body.{field}: unknown field {field!r}: did you mean {meant!r}?" in err["message"], err
    assert err["fix"] == f'send it inside filters: {{"filters": {{"{meant.split(".")[1]}": ...}}}}', err


def test_extra_body_sent_as_a_field_is_a_422_saying_to_send_its_fields_at_the_top(api: str) -> None:
    """A curl user copying an SDK example: the SDK merges ``extra_body`` into the body; sent as is, its
    ``as_of`` was ignored."""
    err = _invalid(_chat(api, extra_body={"as_of": AS_OF}))["error"]
    assert err["message"].startswith("invalid request: body.extra_body: unknown field 'extra_body' (with 'as_of')"), err
    assert "top level" in err["fix"], err


def test_several_misspelt_fields_are_all_named(api: str) -> None:
    body = _invalid(_chat(api, asof=AS_OF, topk=3))
    assert [d["loc"] for d in body["detail"]] == [["body", "asof"], ["body", "topk"]], body
    assert "did you mean 'as_of'?" in body["error"]["message"] and "did you mean 'top_k'?" in body["error"]["message"]


OPENAI_FIELDS: dict[str, Any] = {  # every request field of OpenAI's chat API, sent as the SDK sends them
    "user": "user-1", "seed": 7, "stream_options": None, "logprobs": False, "top_logprobs": None,
    "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    "tool_choice": "auto", "parallel_tool_calls": False, "response_format": {"type": "text"},
    "metadata": {"app": "test"}, "store": False, "max_completion_tokens": 200, "max_tokens": 200,
    "service_tier": "auto", "n": 1, "stop": ["\n\n\n"], "logit_bias": {"50256": -100}, "modalities": ["text"],
    "prediction": {"type": "content", "content": "Buffalo"}, "audio": None, "reasoning_effort": "low",
    "web_search_options": {}, "temperature": 0.2, "top_p": 1, "presence_penalty": 0, "frequency_penalty": 0,
    "prompt_cache_key": "k", "safety_identifier": "s", "verbosity": "low",
}


@pytest.mark.parametrize("stream", [False, True])
def test_every_openai_field_is_still_accepted_and_none_is_named_ignored(api: str, stream: bool) -> None:
    fields = OPENAI_FIELDS | ({"stream_options": {"include_usage": True}} if stream else {})
    raw = _chat(api, stream=stream, as_of=AS_OF, **{k: v for k, v in fields.items() if v is not None})
    assert raw.status_code == 200, raw.text
    assert "x-rag-ignored-fields" not in raw.headers, raw.headers
    out = _client(api).chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, stream=stream, extra_body={"as_of": AS_OF},
        **{k: v for k, v in fields.items() if v is not None})
    assert out.http_response.status_code == 200 and "x-rag-ignored-fields" not in out.headers
    parsed = out.parse()
    text = "".join(c.choices[0].delta.content or "" for c in parsed if c.choices) if stream \
        else parsed.choices[0].message.content
    assert "four feet" in text


@pytest.mark.parametrize("stream", [False, True])
def test_other_unknown_fields_are_ignored_as_documented_and_named_in_a_header(api: str, stream: bool) -> None:
    """Fields of other OpenAI-compatible servers (vLLM's ``repetition_penalty``, OpenRouter's ``top_a``),
    near none of ours, are answered as before; the response says they were not read."""
    extra = {"repetition_penalty": 1.1, "top_a": 0.5, "files": [], "options": {"num_ctx": 2048}}
    r = _chat(api, stream=stream, as_of=AS_OF, **extra)
    assert r.status_code == 200, r.text
    assert r.headers["x-rag-ignored-fields"] == "repetition_penalty, top_a, files, options", r.headers
    assert "four feet" in r.text


def test_the_ignored_fields_header_echoes_no_odd_name(api: str) -> None:
    r = _chat(api, as_of=AS_OF, **{"x\r\nset-cookie: a=b": 1, "vendor_flag": True})
    assert r.status_code == 200, r.text
    assert r.headers["x-rag-ignored-fields"] == "vendor_flag, (+1 more)" and "set-cookie" not in r.headers


def test_ask_s_unknown_field_names_the_field_meant_too(api: str) -> None:
    body = _invalid(httpx.post(f"{api}/v1/ask", json={"question": QUESTION, "asof": AS_OF}, timeout=60))
    assert body["error"]["message"].startswith("invalid request: body.asof: unknown field 'asof': did you mean "
                                               "'as_of'? (body takes question, top_k,"), body
    assert body["detail"][0]["type"] == "extra_forbidden"


def test_mcp_names_the_argument_meant(mcp_url: str) -> None:
    result = _mcp(mcp_url, "ask", {"question": QUESTION, "asof": AS_OF})
    assert result.is_error
    assert result.content[0].text == ("ask does not take 'asof' (did you mean 'as_of'?); its arguments are question, "
                                      "filters, as_of, top_k"), result.content
    result = _mcp(mcp_url, "search_articles", {"query": "snow", "since": "2022-12-01"})
    assert result.is_error and "'since' (did you mean 'filters.since'?)" in result.content[0].text, result.content


# --- 2. a numeric as_of says to send a date string, with the value received -------------------------------

NUMBERS = [(20221212, '(e.g. "2022-12-12"), got the number 20221212'),
           (1671753600, '(e.g. "2022-12-23", the day of the Unix time 1671753600), got the number 1671753600'),
           (0, '(e.g. "2024-12-03"), got the number 0'),
           (2022.5, '(e.g. "2024-12-03"), got the number 2022.5'),
           (True, '(e.g. "2024-12-03"), got the boolean true'),
           ("20221212", '(e.g. "2022-12-12"), got the string "20221212"')]


def _date_said(got: str) -> str:
    return f'must be a date string "YYYY-MM-DD" {got}'


@pytest.mark.parametrize(("value", "got"), NUMBERS)
@pytest.mark.parametrize(("route", "body"), [("ask", {"question": QUESTION}), ("search", {"query": "snow"}),
                                             ("chat/completions", {"model": MODEL, "messages": MESSAGES})])
def test_a_numeric_as_of_is_a_422_saying_to_send_a_date_string(
        api: str, route: str, body: dict[str, Any], value: Any, got: str) -> None:  # noqa: ANN401
    err = _invalid(httpx.post(f"{api}/v1/{route}", json=body | {"as_of": value}, timeout=60))["error"]
    assert err["message"] == f"invalid request: body.as_of: {_date_said(got)}", err
    assert "Datetimes" not in err["message"]


def test_a_numeric_as_of_through_the_openai_client_says_the_same(api: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as bad:
        _client(api).chat.completions.create(model=MODEL, messages=MESSAGES, extra_body={"as_of": 20221212})
    assert bad.value.body["message"] == ('invalid request: body.as_of: must be a date string "YYYY-MM-DD" '
                                         '(e.g. "2022-12-12"), got the number 20221212'), bad.value.body


@pytest.mark.parametrize("field", ["since", "until"])
def test_a_numeric_filter_date_says_the_same(api: str, field: str) -> None:
    err = _invalid(httpx.post(f"{api}/v1/search", json={"query": "snow", "filters": {field: 20221212}},
                              timeout=60))["error"]
    said = _date_said('(e.g. "2022-12-12"), got the number 20221212')
    assert err["message"] == f"invalid request: body.filters.{field}: {said}", err


@pytest.mark.parametrize("tool", ["ask", "search_articles"])
@pytest.mark.parametrize(("value", "got"), NUMBERS[:2])
def test_mcp_a_numeric_as_of_is_a_tool_error_saying_to_send_a_date_string(
        mcp_url: str, tool: str, value: Any, got: str) -> None:  # noqa: ANN401
    args = {"question": QUESTION} if tool == "ask" else {"query": "snow"}
    result = _mcp(mcp_url, tool, args | {"as_of": value})
    assert result.is_error, result.content
    assert result.content[0].text == f"invalid arguments for {tool}: as_of: {_date_said(got)}", result.content


def test_mcp_a_numeric_filter_date_says_the_same(mcp_url: str) -> None:
    result = _mcp(mcp_url, "search_articles", {"query": "snow", "filters": {"until": 20221212}})
    assert result.is_error, result.content
    assert result.content[0].text == ("invalid arguments for search_articles: filters.until: "
                                      + _date_said('(e.g. "2022-12-12"), got the number 20221212')), result.content


def test_a_date_string_as_of_is_still_read_everywhere(api: str, mcp_url: str) -> None:
    asked = httpx.post(f"{api}/v1/ask", json={"question": QUESTION, "as_of": AS_OF}, timeout=60).json()
    assert asked["as_of"] == AS_OF and "four feet" in asked["answer"], asked
    found = httpx.post(f"{api}/v1/search", json={"query": "snow", "as_of": AS_OF, "filters": {"until": AS_OF}},
                       timeout=60)
    assert found.status_code == 200 and found.json()["passages"], found.text
    result = _mcp(mcp_url, "ask", {"question": QUESTION, "as_of": AS_OF})
    assert not result.is_error and result.structured_content["as_of"] == AS_OF, result.content
