"""A tiny OpenAI-compatible chat-completions server whose reply to each request is scripted.

Tests use it to drive the real ``openai`` client over real HTTP through the failures an LLM
endpoint produces: slow replies, 429 with Retry-After, 5xx, malformed JSON, streams cut off
mid-way or carrying a broken chunk. Requests are recorded so tests can count retries.

    with FaultServer([Fault.status(500), Fault.ok("Hi [1].")]) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        ...
        assert len(server.requests) == 2

Each request to ``/v1/chat/completions`` (or ``/v1/embeddings``) takes the next scripted ``Fault``;
when the script is used up, ``default`` answers. Whether a success is JSON or SSE follows the
request's ``stream``; an embeddings success is one small vector per input.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

log = logging.getLogger(__name__)

Kind = Literal["ok", "sleep", "status", "malformed_json", "cut_stream", "bad_chunk", "no_finish", "reasoning"]


@dataclass(frozen=True)
class Fault:
    """What the server does with one request."""

    kind: Kind
    text: str = "The answer [1]."
    seconds: float = 0.0
    status_code: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: dict[str, Any] | None = None
    usage: bool = True  # report token usage (JSON reply, or final chunk when include_usage is asked)

    @staticmethod
    def ok(text: str = "The answer [1].", *, usage: bool = True) -> Fault:
        return Fault("ok", text=text, usage=usage)

    @staticmethod
    def sleep(seconds: float, text: str = "Too late [1].") -> Fault:
        """Answer only after ``seconds`` (longer than the client's timeout)."""
        return Fault("sleep", text=text, seconds=seconds)

    @staticmethod
    def status(code: int, *, retry_after: str | None = None, message: str = "scripted failure") -> Fault:
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        body = {"error": {"message": message, "type": "scripted"}}
        return Fault("status", status_code=code, headers=headers, body=body)

    @staticmethod
    def malformed_json() -> Fault:
        return Fault("malformed_json")

    @staticmethod
    def cut_stream(text: str = "Half an answer [1] that") -> Fault:
        """Stream ``text`` as chunks, then drop the connection without finishing the body."""
        return Fault("cut_stream", text=text)

    @staticmethod
    def bad_chunk(text: str = "Some text") -> Fault:
        """Stream ``text``, then a chunk whose JSON is broken."""
        return Fault("bad_chunk", text=text)

    @staticmethod
    def reasoning(text: str = "The answer is in passage 1.") -> Fault:
        """A reasoning model's reply: ``text`` in ``reasoning_content``, the message ``content`` empty
        (null in JSON; no content deltas in a stream), finished normally."""
        return Fault("reasoning", text=text)

    @staticmethod
    def no_finish(text: str = "An answer that just stops") -> Fault:
        """A well-formed stream that ends (with [DONE]) without any finish_reason."""
        return Fault("no_finish", text=text)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any] | None
    fault: Kind | None = None
    at: float = field(default_factory=time.monotonic)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-reply is what these tests provoke; not worth a traceback.
        log.debug("fault server: error while serving %s", client_address, exc_info=True)


def _pieces(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class FaultServer:
    """Threaded HTTP server on 127.0.0.1 and a free port. ``stop()`` (or the context manager) ends it."""

    def __init__(
        self, script: Sequence[Fault] = (), *, default: Fault = Fault.ok(), model: str = "fault-model"
    ) -> None:
        self.script = list(script)
        self.default = default
        self.model = model
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-server", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def embeddings(self) -> list[Recorded]:
        """Requests to the embeddings endpoint."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/embeddings")]

    @property
    def completions(self) -> list[Recorded]:
        """Requests to the chat-completions endpoint (what retries are counted on)."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a "sleep" fault
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, record: Recorded) -> Fault:
        with self._lock:
            self.requests.append(record)
            fault = self.script.pop(0) if self.script else self.default
            record.fault = fault.kind
            return fault

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _headers(self) -> dict[str, str]:
                return {k.lower(): v for k, v in self.headers.items()}

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(Recorded("GET", self.path, self._headers(), None))
                if self.path.rstrip("/").endswith("/models"):
                    model = {"id": server.model, "object": "model", "owned_by": "test"}
                    self._json(200, {"object": "list", "data": [model]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                if self.path.rstrip("/").endswith("/embeddings"):
                    fault = server._next(Recorded("POST", self.path, self._headers(), body))
                    self._embeddings(fault, body or {})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    with server._lock:
                        server.requests.append(Recorded("POST", self.path, self._headers(), body))
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                fault = server._next(Recorded("POST", self.path, self._headers(), body))
                stream = bool(body and body.get("stream"))
                include_usage = bool(body and (body.get("stream_options") or {}).get("include_usage"))
                try:
                    self._serve(fault, stream, include_usage)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (e.g. after its timeout)

            # --- replies ---------------------------------------------------------------

            def _embeddings(self, fault: Fault, body: dict[str, Any]) -> None:
                """A status fault as scripted; anything else: one 3-d vector per input."""
                if fault.kind == "status":
                    self._json(fault.status_code, fault.body or {}, fault.headers)
                    return
                texts = body.get("input") or []
                data = [{"object": "embedding", "index": i, "embedding": [1.0, float(len(t)), 0.5]}
                        for i, t in enumerate(texts)]
                usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
                self._json(200, {"object": "list", "data": data, "model": body.get("model", ""), "usage": usage})

            def _serve(self, fault: Fault, stream: bool, include_usage: bool) -> None:
                if fault.kind == "sleep":
                    if server._stopping.wait(fault.seconds):
                        return
                if fault.kind == "status":
                    self._json(fault.status_code, fault.body or {}, fault.headers)
                elif fault.kind == "malformed_json":
                    self._raw(200, b'{"id": "x", "choices": [{"message": {"content": "trunc', "application/json")
                elif fault.kind in ("ok", "sleep", "reasoning") and not stream:
                    self._json(200, self._completion(fault))
                else:
                    self._stream(fault, include_usage)

            def _completion(self, fault: Fault) -> dict[str, Any]:
                reply: dict[str, Any] = {
                    "id": "chatcmpl-fault",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": server.model,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": fault.text}, "finish_reason": "stop"}
                    ],
                }
                if fault.kind == "reasoning":
                    reply["choices"][0]["message"] = {"role": "assistant", "content": None, "reasoning_content": fault.text}
                if fault.usage:
                    reply["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
                return reply

            def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
                return {
                    "id": "chatcmpl-fault",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": server.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }

            def _stream(self, fault: Fault, include_usage: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self._event(self._chunk({"role": "assistant", "content": ""}))
                for piece in _pieces(fault.text):
                    key = "reasoning_content" if fault.kind == "reasoning" else "content"
                    self._event(self._chunk({key: piece}))
                if fault.kind == "cut_stream":
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)  # no terminating chunk: the body is incomplete
                    return
                if fault.kind == "bad_chunk":
                    self._send_chunk(b'data: {"id": "chatcmpl-fault", "choices": [{"delta": {"content": "x\n\n')
                    self._event(self._chunk({}, "stop"))
                elif fault.kind != "no_finish":
                    self._event(self._chunk({}, "stop"))
                if include_usage and fault.usage and fault.kind != "no_finish":
                    usage = self._chunk({})
                    usage["choices"] = []
                    usage["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
                    self._event(usage)
                self._send_chunk(b"data: [DONE]\n\n")
                self._send_chunk(b"")

            def _event(self, data: dict[str, Any]) -> None:
                self._send_chunk(b"data: " + json.dumps(data).encode() + b"\n\n")

            def _send_chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _json(self, code: int, payload: dict[str, Any], headers: Sequence[tuple[str, str]] = ()) -> None:
                self._raw(code, json.dumps(payload).encode(), "application/json", headers)

            def _raw(self, code: int, data: bytes, ctype: str, headers: Sequence[tuple[str, str]] = ()) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

        return Handler


def server_fixture(key: str):  # noqa: ANN201 - a pytest fixture
    """A fixture: a started ``FaultServer`` that the OpenAI SDK reaches through ``OPENAI_BASE_URL``
    with ``key`` as ``OPENAI_API_KEY``; stopped after the test."""
    import pytest

    @pytest.fixture
    def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
        srv = FaultServer().start()
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", key)
        try:
            yield srv
        finally:
            srv.stop()

    return server
