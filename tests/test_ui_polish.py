"""What a new user met in the UI: Remove without a question, a remove picker that did not know file
names, table headers broken mid-word at 1280 px, no local-model choice, [n] markers that left the
focus behind, and internal events listed as API. Handlers are called directly (fake embedder); what
is visual or behavioural runs in Debian Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import rag.local_llm
import rag.models
from index.collection import Collection
from rag.api import RAG
from rag.models import ModelInfo
from rag.settings import Settings
from rag.types import Draft, Passage
from tests.ui_helpers import SEED_QUESTION, ask_in_page, chromium, khansir_collection, serving
from ui.app import build_app
from ui.chat import LOCAL, OFFLINE, Chat, Session
from ui.feedback import FeedbackLog
from ui.library import Library

MARKUP_TITLE = 'Budget <img src=x onerror="window.__xss=1"> report'
REPORT = (f"<html><head><title>{MARKUP_TITLE}</title></head><body><p>The council budget report was "
          "published on Monday with cuts to libraries and parks.</p></body></html>")
LONG_TITLE = ("Ferry operators and unions reach an agreement after a long dispute over pay and "
              "conditions in Dunmarrow harbour")


@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


def _upload_report(lib: Library, tmp_path: Path) -> str:
    """``report.html`` added through the upload path (kept as $RAG_HOME/uploads/report.html); its id."""
    f = tmp_path / "report.html"
    f.write_text(REPORT, encoding="utf-8")
    *_, (results, _, _) = lib.add([str(f)], "", "")
    assert "1 added" in results, results
    (aid,) = [a.id for a in lib.collection.db.list_articles("report.html")]
    return aid


def _dump(coll: Collection, tmp_path: Path, n: int = 3) -> Path:
    f = tmp_path / "dump.jsonl"
    f.write_text("\n".join(json.dumps({"title": f"Ferry story {i}", "text": f"The ferry sailed on day {i} of the "
                                                                           "month from Dunmarrow harbour."})
                           for i in range(n)), encoding="utf-8")
    assert coll.ingest([str(f)]).count("added") == n
    return f


# --- 1. Remove asks first ------------------------------------------------------------------------------
def test_remove_asks_before_anything_is_removed(coll: Collection) -> None:
    lib = Library(coll)
    (aid,) = [v for _, v in lib.listing("")[1]["choices"]]
    question, shown = lib.confirm_remove(aid)
    assert shown["visible"] is True
    assert "Remove 1 article from khansir.txt" in question and "Rebels take Khansir" in question
    assert coll.db.counts()["articles"] == 1  # asked, not removed
    table, _ = lib.remove(aid, "")  # "Yes, remove"
    assert "Rebels take Khansir" not in table and coll.db.counts()["articles"] == 0


def test_the_remove_button_only_asks_and_yes_removes(coll: Collection) -> None:
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    ids = {b._id: getattr(b, "elem_id", None) for b in demo.blocks.values()}
    by_button: dict[str, list] = {}
    for d in demo.fns.values():
        for block_id, event in d.targets:
            if event == "click" and ids.get(block_id):
                by_button.setdefault(ids[block_id], []).append(d)
    (ask_first,) = by_button["rag-remove"]
    assert ask_first.fn.__name__ == "confirm_remove" and ask_first.api_visibility == "private"
    (removal,) = [d for d in by_button["rag-remove-yes"] if d.api_name == "remove"]
    assert removal.fn.__name__ == "remove" and removal.concurrency_id == "store-write"
    assert not any(d.fn is not None and d.fn.__name__ == "remove" for d in by_button["rag-remove"])


def test_nothing_chosen_or_unknown_asks_nothing(coll: Collection) -> None:
    lib = Library(coll)
    with pytest.warns(UserWarning, match="Choose an article"):
        lib.confirm_remove(None)
    with pytest.warns(UserWarning, match="no such article"):
        lib.confirm_remove("nope.pdf")
    assert coll.db.counts()["articles"] == 1


# --- 2. the picker knows file names ----------------------------------------------------------------------
def test_the_picker_names_articles_by_file_name_and_maps_back(coll: Collection, tmp_path: Path) -> None:
    lib = Library(coll)
    aid = _upload_report(lib, tmp_path)
    choices = lib.listing("")[1]["choices"]
    (label,) = [label for label, value in choices if value == aid]
    assert "report.html" in label and MARKUP_TITLE in label  # plain text: the dropdown shows labels as text
    home = str(coll.settings.home)
    assert not any(home in label or home in value for label, value in choices)  # no server path on the page
    assert lib.targets("report.html") == ([aid], "report.html")  # typed as the page shows it
    question, _ = lib.confirm_remove("report.html")
    assert "report.html" in question and "<img" not in question and "&lt;img src=x" in question  # escaped
    lib.remove("report.html", "")
    assert coll.db.counts()["articles"] == 1 and not coll.db.list_articles("report.html")


def test_every_article_of_a_dump_can_be_removed_by_its_file_name(coll: Collection, tmp_path: Path) -> None:
    lib = Library(coll)
    _dump(coll, tmp_path)
    choices = dict(lib.listing("")[1]["choices"])
    assert sum("dump.jsonl" in label for label in choices) == 4  # each record, and all of them
    (every,) = [v for label, v in choices.items() if label == "All 3 articles from dump.jsonl"]
    assert str(tmp_path) not in every
    question, _ = lib.confirm_remove(every)
    assert "Remove 3 articles from dump.jsonl?" in question
    assert coll.db.counts()["articles"] == 4
    lib.remove(every, "")
    assert [a.title for a in coll.db.list_articles()] == ["Rebels take Khansir"]


# --- 4. the local model is offered when installed ----------------------------------------------------------
def _local_info(available: bool):  # noqa: ANN202
    def info(settings: Settings, **kw: object) -> ModelInfo:
        return ModelInfo("answerer", "local", "local (Qwen2.5-Coder-1.5B)", available)
    return info


class FakeLocal:
    """Stands in for rag.local_llm.LocalAnswerer: records the settings it was built with."""

    built: list[Settings] = []
    asked: list[str] = []

    def __init__(self, settings: Settings) -> None:
        FakeLocal.built.append(settings)
        self.name, self.label = "local:fake-qwen", "local (Qwen2.5-Coder-1.5B)"

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of=None) -> Iterator[str | Draft]:  # noqa: ANN001
        FakeLocal.asked.append(question)
        text = "Rebels said on Sunday they had captured the town of Khansir south of Aleppo city [1]."
        yield text
        yield Draft(text, False)

    def rewrite(self, history, follow_up: str) -> str:  # noqa: ANN001
        return follow_up


@pytest.mark.parametrize("available", [True, False])
def test_the_local_model_is_a_choice_exactly_when_it_is_installed(coll: Collection, available: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rag.models, "local_llm_info", _local_info(available))
    chat = Chat(RAG(coll.settings, collection=coll, llm=None), FeedbackLog(coll.settings.feedback_path))
    choices = chat.answerer_choices()
    assert choices[0][1] == OFFLINE  # still the default: the local model takes seconds per answer
    assert (("local (Qwen2.5-Coder-1.5B)", LOCAL) in choices) is available
    assert [v for _, v in choices] == ([OFFLINE, LOCAL] if available else [OFFLINE])


def test_the_local_choice_answers_through_the_local_answerer(coll: Collection,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rag.models, "local_llm_info", _local_info(True))
    monkeypatch.setattr(rag.local_llm, "LocalAnswerer", FakeLocal)
    FakeLocal.built, FakeLocal.asked = [], []
    chat = Chat(RAG(coll.settings, collection=coll, llm=None), FeedbackLog(coll.settings.feedback_path))
    session = Session()
    *_, last = chat.respond(SEED_QUESTION, session, OFFLINE, 5, "", "", "", "")
    assert FakeLocal.asked == [] and session.turns[-1].answer.answerer != "local:fake-qwen"
    *_, last = chat.respond(SEED_QUESTION, session, LOCAL, 5, "", "", "", "")
    assert FakeLocal.asked == [SEED_QUESTION]
    assert [s.answerer for s in FakeLocal.built] == ["local"]  # built the way RAG_ANSWERER=local builds it
    assert session.turns[-1].answer.answerer == "local:fake-qwen"
    assert "local:fake-qwen" in last[1][-1]["content"] and 'href="#src-1-1"' in last[1][-1]["content"]
    assert "local (Qwen2.5-Coder-1.5B)" in chat.settings_summary(LOCAL, 5, "", "", "")


# --- 6. the API page lists the documented endpoints only -------------------------------------------------
def test_the_api_lists_only_the_documented_endpoints(coll: Collection) -> None:
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    info = demo.get_api_info()
    # README: the UI's Gradio API asks, adds, lists and removes articles; the Timeline's brief
    assert set(info["named_endpoints"]) == {"/ask", "/add", "/list_articles", "/remove", "/brief"}
    assert not info["unnamed_endpoints"]


# --- in a real browser -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _collection_tab(browser, url: str, width: int = 1280, height: int = 800):  # noqa: ANN001, ANN202
    pg = browser.new_page(viewport={"width": width, "height": height})
    pg.goto(url + "/")
    pg.wait_for_selector("#rag-question textarea")
    pg.get_by_role("tab", name="Collection").click()
    pg.wait_for_selector("#rag-articles table")
    return pg


# each cell's text as line boxes: more than one means it wrapped (mid-word or not)
_LINES = """els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);
  const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
  return [e.innerText.trim(), tops.size]; })"""


@pytest.mark.browser
@pytest.mark.slow
def test_collection_headers_and_short_cells_stay_on_one_line_at_1280(coll: Collection, tmp_path: Path,
                                                                    browser) -> None:  # noqa: ANN001
    f = tmp_path / "ferry.md"
    f.write_text(f"---\ntitle: {LONG_TITLE}\ndate: 2024-11-20\nauthor: Ann Writer\n---\n"
                 "The ferry strike in Dunmarrow ended on Thursday after talks.\n", encoding="utf-8")
    assert coll.ingest([str(f)]).count("added") == 1
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = _collection_tab(browser, url)
        heads = pg.eval_on_selector_all("#rag-articles th", _LINES)
        assert [h for h, _ in heads] == ["published", "title / source", "chunks", "chars", "id"]
        assert all(n == 1 for _, n in heads), heads  # "publi-shed" / "chu-nks" broke mid-word before
        short = pg.eval_on_selector_all("#rag-articles td.rag-fit", _LINES)
        assert any(t == "2024-11-20" for t, _ in short), short
        assert all(n == (1 if t else 0) for t, n in short), short  # an undated article's cell is empty
        assert pg.locator("#rag-articles th").first.evaluate("e => e.scrollWidth <= e.clientWidth")
        # the title column still wraps between words, and the table is not cut off: it fits or scrolls
        box = pg.eval_on_selector("#rag-articles .rag-articles", "e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
        assert box[0] <= box[1] or box[2] in ("auto", "scroll"), box
        assert LONG_TITLE in pg.inner_text("#rag-articles")


@pytest.mark.browser
@pytest.mark.slow
def test_remove_by_typed_file_name_asks_then_cancel_or_confirm(coll: Collection, tmp_path: Path,
                                                               browser) -> None:  # noqa: ANN001
    lib = Library(coll)
    _upload_report(lib, tmp_path)
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = _collection_tab(browser, url)
        pg.click("#rag-remove-choice input")
        pg.keyboard.type("report.html")
        options = pg.locator("#rag-remove-choice [role=option]")
        options.first.wait_for()
        assert options.count() == 1 and "report.html" in options.first.inner_text()
        assert MARKUP_TITLE in options.first.inner_text()  # markup shown as text...
        pg.keyboard.press("Enter")
        pg.click("#rag-remove")
        pg.wait_for_selector("#rag-remove-ask .rag-confirm")
        asked = pg.inner_text("#rag-remove-ask")
        assert "Remove 1 article from report.html" in asked and MARKUP_TITLE in asked
        assert pg.locator("img[src='x']").count() == 0 and pg.evaluate("typeof window.__xss") == "undefined"
        assert coll.db.counts()["articles"] == 2  # nothing removed by the first click

        pg.click("#rag-remove-no")  # cancel: the question goes, the article and the choice stay
        pg.wait_for_selector("#rag-remove-confirm", state="hidden")
        assert coll.db.counts()["articles"] == 2
        assert "report.html" in pg.input_value("#rag-remove-choice input")

        pg.click("#rag-remove")
        pg.wait_for_selector("#rag-remove-yes", state="visible")
        pg.click("#rag-remove-yes")
        pg.wait_for_function("!document.querySelector('#rag-articles').innerText.includes('report.html')",
                             timeout=30_000)
        pg.wait_for_selector("#rag-remove-confirm", state="hidden")
        assert coll.db.counts()["articles"] == 1 and not coll.db.list_articles("report.html")


@pytest.mark.browser
@pytest.mark.slow
def test_enter_on_a_citation_marker_moves_focus_to_its_source_card(coll: Collection, browser) -> None:  # noqa: ANN001
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        pg.goto(url + "/")
        pg.wait_for_selector("#rag-question textarea")
        ask_in_page(pg, SEED_QUESTION, 0)
        marker = pg.locator("#rag-chat a.rag-cite").first
        target = marker.get_attribute("href").lstrip("#")
        marker.focus()
        pg.keyboard.press("Enter")
        pg.wait_for_function(f"document.activeElement && document.activeElement.id === '{target}'", timeout=5_000)
        pg.wait_for_timeout(1_500)  # the panel's re-render for the clicked message has come and gone
        assert pg.evaluate("document.activeElement.id") == target
        assert pg.evaluate("document.activeElement.classList.contains('rag-source')")
        inside = pg.evaluate(f"""() => {{ const r = document.getElementById('{target}').getBoundingClientRect();
            return r.top >= 0 && r.top < window.innerHeight; }}""")
        assert inside  # scrolled to
