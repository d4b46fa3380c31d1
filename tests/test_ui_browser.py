"""The chat UI in a real browser (Debian Chromium through Playwright) against a real server.

Every test also checks that the page made no request off 127.0.0.1 (fonts, analytics, CDNs).
A screenshot of the answered chat is saved to test-output/ui-answer.png for review.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ui_helpers import ROOT, SEED_QUESTION, chromium, seeded_rag, serving, stage_upload

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUT = ROOT / "test-output"
XSS_ARTICLE = """Zembla harbour <img src=x onerror="window.__xss=2"> reopens

The harbour of Zembla reopened on Monday after storm repairs <script>window.__xss=1</script> costing four million crowns.
Officials said ships could dock again [click here](javascript:window.__xss=3) and <b>trade</b> would resume within a week.
The mayor thanked the engineers who rebuilt the pier.
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    rag = seeded_rag(tmp_path_factory.mktemp("uihome"), real_embedder)
    with serving(rag) as url:
        yield url, rag


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app) -> Iterator[object]:  # noqa: ANN001
    """A fresh page (its own Gradio session) that records every request it makes."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 960})
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(app[0] + "/")
    pg.wait_for_selector("#rag-question textarea")
    yield pg
    off_host = [u for u in requests
                if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    ctx.close()
    assert requests and not off_host, f"the page reached outside 127.0.0.1: {off_host}"


def ask(pg, question: str, turn: int) -> None:  # noqa: ANN001
    pg.fill("#rag-question textarea", question)
    pg.click("#rag-ask")
    pg.wait_for_selector(f"#rag-sources #src-{turn}-1", timeout=60_000)
    pg.wait_for_function("!document.querySelector('#rag-chat .rag-pending')")


def upload(pg, path: Path) -> None:  # noqa: ANN001
    pg.get_by_role("tab", name="Collection").click()
    stage_upload(pg, path)
    pg.click("#rag-add")
    pg.wait_for_selector("#rag-ingest .rag-status", timeout=60_000)
    pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('1/1 items')", timeout=60_000)


def test_chat_answers_with_linked_citation_and_highlighted_quote(page, app) -> None:  # noqa: ANN001
    ask(page, SEED_QUESTION, 0)
    cite = page.locator("#rag-chat a.rag-cite").first
    assert cite.inner_text() == "[1]"
    marks = page.locator("#rag-sources mark").all_inner_texts()
    assert any("Khansir" in m for m in marks), marks
    assert "2024-12-01" in page.inner_text("#rag-sources")
    assert "Offline" in page.inner_text("#rag-settings-summary")
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui-answer.png"))

    cite.click()  # the marker jumps to its source card
    page.wait_for_function("location.hash === '#src-0-1'")
    assert page.locator("#src-0-1").is_visible()

    page.locator("#rag-chat button[aria-label='Like']").last.click()  # feedback lands in the JSONL
    fb = app[1].settings.feedback_path
    deadline = time.time() + 15
    while not (fb.exists() and fb.read_text().strip()) and time.time() < deadline:
        time.sleep(0.2)
    entry = json.loads(fb.read_text().splitlines()[-1])
    assert entry["rating"] == "up" and entry["question"] == SEED_QUESTION and "Khansir" in entry["citations"][0]["quote"]


def test_follow_up_is_rewritten_and_the_query_is_shown_on_demand(page) -> None:  # noqa: ANN001
    ask(page, SEED_QUESTION, 0)
    ask(page, "What did the army say about it?", 1)
    details = page.locator("#rag-chat details.rag-query").last
    assert "rewritten" in details.inner_text()
    details.locator("summary").click()
    assert "Khansir" in details.locator("q").inner_text()
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui-followup.png"))


def test_upload_shows_progress_result_and_lists_the_article(page, tmp_path: Path) -> None:  # noqa: ANN001
    f = tmp_path / "lighthouse.md"
    f.write_text("---\ntitle: Lighthouse keeper retires\ndate: 2024-11-20\n---\n"
                 "The last lighthouse keeper of Brindle Point retired on Wednesday after forty years.\n")
    upload(page, f)
    assert "added" in page.inner_text("#rag-ingest")
    page.wait_for_function("document.querySelector('#rag-articles').innerText.includes('Lighthouse keeper retires')")
    assert "2024-11-20" in page.inner_text("#rag-articles")
    page.fill("#rag-search textarea, #rag-search input", "Lighthouse")
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('#rag-articles').innerText.includes('Rescue workers')")
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui-collection.png"))


def test_article_markup_renders_as_text_never_as_code(page, tmp_path: Path) -> None:  # noqa: ANN001
    f = tmp_path / "zembla.txt"
    f.write_text(XSS_ARTICLE)
    upload(page, f)
    page.wait_for_function("document.querySelector('#rag-articles').innerText.includes('onerror')")
    page.get_by_role("tab", name="Chat").click()
    ask(page, "When did the harbour of Zembla reopen?", 0)
    page.locator("#rag-sources details summary").first.click() if page.locator("#rag-sources details").count() else None
    answer = page.locator("#rag-chat .rag-answer").last.inner_text()
    sources = page.inner_text("#rag-sources")
    assert "<script>window.__xss=1</script>" in answer + sources
    assert "[click here](javascript:window.__xss=3)" in sources and "<b>trade</b>" in sources
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    page.get_by_role("tab", name="Collection").click()
    assert '<img src=x onerror="window.__xss=2">' in page.inner_text("#rag-articles")
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_settings_start_closed_on_a_phone_and_open_on_a_wide_screen(browser, app) -> None:  # noqa: ANN001
    # gradio's sidebar is 100vw wide at <= 768px: open, it would cover the chat
    for width, is_open in ((390, False), (1280, True)):
        ctx = browser.new_context(viewport={"width": width, "height": 844})
        pg = ctx.new_page()
        pg.goto(app[0] + "/")
        pg.wait_for_selector("#rag-question textarea")
        pg.wait_for_selector(".sidebar")
        if not is_open:
            pg.wait_for_function("!document.querySelector('.sidebar.open')", timeout=10_000)
            assert pg.locator("#rag-question textarea").is_visible()
            pg.click(".sidebar .toggle-button")  # and the user can still open it
            pg.wait_for_selector(".sidebar.open")
        else:
            time.sleep(1.0)  # the script had its chance to (wrongly) close it
            assert pg.locator(".sidebar.open").count() == 1
        ctx.close()
