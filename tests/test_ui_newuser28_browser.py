"""New user 28's upload in Debian Chromium against a real server (tests/test_ui_newuser28.py has the rest):

* item 3: files named with markup (``<b>bold</b> story.txt``) are listed as the user named them, as
  text, in the results and the collection (Gradio's copy drops the ``<b>``);
* item 4: with a long list of chosen files, Add and the ingest's progress stay in sight (the list
  scrolls inside its box; the progress sits right under Add), where they were thousands of pixels
  down the page, under the list.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from index.collection import Collection
from rag.api import RAG
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.ui_helpers import chromium, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 800}  # a laptop's window


class SlowEmbedder(HashEmbedder):
    """The hash embedder, a model batch taking 0.3 s: an ingest long enough to watch its progress."""

    def __call__(self, texts):  # noqa: ANN001, ANN204
        time.sleep(0.3)
        return super().__call__(texts)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _files(names: list[str]) -> list[dict[str, object]]:
    """The files as the browser's file picker hands them over, named as given."""
    return [{"name": n, "mimeType": "text/plain",
             "buffer": f"Dunmarrow ferry {i}\n\nThe Dunmarrow ferry sailed on day {i} of the month.\n".encode()}
            for i, n in enumerate(names)]


def _collection_tab(browser, url: str):  # noqa: ANN001, ANN202 - a Playwright browser and page
    pg = browser.new_page(viewport=VIEWPORT)
    pg.goto(url + "/")
    pg.wait_for_selector("#rag-question textarea")
    pg.get_by_role("tab", name="Collection").click()
    return pg


def _in_sight(pg, selector: str) -> tuple[bool, dict]:  # noqa: ANN001
    """Whether the top of ``selector``'s first element is inside the window (and its rectangle)."""
    box = pg.evaluate(f"""() => {{ const e = document.querySelector({selector!r});
        if (!e) return null; const r = e.getBoundingClientRect();
        return {{top: r.top, bottom: r.bottom, height: r.height, window: innerHeight}}; }}""")
    return bool(box) and 0 <= box["top"] and box["top"] + min(box["height"], 40) <= box["window"], box


def test_add_and_the_progress_stay_in_sight_of_a_long_list_of_files(settings: Settings, browser) -> None:  # noqa: ANN001
    with Collection.open(settings, embedder=SlowEmbedder()) as c, serving(RAG(settings, collection=c, llm=None)) as url:
        c.indexer.first_batch_chunks = c.indexer.batch_chunks = 2  # many small batches: a bar to watch
        pg = _collection_tab(browser, url)
        pg.set_input_files("#rag-upload input[type=file]", _files([f"story-{i:03}.txt" for i in range(40)]))
        pg.wait_for_function("document.querySelector('#rag-upload').innerText.includes('story-039')",
                             timeout=120_000)
        pg.evaluate("window.scrollTo(0, 0)")  # where the user dropped the files
        # the list scrolls inside its box: Add and the results under it are on the screen, not 2000 px down
        for selector in ("#rag-add", "#rag-ingest"):
            seen, box = _in_sight(pg, selector)
            assert seen, (selector, box)
        assert pg.evaluate("document.querySelector('#rag-upload').getBoundingClientRect().height") <= 400
        pg.click("#rag-add")
        bar = "#rag-ingest .wrap.full:not(.hide) .progress-bar"
        pg.wait_for_selector(bar, timeout=60_000)
        seen, box = _in_sight(pg, bar)
        assert seen, box  # the progress shows where the user just pressed Add
        seen, box = _in_sight(pg, "#rag-add")
        assert seen, box
        # the results' count under the bar, then the rows
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('40/40 items · 40 added')",
                             timeout=120_000)


def test_an_uploaded_name_holding_markup_shows_as_the_user_gave_it(settings: Settings, browser) -> None:  # noqa: ANN001
    bold, odd = "<b>bold</b> story.txt", 'why? "now" | a:b <i>.txt'
    with Collection.open(settings, embedder=HashEmbedder()) as c, serving(RAG(settings, collection=c, llm=None)) as url:
        pg = _collection_tab(browser, url)
        pg.set_input_files("#rag-upload input[type=file]", _files([bold, odd]))
        pg.wait_for_function("document.querySelector('#rag-upload').innerText.includes('why?')", timeout=120_000)
        pg.click("#rag-add")
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('2/2 items · 2 added')",
                             timeout=60_000)
        results = pg.inner_text("#rag-ingest")
        assert bold in results and odd in results, results  # as named, not as Gradio's copy ("why now  ab i.txt")
        pg.wait_for_function("document.querySelector('#rag-articles').innerText.includes('Dunmarrow ferry 1')")
        assert odd in pg.inner_text("#rag-articles")  # the stored file's name: what `rag list` shows
        assert "<b>bold<_b> story.txt" in pg.inner_text("#rag-articles")  # no "/" in a file name: said in the results
        assert pg.locator("#rag-ingest b, #rag-ingest i, #rag-articles b, #rag-articles i").count() == 0  # text, not markup
