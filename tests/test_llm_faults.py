"""LLMAnswerer against tests/fault_server.py: the real ``openai`` client over real HTTP, scripted failures.

The client is built the default way, from OPENAI_BASE_URL / OPENAI_API_KEY, so these tests also
cover the lazily built client (SDK retries off, our timeout).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from fault_server import Fault, FaultServer
from llm_fixtures import SAMPLE_PASSAGES

from index.errors import LLMError
from index.settings import Settings
from rag.llm import LLMAnswerer
from rag.prompt import build_messages
from rag.types import Draft

KEY = "sk-fault-test-KEY-9876543210"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    srv = FaultServer().start()
    monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    try:
        yield srv
    finally:
        srv.stop()


def make(retries: int = 2, timeout: float = 5.0, *, real_sleep: bool = False) -> tuple[LLMAnswerer, list[float]]:
    sleeps: list[float] = []

    def fast_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def slow_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    settings = Settings(llm_model="fault-model", llm_retries=retries, llm_timeout=timeout)
    return LLMAnswerer(settings, sleep=slow_sleep if real_sleep else fast_sleep), sleeps


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


def test_timeout_is_retried(server: FaultServer) -> None:
    server.script = [Fault.sleep(5.0), Fault.ok("In time [1].")]
    llm, sleeps = make(timeout=0.5)
    started = time.monotonic()
    draft = llm.answer("q", SAMPLE_PASSAGES)
    assert draft.text == "In time [1]."
    assert len(server.completions) == 2 and len(sleeps) == 1
    assert time.monotonic() - started < 4.0  # gave up on the slow reply instead of waiting for it


def test_timeouts_until_retries_run_out(server: FaultServer) -> None:
    server.script = [Fault.sleep(5.0)] * 2
    llm, _ = make(retries=1, timeout=0.3)
    with pytest.raises(LLMError, match="timed out"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == 2


def test_429_retry_after_is_honoured(server: FaultServer) -> None:
    server.script = [Fault.status(429, retry_after="1"), Fault.ok("Ok [1].")]
    llm, sleeps = make(real_sleep=True)
    started = time.monotonic()
    assert llm.answer("q", SAMPLE_PASSAGES).text == "Ok [1]."
    assert sleeps == [1.0]
    assert len(server.completions) == 2
    gap = server.completions[1].at - server.completions[0].at
    assert gap >= 0.95 and time.monotonic() - started >= 0.95


def test_503_retry_after_is_capped(server: FaultServer) -> None:
    server.script = [Fault.status(503, retry_after="120"), Fault.ok("Ok [1].")]
    llm, sleeps = make()
    llm.answer("q", SAMPLE_PASSAGES)
    assert sleeps == [10.0]


def test_5xx_until_retries_run_out(server: FaultServer) -> None:
    server.script = [Fault.status(500), Fault.status(502), Fault.status(503)]
    llm, sleeps = make(retries=2)
    with pytest.raises(LLMError, match=r"failed 3 time.*HTTP 503"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == 3 and len(sleeps) == 2


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


def test_malformed_json_is_retried(server: FaultServer) -> None:
    server.script = [Fault.malformed_json(), Fault.ok("Ok [2].")]
    llm, _ = make()
    assert llm.answer("q", SAMPLE_PASSAGES).text == "Ok [2]."
    assert len(server.completions) == 2


def test_malformed_json_until_retries_run_out(server: FaultServer) -> None:
    server.default = Fault.malformed_json()
    llm, _ = make(retries=2)
    with pytest.raises(LLMError, match="malformed"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(server.completions) == 3


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm, sleeps = make(retries=2)
    with pytest.raises(LLMError, match="connection failed"):
        llm.answer("q", SAMPLE_PASSAGES)
    assert len(sleeps) == 2


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


def test_stream_timeout_before_any_delta_is_retried(server: FaultServer) -> None:
    server.script = [Fault.sleep(5.0), Fault.ok("Ok [1].")]
    llm, _ = make(timeout=0.5)
    deltas, draft = collect(llm)
    assert "".join(deltas) == draft.text == "Ok [1]."
    assert len(server.completions) == 2


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


def test_stream_without_finish_reason_is_an_error(server: FaultServer) -> None:
    server.script = [Fault.no_finish(""), Fault.ok("Ok [1].")]
    llm, _ = make()
    deltas, draft = collect(llm)
    assert draft.text == "Ok [1]."
    assert len(server.completions) == 2


def test_stream_429_then_success(server: FaultServer) -> None:
    server.script = [Fault.status(429, retry_after="0.2"), Fault.status(500), Fault.ok("Ok [1].")]
    llm, sleeps = make(retries=2)
    deltas, draft = collect(llm)
    assert "".join(deltas) == draft.text == "Ok [1]."
    assert len(server.completions) == 3
    assert sleeps[0] == pytest.approx(0.2)


def test_rewrite_over_http(server: FaultServer) -> None:
    server.script = [Fault.status(500), Fault.ok("Oslo tram line cost")]
    llm, _ = make()
    assert llm.rewrite([("Who approved the tram?", "Oslo [1].")], "How much?") == "Oslo tram line cost"
    assert len(server.completions) == 2
