"""Why a search found nothing when the reason is the collection or the filters, not the question.

Used by ``RAG.ask`` (a refusal says that ``--source x`` matched no article) and by the REST and MCP
search endpoints (``rag.service``): one wording for every surface.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rag.text import STOPWORDS

if TYPE_CHECKING:
    from rag.api import RAG
    from rag.types import Filters, Passage


#: an empty collection, said for no surface in particular: each adds how to add articles in its own
#: terms (``empty_notice``), or shows its own words for it (the CLI names `rag ingest`, the UI its
#: Collection tab); the store's health notices say it so (``index.maintenance.health``)
EMPTY = "the collection is empty: add articles to it (files, folders, URLs, feeds)"


def empty_notice(how_to_add: str | None = None) -> str:
    """The empty collection's notice; with ``how_to_add``, how to add articles in the caller's terms.

    >>> empty_notice("POST /v1/articles")
    'the collection is empty: add articles with POST /v1/articles'
    """
    return f"the collection is empty: add articles with {how_to_add}" if how_to_add else EMPTY


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
        return [empty_notice(how_to_add)] if how_to_add else []
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


# function words of other languages written in Latin letters, none of them an English word
_FOREIGN = frozenset(
    "que qué quién quien cuál cual dónde donde cuándo cuando cuántos cuántas los las del por para con una unos "
    "où qui quel quelle quels combien est les des une dans avec pour wer wie wo wann welche welcher welches der "
    "die das und ist nicht eine mit chi che dove quando quale quanti sono della delle não quem onde qual quantos "
    "uma para com".split())
_LETTERS = re.compile(r"[^\W\d_]")


def language_notice(question: str) -> str | None:
    """A notice for a refused question not written in English, which the bundled model and the
    keyword index cannot match ("叛军占领了哪个城镇？", "¿Qué ciudad capturaron los rebeldes?"): most
    of its letters are of another script, or it has four words or more, none an English function word
    and some another language's. None for an English question."""
    letters = _LETTERS.findall(question)
    if not letters:
        return None
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", question)]
    other_script = latin < len(letters) / 2
    other_words = len(words) >= 4 and not any(w in STOPWORDS for w in words) and any(w in _FOREIGN for w in words)
    if not (other_script or other_words):
        return None
    return ("The question does not look English: the bundled embedding model and the keyword index read "
            "English, so a question in another language finds little here; ask it in English")
