"""The chat's history kept in the browser (ui.persist, Chat.save / Chat.restore), called directly: what
is stored (data, never HTML), that it comes back as it was shown and as follow-up context, that a
restored article string is still escaped, the cap, and that unreadable values start an empty chat.
tests/test_ui_chat_persist_browser.py drives the same through a reload and a restart in Chromium."""

from __future__ import annotations

import json
import logging
from typing import Any

import gradio as gr
import pytest

from index.collection import Collection
from rag.api import RAG
from rag.types import Answer, Citation, Passage, TimeWindow
from tests.test_ui_app import ask, coll, make_chat  # noqa: F401 - coll: the fixture
from tests.ui_helpers import SEED_QUESTION
from ui import persist, render
from ui.app import build_app
from ui.chat import Session

FOLLOW_UP = "What did the army say about it?"
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"


def through_the_browser(value: dict[str, Any]) -> Any:
    """The value as it comes back from localStorage: JSON, written and read."""
    return json.loads(json.dumps(value))


def is_skip(value: Any) -> bool:
    return value == gr.skip()


def hostile_record() -> dict[str, Any]:
    """A stored turn whose article strings (and question, answer, notice) carry markup."""
    title = f"Harbour {SCRIPT} reopens {IMG}"
    text = f"The harbour reopened on Monday {SCRIPT} after repairs {IMG}. Ships dock again."
    quote = f"The harbour reopened on Monday {SCRIPT} after repairs {IMG}."
    passage = Passage(1, "a1:c:0", "a1", title, f"https://news.example/{IMG}", "2024-11-20", 0.9, text, 0, len(text))
    cite = Citation(1, "a1", title, passage.source, "2024-11-20", quote, 0, len(quote), also_in=(f"x{SCRIPT}",))
    answer = Answer(f"When {SCRIPT}?", f"Monday {IMG}. {quote} [1]", False, (cite,), (passage,), {"total": 3.0},
                    notices=(f"note {SCRIPT}",), short_answer=f"Monday {IMG}", search_query=f"harbour {SCRIPT}",
                    time_window=TimeWindow(None, None, f"now {IMG}", True))
    return persist.turn_record(f"When {SCRIPT}?", answer, {"answerer": "offline", "top_k": 5, "sources": [],
                                                          "since": None, "until": None, "as_of": None})


# --- saving and restoring ------------------------------------------------------------------------------------
def test_a_restored_chat_is_shown_as_it_was_and_follow_ups_read_it(coll: Collection) -> None:  # noqa: F811
    chat, session = make_chat(coll), Session()
    ask(chat, session, SEED_QUESTION)
    ask(chat, session, FOLLOW_UP)
    stored = through_the_browser(chat.save(session))

    # the page is reloaded, or the server restarted: a new Chat, a new session, the browser's value
    again = make_chat(Collection.open(coll.settings, embedder=coll.embedder))
    fresh = Session()
    messages, kept, panel, rewrite = again.restore(stored, fresh)
    assert kept is fresh and is_skip(rewrite)
    assert messages == session.messages  # the same bubbles, markers, Copy buttons
    assert [(t.msg_index, t.options, t.follow_up) for t in fresh.turns] == [(1, session.turns[0].options, False),
                                                                           (3, session.turns[1].options, True)]
    assert fresh.history == session.history
    assert panel == render.sources_html(session.turns[1].answer, 1)  # the last answer's sources, as shown

    # a follow-up after the reload reads the restored turns: "it" is the town of the first answer
    steps = ask(again, fresh, "And when?")
    turn = fresh.turns[2]
    assert turn.follow_up and "Khansir" in (turn.answer.search_query or "")
    assert "rewritten from your follow-up" in steps[-1][1][-1]["content"]
    assert "Sunday" in turn.answer.text


def test_what_is_stored_is_data_without_html_prompts_or_server_paths(coll: Collection) -> None:  # noqa: F811
    chat, session = make_chat(coll), Session()
    ask(chat, session, SEED_QUESTION)
    stored = chat.save(session)
    assert stored["version"] == persist.VERSION and len(stored["turns"]) == 1
    turn = stored["turns"][0]
    assert set(turn) == {"question", "answer", "short_answer", "refused", "notices", "answerer", "search_query",
                         "as_of", "time_window", "total_ms", "citations", "passages", "options", "follow_up"}
    assert turn["question"] == SEED_QUESTION and turn["short_answer"] == "Khansir" and turn["refused"] is False
    assert set(turn["citations"][0]) == {"n", "article_id", "title", "source", "published", "quote", "start", "end",
                                         "also_in", "author"}
    assert turn["citations"][0]["title"] == "Rebels take Khansir" and "Khansir" in turn["citations"][0]["quote"]
    text = json.dumps(stored)
    assert "<" not in text and "rag-" not in text  # no markup of the page's
    assert str(coll.settings.home) not in text and str(coll.settings.home.parent) not in text  # no server path
    assert turn["citations"][0]["source"].endswith("/khansir.txt")  # as the page names it: folder/name
    assert "messages" not in text and "usage" not in text  # no prompt


def test_new_chat_stores_the_empty_chat(coll: Collection) -> None:  # noqa: F811
    chat, session = make_chat(coll), Session()
    ask(chat, session, SEED_QUESTION)
    box, messages, new, panel = chat.new_chat("", session)
    stored = chat.save(new)
    assert stored == persist.empty() and stored  # a value, not None: gradio's store writes no null
    assert all(is_skip(v) for v in chat.restore(through_the_browser(stored), Session()))


def test_nothing_stored_starts_the_chat_empty(coll: Collection) -> None:  # noqa: F811
    chat, session = make_chat(coll), Session()
    assert all(is_skip(v) for v in chat.restore(None, session)) and not session.messages


def test_a_question_asked_before_the_restore_came_is_not_overwritten(coll: Collection) -> None:  # noqa: F811
    chat, old = make_chat(coll), Session()
    ask(chat, old, SEED_QUESTION)
    stored = through_the_browser(chat.save(old))
    session = Session()
    ask(chat, session, FOLLOW_UP)
    before = list(session.messages)
    assert all(is_skip(v) for v in chat.restore(stored, session))
    assert session.messages == before and len(session.turns) == 1


# --- escaping ------------------------------------------------------------------------------------------------
def test_restored_article_strings_stay_escaped(coll: Collection) -> None:  # noqa: F811
    stored = through_the_browser(persist.dumped([hostile_record()]))
    session = Session()
    messages, _, panel, _ = make_chat(coll).restore(stored, session)
    shown = "".join(m["content"] for m in messages) + panel
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "&lt;script&gt;" in messages[0]["content"]  # the question too
    assert 'href="https://news.example/&lt;img' in panel  # the link's address escaped too
    assert session.turns[0].answer.citations[0].title == f"Harbour {SCRIPT} reopens {IMG}"  # as written


# --- the cap -------------------------------------------------------------------------------------------------
def test_the_last_turns_are_kept_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [dict(hostile_record(), question=f"question {i}") for i in range(persist.MAX_TURNS + 10)]
    stored = persist.dumped(records)
    assert [t["question"] for t in stored["turns"]] == [f"question {i}" for i in range(10, persist.MAX_TURNS + 10)]
    # a value stored with more (by hand, another version of the cap): its last turns
    more = {"version": persist.VERSION, "turns": records}
    assert [r.question for r in persist.restored(more)][0] == "question 10"
    # too many characters: the oldest turns go first
    size = len(json.dumps(records[0], separators=(",", ":")))
    monkeypatch.setattr(persist, "MAX_CHARS", size * 3 + 10)
    assert [t["question"] for t in persist.dumped(records)["turns"]] == [f"question {i}" for i in range(57, 60)]


# --- unreadable values ---------------------------------------------------------------------------------------
def _broken(**change: Any) -> dict[str, Any]:
    record = hostile_record()
    for key, value in change.items():
        if "." in key:
            outer, inner = key.split(".")
            record[outer] = [dict(record[outer][0], **{inner: value})]
        else:
            record[key] = value
    return {"version": persist.VERSION, "turns": [record]}


MALFORMED = [
    "text", 3, [], [{"question": "q"}], {"turns": []}, {"version": 2, "turns": [hostile_record()]},
    {"version": "1", "turns": [hostile_record()]}, {"version": persist.VERSION, "turns": {"0": hostile_record()}},
    {"version": persist.VERSION, "turns": ["<b>a turn of HTML</b>"]},
    # the shape before this store: the chat's HTML messages
    [{"role": "user", "content": "q"}, {"role": "assistant", "content": "<div class='rag-answer'>a</div>"}],
    _broken(question=None), _broken(answer=7), _broken(refused="no"), _broken(notices="one"), _broken(as_of="soon"),
    _broken(total_ms="fast"), _broken(options=[]), _broken(**{"options": {"top_k": "5"}}),
    _broken(**{"citations.n": "1"}), _broken(**{"citations.start": True}), _broken(**{"passages.text": None}),
    _broken(**{"citations.also_in": "x"}), _broken(time_window={"phrase": "now"}), _broken(citations=None),
]


@pytest.mark.parametrize("value", MALFORMED, ids=range(len(MALFORMED)))
def test_an_unreadable_stored_value_starts_empty_and_is_discarded(coll: Collection, value: Any,  # noqa: F811
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    chat, session = make_chat(coll), Session()
    with caplog.at_level(logging.DEBUG, logger="ui"):
        messages, kept, panel, rewrite = chat.restore(value, session)
    assert is_skip(messages) and is_skip(kept) and is_skip(panel) and not session.messages and not session.turns
    assert rewrite == persist.empty()  # replaced by the empty chat
    said = [r for r in caplog.records if r.name.startswith("ui.")]
    assert said and all(r.levelno == logging.DEBUG for r in said), said
    ask(chat, session, SEED_QUESTION)  # the chat works on
    assert len(session.turns) == 1


# --- the page --------------------------------------------------------------------------------------------------
def test_the_page_keeps_the_chat_in_the_browser_under_a_key_a_restart_reads(coll: Collection) -> None:  # noqa: F811
    def store(demo: gr.Blocks) -> gr.BrowserState:
        found = [b for b in demo.blocks.values() if isinstance(b, gr.BrowserState)]
        assert len(found) == 1
        return found[0]

    rag = RAG(coll.settings, collection=coll, llm=None)
    first, second = store(build_app(rag)), store(build_app(rag))
    assert (first.storage_key, first.secret) == (second.storage_key, second.secret)  # a restart reads it back
    assert str(coll.settings.home) not in first.storage_key
    other = coll.settings.model_copy(update={"collection": coll.settings.collection + "x"})
    assert persist.storage_key(other.home, other.collection) != first.storage_key  # another collection's chat
    demo = build_app(rag)
    ask_fn = next(d for d in demo.fns.values() if d.api_name == "ask")
    assert store(demo) not in ask_fn.outputs and store(demo) not in ask_fn.inputs  # the ask API is as it was
