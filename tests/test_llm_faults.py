"""LLMAnswerer against tests/fault_server.py: the real ``openai`` client over real HTTP, scripted failures.

The client is built the default way (``rag.openai_client.make_client`` from OPENAI_BASE_URL /
OPENAI_API_KEY), so these tests also show that RAG_LLM_RETRIES and RAG_LLM_TIMEOUT reach it. How
the SDK backs off (jitter, Retry-After) is the SDK's and not tested here; what is ours is: errors
become ``LLMError`` with a fix, and a stream is asked again only while nothing has been shown.
"""

from __future__ import annotations

import logging
import socket

import pytest
from fault_server import Fault, FaultServer, server_fixture
from llm_fixtures import SAMPLE_PASSAGES

from rag.errors import LLMError
from rag.settings import Settings
from rag.llm import LLMAnswerer
from rag.prompt import build_messages
from rag.types import Draft

KEY = "sk-fault-test-KEY-9876543210"

server = server_fixture(KEY)


def make(retries: int = 2, timeout: float = 5.0) -> tuple[LLMAnswerer, list[float]]:
    """An answerer with the default client; ``sleeps`` records our waits between stream restarts
    (the SDK's own waits between its retries are real and not recorded)."""
    sleeps: list[float] = []
    settings = Settings(llm_model="fault-model", llm_retries=retries, llm_timeout=timeout)
    return LLMAnswerer(settings, sleep=sleeps.append), sleeps


def collect(llm: LLMAnswerer) -> tuple[list[str], Draft]:
    items = list(llm.stream("When was the tram approved?", SAMPLE_PASSAGES))
    assert isinstance(items[-1], Draft)
    return [i for i in items[:-1] if isinstance(i, str)], items[-1]


# --- JSON replies ------------------------------------------------------------------------------


def test_success_over_http(server: FaultServer) -> None:
    server.script = [Fault.ok("Approved in March [1]. Not [4].")]
    llm, sleeps = make()
    draft = llm.answer("When was the tram approved?", SAMPLE_PASSAGES)
    assert draft.text == "Approved in March [1]. Not."
    assert draft.dropped_markers == (4,)
    assert draft.usage == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    (req,) = server.completions
    assert req.body is not None
    assert req.body["messages"] == list(build_messages("When was the tram approved?", SAMPLE_PASSAGES))
    assert req.body["temperature"] == 0 and req.body["model"] == "fault-model"
    assert req.headers.get("authorization") == f"Bearer {KEY}"
    assert sleeps == []


def test_timeout_and_retries_from_settings_reach_the_client(server: FaultServer) -> None:
    """Replies slower than RAG_LLM_TIMEOUT are abandoned (without it they would arrive, in time for
    the default 600 s timeout) and asked RAG_LLM_RETRIES more times; the error says what to raise."""
    server.script = [Fault.sleep(5.0)] * 2
    llm, sleeps = make(retries=1, timeout=0.3)
    with pytest.raises(LLMError, match=r"failed 2 time\(s\): timed out.*RAG_LLM_TIMEOUT") as info:
        llm.answer("q", SAMPLE_PASSAGES)
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert len(server.completions) == 2
    assert sleeps == []  # the SDK retried, not us


@pytest.mark.parametrize("retries", [0, 1])
def test_5xx_until_retries_run_out(server: FaultServer, retries: int) -> None:
    server.script = [Fault.status(502), Fault.status(503)]
    llm, _ = make(retries=retries)
    with pytest.raises(LLMError, match=rf"failed {retries + 1} time.*HTTP 50{retries + 2}.*RAG_LLM_RETRIES"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == retries + 1


def test_400_is_not_retried(server: FaultServer) -> None:
    server.script = [Fault.status(400, message="context length exceeded")]
    llm, _ = make()
    with pytest.raises(LLMError, match="context length exceeded"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == 1


def test_401_names_the_problem_not_the_key(server: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    server.script = [Fault.status(401, message=f"Incorrect API key provided: {KEY}")]
    llm, _ = make()
    with caplog.at_level(logging.DEBUG), pytest.raises(LLMError, match="rejected the API key") as info:
        llm.answer("q", SAMPLE_PASSAGES)
    assert KEY not in str(info.value) and KEY not in caplog.text
    assert len(server.completions) == 1


def test_malformed_json_is_an_llm_error(server: FaultServer) -> None:
    """A 200 whose body is broken JSON: named as such, with the fix (the SDK does not retry it)."""
    server.script = [Fault.malformed_json(), Fault.ok("Ok [2].")]
    llm, _ = make()
    with pytest.raises(LLMError, match="malformed.*RAG_ANSWERER=extractive"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == 1


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm, _ = make(retries=1)
    with pytest.raises(LLMError, match=rf"127.0.0.1:{port} failed 2 time\(s\): connection failed"):
        llm.answer("q", SAMPLE_PASSAGES)


# --- streams ----------------------------------------------------------------------------------


def test_stream_success_over_http(server: FaultServer) -> None:
    server.script = [Fault.ok("Approved in March [1, 2]. Not [7] this.")]
    llm, _ = make()
    deltas, draft = collect(llm)
    assert len(deltas) > 1
    assert "".join(deltas) == draft.text == "Approved in March [1][2]. Not this."
    assert draft.dropped_markers == (7,)
    assert draft.usage["total_tokens"] == 18  # from the include_usage chunk
    (req,) = server.completions
    assert req.body is not None and req.body["stream"] is True


def test_stream_cut_before_any_delta_is_retried(server: FaultServer) -> None:
    server.script = [Fault.cut_stream(""), Fault.ok("Ok [1].")]
    llm, sleeps = make()
    deltas, draft = collect(llm)
    assert "".join(deltas) == draft.text == "Ok [1]."
    assert len(server.completions) == 2 and len(sleeps) == 1


def test_stream_cut_after_deltas_raises(server: FaultServer) -> None:
    server.script = [Fault.cut_stream("Half an answer [1] that"), Fault.ok("never")]
    llm, _ = make()
    got: list[str | Draft] = []
    with pytest.raises(LLMError, match="broke off"):
        for item in llm.stream("q", SAMPLE_PASSAGES):
            got.append(item)
    assert got and "".join(str(g) for g in got).startswith("Half")
    assert len(server.completions) == 1  # the user already saw part of it: no silent retry


def test_stream_malformed_chunk_after_deltas_raises(server: FaultServer) -> None:
    server.script = [Fault.bad_chunk("Some text")]
    llm, _ = make()
    with pytest.raises(LLMError, match="malformed JSON"):
        collect(llm)
    assert len(server.completions) == 1


def test_stream_malformed_chunk_before_deltas_retries_then_fails(server: FaultServer) -> None:
    server.default = Fault.bad_chunk("")
    llm, sleeps = make(retries=2)
    with pytest.raises(LLMError, match=r"failed 3 time.*malformed JSON"):
        collect(llm)
    assert len(server.completions) == 3 and len(sleeps) == 2


def test_stream_without_finish_reason_is_asked_again(server: FaultServer) -> None:
    server.script = [Fault.no_finish(""), Fault.ok("Ok [1].")]
    llm, sleeps = make()
    deltas, draft = collect(llm)
    assert draft.text == "Ok [1]."
    assert len(server.completions) == 2 and len(sleeps) == 1


def test_stream_break_not_asked_again_with_no_retries(server: FaultServer) -> None:
    server.script = [Fault.cut_stream(""), Fault.ok("never")]
    llm, sleeps = make(retries=0)
    with pytest.raises(LLMError, match=r"failed 1 time\(s\)"):
        collect(llm)
    assert len(server.completions) == 1 and sleeps == []


def test_stream_rejected_request_is_retried_by_the_sdk_only(server: FaultServer) -> None:
    """A 5xx on the stream request itself is the SDK's to retry: we do not retry it on top
    (that would make (1 + retries)^2 requests)."""
    server.default = Fault.status(503)
    llm, sleeps = make(retries=1)
    with pytest.raises(LLMError, match=r"failed 2 time\(s\): HTTP 503"):
        collect(llm)
    assert len(server.completions) == 2 and sleeps == []


def test_rewrite_over_http(server: FaultServer) -> None:
    server.script = [Fault.status(500), Fault.ok("Oslo tram line cost")]
    llm, _ = make(retries=1)
    assert llm.rewrite([("Who approved the tram?", "Oslo [1].")], "How much?") == "Oslo tram line cost"
    assert len(server.completions) == 2


# --- a reply without a word: the endpoint's fault, not a refusal (the tester's A6) -------------------------


@pytest.mark.parametrize("fault", [Fault.ok(""), Fault.ok("  \n\t  "), Fault.reasoning()])
@pytest.mark.parametrize("stream", [False, True])
def test_a_blank_reply_is_asked_again_then_an_llm_error(server: FaultServer, fault: Fault, stream: bool) -> None:
    server.script = [fault] * 2
    llm, sleeps = make(retries=1)
    with pytest.raises(LLMError, match=r"returned an empty reply 2 time\(s\).*reasoning model"):
        collect(llm) if stream else llm.answer("When was the tram approved?", SAMPLE_PASSAGES)
    assert len(server.completions) == 2 and len(sleeps) == 1


def test_a_blank_reply_then_an_answer_over_http(server: FaultServer) -> None:
    server.script = [Fault.ok(""), Fault.ok("Approved in March [1].")]
    llm, _ = make(retries=1)
    deltas, draft = collect(llm)
    assert "".join(deltas) == draft.text == "Approved in March [1]." and len(server.completions) == 2
