"""Stop while the local model reads its prompt, then ask again (new user 28, 3 times of 3).

Before: Stop showed "Stopped", and then Ask and Enter did nothing until New chat or a reload. The
chat's answer stream was blocked inside ``next`` (the model computing its first word for 20 s and
more on two cores), so Gradio could not close it ("generator already executing") and the page kept
the stopped answer for running. Now the stream runs on a worker thread (``ui.background.polled``)
and the handler is suspended at a ``yield`` several times a second, so it closes at once; the stop
reaches the model through ``rag.cancel`` and llama.cpp's abort callback, so the stopped answer does
not hold the model until its first word either.

The model is scripted (``ThinkingLlama``: it "reads the prompt" for ``think`` seconds, asking the
abort callback between steps as llama.cpp does, then streams), behind the real ``LocalAnswerer``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import gradio as gr
import pytest

import rag.local_llm
import ui.chat
from index.collection import Collection
from rag.api import RAG
from rag.cancel import requested, stoppable
from rag.local_llm import LocalAnswerer
from rag.settings import Settings
from tests.llm_fixtures import SAMPLE_PASSAGES
from tests.ui_helpers import SEED_QUESTION, chromium, khansir_collection, serving
from ui.background import IDLE, polled
from ui.chat import LOCAL, Chat, Session
from ui.feedback import FeedbackLog

WORDS = ["Rebels captured ", "the town ", "of Khansir ", "[1]."]


class ThinkingLlama:
    """``llama_cpp.Llama`` as a CPU runs it: ``think`` seconds before the first token, during which
    the abort callback is asked every few milliseconds (a decode it aborts raises RuntimeError,
    as llama-cpp-python's does), then ``WORDS`` a ``step`` apart."""

    def __init__(self, think: float, step: float = 0.05) -> None:
        self.think, self.step, self.n_tokens = think, step, 0
        self.abort: Callable[[], bool] | None = None
        self.started = 0
        self.aborted = 0
        self.finished = threading.Event()  # the last generation ended (aborted, closed or done)

    def set_abort_callback(self, fn: Callable[[], bool]) -> None:
        self.abort = fn

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        return self._chunks()

    def _chunks(self) -> Iterator[dict[str, Any]]:
        self.started += 1
        self.finished.clear()
        try:
            end = time.monotonic() + self.think
            while time.monotonic() < end:
                if self.abort is not None and self.abort():
                    self.aborted += 1
                    raise RuntimeError("llama_decode returned 2")
                time.sleep(0.01)
            yield {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            for w in WORDS:
                time.sleep(self.step)
                yield {"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]}
            yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        finally:
            self.finished.set()


# --- ui.background.polled ----------------------------------------------------------------------------
def test_polled_yields_the_items_in_order_with_idle_while_none_comes() -> None:
    def slow() -> Iterator[int]:
        yield 1
        time.sleep(0.5)
        yield 2

    got = list(polled(slow, every=0.05))
    assert [g for g in got if g is not IDLE] == [1, 2]
    assert got[0] == 1 and got[-1] == 2 and IDLE in got  # the wait between them was not one blocked next()


def test_polled_raises_the_sources_error_in_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad source")

    it = polled(failing, every=0.05)
    assert next(it) == 1
    with pytest.raises(ValueError, match="bad source"):
        list(it)


def test_closing_polled_while_the_source_blocks_stops_and_closes_it_on_its_thread() -> None:
    seen: dict[str, Any] = {}
    closed = threading.Event()

    def blocking() -> Iterator[str]:
        seen["stop"] = stop = requested()  # the stop request reaches the source (rag.cancel)
        try:
            yield "first"
            while not stop.is_set():  # a model computing its next word, asking to be stopped
                time.sleep(0.01)
            yield "after stop"  # made, never shown
            yield "never made"
        finally:
            seen["closed on"] = threading.current_thread().name
            closed.set()

    it = polled(blocking, every=0.05, name="test-worker")
    assert next(it) == "first"
    assert next(it) is IDLE  # suspended at a yield while the source is busy: closable
    it.close()  # what Gradio does on Stop; it raised "generator already executing" before
    assert closed.wait(5)
    assert seen["closed on"] == "test-worker" and seen["stop"].is_set()
    assert requested() is None  # nothing leaks into the caller's context


def test_without_polled_nothing_can_be_stopped() -> None:
    assert requested() is None
    ev = threading.Event()
    with stoppable(ev):
        assert requested() is ev
    assert requested() is None


# --- the local answerer --------------------------------------------------------------------------------
def _local(llama: ThinkingLlama) -> LocalAnswerer:
    return LocalAnswerer(Settings(answerer="local"), llama=llama)


def _drain(answerer: LocalAnswerer, stop: threading.Event) -> list[Any]:
    with stoppable(stop):
        return list(answerer.stream("Which town did the rebels capture?", SAMPLE_PASSAGES))


def test_a_stop_while_the_model_reads_its_prompt_aborts_it_and_frees_the_model() -> None:
    llama = ThinkingLlama(think=30)
    answerer = _local(llama)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert _drain(answerer, stop) == []  # no word, no draft, no "empty reply" error: no one reads on
    assert time.monotonic() - started < 10  # not the 30 s the prompt would have taken
    assert llama.aborted == 1
    # the model is free: the next question is answered in full
    items = _drain(answerer, threading.Event())
    assert "".join(i for i in items if isinstance(i, str)) == "".join(WORDS)
    assert items[-1].text.startswith("Rebels captured")


def test_a_stop_while_waiting_for_another_answer_gives_up_without_a_model_call() -> None:
    llama = ThinkingLlama(think=30)
    answerer = _local(llama)
    first_stop, second_stop = threading.Event(), threading.Event()
    first = threading.Thread(target=_drain, args=(answerer, first_stop), daemon=True)
    first.start()
    while llama.started == 0:
        time.sleep(0.01)
    threading.Timer(0.3, second_stop.set).start()
    assert _drain(answerer, second_stop) == []  # waited for the lock, then stopped: gave up
    assert llama.started == 1
    first_stop.set()
    first.join(10)
    assert not first.is_alive() and llama.aborted == 1


def test_a_model_error_without_a_stop_is_still_raised() -> None:
    class Broken(ThinkingLlama):
        def _chunks(self) -> Iterator[dict[str, Any]]:
            raise RuntimeError("llama_decode returned -1")
            yield {}

    with pytest.raises(RuntimeError, match="returned -1"):
        _drain(_local(Broken(think=0)), threading.Event())


# --- the chat's handler ---------------------------------------------------------------------------------
@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


@pytest.fixture
def thinking(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThinkingLlama]:
    """The real LocalAnswerer on a ``ThinkingLlama``, offered in the chat as the local model."""
    llama = ThinkingLlama(think=30)
    local = _local(llama)
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: local.label)
    monkeypatch.setattr(rag.local_llm, "LocalAnswerer", lambda settings: local)
    yield llama
    llama.think = 0  # a generation still running ends soon


def test_the_answer_stream_closes_while_the_model_reads_and_the_next_question_is_answered(
        coll: Collection, thinking: ThinkingLlama) -> None:
    chat, session = Chat(RAG(coll.settings, collection=coll), FeedbackLog(coll.settings.feedback_path)), Session()
    steps = chat.respond(SEED_QUESTION, session, LOCAL, 5, "", "", "", "")
    idle = (gr.skip(),) * 4
    while thinking.started == 0:
        next(steps)
    # the model reads: the handler yields, changing nothing, so it can be stopped
    assert any(next(steps) == idle for _ in range(50))
    steps.close()  # Gradio's cancel; before, this raised "generator already executing" for 30 s
    chat.stop_showing(session)
    assert thinking.finished.wait(5) and thinking.aborted == 1

    thinking.think = 0.1
    *_, last = chat.respond("Which town did the rebels capture?", session, LOCAL, 5, "", "", "", "")
    assert "Khansir" in last[1][-1]["content"] and "rag-stopped" not in last[1][-1]["content"]


@pytest.mark.browser
@pytest.mark.slow
def test_after_stop_while_the_model_reads_the_next_question_is_answered_in_the_browser(
        coll: Collection, thinking: ThinkingLlama) -> None:
    from playwright.sync_api import expect

    with chromium() as b, serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = b.new_page(viewport={"width": 1440, "height": 960})
        pg.goto(url + "/")
        pg.wait_for_selector("#rag-question textarea")
        pg.get_by_label(rag.local_llm.LocalAnswerer(coll.settings).label).check()
        pg.fill("#rag-question textarea", SEED_QUESTION)
        pg.click("#rag-ask")
        deadline = time.monotonic() + 30
        while thinking.started == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thinking.started == 1  # the model is reading its prompt
        pg.locator("#rag-stop").click()
        expect(pg.locator("#rag-chat")).to_contain_text("Stopped", timeout=10_000)
        assert thinking.finished.wait(10) and thinking.aborted == 1  # not 30 s later
        thinking.think = 0.1
        pg.fill("#rag-question textarea", "Which town did the rebels capture?")
        pg.click("#rag-ask")  # before: did nothing, the question stayed in the box
        expect(pg.locator("#rag-chat .rag-answer").last).to_contain_text("Khansir", timeout=30_000)
        expect(pg.locator("#rag-question textarea")).to_have_value("")
