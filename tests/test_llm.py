"""Unit tests of the prompt, reply parsing and LLMAnswerer logic, with a scripted fake client."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest
from llm_fixtures import SAMPLE_PASSAGES, ScriptedClient, chunks, completion, httpx, make_passage

from rag.errors import ConfigError, LLMError
from rag.settings import Settings
from rag.llm import LLMAnswerer
from rag.prompt import (
    REFUSAL,
    MarkerFilter,
    build_messages,
    build_rewrite_messages,
    count_tokens,
    fit_passages,
    is_refusal,
    render_passage,
    strip_markers,
)
from rag.types import Draft

REPO = Path(__file__).resolve().parents[1]
_REQ = httpx.Request("POST", "http://llm.test/v1/chat/completions")


def status_error(cls: type[openai.APIStatusError], code: int, headers: dict[str, str] | None = None, body=None,
                 request: httpx.Request = _REQ):
    return cls(f"Error code: {code}", response=httpx.Response(code, headers=headers or {}, request=request), body=body)


def answerer(
    script: list, *, retries: int = 2, context_tokens: int = 1000, **kw
) -> tuple[LLMAnswerer, ScriptedClient, list[float]]:
    client = ScriptedClient(list(script))
    sleeps: list[float] = []
    llm = LLMAnswerer(
        Settings(llm_model="fake-model", llm_retries=retries, context_tokens=context_tokens),
        client=client,
        sleep=sleeps.append,
        **kw,
    )
    return llm, client, sleeps


def run_stream(llm: LLMAnswerer, question: str = "When?", passages=SAMPLE_PASSAGES) -> tuple[list[str], Draft]:
    items = list(llm.stream(question, passages))
    deltas, final = items[:-1], items[-1]
    assert all(isinstance(d, str) for d in deltas)
    assert isinstance(final, Draft)
    return deltas, final


# --- prompt building ------------------------------------------------------------------------


def test_build_messages_lists_numbered_passages_then_question() -> None:
    msgs = build_messages("When was the tram approved?", SAMPLE_PASSAGES)
    assert [m["role"] for m in msgs] == ["system", "user"]
    system, user = msgs[0]["content"], msgs[1]["content"]
    assert REFUSAL in system and "[1]" in system and "Never invent" in system
    assert "[1] Oslo tram (2024-03-01, example.com)\nThe city council of Oslo" in user
    assert "[2] Tram costs (2024-03-01, example.com)\nConstruction" in user
    assert user.index("[1] Oslo") < user.index("[2] Tram") < user.index("Question: When was the tram approved?")
    assert user.rstrip().endswith("When was the tram approved?")


def test_render_passage_without_date() -> None:
    p = make_passage(3, "Text.", title="T", published=None)
    assert render_passage(p) == "[3] T (example.com)\nText."


def test_history_goes_between_system_and_question_without_old_markers() -> None:
    history = [("Who approved it?", "The city council [1]. It cost a lot [2][3].")]
    msgs = build_messages("And when?", SAMPLE_PASSAGES, history=history)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert msgs[1]["content"] == "Who approved it?"
    assert msgs[2]["content"] == "The city council. It cost a lot."
    assert "Question: And when?" in msgs[3]["content"]


def test_build_rewrite_messages() -> None:
    msgs = build_rewrite_messages([("Who built the tram?", "Oslo [1].")], "How much did it cost?")
    assert msgs[0]["role"] == "system" and "standalone" in msgs[0]["content"]
    assert "User: Who built the tram?" in msgs[1]["content"]
    assert "Assistant: Oslo." in msgs[1]["content"]
    assert "Follow-up question: How much did it cost?" in msgs[1]["content"]


def test_messages_are_pure_and_deterministic() -> None:
    assert build_messages("q", SAMPLE_PASSAGES) == build_messages("q", SAMPLE_PASSAGES)


# --- token budget -----------------------------------------------------------------------------


def test_count_tokens() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2


def test_count_tokens_works_without_network(tmp_path: Path) -> None:
    """A fresh process with an empty temp dir and sockets disabled still loads cl100k_base."""
    code = (
        "import socket\n"
        "def deny(*a, **k): raise OSError('network disabled in test')\n"
        "socket.socket.connect = deny; socket.create_connection = deny\n"
        "from rag.prompt import count_tokens\n"
        "print(count_tokens('hello world'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["TMPDIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"


def test_fit_passages_keeps_order_and_drops_whole_passages() -> None:
    small1 = make_passage(1, "Short one.")
    big = make_passage(2, "A long sentence about trams. " * 40)
    small3 = make_passage(3, "Short three.")
    cost = lambda p: count_tokens(render_passage(p)) + 2  # noqa: E731
    budget = cost(small1) + cost(small3) + 5
    kept = fit_passages([small1, big, small3], budget)
    assert [p.n for p in kept] == [1, 3]  # the big one is dropped whole, the later small one still fits
    assert kept[0] is small1 and kept[1] is small3
    assert fit_passages([small1, big, small3], 10_000) == [small1, big, small3]
    assert fit_passages([big], 10) == []


# --- reply parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "text", "dropped"),
    [
        ("Approved in March [1].", "Approved in March [1].", []),
        ("Approved [1, 2].", "Approved [1][2].", []),
        ("Approved [1][2].", "Approved [1][2].", []),
        ("Approved 【1】 and 【2†source】.", "Approved [1] and [2].", []),
        ("Approved [1-2].", "Approved [1][2].", []),
        ("Approved [7]. Costly [2].", "Approved. Costly [2].", [7]),
        ("Approved [1, 7].", "Approved [1].", [7]),
        ("Approved [7] in March [1].", "Approved in March [1].", [7]),
        ("One [9]\n\nTwo [1].", "One\n\nTwo [1].", [9]),
        ("[3] Leading marker, then text [1].", "Leading marker, then text [1].", [3]),
        ("Keeps [sic] and [a link](x) and [] and [1.", "Keeps [sic] and [a link](x) and [] and [1.", []),
        ("  spaced out [1]  \n", "spaced out [1]", []),
        ("Twice [1] and [1].", "Twice [1] and [1].", []),
    ],
)
def test_marker_filter(reply: str, text: str, dropped: list[int]) -> None:
    whole = MarkerFilter({1, 2})
    assert whole.feed(reply) + whole.finish() == text
    assert whole.dropped == dropped
    # fed one character at a time (the worst streaming split) gives the same text
    step = MarkerFilter({1, 2})
    assert "".join(step.feed(ch) for ch in reply) + step.finish() == text
    assert step.dropped == dropped


def test_strip_markers() -> None:
    assert strip_markers("A [1]. B [2, 3] C 【4】.") == "A. B C."


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (REFUSAL, True),
        ("I could not find this in the articles", True),
        ("i couldn’t find this in the articles.", True),
        ("I could not find the answer in the provided passages.", True),
        ("", True),
        ("   ", True),
        ("[1].", True),
        ("The tram was approved in March [1].", False),
        ("The council said: I could not find this in the articles [1].", False),
    ],
)
def test_is_refusal(text: str, refused: bool) -> None:
    assert is_refusal(text) is refused


# --- LLMAnswerer.answer ----------------------------------------------------------------------


def test_answer_sends_built_messages_and_parses_markers(caplog: pytest.LogCaptureFixture) -> None:
    llm, client, _ = answerer([completion("It was approved on 3 March 2024 [1]. It costs 2 billion [2][5].")])
    with caplog.at_level(logging.INFO, logger="rag.prompt"):
        draft = llm.answer("When was it approved?", SAMPLE_PASSAGES)
    assert llm.name == "llm:fake-model"
    assert len(client.calls) == 1
    call = client.calls[0]
    assert call["model"] == "fake-model" and call["temperature"] == 0
    assert tuple(call["messages"]) == draft.messages == build_messages("When was it approved?", SAMPLE_PASSAGES)
    assert draft.text == "It was approved on 3 March 2024 [1]. It costs 2 billion [2]."
    assert draft.dropped_markers == (5,)
    assert not draft.refused
    assert draft.usage == {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    assert "[5]" in caplog.text
    # and the user is told, not only the log (the tester's C9)
    assert draft.notices == ("Removed citation markers that point at no passage the model was given: [5]",)


def test_answer_estimates_usage_when_server_reports_none() -> None:
    llm, _, _ = answerer([completion("Approved [1].", usage=False)])
    draft = llm.answer("q", SAMPLE_PASSAGES)
    assert draft.usage["completion_tokens"] == count_tokens("Approved [1].")
    assert draft.usage["prompt_tokens"] >= sum(count_tokens(m["content"]) for m in draft.messages or ())
    assert draft.usage["estimated"] is True  # a JSON boolean, not 1 (the tester's C15)


@pytest.mark.parametrize("reply", [REFUSAL, "Sorry, I couldn't find the answer in the provided passages [1]."])
def test_answer_refusal(reply: str | None) -> None:
    llm, _, _ = answerer([completion(reply)])
    draft = llm.answer("Who won the match?", SAMPLE_PASSAGES)
    assert draft.refused
    assert draft.text == REFUSAL or draft.text.startswith("Sorry")
    assert draft.messages is not None


@pytest.mark.parametrize("reply", ["", None, "   \n\t  ", "[3]", "[1]."])
def test_a_blank_reply_is_asked_again_then_a_failure_not_a_refusal(reply: str | None) -> None:
    """An empty completion is the endpoint's fault (a token limit, a content filter, a reasoning
    model's text in reasoning_content): the model refuses in words (the tester's A6)."""
    llm, client, sleeps = answerer([completion(reply, finish="length")] * 3, retries=2)
    with pytest.raises(LLMError, match=r"returned an empty reply 3 time\(s\) \(finish_reason=length\).*RAG_ANSWERER"):
        llm.answer("Who won the match?", SAMPLE_PASSAGES)
    assert len(client.calls) == 3 and len(sleeps) == 2


def test_a_blank_reply_then_an_answer_is_the_answer() -> None:
    llm, client, sleeps = answerer([completion(""), completion("Approved in March [1].")])
    draft = llm.answer("q", SAMPLE_PASSAGES)
    assert draft.text == "Approved in March [1]." and not draft.refused
    assert len(client.calls) == 2 and len(sleeps) == 1


def test_no_passages_refuses_without_calling_the_llm() -> None:
    llm, client, _ = answerer([])
    draft = llm.answer("q", [])
    assert draft.refused and draft.text == REFUSAL and draft.messages is None
    assert client.calls == []


def test_passages_over_budget_are_left_out_with_a_notice() -> None:
    big = make_passage(3, "Long filler text about something else. " * 60)
    llm, client, _ = answerer([completion("Approved [1]. Also [3].")], context_tokens=100)
    draft = llm.answer("q", [SAMPLE_PASSAGES[0], big])
    sent = client.calls[0]["messages"][-1]["content"]
    assert "[1] Oslo tram" in sent and "[3]" not in sent
    assert draft.text == "Approved [1]. Also."  # [3] was not shown to the model: it cites nothing
    assert draft.dropped_markers == (3,)
    assert any("RAG_CONTEXT_TOKENS=100" in n for n in draft.notices)


def test_length_finish_adds_notice() -> None:
    llm, _, _ = answerer([completion("Approved on [1]", finish="length")])
    assert any("token limit" in n for n in llm.answer("q", SAMPLE_PASSAGES).notices)


# --- errors (retrying them is the SDK's job: rag.openai_client) --------------------------------


def test_sdk_failure_is_an_llm_error_with_the_fix() -> None:
    """The SDK gave up after its retries (its request says how many it made): we do not retry on
    top, and the error counts the attempts and says what to change."""
    third_try = httpx.Request("POST", "http://llm.test/v1/chat/completions", headers={"x-stainless-retry-count": "2"})
    llm, client, sleeps = answerer([status_error(openai.InternalServerError, 500, request=third_try), completion("x")])
    with pytest.raises(LLMError, match=r"failed 3 time\(s\): HTTP 500.*RAG_LLM_RETRIES.*RAG_ANSWERER"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(client.calls) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (status_error(openai.BadRequestError, 400), "rejected the request"),
        (status_error(openai.NotFoundError, 404), "RAG_LLM_MODEL"),
        (status_error(openai.RateLimitError, 429, body={"error": {"code": "insufficient_quota"}}), "quota"),
    ],
)
def test_client_errors_are_not_retried(error: Exception, message: str) -> None:
    llm, client, sleeps = answerer([error, completion("never")])
    with pytest.raises(LLMError, match=message):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(client.calls) == 1 and sleeps == []


def test_401_says_key_rejected_without_the_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-test-SECRET-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    body = {"error": {"message": f"Incorrect API key provided: {secret}"}}
    err = status_error(openai.AuthenticationError, 401, body=body)
    llm, client, _ = answerer([err])
    with caplog.at_level(logging.DEBUG), pytest.raises(LLMError, match="rejected the API key") as info:
        llm.answer("q", SAMPLE_PASSAGES)
    assert secret not in str(info.value) and secret not in caplog.text
    assert len(client.calls) == 1


def test_malformed_reply_is_an_llm_error() -> None:
    llm, client, _ = answerer(["<html>not json</html>", completion("Ok [1].")])
    with pytest.raises(LLMError, match="not a chat completion"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(client.calls) == 1


def test_programming_errors_are_not_swallowed() -> None:
    llm, _, _ = answerer([TypeError("bug")])
    with pytest.raises(TypeError):
        llm.answer("q", SAMPLE_PASSAGES)


# --- streaming --------------------------------------------------------------------------------


def test_stream_deltas_concatenate_to_final_text() -> None:
    pieces = ["It was appr", "oved [", "1]. It co", "sts 2 billion [2,", " 9]", "."]
    llm, client, _ = answerer([chunks(pieces, usage=True)])
    deltas, draft = run_stream(llm)
    assert "".join(deltas) == draft.text == "It was approved [1]. It costs 2 billion [2]."
    assert len(deltas) > 1
    assert draft.dropped_markers == (9,)
    assert draft.usage["total_tokens"] == 120
    assert client.calls[0]["stream"] is True and client.calls[0]["temperature"] == 0
    assert draft.messages == tuple(client.calls[0]["messages"])


@pytest.mark.parametrize("pieces", [[], ["  ", "\n"], ["[7]", "  "]])
def test_a_blank_stream_is_asked_again_then_a_failure_not_a_refusal(pieces: list[str]) -> None:
    llm, client, sleeps = answerer([chunks(pieces)] * 2, retries=1)
    got: list[object] = []
    with pytest.raises(LLMError, match=r"returned an empty reply 2 time\(s\) \(finish_reason=stop\)"):
        for item in llm.stream("q", SAMPLE_PASSAGES):
            got.append(item)
    assert got == [] and len(client.calls) == 2 and len(sleeps) == 1


def test_a_blank_stream_then_an_answer_is_the_answer() -> None:
    llm, client, _ = answerer([chunks([" "]), chunks(["Fine [1]."])])
    deltas, draft = run_stream(llm)
    assert "".join(deltas) == draft.text == "Fine [1]." and len(client.calls) == 2


def test_a_stream_of_only_a_marker_is_a_failure_once_shown() -> None:
    llm, client, _ = answerer([chunks(["[1]"]), chunks(["never"])])
    with pytest.raises(LLMError, match=r"empty reply 1 time\(s\)"):
        list(llm.stream("q", SAMPLE_PASSAGES))
    assert len(client.calls) == 1


def test_stream_error_before_first_delta_is_retried() -> None:
    broken = chunks(["[", "1"])[:3] + [openai.APIConnectionError(request=_REQ)]  # only a held-back marker
    llm, client, sleeps = answerer([broken, chunks(["Fine [1]."])])
    deltas, draft = run_stream(llm)
    assert "".join(deltas) == draft.text == "Fine [1]."
    assert len(client.calls) == 2 and len(sleeps) == 1


def test_stream_request_failure_is_not_retried_on_top_of_the_sdk() -> None:
    llm, client, sleeps = answerer([openai.APIConnectionError(request=_REQ), chunks(["never"])])
    with pytest.raises(LLMError, match="connection failed"):
        run_stream(llm)
    assert len(client.calls) == 1 and sleeps == []


def test_stream_error_after_deltas_raises_at_once() -> None:
    broken = chunks(["Half an answer", " and more"])[:3] + [openai.APIConnectionError(request=_REQ)]
    llm, client, _ = answerer([broken, chunks(["never"])])
    got: list[str] = []
    with pytest.raises(LLMError, match="broke off"):
        for item in llm.stream("q", SAMPLE_PASSAGES):
            got.append(item)  # type: ignore[arg-type]
    assert got == ["Half an answer", " and more"]
    assert len(client.calls) == 1


def test_stream_without_finish_reason_is_truncated() -> None:
    llm, client, sleeps = answerer([chunks([], finish=None)] * 3, retries=2)
    with pytest.raises(LLMError, match=r"failed 3 time\(s\): malformed reply.*finish_reason"):
        run_stream(llm)
    assert len(client.calls) == 3 and len(sleeps) == 2


# --- rewrite ----------------------------------------------------------------------------------


def test_rewrite_without_history_makes_no_call() -> None:
    llm, client, _ = answerer([])
    assert llm.rewrite([], "What about Oslo?") == "What about Oslo?"
    assert client.calls == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('"Oslo tram line cost"\nBecause the user asked...', "Oslo tram line cost"),
        ("Query: Oslo tram line cost", "Oslo tram line cost"),
        ("", "How much did it cost?"),
    ],
)
def test_rewrite(reply: str, expected: str) -> None:
    llm, client, _ = answerer([completion(reply)])
    history = [("Who approved the tram?", "The Oslo council [1].")]
    assert llm.rewrite(history, "How much did it cost?") == expected
    assert tuple(client.calls[0]["messages"]) == build_rewrite_messages(history, "How much did it cost?")


# --- client construction ----------------------------------------------------------------------


def test_missing_key_and_base_url_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    llm = LLMAnswerer(Settings())  # constructing is fine: the client is built lazily
    with pytest.raises(ConfigError, match="RAG_ANSWERER=extractive"):
        llm.answer("q", SAMPLE_PASSAGES)


def test_default_client_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    llm = LLMAnswerer(Settings(llm_timeout=7.5, llm_retries=4))
    client = llm._get_client()
    assert isinstance(client, openai.OpenAI)
    assert str(client.base_url).startswith("http://127.0.0.1:9/v1")
    assert client.max_retries == 4 and client.timeout == 7.5
    assert client.api_key == "not-needed"
    assert llm._get_client() is client
