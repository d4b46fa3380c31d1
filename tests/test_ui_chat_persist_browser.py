"""The chat's history across a reload and a restart of the server, in Debian Chromium against a real
server on 127.0.0.1 (tests/test_ui_chat_persist.py calls the same handlers directly).

One browser context throughout, so one localStorage: a question is answered, the page reloaded, the
server stopped and a new one started on the same port over the same store, the page reloaded again;
the turn is there each time, a follow-up reads it as context, and New chat leaves an empty chat after
a reload too. A second test restores an article whose title and text hold markup: it shows as text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from index.collection import Collection
from rag.api import RAG
from rag.errors import ConfigError
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.ui_helpers import SEED_QUESTION, ask_in_page, chromium, free_port, khansir_collection
from ui import persist

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
HOSTILE = (f"Zembla harbour {SCRIPT} reopens {IMG}\n\n"
           f"The harbour of Zembla reopened on Monday after storm repairs {SCRIPT} costing four million crowns. "
           f"Officials said ships could dock again {IMG} within a week.\n")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture(autouse=True)
def _no_analytics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")


@contextmanager
def server(settings: Settings, port: int) -> Iterator[str]:
    """A new app over ``settings``' store (its own Collection and RAG, as a new ``rag ui`` opens them)
    on 127.0.0.1:``port``; the port of a server just closed may take a moment to be free."""
    from ui.app import launch

    with Collection.open(settings, embedder=HashEmbedder()) as c:
        rag = RAG(settings, collection=c, llm=None)
        deadline = time.monotonic() + 30
        while True:
            try:
                demo = launch(settings, rag, host="127.0.0.1", port=port, block=False)
                break
            except ConfigError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            yield demo.local_url.rstrip("/")
        finally:
            demo.close()


def stored_size(pg, key: str) -> int:  # noqa: ANN001 - a Playwright page
    return pg.evaluate("k => (localStorage.getItem(k) || '').length", key)


def wait_stored(pg, key: str, bigger_than: int = 0, smaller_than: int | None = None) -> int:  # noqa: ANN001
    """Wait until the browser's stored chat (encrypted: only its length tells) grew past ``bigger_than``
    characters (or shrank under ``smaller_than``); its length."""
    test = f"k => (localStorage.getItem(k) || '').length > {bigger_than}" if smaller_than is None else \
        f"k => {{ const v = localStorage.getItem(k); return v !== null && v.length < {smaller_than}; }}"
    pg.wait_for_function(test, arg=key, timeout=30_000)
    return stored_size(pg, key)


def reload(pg) -> None:  # noqa: ANN001
    pg.reload()
    pg.wait_for_selector("#rag-question textarea")


def shown_turn(pg) -> None:  # noqa: ANN001
    """The first turn shown again: question, cited answer with its short answer, its sources."""
    pg.wait_for_selector("#rag-chat a.rag-cite", timeout=30_000)
    chat = pg.inner_text("#rag-chat")
    assert SEED_QUESTION in chat and "Khansir" in chat and "Searching" not in chat, chat
    assert pg.locator("#rag-chat .rag-short").first.inner_text() == "Khansir"
    assert pg.locator("#rag-chat a.rag-cite").first.get_attribute("href") == "#src-0-1"
    pg.wait_for_selector("#rag-sources #src-0-1 mark")
    assert "Khansir" in pg.inner_text("#rag-sources #src-0-1 mark")


def test_the_chat_survives_a_reload_and_a_restart_and_new_chat_clears_it(
        settings: Settings, tmp_path: Path, browser) -> None:  # noqa: ANN001
    khansir_collection(settings, HashEmbedder(), tmp_path).close()
    key, port = persist.storage_key(settings.home, settings.collection), free_port()
    ctx = browser.new_context(viewport={"width": 1440, "height": 960})
    try:
        pg = ctx.new_page()
        with server(settings, port) as url:
            pg.goto(url + "/")
            pg.wait_for_selector("#rag-question textarea")
            ask_in_page(pg, SEED_QUESTION, 0)
            one = wait_stored(pg, key, bigger_than=1000)
            reload(pg)
            shown_turn(pg)
        with server(settings, port) as again:  # `rag ui` restarted: a new app, the same port and store
            assert again == url
            reload(pg)
            shown_turn(pg)
            # a follow-up reads the restored turn: "it" is searched as the rebels' capture of Khansir
            ask_in_page(pg, "What did the army say about it?", 1)
            details = pg.locator("#rag-chat details.rag-query").last
            assert "rewritten" in details.inner_text()
            details.locator("summary").click()
            assert "Khansir" in details.locator("q").inner_text()
            assert "counter-attack" in pg.locator("#rag-chat .rag-answer").last.inner_text()
            wait_stored(pg, key, bigger_than=one + 1000)
            reload(pg)
            pg.wait_for_selector("#rag-chat #src-1-1, #rag-chat a[href='#src-1-1']", timeout=30_000)
            assert pg.locator("#rag-chat a.rag-cite").count() >= 2
            pg.get_by_role("button", name="New chat").click()
            pg.wait_for_function("!document.querySelector('#rag-chat a.rag-cite')")
            wait_stored(pg, key, smaller_than=300)
            reload(pg)
            time.sleep(1.5)  # the load's restore has come and gone
            assert pg.locator("#rag-chat .rag-answer").count() == 0
            assert SEED_QUESTION not in pg.inner_text("#rag-chat")
    finally:
        ctx.close()


def test_a_restored_article_with_markup_shows_it_as_text(
        settings: Settings, tmp_path: Path, browser) -> None:  # noqa: ANN001
    f = tmp_path / "zembla.txt"
    f.write_text(HOSTILE, encoding="utf-8")
    with Collection.open(settings, embedder=HashEmbedder()) as c:
        assert c.ingest([str(f)]).count("added") == 1
    key = persist.storage_key(settings.home, settings.collection)
    ctx = browser.new_context(viewport={"width": 1440, "height": 960})
    dialogs: list[str] = []
    try:
        pg = ctx.new_page()
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        with server(settings, free_port()) as url:
            pg.goto(url + "/")
            pg.wait_for_selector("#rag-question textarea")
            ask_in_page(pg, "When did the harbour of Zembla reopen?", 0)
            wait_stored(pg, key, bigger_than=1000)
            reload(pg)
            pg.wait_for_selector("#rag-sources #src-0-1", timeout=30_000)
            sources, chat = pg.inner_text("#rag-sources"), pg.inner_text("#rag-chat")
            assert SCRIPT in sources and IMG in sources, sources  # the title and passage, as text
            assert "Monday" in chat and (SCRIPT in chat or IMG in chat), chat
            assert pg.locator("#rag-chat img[src='x'], #rag-sources img[src='x']").count() == 0
            assert pg.locator("#rag-chat script, #rag-sources script").count() == 0
            time.sleep(0.5)
            assert dialogs == []
    finally:
        ctx.close()
