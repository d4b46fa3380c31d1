"""Errors raised by the library. Every message says what went wrong *and how to fix it*.

The library raises these; the edges translate them: the CLI into an exit code and a red line (or,
under ``--json``, ``{"error", "fix", "type"}``), REST into a JSON error body with ``code`` and
``fix``, the UI into a visible message. Nothing here ever carries a secret.

``fix`` is the remedy on its own, for a client that shows it apart from the message (a script
reading ``--json``, a REST client). A class whose remedy is always the same names it as its
default; ``fix=`` gives one for a single error:

>>> StoreBusyError("another rag process is writing to RAG_HOME /data").fix.startswith("wait for the other rag process")
True
>>> ConfigError("RAG_TOP_K='abc' is not a number", fix="set RAG_TOP_K to a whole number, e.g. 5").fix
'set RAG_TOP_K to a whole number, e.g. 5'
>>> ConfigError("RAG_TOP_K='abc' is not a number").fix is None   # the message alone says it
True
"""

from __future__ import annotations


class RagError(Exception):
    """Base class: any error the user can act on. ``fix`` (keyword only) is what to do, said apart
    from the message; without it, the class's default (None: the message says it)."""

    fix: str | None = None  # a class attribute, so a subclass names its default by assigning it

    def __init__(self, *args: object, fix: str | None = None) -> None:
        super().__init__(*args)
        if fix is not None:  # set on the instance only when given: the class default shows through
            self.fix = fix


class ConfigError(RagError):
    """A setting is missing or invalid (env var, settings field)."""


class InputError(RagError):
    """An input item (file, URL, record) cannot be ingested (the batch goes on without it), or an
    argument (a question, ``top_k``, a date, the history) cannot be used; ``item`` names it.
    ``code``: why in a word, when a client may act on it (``index.types.ResultCode``: the fetch
    guard's ``private_address``); the loader passes it on to the item's result."""

    def __init__(self, item: str, reason: str, *, fix: str | None = None, code: str | None = None) -> None:
        super().__init__(f"{item}: {reason}", fix=fix)
        self.item = item
        self.reason = reason
        self.code = code


class EmbedderMismatchError(RagError):
    """The collection was built by another embedder than the one configured now.

    ``said`` says that in words for no surface. The message and ``fix`` add the remedy as it is run
    where the collection is stored (`rag reindex`, or RAG_EMBEDDER set back): what the CLI shows. A
    server's client cannot run it, so REST and MCP say it is the server's to run
    (``rag.service.client_words``)."""

    def __init__(self, stored: str, configured: str, *, fix: str | None = None) -> None:
        said = f"the collection was built with embedder {stored!r} but {configured!r} is configured"
        super().__init__(
            f"{said}; run `rag reindex` to rebuild it with {configured!r} from the stored article texts, "
            f"or set RAG_EMBEDDER back to match {stored!r}",
            fix=fix or f"run `rag reindex`, or set RAG_EMBEDDER back to match {stored!r}",
        )
        self.said = said
        self.stored = stored
        self.configured = configured


class StoreBusyError(RagError):
    """Another process holds the write lock on the data directory."""

    fix = ("wait for the other rag process (an ingest, remove or reindex, `rag watch`, `rag serve`, `rag ui`) "
           "to finish, then try again")


class StoreError(RagError):
    """The vector store or the article database cannot be reached or is inconsistent."""


class LLMError(RagError):
    """The LLM endpoint failed after retries (timeouts, 429, 5xx, malformed replies)."""

    fix = "retry in a moment, or set RAG_ANSWERER=extractive to answer offline"
