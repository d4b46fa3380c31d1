"""The chat UI as a new user met it: the chat's own Clear button, Stop and New chat during an answer,
typing the next question while one streams (and pressing Enter: it waits its turn in the chat,
Stop and New chat give it back to the box), a very long question, a refused answer with nothing
retrieved, a first question called a rewritten follow-up, the settings summary (As of, its refresh
order), and the Collection tab (ingest and poll counts, where poll results show, searches, removal).

The handlers are called directly where that proves the behaviour; the Clear and Stop buttons are
Gradio's and our wiring, so they are driven in Debian Chromium against a real server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gradio as gr
import pytest

from index.collection import Collection
from index.watch import WatchState
from rag.api import RAG
from rag.settings import Settings
from rag.types import Answer, Draft, Passage, TimeWindow
from tests.ui_helpers import (
    SEED_QUESTION, GatedLLM, ask_in_page, chromium, free_port, khansir_collection, open_page, serving,
)
from ui import render
from ui.chat import LLM, OFFLINE, Chat, Session
from ui.feedback import FeedbackLog
from ui.library import Library

QUESTION = SEED_QUESTION
PIECES = ["Rebels said they had captured ", "the town of Khansir south of Aleppo city [1]."]


@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


def make_chat(coll: Collection, llm: object | None = None) -> Chat:
    return Chat(RAG(coll.settings, collection=coll, llm=llm), FeedbackLog(coll.settings.feedback_path))


def respond(chat: Chat, session: Session, question: str, answerer: str = OFFLINE) -> Iterator[tuple]:
    return chat.respond(question, session, answerer, 5, "", "", "", "")


def contents(session: Session) -> str:
    return "\n".join(m["content"] for m in session.messages)


# --- Stop ------------------------------------------------------------------------------------------
def test_a_stopped_answer_keeps_no_unchecked_draft_in_the_conversation(coll: Collection) -> None:
    llm = GatedLLM(PIECES)
    llm.gate.set()
    chat, session = make_chat(coll, llm), Session()
    steps = respond(chat, session, QUESTION, LLM)
    next(steps)  # the question and "Searching..."
    next(steps)  # the passages found, in the sources panel, before the model's first word
    draft = next(steps)[1][-1]["content"]
    assert "being checked" in draft and "rag-cursor" in draft
    steps.close()  # what Gradio does to the running answer when Stop is pressed
    assert "rag-cursor" not in contents(session) and "being checked" not in contents(session)
    assert "Stopped" in session.messages[-1]["content"] and session.turns == []

    final = list(respond(chat, session, QUESTION, OFFLINE))[-1][1]  # the next question shows no draft either
    assert len(final) == 4 and not any("rag-cursor" in m["content"] for m in final)
    assert session.history == [(QUESTION, session.turns[0].answer.text)]  # the stopped one is no history


def test_the_stop_button_shows_the_stop_at_once_and_it_outlives_the_stream(coll: Collection) -> None:
    llm = GatedLLM(PIECES)
    chat, session = make_chat(coll, llm), Session()
    steps = respond(chat, session, QUESTION, LLM)
    next(steps)
    next(steps)  # the passages found; the model is still writing
    shown, kept = chat.stop(session)
    assert kept is session and "Stopped" in shown[-1]["content"] and "rag-cursor" not in shown[-1]["content"]
    llm.gate.set()
    next(steps)  # the stream still delivers a piece before Gradio closes it...
    steps.close()
    assert "Stopped" in session.messages[-1]["content"] and "rag-cursor" not in contents(session)  # ...not kept
    assert chat.stop(session) == (session.messages, session)  # nothing running: nothing changes
    assert len(session.messages) == 2 and session.turns == []


def test_stop_after_the_answer_leaves_it_alone(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    list(respond(chat, session, QUESTION))
    answer = session.messages[-1]["content"]
    chat.stop(session)
    assert session.messages[-1]["content"] == answer and len(session.turns) == 1


# --- Enter while an answer runs ----------------------------------------------------------------------
FOLLOW_UP = "What did the army say?"
SKIP = (gr.skip(), gr.skip())  # the queue handler leaves the box and the chat alone


def queue(chat: Chat, session: Session, question: str, answerer: str = OFFLINE, since: str = "") -> tuple:
    return chat.queue(question, session, answerer, 5, "", since, "", "")


def _streaming(coll: Collection) -> tuple[GatedLLM, Chat, Session, Iterator[tuple]]:
    """An LLM answer to QUESTION in mid-stream (its first piece shown, the model still writing)."""
    llm = GatedLLM(PIECES)
    chat, session = make_chat(coll, llm), Session()
    steps = respond(chat, session, QUESTION, LLM)
    next(steps)
    next(steps)  # the passages found, before the model's first word
    next(steps)
    return llm, chat, session, steps


def test_a_question_asked_while_an_answer_streams_waits_in_the_chat_and_is_answered_next(coll: Collection) -> None:
    llm, chat, session, steps = _streaming(coll)
    box, shown = queue(chat, session, FOLLOW_UP)  # the offline answerer, unlike the running answer
    assert box == "" and shown is session.messages and len(shown) == 4
    assert shown[2] == {"role": "user", "content": FOLLOW_UP} and "Waiting" in shown[3]["content"]
    assert "rag-cursor" in shown[1]["content"]  # the running answer goes on
    llm.gate.set()
    rest = list(steps)
    assert all(step[0] != "" for step in rest)  # the box is left alone: a question typed meanwhile stays
    assert [t.question for t in session.turns] == [QUESTION, FOLLOW_UP]
    assert [t.msg_index for t in session.turns] == [1, 3] and len(session.messages) == 4
    assert session.turns[1].answer.answerer == "extractive"  # the settings it was asked under
    assert "Waiting" not in contents(session) and 'class="rag-cite"' in session.messages[3]["content"]
    assert session.answering is None and session.waiting == []
    assert "Khansir" in rest[-1][3]  # the sources panel shows the last answer's passages


def test_enter_with_no_answer_running_or_on_the_running_question_changes_nothing(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    assert queue(chat, session, QUESTION) == SKIP  # respond() takes it
    llm, chat, session, steps = _streaming(coll)
    assert queue(chat, session, QUESTION) == SKIP  # the same Enter, after respond() took it
    assert queue(chat, session, "   ") == SKIP
    assert queue(chat, session, FOLLOW_UP)[0] == "" and queue(chat, session, FOLLOW_UP) == SKIP  # Enter + Ask
    assert len(session.waiting) == 1
    llm.gate.set()
    steps.close()


def test_a_question_queued_with_a_bad_setting_stays_in_the_box(coll: Collection) -> None:
    llm, chat, session, steps = _streaming(coll)
    with pytest.warns(UserWarning, match="Published from"):
        assert queue(chat, session, FOLLOW_UP, since="last tuesday") == SKIP
    assert session.waiting == [] and len(session.messages) == 2
    llm.gate.set()
    steps.close()


def test_stop_takes_the_waiting_questions_back_into_the_box(coll: Collection) -> None:
    llm, chat, session, steps = _streaming(coll)
    queue(chat, session, FOLLOW_UP)
    queue(chat, session, "Who lives in Aleppo?")
    shown, _ = chat.stop(session)
    assert len(shown) == 2 and "Stopped" in shown[1]["content"] and session.waiting == []
    assert chat.give_back("and the shops?", session) == f"{FOLLOW_UP}\nWho lives in Aleppo?\nand the shops?"
    assert chat.give_back("", session) == gr.skip()  # given back once
    llm.gate.set()
    next(steps)  # the stream delivers a last piece before Gradio closes it
    steps.close()
    assert session.turns == [] and len(session.messages) == 2  # nothing of the queue was asked


def test_new_chat_gives_the_waiting_question_back_to_the_box(coll: Collection) -> None:
    llm, chat, session, steps = _streaming(coll)
    queue(chat, session, FOLLOW_UP)
    box, messages, fresh, panel = chat.new_chat("", session)
    assert box == FOLLOW_UP and messages == [] and fresh.messages == [] and fresh is not session
    assert "rag-empty" in panel
    assert chat.new_chat("", fresh)[0] == gr.skip()  # nothing waiting: the box is left alone
    llm.gate.set()
    steps.close()


# --- what the page shows ---------------------------------------------------------------------------
def _answer(question: str, passages: Sequence[Passage] = (), refused: bool = True) -> Answer:
    return Answer(question=question, text="I could not find this in the articles.", refused=refused,
                  citations=(), passages=tuple(passages), timings_ms={}, search_query=question)


def test_a_very_long_question_does_not_push_the_sources_out_of_the_panel() -> None:
    question = "Tell me about the lighthouse of Skarn " * 400  # 15,200 characters
    p = Passage(n=1, chunk_id="c1", article_id="a1", title="Lighthouse of Skarn relit", source="a1.html",
                published="2022-08-06", score=0.5, text="The lighthouse of Skarn was relit on Saturday.", start=0, end=46)
    panel = render.sources_html(_answer(question, [p]))
    head = panel.split('<article', 1)[0]
    assert len(head) < 1000 and "…" in head and "Tell me about the lighthouse" in head
    bubble = render.answer_html(_answer(question, [p]), 0)
    assert len(bubble) < 1500 and "…" in bubble
    short = render.sources_html(_answer("Who relit it?", [p]))
    assert "<q>Who relit it?</q>" in short  # a normal question is shown whole


def test_a_refused_answer_with_nothing_retrieved_does_not_point_at_empty_sources(coll: Collection) -> None:
    chat = make_chat(coll)
    steps = list(chat.respond(QUESTION, Session(), OFFLINE, 5, "nosuchsource", "", "", ""))
    bubble = steps[-1][1][-1]["content"]
    assert "No passage matched" in steps[-1][3]  # the sources panel is empty...
    assert "closest passages are in the sources panel" not in bubble  # ...so the answer does not point there
    assert "no passage matched it under the sources and dates set in Settings" in bubble
    unfiltered = render.answer_html(_answer("What happened yesterday?"), 0)
    assert "no passage matched it." in unfiltered and "Settings" not in unfiltered


def test_a_first_question_is_not_called_a_rewritten_follow_up() -> None:
    p = Passage(n=1, chunk_id="c1", article_id="a1", title="Taiwan", source="a1.html", published="2022-08-02",
                score=0.5, text="Taipei 101 was lit up for the speaker.", start=0, end=38)
    latest = Answer(question="What is the latest on Taiwan?", text="2 August: Taipei 101 was lit up [1].",
                    refused=False, citations=(), passages=(p,), timings_ms={}, search_query="Taiwan",
                    time_window=TimeWindow(None, None, phrase="latest", recency=True))
    first = render.answer_html(latest, 0)  # a catch-up question searches its topic: no follow-up was rewritten
    assert "rewritten" not in first and "<q>Taiwan</q>" in first
    # nor later in a chat: its topic is the question's own word (tests/test_ui_newuser2.py)
    assert "rewritten" not in render.answer_html(latest, 1, follow_up=True)
    assert "understood: latest<" in first or "understood: latest</div>" in first  # not "latest (latest)"
    assert "(<q>latest</q>)" not in first


def test_a_follow_up_in_the_chat_is_still_called_rewritten(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    first = list(respond(chat, session, QUESTION))[-1][1][-1]["content"]
    second = list(respond(chat, session, "What did the army say about it?"))[-1][1][-1]["content"]
    assert "rewritten" not in first and "rewritten from your follow-up" in second


def test_the_settings_summary_names_the_as_of_date(coll: Collection) -> None:
    chat = make_chat(coll)
    assert "as of" not in chat.settings_summary(OFFLINE, 5, "", "", "", "")  # today: nothing to say
    html = chat.settings_summary(OFFLINE, 5, "", "", "", "2022-08-05")
    assert "<span>as of 2022-08-05</span>" in html and "1 article<" in html


def test_every_refresh_of_the_settings_summary_runs_in_one_ordered_queue(coll: Collection) -> None:
    from ui.app import build_app

    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    (summary,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-settings-summary"]
    refreshes = [f for f in demo.fns.values() if summary in f.outputs]
    assert len(refreshes) >= 5  # settings changes, page load, after add, remove and a poll
    # one at a time, first come first served: the page load's refresh cannot land after a setting's
    assert {(f.concurrency_id, f.concurrency_limit) for f in refreshes} == {("summary", 1)}


# --- counts in the Collection tab ----------------------------------------------------------------------
def test_a_search_of_the_article_list_says_how_many_match(coll: Collection, tmp_path: Path) -> None:
    f = tmp_path / "ferry.txt"
    f.write_text("Ferry strike ends\n\nThe ferry strike in Dunmarrow ended on Thursday.\n", encoding="utf-8")
    assert coll.ingest([str(f)]).count("added") == 1
    lib = Library(coll)
    table, _ = lib.listing("Ferry")
    assert "<p>1 match of 2 articles" in table and "Ferry strike ends" in table and "Khansir" not in table
    assert "<p>2 articles" in lib.listing("")[0] and "match" not in lib.listing("")[0]
    assert "<p>0 matches of 2 articles" in lib.listing("Quillon")[0]


def test_removing_an_article_names_it_by_its_title(coll: Collection, capsys: pytest.CaptureFixture[str]) -> None:
    lib = Library(coll)
    (aid,) = [v for _, v in lib.listing("")[1]["choices"]]
    table, _ = lib.remove(aid, "")
    assert "Rebels take Khansir" not in table
    assert f"Removed “Rebels take Khansir” ({aid})." in capsys.readouterr().out  # gradio prints an info toast here


def test_a_list_cut_at_its_limit_says_so(coll: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.library

    monkeypatch.setattr(ui.library, "_LIST_LIMIT", 1)  # the real limit is 200 rows
    f = tmp_path / "ferry.txt"
    f.write_text("Ferry strike ends\n\nThe ferry strike in Dunmarrow ended on Thursday.\n", encoding="utf-8")
    assert coll.ingest([str(f)]).count("added") == 1
    table, _ = Library(coll).listing("")
    assert "showing the first 1" in table and table.count("<tr>") == 2  # the header row and one article


def test_ingest_counts_include_the_items_refused_before_the_ingest(coll: Collection, tmp_path: Path) -> None:
    f = tmp_path / "ferry.txt"
    f.write_text("Ferry strike ends\n\nThe ferry strike in Dunmarrow ended on Thursday.\n", encoding="utf-8")
    html = list(Library(coll).add([str(f)], "not a url here", ""))[-1][0]
    assert "1 added · 1 failed" in html and "2/2 items" in html


def test_a_poll_counts_feeds_not_items(settings: Settings, fake_embedder) -> None:  # noqa: ANN001
    lib = Library(Collection.open(settings.model_copy(update={"allow_private_urls": True}), embedder=fake_embedder))
    state = WatchState.for_settings(lib.collection.settings)
    state.add(f"http://127.0.0.1:{free_port()}/feed.xml")  # nothing listens there: the poll fails
    html = list(lib.poll_feeds(""))[-1][0]
    assert "failed" in html and "1/1 feeds" in html and "items" not in html.split("</p>")[0]


def test_a_finished_poll_with_nothing_new_does_not_say_it_is_still_working() -> None:
    assert "working" in render.ingest_html([], 0, 2, unit="feeds")  # under way
    done = render.ingest_html([], 2, 2, unit="feeds")
    assert "working" not in done and "2/2 feeds · nothing new" in done


# --- in a real browser ---------------------------------------------------------------------------------
@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@contextmanager
def _gated(coll: Collection) -> Iterator[tuple[GatedLLM, str]]:
    """The UI served on 127.0.0.1 with a gated LLM (its answer streams until ``llm.gate`` is set,
    which is set on the way out whatever happened, so no thread is left waiting)."""
    llm = GatedLLM(PIECES)
    try:
        with serving(RAG(coll.settings, collection=coll, llm=llm)) as url:
            yield llm, url
    finally:
        llm.gate.set()


def _waiting(browser, url: str) -> object:  # noqa: ANN001
    """A page where FOLLOW_UP waits (Enter pressed) behind the streaming answer to QUESTION."""
    pg = _drafting(browser, url)
    pg.fill("#rag-question textarea", FOLLOW_UP)
    pg.press("#rag-question textarea", "Enter")
    pg.wait_for_selector("#rag-chat .rag-waiting", timeout=20_000)
    return pg


def _drafting(browser, url: str) -> object:  # noqa: ANN001
    """A page whose (gated) LLM answer to QUESTION is streaming: its draft is on screen."""
    pg = open_page(browser, url)
    pg.fill("#rag-question textarea", QUESTION)
    pg.click("#rag-ask")
    pg.wait_for_selector("#rag-chat .rag-draft", timeout=60_000)
    return pg


@pytest.mark.browser
@pytest.mark.slow
def test_the_chats_clear_button_forgets_the_conversation(coll: Collection, browser) -> None:  # noqa: ANN001
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        ask_in_page(pg, QUESTION, 0)
        pg.locator("#rag-chat button[aria-label='Clear']").click()
        pg.wait_for_selector("#rag-sources .rag-empty")  # the sources of the cleared answer go too
        ask_in_page(pg, "Who captured the town of Khansir?", 0)  # turn 0 again: a new conversation
        users = pg.locator("#rag-chat [data-testid='user']").all_inner_texts()
        assert users == ["Who captured the town of Khansir?"]
        assert "rewritten" not in pg.inner_text("#rag-chat")  # not read as a follow-up of the cleared one


@pytest.mark.browser
@pytest.mark.slow
def test_stop_in_the_browser_replaces_the_draft_and_the_next_question_starts_clean(coll: Collection,
                                                                                  browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _drafting(browser, url)
        pg.click("#rag-stop")
        pg.wait_for_function("document.querySelector('#rag-chat').innerText.includes('Stopped')", timeout=20_000)
        assert pg.locator("#rag-chat .rag-draft").count() == 0 and pg.locator("#rag-chat .rag-cursor").count() == 0
        llm.gate.set()  # the model finishes its sentence after the stop: it must not come back
        pg.get_by_label("Offline (extractive, no LLM)").check()
        ask_in_page(pg, QUESTION, 0)
        assert pg.locator("#rag-chat .rag-draft").count() == 0 and pg.locator("#rag-chat .rag-cursor").count() == 0
        assert pg.locator("#rag-chat [data-testid='user']").count() == 2


@pytest.mark.browser
@pytest.mark.slow
def test_the_next_question_typed_while_an_answer_streams_is_kept(coll: Collection, browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _drafting(browser, url)
        pg.fill("#rag-question textarea", "What did the army say?")  # typed while the model writes
        llm.gate.set()
        pg.wait_for_selector("#rag-sources #src-0-1", timeout=60_000)  # the answer is done
        pg.wait_for_function("!document.querySelector('#rag-chat .rag-draft')")
        assert pg.input_value("#rag-question textarea") == "What did the army say?"


@pytest.mark.browser
@pytest.mark.slow
def test_new_chat_while_an_answer_streams_does_not_bring_the_old_conversation_back(coll: Collection,
                                                                                   browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _drafting(browser, url)
        pg.get_by_role("button", name="New chat").click()
        pg.wait_for_selector("#rag-sources .rag-empty")
        llm.gate.set()
        assert llm.ended.wait(timeout=60)
        pg.get_by_label("Offline (extractive, no LLM)").check()
        ask_in_page(pg, "Who captured the town of Khansir?", 0)
        assert pg.locator("#rag-chat [data-testid='user']").all_inner_texts() == ["Who captured the town of Khansir?"]


@pytest.mark.browser
@pytest.mark.slow
def test_enter_while_an_answer_streams_queues_the_question_and_asks_it_next(coll: Collection,
                                                                           browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _drafting(browser, url)
        pg.fill("#rag-question textarea", FOLLOW_UP)
        pg.press("#rag-question textarea", "Enter")  # gradio's default: ignored, without a sign
        pg.wait_for_selector("#rag-chat .rag-waiting", timeout=20_000)
        assert "asked as soon as the answer above is done" in pg.inner_text("#rag-chat .rag-waiting")
        assert pg.locator("#rag-chat [data-testid='user']").all_inner_texts() == [QUESTION, FOLLOW_UP]
        pg.wait_for_function("document.querySelector('#rag-question textarea').value === ''")
        assert pg.locator("#rag-chat .rag-draft").count() == 1  # the running answer goes on
        llm.gate.set()
        pg.wait_for_selector("#rag-sources #src-1-1", timeout=60_000)  # the second turn's sources
        pg.wait_for_function("!document.querySelector('#rag-chat .rag-waiting, #rag-chat .rag-pending')")
        assert pg.locator("#rag-chat [data-testid='user']").all_inner_texts() == [QUESTION, FOLLOW_UP]
        bots = pg.locator("#rag-chat [data-testid='bot']")
        assert bots.count() == 2 and bots.nth(1).locator("a.rag-cite").count() >= 1


@pytest.mark.browser
@pytest.mark.slow
def test_stop_while_a_question_waits_puts_it_back_in_the_box(coll: Collection, browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _waiting(browser, url)
        pg.click("#rag-stop")
        pg.wait_for_function(f"document.querySelector('#rag-question textarea').value === {FOLLOW_UP!r}",
                             timeout=20_000)
        assert "Stopped" in pg.inner_text("#rag-chat") and pg.locator("#rag-chat .rag-waiting").count() == 0
        assert pg.locator("#rag-chat [data-testid='user']").all_inner_texts() == [QUESTION]
        llm.gate.set()
        pg.get_by_label("Offline (extractive, no LLM)").check()
        pg.press("#rag-question textarea", "Enter")  # asked now, as typed
        pg.wait_for_selector("#rag-sources #src-0-1", timeout=60_000)  # the stopped answer is no turn
        pg.wait_for_function("!document.querySelector('#rag-chat .rag-pending')")
        assert pg.locator("#rag-chat [data-testid='user']").all_inner_texts() == [QUESTION, FOLLOW_UP]


@pytest.mark.browser
@pytest.mark.slow
def test_new_chat_while_a_question_waits_puts_it_back_in_the_box(coll: Collection, browser) -> None:  # noqa: ANN001
    with _gated(coll) as (llm, url):
        pg = _waiting(browser, url)
        pg.get_by_role("button", name="New chat").click()
        pg.wait_for_function(f"document.querySelector('#rag-question textarea').value === {FOLLOW_UP!r}",
                             timeout=20_000)
        assert pg.locator("#rag-chat [data-testid='user']").count() == 0


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture
def feed_site(tmp_path: Path) -> Iterator[str]:
    """An RSS feed of two article pages, served on 127.0.0.1."""
    site = tmp_path / "site"
    site.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for name, title, text in (("a1", "Lighthouse of Skarn relit", "The lighthouse of Skarn was relit on Saturday."),
                              ("a2", "Skarn ferry timetable changes", "The Skarn ferry will run every forty minutes.")):
        (site / f"{name}.html").write_text(f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                                           f"<p>{text} The harbour master Ines Volk said so on Sunday.</p>"
                                           "</article></body></html>", encoding="utf-8")
    items = "".join(f"<item><title>{n}</title><link>{base}/{n}.html</link></item>" for n in ("a1", "a2"))
    (site / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Skarn News</title>'
                                   f"<link>{base}/</link>{items}</channel></rss>", encoding="utf-8")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.slow
def test_poll_results_show_next_to_the_feeds_and_the_chat_counts_the_new_articles(
        settings: Settings, fake_embedder, tmp_path: Path, feed_site: str, browser) -> None:  # noqa: ANN001
    s = settings.model_copy(update={"allow_private_urls": True})
    coll = Collection.open(s, embedder=fake_embedder)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):  # a list long enough to fill more than a screen
        (folder / f"story-{i:02}.txt").write_text(f"Story number {i}\n\nTown council {i} met on Monday.\n")
    assert coll.ingest([str(folder)]).count("added") == 40
    with serving(RAG(s, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        pg.get_by_role("tab", name="Collection").click()
        pg.locator("#rag-feeds-box").get_by_text("Watched feeds").click()
        pg.fill("#rag-feed-url textarea, #rag-feed-url input", feed_site + "/feed.xml")
        pg.click("#rag-feed-add")
        pg.wait_for_function("document.querySelector('#rag-feeds').innerText.includes('/feed.xml')", timeout=30_000)
        # Watch polls the new feed at once, as `rag watch URL` does (tests/test_ui_newuser4.py): its
        # items come with it; Poll now then finds nothing new
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('2 added')", timeout=60_000)
        for polled in ("2 added", "nothing new"):
            if polled == "nothing new":
                pg.click("#rag-feed-poll")
                pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('nothing new')",
                                     timeout=60_000)
            top, bottom, height = pg.evaluate(
                "(() => { const r = document.querySelector('#rag-ingest').getBoundingClientRect();"
                " return [r.top, r.bottom, innerHeight]; })()")
            assert bottom > 0 and top < height, "the poll's results are off-screen, away from the Poll button"
            assert "1/1 feeds" in pg.inner_text("#rag-ingest")
        pg.get_by_role("tab", name="Chat").click()
        pg.wait_for_function("document.querySelector('#rag-settings-summary').innerText.includes('42 articles')",
                             timeout=10_000)


def test_a_long_unbroken_title_stays_inside_the_article_list(settings: Settings, fake_embedder, tmp_path: Path,
                                                             browser) -> None:  # noqa: ANN001
    """A title of one long token pushed the article table past its column (over the ingest results)."""
    coll = Collection.open(settings, embedder=fake_embedder)
    doc = tmp_path / "long.txt"
    doc.write_text("<script>" + "x" * 300 + "</script>\n\nThe council met on Monday to discuss the budget.\n")
    assert coll.ingest([str(doc)]).count("added") == 1
    with serving(RAG(settings, collection=coll, llm=None)) as url:
        pg = open_page(browser, url)
        pg.get_by_role("tab", name="Collection").click()
        pg.wait_for_function("document.querySelector('#rag-articles').innerText.includes('xxxx')", timeout=30_000)
        box_right, table_right = pg.evaluate(
            "(() => { const box = document.querySelector('#rag-articles');"
            " const t = box.querySelector('table') || box;"
            " return [box.getBoundingClientRect().right, t.getBoundingClientRect().right]; })()")
        assert table_right <= box_right + 1, (table_right, box_right)
