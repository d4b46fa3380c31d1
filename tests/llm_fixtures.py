"""Shared helpers for the LLM tests: a scripted fake of the ``openai`` client and sample passages.

The fake returns real ``openai`` response types (built with ``model_validate``), so the code
under test reads them exactly as it reads the SDK's; it records every request it got.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from rag.types import Passage


try:  # the HTTP library the installed openai SDK is built on (httpx2 in recent openai releases)
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older openai
    import httpx  # type: ignore[no-redef]

# An httpx(2).Client with the SDK's defaults; accepts event_hooks, trust_env, ...
DefaultHttpClient = getattr(openai, "DefaultHttpx2Client", None) or openai.DefaultHttpxClient


def make_passage(n: int, text: str, *, title: str | None = None, published: str | None = "2024-03-01") -> Passage:
    return Passage(
        n=n,
        chunk_id=f"art{n}:0",
        article_id=f"art{n}",
        title=title or f"Article {n}",
        source="example.com",
        published=published,
        score=1.0 / n,
        text=text,
        start=0,
        end=len(text),
    )


SAMPLE_PASSAGES = (
    make_passage(1, "The city council of Oslo approved a new tram line on 3 March 2024.", title="Oslo tram"),
    make_passage(2, "Construction of the tram line will start in 2025 and cost 2 billion kroner.", title="Tram costs"),
)


def completion(text: str | None, *, usage: bool = True, finish: str = "stop") -> ChatCompletion:
    data: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
    }
    if usage:
        data["usage"] = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    return ChatCompletion.model_validate(data)


def chunks(pieces: Sequence[str], *, usage: bool = False, finish: str | None = "stop") -> list[ChatCompletionChunk]:
    def chunk(delta: dict[str, Any], fin: str | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_validate(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": "fake",
                "choices": [{"index": 0, "delta": delta, "finish_reason": fin}],
            }
        )

    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": p}) for p in pieces]
    if finish is not None:
        out.append(chunk({}, finish))
    if usage:
        last = chunk({}).model_dump()
        last["choices"] = []
        last["usage"] = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        out.append(ChatCompletionChunk.model_validate(last))
    return out


class _Stream:
    """Iterates scripted chunks; an Exception in the list is raised at that point."""

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)
        self.closed = False

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.closed = True


@dataclass
class ScriptedClient:
    """Stands in for ``openai.OpenAI``: ``chat.completions.create`` answers from ``script`` in order.

    A script item is a ``ChatCompletion`` (or a list of chunks for ``stream=True``), or an
    exception to raise. ``calls`` holds the keyword arguments of every request.
    """

    script: list[Any]
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chat(self) -> ScriptedClient:
        return self

    @property
    def completions(self) -> ScriptedClient:
        return self

    def create(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        if not self.script:
            raise AssertionError("ScriptedClient: more requests than scripted replies")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        if kwargs.get("stream"):
            assert isinstance(item, list), "a stream request needs a list of chunks in the script"
            return _Stream(item)
        return item
