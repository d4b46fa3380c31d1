"""The one place an ``openai.OpenAI`` client is built (answers, OpenAI embeddings, ``rag eval --judge``).

One retry policy for every OpenAI-compatible call: the SDK's own. With ``max_retries`` it already
retries timeouts, dropped connections, 408/409/429 and 5xx with jittered exponential backoff and
honours ``Retry-After``; the count and the per-request timeout come from settings
(``RAG_LLM_RETRIES``, ``RAG_LLM_TIMEOUT``). The only retry of our own is in :mod:`rag.llm`: an
answer that gave no text (a stream that broke off before its first token, a blank reply) is asked
again (the SDK cannot know). An ``OPENAI_BASE_URL`` that is no URL is a ``ConfigError`` at once:
no retry can fix it.

The key is read from ``OPENAI_API_KEY`` at the moment the client is built and never logged; the
endpoint is logged as ``host:port`` only (a URL may carry credentials in its user-info part).

>>> from rag.settings import Settings
>>> client = make_client(Settings(llm_retries=4), purpose="judge")  # doctest: +SKIP
>>> client.max_retries
4
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from rag.errors import ConfigError

if TYPE_CHECKING:
    import openai

    from rag.settings import Settings

log = logging.getLogger(__name__)

Purpose = Literal["answer", "embed", "judge"]

#: What to do when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set, per use.
_MISSING = {
    "answer": "no OPENAI_API_KEY: set it, or OPENAI_BASE_URL for a compatible server, "
    "or set RAG_ANSWERER=extractive",
    "embed": "RAG_EMBEDDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server); "
    "set it, or unset RAG_EMBEDDER to use the bundled local model",
    "judge": "--judge needs an LLM: set OPENAI_API_KEY (or OPENAI_BASE_URL), or drop --judge",
}


def make_client(settings: Settings, *, purpose: Purpose) -> openai.OpenAI:
    """An ``openai.OpenAI`` for ``purpose`` from ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``, with
    ``settings.llm_retries`` SDK retries and ``settings.llm_timeout`` seconds per request.

    Raises ``ConfigError`` (saying what to set) when neither variable is set, or when
    ``OPENAI_BASE_URL`` is no http(s) URL (:func:`check_base_url`: asking it again would not help).
    A compatible server that needs no key gets a placeholder, since the SDK refuses to build a
    client without one.
    """
    key = os.environ.get("OPENAI_API_KEY")
    base_url = (os.environ.get("OPENAI_BASE_URL") or "").strip() or None
    if not key and not base_url:
        raise ConfigError(_MISSING[purpose])
    if base_url:
        check_base_url(base_url)
    import openai

    log.info(
        "OpenAI client for %s at %s (timeout %.0f s, %d retries)",
        purpose,
        host(base_url) if base_url else "api.openai.com",
        settings.llm_timeout,
        settings.llm_retries,
    )
    return openai.OpenAI(
        api_key=key or "not-needed",
        base_url=base_url or None,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
    )


def check_base_url(url: str) -> None:
    """Raise ``ConfigError`` unless ``url`` (``OPENAI_BASE_URL``) is an http(s) URL with a host and a
    valid port, in the shape of a settings error (``rag.settings.setting_problems``); credentials in
    the URL are never shown.

    >>> check_base_url("http://127.0.0.1:8080/v1")
    >>> check_base_url("notaurl")
    Traceback (most recent call last):
    ...
    rag.errors.ConfigError: invalid setting: OPENAI_BASE_URL='notaurl': should be http(s)://host[:port]/v1, e.g. http://127.0.0.1:8080/v1 (a llama.cpp, vLLM or Ollama server) or https://api.openai.com/v1
    """
    parts = urlsplit(url.strip())
    try:
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is no number, or out of range
        ok = False
    if ok:
        return
    shown = re.sub(r"(?<=//)[^/@\s]*@", "***@", url)  # user:password@ -> ***@
    shown = repr(shown if len(shown) <= 80 else shown[:77] + "...")
    raise ConfigError(f"invalid setting: OPENAI_BASE_URL={shown}: should be http(s)://host[:port]/v1, e.g. "
                      "http://127.0.0.1:8080/v1 (a llama.cpp, vLLM or Ollama server) or https://api.openai.com/v1")


def host(url: str) -> str:
    """``host:port`` only: a URL may carry credentials in its user-info part."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "?")
