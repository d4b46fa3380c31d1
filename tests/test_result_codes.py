"""One result type, one code: why an ingested or removed item is what it is, in a word, and each
surface's own words for it.

- ``ItemResult`` carries ``code`` (``index.types.ResultCode``), ``said``, ``given`` and ``kept_by``;
  the fetch guard's refusal of a private address has its code from where it is raised
  (``InputError.code`` -> ``LoadFailure.code`` -> ``ItemResult.code``), not from its sentence; a
  watched feed's poll carries it too (``PollResult.code``: the feed, a child sitemap, or the feed a
  page advertises refused), and `rag watch` and the page each add their way on.
- Each surface words every result through one function over its own hints: the CLI
  (``ingest_reason``, ``CLI_HINTS``), REST (``rest_reason``, ``REST_HINTS``), the page
  (``item_reason``, ``PAGE_HINTS``).
- A message for callers not on the CLI names no CLI command as theirs: MCP's empty collection says
  the command is run where the server runs; REST and MCP say an embedder mismatch is the server's
  to mend.
- The chat's intro survives an unexpected failure to count the articles, saying so, escaped.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any, get_args

import anyio
import pytest

from index.collection import Collection
from index.fetch import PRIVATE_OFF
from index.types import ItemResult, LoadFailure, ResultCode
from rag.errors import EmbedderMismatchError, InputError
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.test_feeds import FeedSite, local_settings, rss, serve_news, site  # noqa: F401 - site: a fixture

REFUSED = f"refusing to fetch 127.0.0.1: it is a loopback address, and {PRIVATE_OFF}"


# --- the code is set where the refusal is made ----------------------------------------------------------

def test_the_fetch_guard_refuses_a_private_address_with_a_code(tmp_path: Path) -> None:
    from index.fetch import fetch_url
    from index.load import iter_articles

    settings = Settings(home=tmp_path / "home")
    with pytest.raises(InputError) as err:
        fetch_url("http://127.0.0.1:9/story", settings)
    assert err.value.code == "private_address" and PRIVATE_OFF in err.value.reason
    [failure] = list(iter_articles(["http://127.0.0.1:9/story"], settings))
    assert isinstance(failure, LoadFailure) and failure.code == "private_address"
    [other] = list(iter_articles([str(tmp_path / "missing.txt")], settings))
    assert isinstance(other, LoadFailure) and other.code is None


def test_an_ingest_item_refused_for_a_private_address_has_the_code(settings: Settings,
                                                                    fake_embedder: HashEmbedder) -> None:
    with Collection.open(settings, embedder=fake_embedder) as coll:
        [item] = coll.ingest(["http://127.0.0.1:9/story"]).items
    assert (item.status, item.code) == ("failed", "private_address")
    assert item.reason.startswith("refusing to fetch 127.0.0.1: it is a loopback address, and ")


def test_a_result_keeps_the_code_it_is_given_and_reads_none_from_its_words() -> None:
    # a watched feed's poll carries its code (index.watch.PollResult.code), which the UI's result keeps
    coded = ItemResult("http://127.0.0.1/feed", "failed", reason=REFUSED, code="private_address")
    assert coded.code == "private_address"
    assert ItemResult("http://127.0.0.1/feed", "failed", reason=REFUSED).code is None  # the sentence is not read
    assert ItemResult("a.txt", "failed", reason="does not exist").code is None
    assert ItemResult("a.txt", "failed", reason=REFUSED, code="shrunk").code == "shrunk"  # a code given stays


def test_the_fields_for_a_client_hide_a_url_s_password() -> None:
    r = ItemResult("https://ann:pw@example.org/a", "removed", "8b11", code="source_only",
                   kept_by=("https://ann:pw@example.org/b",), said="kept https://ann:pw@example.org/c",
                   given="https://ann:pw@example.org/a")
    assert "pw" not in repr((r.item, r.kept_by, r.said, r.given))


# --- each surface words every code through one function ---------------------------------------------------

SHRUNK = ItemResult("/n/a b.txt", "failed", "8b11", "A", reason="kept; `rag ...`", code="shrunk",
                    said="the stored version is kept", given="/n/d.jsonl")
PRIVATE = ItemResult("http://127.0.0.1/x", "failed", reason=REFUSED, code="private_address")
PRUNE = ItemResult("--prune", "failed", reason="skipped: the vector store failed", code="prune_skipped",
                   said="skipped: the vector store failed")
GONE = ItemResult("x", "failed", reason="no such article id or source", code="not_found")
SEVERAL = ItemResult("ab", "failed", reason="'ab' is the start of 2 article ids; give more of the id", code="ambiguous")
ALONE = ItemResult("a.txt", "removed", "8b11", reason="this source only: the article stays, also ingested from b.txt",
                   code="source_only", kept_by=("b.txt",))
PLAIN = ItemResult("a.txt", "failed", reason="does not exist")


def test_the_cli_words_every_code() -> None:
    from rag.cli.ingest import CLI_HINTS, ingest_reason

    assert set(CLI_HINTS) == set(get_args(ResultCode))  # a new code gets the CLI's words
    assert ingest_reason(SHRUNK) == ("the stored version is kept; to replace it anyway: `rag ingest --allow-shrink "
                                     "/n/d.jsonl`, or `rag remove '/n/a b.txt'` and ingest it again")
    assert ingest_reason(PRIVATE) == f"{REFUSED}; set RAG_ALLOW_PRIVATE_URLS=1 to fetch them"
    assert ingest_reason(PRUNE) == ("skipped: the vector store failed; run the same `rag ingest --prune` again once "
                                    "the vector store answers")
    assert ingest_reason(GONE) == "no such article id or source; see `rag list`"
    assert ingest_reason(SEVERAL) == f"{SEVERAL.reason}; `rag list` shows the whole ids"
    assert ingest_reason(ALONE) == f"{ALONE.reason}; `rag remove 8b11` removes it"
    assert ingest_reason(PLAIN) == "does not exist"
    assert ingest_reason(ItemResult("a.txt", "added", "8b11")) == ""


def test_rest_words_every_code() -> None:
    from rag.service import rest_reason

    assert rest_reason(SHRUNK) == ("the stored version is kept; to replace it anyway: DELETE /v1/articles/8b11, "
                                   "then send it again")
    assert rest_reason(PRIVATE) == (f"{REFUSED}; that setting is the server's: whoever runs the server can turn it "
                                    "on (RAG_ALLOW_PRIVATE_URLS=1)")
    assert rest_reason(PRUNE) == PRUNE.said
    assert rest_reason(GONE) == GONE.reason and rest_reason(SEVERAL) == SEVERAL.reason  # the 404 adds its call
    assert rest_reason(ALONE) == f"{ALONE.reason}; DELETE /v1/articles/8b11 removes it"
    assert rest_reason(PLAIN) == "does not exist" and rest_reason(ItemResult("a.txt", "added")) is None


def test_the_rest_report_keeps_its_shape_and_codes_only_the_private_address() -> None:
    from index.types import IngestReport
    from rag.service import report_dict

    items = report_dict(IngestReport((PRIVATE, SHRUNK, PLAIN), 0.1))["items"]
    json.dumps(items)
    assert [i.get("code") for i in items] == ["private_address", None, None]
    assert [set(i) - {"code"} for i in items] == [{"item", "status", "article_id", "title", "chunks", "reason"}] * 3


def test_the_page_words_every_code() -> None:
    from ui.render import ingest_html, item_reason

    assert item_reason(SHRUNK) == ("the stored version is kept; to replace it anyway, remove it with “Remove an "
                                   "article” and add it again")
    assert item_reason(PRIVATE) == (f"{REFUSED}; that is a setting of the server this page runs on: whoever started "
                                    "it can turn it on (RAG_ALLOW_PRIVATE_URLS=1, then restart it)")
    assert item_reason(PRUNE) == PRUNE.said and item_reason(PLAIN) == "does not exist"
    assert "rag " not in ingest_html([SHRUNK, PRIVATE])


def test_rag_watch_adds_its_way_on_to_a_poll_refused_for_a_private_address() -> None:
    from index.watch import PollResult
    from rag.cli.watch import _describe

    url = "http://127.0.0.1:9/feed.xml"
    line = _describe(PollResult(url, "failed", 1, 0, error=f"{url}: {REFUSED}", code="private_address"), once=True)
    assert line.count("set RAG_ALLOW_PRIVATE_URLS=1 to fetch them") == 1 and PRIVATE_OFF in line
    plain = _describe(PollResult(url, "failed", 1, 0, error=f"{url}: is a malformed feed"), once=True)
    assert "RAG_ALLOW_PRIVATE_URLS" not in plain


# --- a watched feed's poll carries the code, and each surface words it -------------------------------------

CLI_WAY = "set RAG_ALLOW_PRIVATE_URLS=1 to fetch them"
PAGE_WAY = "that is a setting of the server this page runs on"


@pytest.fixture
def guarded(site: FeedSite, tmp_path: Path, fake_embedder: HashEmbedder,  # noqa: F811
            monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: ANN401
    """A collection with private addresses refused (RAG_ALLOW_PRIVATE_URLS off), beside the served site."""
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "0")
    with Collection.open(local_settings(tmp_path, allow_private_urls=False), embedder=fake_embedder) as coll:
        yield coll


def _poll(coll: Collection, url: str) -> Any:  # noqa: ANN401 - an index.watch.PollResult
    from index.watch import Watcher

    watcher = Watcher(coll)
    try:
        return watcher.poll(url)
    finally:
        watcher.state.close()


def _warned(run: Any) -> list[str]:  # noqa: ANN401 - a handler's generator
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(run)
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_a_watched_feed_on_a_private_address_carries_the_code_to_each_surface(site: FeedSite,  # noqa: F811
                                                                             guarded: Collection) -> None:
    from rag.cli.watch import _describe
    from ui.library import Library

    url = site.put("/feed.xml", rss([]), "application/rss+xml")
    polled = _poll(guarded, url)
    assert (polled.status, polled.code) == ("failed", "private_address")
    assert PRIVATE_OFF in (polled.error or "") and not site.hits  # refused before any request
    # rag watch: its own way on, once
    line = _describe(polled, once=True)
    assert line.count(CLI_WAY) == 1 and PRIVATE_OFF in line, line
    # the page's Poll now: the feed's row says the setting is the server's, not how to set it in a shell
    lib = Library(guarded)
    html = list(lib.poll_feeds(""))[-1][0]
    assert "1 failed" in html and PRIVATE_OFF in html and html.count(PAGE_WAY) == 1 and CLI_WAY not in html, html
    # the page's Watch refuses an address written as one before polling, with the page's way on too
    lib.watch_state.remove(url)
    [told] = _warned(lib.watch_feed(url, ""))
    assert PRIVATE_OFF in told and PAGE_WAY in told and CLI_WAY not in told, told
    assert lib.watch_state.urls() == []


def test_a_feed_led_to_a_private_address_carries_the_code_too(site: FeedSite, guarded: Collection,  # noqa: F811
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 taken as public (as tests/test_watch.py does), what it leads to on 127.0.0.2 is
    refused: a child sitemap of an index (its items read, the poll's error has the code), and the feed
    a page advertises (the page's Watch says the setting is the server's)."""
    from index import fetch
    from rag.cli.watch import _describe
    from ui.library import Library

    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    serve_news(site)
    port = site.base.rsplit(":", 1)[1]
    site.put("/s1.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.base}/news/storm'
                        "</loc></url></urlset>", "application/xml")
    index = site.put("/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                     f"<sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>http://127.0.0.2:{port}/s2.xml</loc>"
                     "</sitemap></sitemapindex>", "application/xml")
    polled = _poll(guarded, index)
    assert (polled.status, polled.code) == ("ingested", "private_address"), polled
    assert polled.report is not None and polled.report.summary()["added"] == 1
    assert (polled.error or "").startswith(f"child sitemap http://127.0.0.2:{port}/s2.xml: refusing to fetch 127.0.0.2")
    line = _describe(polled, once=True)
    assert line.count(CLI_WAY) == 1 and PRIVATE_OFF in line, line

    page = site.put("/home", b'<html><head><title>Home</title><link rel="alternate" type="application/rss+xml" '
                             b'href="http://127.0.0.2:' + port.encode() + b'/feed.xml"></head><body>Hi</body></html>')
    lib = Library(guarded)
    [told] = _warned(lib.watch_feed(page, ""))
    assert told.startswith(f"http://127.0.0.2:{port}/feed.xml") and "is not watched" in told, told
    assert PRIVATE_OFF in told and PAGE_WAY in told and CLI_WAY not in told, told
    assert lib.watch_state.urls() == [index]  # neither the page nor the feed it advertises is kept


# --- a server's caller is told what is the server's to do ----------------------------------------------

def test_rest_says_an_embedder_mismatch_is_the_server_s_to_mend() -> None:
    from rag.http_api import rag_error_body

    status, body = rag_error_body(EmbedderMismatchError("fake:a", "fake:b"))
    err = body["error"]
    assert status == 500 and err["code"] == "embedder_mismatch"
    assert err["message"].startswith("the collection was built with embedder 'fake:a' but 'fake:b' is configured; "
                                     "whoever runs the server can rebuild")
    assert err["fix"].startswith("whoever runs the server") and "rag reindex" in err["fix"]
    assert "'fake:a'" in err["fix"]
    # the CLI's words stay the CLI's
    assert str(EmbedderMismatchError("fake:a", "fake:b")).startswith(
        "the collection was built with embedder 'fake:a' but 'fake:b' is configured; run `rag reindex`")


def _mcp(rag: Any, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:  # noqa: ANN401
    from mcp import Client

    from rag.mcp_server import build_server

    async def main() -> list[Any]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            return [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(main)


@pytest.fixture
def empty_rag(settings: Settings, fake_embedder: HashEmbedder) -> Any:  # noqa: ANN401
    from rag.api import RAG

    coll = Collection.open(settings, embedder=fake_embedder)
    try:
        yield RAG(settings, collection=coll, llm=None)
    finally:
        coll.close()


def test_mcp_says_where_articles_are_added_to_an_empty_collection(empty_rag: Any) -> None:  # noqa: ANN401
    from rag.mcp_server import HOW_TO_ADD

    found, asked = _mcp(empty_rag, [("search_articles", {"query": "storm"}), ("ask", {"question": "Who won?"})])
    [searched] = json.loads(found.content[0].text)["notices"]
    assert searched == f"the collection is empty: add articles with {HOW_TO_ADD}"
    assert "where this server runs" in searched and "these tools only read" in searched
    assert searched in json.loads(asked.content[0].text)["notices"]  # ask says it as search does


def test_mcp_says_an_embedder_mismatch_is_the_server_s_to_mend(empty_rag: Any,  # noqa: ANN401
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import service

    def mismatch(*_a: object, **_k: object) -> None:
        raise EmbedderMismatchError("fake:a", "fake:b")

    monkeypatch.setattr(service, "search", mismatch)
    [failed] = _mcp(empty_rag, [("search_articles", {"query": "storm"})])
    assert failed.is_error and "whoever runs the server can rebuild" in failed.content[0].text


# --- the chat's intro survives what it did not expect -------------------------------------------------

def test_the_chat_intro_says_an_unexpected_failure_escaped_and_logs_it(
        empty_rag: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN401
    from ui.chat import Chat
    from ui.feedback import FeedbackLog

    class Broken_Db_Error(sqlite3.DatabaseError):  # noqa: N801 - a name with Markdown in it
        pass

    def counts() -> dict[str, int]:
        raise Broken_Db_Error("file is not a database: <b>/srv/rag/articles.db</b>")

    chat = Chat(empty_rag, FeedbackLog(empty_rag.settings.feedback_path))
    monkeypatch.setattr(empty_rag.collection.db, "counts", counts)
    with caplog.at_level(logging.ERROR, logger="ui.chat"):
        said = chat.intro()["placeholder"]
    assert said.startswith("Could not read the collection just now (Broken\\_Db\\_Error); see the server log.")
    assert "<b>" not in said and "/srv/rag" not in said  # the message stays in the log
    [record] = [r for r in caplog.records if r.name == "ui.chat"]
    assert record.exc_info and "articles.db" in str(record.exc_info[1])
