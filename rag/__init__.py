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
    "ask": "rag.api",
    "default_rag": "rag.api",
    "Answer": "rag.types",
    "Citation": "rag.types",
    "Filters": "rag.types",
    "Passage": "rag.types",
    # not brief (rag.brief.brief, the catch-up): rag.brief is its module, and Python sets a package's
    # attribute to a submodule when that is first imported (rag.api imports rag.brief), so after
    # `from rag import RAG` a `from rag import brief` would be the module, before it the function
}

__all__ = sorted(_EXPORTS, key=str.lower)

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from rag.errors import (
        ConfigError,
        EmbedderMismatchError,
        InputError,
        LLMError,
        RagError,
        StoreBusyError,
    )
    from rag.settings import Settings, load_settings
    from rag.api import RAG, ask, default_rag
    from rag.types import Answer, Citation, Filters, Passage


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    # the public names and the module's own dunders: not what this file imports to do its work
    # (`annotations`, `TYPE_CHECKING`, `importlib`) nor the submodules loaded so far
    return sorted({*__all__, *(n for n in globals() if n.startswith("__") and n.endswith("__"))})
