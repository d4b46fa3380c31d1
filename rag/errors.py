"""Errors raised by the library. Every message says what went wrong *and how to fix it*.

The library raises these; the edges translate them: the CLI into an exit code and a red line,
the UI into a visible message. Nothing here ever carries a secret.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class: any error the user can act on."""


class ConfigError(RagError):
    """A setting is missing or invalid (env var, settings field)."""


class InputError(RagError):
    """An input item (file, URL, record) cannot be ingested (the batch goes on without it), or an
    argument (a question, ``top_k``, a date, the history) cannot be used; ``item`` names it."""

    def __init__(self, item: str, reason: str) -> None:
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class EmbedderMismatchError(RagError):
    """The collection was built by another embedder than the one configured now."""

    def __init__(self, stored: str, configured: str) -> None:
        super().__init__(
            f"the collection was built with embedder {stored!r} but {configured!r} is configured; "
            f"run `rag reindex` to rebuild it with {configured!r} from the stored article texts, "
            f"or set RAG_EMBEDDER back to match {stored!r}"
        )
        self.stored = stored
        self.configured = configured


class StoreBusyError(RagError):
    """Another process holds the write lock on the data directory."""


class StoreError(RagError):
    """The vector store or the article database cannot be reached or is inconsistent."""


class LLMError(RagError):
    """The LLM endpoint failed after retries (timeouts, 429, 5xx, malformed replies)."""
