"""The routes of ``rag serve``: an OpenAI-compatible chat endpoint plus ask, search and articles.

Routes (JSON schema at ``/openapi.json``; no /docs page, which would load its assets from a CDN):

    GET  /healthz                 liveness, article count; 503 when the vector store is down or holds no vector
                                  of the stored chunks; "degraded" (200) when it lacks some (no key needed)
    GET  /v1/models               the collection, as the one "model"
    POST /v1/chat/completions     OpenAI shape, ``stream`` or not; extra fields ``citations``, ``passages``, ``rag``
                                  (``RAG_FIELDS``); ``usage`` counted by tiktoken, ``"estimated": true``, when no
                                  LLM server reported it
    POST /v1/ask                  ``rag ask --json``'s schema (``Answer.to_dict``)
    POST /v1/search               passages only: {"query", "top_k", "filters", "as_of"}; ``notices`` (empty collection)
    GET  /v1/articles?q=          stored articles;  GET/DELETE /v1/articles/{id} (DELETE: ``article_kept`` says
                                  whether only one source of the article went)
    POST /v1/articles             ingest: JSON {"urls": [...]} or multipart ``files`` (+ ``urls`` fields)

``filters.since`` takes what ``rag ask --since`` takes: a date, a period ("7d") or a question's time
words ("last week"), read against the request's ``as_of`` (``rag.service.SearchFilters``); a value
it cannot read is a 422 naming ``filters.since`` (``_filters``).

Everything answers through the one ``RAG`` of the process (``RAG.ask``/``RAG.stream``) and writes
through ``Collection.ingest``/``remove``; this module only translates HTTP. With ``RAG_API_KEY``
set, every /v1 route wants ``Authorization: Bearer <key>``; the key is read from the environment
when the app is built and never logged.

A JSON body needs ``Content-Type: application/json`` (without it, a 415 says so); its numbers and
booleans are strict (``"top_k": "3"`` is a 422 naming the field); an empty or blank question or query
(``""`` as ``"   "``) is the library's 400 ``invalid_input`` naming it; a date (``as_of``) is a "YYYY-MM-DD"
string, a number a 422 saying so. A chat field that is not OpenAI's but looks like one of ours misspelt
(``asof``) is a 422 naming the field meant; other unknown chat fields are ignored and named in the
``x-rag-ignored-fields`` header (``misspelt_fields``). Every error is OpenAI's envelope
``{"error": {"message", "type", "code", "fix"}}``: ``code`` a stable machine-readable name, never
null (``not_found``, ``invalid_request``, ``store_busy``, ...), ``fix`` the remedy when the error
names one apart from its message (``RagError.fix``).

>>> from rag.http_api import create_app    # doctest: +SKIP
>>> app = create_app(RAG(), api_key="")    # an ASGI app: run it with any ASGI server  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import json
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.errors import ConfigError, EmbedderMismatchError, InputError, LLMError, RagError, StoreBusyError, StoreError
from rag import service
from rag.arguments import json_day, meant_field, pair_turns
from rag.serve import list_page
from rag.service import SearchFilters, UnreadableSince
from rag.types import Answer, Filters

if TYPE_CHECKING:
    from rag.api import RAG

log = logging.getLogger(__name__)

JSON_BODY_LIMIT = 1 << 20  # questions, chat histories, URL lists: 1 MiB is far above any real one
MAX_UPLOAD_FILES = 10
CORRECTED = "\n\n(Checked against the sources, the answer is:) "


# --- auth and limits -------------------------------------------------------------------------
class BearerAuth:
    """ASGI middleware: requests under ``prefix`` need ``Authorization: Bearer <key>``.

    Checked before the body is read, so an unauthenticated client cannot make the server parse
    (or spool) anything. Compared in constant time; the key is never logged or echoed."""

    def __init__(self, app: ASGIApp, key: str, prefix: str = "/v1") -> None:
        self.app = app
        self._key = key.encode()
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under(scope.get("path", ""), self.prefix) or self._ok(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps(_error("missing or wrong API key: send 'Authorization: Bearer <RAG_API_KEY>'",
                                 "authentication_error", "invalid_api_key")).encode()
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _ok(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, token = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._key)
        return False


class LocalOnly:
    """ASGI middleware for a server without a key (allowed on loopback only, ``rag.serve.check_bind``):
    the request must name a loopback host, and a request a browser sends for another site's page (an
    ``Origin`` that is not loopback) is refused. Without it any web page the user visits could add
    articles through a plain form post, and a DNS-rebinding page (its own name resolving to
    127.0.0.1) could read and remove them. Clients that are not browsers send no ``Origin``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        host = headers.get(b"host", b"").decode("latin-1")
        origin = headers.get(b"origin", b"").decode("latin-1")
        why = None
        if not _loopback_authority(host):
            why = f"the Host header {host[:100]!r} is not this machine's loopback name"
        elif origin and not _loopback_authority(origin.partition("://")[2]):
            why = f"a page of another site ({origin[:100]!r}) may not use this server"
        if why is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(_error(f"{why}: without RAG_API_KEY it answers only localhost, 127.0.0.1 and [::1]",
                                 "permission_error", "not_local")).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _loopback_authority(authority: str) -> bool:
    """Whether ``host[:port]`` names this machine's loopback ("localhost:8000", "[::1]:8000")."""
    from rag.serve import is_loopback

    name = authority.rstrip("/")
    name = name[: name.index("]") + 1] if name.startswith("[") and "]" in name else name.rsplit(":", 1)[0]
    return bool(name) and is_loopback(name.lower())


#: the browser origins a server without a key answers: pages served from this machine's loopback
LOOPBACK_ORIGIN = r"https?://(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?"


class ApiCors:
    """CORS for ``/v1`` and ``/healthz``, so a web app in the browser can call the API.

    ``LocalOnly`` already admits a page served from loopback (a dev server on localhost:5173), but
    without CORS headers the browser answered its preflight with a 405 and hid every response from
    it. Without a key only loopback origins are named (the same pages ``LocalOnly`` admits); with a
    key any origin may call, since each request must carry the key in ``Authorization``, never in a
    cookie (credentials are not allowed). The mounted chat UI (``/ui``) is left out: it logs in with
    a cookie. Outermost, so a preflight (which carries no key) is answered before ``BearerAuth``."""

    def __init__(self, app: ASGIApp, *, any_origin: bool, prefixes: tuple[str, ...] = ("/v1", "/healthz"),
                 headers: tuple[str, ...] = (), expose: tuple[str, ...] = ("retry-after",)) -> None:
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        self.prefixes = prefixes
        self.allow_headers = ("authorization", "content-type", *headers)
        self.cors = CORSMiddleware(
            app, allow_origins=["*"] if any_origin else [], allow_origin_regex=None if any_origin else LOOPBACK_ORIGIN,
            allow_methods=["GET", "POST", "DELETE"], allow_headers=list(self.allow_headers),
            allow_credentials=False, expose_headers=list(expose), max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not any(_under(path, prefix) for prefix in self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers:
            response = self.cors.preflight_response(request_headers=headers)
            # Starlette refuses a preflight with a text/plain "Disallowed CORS origin": the envelope
            # every other error of this server has (the README promises it for every error body)
            await (self._refused(headers, response) if response.status_code == 400 else response)(scope, receive, send)
            return
        await self.cors(scope, receive, send)

    def _refused(self, headers: Headers, plain: Response) -> JSONResponse:
        """A refused preflight in the JSON error envelope (code ``cors_refused``), saying what was
        refused; Starlette's CORS headers (``Vary``, the allowed methods and headers) kept."""
        refused = bytes(plain.body).decode("utf-8", "replace").removeprefix("Disallowed CORS ").split(", ")
        origin, method = headers.get("origin", "")[:100], headers.get("access-control-request-method", "")[:40]
        why = {"origin": f"a page of {origin!r} may not call this server from a browser: without RAG_API_KEY it "
                         "answers pages served from localhost, 127.0.0.1 and [::1] only",
               "method": f"the method {method!r} is not one it takes (GET, POST, DELETE)",
               "headers": f"a requested header is not allowed (allowed: {', '.join(self.allow_headers)})",
               "private-network": "a private-network request is not allowed"}
        message = "CORS preflight refused: " + "; ".join(why.get(r, r) for r in refused)
        kept = {k: v for k, v in plain.headers.items() if k.lower() not in ("content-type", "content-length")}
        return JSONResponse(_error(message, "invalid_request_error", "cors_refused"), status_code=400, headers=kept)


class DeclaredSizeLimit:
    """ASGI middleware: a /v1 request whose Content-Length is over its route's limit gets a 413 that
    says the limit, before anything is read. Bodies without a length are cut off while they stream
    by FastAPI's own ``max_body_size`` (a plain-text 413)."""

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not _under(path, "/v1"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        upload = (path.rstrip("/") == "/v1/articles" and scope.get("method") == "POST"
                  and headers.get(b"content-type", b"").startswith(b"multipart/form-data"))
        limit = self.upload_limit if upload else self.json_limit
        try:
            size = int(headers.get(b"content-length", b"0"))
        except ValueError:
            size = 0
        if size <= limit:
            await self.app(scope, receive, send)
            return
        what = (f"at most {limit // (1 << 20)} MB ({MAX_UPLOAD_FILES} files of RAG_MAX_FILE_MB each)" if upload
                else f"at most {limit // 1024} KB of JSON")
        body = json.dumps(_error(f"the request body is {size} bytes; this route takes {what}",
                                 "invalid_request_error", "body_too_large")).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


# --- request bodies ----------------------------------------------------------------------------
# Numbers and booleans are ``strict=True``: pydantic's lax mode would take "3" for ``top_k`` and "no"
# for ``offline``, so a client's bug (a form value, a string template) passed unseen; a 422 names it.
# Dates stay lax: JSON has no date type, "YYYY-MM-DD" strings are how they come.
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# An empty or blank question (or query) is the library's ``InputError``, a 400 ``invalid_input`` naming the
# field (``rag.service.ask``/``search``): not pydantic's ``min_length``, which made ``""`` a 422
# ``invalid_request`` while ``"   "`` was the 400, two statuses and messages for one mistake. The schema
# keeps ``minLength: 1``, so a client generated from ``/openapi.json`` still knows an empty one is refused.
NOT_EMPTY: dict[str, Any] = {"minLength": 1}

#: a date of a body (``as_of``): "YYYY-MM-DD"; a number is refused saying to send that, with what was sent
#: (``rag.arguments.json_day``: pydantic read 20221212 as a Unix time, and said so in words about datetimes)
JsonDay = Annotated[date | None, BeforeValidator(json_day)]


class SearchRequest(_Body):
    query: str = Field(description="words or a question", json_schema_extra=NOT_EMPTY)
    top_k: int | None = Field(None, ge=1, le=50, strict=True, description="passages to return (default RAG_TOP_K)")
    filters: SearchFilters | None = None
    as_of: JsonDay = Field(None, description="reference date (YYYY-MM-DD) that 'this week', 'on Sunday', 'latest' "
                                                 "are resolved against; default today")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls, ...: accepted, unused

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class AskRequest(_Body):
    question: str = Field(description="a question about the articles", json_schema_extra=NOT_EMPTY)
    top_k: int | None = Field(None, ge=1, le=50, strict=True)
    filters: SearchFilters | None = None
    # both shapes ``RAG.ask`` takes: a client of /v1/chat/completions has its history as messages
    history: list[tuple[str, str] | ChatMessage] = Field(
        default_factory=list, description="earlier turns, oldest first: [question, answer] pairs or "
                                          "{\"role\", \"content\"} messages (one shape for the whole list)")
    offline: bool = Field(False, strict=True, description="never call an LLM")
    as_of: JsonDay = Field(None, description="reference date (YYYY-MM-DD) that 'this week', 'on Sunday', 'latest' "
                                                 "are resolved against; default today")

    def turns(self) -> list[tuple[str, str] | dict[str, str]]:
        """``history`` as ``RAG.ask`` takes it (messages as {"role", "content"} dicts)."""
        return [h if isinstance(h, tuple) else {"role": h.role, "content": h.text()} for h in self.history]


class ChatRequest(BaseModel):
    # temperature, max_tokens, top_p, seed, user, stream_options, tools (with tool_choice auto/none), ...:
    # OpenAI clients send them, and a cited answer of one choice honours them well enough: accepted,
    # unused. Those that ask for a reply of another shape are refused: ``unsupported_parameter``. A field
    # that is neither OpenAI's nor ours but looks like one of ours misspelt ("asof") is a 422
    # (``misspelt_fields``); any other is ignored and named in ``IGNORED_HEADER``.
    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = Field(False, strict=True)
    top_k: int | None = Field(None, ge=1, le=50, strict=True, description="extension: passages to answer from")
    filters: SearchFilters | None = Field(None, description="extension: restrict the sources searched")
    offline: bool = Field(False, strict=True, description="extension: never call an LLM")
    as_of: JsonDay = Field(None, description="extension: reference date (YYYY-MM-DD) that 'this week', 'on Sunday', "
                                             "'latest' are resolved against; default today")
    # accepted and unused, as the extras above, but numbers: pydantic's extras took ``"temperature": "hot"``
    # with a 200 (new user 15, D9), though this API's numbers are strict
    temperature: float | None = Field(None, strict=True, description="accepted, unused: answers come from the articles")
    top_p: float | None = Field(None, strict=True, description="accepted, unused")
    presence_penalty: float | None = Field(None, strict=True, description="accepted, unused")
    frequency_penalty: float | None = Field(None, strict=True, description="accepted, unused")

    @field_validator("temperature", "top_p", "presence_penalty", "frequency_penalty", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        """A JSON number or null; anything else (``"hot"``, ``"0.9"``, ``true``) is the 422 naming the field."""
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return value
        sent = _JSON_TYPES.get(type(value), type(value).__name__)
        raise ValueError(f"Input should be a number, not {sent}; send a number, e.g. 0.2 (or leave it out: "
                         "it is accepted and unused, the answer comes from the articles)")


class UrlsRequest(_Body):
    urls: list[str] = Field(min_length=1, description="http(s) URLs of articles")


# --- errors ----------------------------------------------------------------------------------
def _error(message: str, kind: str, code: str, fix: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope, so OpenAI clients show the message: ``type`` the broad kind,
    ``code`` a stable machine-readable name of the failure (never null: a client branches on it),
    ``fix`` what to do when it is said apart from the message (``RagError.fix``).

    >>> _error("no article 'x'", "invalid_request_error", "not_found")
    {'error': {'message': "no article 'x'", 'type': 'invalid_request_error', 'code': 'not_found'}}
    """
    return {"error": {"message": message, "type": kind, "code": code} | ({"fix": fix} if fix else {})}


class ErrorDetail(BaseModel):
    """The ``error`` object of every error body (OpenAI's envelope, plus ``fix``)."""

    message: str = Field(description="what went wrong, naming the field or item")
    type: str = Field(description="the broad kind, as OpenAI names it (invalid_request_error, ...)")
    code: str = Field(description="a stable machine-readable name to branch on: not_found, invalid_request, ...")
    fix: str | None = Field(None, description="what to do, when said apart from the message")
    param: str | None = Field(None, description="the chat parameter refused (unsupported_parameter)")


class ErrorBody(BaseModel):
    """An error response. ``/openapi.json`` declares it for every error status, so a client generated
    from the schema parses what is sent (FastAPI's default declared ``{"detail": [...]}`` for a 422,
    which this server never sends alone)."""

    error: ErrorDetail
    detail: list[dict[str, Any]] | None = Field(None, description="422: pydantic's errors (type, loc, msg)")


#: the error statuses a route may answer, with when
_ERROR_STATUSES: tuple[tuple[int, str], ...] = (
    (400, "bad JSON, an empty or blank question or query, a bad value the library refuses (a since after "
          "until, a question too long), an unsupported chat parameter, too many files"),
    (401, "missing or wrong API key (when RAG_API_KEY is set)"),
    (403, "without a key: a request that is not from this machine's loopback"),
    (404, "no such article, model or route"),
    (409, "the collection is being written by another process (Retry-After)"),
    (413, "the body is over its limit"),
    (415, "a body that is not JSON (or multipart for uploads)"),
    (422, "a field of the wrong type or value, or an unknown field, named in the message"),
    (500, "a server error"),
    (502, "the LLM failed"),
    (503, "the vector store does not answer"),
)
#: ``/openapi.json``'s error responses: every status with the error envelope
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": what} for status, what in _ERROR_STATUSES}


class ApiError(HTTPException):
    """An HTTP error this API raises, with its ``code`` (and ``fix``) for the error body."""

    def __init__(self, status: int, message: str, code: str, fix: str | None = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.fix = fix


#: (library error, status, type, code); the first class that matches answers
_STATUS: tuple[tuple[type[RagError], int, str, str], ...] = (
    (InputError, 400, "invalid_request_error", "invalid_input"),
    (StoreBusyError, 409, "conflict", "store_busy"),
    (LLMError, 502, "upstream_error", "llm_failed"),
    (StoreError, 503, "store_unavailable", "store_unavailable"),
    (EmbedderMismatchError, 500, "server_error", "embedder_mismatch"),
    (ConfigError, 500, "server_config_error", "config_error"),
    (RagError, 500, "server_error", "server_error"),
)

#: the code of an HTTP error raised without one (Starlette's and FastAPI's own), by status
_HTTP_CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "body_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "rate_limited", 500: "internal_error", 502: "upstream_error", 503: "unavailable",
}


#: the request fields of OpenAI's chat completions (platform.openai.com/docs/api-reference/chat/create):
#: whatever this server does with them, never read as a misspelling of its own fields. ``openai_chat_fields``
#: adds those of the installed OpenAI SDK, so a field newer than this list is taken as OpenAI's too.
OPENAI_CHAT_FIELDS = frozenset({
    "messages", "model", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
    "max_completion_tokens", "max_tokens", "metadata", "modalities", "moderation", "n", "parallel_tool_calls",
    "prediction", "presence_penalty", "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention",
    "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream",
    "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
    "web_search_options",
})
#: this server's own fields of a chat request (those of ``/v1/ask``)
CHAT_EXTENSIONS = ("top_k", "filters", "offline", "as_of")
#: how close (difflib's ratio of the names without case, "_" or "-") an unknown chat field must be to one of
#: ``CHAT_EXTENSIONS`` to be refused as its misspelling: "filter", "ofline", "asoff", "top" are; vendors'
#: fields of other OpenAI-compatible servers ("top_a", "top_n", "files", "offset", "options") are not
MISSPELT_CUTOFF = 0.85
#: the response header naming the chat fields this server ignored (neither OpenAI's nor its own)
IGNORED_HEADER = "x-rag-ignored-fields"


@functools.cache
def openai_chat_fields() -> frozenset[str]:
    """``OPENAI_CHAT_FIELDS`` and the fields the installed OpenAI SDK sends to chat completions (read only
    for a request with a field that is not one of the list's or this server's)."""
    try:
        from openai.types.chat.completion_create_params import CompletionCreateParamsBase
    except ImportError:  # an SDK that moved them: the list alone
        return OPENAI_CHAT_FIELDS
    return OPENAI_CHAT_FIELDS | frozenset(getattr(CompletionCreateParamsBase, "__annotations__", {}))


def misspelt_fields(req: ChatRequest) -> list[tuple[str, str, str]]:
    """``(field, problem, fix)`` for each top-level field of a chat request that would otherwise be
    ignored while the client believes it was read: one that is no OpenAI field but looks like one of
    ours misspelt ("asof", "as-of", "asOf", "topk", "filter": ``rag.arguments.meant_field``), or one of
    the filters' fields sent beside them ("since"), and ``extra_body`` sent as a field (the OpenAI SDK
    merges it into the body; sent as it is, its ``as_of`` was ignored). Other unknown fields are
    ignored, as OpenAI fields this server does not use are (``ignored_fields``).

    >>> misspelt_fields(ChatRequest(messages=[{"role": "user", "content": "q"}], asof="2022-12-23", seed=1))
    [('asof', "unknown field 'asof': did you mean 'as_of'?", "rename 'asof' to 'as_of'")]
    """
    found = []
    for name, value in (req.model_extra or {}).items():
        if name in OPENAI_CHAT_FIELDS or name in openai_chat_fields():
            continue
        shown = name[:60]
        if name == "extra_body" and isinstance(value, dict):
            inner = ", ".join(repr(str(k)[:60]) for k in list(value)[:10])
            found.append((name, f"unknown field 'extra_body' (with {inner or 'no fields'}): extra_body is how the "
                                "OpenAI SDK adds fields to the body, not a field of it",
                          "send its fields at the top level of the JSON body, beside messages"))
        elif meant := meant_field(name, CHAT_EXTENSIONS, cutoff=MISSPELT_CUTOFF):
            parent, _, child = meant.partition(".")
            fix = (f'send it inside {parent}: {{"{parent}": {{"{child}": ...}}}}' if child
                   else f"rename {shown!r} to {meant!r}")
            found.append((name, f"unknown field {shown!r}: did you mean {meant!r}?", fix))
    return found


def ignored_fields(req: ChatRequest) -> list[str]:
    """The top-level fields of a chat request that are neither OpenAI's nor this server's: ignored, as the
    OpenAI fields this server does not use are (a vendor's field for another OpenAI-compatible server, a
    field newer than ``OPENAI_CHAT_FIELDS``), and named in the response's ``IGNORED_HEADER``."""
    return [name for name in (req.model_extra or {}) if name not in OPENAI_CHAT_FIELDS
            and name not in openai_chat_fields()]


def _header_names(names: Sequence[str], most: int = 20) -> str:
    """``names`` as a header value: plain field names only (a name of other characters, or more than
    ``most`` of them, is counted, not echoed: a header cannot carry any text)."""
    plain = [n for n in names if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", n)][:most]
    rest = len(names) - len(plain)
    return ", ".join(plain + ([f"(+{rest} more)"] if rest else []))


def unsupported_parameter(req: ChatRequest) -> tuple[str, str] | None:
    """``(parameter, why)`` for a chat parameter asking for a reply this server cannot give, which a
    client would misread if it were ignored: several choices (``n``), JSON output (``response_format``),
    a forced tool call (``tool_choice``/``function_call``). None when the request is answerable.

    >>> unsupported_parameter(ChatRequest(messages=[{"role": "user", "content": "q"}], n=2, temperature=0.3))
    ('n', 'n=2: this server writes one answer (one choice) per request; leave n out or send 1')
    """
    extra = req.model_extra or {}
    n = extra.get("n")
    if n is not None and n != 1:
        return "n", f"n={n!r}: this server writes one answer (one choice) per request; leave n out or send 1"
    fmt = extra.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, dict) else fmt
    if kind not in (None, "text"):
        return "response_format", (f"response_format type {kind!r}: answers are text with [n] citation markers "
                                   "(citations and passages come as extra fields); leave response_format out")
    for name in ("tool_choice", "function_call"):
        choice = extra.get(name)
        if choice not in (None, "auto", "none"):
            return name, f"{name}={json.dumps(choice)[:100]}: this server calls no tools; leave {name} out"
    return None


# The CLI's busy message names the data directory and its lock file; a REST client can do nothing
# with a server path (and should not learn it): it can only wait.
BUSY = "the collection is being written by another process; retry in a moment"
# The library's LLMError fix is for whoever runs the server (RAG_ANSWERER); a client has its own lever.
LLM_FIX = 'retry in a moment, or send "offline": true to answer without the LLM'


def rag_error_body(exc: RagError) -> tuple[int, dict[str, Any]]:
    """The status and error body of a library error (also sent in-band when a stream fails)."""
    status, kind, code = next((s, k, c) for cls, s, k, c in _STATUS if isinstance(exc, cls))
    message, fix = service.client_words(exc)  # a remedy only whoever runs the server applies: said to be theirs
    if isinstance(exc, StoreBusyError):
        message = BUSY
    if isinstance(exc, LLMError) and "fix" not in vars(exc):  # the class default, not a fix of its own
        fix = LLM_FIX
    return status, _error(message, kind, code, fix)


def _rag_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RagError)
    status, body = rag_error_body(exc)
    if status >= 500:
        log.warning("request failed: %s", exc)
    if isinstance(exc, StoreBusyError):
        log.info("write refused: %s", exc)
        return JSONResponse(body, status_code=status, headers={"retry-after": "5"})
    return JSONResponse(body, status_code=status)


#: what a 422 names for an unknown field: the fields of the route's body (by path) and of its filters
_BODIES: dict[str, type[BaseModel]] = {"/v1/search": SearchRequest, "/v1/ask": AskRequest,
                                       "/v1/articles": UrlsRequest}
#: a minimal body of each JSON route, for the message of a body that is empty or not an object
_EXAMPLES: dict[str, str] = {
    "/v1/ask": '{"question": "Which town did the rebels capture?"}',
    "/v1/search": '{"query": "Khansir rebels", "top_k": 3}',
    "/v1/chat/completions": '{"messages": [{"role": "user", "content": "Which town did the rebels capture?"}]}',
    "/v1/articles": '{"urls": ["https://example.org/story.html"]}',
}
_FIELDS: dict[str, tuple[str, ...]] = {"filters": tuple(SearchFilters.model_fields),
                                       "body.filters": tuple(SearchFilters.model_fields)}


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    from rag.serve import field_problem, readable_dates

    errors = readable_dates(exc.errors()) if isinstance(exc, RequestValidationError) else []
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = next(e for e in errors if e.get("type") == "json_invalid")
        why = (detail.get("ctx") or {}).get("error", "not JSON")
        return JSONResponse(_error(f"the request body is not valid JSON ({why}); send a JSON object",
                                   "invalid_request_error", "json_invalid"), status_code=400)
    raw = getattr(exc, "body", None)
    if isinstance(raw, (bytes, bytearray)) and any(tuple(e.get("loc", ())) == ("body",) for e in errors):
        # FastAPI reads a body as JSON only when its Content-Type says JSON; any other (or none) leaves
        # the bytes, and pydantic then says only that they are "not a valid dictionary"
        return _http_error(request, not_json(request.headers.get("content-type", ""), bytes(raw), JSON_OBJECT))
    if errors and all(e.get("type") == "value_error" and tuple(e.get("loc", ())) == ("body", "filters")
                      for e in errors):
        # the filters' own check across their fields (``SearchFilters``: a since after until) refused them
        # while the body was parsed: the library's 400 ``invalid_input`` the README documents, as
        # ``Filters(published_from=...)`` after ``published_to`` is (it was a 422 ``invalid_request``: new user 15, D9)
        reason = str(errors[0].get("msg", "")).removeprefix("Value error, ")
        return _rag_error(request, InputError("filters", reason))
    route = request.url.path.rstrip("/")
    whole = next((e for e in errors if tuple(e.get("loc", ())) == ("body",)), None)
    if whole is not None and route in _EXAMPLES:
        # FastAPI's "body: Field required" for an empty body, "a valid dictionary" for [1, 2] or null:
        # neither says that the body itself is what is missing or of the wrong shape
        what = "empty" if whole.get("type") == "missing" else "JSON but not an object"
        return JSONResponse(_error(f"the request body is {what}; {request.method} {route} takes a JSON object, "
                                   f"e.g. {_EXAMPLES[route]}", "invalid_request_error", "invalid_request")
                            | {"detail": jsonable(errors)}, status_code=422)
    body = _BODIES.get(route)
    fields = _FIELDS | ({"": tuple(body.model_fields), "body": tuple(body.model_fields)} if body else {})
    parts = [field_problem(tuple(e.get("loc", ())), _said(e), str(e.get("type", "")), fields) for e in errors]
    return JSONResponse(_error("invalid request: " + "; ".join(parts), "invalid_request_error", "invalid_request")
                        | {"detail": jsonable(errors)}, status_code=422)


ROUTES = ("GET /v1/models, POST /v1/chat/completions (OpenAI chat; no /v1/responses, /v1/completions or "
          "/v1/embeddings), POST /v1/ask, POST /v1/search, GET|POST /v1/articles, GET|DELETE /v1/articles/{ref}, "
          "GET /healthz; the schema is at /openapi.json")


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    status = exc.status_code
    code = getattr(exc, "code", None) or _HTTP_CODES.get(status) or ("server_error" if status >= 500 else "bad_request")
    # Starlette's bare "Not Found" / "Method Not Allowed": say what this server does answer (an
    # OpenAI SDK user reaching for client.responses or client.embeddings learns nothing from them)
    where = f"{request.method} {request.url.path[:200]}"
    if status == 404 and message == "Not Found":
        message, code = f"no route {where}: this server answers {ROUTES}", "unknown_route"
    elif status == 413 and message == "Content Too Large":  # a body without Content-Length, cut off as it streamed
        message = (f"the request body is too large for {where}: at most {JSON_BODY_LIMIT // 1024} KB of JSON "
                   f"(a multipart upload: {MAX_UPLOAD_FILES} files of RAG_MAX_FILE_MB each)")
    elif status == 405 and message == "Method Not Allowed":
        allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
        message = f"{where} is not allowed" + (f"; send {allowed}" if allowed else "") + f". Routes: {ROUTES}"
    return JSONResponse(_error(message, "invalid_request_error" if status < 500 else "server_error", code,
                               getattr(exc, "fix", None)), status_code=status, headers=exc.headers)


def _crash(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error serving a request")
    return JSONResponse(_error(f"internal error ({type(exc).__name__}); see the server log", "server_error",
                               "internal_error"), status_code=500)


JSON_OBJECT = "a JSON object with the header 'Content-Type: application/json'"
JSON_FIX = ("send the header 'Content-Type: application/json' with the JSON body "
            "(curl: -H 'content-type: application/json')")


def not_json(ctype: str, data: bytes, takes: str) -> ApiError:
    """The 415 for a body this server did not read as JSON (``ctype`` another type, or empty). When
    the body looks like JSON the header is what is missing, and the error says so; otherwise what
    the route takes.

    >>> not_json("", b'{"query": "Khansir"}', JSON_OBJECT).fix.startswith("send the header")
    True
    """
    sent = f"as {ctype.split(';')[0].strip()[:100]!r}" if ctype.strip() else "without a Content-Type header"
    if data.lstrip()[:1] in (b"{", b"["):
        return ApiError(415, f"the body looks like JSON but was sent {sent}; this server reads a body as JSON "
                             "only when its Content-Type is application/json", "unsupported_media_type", JSON_FIX)
    return ApiError(415, f"cannot read a body sent {sent} here; this route takes {takes}", "unsupported_media_type",
                    f"send {takes}")


_JSON_TYPES = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list",
               dict: "an object", type(None): "null"}


def _said(e: dict[str, Any]) -> str:
    """Pydantic's message, with what was sent instead for a value of the wrong type: "Input should
    be a valid integer, not a string" (the value itself is not echoed)."""
    msg = str(e.get("msg"))
    if str(e.get("type", "")) in ("int_type", "bool_type", "float_type", "string_type") and "input" in e:
        sent = _JSON_TYPES.get(type(e["input"]))
        msg += f", not {sent}" if sent else ""
    return msg


def jsonable(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors without the raw input (which may be large, or not JSON-serialisable)."""
    return [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in errors]


# --- the app ---------------------------------------------------------------------------------
def create_app(rag: RAG, *, api_key: str | None = None, ui: bool = False) -> FastAPI:
    """The ASGI app serving ``rag``. ``api_key=None`` reads ``RAG_API_KEY``; ``""`` means no key."""
    settings = rag.settings
    key = settings.api_key() if api_key is None else api_key
    model_id = settings.collection
    writer = service.Writer(rag)
    upload_limit = int(settings.max_file_mb * 1024 * 1024) * MAX_UPLOAD_FILES + JSON_BODY_LIMIT

    app = FastAPI(
        title="rag", version="1", docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
        description="Answers from a news collection, with citations. OpenAI-compatible /v1/chat/completions. "
                    "With RAG_API_KEY set, /v1 routes need 'Authorization: Bearer <key>'.",
    )
    app.state.rag = rag
    for exc_type, handler in ((RagError, _rag_error), (RequestValidationError, _validation_error),
                              (HTTPException, _http_error), (Exception, _crash)):
        app.add_exception_handler(exc_type, handler)
    v1 = APIRouter(prefix="/v1", max_body_size=JSON_BODY_LIMIT, responses=ERROR_RESPONSES)

    probe = StoreProbe(rag)

    @app.get("/healthz", response_model=None, responses={503: ERROR_RESPONSES[503]})
    def healthz() -> dict[str, Any] | JSONResponse:
        counts = rag.collection.db.counts()
        articles, chunks = counts["articles"], counts["chunks"]
        problem = probe.check()
        if problem:  # every /v1 answer would fail the same way: say so to load balancers and monitors
            return JSONResponse(_error(problem, "store_unavailable", "store_unavailable")
                                | {"status": "unavailable", "articles": articles},
                                status_code=503)
        vectors = probe.vectors
        if chunks and vectors == 0:
            # a Chroma server restarted on an empty directory answered, so this said "ok" while every question
            # was searched by keyword alone and most were refused (new user 11): no answer can be trusted
            fix = "run `rag reindex` to rebuild the vectors from the stored texts"
            body = _error(f"none of the {chunks} stored chunks has a vector in the vector store (was it emptied or "
                          f"replaced?); {fix}", "store_unavailable", "store_degraded")
            body["error"]["fix"] = fix
            return JSONResponse(body | {"status": "degraded", "articles": articles, "chunks": chunks, "vectors": 0},
                                status_code=503)
        if vectors is not None and vectors < chunks:  # answers work, some by keyword search only: say so, 200
            return {"status": "degraded", "articles": articles, "chunks": chunks, "vectors": vectors,
                    "warnings": list(rag.store.health_notices())}
        return {"status": "ok", "articles": articles}

    @v1.get("/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [_model(model_id)]}

    @v1.get("/models/{model}")
    def model(model: str) -> dict[str, Any]:
        _check_model(model, model_id)
        return _model(model_id)

    @v1.post("/chat/completions", response_model=None)
    def chat_completions(req: ChatRequest, response: Response) -> dict[str, Any] | StreamingResponse | JSONResponse:
        if misspelt := misspelt_fields(req):  # the 422 of any bad field, in the same envelope
            detail = [{"type": "extra_forbidden", "loc": ["body", name], "msg": problem}
                      for name, problem, _ in misspelt]
            message = "invalid request: " + "; ".join(f"body.{name[:60]}: {problem}" for name, problem, _ in misspelt)
            return JSONResponse(_error(f"{message} (this server's own fields are {', '.join(CHAT_EXTENSIONS)}; "
                                       "OpenAI's chat fields are accepted)", "invalid_request_error", "invalid_request",
                                       "; ".join(fix for _, _, fix in misspelt)) | {"detail": detail}, status_code=422)
        ignored = {IGNORED_HEADER: _header_names(names)} if (names := ignored_fields(req)) else {}
        if ignored:
            log.debug("chat request: fields ignored: %s", ignored[IGNORED_HEADER])
        if req.model:
            _check_model(req.model, model_id)
        if (bad := unsupported_parameter(req)) is not None:
            param, why = bad
            body = _error(f"unsupported parameter {why}", "invalid_request_error", "unsupported_parameter")
            body["error"]["param"] = param  # where OpenAI names it
            return JSONResponse(body, status_code=400)
        question, history = split_messages(req.messages)
        options = (req.model_extra or {}).get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        kwargs = {"top_k": req.top_k, "filters": _filters(req.filters, req.as_of),
                  "history": history, "offline": req.offline, "as_of": req.as_of}
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if req.stream:
            pieces = rag.stream(question, checked=True, **kwargs)  # an OpenAI client shows deltas as final
            return StreamingResponse(_sse(rag, pieces, cid, created, model_id, req.messages, include_usage),
                                     media_type="text/event-stream",
                                     headers={"cache-control": "no-cache", "x-accel-buffering": "no"} | ignored)
        answer = rag.ask(question, **kwargs)
        response.headers.update(ignored)
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": model_id,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": "stop"}],
            "usage": _usage(answer, req.messages),
        } | _extras(rag, answer)

    @v1.post("/ask")
    def ask(req: AskRequest) -> dict[str, Any]:
        answer = service.ask(rag, req.question, top_k=req.top_k, filters=_filters(req.filters, req.as_of),
                             history=req.turns(), offline=req.offline, as_of=req.as_of)
        return service.public(rag, answer.to_dict())

    @v1.post("/search")
    def search(req: SearchRequest) -> dict[str, Any]:
        """The passages ``/v1/ask`` would answer from, best first: each with its whole text in ``text``
        (as ``rag ask --json`` has it; a citation's ``quote`` is one sentence, a passage has none)
        and its place in the article (``start``/``end``). ``notices`` says when nothing can be found
        (an empty collection, filters no article matches)."""
        filters = _filters(req.filters, req.as_of)
        passages = service.search(rag, req.query, top_k=req.top_k, filters=filters, as_of=req.as_of)
        notices = service.search_notices(rag, passages, "POST /v1/articles (files or URLs)", filters)
        return service.public(rag, {"query": req.query, "passages": [service.passage_dict(p) for p in passages],
                                    "notices": notices})

    @v1.get("/articles")
    def list_articles(q: str | None = None, limit: Annotated[int, Field(ge=1, le=1000)] = 100,
                      offset: Annotated[int, Field(ge=0)] = 0) -> dict[str, Any]:
        """Stored articles, newest first; ``q`` keeps those whose title or source contains it. Page
        with ``offset`` (``next_offset`` of the last page; null when there is no more)."""
        page = service.public(rag, list_page(rag, q, limit, offset))
        stats = rag.collection.stats()
        # "collection" as `rag list --json` gives it, so a client of one reads the other (new user 24)
        return page | {"stats": stats, "collection": {"articles": stats["articles"], "chunks": stats["chunks"]}}

    # ``:path``: a source may hold "/" (uploads/<name>, a URL, a file path), sent as is or as %2F
    @v1.get("/articles/{article_id:path}")
    def get_article(article_id: str) -> dict[str, Any]:
        art = service.get_article(rag, article_id)
        if art is None:
            raise ApiError(404, f"no article {article_id!r}: {service.unresolved(rag, article_id)}; "
                                "GET /v1/articles lists them", "not_found")
        return service.public(rag, art)

    @v1.delete("/articles/{article_id:path}")
    def delete_article(article_id: str) -> dict[str, Any]:
        """Remove an article (by id, unique id prefix or source), or one source of it.

        ``{"removed": <article id>, "article_kept": false}``: the article is gone. A source another
        source also holds goes alone: ``{"removed": <article id>, "article_kept": true,
        "removed_source": <the source>, "kept_sources": [...], "note": "this source only: ..."}``
        (``removed`` is the id of the article the source belonged to, as it always was; a client
        branches on ``article_kept``, not on the note's words)."""
        result = writer.remove(article_id)
        if result.status != "removed":
            raise ApiError(404, f"no article {article_id!r}: {service.rest_reason(result)}; "
                                "GET /v1/articles lists them", "not_found")
        if result.code == "source_only":  # the source went alone: the article stays
            return service.public(rag, {"removed": result.article_id, "article_kept": True,
                                        "removed_source": result.item, "kept_sources": list(result.kept_by),
                                        "note": service.rest_reason(result)})
        note = {"note": service.rest_reason(result)} if result.reason else {}
        return service.public(rag, {"removed": result.article_id, "article_kept": False} | note)

    @v1.post("/articles", max_body_size=upload_limit, openapi_extra={"requestBody": {"content": {
        "application/json": {"schema": UrlsRequest.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "urls": {"type": "array", "items": {"type": "string"}}}}}}}})
    async def add_articles(request: Request) -> JSONResponse:
        """Ingest URLs (JSON ``{"urls": [...]}``) or uploaded files (multipart ``files``); returns the
        ingest report. One bad item fails alone; the rest are stored."""
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            async with _form(request) as form:
                files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
                urls = [u for u in form.getlist("urls") if isinstance(u, str)]
                if not files and not urls:
                    raise ApiError(422, "send files in the multipart field 'files' (or URLs in 'urls')", "no_files")
                report = await run_in_threadpool(writer.ingest, urls, [(f.filename or "", f.file) for f in files])
        else:
            data = bytearray()
            async for part in request.stream():  # a URL list is JSON-sized, whatever this route allows uploads
                data += part
                if len(data) > JSON_BODY_LIMIT:
                    raise ApiError(413, f"a URL list is at most {JSON_BODY_LIMIT // 1024} KB of JSON", "body_too_large")
            if ctype and not ctype.lower().startswith("application/json"):
                raise not_json(ctype, bytes(data), "JSON {\"urls\": [...]} with the header 'Content-Type: "
                                                   "application/json', or multipart/form-data with files in 'files'")
            try:
                body = UrlsRequest.model_validate_json(bytes(data))
            except ValueError as exc:
                raise RequestValidationError(getattr(exc, "errors", lambda: [])()) from None
            report = await run_in_threadpool(writer.ingest, body.urls, [])
        return JSONResponse(report)

    app.include_router(v1)
    if key:
        _declare_bearer(app)
    app.add_middleware(DeclaredSizeLimit, json_limit=JSON_BODY_LIMIT, upload_limit=upload_limit)
    if key:
        app.add_middleware(BearerAuth, key=key)
    else:  # loopback only (``rag.serve.check_bind``): no other site's page may use it either
        app.add_middleware(LocalOnly)
    app.add_middleware(ApiCors, any_origin=bool(key), expose=("retry-after", IGNORED_HEADER))
    if ui:
        _mount_ui(app, rag, key)
    return app


def _declare_bearer(app: FastAPI) -> None:
    """``/openapi.json`` says the /v1 routes want ``Authorization: Bearer <key>`` (the middleware
    checks it, out of FastAPI's sight), so a client generated from the schema sends the key."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()  # FastAPI caches it in app.openapi_schema: changed in place, once
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
                "type": "http", "scheme": "bearer", "description": "the server's RAG_API_KEY"}
            for path, ops in schema.get("paths", {}).items():
                if _under(path, "/v1"):
                    for op in ops.values():
                        op["security"] = [{"bearer": []}]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def _form(request: Request) -> AsyncIterator[Any]:
    """The multipart form, with Starlette's "Too many files" made a message that says what to do."""
    try:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=100)
    except HTTPException as exc:
        if exc.status_code == 400 and "too many files" in str(exc.detail).lower():
            raise ApiError(400, f"at most {MAX_UPLOAD_FILES} files per request; send the rest in further "
                                "requests", "too_many_files") from None
        raise
    try:
        yield form
    finally:
        await form.close()


class StoreProbe:
    """``GET /healthz``'s check of the vector store: a ``count()`` with a short deadline.

    A Chroma server that is down (or hangs) makes every answer fail, so health must say so. The
    count runs in a thread: a hung server costs the probe its deadline, and only one count is ever
    in flight (a monitor polling every second cannot pile up threads). The embedded store counts
    from its local files (about a millisecond)."""

    def __init__(self, rag: RAG, timeout: float = 3.0) -> None:
        self.rag = rag
        self.timeout = timeout
        self._lock = threading.Lock()
        self._pending: threading.Thread | None = None
        self._result: str | None = None
        self.vectors: int | None = None  # the count the last check that succeeded got

    def check(self) -> str | None:
        """None when the vector store answers, else the reason (a one-line message with the fix)."""
        with self._lock:
            if self._pending is not None and self._pending.is_alive():
                return f"the vector store did not answer a count within {self.timeout:g} s (still waiting)"
            done = threading.Event()
            box: list[str | None] = [f"the vector store did not answer a count within {self.timeout:g} s"]

            def count() -> None:
                try:
                    self.vectors = self.rag.collection.vectors.count()
                    box[0] = None
                except RagError as exc:
                    box[0] = str(exc)
                except Exception as exc:  # noqa: BLE001 - health reports, never raises
                    box[0] = f"the vector store failed ({type(exc).__name__}: {exc})"
                finally:
                    done.set()

            t = threading.Thread(target=count, name="healthz-count", daemon=True)
            t.start()
            if not done.wait(self.timeout):
                self._pending = t
            else:
                self._pending = None
            return box[0]


def _model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": "rag"}


def _check_model(model: str, model_id: str) -> None:
    if model != model_id:
        raise ApiError(404, f"model {model!r} not found; this server answers as {model_id!r} (GET /v1/models)",
                       "model_not_found")


#: the roles of OpenAI's chat messages: user and assistant turns are read, the others left out
CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant pairs are the history.
    System messages are ignored: the collection, not a prompt, decides what is answered (as are
    OpenAI's developer, tool and function messages). An unknown role, or a question of images only,
    is said as such: both were "the last message must be a non-empty user message" (new user 15, D9)."""
    for i, m in enumerate(messages):
        if m.role not in CHAT_ROLES:
            raise InputError(f"messages[{i}].role", f"unknown role {m.role[:40]!r}: use system, user or assistant")
    spoken = [i for i, m in enumerate(messages) if m.role in ("user", "assistant")]
    turns = [(messages[i].role, messages[i].text().strip()) for i in spoken]
    content = messages[spoken[-1]].content if spoken else None
    if turns[-1:] == [("user", "")] and isinstance(content, list):
        kinds = sorted({str(p.get("type")) for p in content if p.get("type") != "text"})
        if kinds:
            raise InputError(f"messages[{spoken[-1]}].content", "content parts other than text are not supported "
                                                                f"(got {', '.join(kinds)[:100]}); ask the question "
                                                                "as text")
    if not turns or turns[-1][0] != "user" or not turns[-1][1]:
        raise InputError("messages", "the last message must be a non-empty user message (the question)")
    return turns[-1][1], pair_turns(turns[:-1])


#: the name REST's wording of a removal had: it is ``rag.service.rest_reason``, one wording for every
#: result this API reports (ingested or removed)
_rest_reason = service.rest_reason


def _usage(answer: Answer, messages: Sequence[ChatMessage] = ()) -> dict[str, Any]:
    """OpenAI's ``usage`` of a chat answer: the LLM's tokens as its server reported them, or as
    ``rag.llm`` counted them when it reported none (``"estimated": true``). An answer no LLM wrote
    (the offline answerer) has no usage of its own; it was all zeros, which read as a broken server
    to a client that tracks tokens: it is estimated the same way (tiktoken, ``index.tokens``), the
    messages sent as the prompt and the answer as the completion, and marked ``"estimated": true``."""
    if answer.usage:
        p, c = int(answer.usage.get("prompt_tokens", 0)), int(answer.usage.get("completion_tokens", 0))
        estimated = bool(answer.usage.get("estimated"))
    else:
        from index.tokens import count_tokens

        try:  # OpenAI's per-message overhead, as ``rag.llm`` counts a prompt
            p = sum(count_tokens(m.text()) + 4 for m in messages) + 3 if messages else 0
            c = count_tokens(answer.text)
        except RagError as exc:  # the encoding cannot be loaded: no estimate, not a failed answer
            log.warning("usage not estimated: %s", exc)
            return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        estimated = True
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c} | (
        {"estimated": True} if estimated else {})


#: the ``rag`` block of a chat completion: fields of ``/v1/ask`` (``Answer.to_dict``), same names and
#: shapes; ``as_of`` and ``time_window`` say how the question's "this week" was read
RAG_FIELDS = ("refused", "answerer", "search_query", "notices", "timings_ms", "dropped_markers", "as_of",
              "time_window")


def _extras(rag: RAG, answer: Answer) -> dict[str, Any]:
    """What an OpenAI response has no field for; the SDK keeps unknown fields (``resp.citations``)."""
    d = answer.to_dict()
    return service.public(rag, {
        "citations": [service.citation_dict(c) for c in answer.citations],
        "passages": d["passages"],
        "rag": {k: d[k] for k in RAG_FIELDS},
    })


def _filters(filters: SearchFilters | None, as_of: date | None) -> Filters | None:
    """A request's filters, ``since`` read against its ``as_of``: a ``since`` no form reads is the 422
    of any bad field, naming ``body.filters.since`` (it can only be read once ``as_of`` is known,
    after the body is parsed); a ``since`` after ``until`` stays the library's 400."""
    try:
        return filters.to_filters(as_of) if filters else None
    except UnreadableSince as exc:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "filters", "since"),
                                       "msg": exc.reason, "input": exc.value}]) from None


#: seconds a stream may go without a byte before an SSE comment line is sent: a claim is held until it is verified,
#: and a local model's one-sentence answer took 38 s, silent (new user 24), which a proxy's idle timeout (30-60 s in
#: the usual nginx and load-balancer settings) cuts; clients skip comment lines (the OpenAI SDK does)
KEEPALIVE_SECONDS = 15.0
KEEPALIVE = ": keep-alive\n\n"
_TICK = object()


def _kept_alive(pieces: Iterator[Any], every: float | None = None) -> Iterator[Any]:
    """``pieces``, read in a thread of their own, with ``_TICK`` whenever ``every`` seconds pass without one;
    an exception of ``pieces`` is raised here. Closed early (the client left), the thread closes ``pieces``
    after the piece it is waiting for, which stops the LLM."""
    wait = KEEPALIVE_SECONDS if every is None else every
    box: queue.Queue[tuple[str, Any]] = queue.Queue()
    gone = threading.Event()

    def read() -> None:
        try:
            for piece in pieces:
                if gone.is_set():
                    break
                box.put(("piece", piece))
            box.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which raises it
            box.put(("error", exc))
        finally:
            close = getattr(pieces, "close", None)
            if gone.is_set() and close is not None:
                close()

    threading.Thread(target=read, name="rag-sse", daemon=True).start()
    try:
        while True:
            try:
                kind, value = box.get(timeout=wait)
            except queue.Empty:
                yield _TICK
                continue
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        gone.set()


def _sse(rag: RAG, pieces: Iterator[str | Answer], cid: str, created: int, model_id: str,
         messages: Sequence[ChatMessage] = (), include_usage: bool = False) -> Iterator[str]:
    """OpenAI chat-completion chunks. An LLM's answer streams claim by claim, each once verification
    has let it through (``RAG.stream(checked=True)``): a client never shows a sentence that was then
    removed. Only when the answer was replaced after that (the offline fallback, a newest-first
    rewrite) does the checked answer follow, after ``CORRECTED``. The finish chunk carries the
    usage, citations and passages. With ``include_usage`` (``stream_options``), as OpenAI streams:
    every other chunk has ``"usage": null`` and one more, with empty ``choices``, the usage (a client
    waiting for it saw none: new user 15, D10). A comment line (``KEEPALIVE``) every ``KEEPALIVE_SECONDS``
    without a chunk keeps a proxy from cutting the stream while a claim is generated and checked."""
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model_id,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]} | (
            {"usage": None} if include_usage else {}) | extra
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    sent: list[str] = []
    answer: Answer | None = None
    try:
        for piece in _kept_alive(pieces):
            if piece is _TICK:
                yield KEEPALIVE
            elif isinstance(piece, Answer):
                answer = piece
            else:
                sent.append(piece)
                yield chunk({"content": piece})
    except RagError as exc:  # the response has started: report in-band, as OpenAI does
        log.warning("streamed answer failed: %s", exc)
        yield f"data: {json.dumps(rag_error_body(exc)[1])}\n\n"
        return
    except Exception as exc:  # noqa: BLE001 - a bug: the client gets an error event, not a cut connection
        # (before, the stream simply stopped: the OpenAI SDK raised a transport error naming nothing)
        log.exception("streamed answer failed unexpectedly")
        body = _error(f"internal error ({type(exc).__name__}); see the server log", "server_error", "internal_error")
        yield f"data: {json.dumps(body)}\n\n"
        return
    assert answer is not None
    streamed = "".join(sent)
    if not streamed.strip():
        yield chunk({"content": answer.text})
    elif streamed.strip() != answer.text.strip():
        yield chunk({"content": CORRECTED + answer.text})
    usage = _usage(answer, messages)
    yield chunk({}, "stop", usage=usage, **_extras(rag, answer))
    if include_usage:
        last = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model_id,
                "choices": [], "usage": usage}
        yield f"data: {json.dumps(last, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


KEY_USER = "rag"  # the UI's login name when the API key is its password


def _mount_ui(app: FastAPI, rag: RAG, api_key: str | None = None) -> None:
    """The Gradio chat UI at /ui/ on the same port ("/" redirects there), built by ``ui.app``. It
    logs in with ``RAG_UI_AUTH``; without it, a server with an API key asks for that key (user
    ``rag``): the UI and its Gradio API can ask, add and remove articles as ``/v1`` can, and the key
    guarded only ``/v1``."""
    import gradio as gr

    from ui.app import build_app, parse_auth
    from ui.auth import LOGIN_MESSAGE, LoginGuard
    from ui.style import CSS, JS, theme
    from ui.uploads import max_upload_bytes

    auth = parse_auth(rag.settings.ui_auth) or ((KEY_USER, api_key) if api_key else None)
    guard = LoginGuard(*auth) if auth else None
    message = LOGIN_MESSAGE if rag.settings.ui_auth else (
        f"<p>Sign in as <b>{KEY_USER}</b> with the server's API key (RAG_API_KEY), or give the UI its own "
        "login with RAG_UI_AUTH=user:password.</p>" + LOGIN_MESSAGE)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    gr.mount_gradio_app(
        app, build_app(rag), path="/ui", auth=guard.check if guard else None,
        auth_message=message if guard else None, max_file_size=max_upload_bytes(rag.settings),
        show_error=False, ssr_mode=False, mcp_server=False, footer_links=["api", "settings"],
        run_history=False, enable_monitoring=False, theme=theme(), css=CSS, js=JS,
    )
