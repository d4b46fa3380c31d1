"""What a new user of the REST API, the MCP server and ``--json`` tripped over:

- A JSON body posted without ``Content-Type: application/json`` (``curl -d``, ``requests.post(data=...)``)
  was a 422 "Input should be a valid dictionary": now a 415 that says to send the header (when the
  body looks like JSON; otherwise what the route takes).
- ``"top_k": "3"`` was taken (pydantic's lax mode): numbers and booleans of every request body are
  strict, and a string for one is a 422 naming the field and the type.
- Some error bodies had ``"code": null``: every one carries a stable machine-readable code.
- MCP passages named the publication date ``date`` where REST says ``published``.
- ``RagError`` had no ``fix``: it has one now (a class default where the remedy is always the same),
  and ``--json`` failures and REST error bodies carry it.

The real FastAPI app through its TestClient (and a real server on 127.0.0.1 for the streamed 413),
the MCP server through the official client in memory, over small dated articles and the hash embedder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from mcp import Client
from typer.testing import CliRunner

import index.collection
from rag import service
from rag.api import RAG
from rag.cli import app as cli
from rag.cli.output import error_json, fail, json_errors
from rag.errors import (ConfigError, EmbedderMismatchError, InputError, LLMError, RagError, StoreBusyError,
                        StoreError)
from rag.http_api import AskRequest, ChatMessage, ChatRequest, SearchRequest, UrlsRequest, create_app
from rag.mcp_server import build_server
from tests.conftest import SEEDS
from tests.fakes import HashEmbedder, folder_rag
from tests.test_serve import Running

KEY = "polish-key-0123456789abcdef"
ARTICLES = {
    "harbour.txt": "date 2024-05-06 Harbour reopens in Veldmark\n\n"
                   "The harbour of Veldmark reopened on Monday after two weeks of repairs to the quay.\n",
    "market.txt": "date 2024-05-12 Market opens in Lunden\n\n"
                  "The new covered market of Lunden opened on Sunday with forty stalls.\n",
}
CHAT = {"messages": [{"role": "user", "content": "When did the harbour of Veldmark reopen?"}]}
CODE = re.compile(r"^[a-z][a-z_]*[a-z]$")


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RAG]:
    rag, coll = folder_rag(tmp_path_factory.mktemp("polish"), ARTICLES, "polish")
    yield rag
    coll.close()


@pytest.fixture(scope="module")
def api(rag: RAG) -> Iterator[TestClient]:
    with TestClient(create_app(rag, api_key=""), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as client:
        yield client


def error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error object of ``r``, checked: the status, OpenAI's envelope, a non-null stable code."""
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert isinstance(err["message"], str) and err["message"] and isinstance(err["type"], str), err
    assert isinstance(err["code"], str) and CODE.match(err["code"]), err
    assert err["code"] == code, err
    return err


# --- 1. a JSON body without Content-Type: application/json ------------------------------------------

BODIES = {"/v1/search": {"query": "harbour"}, "/v1/ask": {"question": "harbour?"}, "/v1/chat/completions": CHAT,
          "/v1/articles": {"urls": ["https://example.org/a"]}}


# /v1/articles reads a body without a Content-Type as JSON, as it always has: not in the no-header cases
@pytest.mark.parametrize(("route", "ctype"), [
    *((route, ctype) for route in BODIES for ctype in ("text/plain", "application/x-www-form-urlencoded")),
    *((route, None) for route in BODIES if route != "/v1/articles"),
])
def test_a_json_body_without_the_json_content_type_says_to_send_it(api: TestClient, route: str,
                                                                    ctype: str | None) -> None:
    body = BODIES[route]
    r = api.post(route, content=json.dumps(body).encode(), headers={"content-type": ctype} if ctype else {})
    err = error(r, 415, "unsupported_media_type")
    assert "looks like JSON" in err["message"], err
    assert (repr(ctype) if ctype else "without a Content-Type") in err["message"], err
    assert "Content-Type: application/json" in err["fix"], err


def test_a_body_that_is_not_json_is_not_told_it_only_lacks_the_header(api: TestClient) -> None:
    r = api.post("/v1/search", content=b"query=harbour", headers={"content-type": "application/x-www-form-urlencoded"})
    err = error(r, 415, "unsupported_media_type")
    assert "looks like JSON" not in err["message"] and "a JSON object" in err["message"], err
    r = api.post("/v1/articles", content=b"urls=x", headers={"content-type": "application/x-www-form-urlencoded"})
    err = error(r, 415, "unsupported_media_type")
    assert "looks like JSON" not in err["message"] and "multipart/form-data" in err["message"], err


def test_the_json_content_type_still_works(api: TestClient) -> None:
    r = api.post("/v1/search", json={"query": "harbour Veldmark", "top_k": 1})
    assert r.status_code == 200 and len(r.json()["passages"]) == 1, r.text
    r = api.post("/v1/search", content=b'{"query": "harbour"}',
                 headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


# --- 2. strict numbers and booleans --------------------------------------------------------------------

@pytest.mark.parametrize(("route", "body", "field", "kind"), [
    ("/v1/search", {"query": "harbour", "top_k": "3"}, "top_k", "integer"),
    ("/v1/search", {"query": "harbour", "top_k": 3.0}, "top_k", "integer"),
    ("/v1/ask", {"question": "harbour?", "top_k": "3"}, "top_k", "integer"),
    ("/v1/ask", {"question": "harbour?", "offline": "true"}, "offline", "boolean"),
    ("/v1/ask", {"question": "harbour?", "offline": 1}, "offline", "boolean"),
    ("/v1/chat/completions", CHAT | {"top_k": "3"}, "top_k", "integer"),
    ("/v1/chat/completions", CHAT | {"stream": "false"}, "stream", "boolean"),
    ("/v1/chat/completions", CHAT | {"offline": "yes"}, "offline", "boolean"),
])
def test_a_string_for_a_number_or_a_boolean_is_a_422_naming_the_field_and_type(
    api: TestClient, route: str, body: dict[str, Any], field: str, kind: str,
) -> None:
    err = error(api.post(route, json=body), 422, "invalid_request")
    assert f"body.{field}: Input should be a valid {kind}" in err["message"], err
    sent = body[field]
    assert ("not a string" if isinstance(sent, str) else "not a number") in err["message"], err


def test_ints_and_booleans_are_still_taken(api: TestClient) -> None:
    assert api.post("/v1/search", json={"query": "harbour", "top_k": 2}).status_code == 200
    r = api.post("/v1/ask", json={"question": "When did the harbour of Veldmark reopen?", "top_k": 2, "offline": True})
    assert r.status_code == 200, r.text
    r = api.post("/v1/chat/completions", json=CHAT | {"top_k": 2, "stream": False, "offline": True})
    assert r.status_code == 200, r.text


def _scalars(annotation: Any) -> set[type]:  # noqa: ANN401
    args = getattr(annotation, "__args__", ())
    return {annotation} if not args else set().union(*(_scalars(a) for a in args))


@pytest.mark.parametrize("model", [SearchRequest, AskRequest, ChatRequest, ChatMessage, UrlsRequest])
def test_every_number_and_boolean_of_every_request_body_is_strict(model: type) -> None:
    for name, field in model.model_fields.items():
        if _scalars(field.annotation) & {int, float, bool}:
            assert any(getattr(m, "strict", None) for m in field.metadata), f"{model.__name__}.{name} is lax"


# --- 3. every error body has a code ------------------------------------------------------------------

def test_http_errors_each_have_their_code(api: TestClient) -> None:
    error(api.get("/v1/nope"), 404, "unknown_route")
    error(api.put("/v1/search", json={"query": "x"}), 405, "method_not_allowed")
    error(api.get("/v1/articles/ffffffffffff"), 404, "not_found")
    error(api.delete("/v1/articles/ffffffffffff"), 404, "not_found")
    error(api.get("/v1/models/gpt-4o"), 404, "model_not_found")
    error(api.post("/v1/chat/completions", json=CHAT | {"model": "gpt-4o"}), 404, "model_not_found")
    error(api.post("/v1/search", json={"top_k": 3}), 422, "invalid_request")
    error(api.post("/v1/search", content=b'{"query": ', headers={"content-type": "application/json"}),
          400, "json_invalid")
    error(api.post("/v1/ask", json={"question": "   "}), 400, "invalid_input")
    error(api.post("/v1/chat/completions", json=CHAT | {"n": 2}), 400, "unsupported_parameter")
    error(api.post("/v1/search", json={"query": "x" * (2 << 20)}), 413, "body_too_large")
    error(api.post("/v1/articles", files=[("other", ("a.txt", b"x", "text/plain"))]), 422, "no_files")
    many = [("files", (f"f{i}.txt", b"Title\n\nSome text.\n", "text/plain")) for i in range(11)]
    error(api.post("/v1/articles", files=many), 400, "too_many_files")
    error(api.get("/v1/articles?limit=0"), 422, "invalid_request")
    error(api.get("/v1/models", headers={"origin": "http://evil.example"}), 403, "not_local")


def test_a_body_cut_off_while_it_streams_is_413_with_a_code(rag: RAG) -> None:
    def chunked() -> Iterator[bytes]:  # no Content-Length: FastAPI's own limit cuts it off
        yield b'{"query": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    with Running(create_app(rag, api_key="")) as srv:
        r = httpx.post(f"{srv.url}/v1/search", content=chunked(), headers={"content-type": "application/json"})
    err = error(r, 413, "body_too_large")
    assert "1024 KB" in err["message"], err


def test_a_missing_key_is_401_with_a_code_and_never_the_key(rag: RAG) -> None:
    with TestClient(create_app(rag, api_key=KEY), base_url="http://127.0.0.1") as client:
        r = client.get("/v1/models", headers={"authorization": "Bearer wrong"})
        error(r, 401, "invalid_api_key")
        assert KEY not in r.text


@pytest.mark.parametrize(("exc", "status", "code", "fix"), [  # built in the test: ``fix=`` is what is tested
    (lambda: StoreError("the vector store at http://127.0.0.1:1 does not answer"), 503, "store_unavailable", None),
    (lambda: LLMError("the LLM timed out after 3 tries"), 502, "llm_failed", '"offline": true'),
    (lambda: ConfigError("RAG_TOP_K='abc' is not a number"), 500, "config_error", None),
    (lambda: ConfigError("no model file", fix="run `rag models --download`"), 500, "config_error", "rag models"),
    (lambda: EmbedderMismatchError("fake:a", "fake:b"), 500, "embedder_mismatch", "rag reindex"),
    (lambda: InputError("top_k", "must be at least 1"), 400, "invalid_input", None),
    (lambda: RagError("something the user can act on"), 500, "server_error", None),
    (lambda: RuntimeError("a bug"), 500, "internal_error", None),
], ids=["StoreError", "LLMError", "ConfigError", "ConfigError-fix", "EmbedderMismatchError", "InputError",
        "RagError", "crash"])
def test_library_errors_each_have_their_code_and_fix(api: TestClient, monkeypatch: pytest.MonkeyPatch, exc: Any,
                                                      status: int, code: str, fix: str | None) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise exc()

    monkeypatch.setattr(service, "search", boom)
    err = error(api.post("/v1/search", json={"query": "harbour"}), status, code)
    if fix is None:
        assert "fix" not in err, err
    else:
        assert fix in err["fix"], err


def test_a_busy_store_is_409_store_busy_with_the_fix(api: TestClient, rag: RAG) -> None:
    from filelock import FileLock

    with FileLock(str(rag.settings.lock_path), timeout=0):  # another process writing
        r = api.delete("/v1/articles/anything")
    err = error(r, 409, "store_busy")
    assert err["fix"] == StoreBusyError.fix and r.headers["retry-after"] == "5"
    assert str(rag.settings.home) not in r.text and "lock" not in r.text


def test_an_unhealthy_store_is_503_with_a_code(api: TestClient, rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> int:
        raise StoreError("the vector store does not answer")

    monkeypatch.setattr(rag.collection.vectors, "count", down)
    r = api.get("/healthz")
    error(r, 503, "store_unavailable")
    assert r.json()["status"] == "unavailable"


def test_a_vector_store_that_lost_its_vectors_is_not_healthy(api: TestClient, rag: RAG,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """New user 11 restarted Chroma on an empty directory: /healthz said 200 "ok" while 0 of 1,757 chunks had a
    vector and answerable questions were refused. With none it is a 503 naming the fix; with some missing, a 200
    "degraded" with the counts."""
    chunks = rag.collection.db.counts()["chunks"]
    assert rag.collection.vectors.count() == chunks and api.get("/healthz").json()["status"] == "ok"
    monkeypatch.setattr(rag.collection.vectors, "count", lambda: chunks - 1)
    r = api.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert (r.json()["chunks"], r.json()["vectors"]) == (chunks, chunks - 1)
    monkeypatch.setattr(rag.collection.vectors, "count", lambda: 0)
    r = api.get("/healthz")
    err = error(r, 503, "store_degraded")
    assert r.json()["status"] == "degraded" and "rag reindex" in err["fix"] and f"none of the {chunks}" in err["message"]


def test_a_stream_that_fails_reports_a_code_in_band(api: TestClient, rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_a: object, **_k: object) -> Iterator[str]:
        yield "The harbour"
        raise LLMError("the LLM stopped answering")

    monkeypatch.setattr(rag, "stream", failing)
    r = api.post("/v1/chat/completions", json=CHAT | {"stream": True})
    events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    err = events[-1]["error"]
    assert err["code"] == "llm_failed" and "offline" in err["fix"], err


# --- 4. MCP passages say `published`, as REST does ---------------------------------------------------

def test_mcp_passages_and_citations_name_the_date_published(rag: RAG, api: TestClient) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Client(build_server(rag=rag), mode="legacy", read_timeout_seconds=60) as client:
            found = await client.call_tool("search_articles", {"query": "harbour Veldmark", "top_k": 1})
            asked = await client.call_tool("ask", {"question": "When did the harbour of Veldmark reopen?"})
            return found.structured_content, asked.structured_content

    found, asked = anyio.run(main)
    passage = found["passages"][0]
    assert passage["published"] == "2024-05-06" and "date" not in passage, passage
    rest = api.post("/v1/search", json={"query": "harbour Veldmark", "top_k": 1}).json()["passages"][0]
    assert rest["published"] == passage["published"]
    assert all(c["published"] == "2024-05-06" for c in asked["citations"]) and asked["citations"], asked


# --- 5. RagError.fix, in --json and REST --------------------------------------------------------------

def test_rag_error_takes_a_fix_and_subclasses_have_defaults() -> None:
    assert RagError("boom").fix is None and RagError("boom", fix="do this").fix == "do this"
    assert str(RagError("boom", fix="do this")) == "boom"  # the fix is not folded into the message
    assert ConfigError("bad", fix="set RAG_X").fix == "set RAG_X" and ConfigError("bad").fix is None
    err = InputError("top_k", "must be at least 1", fix="send 1 to 50")
    assert (err.item, err.reason, err.fix, str(err)) == ("top_k", "must be at least 1", "send 1 to 50",
                                                         "top_k: must be at least 1")
    assert "wait" in StoreBusyError("busy").fix and StoreBusyError("busy", fix="now").fix == "now"
    assert "RAG_ANSWERER=extractive" in LLMError("down").fix
    assert "rag reindex" in EmbedderMismatchError("fake:a", "fake:b").fix


def test_error_json_and_fail_carry_the_fix_of_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert error_json(StoreBusyError("busy"), "StoreBusyError") == {
        "error": "busy", "fix": StoreBusyError.fix, "type": "StoreBusyError"}
    assert error_json(ConfigError("bad"), "ConfigError") == {"error": "bad", "type": "ConfigError"}
    with json_errors(True), pytest.raises(typer.Exit):
        fail(ConfigError("no key", fix="set OPENAI_API_KEY"))
    assert json.loads(capsys.readouterr().out) == {"error": "no key", "fix": "set OPENAI_API_KEY",
                                                  "type": "ConfigError"}


def test_a_library_error_no_command_caught_is_json_under_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exit_, json_errors(True):
        raise StoreBusyError("another rag process is writing")
    assert exit_.value.exit_code == 75  # busy: EX_TEMPFAIL, as the text failure (README, Exit codes)
    assert json.loads(capsys.readouterr().out) == {"error": "another rag process is writing",
                                                  "fix": StoreBusyError.fix, "type": "StoreBusyError"}
    with pytest.raises(StoreBusyError), json_errors(False):  # without --json: as before
        raise StoreBusyError("busy")


def test_rag_ask_json_failure_carries_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(SEEDS / "000_2ee66f902f40f20f.txt")]).exit_code == 0
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder(name="fake:other"))
    r = runner.invoke(cli, ["ask", "--json", "Which town did the rebels capture?"])
    assert r.exit_code == 2, r.output
    got = json.loads(r.stdout)
    assert got["type"] == "EmbedderMismatchError" and "rag reindex" in got["fix"], got


def test_filters_since_takes_a_period_counted_back_from_as_of(api: TestClient) -> None:
    # a new user's "filters": {"since": "7d"} was a 422 "input is too short"; the CLI takes 7d
    def search(filters: dict[str, Any], as_of: str) -> httpx.Response:
        return api.post("/v1/search", json={"query": "harbour market", "filters": filters, "as_of": as_of})

    week = search({"since": "7d"}, "2024-05-12")  # 6 .. 12 May: both articles
    assert week.status_code == 200 and len({p["article_id"] for p in week.json()["passages"]}) == 2
    days = search({"since": "3d"}, "2024-05-12")  # 10 .. 12 May: the market only
    assert days.status_code == 200 and {p["title"] for p in days.json()["passages"]} == {"Market opens in Lunden"}
    bad = error(search({"since": "soon"}, "2024-05-12"), 422, "invalid_request")
    assert "neither a date (YYYY-MM-DD) nor a period (7d, 2w, 3m, 1y)" in bad["message"]
    late = error(search({"since": "3d", "until": "2024-05-01"}, "2024-05-12"), 400, "invalid_input")
    assert "counts back from 2024-05-12 to 2024-05-10, after until 2024-05-01" in late["message"]
