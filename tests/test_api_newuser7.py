"""What new user #7 found on the agent-facing surfaces (report defects 7 and 12):

- 7: the README says REST ``filters.since`` takes a date, a period or a question's time words
  ("last week"), as ``rag ask --since`` does; ``/v1/search`` answered ``"last week"`` with a 422 "neither
  a date nor a period". REST, the OpenAI-compatible chat and MCP now read ``since`` with the CLI's
  parser (``rag.brief.parse_since``) against the request's ``as_of``; a value it cannot read is a
  422 naming ``filters.since`` and the three forms (MCP: a tool error).
- 12: MCP ``ask`` returned only answer, refused, citations, notices and time_window; it now carries
  ``/v1/ask``'s short_answer (+ span), confidence, unsupported_claims, as_of and passages, same names
  and shapes. The chat completion's ``rag`` block carries ``as_of`` and ``time_window``.

Real servers (uvicorn on 127.0.0.1 through httpx and the official ``openai`` client; the MCP SDK's
own client in memory) over a few dated, hand-made articles and the hash embedder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import anyio
import httpx
import openai
import pytest
from mcp import Client

from rag.api import RAG
from rag.brief import parse_since
from rag.cli.ask import since_date
from rag.http_api import create_app
from rag.mcp_server import ASK_FIELDS, build_server
from tests.fakes import dump_rag
from tests.test_serve import Running

pytestmark = [pytest.mark.integration]

AS_OF = "2022-08-18"  # a Thursday: "last week" is Monday 8 .. Sunday 14 August
TITLE = "Walton group <b>completes</b> Broncos purchase [2] $(echo hi)"  # article text, shown as sent
RECORDS = [  # (url, date, title, text)
    ("https://news.example/broncos-sale", "2022-08-09", TITLE,
     "NFL owners unanimously approved the sale of the Denver Broncos to the Walton-Penner ownership group on "
     "Tuesday. Rob Walton paid 4.65 billion dollars for the Broncos, the highest price ever paid for a team."),
    ("https://news.example/broncos-president", "2022-08-11", "Broncos name a new team president",
     "The Denver Broncos named Damani Leech as the new team president on Thursday. Leech worked for the NFL "
     "for sixteen years before joining the Broncos."),
    ("https://news.example/swings", "2022-08-16", "Baby swings recalled",
     "About two million MamaRoo baby swings were recalled on Tuesday after a child died, the safety agency said. "
     "Owners should stop using the swings at once."),
    ("https://news.example/broncos-agreed", "2022-06-08", "Broncos sale agreed",
     "The Denver Broncos agreed to be sold to a group led by Rob Walton, pending approval by the league owners. "
     "The price was a record for a North American sports team."),
    ("https://news.example/broncos-coach", "2022-01-27", "Broncos hire a head coach",
     "The Denver Broncos hired Nathaniel Hackett as their head coach on Thursday, ending a two-week search."),
]
#: the articles (by date) published on or after each day the phrases below read as, against AS_OF
BY_DATE = {r[1]: r[2] for r in RECORDS}


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RAG]:
    yield from dump_rag(tmp_path_factory.mktemp("newuser7"), RECORDS, "newuser7")


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


def _post(api: str, route: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{api}/v1/{route}", json=body, timeout=60)


def _search(api: str, filters: dict[str, Any], **extra: Any) -> httpx.Response:  # noqa: ANN401
    return _post(api, "search", {"query": "Denver Broncos", "top_k": 20, "filters": filters} | extra)


def _mcp(rag: RAG, name: str, args: dict[str, Any]) -> Any:  # noqa: ANN401 - the tool result
    async def main() -> Any:  # noqa: ANN401
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            return await client.call_tool(name, args)

    return anyio.run(main)


def _mcp_data(rag: RAG, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = _mcp(rag, name, args)
    assert not result.is_error, result.content
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


# --- defect 7: filters.since takes what `rag ask --since` takes --------------------------------------

@pytest.mark.parametrize(("since", "first"), [
    ("last week", "2022-08-08"), ("Last  Week ", "2022-08-08"), ("yesterday", "2022-08-17"),
    ("since March", "2022-03-01"), ("this month", "2022-08-01"), ("7d", "2022-08-12"), ("2022-06-01", "2022-06-01"),
])
def test_rest_search_reads_since_as_the_cli_does_against_as_of(api: str, since: str, first: str) -> None:
    assert since_date(since, date.fromisoformat(AS_OF)) == date.fromisoformat(first)  # what `rag ask --since` reads
    r = _search(api, {"since": since}, as_of=AS_OF)
    assert r.status_code == 200, r.text
    got = {p["published"] for p in r.json()["passages"]}
    assert got == {d for d in BY_DATE if d >= first}, (since, got)
    # the same passages as the day it stands for, sent as a date
    assert r.json()["passages"] == _search(api, {"since": first}, as_of=AS_OF).json()["passages"]


def test_rest_search_reported_by_the_user_last_week_without_as_of_counts_from_today(api: str) -> None:
    r = _search(api, {"since": "last week"})  # the report's request: every article is from 2022
    assert r.status_code == 200, r.text
    assert r.json()["passages"] == [] and r.json()["notices"][0].startswith("No article matches the filters (")
    today = _search(api, {"since": str(parse_since("last week", date.today()))}).json()
    assert r.json() == today


def test_rest_ask_reads_time_words_in_since(api: str) -> None:
    q = "Who is the new team president of the Denver Broncos?"
    got = _post(api, "ask", {"question": q, "as_of": AS_OF, "filters": {"since": "last week"}})
    assert got.status_code == 200, got.text
    body = got.json()
    assert "Damani Leech" in body["answer"] and not body["refused"], body
    assert body["as_of"] == AS_OF
    assert body["passages"] and all(p["published"] >= "2022-08-08" for p in body["passages"])
    dated = _post(api, "ask", {"question": q, "as_of": AS_OF, "filters": {"since": "2022-08-08"}}).json()
    assert body["answer"] == dated["answer"] and body["citations"] == dated["citations"]


@pytest.mark.parametrize("since", ["soon", "next week", "1/12/2024", "2022-13-45"])
def test_a_since_nothing_reads_is_a_422_naming_the_field_and_the_three_forms(api: str, since: str) -> None:
    for route, body in (("search", {"query": "Broncos"}), ("ask", {"question": "Who bought the Broncos?"})):
        r = _post(api, route, body | {"as_of": AS_OF, "filters": {"since": since}})
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "invalid_request" and err["type"] == "invalid_request_error", err
        assert err["message"].startswith(f"invalid request: body.filters.since: {since!r} is neither "), err
        for form in ("a date (YYYY-MM-DD)", "a period (7d, 2w, 3m, 1y)", "a question's time words (\"last week\""):
            assert form in err["message"], err
        assert f"read against as_of {AS_OF}" in err["message"]
        assert r.json()["detail"] == [{"type": "value_error", "loc": ["body", "filters", "since"],
                                       "msg": err["message"].split("body.filters.since: ", 1)[1]}]
    r = _post(api, "search", {"query": "Broncos", "filters": {"since": "soon"}})  # no as_of: today's
    assert r.status_code == 422 and f"read against today ({date.today()})" in r.json()["error"]["message"]


def test_time_words_after_until_say_where_they_counted_back_from(api: str) -> None:
    r = _search(api, {"since": "last week", "until": "2022-08-01"}, as_of=AS_OF)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input", r.text
    assert "last week counts back from 2022-08-18 to 2022-08-08, after until 2022-08-01" in r.json()["error"]["message"]


def test_chat_completions_filters_read_since_alike_and_refuse_what_nothing_reads(api: str) -> None:
    c = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)
    messages = [{"role": "user", "content": "Who bought the Denver Broncos?"}]
    resp = c.chat.completions.create(model="newuser7", messages=messages,
                                     extra_body={"as_of": AS_OF, "filters": {"since": "last week"}})
    assert resp.model_extra["passages"] and all(p["published"] >= "2022-08-08" for p in resp.model_extra["passages"])
    with pytest.raises(openai.UnprocessableEntityError) as bad:
        c.chat.completions.create(model="newuser7", messages=messages,
                                  extra_body={"as_of": AS_OF, "filters": {"since": "soon"}})
    assert "body.filters.since: 'soon' is neither a date (YYYY-MM-DD)" in bad.value.body["message"]


def test_mcp_filters_read_since_alike(rag: RAG, api: str) -> None:
    args = {"query": "Denver Broncos", "top_k": 20, "as_of": AS_OF, "filters": {"since": "last week"}}
    found = _mcp_data(rag, "search_articles", args)["passages"]
    rest = _search(api, {"since": "last week"}, as_of=AS_OF).json()["passages"]
    assert [p["chunk_id"] for p in rest] and [(p["article_id"], p["text"]) for p in found] == \
        [(p["article_id"], p["text"]) for p in rest]
    answered = _mcp_data(rag, "ask", {"question": "Who is the new team president of the Denver Broncos?",
                                      "as_of": AS_OF, "filters": {"since": "last week"}})
    assert "Damani Leech" in answered["answer"]
    for tool, key in (("search_articles", "query"), ("ask", "question")):
        bad = _mcp(rag, tool, {key: "Broncos", "as_of": AS_OF, "filters": {"since": "soon"}})
        assert bad.is_error, bad.content
        text = bad.content[0].text
        assert text.startswith(f"invalid arguments for {tool}: filters.since: 'soon' is neither a date (YYYY-MM-DD) "
                               "nor a period (7d, 2w, 3m, 1y) nor a question's time words"), text
    # a since counted back past until: the library's words reach the agent (it read "Error executing tool")
    late = _mcp(rag, "search_articles", {"query": "Broncos", "as_of": AS_OF,
                                         "filters": {"since": "last week", "until": "2022-08-01"}})
    assert late.is_error and "last week counts back from 2022-08-18 to 2022-08-08, after until 2022-08-01" in \
        late.content[0].text, late.content


# --- defect 12: MCP ask and the chat completion's rag block carry /v1/ask's fields --------------------

QUESTION = "Who paid 4.65 billion dollars for the Denver Broncos?"


def test_mcp_ask_carries_v1_ask_s_fields_in_the_same_shapes(rag: RAG, api: str) -> None:
    args = {"question": QUESTION, "as_of": AS_OF}
    mcp = _mcp_data(rag, "ask", args)
    rest = _post(api, "ask", args).json()
    assert {"answer", "refused", "citations", "notices", "time_window"} <= set(mcp)  # as before
    assert set(ASK_FIELDS) == {"short_answer", "short_answer_span", "confidence", "unsupported_claims", "as_of",
                               "passages"} and set(ASK_FIELDS) <= set(mcp)
    for k in (*ASK_FIELDS, "answer", "refused", "time_window"):
        assert mcp[k] == rest[k], k
    assert mcp["as_of"] == AS_OF and isinstance(mcp["confidence"], float) and mcp["unsupported_claims"] == []
    assert mcp["short_answer"] and mcp["short_answer"] in mcp["answer"]
    start, end = mcp["short_answer_span"]
    text = rag.collection.db.article_text(mcp["citations"][0]["article_id"])
    assert text[start:end] == mcp["short_answer"]
    top = mcp["passages"][0]
    assert set(top) == set(rest["passages"][0]) and "sentences" not in top and "quote" not in top
    assert text[top["start"]:top["end"]] == top["text"]
    # article text stays as written: JSON is not HTML
    assert top["title"] == TITLE and mcp["citations"][0]["title"] == TITLE
    assert "&lt;" not in json.dumps(mcp)
    # an answer without a time window or short answer has them as null, not missing
    plain = _mcp_data(rag, "ask", {"question": "What did Kyiv's mayor say about the harvest?"})
    assert plain["short_answer"] is None and plain["short_answer_span"] is None and plain["as_of"] == str(date.today())


def test_chat_completion_rag_block_says_how_the_question_s_time_words_were_read(api: str) -> None:
    c = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)
    q = "Which NFL team was sold this week?"
    messages = [{"role": "user", "content": q}]
    ask = _post(api, "ask", {"question": q, "as_of": AS_OF}).json()
    assert ask["time_window"]["start"] == "2022-08-15"  # this week, against AS_OF
    resp = c.chat.completions.create(model="newuser7", messages=messages, extra_body={"as_of": AS_OF})
    block = resp.model_extra["rag"]
    assert {"refused", "answerer", "search_query", "notices", "timings_ms", "dropped_markers"} <= set(block)  # as before
    assert block["as_of"] == ask["as_of"] == AS_OF and block["time_window"] == ask["time_window"]
    chunks = list(c.chat.completions.create(model="newuser7", messages=messages, stream=True,
                                            extra_body={"as_of": AS_OF}))
    final = chunks[-1].model_extra["rag"]
    assert final["as_of"] == AS_OF and final["time_window"] == ask["time_window"]
    timeless = c.chat.completions.create(model="newuser7", messages=[{"role": "user", "content": QUESTION}])
    assert timeless.model_extra["rag"]["as_of"] == str(date.today())
    assert "time_window" in timeless.model_extra["rag"] and timeless.model_extra["rag"]["time_window"] is None
