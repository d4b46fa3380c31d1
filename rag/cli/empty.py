"""A collection nothing was ever stored in, told apart without creating it.

Opening a collection (``index.collection.Collection``, ``index.db.ArticleDB``) creates its files: on
a fresh RAG_HOME, ``rag list`` left an empty ``articles.sqlite3`` behind, and ``rag ask``, ``chat``,
``brief`` and ``stats`` a ``chroma/`` folder too (and loaded the embedding model), for commands
that only read. They ask ``nothing_stored`` first and, when so, say the collection is empty and how
to add articles (``EMPTY``), leaving RAG_HOME as it was, even unmade.

Light on purpose (the standard library only; ``worded`` reads ``rag.notices`` when called): every
command module may import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.settings import Settings

#: what a reading command says of an empty collection, and how to fill it
EMPTY = "the collection is empty: add articles with `rag ingest PATH_OR_URL` (files, folders, URLs, feeds)"


def empty_here(settings: Settings) -> str:
    """``EMPTY`` with where it looked: a mistyped RAG_HOME (a service started without it) reads as an empty
    collection, and "the collection is empty" alone did not say which directory was read (new user 29).

    >>> from pathlib import Path
    >>> from rag.settings import Settings
    >>> empty_here(Settings(home=Path("/srv/newz"))).endswith("; looked in RAG_HOME=/srv/newz")
    True
    """
    return f"{EMPTY}; looked in RAG_HOME={settings.home}"


def worded(notice: str) -> str:
    """A notice of the library in the CLI's words: the empty collection's, said for no surface in
    particular (``rag.notices.EMPTY``: in the store's health notices, so in answers and `rag stats`),
    says how to add articles here (``EMPTY``); any other notice as it is.

    >>> from rag.notices import EMPTY as SAID
    >>> worded(SAID) == EMPTY, worded("no article matches")
    (True, 'no article matches')
    """
    from rag.notices import EMPTY as SAID  # light: the standard library and rag.text

    return EMPTY if notice == SAID else notice


def nothing_stored(settings: Settings) -> bool:
    """Whether the collection of ``settings`` has no article database: nothing was ever ingested into
    it (its articles, their texts and sources live there; Chroma holds only vectors of them), so
    every read would find nothing, and opening it would create the files.

    >>> from pathlib import Path
    >>> from rag.settings import Settings
    >>> nothing_stored(Settings(home=Path("/nonexistent/rag-home")))
    True
    """
    return not settings.db_path.exists()
