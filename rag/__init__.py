"""Ask questions of a collection of articles; every answer cites the exact passages it rests on.

>>> from rag import ask                     # doctest: +SKIP
>>> a = ask("How many people were killed in the Idlib raid?")  # doctest: +SKIP
>>> a.text, a.citations[0].quote, a.refused                     # doctest: +SKIP
"""

from index.errors import (
    ConfigError,
    EmbedderMismatchError,
    InputError,
    LLMError,
    RagError,
    StoreBusyError,
)
from index.settings import Settings, load_settings
from rag.api import RAG, ask, default_rag
from rag.types import Answer, Citation, Filters, Passage

__all__ = [
    "RAG",
    "Answer",
    "Citation",
    "ConfigError",
    "EmbedderMismatchError",
    "Filters",
    "InputError",
    "LLMError",
    "Passage",
    "RagError",
    "Settings",
    "StoreBusyError",
    "ask",
    "default_rag",
    "load_settings",
]
