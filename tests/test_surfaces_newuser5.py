"""What new user #5 found on the REST API, MCP and the notices they share (report D5, D6, D9, D14):

- D5: the fetch guard's refusal of a loopback URL told a REST (and UI) user to "set
  RAG_ALLOW_PRIVATE_URLS=1", an environment variable of a server they do not run. The library names
  the setting for no surface; REST says it is the server's and gives the item a ``code``.
- D6: "No article matches the filters (source 'reuter') ... sources include <three article URLs of one
  outlet>": it lists the outlets (hosts) and folders, which one can type as a source.
- D9: DELETE of one of an article's two sources answered ``{"removed": <article id>, "note": ...}``: a
  client checking ``removed`` thought the article gone. ``article_kept`` and ``removed_source`` say it.
- D14: a refused CORS preflight was a text/plain 400, not the JSON envelope of every other error; the
  OpenAI chat ``usage`` was all zeros for the offline answerer; MCP ``search_articles`` named a whole
  passage ``quote``.

Real servers (uvicorn on 127.0.0.1, the official ``openai`` client, the MCP SDK's client in memory),
over small hand-made articles and the hash embedder: the plumbing and the words are checked.
"""

from __future__ import annotations

import json
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
from rag.types import Filters
from tests.fakes import HashEmbedder
from tests.test_serve import Running

pytestmark = [pytest.mark.integration]

QUESTION = "Who watched the Mauna Loa eruption?"
RECORDS = [  # one outlet twice, as the newest articles: the old notice listed only its URLs
    ("https://www.cnn.com/2022/12/02/us/mauna-loa-fissure/index.html", "2022-12-02", "Mauna Loa fissure stays active",
     "Fissure three on the northeast rift of Mauna Loa stayed active on Friday, scientists said. It fed the main "
     "lava flow heading north, and gas emissions remained high near the vent."),
    ("https://www.cnn.com/2022/12/01/us/mauna-loa-crowds/index.html", "2022-12-01", "Mauna Loa draws crowds",
     "Thousands of visitors drove to watch the Mauna Loa eruption on Thursday, causing long traffic jams. Park "
     "rangers asked people to stay on the marked roads near the lava."),
    ("https://www.usatoday.com/story/news/nation/2022/11/30/mauna-loa-lava/1/", "2022-11-30", "Lava nears highway",
     "Lava from Mauna Loa crept toward the Daniel K. Inouye Highway on Wednesday, officials said. The flow slowed "
     "as it reached flatter ground, and residents watched from the road."),
    ("https://www.theweek.co.uk/news/world-news/958/mauna-loa", "2022-11-29", "Mauna Loa erupts",
     "Mauna Loa, the largest active volcano in the world, began erupting on Sunday night for the first time in "
     "38 years, officials said. Lava stayed inside the summit caldera at first."),
]
LOCAL = {  # a folder of local files: named by the folder
    "bbc/harbour.txt": "date 2022-11-20 Harbour reopens in Kelso\n\nThe harbour of Kelso reopened on Monday after "
                       "two weeks of repairs to the quay, the council said.\n",
    "bbc/market.txt": "date 2022-11-21 Market opens in Lunden\n\nThe new covered market of Lunden opened on Sunday "
                      "with forty stalls and a bakery.\n",
}


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RAG]:
    root = tmp_path_factory.mktemp("newuser5")
    dump = root / "news.jsonl"
    dump.write_text("".join(json.dumps({"url": u, "date": d, "title": t, "text": x}) + "\n"
                            for u, d, t, x in RECORDS), encoding="utf-8")
    for name, text in LOCAL.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    settings = Settings(home=root / "home", collection="newuser5")  # private URLs refused, as by default
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(dump), str(root / "bbc")]).count("added") == 6
    yield RAG(settings, collection=coll, llm=None)
    coll.close()


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[str]:
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


def _mcp(rag: RAG, name: str, args: dict[str, Any]) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            result = await client.call_tool(name, args)
            assert not result.is_error, result.content
            return result.structured_content

    return anyio.run(main)


# --- D6: a source filter that matches nothing names the outlets, not three article URLs -------------

def _named(notice: str) -> list[str]:
    assert "; sources include " in notice, notice
    return notice.split("; sources include ", 1)[1].rstrip(".").split(", ")


def test_a_source_that_matches_nothing_lists_outlets_and_folders_one_can_type(rag: RAG) -> None:
    [notice] = rag.ask(QUESTION, filters=Filters(sources=("reuter",))).notices
    assert notice.startswith("No article matches the filters (source 'reuter'); 6 articles are stored; ")
    named = _named(notice)
    assert named[0] == "cnn.com"  # most articles first
    assert sorted(named) == ["bbc/", "cnn.com", "theweek.co.uk", "usatoday.com"]
    assert "https://" not in notice and "www." not in notice and ".txt" not in notice
    for name in named:  # each is a source filter that finds articles
        assert rag.collection.db.filter_article_ids([name]), name


def test_rest_and_mcp_search_give_the_same_outlets(rag: RAG, api: str) -> None:
    body = {"query": "Mauna Loa", "filters": {"sources": ["reuter"]}}
    [rest] = httpx.post(f"{api}/v1/search", json=body, timeout=60).json()["notices"]
    [mcp] = _mcp(rag, "search_articles", {"query": "Mauna Loa", "filters": {"sources": ["reuter"]}})["notices"]
    assert rest == mcp and sorted(_named(rest)) == ["bbc/", "cnn.com", "theweek.co.uk", "usatoday.com"]


# --- D5: a private address is refused in words for no surface; REST says whose setting it is ---------

def test_rest_says_a_private_address_is_the_server_s_setting_with_a_code(api: str) -> None:
    from index.fetch import PRIVATE_OFF

    r = httpx.post(f"{api}/v1/articles", json={"urls": ["http://127.0.0.1:9/story"]}, timeout=60)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert item["status"] == "failed" and item["code"] == "private_address", item
    assert item["reason"].startswith("refusing to fetch 127.0.0.1: it is a loopback address, and " + PRIVATE_OFF)
    assert "whoever runs the server can turn it on" in item["reason"]
    assert "set RAG_ALLOW_PRIVATE_URLS" not in item["reason"]  # a client cannot set the server's environment
    good = httpx.post(f"{api}/v1/articles", json={"urls": ["ftp://example.org/x"]}, timeout=60).json()["items"][0]
    assert "code" not in good  # only the guard's refusal has the code


# --- D14: a refused CORS preflight is the JSON envelope --------------------------------------------

def test_a_preflight_from_another_site_is_refused_in_the_json_envelope(rag: RAG, api: str) -> None:
    preflight = {"origin": "https://evil.example", "access-control-request-method": "POST"}
    for url in (f"{api}/v1/ask", f"{api}/healthz"):
        r = httpx.options(url, headers=preflight)
        assert r.status_code == 400 and r.headers["content-type"] == "application/json", r.text
        err = r.json()["error"]
        assert err["code"] == "cors_refused" and err["type"] == "invalid_request_error"
        assert "'https://evil.example'" in err["message"] and "localhost, 127.0.0.1 and [::1]" in err["message"]
        assert "access-control-allow-origin" not in r.headers and "Origin" in r.headers["vary"]
    method = httpx.options(f"{api}/v1/ask", headers={"origin": "http://127.0.0.1:5173",
                                                     "access-control-request-method": "PUT"})
    assert method.status_code == 400 and "the method 'PUT'" in method.json()["error"]["message"]
    ok = httpx.options(f"{api}/v1/ask", headers=preflight | {"origin": "http://127.0.0.1:5173"})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
    with Running(http_app(rag=rag)) as srv:  # MCP over HTTP shares the CORS layer
        r = httpx.options(f"{srv.url}/mcp", headers=preflight)
        assert r.status_code == 400 and r.json()["error"]["code"] == "cors_refused"


# --- D14: the OpenAI chat usage of an offline answer is estimated, not zeros -------------------------

def test_chat_usage_of_the_offline_answer_is_an_estimate_marked_so(api: str) -> None:
    from index.tokens import count_tokens

    c = openai.OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0, timeout=60)
    messages = [{"role": "user", "content": QUESTION}]
    resp = c.chat.completions.create(model="newuser5", messages=messages)
    content = resp.choices[0].message.content
    assert resp.model_extra["rag"]["answerer"] == "extractive"
    usage = resp.usage
    assert usage.completion_tokens == count_tokens(content) > 0
    assert usage.prompt_tokens == count_tokens(QUESTION) + 4 + 3  # as rag.llm estimates a prompt
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.model_extra["estimated"] is True
    chunks = list(c.chat.completions.create(model="newuser5", messages=messages, stream=True))
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == usage.total_tokens
    assert chunks[-1].usage.model_extra["estimated"] is True


# --- D14: a search passage's text is `text`; MCP keeps `quote` for older clients ---------------------

def test_search_passages_carry_their_text_as_text(rag: RAG, api: str) -> None:
    [mcp] = _mcp(rag, "search_articles", {"query": "Mauna Loa traffic jams", "top_k": 1})["passages"]
    assert "traffic jams" in mcp["text"] and mcp["quote"] == mcp["text"]
    assert rag.collection.db.article_text(mcp["article_id"])[mcp["start"]:mcp["end"]] == mcp["text"]
    [rest] = httpx.post(f"{api}/v1/search", json={"query": "Mauna Loa traffic jams", "top_k": 1}).json()["passages"]
    assert rest["text"] == mcp["text"] and "quote" not in rest


# --- D9: DELETE of one of two sources says the article stays, in fields -----------------------------

@pytest.fixture
def upload_api(tmp_path: Path) -> Iterator[str]:
    settings = Settings(home=tmp_path / "home", collection="deletes")
    coll = Collection.open(settings, embedder=HashEmbedder())
    try:
        with Running(create_app(RAG(settings, collection=coll, llm=None), api_key="")) as srv:
            yield srv.url
    finally:
        coll.close()


def test_deleting_one_of_two_sources_says_the_article_stays_in_fields(upload_api: str) -> None:
    text = b"Kelso bridge reopens\n\nThe Kelso harbour bridge reopened on Monday after three months of repairs.\n"
    rep = httpx.post(f"{upload_api}/v1/articles", timeout=60,
                     files=[("files", ("one.txt", text, "text/plain")), ("files", ("two.txt", text, "text/plain"))])
    assert [i["status"] for i in rep.json()["items"]] == ["added", "duplicate"], rep.text
    aid = rep.json()["items"][0]["article_id"]
    alone = httpx.delete(f"{upload_api}/v1/articles/uploads/two.txt").json()
    assert alone["removed"] == aid and alone["article_kept"] is True  # the keys it had stay
    assert alone["removed_source"] == "uploads/two.txt" and alone["kept_sources"] == ["uploads/one.txt"]
    assert alone["note"].startswith("this source only: the article stays")
    assert httpx.get(f"{upload_api}/v1/articles/{aid}").status_code == 200
    last = httpx.delete(f"{upload_api}/v1/articles/uploads/one.txt").json()
    assert last == {"removed": aid, "article_kept": False}
    assert httpx.get(f"{upload_api}/v1/articles/{aid}").status_code == 404


def test_each_surface_says_how_to_allow_a_private_address() -> None:
    from index.fetch import PRIVATE_OFF
    from index.types import ItemResult
    from rag.cli.ingest import ingest_reason
    from ui.render import item_reason

    refused = ItemResult("http://127.0.0.1/x", "failed", reason=f"refusing to fetch 127.0.0.1: {PRIVATE_OFF}",
                         code="private_address")
    assert "set RAG_ALLOW_PRIVATE_URLS=1" in ingest_reason(refused)
    page = item_reason(refused)
    assert page is not None and "server this page runs on" in page and "set RAG_ALLOW_PRIVATE_URLS=1" not in page
