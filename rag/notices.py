"""Why a search found nothing when the reason is the collection or the filters, not the question.

Used by ``RAG.ask`` (a refusal says that ``--source x`` matched no article) and by the REST and MCP
search endpoints (``rag.service``): one wording for every surface.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.api import RAG
    from rag.types import Filters, Passage


def search_notices(rag: RAG, passages: tuple[Passage, ...], how_to_add: str | None,
                   filters: Filters | None = None) -> list[str]:
    """Why a search found nothing when the reason is the collection or the filters, not the query (an
    agent would otherwise rephrase and search again, and again; a person saw a bare refusal): the
    collection is empty, or ``filters`` leave no article in it. ``how_to_add``: how to add articles,
    in the caller's own terms; None when the caller reports an empty collection itself (``RAG.ask``
    carries the store's health notices, which do). Text from the user and the articles is plain
    text; each surface escapes it."""
    if passages:
        return []
    db = rag.collection.db
    stored = db.counts()["articles"]
    if not stored:
        return [f"the collection is empty: add articles with {how_to_add}"] if how_to_add else []
    if filters is None or filters.is_empty():
        return []
    sources, since, until = filters.sources, filters.published_from, filters.published_to
    matched = db.filter_article_ids(sources, since, until)
    if filters.article_ids:
        wanted = set(filters.article_ids)
        matched = [a for a in matched if a in wanted]
    if matched:
        return []  # the filters hold articles; the query found nothing in them

    def quoted(text: str, limit: int = 80) -> str:  # user input: quoted, one line, cut at ``limit``
        text = " ".join(text.split())
        return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"

    # in words every surface shows alike (the UI has no --since flag, REST a ``filters`` object)
    said = [f"source {' or '.join(quoted(s) for s in sources)}"] if sources else []
    said += [f"published from {since.isoformat()}"] if since else []
    said += [f"published to {until.isoformat()}"] if until else []
    said += [f"article id {' or '.join(quoted(a) for a in filters.article_ids)}"] if filters.article_ids else []
    out = f"No article matches the filters ({', '.join(said)}); {stored} article{'s are' if stored != 1 else ' is'}" \
          " stored"
    if since or until:
        dated = db.filter_article_ids((), date.min, None)
        newest = db.list_articles(None, 1)
        first, last = db.first_published(), (newest[0].published or "")[:10] if newest else ""
        out += f", published {first.isoformat()} .. {last}" if first and last else ""
        if len(dated) < stored:
            out += f"; {stored - len(dated)} of them undated, which a date filter leaves out"
    if sources:
        # a file by its name: an upload's server folder is nobody's business, a local one is known
        shown = list(dict.fromkeys(a.url or Path(a.source).name for a in db.list_articles(None, 20)))[:3]
        out += f"; sources include {', '.join(shown)}" if shown else ""
        if since or until:
            alone = len(db.filter_article_ids(sources))
            out += f"; the source alone matches {alone} article{'s' if alone != 1 else ''}" if alone else ""
    return [out + "."]
