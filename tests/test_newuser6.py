"""New user #6's defects at the surfaces: a server path in a duplicate's reason (UI, REST), bad
``Settings`` values as ``InputError`` and ``rag.ask``'s keywords (Python API), a store error worded
for every surface ("try again", not the CLI's "run the same command again"), and a brief of undated articles that says
why it is empty (library, CLI, UI). Real embedded Chroma and the real pipeline; the HashEmbedder
stands in for the model."""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from index.collection import Collection
from index.types import Article, ItemResult
from rag.api import RAG
from rag.errors import ConfigError, InputError, StoreError
from rag.settings import Settings, load_settings
from rag.types import Filters
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]

BRIDGE = ("<html><head><title>Harbour bridge deck to be replaced</title></head><body>"
          "<h1>Harbour bridge deck to be replaced</h1><p>The Port Ellison harbour bridge deck will be replaced "
          "next spring, the council said on Monday. The contract was awarded to Halden Civil.</p></body></html>")


@pytest.fixture
def coll(settings: Settings) -> Iterator[Collection]:
    with Collection.open(settings, embedder=HashEmbedder()) as c:
        yield c


# --- D6: the stored copy a duplicate repeats is named without the server's folders ------------------

def _cli_ingested(coll: Collection, tmp_path: Path) -> tuple[Path, str]:
    """bridge.html ingested from a server folder, as `rag ingest /srv/corpus/html/bridge.html` does."""
    folder = tmp_path / "srv-corpus" / "html"
    folder.mkdir(parents=True)
    (folder / "bridge.html").write_text(BRIDGE)
    [item] = coll.ingest([str(folder / "bridge.html")]).items
    assert item.status == "added" and item.article_id
    return folder, item.article_id


def test_ui_upload_of_a_file_ingested_on_the_server_names_it_by_its_file_name(coll: Collection,
                                                                                 tmp_path: Path) -> None:
    from ui.library import Library

    folder, aid = _cli_ingested(coll, tmp_path)
    browser = tmp_path / "browser"  # where the browser's copy comes from (Gradio's upload folder)
    browser.mkdir()
    (browser / "bridge.html").write_text(BRIDGE)
    results, _, _ = list(Library(coll).add([str(browser / "bridge.html")], "", ""))[-1]
    assert "1 duplicate" in results, results
    assert f"same text as bridge.html (article {aid})" in results, results
    assert str(folder) not in results and str(tmp_path) not in results and "srv-corpus" not in results


def test_the_page_names_a_duplicate_s_url_as_it_is_and_leaves_other_reasons_alone() -> None:
    from ui.render import item_reason

    url = "https://news.example.org/2024/bridge.html"
    # the twin as the pipeline gives it: its source in ``kept_by``, its id in ``article_id``
    assert item_reason(ItemResult("b.html", "duplicate", "0797", reason=f"same text as {url} (article 0797)",
                                  kept_by=(url,))) \
        == f"same text as {url} (article 0797)"
    record = ItemResult("b.html", "duplicate", "0797", reason="same text as /srv/dumps/bbc.jsonl#12 (article 0797)",
                        kept_by=("/srv/dumps/bbc.jsonl#12",))
    assert item_reason(record) == "same text as bbc.jsonl#12 (article 0797)"
    assert item_reason(ItemResult("b.html", "duplicate", "0797", reason="same text as article 0797")) \
        == "same text as article 0797"
    failed = ItemResult("/srv/x/a.html", "failed", reason="same text as /srv/y/b.html (article 0797)",
                        kept_by=("/srv/y/b.html",))
    assert item_reason(failed) == "same text as /srv/y/b.html (article 0797)"  # only a duplicate's twin is renamed


def test_a_real_ingest_gives_a_duplicate_its_twin_as_fields_and_the_surfaces_word_it_from_them(
        coll: Collection, tmp_path: Path) -> None:
    """Two files with the same text: the duplicate's twin is data (``kept_by`` its source, ``article_id``
    its article), whether the twin was stored by an earlier ingest or comes in the same batch; the
    reason is worded as it always was (the CLI prints only it), and the page and REST name the twin
    from the fields, not by reading the reason back."""
    from rag import service
    from ui.render import item_reason

    news = tmp_path / "srv-news"
    news.mkdir()
    one, two, three = (news / name for name in ("one.html", "two.html", "three.html"))
    for path in (one, two, three):
        path.write_text(BRIDGE)
    batch = {r.item: r for r in coll.ingest([str(one), str(two)]).items}
    first, same_batch = batch[str(one.resolve())], batch[str(two.resolve())]
    assert (first.status, first.kept_by) == ("added", ()), first
    [later] = coll.ingest([str(three)]).items
    rag = RAG(coll.settings, collection=coll, llm=None)
    for dup in (same_batch, later):  # the twin still in the pipeline, then stored
        assert (dup.status, dup.article_id, dup.kept_by) == ("duplicate", first.article_id, (str(one.resolve()),)), dup
        assert dup.reason == f"same text as {one.resolve()} (article {first.article_id})", dup
        assert item_reason(dup) == f"same text as one.html (article {first.article_id})"
        assert service.twin_named(dup, lambda s: service.client_source(rag, s)).reason \
            == f"same text as one.html (article {first.article_id})"
    # the fields, not the words: without its twin's source the reason is shown as it is, path and all
    unnamed = dataclasses.replace(later, kept_by=())
    assert item_reason(unnamed) == later.reason and service.twin_named(unnamed, lambda s: "x") == unnamed


def test_rest_upload_of_a_file_ingested_on_the_server_names_it_by_its_file_name(coll: Collection,
                                                                                   tmp_path: Path) -> None:
    from rag import service

    folder, aid = _cli_ingested(coll, tmp_path)
    writer = service.Writer(RAG(coll.settings, collection=coll, llm=None))
    report = writer.ingest(files=[("bridge.html", io.BytesIO(BRIDGE.encode()))])
    [item] = report["items"]
    assert item["status"] == "duplicate" and item["item"] == "bridge.html", item
    assert item["reason"] == f"same text as bridge.html (article {aid})", item
    assert str(folder) not in json.dumps(report) and str(tmp_path) not in json.dumps(report)


def test_rest_names_an_earlier_upload_as_uploads_name_and_one_of_the_same_request_by_its_name(
        coll: Collection, tmp_path: Path) -> None:
    from rag import service

    writer = service.Writer(RAG(coll.settings, collection=coll, llm=None))
    first = writer.ingest(files=[("one.txt", io.BytesIO(b"Kelso bridge reopens\n\nThe Kelso harbour bridge "
                                                         b"reopened on Monday after three months of repairs.\n"))])
    aid = first["items"][0]["article_id"]
    text = b"Kelso bridge reopens\n\nThe Kelso harbour bridge reopened on Monday after three months of repairs.\n"
    later = writer.ingest(files=[("two.txt", io.BytesIO(text)), ("three.txt", io.BytesIO(text))])
    assert [i["reason"] for i in later["items"]] == [f"same text as uploads/one.txt (article {aid})"] * 2, later
    assert str(tmp_path) not in json.dumps(later)  # the earlier upload was named by the server's folder
    both = writer.ingest(files=[("four.txt", io.BytesIO(b"Ferry strike ends\n\nThe ferry strike ended on Friday.")),
                                ("five.txt", io.BytesIO(b"Ferry strike ends\n\nThe ferry strike ended on Friday."))])
    twin = both["items"][0]["article_id"]
    assert both["items"][1]["reason"] == f"same text as four.txt (article {twin})", both  # as the client sent it


# --- D8: Settings and rag.ask as the README says ---------------------------------------------------

def test_a_bad_setting_given_in_code_is_an_input_error_naming_it_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        RAG(Settings(home=tmp_path, top_k=0))
    assert err.value.item == "top_k"
    assert str(err.value) == ("top_k: got 0, which should be greater than or equal to 1; give top_k a value that "
                              "is greater than or equal to 1, or leave it out for its default (5)")
    assert err.value.fix == "give top_k a value that is greater than or equal to 1, or leave it out for its default (5)"
    assert "pydantic" not in str(err.value)
    with pytest.raises(InputError, match=r"^answerer: got 'bogus', which should be 'auto', 'extractive'"):
        Settings(answerer="bogus")
    with pytest.raises(InputError) as two:
        Settings(top_k=0, chroma_url="ftp://chroma")
    assert str(two.value).startswith("Settings: 2 invalid settings:\n  ")
    assert "chroma_url: got 'ftp://chroma': chroma_url must look like http://host:port" in str(two.value)
    assert "RAG_CHROMA_URL" not in str(two.value)  # given in code: named by its keyword


def test_load_settings_still_names_environment_variables_and_keywords_as_a_config_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"^invalid setting: top_k=0: should be greater than or equal to 1$"):
        load_settings(top_k=0)
    monkeypatch.setenv("RAG_TOP_K", "0")
    with pytest.raises(ConfigError, match=r"^invalid setting: RAG_TOP_K='0': should be"):
        load_settings()
    with pytest.raises(ConfigError, match=r"RAG_TOP_K='0'"):
        RAG()  # builds its settings with load_settings


def test_module_level_ask_takes_the_keywords_of_rag_ask_and_passes_them_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import rag
    import rag.api

    mine = inspect.signature(rag.ask).parameters
    theirs = inspect.signature(RAG.ask).parameters
    assert list(mine) == [p for p in theirs if p != "self"]
    assert all(mine[n].kind == theirs[n].kind and mine[n].default == theirs[n].default for n in mine)

    got: dict[str, object] = {}

    class Fake:
        def ask(self, question: str, **kwargs: object) -> str:
            got.update(kwargs, question=question)
            return "answer"

    monkeypatch.setattr(rag.api, "default_rag", lambda: Fake())
    history = [("Who resigned?", "The minister [1].")]
    assert rag.ask("When?", history=history, top_k=3, as_of="2024-12-01") == "answer"
    assert got["question"] == "When?" and got["history"] == history and got["top_k"] == 3
    assert got["as_of"] == "2024-12-01" and got["offline"] is False
    with pytest.raises(TypeError):
        rag.ask("When?", histroy=history)  # a misspelt keyword is refused, not swallowed


def test_the_readme_names_every_field_of_filters_in_its_python_section() -> None:
    readme = (ROOT / "README.md").read_text()
    python = readme.split("## Python", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(Filters):
        assert f"`{f.name}`" in python, f.name
    assert "history=" in python and "ask(question, *," in python


# --- D10a: a server's client is asked to try again, not to run a command -------------------

def _server_down(settings: Settings) -> StoreError:
    import httpx

    from index.vectors import store_error

    exc = store_error(settings.model_copy(update={"chroma_url": "http://127.0.0.1:8771"}), "articles",
                      httpx.ConnectError("connection refused"))
    assert isinstance(exc, StoreError)
    return exc


def test_rest_and_mcp_ask_to_retry_the_request_when_the_store_is_down(settings: Settings) -> None:
    from rag.http_api import rag_error_body
    from rag.service import client_words

    exc = _server_down(settings)
    assert str(exc).endswith("try again") and "command" not in str(exc)  # words for every surface
    status, body = rag_error_body(exc)
    err = body["error"]
    assert status == 503 and "same command" not in err["message"] and "command again" not in err["message"]
    assert err["message"].endswith("try again"), err["message"]
    assert "chroma run --path DIR --host 127.0.0.1 --port 8771" in err["message"]
    message, _ = client_words(exc)  # what an MCP tool error says
    assert message == err["message"]


def test_the_page_asks_to_try_again_when_the_store_is_down(settings: Settings) -> None:
    from ui.render import error_html

    shown = error_html(str(_server_down(settings)))
    assert "same command" not in shown and "try again" in shown


# --- D11: a brief of undated articles says why it is empty ------------------------------------------

YUKOS = [
    ("Yukos unit sold at auction", "Yukos's main oil-producing unit Yuganskneftegas was sold at auction on Sunday. "
     "A little-known Russian company, Baikal Finance Group, won the bidding."),
    ("Yukos files for bankruptcy in US", "Russian oil firm Yukos has filed for bankruptcy protection in a Houston "
     "court. Yukos said the move was intended to stop the auction."),
    ("Yukos shares slump", "Shares in Yukos fell sharply in Moscow trading after the tax ruling. "
     "Yukos owes billions of dollars in back taxes."),
]


@pytest.fixture
def undated(settings: Settings) -> Iterator[RAG]:
    """Three undated Yukos articles (BBC files carry no date) beside one dated page on another topic."""
    with Collection.open(settings, embedder=HashEmbedder()) as c:
        arts = [Article(source=f"/srv/bbc/business/{i:03}.txt", title=t, text=body)
                for i, (t, body) in enumerate(YUKOS)]
        arts.append(Article(source="/srv/pages/ferries.html", title="Northwind Ferries reports record year",
                            text="Northwind Ferries carried a record number of passengers this year, the company said.",
                            published=date(2026, 11, 24)))
        assert c.ingest_articles(arts).summary()["added"] == 4
        yield RAG(settings, collection=c, llm=None)


def test_a_brief_of_undated_articles_says_they_carry_no_date(undated: RAG) -> None:
    from rag.brief import ASK_INSTEAD, brief

    b = brief(undated, "Yukos", since=date(2026, 11, 21), until=date(2026, 11, 27))
    assert b.events == ()
    assert b.notice.startswith("3 articles about “Yukos” carry no publication date"), b.notice
    assert ASK_INSTEAD in b.notice and "`" not in b.notice  # no surface's command
    # a topic no article is about: nothing to say about dates
    assert brief(undated, "Zembla harbour", since=date(2026, 11, 21), until=date(2026, 11, 27)).notice == ""
    # the dated page is listed as before
    [ferries] = brief(undated, "Northwind Ferries", since=date(2026, 11, 21), until=date(2026, 11, 27)).events
    assert ferries.published == "2026-11-24"


def test_the_cli_and_the_timeline_say_how_to_ask_of_undated_articles(undated: RAG, settings: Settings) -> None:
    from rag.brief import brief
    from ui.timeline import timeline_html

    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection}
    run = [sys.executable, "-m", "tests.rag_cli_hash", "brief", "Yukos", "--as-of", "2026-11-27"]
    got = subprocess.run([*run, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    notice = json.loads(got.stdout)["notice"]
    assert notice.startswith("3 articles about “Yukos” carry no publication date") and "`rag ask`" in notice, notice
    text = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    flat = " ".join(text.stdout.split())
    assert text.returncode == 0 and "carry no publication date" in flat and "rag ask" in flat, text.stdout
    assert "Nothing in the articles about this in that period" not in flat

    page = timeline_html(brief(undated, "Yukos", since=date(2026, 11, 21), until=date(2026, 11, 27)))
    assert "carry no publication date" in page and "Chat tab" in page and "rag ask" not in page
    assert re.search(r"Nothing in the articles about", page) is None
