"""Answer from passages with an LLM through the ``openai`` client (OpenAI or any compatible server).

The prompt comes from :mod:`rag.prompt` and is kept on the returned :class:`~rag.types.Draft`.
The client comes from :func:`rag.openai_client.make_client`, whose SDK retries transient failures
(timeouts, 429, 5xx, dropped connections) ``RAG_LLM_RETRIES`` times. The one retry of our own: an
answer that gave no text (a stream that broke off before its first token, a blank reply) is asked
again (with ``tenacity``); once text has been shown it never is. A reply that stays blank is a
failure, not a refusal (the model refuses in words). Failures are raised as
:class:`~rag.errors.LLMError` saying what to fix, so ``ask()`` can fall back to the offline answerer.

>>> from rag.settings import Settings
>>> llm = LLMAnswerer(Settings(llm_model="gpt-4o-mini"))  # client built on first use
>>> llm.name
'llm:gpt-4o-mini'
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import tenacity

from rag.errors import ConfigError, LLMError
from rag.openai_client import host as _host
from rag.openai_client import make_client
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

    from rag.settings import Settings

log = logging.getLogger(__name__)

_SDK_RETRIED = frozenset({408, 409, 429})  # plus every 5xx: statuses the openai SDK retries itself
_TRANSPORT_MODULES = frozenset({"httpx", "httpx2", "httpcore", "httpcore2", "h11"})


class _MalformedReply(Exception):
    """The endpoint answered 200 with something that is not a chat completion."""


class _EmptyReply(_MalformedReply):
    """A chat completion without a word in it: a token limit, a content filter, or a reasoning model
    that wrote its text somewhere else (``reasoning_content``); the model did not refuse (it says so)."""

    def __init__(self, finish: str | None) -> None:
        super().__init__(f"the model returned an empty reply (finish_reason={finish})")
        self.finish = finish


class _NothingShown(Exception):
    """The request was accepted but gave no text to show (a stream that broke off before its first
    token, a blank reply): safe to ask again."""

    def __init__(self, cause: Exception, reason: str, attempts: int) -> None:
        super().__init__(reason)  # the classified reason: tenacity logs it, and it never holds the key
        self.cause, self.attempts = cause, attempts


@dataclass(frozen=True)
class _Failure:
    retryable: bool  # transient: worth "try again / raise the retries" advice
    reason: str  # safe to show: never contains the API key


class LLMAnswerer:
    """Answer questions from numbered passages with a chat-completions model, citing ``[n]``.

    ``client`` is an ``openai.OpenAI`` (or anything with ``chat.completions.create``); by default
    one is built on first use by :func:`rag.openai_client.make_client` (SDK retries and timeout
    from settings). ``sleep`` is injectable so tests can see the waits between stream restarts.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: openai.OpenAI | Any | None = None,
        max_tokens: int = 512,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self.name = f"llm:{self.model}"
        self.max_tokens = max_tokens
        self._client = client
        self._client_lock = threading.Lock()
        self._sleep = sleep

    # --- public API ---------------------------------------------------------------------

    def answer(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = ()
    ) -> Draft:
        """One complete answer. Raises ``LLMError`` once the SDK's retries are exhausted."""
        return final_draft(self._run(question, passages, history, stream=False))

    def stream(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = (),
        as_of: date | None = None,
    ) -> Iterator[str | Draft]:
        """Yield text deltas as they arrive, then one final ``Draft``. ``as_of``: the reference date
        the prompt states ("Today is ..."), so the model reads each passage's date against it.

        The deltas concatenate to exactly ``Draft.text`` (markers normalised, markers citing no
        passage removed). A stream that fails before the first delta is asked again; after it,
        ``LLMError`` is raised at once, since the caller has already shown part of an answer.
        """
        yield from self._run(question, passages, history, stream=True, as_of=as_of)

    def rewrite(self, history: Sequence[tuple[str, str]], follow_up: str) -> str:
        """``follow_up`` rewritten as a standalone search query using the conversation ``history``.

        Without history the question is returned unchanged (no LLM call). A reply that is empty
        or implausibly long is ignored in favour of the original question.
        """
        if not history:
            return follow_up
        messages = build_rewrite_messages(history, follow_up)
        try:
            reply, _, _ = self._complete(messages, max_tokens=96)
        except (LLMError, ConfigError):
            raise
        except Exception as exc:
            raise self._error(exc) from exc
        return read_rewrite(reply, follow_up)

    # --- answering ----------------------------------------------------------------------

    def _run(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]],
        *,
        stream: bool,
        as_of: date | None = None,
    ) -> Iterator[str | Draft]:
        budget = self.settings.context_tokens
        fitted, notices = fit_with_notice(passages, budget, f"RAG_CONTEXT_TOKENS={budget}")
        if not fitted:
            # Nothing to ground an answer on: refusing is what the model is told to do anyway.
            yield REFUSAL
            yield Draft(text=REFUSAL, refused=True, notices=notices)
            return

        messages = build_messages(question, fitted, history=history, as_of=as_of)
        valid = {p.n for p in fitted}
        started = time.perf_counter()
        try:
            if stream:
                reader, first, chunks = self._open_stream(messages, valid)
                if first:
                    yield first
                try:
                    for piece in chunks.pieces:
                        out = reader.feed(piece)
                        if out:
                            yield out
                except Exception as exc:
                    failure = _classify(exc)
                    if failure is None:
                        raise
                    raise LLMError(
                        f"the LLM stream broke off after part of the answer was shown ({failure.reason}); "
                        f"ask again, or set RAG_ANSWERER=extractive"
                    ) from exc
                usage, finish = chunks.usage, chunks.finish
            else:
                reader, usage, finish = self._complete_answer(messages, valid)
            if reader.blank:  # only markers shown ("[1]"): nothing to answer with, and too late to ask again
                raise _EmptyReply(finish)
            tail = reader.finish()
        except (LLMError, ConfigError):
            raise
        except Exception as exc:
            raise self._error(exc) from exc
        if tail and stream:
            yield tail
        draft = reader.draft(
            messages=messages,
            usage=usage or _estimate_usage(messages, reader.raw_text),
            notices=notices,
            finish_reason=finish,
        )
        log.info(
            "%s answered in %.0f ms (refused=%s)", self.name, (time.perf_counter() - started) * 1000, draft.refused
        )
        yield draft

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

    # --- asked again only while nothing has been shown --------------------------------------

    def _asking_again(self) -> tenacity.Retrying:
        """Attempts of one answer that gave no text to show (``_NothingShown``), up to RAG_LLM_RETRIES more;
        failures of the request itself are not retried here: the SDK has retried those already."""
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_NothingShown),
            stop=tenacity.stop_after_attempt(1 + self.settings.llm_retries),
            wait=tenacity.wait_exponential_jitter(initial=0.5, max=8.0, jitter=0.25),  # about the SDK's backoff
            sleep=self._sleep,
            before_sleep=lambda state: log.warning(
                "the LLM gave no text to show (%s); asking again in %.2f s",
                state.outcome.exception() if state.outcome else "?", state.upcoming_sleep),
            reraise=True,
        )

    def _complete_answer(
        self, messages: Sequence[dict[str, str]], valid: set[int]
    ) -> tuple[ReplyReader, dict[str, int] | None, str | None]:
        """One whole reply, read; a blank one is asked again, as a stream that gave no text is."""
        for attempt in self._asking_again():
            with attempt:
                reader = ReplyReader(valid)
                text, usage, finish = self._complete(messages, max_tokens=self.max_tokens)
                reader.feed(text)
                if reader.blank:
                    empty = _EmptyReply(finish)
                    raise _NothingShown(empty, str(empty), attempt.retry_state.attempt_number) from empty
                return reader, usage, finish
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _open_stream(self, messages: Sequence[dict[str, str]], valid: set[int]) -> tuple[ReplyReader, str, _Chunks]:
        """Start a stream and read it up to the first text the user would see (or to its end). A
        stream that breaks off before that, or ends blank, is asked again (``_asking_again``)."""
        for attempt in self._asking_again():
            with attempt:
                chunks = _Chunks(self._get_client().chat.completions.create(
                    model=self.model,
                    messages=list(messages),
                    temperature=0,
                    max_tokens=self.max_tokens,
                    stream=True,
                    stream_options={"include_usage": True},  # servers that do not know it ignore it
                ))
                reader = ReplyReader(valid)
                try:
                    first = next((out for piece in chunks.pieces if (out := reader.feed(piece))), "")
                except Exception as exc:
                    failure = _classify(exc)
                    if failure is None:
                        raise
                    raise _NothingShown(exc, failure.reason, attempt.retry_state.attempt_number) from exc
                if not first and reader.blank:  # the stream ended without a word
                    empty = _EmptyReply(chunks.finish)
                    raise _NothingShown(empty, str(empty), attempt.retry_state.attempt_number) from empty
                return reader, first, chunks
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _error(self, exc: Exception) -> LLMError:
        """``exc`` as an ``LLMError`` that says what to fix; a bug (not an endpoint failure) is re-raised."""
        attempts = exc.attempts if isinstance(exc, _NothingShown) else _sdk_attempts(exc)
        cause = exc.cause if isinstance(exc, _NothingShown) else exc
        failure = _classify(cause)
        if failure is None:
            raise exc
        if isinstance(cause, _EmptyReply):
            return LLMError(
                f"the LLM at {self._where()} returned an empty reply {attempts} time(s) "
                f"(finish_reason={cause.finish}); check that RAG_LLM_MODEL={self.model!r} writes its answer as "
                f"the message content (a reasoning model may write it elsewhere; a content filter or token limit "
                f"may cut it), or set RAG_ANSWERER=extractive"
            )
        if not failure.retryable:
            return LLMError(f"{failure.reason}; set RAG_ANSWERER=extractive to answer offline")
        return LLMError(
            f"the LLM at {self._where()} failed {attempts} time(s): {failure.reason}; check that the "
            f"server is up and RAG_LLM_MODEL={self.model!r} is served, raise RAG_LLM_TIMEOUT / "
            f"RAG_LLM_RETRIES, or set RAG_ANSWERER=extractive"
        )

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.settings, purpose="answer")
            return self._client

    def _where(self) -> str:
        base = getattr(self._client, "base_url", None)
        return _host(str(base)) if base else "the configured endpoint"


class _Chunks:
    """The text pieces of a chat-completions stream (``pieces``, one generator), with the ``usage``
    and ``finish`` reason seen so far. A stream that ends without a finish reason was cut off."""

    def __init__(self, response: Any) -> None:
        self.usage: dict[str, int] | None = None
        self.finish: str | None = None
        self.pieces = self._read(response)

    def _read(self, response: Any) -> Iterator[str]:
        try:
            for chunk in response:
                try:
                    self.usage = _usage(getattr(chunk, "usage", None)) or self.usage
                    piece = ""
                    for choice in chunk.choices or []:
                        self.finish = getattr(choice, "finish_reason", None) or self.finish
                        piece += getattr(choice.delta, "content", None) or ""
                except AttributeError as exc:
                    raise _MalformedReply(f"a stream chunk is not a chat completion chunk ({exc})") from exc
                if piece:
                    yield piece
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        if self.finish is None:
            raise _MalformedReply("the stream ended before the model finished (no finish_reason)")


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


def _usage(usage: Any) -> dict[str, int] | None:
    if usage is None:
        return None
    prompt = getattr(usage, "prompt_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _estimate_usage(messages: Sequence[dict[str, str]], completion: str) -> dict[str, int]:
    """tiktoken counts for servers that report no usage; ``estimated: true`` marks them as such."""
    prompt = sum(count_tokens(m["content"]) + 4 for m in messages) + 3  # OpenAI's per-message overhead
    done = count_tokens(completion)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done, "estimated": True}


def _sdk_attempts(exc: Exception) -> int:
    """Requests the SDK made before giving up: it numbers its retries in each request's
    ``x-stainless-retry-count`` header (1 when there is no request, e.g. a malformed reply)."""
    request = getattr(exc, "request", None)
    value = str(request.headers.get("x-stainless-retry-count", "0")) if request is not None else "0"
    return 1 + int(value) if value.isdigit() else 1


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
    """What an exception from the client means for the user; None = not an endpoint failure (a bug)."""
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
        if status in _SDK_RETRIED or status >= 500:
            return _Failure(True, f"HTTP {status}: {message}")
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
