"""One OpenAI client factory (rag/openai_client.py) for the answerer, the OpenAI embedder and the
eval judge: each gets RAG_LLM_RETRIES and RAG_LLM_TIMEOUT, and each really retries that many
times over HTTP (tests/fault_server.py on 127.0.0.1). The key is never logged."""

from __future__ import annotations

import logging

import numpy as np
import openai
import pytest
from fault_server import Fault, FaultServer, server_fixture

from evals.judge import Judge
from index.embed import OpenAIEmbedder, make_embedder
from rag.errors import ConfigError
from rag.llm import LLMAnswerer
from rag.openai_client import make_client
from rag.settings import Settings

KEY = "sk-factory-test-KEY-0123456789"

server = server_fixture(KEY)


def built_clients(settings: Settings) -> dict[str, object]:
    """The client each user of the factory builds by default."""
    return {
        "answer": LLMAnswerer(settings)._get_client(),
        "embed": make_embedder(settings.model_copy(update={"embedder": "openai"})).client,  # type: ignore[attr-defined]
        "judge": Judge("judge-model", settings=settings).client,
    }


def test_every_user_gets_retries_and_timeout_from_settings(server: FaultServer) -> None:
    settings = Settings(llm_retries=4, llm_timeout=7.5)
    clients = built_clients(settings)
    for purpose, client in clients.items():
        assert isinstance(client, openai.OpenAI), purpose
        assert (client.max_retries, client.timeout) == (4, 7.5), purpose
        assert str(client.base_url).rstrip("/") == server.base_url, purpose
        assert client.api_key == KEY, purpose
    # and a different setting gives a different client: nothing is hard-coded per user
    assert {c.max_retries for c in built_clients(Settings(llm_retries=0)).values()} == {0}


def test_the_key_is_never_logged(server: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client = make_client(Settings(), purpose="answer")
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert f"127.0.0.1:{server.port}" in caplog.text  # it does log where it talks to
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("purpose", "hint"),
    [("answer", "RAG_ANSWERER=extractive"), ("embed", "unset RAG_EMBEDDER"), ("judge", "drop --judge")],
)
def test_missing_key_and_url_says_what_to_set(monkeypatch: pytest.MonkeyPatch, purpose: str, hint: str) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match=f"OPENAI_API_KEY.*{hint}"):
        make_client(Settings(), purpose=purpose)  # type: ignore[arg-type]


def test_no_key_needed_for_a_compatible_server(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    client = make_client(Settings(), purpose="answer")
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert server.completions[0].headers["authorization"] == "Bearer not-needed"


# --- the retries really happen, per user, over HTTP -------------------------------------------------


@pytest.mark.parametrize("retries", [0, 1])
def test_embedder_retries_as_configured(server: FaultServer, retries: int) -> None:
    server.script = [Fault.status(503)]
    emb = OpenAIEmbedder("embed-model", settings=Settings(llm_retries=retries))
    if retries:
        vecs = emb(["one", "three"])
        assert vecs.shape == (2, 3)
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    else:
        with pytest.raises(openai.InternalServerError):
            emb(["one", "three"])
    assert len(server.embeddings) == retries + 1


@pytest.mark.parametrize("retries", [0, 1])
def test_judge_retries_as_configured(server: FaultServer, retries: int) -> None:
    server.script = [Fault.status(503), Fault.ok('{"faithfulness": 1, "correctness": 1}')]
    client = Judge("fault-model", settings=Settings(llm_retries=retries)).client
    messages = [{"role": "user", "content": "grade"}]
    if retries:
        reply = client.chat.completions.create(model="fault-model", messages=messages)
        assert "faithfulness" in reply.choices[0].message.content
    else:
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="fault-model", messages=messages)
    assert len(server.completions) == retries + 1


# --- an OPENAI_BASE_URL that is no URL (the tester's C8) ---------------------------------------------


@pytest.mark.parametrize("url", ["notaurl", "localhost:8080/v1", "ftp://example.org/v1", "http:///v1",
                                 "http://127.0.0.1:99999/v1", "http://user:s3cret@127.0.0.1:port/v1"])
@pytest.mark.parametrize("purpose", ["answer", "embed", "judge"])
def test_a_base_url_that_is_no_url_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, url: str, purpose: str
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(ConfigError, match=r"^invalid setting: OPENAI_BASE_URL='.*': should be http\(s\)://host\[:port\]/v1") as info:
        make_client(Settings(), purpose=purpose)  # type: ignore[arg-type]
    assert "s3cret" not in str(info.value) and KEY not in str(info.value)


def test_an_answer_with_a_base_url_that_is_no_url_fails_at_once_without_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_fixtures import SAMPLE_PASSAGES

    monkeypatch.setenv("OPENAI_BASE_URL", "notaurl")
    sleeps: list[float] = []
    llm = LLMAnswerer(Settings(llm_retries=2), sleep=sleeps.append)
    for run in (lambda: llm.answer("q", SAMPLE_PASSAGES), lambda: list(llm.stream("q", SAMPLE_PASSAGES))):
        with pytest.raises(ConfigError, match="OPENAI_BASE_URL='notaurl'"):
            run()
    assert sleeps == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1", "https://api.openai.com/v1", "http://[::1]:11434/v1",
                                 "https://api.groq.com/openai/v1", " http://localhost:8000/v1 "])
def test_base_urls_of_real_servers_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    assert make_client(Settings(), purpose="answer").max_retries == Settings().llm_retries
