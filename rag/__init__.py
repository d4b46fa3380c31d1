"""Ask questions of a collection of articles; every answer cites the exact passages it rests on.

>>> from rag import ask                     # doctest: +SKIP
>>> a = ask("How many people were killed in the Idlib raid?")  # doctest: +SKIP
>>> a.text, a.citations[0].quote, a.refused                     # doctest: +SKIP

The names below are imported on first use (PEP 562), not with the package: ``rag.cli`` lives in
this package, and importing the whole answering stack (the store, Chroma, the stemmer) before the
command line is even parsed made every ``rag`` command pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "ConfigError": "rag.errors",
    "EmbedderMismatchError": "rag.errors",
    "InputError": "rag.errors",
    "LLMError": "rag.errors",
    "RagError": "rag.errors",
    "StoreBusyError": "rag.errors",
    "Settings": "rag.settings",
    "load_settings": "rag.settings",
    "RAG": "rag.api",
    "default_rag": "rag.api",
    "Answer": "rag.types",
    "Citation": "rag.types",
    "Filters": "rag.types",
    "Passage": "rag.types",
}

__all__ = sorted([*_EXPORTS, "ask"], key=str.lower)

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from datetime import date

    import numpy as np

    from rag.errors import (
        ConfigError,
        EmbedderMismatchError,
        InputError,
        LLMError,
        RagError,
        StoreBusyError,
    )
    from rag.settings import Settings, load_settings
    from rag.api import RAG, default_rag
    from rag.arguments import HistoryInput
    from rag.types import Answer, Citation, Filters, Passage


def ask(
    question: str,
    *,
    top_k: int | None = None,
    filters: Filters | None = None,
    history: HistoryInput | None = (),
    offline: bool = False,
    as_of: date | str | None = None,
    query_vector: np.ndarray | None = None,
) -> Answer:
    """Answer ``question`` from the collection in ``RAG_HOME`` (the environment's settings; a new
    ``RAG_HOME`` gets its own instance): ``RAG.ask`` of ``default_rag()``, with the same options.

    ``top_k``: passages to answer from (default ``RAG_TOP_K``); ``filters``: ``Filters(sources=(...),
    published_from=..., published_to=..., article_ids=(...))``; ``history``: the conversation so far,
    (question, answer) pairs or ``{"role", "content"}`` messages, oldest first; ``offline``: the
    extractive answerer even when an LLM is configured; ``as_of``: the date "this week" counts from
    (default today). A bad argument raises ``rag.errors.InputError`` naming it.

    >>> from rag import ask                                                        # doctest: +SKIP
    >>> first = ask("Who resigned?")                                               # doctest: +SKIP
    >>> ask("When?", history=[(first.question, first.text)]).text                  # doctest: +SKIP
    """
    from rag import api  # on first use, as every name here (PEP 562 above)

    return api.ask(question, top_k=top_k, filters=filters, history=history, offline=offline, as_of=as_of,
                   query_vector=query_vector)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
