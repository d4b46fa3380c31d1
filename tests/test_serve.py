"""``rag serve``: the real server (uvicorn on 127.0.0.1) through the official ``openai`` client and httpx.

One RAG over the seed article (real model, embedded Chroma) serves every read test; the ingest
round trip gets its own collection so the shared one never changes under the other tests.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn
from typer.testing import CliRunner

from rag import service
from rag.errors import StoreBusyError
from rag.settings import Settings
from rag.http_api import create_app, split_messages
from tests.conftest import SEEDS

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "Which town did the rebels capture south of Aleppo?"
KEY = "test-key-0123456789abcdef"


class Running:
    """uvicorn serving ``app`` in a thread on a free 127.0.0.1 port."""

    def __init__(self, app: object) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            self.thread.join(0.05)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def _rag(home: Path, embedder: object, ingest: bool = True, **settings: object):  # noqa: ANN202
    from index.collection import Collection
    from rag.api import RAG

    s = Settings(home=home, collection="served", **settings)
    coll = Collection.open(s, embedder=embedder)
    if ingest:
        assert coll.ingest(sorted(str(p) for p in SEEDS.glob("*.txt"))).count("added") >= 1
    return RAG(s, collection=coll, llm=None)


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # noqa: ANN001, ANN201
    return _rag(tmp_path_factory.mktemp("served"), real_embedder)


@pytest.fixture(scope="module")
def api(rag) -> Iterator[str]:  # noqa: ANN001
    with Running(create_app(rag, api_key="")) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def keyed(rag) -> Iterator[str]:  # noqa: ANN001
    with Running(create_app(rag, api_key=KEY)) as srv:
        yield srv.url


def client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=60)


# --- OpenAI-compatible chat ------------------------------------------------------------------------
def test_models_lists_the_collection(api: str) -> None:
    assert [m.id for m in client(api).models.list().data] == ["served"]


def test_chat_completion_carries_answer_and_citations(api: str, rag) -> None:  # noqa: ANN001
    resp = client(api).chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}])
    content = resp.choices[0].message.content
    assert "Khansir" in content and "[1]" in content
    assert content == rag.ask(QUESTION).text  # the same code path as `rag ask`
    cites = resp.model_extra["citations"]
    assert cites and resp.citations == cites  # the SDK passes the extra field through
    text = rag.collection.db.article_text(cites[0]["article_id"])
    assert text[cites[0]["start"]:cites[0]["end"]] == cites[0]["quote"]
    assert {"title", "source", "date", "quote"} <= set(cites[0])
    assert resp.model_extra["passages"][0]["n"] == 1 and "sentences" not in resp.model_extra["passages"][0]
    assert resp.model_extra["rag"]["refused"] is False


def test_chat_streaming_matches_and_ends_with_citations(api: str) -> None:
    c = client(api)
    plain = c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True))
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert streamed == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == plain.model_extra["citations"]


def test_chat_history_and_content_parts() -> None:
    from rag.http_api import ChatMessage

    msgs = [ChatMessage(role="system", content="be brief"), ChatMessage(role="user", content="Who struck Idlib?"),
            ChatMessage(role="assistant", content="Russian and Syrian jets [1]."),
            ChatMessage(role="user", content=[{"type": "text", "text": "When?"}])]
    assert split_messages(msgs) == ("When?", [("Who struck Idlib?", "Russian and Syrian jets [1].")])


def test_chat_follow_up_uses_history(api: str) -> None:
    resp = client(api).chat.completions.create(model="served", messages=[
        {"role": "user", "content": "Which countries' jets struck the city of Idlib?"},
        {"role": "assistant", "content": "Russian and Syrian jets struck Idlib [1]."},
        {"role": "user", "content": "How many people were killed there?"}])
    assert resp.model_extra["rag"]["search_query"] != "How many people were killed there?"


def test_unknown_model_and_empty_question(api: str) -> None:
    with pytest.raises(openai.NotFoundError, match="served"):
        client(api).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="last message must be a non-empty user message"):
        client(api).chat.completions.create(model="served", messages=[{"role": "assistant", "content": "hi"}])


@pytest.mark.parametrize(("extra", "param"), [
    ({"n": 2}, "n"),
    ({"response_format": {"type": "json_object"}}, "response_format"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}], "tool_choice": "required"},
     "tool_choice"),
])
def test_chat_parameters_asking_for_another_reply_are_400_naming_them(api: str, extra: dict, param: str) -> None:
    """``n=2`` answered with one choice, JSON asked for and text sent: a client would misread the reply
    (the tester's C13), so the request is refused, naming the parameter where OpenAI does."""
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError, match=rf"unsupported parameter {param}") as info:
            client(api).chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}],
                                                stream=stream, **extra)
        assert info.value.param == param and info.value.code == "unsupported_parameter"


def test_chat_parameters_openai_clients_send_are_accepted(api: str) -> None:
    resp = client(api).chat.completions.create(
        model="served", messages=[{"role": "user", "content": QUESTION}], n=1, temperature=0.2, top_p=0.9,
        max_tokens=300, seed=7, user="u1", presence_penalty=0, frequency_penalty=0, logprobs=False,
        response_format={"type": "text"}, tool_choice="auto",
        tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}])
    assert len(resp.choices) == 1 and "Khansir" in resp.choices[0].message.content


# --- ask / search --------------------------------------------------------------------------------
def test_ask_returns_the_json_schema(api: str, rag) -> None:  # noqa: ANN001
    got = httpx.post(f"{api}/v1/ask", json={"question": QUESTION, "top_k": 3}).json()
    # as a client reads it: a file the server ingested is named by its file name, not the server's folders
    # (new user 24), so the Python answer is compared in that form
    want = json.loads(json.dumps(service.public(rag, rag.ask(QUESTION, top_k=3).to_dict())))
    assert list(got) == list(want)
    assert all("/" not in c["source"] for c in got["citations"]), got["citations"]
    assert got["answer"] == want["answer"] and got["citations"] == want["citations"]


def test_as_of_resolves_the_question_s_time_words(api: str) -> None:
    q = "Which town did the rebels capture south of Aleppo on Sunday?"
    got = httpx.post(f"{api}/v1/ask", json={"question": q, "as_of": "2024-12-03"}).json()
    assert got["as_of"] == "2024-12-03"
    assert got["time_window"]["start"] == got["time_window"]["end"] == "2024-12-01"  # the Sunday before
    assert "Khansir" in got["answer"]
    r = httpx.post(f"{api}/v1/ask", json={"question": q, "as_of": "Tuesday"})
    assert r.status_code == 422 and "as_of" in r.json()["error"]["message"]
    r = httpx.post(f"{api}/v1/search", json={"query": q, "as_of": "2024-12-03"})
    assert r.status_code == 200 and r.json()["passages"]


def test_search_passages_and_filters(api: str) -> None:
    r = httpx.post(f"{api}/v1/search", json={"query": "Khansir", "top_k": 2})
    assert r.status_code == 200
    passages = r.json()["passages"]
    assert 1 <= len(passages) <= 2 and "Khansir" in passages[0]["text"]
    for filters in ({"since": "2030-01-01"}, {"sources": ["no-such-source"]}, {"until": "2000-01-01"}):
        r = httpx.post(f"{api}/v1/search", json={"query": "Khansir", "filters": filters})
        assert r.status_code == 200 and r.json()["passages"] == [], filters
        # the filters are why: said, so a client does not rephrase the query again and again
        assert r.json()["notices"][0].startswith("No article matches the filters ("), r.json()
    r = httpx.post(f"{api}/v1/search", json={"query": "Khansir", "filters": {"since": "2024-11-30", "until": "2024-12-02"}})
    assert r.json()["passages"]


def test_bad_filters_are_named(api: str) -> None:
    r = httpx.post(f"{api}/v1/search", json={"query": "x", "filters": {"snce": "2024-01-01"}})
    assert r.status_code == 422 and "filters.snce" in r.json()["error"]["message"]
    r = httpx.post(f"{api}/v1/search", json={"query": "x", "filters": {"since": "sometime"}})
    assert r.status_code == 422 and "filters.since" in r.json()["error"]["message"]


def test_empty_questions_and_impossible_date_ranges_are_named(api: str) -> None:
    r = httpx.post(f"{api}/v1/ask", json={"question": "   "})
    assert r.status_code == 400 and "question" in r.json()["error"]["message"] and "empty" in r.json()["error"]["message"]
    r = httpx.post(f"{api}/v1/ask", json={"question": "Khansir", "filters": {"since": "2024-12-05", "until": "2024-12-01"}})
    # was 422: the README documents a since after until as 400 invalid_input, the error of the library's other
    # input checks, and new user 15's client got 422 invalid_request (tests/test_api_newuser15.py)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
    assert "is after until" in r.json()["error"]["message"]


def test_without_a_key_another_sites_page_and_a_foreign_host_are_refused(api: str) -> None:
    """A page the user visits could post a form to 127.0.0.1 (no preflight), and a DNS-rebinding
    page reaches it under its own name: neither may add, read or remove articles."""
    port = api.rsplit(":", 1)[1]
    files = {"files": ("tram.txt", b"Tram line\n\nThe tram line opened on Monday.", "text/plain")}
    r = httpx.post(f"{api}/v1/articles", files=files, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and "another site" in r.json()["error"]["message"]
    r = httpx.get(f"{api}/v1/articles", headers={"host": f"attacker.example:{port}"})
    assert r.status_code == 403 and "Host header" in r.json()["error"]["message"]
    r = httpx.delete(f"{api}/v1/articles/abc", headers={"origin": "null"})
    assert r.status_code == 403
    for host, origin in ((f"localhost:{port}", f"http://localhost:{port}"), (f"127.0.0.1:{port}", None),
                         (f"[::1]:{port}", f"http://[::1]:{port}")):
        headers = {"host": host, **({"origin": origin} if origin else {})}
        assert httpx.get(f"{api}/v1/articles", headers=headers).status_code == 200, headers


def test_with_a_key_any_host_name_may_be_used(keyed: str) -> None:
    r = httpx.get(f"{keyed}/v1/models", headers={"authorization": f"Bearer {KEY}", "host": "news.example.org"})
    assert r.status_code == 200


# --- bad requests ----------------------------------------------------------------------------------
def test_bad_json_is_400_with_a_message(api: str) -> None:
    r = httpx.post(f"{api}/v1/search", content=b'{"query": ', headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = httpx.post(f"{api}/v1/search", json={"top_k": 3})
    assert r.status_code == 422 and "body.query: Field required" in r.json()["error"]["message"]
    with pytest.raises(openai.UnprocessableEntityError):
        client(api).chat.completions.create(model="served", messages=[])


def test_oversized_bodies_are_413(api: str) -> None:
    big = {"query": "x" * (2 << 20)}
    r = httpx.post(f"{api}/v1/search", json=big)
    assert r.status_code == 413 and "this route takes at most 1024 KB" in r.json()["error"]["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit must hold while the body streams
        yield b'{"query": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    r = httpx.post(f"{api}/v1/search", content=chunked(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_concurrent_requests_agree(api: str) -> None:
    def one(i: int) -> tuple[int, str]:
        if i % 2:
            r = httpx.post(f"{api}/v1/chat/completions", timeout=120,
                           json={"model": "served", "messages": [{"role": "user", "content": QUESTION}]})
            return r.status_code, r.json()["choices"][0]["message"]["content"]
        r = httpx.post(f"{api}/v1/ask", json={"question": QUESTION}, timeout=120)
        return r.status_code, r.json()["answer"]

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert {s for s, _ in results} == {200}
    assert len({a for _, a in results}) == 1 and "Khansir" in results[0][1]


# --- auth --------------------------------------------------------------------------------------------
def test_key_required_on_every_v1_route(keyed: str) -> None:
    for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("POST", "/v1/ask"),
                         ("POST", "/v1/search"), ("GET", "/v1/articles"), ("POST", "/v1/articles"),
                         ("DELETE", "/v1/articles/abc"), ("GET", "/v1/articles/abc")):
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": KEY}):
            r = httpx.request(method, keyed + path, headers=headers, json={})
            assert r.status_code == 401, (method, path, headers)
            assert r.headers["www-authenticate"] == "Bearer" and KEY not in r.text
    with pytest.raises(openai.AuthenticationError):
        client(keyed, "wrong").models.list()
    assert client(keyed, KEY).models.list().data[0].id == "served"
    r = httpx.post(f"{keyed}/v1/search", json={"query": "Khansir"}, headers={"authorization": f"Bearer {KEY}"})
    assert r.status_code == 200
    assert httpx.get(f"{keyed}/healthz").json()["status"] == "ok"


def test_serve_refuses_a_public_address_without_a_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from rag.cli import app

    monkeypatch.delenv("RAG_API_KEY", raising=False)
    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9"])
    assert res.exit_code == 2 and "RAG_API_KEY" in res.output
    monkeypatch.setenv("RAG_API_KEY", KEY)
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9", "--ui"])
    assert res.exit_code == 2 and "RAG_UI_AUTH" in res.output and KEY not in res.output
    assert not (tmp_path / "chroma").exists()  # refused before anything was opened

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        res = CliRunner().invoke(app, ["serve", "--port", str(busy.getsockname()[1])])
        assert res.exit_code == 2 and "cannot listen" in res.output
    finally:
        busy.close()


def test_openapi_is_served_and_docs_need_no_cdn(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/search", "/v1/articles", "/healthz"} <= set(spec["paths"])
    assert httpx.get(f"{api}/docs").status_code == 404  # swagger-ui would load from a CDN


# --- ingest round trip ---------------------------------------------------------------------------------
class _Pages(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_ingest_list_delete_round_trip(tmp_path: Path, real_embedder) -> None:  # noqa: ANN001
    rag = _rag(tmp_path / "home", real_embedder, ingest=False, allow_private_urls=True, max_file_mb=0.01)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "harbour.txt").write_text("Harbour reopens\n\nThe old harbour of Veldmark reopened on Monday "
                                       "after a two-year restoration, the mayor said.\n")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Pages(*a, directory=str(pages)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    story = (SEEDS / "000_2ee66f902f40f20f.txt").read_bytes()
    try:
        with Running(create_app(rag, api_key="")) as srv:
            url = srv.url
            files = [("files", ("idlib.txt", story, "text/plain")),
                     ("files", ("big.txt", b"word " * 5000, "text/plain")),
                     ("files", ("../../etc/evil.txt", b"Evil\n\nA story about a harbour.", "text/plain"))]
            r = httpx.post(f"{url}/v1/articles", files=files, timeout=120)
            assert r.status_code == 200, r.text
            rep = r.json()
            by = {i["item"]: i for i in rep["items"]}
            assert by["idlib.txt"]["status"] == "added" and by["evil.txt"]["status"] == "added"
            assert by["big.txt"]["status"] == "failed" and "MB limit" in by["big.txt"]["reason"]
            assert str(tmp_path) not in r.text  # no server path is echoed
            assert list((tmp_path / "home" / "uploads").iterdir()) == []  # staged files cleaned up

            r = httpx.post(f"{url}/v1/articles", json={"urls": [f"http://127.0.0.1:{httpd.server_address[1]}/harbour.txt",
                                                                "ftp://example.org/x.txt"]}, timeout=120)
            assert [i["status"] for i in r.json()["items"]] == ["added", "failed"]  # in the order sent

            listed = httpx.get(f"{url}/v1/articles").json()["articles"]
            assert len(listed) == 3
            only = httpx.get(f"{url}/v1/articles", params={"q": "Harbour"}).json()["articles"]
            assert [a["title"] for a in only] == ["Harbour reopens"]
            art = httpx.get(f"{url}/v1/articles/{only[0]['id']}").json()
            assert "Veldmark" in art["text"]
            # an upload is shown as the client named it, never by the folder the server keeps it in
            evil = next(a for a in listed if a["id"] == by["evil.txt"]["article_id"])
            assert evil["source"] == "uploads/evil.txt" and evil["sources"] == ["uploads/evil.txt"]
            for r in (httpx.get(f"{url}/v1/articles"), httpx.get(f"{url}/v1/articles/{evil['id']}"),
                      httpx.post(f"{url}/v1/search", json={"query": "a story about a harbour"}),
                      httpx.post(f"{url}/v1/ask", json={"question": "Which town did the rebels capture?"}, timeout=60),
                      httpx.post(f"{url}/v1/chat/completions", timeout=60,
                                 json={"messages": [{"role": "user", "content": "Which town did the rebels capture?"}]})):
                assert r.status_code == 200 and str(tmp_path) not in r.text, r.text[:300]
            assert "uploads/idlib.txt" in r.text  # the chat answer cites the upload by its name
            assert service.get_article(rag, "uploads/evil.txt")["id"] == evil["id"]  # and takes that name back

            again = httpx.post(f"{url}/v1/articles", files=files[:1], timeout=120).json()
            assert again["summary"]["unchanged"] == 1  # the same name re-uploaded is the same article

            idlib = by["idlib.txt"]["article_id"]
            assert httpx.delete(f"{url}/v1/articles/{idlib}").json() == {"removed": idlib, "article_kept": False}
            assert httpx.delete(f"{url}/v1/articles/{idlib}").status_code == 404
            assert httpx.get(f"{url}/v1/articles/{idlib}").status_code == 404
            assert len(httpx.get(f"{url}/v1/articles").json()["articles"]) == 2
            r = httpx.post(f"{url}/v1/search", json={"query": "Khansir Aleppo rebels"})
            assert all(p["article_id"] != idlib for p in r.json()["passages"])

            r = httpx.post(f"{url}/v1/articles", content=b"not json", headers={"content-type": "application/json"})
            assert r.status_code == 400
            r = httpx.post(f"{url}/v1/articles", content=b"a.txt", headers={"content-type": "text/plain"})
            assert r.status_code == 415 and "multipart/form-data" in r.json()["error"]["message"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        rag.collection.close()


def test_ui_mounts_on_the_same_port(rag) -> None:  # noqa: ANN001
    with Running(create_app(rag, api_key="", ui=True)) as srv:
        r = httpx.get(f"{srv.url}/", follow_redirects=True)
        assert r.status_code == 200 and "<html" in r.text.lower()
        assert httpx.get(f"{srv.url}/healthz").json()["status"] == "ok"
        assert httpx.post(f"{srv.url}/v1/search", json={"query": "Khansir"}).status_code == 200


def test_an_api_key_guards_the_mounted_ui_and_its_gradio_api_too(rag) -> None:  # noqa: ANN001
    """`RAG_API_KEY=k rag serve --ui`: the UI (which asks, adds and removes articles through its own
    Gradio API) asks for that key (user "rag") instead of being open beside a guarded /v1."""
    with Running(create_app(rag, api_key="k3", ui=True)) as srv, \
            httpx.Client(base_url=f"{srv.url}/ui/", trust_env=False) as http:
        assert httpx.get(f"{srv.url}/v1/models").status_code == 401
        assert http.get("config").status_code == 401
        assert http.get("gradio_api/info").status_code == 401
        assert "RAG_API_KEY" in http.get("").text  # the login page says which password
        assert http.post("login", data={"username": "rag", "password": "wrong"}).status_code == 400
        assert http.post("login", data={"username": "rag", "password": "k3"}).status_code == 200
        assert http.get("config").status_code == 200 and http.get("gradio_api/info").status_code == 200


def test_json_error_envelope_on_missing_route(api: str) -> None:
    r = httpx.get(f"{api}/v1/nope")
    assert r.status_code == 404 and json.loads(r.text)["error"]["message"]


# --- an LLM answerer behind the API (tests/fault_server.py scripts its replies) ---------------------
@pytest.fixture
def llm_api(rag, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    from fault_server import Fault, FaultServer

    from rag.api import RAG
    from rag.llm import LLMAnswerer

    fault = FaultServer(default=Fault.ok("Rebels captured the town of Khansir [1].")).start()
    monkeypatch.setenv("OPENAI_BASE_URL", fault.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "fault-key")
    settings = rag.settings.model_copy(update={"llm_model": "fault-model", "llm_retries": 0})
    llm_rag = RAG(settings, collection=rag.collection, llm=LLMAnswerer(settings))
    try:
        with Running(create_app(llm_rag, api_key="")) as srv:
            yield srv.url, fault
    finally:
        fault.stop()


def test_llm_answers_stream_claim_by_claim_and_only_verified_claims(llm_api) -> None:  # noqa: ANN001
    from fault_server import Fault

    url, fault = llm_api
    # two supported claims and an invented one: an OpenAI client shows deltas as they come, so none of
    # the invented sentence may ever reach it, not even as a draft later corrected
    fault.default = Fault.ok("Rebels captured the town of Khansir [1]. The rebels were led by Napoleon [1]. "
                             "Rebel sources said they had also captured the Sheikh Najjar estate, an industrial zone [1].")
    c = client(url)
    plain = c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}])
    text = plain.choices[0].message.content
    assert text.startswith("Rebels captured the town of Khansir [1].") and "Sheikh Najjar" in text
    assert "Napoleon" not in text and plain.model_extra["rag"]["answerer"] == "llm:fault-model"
    chunks = list(c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True))
    deltas = [ch.choices[0].delta.content for ch in chunks if ch.choices and ch.choices[0].delta.content]
    assert len(deltas) == 2  # claim by claim, as each is verified
    assert not any("Napoleon" in d for d in deltas)
    assert "".join(deltas) == text  # no correction needed: what streamed is the answer
    assert chunks[-1].model_extra["citations"]


def test_a_slow_llm_answer_streams_keep_alive_comments_that_an_openai_client_skips(
    llm_api, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    # a claim is held until verified: a local model's one-sentence answer kept the stream silent for 38 s, which a
    # proxy's idle timeout cuts (new user 24); comment lines are sent meanwhile, and a client reads past them
    import rag.http_api
    from fault_server import Fault

    url, fault = llm_api
    monkeypatch.setattr(rag.http_api, "KEEPALIVE_SECONDS", 0.1)
    fault.default = Fault.sleep(0.8, "Rebels captured the town of Khansir [1].")
    body = {"model": "served", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=30) as r:
        lines = [line for line in r.iter_lines() if line]
    first_data = next(i for i, line in enumerate(lines) if line.startswith("data: ") and "Khansir" in line)
    assert ": keep-alive" in lines[:first_data]  # sent while the model was still writing
    assert lines[-1] == "data: [DONE]"
    chunks = list(client(url).chat.completions.create(model="served", stream=True,
                                                      messages=[{"role": "user", "content": QUESTION}]))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == "Rebels captured the town of Khansir [1]." and chunks[-1].model_extra["citations"]


def test_a_streamed_answer_verification_empties_is_never_shown(llm_api) -> None:  # noqa: ANN001
    from fault_server import Fault

    from rag.extractive import REFUSAL

    url, fault = llm_api
    fault.default = Fault.ok("Paris is the capital of France [1].")  # [1] does not say so: withheld
    chunks = list(client(url).chat.completions.create(
        model="served", messages=[{"role": "user", "content": QUESTION}], stream=True))
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    # the withheld answer gives way to the offline one (RAG_LLM_FALLBACK=extractive, the default), cited
    assert "Paris" not in streamed and "Checked against the sources" not in streamed
    assert "Khansir" in streamed and not streamed.endswith(REFUSAL)
    final = chunks[-1].model_extra
    assert final["rag"]["refused"] is False and final["citations"]
    assert any("Paris is the capital of France" in c for c in final["rag"].get("unsupported_claims", [])) \
        or any("Paris" in n for n in final["rag"].get("notices", []))


def test_url_lists_keep_the_json_limit(api: str) -> None:
    urls = {"urls": [f"https://example.org/{i:07d}" for i in range(60000)]}  # ~2 MB: uploads may be big, JSON not
    r = httpx.post(f"{api}/v1/articles", json=urls)
    assert r.status_code == 413 and "KB of JSON" in r.json()["error"]["message"]

    def chunked() -> Iterator[bytes]:
        yield json.dumps(urls).encode()

    r = httpx.post(f"{api}/v1/articles", content=chunked(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "URL list" in r.json()["error"]["message"]


def test_serve_command_on_all_interfaces_with_a_key(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "HF_HOME", "XDG_CACHE_HOME")}
    env |= {"RAG_HOME": str(tmp_path), "RAG_API_KEY": KEY, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
            "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--host", "0.0.0.0", "--port", str(port)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                health = httpx.get(f"{url}/healthz")
                break
            except httpx.ConnectError:
                assert proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "articles": 0}
        assert httpx.get(f"{url}/v1/articles").status_code == 401
        r = httpx.get(f"{url}/v1/articles", headers={"authorization": f"Bearer {KEY}"})
        assert r.status_code == 200 and r.json()["articles"] == []
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert f"http://0.0.0.0:{port}/v1" in err and KEY not in err


def test_an_empty_llm_reply_gives_the_offline_answer_with_a_notice(llm_api) -> None:  # noqa: ANN001
    """An empty completion is an endpoint failure, not the model refusing (the tester's A6): the
    offline answer stands in, and the notice says why."""
    from fault_server import Fault

    url, fault = llm_api
    fault.default = Fault.ok("  \n\t ")
    c = client(url)
    plain = c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(c.chat.completions.create(model="served", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True))
    asked = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=60).json()
    for rag_extra, text in ((plain.model_extra["rag"], plain.choices[0].message.content),
                            (chunks[-1].model_extra["rag"],
                             "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)),
                            (asked, asked["answer"])):
        assert "Khansir" in text and not rag_extra["refused"] and rag_extra["answerer"] == "extractive"
        assert any("returned an empty reply" in n and "showing the offline answer" in n for n in rag_extra["notices"])


def test_dropped_markers_are_a_notice_and_estimated_usage_is_a_boolean(llm_api) -> None:  # noqa: ANN001
    from fault_server import Fault

    url, fault = llm_api
    fault.default = Fault.ok("Rebels captured the town of Khansir [1][7].", usage=False)  # no usage: estimated
    r = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=60)
    got = r.json()
    assert got["dropped_markers"] == [7]
    assert "Removed citation markers that point at no passage the model was given: [7]" in got["notices"]
    assert got["usage"]["estimated"] is True and '"estimated":true' in r.text.replace(" ", "")



@pytest.fixture
def hash_api(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """A server over an empty collection with the fake embedder (fast): (url, rag)."""
    from tests.fakes import HashEmbedder

    rag = _rag(tmp_path / "home", HashEmbedder(), ingest=False, allow_private_urls=True)
    try:
        with Running(create_app(rag, api_key="")) as srv:
            yield srv.url, rag
    finally:
        rag.collection.close()


def test_get_and_delete_address_sources_holding_slashes(hash_api: tuple[str, object], tmp_path: Path) -> None:
    """GET/DELETE /v1/articles/{ref}: an uploads/<name> or URL source, sent as is or with %2F."""
    from urllib.parse import quote

    url, _ = hash_api
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "bridge.txt").write_text("Bridge closes\n\nThe bridge of Ostrava closed on Friday for repairs.\n")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Pages(*a, directory=str(pages)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = f"http://127.0.0.1:{httpd.server_address[1]}/bridge.txt"
    try:
        files = [("files", ("one.txt", b"Harbour reopens\n\nThe harbour of Veldmark reopened on Monday.\n",
                            "text/plain")),
                 ("files", ("two.txt", b"Market opens\n\nThe market of Lunden opened on Sunday.\n", "text/plain"))]
        rep = httpx.post(f"{url}/v1/articles", files=files, timeout=120).json()
        ids = {i["item"]: i["article_id"] for i in rep["items"]}
        assert set(ids) == {"one.txt", "two.txt"}, rep
        r = httpx.get(f"{url}/v1/articles/uploads/one.txt")
        assert r.status_code == 200, r.text
        assert r.json()["id"] == ids["one.txt"] and "Veldmark" in r.json()["text"]
        assert r.json()["source"] == "uploads/one.txt" and str(tmp_path) not in r.text
        assert httpx.get(f"{url}/v1/articles/uploads%2Fone.txt").json()["id"] == ids["one.txt"]
        r = httpx.delete(f"{url}/v1/articles/uploads/one.txt")
        assert r.status_code == 200 and r.json() == {"removed": ids["one.txt"], "article_kept": False}, r.text
        assert httpx.get(f"{url}/v1/articles/uploads/one.txt").status_code == 404
        # an article id, as before
        assert httpx.get(f"{url}/v1/articles/{ids['two.txt']}").json()["id"] == ids["two.txt"]
        assert httpx.delete(f"{url}/v1/articles/{ids['two.txt']}").json() == {"removed": ids["two.txt"],
                                                                               "article_kept": False}
        # a URL source
        added = httpx.post(f"{url}/v1/articles", json={"urls": [page]}, timeout=120).json()["items"][0]
        assert added["status"] == "added", added
        assert httpx.get(f"{url}/v1/articles/{quote(page, safe='')}").json()["id"] == added["article_id"]
        r = httpx.delete(f"{url}/v1/articles/{quote(page, safe='')}")
        assert r.json() == {"removed": added["article_id"], "article_kept": False}, r.text
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_files_the_server_ingested_show_their_name_only_and_take_it_back(hash_api: tuple[str, object],
                                                                          tmp_path: Path) -> None:
    """New user 24: ``sources`` showed REST clients the server's folders (``/tmp/.../docs/ferry-copy.txt``)
    for a file ingested on the server (`rag ingest PATH`); the file name is shown, and taken back as a ref."""
    url, rag = hash_api
    for folder, town in (("a", "Veldmark"), ("b", "Lunden")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "ferry.txt").write_text(f"Ferry strike\n\nFerry workers in {town} struck on Monday.\n")
    (tmp_path / "a" / "bridge.txt").write_text("Bridge closes\n\nThe bridge of Ostrava closed on Friday.\n")
    report = rag.collection.ingest([str(tmp_path / "a" / "bridge.txt"), str(tmp_path / "a" / "ferry.txt"),
                                    str(tmp_path / "b" / "ferry.txt")])
    ids = [i.article_id for i in report.items]
    assert all(ids) and len(set(ids)) == 3, report
    r = httpx.get(f"{url}/v1/articles/{ids[0]}")
    assert r.json()["source"] == "bridge.txt" and r.json()["sources"] == ["bridge.txt"], r.text
    listed = httpx.get(f"{url}/v1/articles").text
    answer = httpx.post(f"{url}/v1/ask", json={"question": "When did the bridge of Ostrava close?"}, timeout=60)
    for text in (r.text, listed, answer.text):
        assert str(tmp_path) not in text
    assert "bridge.txt" in answer.text  # the citation names the file
    # the name comes back as a reference; two stored files of one name are told apart by id
    assert httpx.get(f"{url}/v1/articles/bridge.txt").json()["id"] == ids[0]
    r = httpx.get(f"{url}/v1/articles/ferry.txt")
    assert r.status_code == 404 and "more than one stored file is named 'ferry.txt'" in r.text, r.text
    assert httpx.delete(f"{url}/v1/articles/bridge.txt").json() == {"removed": ids[0], "article_kept": False}


def test_more_files_than_a_request_takes_says_the_limit_and_what_to_do(hash_api: tuple[str, object]) -> None:
    url, _ = hash_api
    many = [("files", (f"f{i}.txt", b"Title\n\nSome text.\n", "text/plain")) for i in range(11)]
    r = httpx.post(f"{url}/v1/articles", files=many, timeout=60)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "at most 10 files per request; send the rest in further requests"


def test_a_busy_store_is_409_without_server_paths(hash_api: tuple[str, object], tmp_path: Path) -> None:
    from filelock import FileLock

    url, rag = hash_api
    with FileLock(str(rag.settings.lock_path), timeout=0):  # another process writing
        r = httpx.delete(f"{url}/v1/articles/anything")
        up = httpx.post(f"{url}/v1/articles", files=[("files", ("a.txt", b"T\n\nText here.\n", "text/plain"))])
    assert r.status_code == up.status_code == 409
    busy = "the collection is being written by another process; retry in a moment"
    assert r.json()["error"] == {"message": busy, "type": "conflict", "code": "store_busy", "fix": StoreBusyError.fix}
    assert up.json()["error"]["message"] == busy
    for resp in (r, up):
        assert str(tmp_path) not in resp.text and "lock" not in resp.text
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok", "articles": 0}
