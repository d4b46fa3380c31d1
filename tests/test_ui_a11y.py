"""The chat as a screen reader meets it, in Debian Chromium against a real server on 127.0.0.1.

Gradio labels every chat message with ``aria-label="bot's message: " + its raw content``, and our
answers are HTML (linked ``[n]`` markers, the short answer in bold, notices): a screen reader read
out tags and entities. ``ui.style.JS`` relabels each message with the text it shows; these tests
read the labels the browser ends up with. Progress ("Finding the passages…") is announced through
the page's live region, which must be there before its text changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from rag.api import RAG
from rag.settings import Settings
from rag.types import Answer, Citation, Passage
from tests.ui_helpers import (
    ARTICLE, SEED_QUESTION, GatedLLM, ask_in_page, chromium, khansir_collection, open_page, serving,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
# a notice with characters HTML escapes: the label must hold them as they read, not as entities
NOTICE = 'Reports differ: Reuters & AP say "two"; an earlier report said one.'


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


def _labels(pg, role: str) -> list[str]:  # noqa: ANN001
    """The aria-labels of the chat's ``role`` ("bot" or "user") messages, once each one names the
    text its message shows (the relabelling follows the page's own render), but for an answer's Copy
    button (``ui.export``): a control of its own, named by its own words."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    sel = f"#rag-chat [data-testid='{role}']"
    try:
        pg.wait_for_function(
            f"""() => {{ const els = [...document.querySelectorAll("{sel}")];
                const shown = (e) => [...e.querySelectorAll('.rag-export')].reduce(
                  (t, x) => t.replace(x.innerText || '', ''), e.innerText || '').replace(/\\s+/g, ' ').trim();
                return els.length > 0 && els.every(e => (e.getAttribute('aria-label') || '').replace(/\\s+/g, ' ')
                  .includes(shown(e))); }}""", timeout=20_000)
    except PlaywrightTimeout:
        pass  # the assertions on the labels say what they hold instead
    return pg.eval_on_selector_all(sel, "els => els.map(e => e.getAttribute('aria-label'))")


def _plain(label: str) -> None:
    assert "<" not in label and ">" not in label, label
    assert not ENTITY.search(label), label


def test_a_bot_message_is_labelled_with_its_plain_text(coll: Collection, browser) -> None:  # noqa: ANN001
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        ask_in_page(pg, SEED_QUESTION, 0)
        assert pg.locator("#rag-chat a.rag-cite").count() >= 1  # the bubble itself is HTML: a linked [1]...
        (label,) = _labels(pg, "bot")
        _plain(label)  # ...its label is not
        assert label.startswith("Answer: ") and "Khansir" in label and "[1]" in label, label
        assert "captured the town of Khansir" in label, label  # the cited sentence, in words
        assert "rag-" not in label and "href" not in label, label


def test_the_short_answer_citations_and_notices_are_read_as_text(coll: Collection, browser,  # noqa: ANN001
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rag = RAG(coll.settings, collection=coll, llm=None)
    start = ARTICLE.index("Rebels said")
    quote = ARTICLE[start:ARTICLE.index("city.") + len("city.")]
    passage = Passage(n=1, chunk_id="c1", article_id="a1", title="Rebels take <Khansir>", source="khansir.txt",
                      published="2024-12-01", score=1.0, text=ARTICLE, start=0, end=len(ARTICLE))
    answer = Answer(
        question=SEED_QUESTION, text=f"Khansir. {quote} [1]", refused=False,
        citations=(Citation(1, "a1", "Rebels take <Khansir>", "khansir.txt", "2024-12-01", quote, start,
                            start + len(quote)),),
        passages=(passage,), timings_ms={}, short_answer="Khansir", notices=(NOTICE,))
    monkeypatch.setattr(rag, "stream", lambda *a, **k: iter([answer]))
    with serving(rag) as url:
        pg = open_page(browser, url)
        ask_in_page(pg, SEED_QUESTION, 0)
        assert pg.locator("#rag-chat .rag-short b").inner_text() == "Khansir"  # bold on screen
        assert pg.locator("#rag-chat .rag-notice").count() == 1
        (label,) = _labels(pg, "bot")
        _plain(label)
        assert label.startswith("Answer: Khansir"), label
        assert quote in label and "[1]" in label and NOTICE in label, label
        assert "Rebels take <Khansir>" in pg.inner_text("#rag-sources")  # the title, escaped on the page


def test_a_question_with_markup_is_labelled_as_typed(coll: Collection, browser) -> None:  # noqa: ANN001
    question = "Which town did the rebels capture <i>south</i> of Aleppo & why?"
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        ask_in_page(pg, question, 0)
        (user,) = _labels(pg, "user")
        assert user == f"Question: {question}"  # gradio's own label: "user's message: ... &lt;i&gt;south ..."
        assert pg.locator("#rag-chat [data-testid='user'] i").count() == 0  # shown as text, not as markup
        (bot,) = _labels(pg, "bot")
        _plain(bot)
        assert "Khansir" in bot, bot


def _live(pg) -> str:  # noqa: ANN001
    return pg.eval_on_selector("#rag-live", "e => e.textContent")


def test_progress_is_announced_in_a_polite_live_region(coll: Collection, browser) -> None:  # noqa: ANN001
    llm = GatedLLM(["Rebels said they had captured ", "the town of Khansir south of Aleppo city [1]."])
    try:
        with serving(RAG(coll.settings, collection=coll, llm=llm)) as url:
            pg = open_page(browser, url)
            # one live region, in the page from the start (a region added with its text is not announced),
            # polite, outside the tabs (heard from any of them), and not shown
            region = pg.locator("#rag-live")
            assert region.count() == 1 and region.get_attribute("role") == "status"
            assert region.get_attribute("aria-live") == "polite" and _live(pg) == ""
            assert pg.locator("[role='tabpanel'] #rag-live").count() == 0
            assert region.evaluate("e => e.getBoundingClientRect().width") <= 1
            pg.fill("#rag-question textarea", SEED_QUESTION)
            pg.click("#rag-ask")
            pg.wait_for_selector("#rag-chat .rag-draft", timeout=60_000)  # the model writes from the passages found
            pg.wait_for_function("document.getElementById('rag-live').textContent.includes('the answer is being "
                                 "written')", timeout=10_000)  # (it said "Finding the passages" over the draft)
            llm.gate.set()
            pg.wait_for_selector("#rag-sources #src-0-1", timeout=60_000)
            pg.wait_for_function("(t => t.startsWith('Found 1 passage') && !t.includes('being written'))"
                                 "(document.getElementById('rag-live').textContent)", timeout=10_000)
            # the Timeline's progress goes to the same region
            pg.get_by_role("tab", name="Timeline").click()
            pg.fill("#rag-tl-topic textarea, #rag-tl-topic input", "Khansir")
            pg.click("#rag-tl-go")
            pg.wait_for_function("document.getElementById('rag-live').textContent.startsWith('The timeline is ready')",
                                 timeout=30_000)
            assert "Khansir" in _live(pg)
    finally:
        llm.gate.set()
