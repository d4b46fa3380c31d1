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
from urllib.parse import urlsplit

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
        shown = source_names(rag)
        out += f"; sources include {shown}" if shown else ""
        if since or until:
            alone = len(db.filter_article_ids(sources))
            out += f"; the source alone matches {alone} article{'s' if alone != 1 else ''}" if alone else ""
    return [out + "."]


#: how many stored articles ``source_names`` reads (newest first): their metadata only, a few ms
SOURCES_READ = 2000
SOURCES_SHOWN = 5


def source_names(rag: RAG, shown: int = SOURCES_SHOWN) -> str:
    """What a source filter can be, for a filter that matched nothing: the outlets (hosts) and folders
    of the stored articles, most articles first, as one could type them into a source filter
    ("cnn.com, usatoday.com, bbc/"); "" for an empty collection. Three article URLs of one outlet
    taught a user who misspelt "reuters" nothing (the notice listed the newest articles). A local
    file is named by its folder ("tech/") when the folder holds others, else by its name; an
    upload's server folder as ``uploads/`` (REST and MCP show uploads so), never its path; a dump's
    record without a URL by its dump's name."""
    arts = rag.collection.db.list_articles(None, SOURCES_READ)
    files: dict[str, list[str]] = {}  # folder -> file names, for the local files
    labels: list[str | tuple[str, str]] = []
    for a in arts:
        address = a.url or a.source
        parts = urlsplit(address)
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            host = parts.hostname.lower()
            labels.append(host[4:] if host.startswith("www.") and host.count(".") > 1 else host)
            continue
        path = Path(address.split("#", 1)[0])  # a dump's record ("news.jsonl#3"): its dump
        if "#" in address:
            labels.append(path.name)
            continue
        files.setdefault(str(path.parent), []).append(path.name)
        labels.append((str(path.parent), path.name))
    counts: dict[str, int] = {}
    for label in labels:
        if isinstance(label, tuple):
            folder, name = label
            label = f"{Path(folder).name}/" if len(set(files[folder])) > 1 and Path(folder).name else name
        counts[label] = counts.get(label, 0) + 1
    names = sorted(counts, key=lambda k: -counts[k])  # a stable sort: newest first among equals
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


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
