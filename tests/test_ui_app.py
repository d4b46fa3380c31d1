"""ui.chat / ui.library / ui.feedback: the UI's handlers, called directly (no browser, fake embedder)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import gradio as gr
import pytest

from rag.errors import ConfigError, LLMError, RagError
from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from rag.types import Draft, Passage
from ui.app import build_app, parse_auth
from ui.chat import LLM, OFFLINE, Chat, Session, parse_filters
from ui.feedback import FeedbackLog
from tests.ui_helpers import SEED_QUESTION, khansir_collection
from ui.library import Library, parse_urls

QUESTION = SEED_QUESTION


class FakeLLM:
    """Streams a scripted answer (or fails), like rag.llm.LLMAnswerer."""

    name = "llm:fake-model"
    model = "fake-model"

    def __init__(self, pieces: Sequence[str] = (), fail: bool = False) -> None:
        self.pieces = list(pieces)
        self.fail = fail

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of=None) -> Iterator[str | Draft]:  # noqa: ANN001
        if self.fail:
            raise LLMError("connection refused by llm.test")
        yield from self.pieces
        yield Draft("".join(self.pieces), False)

    def rewrite(self, history, follow_up: str) -> str:  # noqa: ANN001
        return follow_up + " Khansir"


@pytest.fixture
def coll(settings: Settings, fake_embedder, tmp_path: Path) -> Collection:  # noqa: ANN001
    return khansir_collection(settings, fake_embedder, tmp_path)


def make_chat(coll: Collection, llm: object | None = None) -> Chat:
    rag = RAG(coll.settings, collection=coll, llm=llm)
    return Chat(rag, FeedbackLog(coll.settings.feedback_path))


def ask(chat: Chat, session: Session, question: str, answerer: str = OFFLINE, **kw: str) -> list[tuple]:
    """Every step the handler yields, with a snapshot of the chat at that moment."""
    steps = chat.respond(question, session, answerer, 5, kw.get("sources", ""), kw.get("since", ""), kw.get("until", ""),
                         kw.get("as_of", ""))
    return [(box, list(msgs), sess, panel) for box, msgs, sess, panel in steps]


# --- chat ------------------------------------------------------------------------------------------
def test_offline_answer_appears_with_cited_highlighted_source(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    steps = ask(chat, session, QUESTION)
    assert "Searching" in steps[0][1][-1]["content"] and steps[0][0] == ""
    box, msgs, sess, panel = steps[-1]
    assert sess is session and len(session.turns) == 1 and len(msgs) == 2
    assert msgs[0] == {"role": "user", "content": QUESTION}
    assert 'class="rag-cite" href="#src-0-1"' in msgs[1]["content"]
    assert "<mark>" in panel and "Khansir" in panel.split("<mark>")[1].split("</mark>")[0]
    assert session.turns[0].msg_index == 1 and session.turns[0].answer.answerer == "extractive"


def test_follow_up_is_rewritten_from_history_and_shown(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    ask(chat, session, QUESTION)
    steps = ask(chat, session, "Who said that?")
    turn = session.turns[1]
    assert turn.answer.search_query != "Who said that?" and "Khansir" in turn.answer.search_query
    assert "Khansir" in steps[-1][3]  # the sources panel names what was searched
    assert len(session.messages) == 4 and session.history[0][0] == QUESTION


def test_llm_answer_streams_then_resolves_citations(coll: Collection) -> None:
    pieces = ["Rebels said they had captured ", "the town of Khansir south of Aleppo city [1]."]
    chat = make_chat(coll, FakeLLM(pieces))
    assert chat.answerer_choices()[0] == ("LLM · fake-model", LLM)
    steps = ask(chat, Session(), QUESTION, answerer=LLM)
    partial = [s[1][-1]["content"] for s in steps if "rag-cursor" in s[1][-1]["content"]]
    assert len(partial) == 2 and "captured" in partial[0]
    assert all("being checked against the sources" in p for p in partial)  # a draft, and it says so
    final = steps[-1][1][-1]["content"]
    assert "rag-cursor" not in final and 'href="#src-0-1"' in final and "llm:fake-model" in final
    assert "being checked" not in final


def test_failed_llm_falls_back_to_offline_with_a_visible_notice(coll: Collection) -> None:
    chat = make_chat(coll, FakeLLM(fail=True))
    with pytest.warns(UserWarning, match="LLM failed"):
        steps = ask(chat, Session(), QUESTION, answerer=LLM)
    final = steps[-1][1][-1]["content"]
    assert "rag-notice" in final and "connection refused by llm.test" in final and "rag-cite" in final


def test_an_llm_answer_verification_withheld_is_no_failed_llm(coll: Collection) -> None:
    """The offline answer standing in for a model answer that verification withheld is no failure of
    the LLM: the UI warned "The LLM failed" (new user 13); the answer's own notice says what happened."""
    import warnings

    chat = make_chat(coll, FakeLLM(["The rebels were led by Napoleon Bonaparte in 1799 [1]."]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a toast.warn would raise here
        steps = ask(chat, Session(), QUESTION, answerer=LLM)
    final = steps[-1][1][-1]["content"]
    assert "showing the passages&#x27; best-supported sentences instead" in final or \
        "showing the passages' best-supported sentences instead" in final, final  # the offline answer stood in
    assert "rag-cite" in final and "LLM failed" not in final


def test_offline_choice_never_calls_the_llm(coll: Collection) -> None:
    chat = make_chat(coll, FakeLLM(fail=True))
    steps = ask(chat, Session(), QUESTION, answerer=OFFLINE)
    assert "rag-notice" not in steps[-1][1][-1]["content"]


@pytest.mark.parametrize(
    ("error", "shown"),
    [(RagError("the store is busy: wait for the ingest"), "the store is busy: wait for the ingest"),
     (RuntimeError("boom at 0xdeadbeef"), "Something went wrong (RuntimeError)")],
)
def test_errors_become_readable_messages(coll: Collection, monkeypatch: pytest.MonkeyPatch,
                                         error: Exception, shown: str) -> None:
    chat, session = make_chat(coll), Session()

    def broken(*a: object, **k: object) -> Iterator[str]:
        raise error

    monkeypatch.setattr(chat.rag, "stream", broken)
    with pytest.warns(UserWarning):
        steps = ask(chat, session, QUESTION)
    content = steps[-1][1][-1]["content"]
    assert "rag-error" in content and shown in content and "Traceback" not in content
    assert session.turns == []  # a failed question is not history
    # the sources panel leaves "Finding the passages ..." (it stayed there as if still searching)
    assert "could not be answered" in steps[-1][3] and "Finding the passages" not in steps[-1][3]


def test_bad_filters_and_empty_questions_warn_without_asking(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    with pytest.warns(UserWarning, match="YYYY|2024-12-01"):
        steps = ask(chat, session, QUESTION, since="yesterday")
    assert steps[-1][0] == QUESTION and session.messages == []
    with pytest.warns(UserWarning, match="Type a question"):
        ask(chat, session, "   ")
    assert session.messages == []


def test_as_of_setting_resolves_time_words_and_shows_what_was_understood(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    steps = ask(chat, session, "Which town did the rebels capture last week?", as_of="2024-12-03")
    answer = session.turns[-1].answer
    assert answer.as_of.isoformat() == "2024-12-03" and answer.time_window.label() == "2024-11-25 .. 2024-12-01"
    assert "understood: 2024-11-25 .. 2024-12-01" in steps[-1][3]  # next to the search query, sources panel
    assert session.turns[-1].options["as_of"] == "2024-12-03"
    with pytest.warns(UserWarning, match="As of.* must be a date"):
        steps = ask(chat, session, QUESTION, as_of="next Tuesday")
    assert len(session.turns) == 1  # not asked
    assert "rag-error" in chat.settings_summary(OFFLINE, 3, "", "", "", "3 Dec")


def test_filters_apply(coll: Collection) -> None:
    chat = make_chat(coll)
    steps = ask(chat, Session(), QUESTION, since="2030-01-01")
    assert "No passage matched" in steps[-1][3] and "could not find" in steps[-1][1][-1]["content"]


def test_parse_filters() -> None:
    f = parse_filters(" reuters, bbc ,", "2024-01-01", "")
    assert f.sources == ("reuters", "bbc") and str(f.published_from) == "2024-01-01" and f.published_to is None
    with pytest.raises(RagError, match="after"):
        parse_filters("", "2024-02-01", "2024-01-01")


def test_select_shows_the_sources_of_the_clicked_turn(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    ask(chat, session, QUESTION)
    ask(chat, session, "How long until the army counter-attacks?")
    panel = chat.select(session, gr.SelectData(None, {"index": 0, "value": QUESTION}))
    assert 'id="src-0-1"' in panel
    assert 'id="src-1-1"' in chat.select(session, gr.SelectData(None, {"index": 3, "value": ""}))


def test_settings_summary(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.models
    from rag.models import ModelInfo

    # the local model not installed (test_ui_polish.py: the choice when it is)
    monkeypatch.setattr(rag.models, "local_llm_info", lambda *a, **k: ModelInfo("answerer", "local", "local", False))
    chat = make_chat(coll)
    html = chat.settings_summary(OFFLINE, 3, "reuters", "", "")
    assert "Offline" in html and "3 passages" in html and "reuters" in html and "1 article<" in html
    assert "rag-error" in chat.settings_summary(OFFLINE, 3, "", "1 Dec", "")
    assert [v for _, v in chat.answerer_choices()] == [OFFLINE]


# --- feedback ------------------------------------------------------------------------------------------
def test_thumbs_append_the_rated_answer_to_feedback_jsonl(coll: Collection) -> None:
    chat, session = make_chat(coll), Session()
    ask(chat, session, QUESTION)
    ask(chat, session, "Who said that?")
    chat.like(session, gr.LikeData(None, {"index": 1, "value": "x", "liked": True}))
    chat.like(session, gr.LikeData(None, {"index": 3, "value": "x", "liked": False}))
    chat.like(session, gr.LikeData(None, {"index": 0, "value": "question, not an answer", "liked": True}))
    lines = [json.loads(line) for line in coll.settings.feedback_path.read_text().splitlines()]
    assert [e["rating"] for e in lines] == ["up", "down"]
    first = lines[0]
    assert first["question"] == QUESTION and "Khansir" in first["answer"] and first["citations"][0]["quote"]
    assert first["history"] == [] and first["options"]["top_k"] == 5
    assert lines[1]["history"][0][0] == QUESTION and lines[1]["search_query"]


def test_feedback_appends_are_serialised(tmp_path: Path, coll: Collection) -> None:
    answer = make_chat(coll).rag.ask(QUESTION)
    log = FeedbackLog(tmp_path / "fb" / "feedback.jsonl")
    threads = [threading.Thread(target=lambda: [log.record("up", answer) for _ in range(10)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = log.path.read_text().splitlines()
    assert len(lines) == 80 and all(json.loads(line)["question"] == QUESTION for line in lines)


# --- collection ----------------------------------------------------------------------------------------
def test_upload_add_update_unchanged_fail_then_list_and_remove(coll: Collection, tmp_path: Path) -> None:
    lib = Library(coll)
    up = tmp_path / "upload"
    up.mkdir()
    story, junk = up / "harbour.txt", up / "blob.bin"
    story.write_text("Harbour reopens\n\nThe harbour of Zembla reopened on Monday after repairs.\n")
    junk.write_bytes(b"\x00\x01")
    steps = list(lib.add([str(story), str(junk)], "not-a-url", ""))
    results, table, choices = steps[-1]
    assert "1 added" in results and "2 failed" in results and "not an http(s) URL" in results
    assert "unsupported file type" in results
    assert "Harbour reopens" in table and "2 articles" in table
    assert any(v for _, v in choices["choices"]) and (coll.settings.home / "uploads" / "harbour.txt").exists()

    assert "1 unchanged" in list(lib.add([str(story)], "", ""))[-1][0]
    story.write_text("Harbour reopens\n\nThe harbour of Zembla reopened on Tuesday after long repairs.\n")
    assert "1 updated" in list(lib.add([str(story)], "", ""))[-1][0]  # same name: replaced, not duplicated

    table, choices = lib.listing("Harbour")
    assert "Harbour reopens" in table and "Rebels take Khansir" not in table
    (aid,) = [v for _, v in choices["choices"]]
    table, _ = lib.remove(aid, "")
    assert "Harbour reopens" not in table and coll.db.counts()["articles"] == 1


def test_add_without_input_warns(coll: Collection) -> None:
    with pytest.warns(UserWarning, match="Choose files"):
        steps = list(Library(coll).add(None, "", ""))
    assert "Upload files" in steps[-1][0]


def test_remove_unknown_article_warns(coll: Collection) -> None:
    with pytest.warns(UserWarning, match="no such article"):
        Library(coll).remove("nope-not-there", "")


def test_parse_urls() -> None:
    urls, bad = parse_urls("https://a.example/x\n ftp://b.example/y  http://c.example")
    assert urls == ["https://a.example/x", "http://c.example"] and [b.item for b in bad] == ["ftp://b.example/y"]
    urls, bad = parse_urls("not a url\nhttps://d.example/z")
    assert urls == ["https://d.example/z"] and [b.item for b in bad] == ["not a url"]  # one failed line


# --- app ---------------------------------------------------------------------------------------------
def test_parse_auth() -> None:
    assert parse_auth(None) is None and parse_auth("ann:s3:cret") == ("ann", "s3:cret")
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(ConfigError, match="user:password"):
            parse_auth(bad)


def test_build_app_exposes_the_ask_endpoint(coll: Collection) -> None:
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    names = {d.api_name for d in demo.fns.values() if d.api_visibility == "public"}
    assert {"ask", "add", "list_articles", "remove"} <= names


def test_no_analytics_without_the_environment_variable(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Telemetry and the version check are off by argument, not by GRADIO_ANALYTICS_ENABLED (which
    ui.app no longer writes into os.environ): gradio's default without it is to phone home."""
    import gradio.analytics

    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    calls: list[str] = []
    monkeypatch.setattr(gradio.analytics, "version_check", lambda: calls.append("version_check"))
    monkeypatch.setattr(gradio.analytics, "_do_analytics_request", lambda **kw: calls.append(kw.get("topic", "?")))
    assert gradio.analytics.analytics_enabled()  # gradio's own default: on
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    assert demo.analytics_enabled is False
    assert calls == []


@pytest.mark.slow
def test_launch_binds_loopback_and_requires_basic_auth_when_set(coll: Collection) -> None:
    import httpx

    from tests.ui_helpers import free_port
    from ui.app import launch

    settings = coll.settings.model_copy(update={"ui_auth": "ann:s3cret", "ui_port": free_port()})
    demo = launch(settings, RAG(settings, collection=coll, llm=None), block=False)
    try:
        assert demo.server_name == "127.0.0.1" and demo.local_url == f"http://127.0.0.1:{settings.ui_port}/"
        with httpx.Client(base_url=demo.local_url, trust_env=False) as http:
            assert http.get("config").status_code == 401
            assert http.post("login", data={"username": "ann", "password": "wrong"}).status_code == 400
            assert http.post("login", data={"username": "ann", "password": "s3cret"}).status_code == 200
            assert http.get("config").status_code == 200
    finally:
        demo.close()


@pytest.mark.slow
def test_launch_without_a_password_refuses_other_sites_and_foreign_hosts(coll: Collection) -> None:
    """The UI can add and remove articles: a page of another site (Origin) or a DNS-rebinding page
    (its own Host name) may not drive it; the user's own browser on 127.0.0.1 may."""
    import httpx

    from tests.ui_helpers import free_port
    from ui.app import launch

    settings = coll.settings.model_copy(update={"ui_auth": None, "ui_port": free_port()})
    demo = launch(settings, RAG(settings, collection=coll, llm=None), block=False)
    port = settings.ui_port
    try:
        with httpx.Client(base_url=demo.local_url, trust_env=False) as http:
            assert http.get("config").status_code == 200
            assert http.get("config", headers={"origin": f"http://127.0.0.1:{port}"}).status_code == 200
            assert http.get("config", headers={"host": f"rebound.example:{port}"}).status_code == 403
            r = http.post("gradio_api/upload", headers={"origin": "http://evil.example"},
                          files={"files": ("a.txt", b"x", "text/plain")})
            assert r.status_code == 403 and "another site" in r.text
    finally:
        demo.close()
