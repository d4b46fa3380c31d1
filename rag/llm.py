"""Answer from passages with an LLM through the ``openai`` client (OpenAI or any compatible server).

The prompt comes from :mod:`rag.prompt` and is kept on the returned :class:`~rag.types.Draft`.
Failures the caller can do nothing about right now (timeouts, 429, 5xx, dropped connections,
malformed replies) are retried a bounded number of times and then raised as
:class:`~index.errors.LLMError`, so ``ask()`` can fall back to the offline answerer.

>>> from index.settings import Settings
>>> llm = LLMAnswerer(Settings(llm_model="gpt-4o-mini"))  # client built on first use
>>> llm.name
'llm:gpt-4o-mini'
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from index.errors import ConfigError, LLMError
from rag.prompt import (
    REFUSAL,
    ReplyReader,
    build_messages,
    build_rewrite_messages,
    count_tokens,
    fit_with_notice,
)
from rag.types import Draft, Passage

if TYPE_CHECKING:
    import openai

    from index.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 10.0  # seconds; a server asking for longer is treated as "later", not "wait"
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 8.0
_RETRY_STATUS = frozenset({408, 409, 429})  # plus every 5xx
_TRANSPORT_MODULES = frozenset({"httpx", "httpx2", "httpcore", "httpcore2", "h11"})


class _MalformedReply(Exception):
    """The endpoint answered 200 with something that is not a chat completion."""


@dataclass(frozen=True)
class _Failure:
    retryable: bool
    reason: str  # safe to show: never contains the API key
    retry_after: float | None = None


class LLMAnswerer:
    """Answer questions from numbered passages with a chat-completions model, citing ``[n]``.

    ``client`` is an ``openai.OpenAI`` (or anything with ``chat.completions.create``); by default
    one is built on first use from ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` with the SDK's own
    retries off, because retrying happens here (bounded by ``settings.llm_retries``).
    ``sleep`` and ``rng`` are injectable so tests can observe backoff without waiting.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | Any | None = None,
        max_tokens: int = 512,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self.name = f"llm:{self.model}"
        self.max_tokens = max_tokens
        self._client = client
        self._client_lock = threading.Lock()
        self._sleep = sleep
        self._rng = rng or random.Random()

    # --- public API ---------------------------------------------------------------------

    def answer(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = ()
    ) -> Draft:
        """One complete answer. Raises ``LLMError`` once retries are exhausted."""
        return final_draft(self._run(question, passages, history, stream=False))

    def stream(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = ()
    ) -> Iterator[str | Draft]:
        """Yield text deltas as they arrive, then one final ``Draft``.

        The deltas concatenate to exactly ``Draft.text`` (markers normalised, markers citing no
        passage removed). An error before the first delta is retried; after it, ``LLMError`` is
        raised at once, since the caller has already shown part of an answer.
        """
        yield from self._run(question, passages, history, stream=True)

    def rewrite(self, history: Sequence[tuple[str, str]], follow_up: str) -> str:
        """``follow_up`` rewritten as a standalone search query using the conversation ``history``.

        Without history the question is returned unchanged (no LLM call). A reply that is empty
        or implausibly long is ignored in favour of the original question.
        """
        if not history:
            return follow_up
        messages = build_rewrite_messages(history, follow_up)
        reply, _, _ = self._with_retries(lambda: self._complete(messages, max_tokens=96), "rewrite")
        return read_rewrite(reply, follow_up)

    # --- answering ----------------------------------------------------------------------

    def _run(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]],
        *,
        stream: bool,
    ) -> Iterator[str | Draft]:
        budget = self.settings.context_tokens
        fitted, notices = fit_with_notice(passages, budget, f"RAG_CONTEXT_TOKENS={budget}")
        if not fitted:
            # Nothing to ground an answer on: refusing is what the model is told to do anyway.
            yield REFUSAL
            yield Draft(text=REFUSAL, refused=True, notices=notices)
            return

        messages = build_messages(question, fitted, history=history)
        valid = {p.n for p in fitted}
        started = time.perf_counter()
        for attempt in range(self._attempts):
            reader = ReplyReader(valid)
            try:
                if stream:
                    usage, finish = None, None
                    for piece, usage, finish in self._stream_chunks(messages):
                        out = reader.feed(piece)
                        if out:
                            yield out
                else:
                    text, usage, finish = self._complete(messages, max_tokens=self.max_tokens)
                    reader.feed(text)
                tail = reader.finish()
            except (LLMError, ConfigError):
                raise
            except Exception as exc:
                failure = _classify(exc)
                if failure is None:
                    raise
                if reader.shown and stream:
                    raise LLMError(
                        f"the LLM stream broke off after part of the answer was shown ({failure.reason}); "
                        f"ask again, or set RAG_ANSWERER=extractive"
                    ) from exc
                self._wait_or_raise(attempt, failure, "answer", exc)
                continue
            if tail and stream:
                yield tail
            draft = reader.draft(
                messages=messages,
                usage=usage or _estimate_usage(messages, reader.raw_text),
                notices=notices,
                finish_reason=finish,
            )
            log.info(
                "%s answered in %.0f ms (attempt %d, refused=%s)",
                self.name,
                (time.perf_counter() - started) * 1000,
                attempt + 1,
                draft.refused,
            )
            yield draft
            return

    @property
    def _attempts(self) -> int:
        return 1 + self.settings.llm_retries

    def _complete(
        self, messages: Sequence[dict[str, str]], *, max_tokens: int
    ) -> tuple[str, dict[str, int] | None, str | None]:
        response = self._get_client().chat.completions.create(
            model=self.model,
            messages=list(messages),
            temperature=0,
            max_tokens=max_tokens,
        )
        try:
            choice = response.choices[0]
            content = choice.message.content
            if content is not None and not isinstance(content, str):
                raise TypeError(type(content).__name__)
        except Exception as exc:  # a str body, missing choices, ...: not a chat completion
            raise _MalformedReply(f"the reply is not a chat completion ({type(exc).__name__})") from exc
        return content or "", _usage(getattr(response, "usage", None)), getattr(choice, "finish_reason", None)

    def _stream_chunks(
        self, messages: Sequence[dict[str, str]]
    ) -> Iterator[tuple[str, dict[str, int] | None, str | None]]:
        """Yield ``(delta, usage so far, finish_reason so far)``; a stream that ends without a
        finish reason was cut off and raises ``_MalformedReply``."""
        response = self._get_client().chat.completions.create(
            model=self.model,
            messages=list(messages),
            temperature=0,
            max_tokens=self.max_tokens,
            stream=True,
            stream_options={"include_usage": True},  # servers that do not know it ignore it
        )
        usage: dict[str, int] | None = None
        finish: str | None = None
        try:
            for chunk in response:
                try:
                    usage = _usage(getattr(chunk, "usage", None)) or usage
                    choices = chunk.choices or []
                    piece = ""
                    for choice in choices:
                        finish = getattr(choice, "finish_reason", None) or finish
                        piece += getattr(choice.delta, "content", None) or ""
                except AttributeError as exc:
                    raise _MalformedReply(f"a stream chunk is not a chat completion chunk ({exc})") from exc
                if piece:
                    yield piece, usage, finish
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        if finish is None:
            raise _MalformedReply("the stream ended before the model finished (no finish_reason)")
        yield "", usage, finish

    # --- retries ------------------------------------------------------------------------

    def _with_retries(self, call: Callable[[], Any], what: str) -> Any:
        for attempt in range(self._attempts):
            try:
                return call()
            except (LLMError, ConfigError):
                raise
            except Exception as exc:
                failure = _classify(exc)
                if failure is None:
                    raise
                self._wait_or_raise(attempt, failure, what, exc)
        raise AssertionError("unreachable")  # _wait_or_raise raises on the last attempt

    def _wait_or_raise(self, attempt: int, failure: _Failure, what: str, exc: Exception) -> None:
        attempts = self._attempts
        if not failure.retryable:
            raise LLMError(f"{failure.reason}; set RAG_ANSWERER=extractive to answer offline") from exc
        if attempt + 1 >= attempts:
            raise LLMError(
                f"the LLM at {self._where()} failed {attempts} time(s): {failure.reason}; check that the "
                f"server is up and RAG_LLM_MODEL={self.model!r} is served, raise RAG_LLM_TIMEOUT / "
                f"RAG_LLM_RETRIES, or set RAG_ANSWERER=extractive"
            ) from exc
        if failure.retry_after is not None:
            delay = min(max(failure.retry_after, 0.0), RETRY_AFTER_CAP)
        else:
            backoff = min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)
            delay = backoff / 2 + self._rng.uniform(0, backoff / 2)  # jitter spreads out retry storms
        log.warning(
            "LLM %s attempt %d/%d failed (%s); retrying in %.2f s", what, attempt + 1, attempts, failure.reason, delay
        )
        self._sleep(delay)

    # --- client -------------------------------------------------------------------------

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self._build_client()
            return self._client

    def _build_client(self) -> openai.OpenAI:
        key = os.environ.get("OPENAI_API_KEY")
        base_url = os.environ.get("OPENAI_BASE_URL")
        if not key and not base_url:
            raise ConfigError(
                "no OPENAI_API_KEY: set it, or OPENAI_BASE_URL for a compatible server, "
                "or set RAG_ANSWERER=extractive"
            )
        import openai

        log.info("LLM client for %s at %s", self.model, _host(base_url) if base_url else "api.openai.com")
        return openai.OpenAI(
            api_key=key or "not-needed",
            base_url=base_url or None,
            timeout=self.settings.llm_timeout,
            max_retries=0,
        )

    def _where(self) -> str:
        base = getattr(self._client, "base_url", None)
        return _host(str(base)) if base else "the configured endpoint"


# --- helpers ----------------------------------------------------------------------------------


def final_draft(items: Iterable[str | Draft]) -> Draft:
    """The ``Draft`` that ends an answerer's stream of text deltas (shared with :mod:`rag.local_llm`)."""
    draft: Draft | None = None
    for item in items:
        if isinstance(item, Draft):
            draft = item
    if draft is None:
        raise LLMError("the answerer ended without an answer")
    return draft


def read_rewrite(reply: str, follow_up: str) -> str:
    """The standalone query in a model's rewrite ``reply``; ``follow_up`` itself when the reply is
    empty or implausibly long. Shared with :mod:`rag.local_llm`."""
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip()]
    query = lines[0] if lines else ""
    for prefix in ("standalone search query:", "search query:", "query:"):
        if query.lower().startswith(prefix):
            query = query[len(prefix) :].strip()
    query = query.strip("\"'“”` ")
    if not query or len(query) > max(300, 3 * len(follow_up)):
        log.info("rewrite gave no usable query; searching the follow-up as asked")
        return follow_up
    log.debug("rewrote follow-up %r as %r", follow_up, query)
    return query


def _host(url: str) -> str:
    """``host:port`` only: a URL may carry credentials in its user-info part."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "?")


def _usage(usage: Any) -> dict[str, int] | None:
    if usage is None:
        return None
    prompt = getattr(usage, "prompt_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _estimate_usage(messages: Sequence[dict[str, str]], completion: str) -> dict[str, int]:
    """tiktoken counts for servers that report no usage; ``estimated: 1`` marks them as such."""
    prompt = sum(count_tokens(m["content"]) + 4 for m in messages) + 3  # OpenAI's per-message overhead
    done = count_tokens(completion)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done, "estimated": 1}


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / scale
        except ValueError:
            pass
        try:  # an HTTP date
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    return None


def _api_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        msg = err.get("message") if isinstance(err, dict) else err
        if isinstance(msg, str) and msg:
            return _redact(msg[:300])
    return _redact(str(getattr(exc, "message", "") or exc)[:300])


def _redact(text: str) -> str:
    key = os.environ.get("OPENAI_API_KEY")
    return text.replace(key, "***") if key and len(key) >= 4 else text


def _classify(exc: Exception) -> _Failure | None:
    """How to react to an exception from the client; None = not an endpoint failure (a bug)."""
    import openai

    if isinstance(exc, _MalformedReply):
        return _Failure(True, f"malformed reply: {exc}")
    if isinstance(exc, json.JSONDecodeError):
        return _Failure(True, f"malformed JSON in the reply ({exc.msg})")
    if isinstance(exc, openai.APITimeoutError):
        return _Failure(True, "timed out")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f": {type(cause).__name__}" if cause is not None else ""
        return _Failure(True, f"connection failed{detail}")
    if isinstance(exc, openai.AuthenticationError):
        return _Failure(False, "the LLM endpoint rejected the API key (HTTP 401): check OPENAI_API_KEY")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = _api_message(exc)
        if status == 429 and "insufficient_quota" in f"{message} {exc.body}":
            return _Failure(False, f"the API account is out of quota (HTTP 429: {message})")
        if status in _RETRY_STATUS or status >= 500:
            return _Failure(True, f"HTTP {status}: {message}", _retry_after(exc.response))
        if status == 403:
            return _Failure(False, f"the LLM endpoint denied access (HTTP 403: {message}); check the key's rights")
        if status == 404:
            hint = "check RAG_LLM_MODEL and OPENAI_BASE_URL (it usually ends in /v1)"
            return _Failure(False, f"HTTP 404: {message}; {hint}")
        return _Failure(
            False,
            f"the LLM endpoint rejected the request (HTTP {status}: {message}); "
            f"if the prompt is too long, lower RAG_CONTEXT_TOKENS",
        )
    if isinstance(exc, openai.APIResponseValidationError):
        return _Failure(True, "malformed reply (it does not validate)")
    if isinstance(exc, openai.APIError):  # e.g. an error event inside a stream
        return _Failure(True, f"error from the endpoint: {_api_message(exc)}")
    if type(exc).__module__.split(".")[0] in _TRANSPORT_MODULES:  # older SDKs let these out of streams
        return _Failure(True, f"connection failed: {type(exc).__name__}")
    return None
