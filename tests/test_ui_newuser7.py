"""The sources panel while a local (slow, streaming) model answers, and after Stop, as new user 7 met it.

The panel said "Finding the passages for this question…" all the while the model wrote its draft
(the passages had been found before it started), and still said it after Stop, at desktop and
phone widths: the last answer's sources were gone until an earlier message was clicked. Now it
shows the passages as soon as they are found, marked as the ones the answer is being written from;
after Stop it shows them with a note that the answer was stopped, or, when they had not been found
yet, the sources of the last answer that was finished.

The handlers are called directly for each case; Stop is Gradio's cancel and our wiring, so it is
also driven in Debian Chromium against a real server on 127.0.0.1, with a scripted slow model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import rag.local_llm
import ui.chat
from index.collection import Collection
from rag.api import RAG
from rag.followup import needs_context
from rag.settings import Settings
from tests.ui_helpers import SEED_QUESTION, GatedLLM, ask_in_page, chromium, khansir_collection, serving
from ui import render
from ui.chat import LLM, LOCAL, OFFLINE, Chat, Session
from ui.feedback import FeedbackLog

QUESTION = SEED_QUESTION
FOLLOW_UP = "What did they say about it?"  # leans on the last answer: the model rewrites it before the search
PIECES = ["Rebels said they had captured ", "the town of Khansir south of Aleppo city [1]."]
FINDING = "Finding the passages"
READING = "the answer is being written from the best of them"
STOPPED = "stopped before it was checked"


class SlowLocal(GatedLLM):
    """The local model as a CPU runs it: its answer streams a first piece, then waits for ``gate``;
    a follow-up's rewrite (before the search) waits for ``rewrite_gate``."""

    name = "local:fake-1b"
    label = "local (Fake-1B)"

    def __init__(self, pieces: Sequence[str]) -> None:
        super().__init__(pieces)
        self.rewrite_gate = threading.Event()
        self.rewriting = threading.Event()

    def rewrite(self, history, follow_up: str) -> str:  # noqa: ANN001
        self.rewriting.set()
        self.rewrite_gate.wait(timeout=60)
        return follow_up

    def release(self) -> None:
        """Let every waiting call finish (no thread is left waiting after a test)."""
        self.gate.set()
        self.rewrite_gate.set()


@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


@pytest.fixture
def slow() -> Iterator[SlowLocal]:
    llm = SlowLocal(PIECES)
    try:
        yield llm
    finally:
        llm.release()


@pytest.fixture
def local(slow: SlowLocal, monkeypatch: pytest.MonkeyPatch) -> SlowLocal:
    """``slow`` installed as the local model the chat offers beside the offline answerer (the report's setup)."""
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: slow.label)
    monkeypatch.setattr(rag.local_llm, "LocalAnswerer", lambda settings: slow)  # what RAG_ANSWERER=local builds
    return slow


def make_chat(coll: Collection, llm: object | None = None) -> Chat:
    return Chat(RAG(coll.settings, collection=coll, llm=llm), FeedbackLog(coll.settings.feedback_path))


def respond(chat: Chat, session: Session, question: str, answerer: str) -> Iterator[tuple]:
    return chat.respond(question, session, answerer, 5, "", "", "", "")


def finding(panel: object) -> bool:
    return isinstance(panel, str) and FINDING in panel


# --- the handlers -----------------------------------------------------------------------------------
def test_the_passages_show_once_found_while_the_local_model_writes_and_stay_after_stop(
        coll: Collection, local: SlowLocal) -> None:
    chat, session = make_chat(coll), Session()
    steps = respond(chat, session, QUESTION, LOCAL)
    assert finding(next(steps)[3])  # searching
    _, shown, _, panel = next(steps)  # the search is done; the model has not written a word yet
    assert "rag-pending" in shown[-1]["content"]  # the bubble still waits, its seconds counting
    assert not finding(panel) and READING in panel and "Khansir" in panel and 'class="rag-source"' in panel
    assert 'id="src-' not in panel  # no card an answer's [n] (or a test waiting for one) takes for its own
    _, shown, _, panel = next(steps)  # the draft
    assert "rag-draft" in shown[-1]["content"] and not isinstance(panel, str)  # the panel is left as it is

    shown, kept, panel = chat.stop_showing(session)
    assert kept is session and "Stopped" in shown[-1]["content"]
    assert not finding(panel) and STOPPED in panel and "Khansir" in panel and READING not in panel
    assert chat.stop(session) == (session.messages, session)  # the Stop handler's old shape
    assert not isinstance(chat.stop_showing(session)[2], str)  # nothing running: the panel stays
    local.gate.set()
    next(steps)  # the model's last words arrive after the stop...
    steps.close()
    assert "Stopped" in session.messages[-1]["content"] and session.turns == []  # ...and are not kept


def test_stop_before_the_passages_are_found_shows_the_last_finished_answers_sources(
        coll: Collection, local: SlowLocal) -> None:
    chat, session = make_chat(coll), Session()
    steps = respond(chat, session, QUESTION, LOCAL)
    assert finding(next(steps)[3])
    assert chat.stop_showing(session)[2] == render.sources_html(None)  # no answer before it: the empty panel
    steps.close()

    local.gate.set()
    list(respond(chat, session, QUESTION, OFFLINE))  # turn 0, finished
    assert needs_context(FOLLOW_UP, session.history)
    steps = respond(chat, session, FOLLOW_UP, LOCAL)
    assert finding(next(steps)[3])  # nothing searched yet (the model rewrites the follow-up first)
    panel = chat.stop_showing(session)[2]
    assert panel == render.sources_html(session.turns[0].answer, 0) and 'id="src-0-1"' in panel
    steps.close()


def test_stop_while_the_model_reads_the_passages_shows_them(coll: Collection, local: SlowLocal) -> None:
    """Stop after the search, before the model's first word (a CPU reads the passages for seconds):
    the report's Stop "within a few seconds"."""
    chat, session = make_chat(coll), Session()
    steps = respond(chat, session, QUESTION, LOCAL)
    next(steps)
    assert READING in next(steps)[3]
    panel = chat.stop_showing(session)[2]
    assert STOPPED in panel and "Khansir" in panel and not finding(panel)
    steps.close()


def test_answers_streaming_at_once_each_show_their_own_passages(coll: Collection, local: SlowLocal) -> None:
    """Sessions share the model: each answer hears of the passages it was given, not another's."""
    chat, first, second = make_chat(coll), Session(), Session()
    local.gate.set()
    a = respond(chat, first, QUESTION, LOCAL)
    b = respond(chat, second, "Who captured the town of Khansir?", LOCAL)
    next(a), next(b)
    assert "Who captured" in next(b)[3] and QUESTION in next(a)[3]
    list(a), list(b)
    for s in (first, second):  # what each was told is what its answer was written from
        assert s.found is not None and s.found == s.turns[0].answer.passages
    assert first.found != second.found  # the same article, scored for each question


def test_a_configured_llm_shows_the_passages_it_reads_too(coll: Collection, slow: SlowLocal) -> None:
    chat, session = make_chat(coll, slow), Session()
    slow.gate.set()
    steps = list(respond(chat, session, QUESTION, LLM))
    panels = [s[3] for s in steps if isinstance(s[3], str)]
    assert finding(panels[0]) and READING in panels[1] and 'id="src-0-1"' in panels[-1]
    assert len(panels) == 3 and session.turns[0].answer.answerer == slow.name


# --- in a real browser -------------------------------------------------------------------------------
DESKTOP = {"width": 1440, "height": 960}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _page(browser, url: str, viewport: dict) -> object:  # noqa: ANN001
    pg = browser.new_page(viewport=viewport)
    pg.goto(url + "/")
    pg.wait_for_selector("#rag-question textarea")
    return pg


def _ask(pg, question: str) -> None:  # noqa: ANN001
    pg.fill("#rag-question textarea", question)
    pg.click("#rag-ask")


def _stopped_with_the_passages(pg) -> None:  # noqa: ANN001
    """Ask, and Stop while the draft streams: the panel showed the passages, and shows them after Stop."""
    from playwright.sync_api import expect

    panel = pg.locator("#rag-sources")
    _ask(pg, QUESTION)
    pg.wait_for_selector("#rag-chat .rag-draft", timeout=60_000)
    expect(panel).to_contain_text(READING, timeout=5_000)
    expect(panel.locator("article.rag-source")).to_have_count(1)
    expect(panel).not_to_contain_text(FINDING)
    pg.locator("#rag-stop").click()
    expect(pg.locator("#rag-chat")).to_contain_text("Stopped", timeout=5_000)
    expect(panel).to_contain_text(STOPPED, timeout=5_000)
    expect(panel).to_contain_text("Khansir")
    expect(panel).not_to_contain_text(FINDING)


@pytest.mark.browser
@pytest.mark.slow
def test_stop_in_the_browser_leaves_no_finding_placeholder(coll: Collection, local: SlowLocal,
                                                          browser) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        desktop = _page(browser, url, DESKTOP)
        desktop.get_by_label(local.label).check()
        _stopped_with_the_passages(desktop)

        # on a phone: the sidebar, closed at this width, is opened to pick the local model
        phone = _page(browser, url, PHONE)
        phone.locator(".sidebar .toggle-button").first.click()
        phone.get_by_label(local.label).check()
        phone.locator(".sidebar .toggle-button").first.click()
        _stopped_with_the_passages(phone)
        phone.close()

        # Stop before the passages are found: the last finished answer's sources come back
        local.gate.set()  # the stopped answers' model finishes (its words do not come back)
        desktop.get_by_label("Offline (extractive, no LLM)").check()
        ask_in_page(desktop, QUESTION, 0)
        desktop.get_by_label(local.label).check()
        _ask(desktop, FOLLOW_UP)
        assert local.rewriting.wait(timeout=30)
        panel = desktop.locator("#rag-sources")
        expect(panel).to_contain_text(FINDING, timeout=5_000)
        desktop.locator("#rag-stop").click()
        expect(panel.locator("#src-0-1")).to_have_count(1, timeout=5_000)
        expect(panel).not_to_contain_text(FINDING)
        desktop.close()
