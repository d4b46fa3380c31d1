"""The chat UI as a third new user met it:

* an empty collection's notice showed the CLI's backticks (`rag ingest PATH_OR_URL`) in the chat;
* Stop was always shown, with nothing to stop;
* Like/Dislike sat under answers still streaming (and under stopped ones and errors);
* the Timeline offered no day summaries with the local model the chat offered;
* on a phone the Collection tab's article table scrolled sideways;
* the settings summary once said "all sources" above an answer a source filter had narrowed: a
  refresh that failed (the store busy) left it as it was, and Gradio then dropped the refresh the
  next keystroke had queued; the question's own settings never refreshed it.

(Progress for screen readers is in tests/test_ui_a11y.py.) Handlers and renderers are called
directly where that proves the behaviour; what only the page shows runs in Debian Chromium against
a real server on 127.0.0.1.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import gradio as gr
import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.brief import UNDATED
from rag.settings import Settings
from rag.types import Draft, Passage
from tests.ui_helpers import (
    SEED_QUESTION, GatedLLM, ask_in_page, chromium, open_page, serving, stage_upload,
)
from ui import render
from ui.chat import OFFLINE, Session
from ui.timeline import Timeline

from tests.test_ui_newuser import PIECES, coll, make_chat  # noqa: E402, F401 - the same collection and chat


# --- 1. the empty collection, in the page's words -----------------------------------------------------
def test_an_empty_collections_notice_points_at_the_collection_tab_not_at_the_cli(settings: Settings,
                                                                                 fake_embedder) -> None:  # noqa: ANN001
    empty = Collection.open(settings, embedder=fake_embedder)
    chat, session = make_chat(empty), Session()
    steps = list(chat.respond("Who won the cup?", session, OFFLINE, 5, "", "", "", ""))
    bubble = steps[-1][1][-1]["content"]
    assert "collection is empty" in bubble
    assert "`" not in bubble and "rag ingest" not in bubble and "PATH_OR_URL" not in bubble
    assert "Collection tab" in bubble and "Add to collection" in bubble  # the controls that add articles
    # the Timeline of an empty collection says the same
    html = list(Timeline(RAG(settings, collection=empty, llm=None)).run("Zembla", "7d", "", "", False, ""))[-1]
    assert "collection is empty" in html and "`" not in html and "rag ingest" not in html
    assert "Collection tab" in html


def test_a_command_quoted_in_a_notice_or_error_shows_as_code_not_as_backticks() -> None:
    html = render.notices_html(["a `rag reindex` has not finished; run `rag reindex` again <now>"])
    assert "`" not in html and html.count("<code>rag reindex</code>") == 2
    assert "&lt;now&gt;" in html and "<now>" not in html  # still escaped
    assert "<code>pip install x</code>" in render.error_html("run `pip install x`")
    # the Timeline of a collection without dates pointed at `rag ask`: it points at the Chat tab
    assert render.page_text(UNDATED) == render.UNDATED and "`" not in render.UNDATED and "Chat tab" in render.UNDATED


# --- 5. the Timeline with the local model ---------------------------------------------------------------
class ScriptedLocal:
    """The local model as ``ui.chat.Chat`` offers it: a label, and an answerer streaming a scripted reply."""

    name = "local:fake-1b"
    label = "local (Fake-1B)"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls = 0

    def local_label(self) -> str:
        return self.label

    def local_llm(self) -> ScriptedLocal:
        return self

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of=None) -> Iterator[str | Draft]:  # noqa: ANN001
        self.calls += 1
        yield self.reply
        yield Draft(self.reply, False)


FERRY = "The Zembla ferry carried 240 passengers on Thursday after the harbour reopened."


@pytest.fixture
def dated(settings: Settings, fake_embedder) -> Collection:  # noqa: ANN001
    c = Collection.open(settings, embedder=fake_embedder)
    c.ingest_articles([Article(source="https://coast.example/ferry", title="Zembla ferry sails again", text=FERRY,
                               published=date(2024, 11, 28))])
    return c


def test_the_timeline_summarises_with_the_local_model_when_no_llm_is_configured(dated: Collection) -> None:
    local = ScriptedLocal("The Zembla ferry carried 240 passengers on Thursday [1].")
    tl = Timeline(RAG(dated.settings, collection=dated, llm=None), local=local)
    assert tl.llm_label() == "local (Fake-1B)"  # offered: it was None, the checkbox off
    html = list(tl.run("Zembla ferry", "7d", "", "", True, "2024-12-01"))[-1]
    assert local.calls == 1 and "summarised by local:fake-1b" in html and 'class="rag-cite"' in html
    # RAG_ANSWERER=local: the configured model is the one (as before)
    own = ScriptedLocal("The Zembla ferry carried 240 passengers on Thursday [1].")
    tl = Timeline(RAG(dated.settings.model_copy(update={"answerer": "local"}), collection=dated, llm=own))
    assert tl.llm_label() == "local (Fake-1B)"
    assert "summarised by local:fake-1b" in list(tl.run("Zembla ferry", "7d", "", "", True, "2024-12-01"))[-1]
    # a configured LLM still comes first
    configured = ScriptedLocal("The Zembla ferry carried 240 passengers on Thursday [1].")
    configured.label, configured.name = "gpt-test", "llm:gpt-test"
    tl = Timeline(RAG(dated.settings, collection=dated, llm=configured), local=local)
    assert tl.llm_label() == "gpt-test"
    list(tl.run("Zembla ferry", "7d", "", "", True, "2024-12-01"))
    assert configured.calls == 1 and local.calls == 1


def test_the_page_offers_timeline_summaries_with_the_local_model_the_chat_offers(
        dated: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.chat
    from ui.app import build_app

    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: "local (Fake-1B)")
    demo = build_app(RAG(dated.settings, collection=dated, llm=None))
    (box,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-tl-llm"]
    assert box.interactive and "local (Fake-1B)" in box.label
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: None)  # nothing to summarise with: off
    demo = build_app(RAG(dated.settings, collection=dated, llm=None))
    (box,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-tl-llm"]
    assert not box.interactive and "local model" in box.info


def test_the_chat_hands_the_timeline_the_model_its_local_choice_answers_with(
        dated: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.chat

    import rag.local_llm

    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: "local (Fake-1B)")
    monkeypatch.setattr(rag.local_llm, "llama_cpp_available", lambda: True)  # nothing is loaded here
    chat = make_chat(dated)
    llm = chat.local_llm()
    assert llm is chat._answering(ui.chat.LOCAL)[0].llm and chat._answering(ui.chat.LOCAL)[0].settings.answerer == "local"
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: None)
    assert make_chat(dated).local_llm() is None


# --- 7. the settings summary and the question's settings ---------------------------------------------------
def test_the_settings_summary_survives_a_store_it_cannot_read_now(coll: Collection,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    chat = make_chat(coll)

    def locked() -> dict[str, int]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(coll.db, "counts", locked)
    html = chat.settings_summary(OFFLINE, 5, "reuters", "2024-11-01", "", "")
    assert "reuters" in html and "2024-11-01 to …" in html and "rag-error" not in html
    assert "article" not in html  # the count is left out, the settings are all there


def test_each_question_refreshes_the_summary_from_the_settings_it_is_asked_with(coll: Collection) -> None:
    from ui.app import build_app

    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    (summary,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-settings-summary"]
    (ask,) = [f for f in demo.fns.values() if f.api_name == "ask"]
    triggers = {(t[0], t[1]) for t in ask.targets}
    refreshes = [f for f in demo.fns.values() if summary in f.outputs and {(t[0], t[1]) for t in f.targets} == triggers]
    assert len(refreshes) == 1, refreshes
    (refresh,) = refreshes
    # the very inputs the question is answered with (ask's are the box, the session, then the settings)...
    assert [b._id for b in refresh.inputs] == [b._id for b in ask.inputs[2:]]
    # ... read by the page for both at once, and run first: a trigger's events run in the order they
    # were wired, each once the one before it is done (wired after, it would wait for the whole answer)
    assert refresh._id < ask._id
    assert refresh.trigger_mode == "multiple"  # every question's own settings, none skipped
    assert (refresh.concurrency_id, refresh.concurrency_limit) == ("summary", 1)  # in order with the others


# --- in a real browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _drafting(browser, url: str, viewport: dict | None = None) -> object:  # noqa: ANN001
    """A page whose (gated) LLM answer to SEED_QUESTION is streaming: its draft is on screen."""
    pg = browser.new_page(viewport=viewport or {"width": 1440, "height": 960})
    pg.goto(url + "/")
    pg.wait_for_selector("#rag-question textarea")
    pg.fill("#rag-question textarea", SEED_QUESTION)
    pg.click("#rag-ask")
    pg.wait_for_selector("#rag-chat .rag-draft", timeout=60_000)
    return pg


def _no_stop_yet(pg) -> None:  # noqa: ANN001
    """Stop is in the page, not shown: nothing to stop."""
    assert pg.locator("#rag-stop").count() == 1
    pg.wait_for_selector("#rag-stop", state="hidden", timeout=5_000)


def _box(pg, selector: str) -> dict:  # noqa: ANN001
    return pg.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect();"
                                         " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")


@pytest.mark.browser
@pytest.mark.slow
def test_stop_is_shown_only_while_an_answer_is_made_and_still_stops_it(coll: Collection, browser) -> None:  # noqa: ANN001
    llm = GatedLLM(PIECES)
    try:
        with serving(RAG(coll.settings, collection=coll, llm=llm)) as url:
            pg = open_page(browser, url)
            _no_stop_yet(pg)
            pg.close()
            pg = _drafting(browser, url)
            pg.wait_for_selector("#rag-stop", state="visible", timeout=10_000)
            pg.click("#rag-stop")
            pg.wait_for_function("document.querySelector('#rag-chat').innerText.includes('Stopped')", timeout=20_000)
            pg.wait_for_selector("#rag-stop", state="hidden", timeout=10_000)  # stopped: nothing left to stop
            assert pg.locator("#rag-chat .rag-draft").count() == 0
            llm.gate.set()  # the model finishes after the stop: its words must not come back
            pg.get_by_label("Offline (extractive, no LLM)").check()
            ask_in_page(pg, SEED_QUESTION, 0)  # an answer that ran to its end
            pg.wait_for_selector("#rag-stop", state="hidden", timeout=10_000)
            assert pg.locator("#rag-chat .rag-draft").count() == 0
            pg.close()

            # on a phone: hidden at first, then on the question's line and on screen while an answer runs
            llm.gate.clear()
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url + "/")
            phone.wait_for_selector("#rag-question textarea")
            _no_stop_yet(phone)
            phone.close()
            phone = _drafting(browser, url, {"width": 390, "height": 844})
            phone.wait_for_selector("#rag-stop", state="visible", timeout=10_000)
            box, stop = _box(phone, "#rag-question textarea"), _box(phone, "#rag-stop")
            assert stop["top"] < box["bottom"] and stop["right"] <= 390, (box, stop)
            llm.gate.set()
            phone.wait_for_function("!document.querySelector('#rag-chat .rag-draft')", timeout=60_000)
            phone.wait_for_selector("#rag-stop", state="hidden", timeout=10_000)
            phone.close()
    finally:
        llm.gate.set()


@pytest.mark.browser
@pytest.mark.slow
def test_like_and_dislike_only_under_finished_answers(coll: Collection, browser) -> None:  # noqa: ANN001
    llm = GatedLLM(PIECES)
    feedback = "#rag-chat button[aria-label='Like'], #rag-chat button[aria-label='Dislike']"
    try:
        with serving(RAG(coll.settings, collection=coll, llm=llm)) as url:
            pg = _drafting(browser, url)
            pg.wait_for_timeout(300)  # the draft's buttons drawn, if they are
            assert [b.is_visible() for b in pg.locator(feedback).all()] in ([], [False, False])
            llm.gate.set()
            pg.wait_for_selector("#rag-sources #src-0-1", timeout=60_000)
            pg.wait_for_function("!document.querySelector('#rag-chat .rag-draft')")
            bots = pg.locator("#rag-chat .message-row:has([data-testid='bot'])")
            pg.wait_for_selector("#rag-chat button[aria-label='Like']", state="visible", timeout=10_000)
            assert bots.count() == 1
            # a second answer, stopped mid-draft: no buttons under it, the first answer keeps its own
            llm.gate.clear()
            pg.fill("#rag-question textarea", "What did the army say?")
            pg.click("#rag-ask")
            pg.wait_for_selector("#rag-chat .rag-draft", timeout=60_000)
            pg.wait_for_timeout(300)
            assert sum(b.is_visible() for b in pg.locator(feedback).all()) == 2  # the finished answer's pair
            pg.click("#rag-stop")
            pg.wait_for_function("document.querySelector('#rag-chat').innerText.includes('Stopped')", timeout=20_000)
            pg.wait_for_timeout(300)
            assert sum(b.is_visible() for b in pg.locator(feedback).all()) == 2
            first = pg.locator("#rag-chat .message-row:has(.rag-cite) + .message-buttons button[aria-label='Like']")
            assert first.is_visible()
    finally:
        llm.gate.set()


@pytest.mark.browser
@pytest.mark.slow
def test_the_collection_tab_fits_a_phone_without_a_sideways_scroll(settings: Settings, fake_embedder,  # noqa: ANN001
                                                                   tmp_path: Path, browser) -> None:
    coll = Collection.open(settings, embedder=fake_embedder)
    coll.ingest_articles([
        Article(source=f"https://www.example-news-site.com/story/world/2024/11/2{i}/harbour-reopens-after-storm-{i}/",
                title=f"Zembla harbour reopens after storm number {i}", author="Jane Reporter",
                text=f"The harbour {i} reopened on Monday after the repairs of storm {i}. " * (10 + 400 * i),
                published=date(2024, 11, 20 + i))
        for i in range(3)])
    ids = [a.id for a in coll.db.list_articles(None, 10)]
    with serving(RAG(settings, collection=coll, llm=None)) as url:
        pg = browser.new_page(viewport={"width": 390, "height": 844})
        pg.goto(url + "/")
        pg.wait_for_selector("#rag-question textarea")
        pg.get_by_role("tab", name="Collection").click()
        pg.wait_for_selector("#rag-articles table")
        f = tmp_path / "ferry.txt"  # an ingest result in its table too
        f.write_text("Ferry resumes\n\nThe Zembla ferry carried 240 passengers on Thursday.\n", encoding="utf-8")
        stage_upload(pg, f)
        pg.click("#rag-add")
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('1 added')", timeout=60_000)
        pg.wait_for_function("document.querySelector('#rag-articles').innerText.includes('Ferry resumes')",
                             timeout=10_000)
        for sel in ("#rag-articles .rag-articles", "#rag-ingest .rag-ingest"):
            scroll, client = pg.eval_on_selector(sel, "e => [e.scrollWidth, e.clientWidth]")
            assert scroll <= client, (sel, scroll, client)  # no sideways scroll
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        table, article = _box(pg, "#rag-articles"), _box(pg, "#rag-articles table")
        assert article["right"] <= table["right"] + 1, (article, table)
        # the secondary columns give way; what they held is still there, under each title
        heads = pg.eval_on_selector_all("#rag-articles th", "els => els.filter(e => e.offsetParent).map(e => e.innerText)")
        assert heads == ["published", "title / source"], heads
        shown = pg.inner_text("#rag-articles")
        assert all(i in shown for i in ids) and "chars" in shown and "chunk" in shown
        assert "Zembla harbour reopens after storm number 2" in shown and "2024-11-22" in shown
        pg.close()

        wide = open_page(browser, url)  # a desktop keeps the five columns
        wide.get_by_role("tab", name="Collection").click()
        wide.wait_for_selector("#rag-articles table")
        heads = wide.eval_on_selector_all("#rag-articles th", "els => els.filter(e => e.offsetParent).map(e => e.innerText)")
        assert heads == ["published", "title / source", "chunks", "chars", "id"], heads
        assert wide.locator("#rag-articles .rag-narrow").first.is_hidden()
        wide.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_busy_store_does_not_leave_the_summary_behind_the_questions_filter(coll: Collection, browser,  # noqa: ANN001
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = coll.db.counts
    busy = {"armed": False}

    def counts() -> dict[str, int]:  # the next count waits, then fails, as against a writer holding the lock
        if busy["armed"]:
            busy["armed"] = False
            time.sleep(0.8)
            raise sqlite3.OperationalError("database is locked")
        return real()

    monkeypatch.setattr(coll.db, "counts", counts)
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        pg.wait_for_function("document.querySelector('#rag-settings-summary').innerText.includes('1 article')",
                             timeout=10_000)
        busy["armed"] = True
        # typed while the first keystroke's refresh is stuck: the page holds the last one back until then
        pg.locator("#rag-filter-sources textarea, #rag-filter-sources input").first.press_sequentially("reuters", delay=40)
        pg.wait_for_timeout(1500)
        pg.fill("#rag-question textarea", SEED_QUESTION)
        pg.click("#rag-ask")
        pg.wait_for_function("!document.querySelector('#rag-chat .rag-pending')", timeout=60_000)
        pg.wait_for_function("document.querySelector('#rag-chat').innerText.includes('reuters')", timeout=30_000)
        # the answer was filtered by the source (nothing matches it): the summary above it says so
        pg.wait_for_function("document.querySelector('#rag-settings-summary').innerText.includes('reuters')",
                             timeout=10_000)
        assert "all sources" not in pg.inner_text("#rag-settings-summary")
        pg.close()
