"""LlamaIndex, both ways: our hybrid retrieval as a LlamaIndex retriever, and LlamaIndex Documents as input.

Out: ``ArticleRetriever`` is a ``BaseRetriever`` over the same ``retrieve()`` that ``RAG.ask`` uses
(dense + BM25, fused, reranked, per-article cap, date and source filters), so a LlamaIndex app can
put it inside any query or chat engine. ``build_query_engine`` / ``build_chat_engine`` wire it to an
LLM that you pass in: LlamaIndex's global ``Settings`` are never read for models nor changed (left
alone, ``Settings.llm`` reaches for OpenAI).

In: ``ingest_documents(collection, docs)`` stores LlamaIndex ``Document``s (from ``SimpleDirectoryReader``
or any LlamaHub reader) through our ingest pipeline, with title, url, date and author mapped.

>>> from llama_index.core.llms import MockLLM                                   # doctest: +SKIP
>>> from rag.integrations.llamaindex import ArticleRetriever                     # doctest: +SKIP
>>> retriever = ArticleRetriever(top_k=5)          # the collection in RAG_HOME  # doctest: +SKIP
>>> [n.metadata["title"] for n in retriever.retrieve("floods in Riverton")]      # doctest: +SKIP
>>> engine = retriever.as_query_engine(llm=MockLLM())                            # doctest: +SKIP
>>> print(engine.query("What happened in Riverton?").source_nodes[0].node.text)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters

from rag.errors import ConfigError, InputError, RagError
from index.formats import normalise, parse_html, parse_markdown, parse_text, split_date_prefix, split_front_matter
from index.load import is_url, iter_articles
from index.records import ALIASES, _record
from index.types import Article, IngestReport, ItemResult, LoadFailure
from rag.arguments import checked_as_of
from rag.settings import Settings, load_settings
from rag.types import Filters, Passage

if TYPE_CHECKING:
    from llama_index.core.chat_engine import CondensePlusContextChatEngine
    from llama_index.core.query_engine import RetrieverQueryEngine

    from index.collection import Collection
    from rag.api import RAG

log = logging.getLogger(__name__)

__all__ = ["ArticleRetriever", "FilterError", "build_chat_engine", "build_query_engine", "document_to_article",
           "ingest_documents", "to_filters"]


class FilterError(RagError, ValueError):
    """A LlamaIndex metadata filter that our retrieval cannot apply (unknown key, operator or value)."""


# --- filters -------------------------------------------------------------------------------------

_SOURCE_OPS = (FilterOperator.EQ, FilterOperator.IN, FilterOperator.TEXT_MATCH, FilterOperator.TEXT_MATCH_INSENSITIVE)
_DATE_OPS = (FilterOperator.EQ, FilterOperator.GT, FilterOperator.GTE, FilterOperator.LT, FilterOperator.LTE)
_SUPPORTED = ("source (==, in, text_match), published (==, >, >=, <, <= with ISO dates YYYY-MM-DD), "
              "article_id (==, in)")


def to_filters(filters: MetadataFilters | Filters | None) -> Filters:
    """Our ``Filters`` for LlamaIndex ``MetadataFilters`` (or ours, passed through).

    ``source`` matches as everywhere in this project (``rag ask --source``): a case-insensitive
    substring of the article's path or URL (or title), whichever operator (==, in, text_match) names
    it; several values match any of them. ``published`` compares whole days. Anything else raises
    ``FilterError`` naming the filter, rather than being silently ignored (which would widen a search
    the caller meant to narrow).
    """
    if filters is None:
        return Filters()
    if isinstance(filters, Filters):
        return filters
    if not isinstance(filters, MetadataFilters):
        raise FilterError(f"filters must be llama_index MetadataFilters or rag.types.Filters, "
                          f"not {type(filters).__name__}")
    sources: list[str] = []
    ids: list[str] | None = None
    start: date | None = None
    end: date | None = None
    leaves = list(_flatten(filters))
    is_or = filters.condition == FilterCondition.OR
    if is_or and any(f.key != "source" for f in leaves):
        raise FilterError(f"filters combined with OR are supported only between source filters; got keys "
                          f"{sorted({f.key for f in leaves})}: split the query, or use one source filter "
                          "with operator 'in'")
    for f in leaves:
        if f.key == "source":
            values = _strings(f, _SOURCE_OPS)
            if sources and not is_or:
                raise FilterError(f"two source filters combined with AND ({sources} and {values}) cannot be "
                                  "applied: a source filter matches any of its values; use one filter with "
                                  "operator 'in', or condition OR")
            sources += values
        elif f.key == "article_id":
            if ids is not None:
                raise FilterError("only one article_id filter is supported; use operator 'in' with a list")
            ids = _strings(f, (FilterOperator.EQ, FilterOperator.IN))
        elif f.key == "published":
            if f.operator not in _DATE_OPS:
                raise _unsupported(f)
            day = _iso_day(f)
            if f.operator in (FilterOperator.GT, FilterOperator.GTE, FilterOperator.EQ):
                lo = day + timedelta(days=1) if f.operator == FilterOperator.GT else day
                start = max(start, lo) if start else lo
            if f.operator in (FilterOperator.LT, FilterOperator.LTE, FilterOperator.EQ):
                hi = day - timedelta(days=1) if f.operator == FilterOperator.LT else day
                end = min(end, hi) if end else hi
        else:
            raise _unsupported(f)
    return Filters(sources=tuple(sources), published_from=start, published_to=end, article_ids=tuple(ids or ()))


def _flatten(filters: MetadataFilters) -> Iterator[MetadataFilter]:
    if filters.condition == FilterCondition.NOT:
        raise FilterError("filter condition NOT is not supported; supported: " + _SUPPORTED)
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            outer, inner = filters.condition or FilterCondition.AND, f.condition or FilterCondition.AND
            if inner != outer and len(f.filters) > 1:
                raise FilterError(f"nested filters mixing {outer.value.upper()} and {inner.value.upper()} "
                                  "are not supported; flatten them")
            yield from _flatten(f)
        else:
            yield f


def _unsupported(f: MetadataFilter) -> FilterError:
    return FilterError(f"unsupported filter {f.key!r} {f.operator.value} {f.value!r}; supported: {_SUPPORTED}")


def _strings(f: MetadataFilter, ops: tuple[FilterOperator, ...]) -> list[str]:
    if f.operator not in ops:
        raise _unsupported(f)
    values = f.value if isinstance(f.value, list) else [f.value]
    if f.operator == FilterOperator.IN and not isinstance(f.value, list):
        raise FilterError(f"filter {f.key!r} in {f.value!r}: operator 'in' takes a list of strings")
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise FilterError(f"filter {f.key!r} {f.operator.value} {f.value!r}: values must be non-empty strings")
    return [v.strip() for v in values]


def _iso_day(f: MetadataFilter) -> date:
    try:
        if not isinstance(f.value, str):
            raise ValueError(f.value)
        return date.fromisoformat(f.value.strip()[:10])
    except ValueError:
        raise FilterError(f"filter 'published' {f.operator.value} {f.value!r}: give an ISO date "
                          "like '2024-03-05'") from None


# --- the retriever -------------------------------------------------------------------------------

class ArticleRetriever(BaseRetriever):
    """Our hybrid retrieval as a LlamaIndex retriever: one ``NodeWithScore`` per passage, best first.

    ``rag`` is a ``rag.api.RAG`` (default: the collection configured by the environment, ``RAG_HOME``
    etc.). Each node is ``TextNode(id_=chunk id, text, start_char_idx/end_char_idx = the passage's span
    in its article, metadata={article_id, title, source, published})`` with the article as its SOURCE
    relationship; ``published`` (ISO date) is left out when the article has none. ``as_of`` (a date or
    "YYYY-MM-DD"; default today, each query) is the day time words in a query ("last week", "latest")
    are read against, as ``RAG.ask(as_of=...)``. ``similarity_top_k`` is LlamaIndex's name for
    ``top_k``, taken too. A node's score is our fused ranking score (it orders the passages; it is
    not a cosine similarity in [0, 1], so a ``SimilarityPostprocessor`` cutoff means something else here).
    """

    def __init__(self, rag: RAG | None = None, top_k: int | None = None,
                 filters: MetadataFilters | Filters | None = None, *, as_of: date | str | None = None,
                 similarity_top_k: int | None = None, callback_manager: CallbackManager | None = None) -> None:
        if similarity_top_k is not None and top_k is not None and similarity_top_k != top_k:
            raise ConfigError(f"top_k={top_k!r} and similarity_top_k={similarity_top_k!r}: they are one setting "
                              "(the passages to retrieve); pass one of them")
        top_k = _checked_top_k(similarity_top_k if similarity_top_k is not None else top_k)
        self.filters = to_filters(filters)  # checked now: a bad filter fails where it was written
        self.as_of = checked_as_of(as_of) if as_of is not None else None  # None: today, when asked
        if rag is None:
            from rag.api import default_rag

            rag = default_rag()
        self.rag = rag
        self.top_k = top_k
        super().__init__(callback_manager=callback_manager or CallbackManager([]))

    def passages(self, query: str) -> tuple[Passage, ...]:
        """Our own ``Passage`` records for ``query`` (what ``_retrieve`` turns into nodes): exactly
        ``RAG.search`` (the retrieval ``RAG.ask`` answers from, time prior included)."""
        return self.rag.search(query, top_k=self.top_k, filters=self.filters, as_of=self.as_of)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self.passages(query_bundle.query_str)
        if not found:  # a retriever returns nodes only: say why there are none, as REST and MCP do (new user 27's
            # date filter over undated articles came back empty and silent)
            from rag.notices import search_notices

            for why in search_notices(self.rag, found, "ingest articles first (ingest_documents)", self.filters):
                log.warning("no passages: %s", why)
        return [NodeWithScore(node=passage_node(p), score=p.score) for p in found]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        # embedding and SQLite work block; keep the event loop of an async app free
        return await asyncio.to_thread(self._retrieve, query_bundle)

    def _with(self, options: dict[str, Any]) -> ArticleRetriever:
        """This retriever, or a copy with the retrieval options an ``index.as_query_engine(...)`` call
        names (``similarity_top_k``/``top_k``, ``filters``, ``as_of``), taken out of ``options``."""
        picked = {k: options.pop(k) for k in ("similarity_top_k", "top_k", "filters", "as_of") if k in options}
        if not picked:
            return self
        similar, top_k = picked.get("similarity_top_k"), picked.get("top_k")
        return ArticleRetriever(self.rag, self.top_k if similar is None and top_k is None else top_k,
                                picked.get("filters", self.filters), as_of=picked.get("as_of", self.as_of),
                                similarity_top_k=similar, callback_manager=self.callback_manager)

    def as_query_engine(self, llm: LLM | None = None, **kwargs: Any) -> RetrieverQueryEngine:
        """``build_query_engine`` over this retriever. As with a LlamaIndex index, ``similarity_top_k``
        (or ``top_k``), ``filters`` and ``as_of`` set the retrieval; the rest go to the engine."""
        return build_query_engine(self._with(kwargs), _require_llm(llm), **kwargs)

    def as_chat_engine(self, llm: LLM | None = None, **kwargs: Any) -> CondensePlusContextChatEngine:
        """``build_chat_engine`` over this retriever (``chat_mode``, if given, must be
        "condense_plus_context", the engine it builds); retrieval options as ``as_query_engine``."""
        mode = kwargs.pop("chat_mode", None)
        mode = str(getattr(mode, "value", mode)) if mode is not None else None  # ChatMode or its str value
        if mode not in (None, "condense_plus_context"):
            raise ConfigError(f"chat_mode={mode!r}: this retriever builds the "
                              "'condense_plus_context' chat engine (the follow-up is rewritten, then retrieved "
                              "for); leave chat_mode out, or build another engine with this retriever yourself")
        return build_chat_engine(self._with(kwargs), _require_llm(llm), **kwargs)


def _checked_top_k(top_k: object) -> int:
    if top_k is None:
        return 5
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise ConfigError(f"top_k={top_k!r}: give the number of passages to retrieve as an int, e.g. top_k=5")
    if top_k < 1:
        raise ConfigError(f"top_k={top_k}: ask for at least one passage")
    return top_k


def passage_node(p: Passage) -> TextNode:
    """A ``Passage`` as a LlamaIndex ``TextNode`` (the article id is metadata the LLM is not shown)."""
    meta: dict[str, Any] = {"article_id": p.article_id, "title": p.title, "source": p.source}
    if p.published:
        meta["published"] = p.published
    return TextNode(
        id_=p.chunk_id, text=p.text, start_char_idx=p.start, end_char_idx=p.end, metadata=meta,
        excluded_llm_metadata_keys=["article_id"], excluded_embed_metadata_keys=["article_id", "source"],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=p.article_id)},
    )


def _require_llm(llm: object) -> LLM:
    if not isinstance(llm, LLM):
        raise ConfigError(f"pass a LlamaIndex LLM explicitly (llm=..., e.g. llama_index.llms.openai.OpenAI(...)); "
                          f"got {type(llm).__name__}. LlamaIndex's global Settings.llm is never used: left "
                          "unset it silently calls OpenAI")
    return llm


def build_query_engine(retriever: BaseRetriever, llm: LLM, **kwargs: Any) -> RetrieverQueryEngine:
    """A ``RetrieverQueryEngine`` answering with ``llm`` from ``retriever``'s passages.

    ``kwargs`` go to ``get_response_synthesizer`` (``response_mode``, ``streaming``, ``text_qa_template``,
    ...), except ``node_postprocessors``, ``response_synthesizer`` and ``callback_manager``, which go to
    the engine. The prompt helpers and the callback manager are passed explicitly so that nothing
    falls back to LlamaIndex's global ``Settings``."""
    from llama_index.core.indices.prompt_helper import ChatPromptHelper, PromptHelper
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.core.response_synthesizers import get_response_synthesizer

    llm = _require_llm(llm)
    callbacks = kwargs.pop("callback_manager", None) or retriever.callback_manager
    postprocessors = kwargs.pop("node_postprocessors", None)
    synth = kwargs.pop("response_synthesizer", None) or get_response_synthesizer(
        llm=llm, callback_manager=callbacks, prompt_helper=PromptHelper.from_llm_metadata(llm.metadata),
        chat_prompt_helper=ChatPromptHelper.from_llm_metadata(llm.metadata), **kwargs)
    return RetrieverQueryEngine(retriever, response_synthesizer=synth, node_postprocessors=postprocessors,
                                callback_manager=callbacks)


def build_chat_engine(retriever: BaseRetriever, llm: LLM, **kwargs: Any) -> CondensePlusContextChatEngine:
    """A ``CondensePlusContextChatEngine``: ``llm`` rewrites a follow-up into a standalone question,
    ``retriever`` finds its passages, ``llm`` answers from them. ``kwargs`` go to the engine
    (``system_prompt``, ``context_prompt``, ``condense_prompt``, ``memory``, ``chat_history``, ...)."""
    from llama_index.core.chat_engine import CondensePlusContextChatEngine
    from llama_index.core.memory import Memory

    llm = _require_llm(llm)
    history = kwargs.pop("chat_history", None)
    memory = kwargs.pop("memory", None) or Memory.from_defaults(
        chat_history=history or [], token_limit=max(llm.metadata.context_window - 256, 256))
    callbacks = kwargs.pop("callback_manager", None) or retriever.callback_manager
    return CondensePlusContextChatEngine(retriever=retriever, llm=llm, memory=memory, callback_manager=callbacks,
                                         **kwargs)


# --- LlamaIndex Documents in -------------------------------------------------------------------

#: SimpleDirectoryReader's bookkeeping: the path becomes the source, the rest is not article metadata
_READER_KEYS = frozenset({"file_path", "file_name", "file_type", "file_size", "creation_date",
                          "last_modified_date", "last_accessed_date", "page_label", "doc_id"})
_MARKDOWN = (".md", ".markdown")


def document_to_article(doc: Any, n: int = 1, settings: Settings | None = None) -> Article | LoadFailure:
    """One LlamaIndex ``Document`` (any node with ``text`` and ``metadata``) -> our ``Article``.

    The text is read like a file of its kind (markdown front matter and heading, else a headline
    line and a ``date YYYY-MM-DD`` line), so ``SimpleDirectoryReader`` files get the title, date and
    text ``rag add`` gives them. Metadata wins over what the text says, read with the aliases of our
    JSON/CSV dumps (title/headline, url/link, date/published/publish_date, author/byline; other
    short fields are kept as extras); a URL in ``source`` counts as the url. A reader's file dates
    (``creation_date``, ``last_modified_date``) are when the file was copied or saved, not when the
    article was published, so they are never its date.

    A Document that is a file's raw content, as ``SimpleDirectoryReader`` gives for files it has no
    reader for, is read as ``rag ingest`` reads that file: raw HTML markup with our HTML parser
    (the file's bytes when ``file_path`` is a local file, so its ``<meta charset>`` counts), and raw
    PDF bytes (text starting ``%PDF-``) with our PDF loader from ``file_path``; a PDF Document
    without a readable file fails, saying to ingest the file itself. ``settings`` (the collection's)
    gives the file size limit.

    The source (the article id derives from it) is the url, else the file's resolved path (as
    ``rag add`` records it, so either way the file is one article), else ``llamaindex:<doc id>``.
    """
    text = getattr(doc, "text", None)
    meta = getattr(doc, "metadata", None)
    if not isinstance(text, str) or not isinstance(meta, dict):
        return LoadFailure(f"document {n}", f"document {n} is a {type(doc).__name__}, not a LlamaIndex Document "
                                            "with text and metadata; pass llama_index.core.Document objects")
    lower = {str(k).strip().lower(): v for k, v in meta.items()}
    fields = {k: v for k, v in meta.items() if str(k).strip().lower() not in _READER_KEYS}
    url = next((lower[k].strip() for k in ALIASES["url"] if isinstance(lower.get(k), str) and is_url(lower[k])), None)
    if isinstance(lower.get("source"), str) and is_url(lower["source"]):
        fields = {k: v for k, v in fields.items() if str(k).strip().lower() != "source"}
        url = url or lower["source"].strip()
    path = _file_source(lower.get("file_path"))
    source = url or path or f"llamaindex:{getattr(doc, 'id_', None) or n}"
    where = f"document {n}"
    kind = _raw_kind(text, lower)
    if kind:
        parsed = _parse_raw_file(kind, text, path, source, url, where, settings)
        if isinstance(parsed, LoadFailure):
            return parsed
    else:
        markdown = (lower.get("file_type") == "text/markdown"
                    or str(lower.get("file_path", "")).lower().endswith(_MARKDOWN))
        try:
            parsed = (parse_markdown if markdown else parse_text)(text, source)
        except InputError as exc:
            return LoadFailure(source, f"{source}: {where}: {exc.reason}")
    body = parsed.text
    title = next((" ".join(lower[k].split()) for k in ALIASES["title"] if isinstance(lower.get(k), str)
                  and lower[k].strip()), None)
    if title and title != parsed.title and not kind:
        # the parser took a line for a headline the metadata contradicts: keep it
        body = split_date_prefix(normalise(split_front_matter(text)[1]))[1] or body
    record = _record({**fields, "text": body}, source, n, where)
    if isinstance(record, LoadFailure):
        return LoadFailure(source, record.reason)
    return dataclasses.replace(
        record, source=source, url=url or parsed.url, title=record.title if title else parsed.title,
        published=record.published or parsed.published, author=record.author or parsed.author,
        extra=parsed.extra | record.extra)


_HTML_START = re.compile(r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def _raw_kind(text: str, lower: dict[str, Any]) -> str | None:
    """"pdf" or "html" when the Document's text is a file's raw content rather than extracted text."""
    if text.lstrip("\ufeff \t\r\n").startswith("%PDF-"):
        return "pdf"
    if _HTML_START.match(text):
        return "html"
    html_file = (lower.get("file_type") in ("text/html", "application/xhtml+xml")
                 or str(lower.get("file_path", "")).lower().endswith(_HTML_SUFFIXES))
    if html_file and text.lstrip().startswith("<"):  # a fragment of markup saved as .html
        return "html"
    return None


def _parse_raw_file(kind: str, text: str, path: str | None, source: str, url: str | None, where: str,
                    settings: Settings | None) -> Article | LoadFailure:
    """A Document holding a file's raw HTML or PDF, read as ``rag ingest`` reads the file when it is
    at hand (same text and title, so the same article either way), else (HTML only) from the text."""
    local = path if path and not is_url(path) and os.path.isfile(path) else None
    if local:
        results = list(itertools.islice(iter_articles([local], settings or load_settings()), 1))
        found = results[0] if results else None
        if isinstance(found, LoadFailure):
            return LoadFailure(source, found.reason)
        if isinstance(found, Article):
            return dataclasses.replace(found, source=source, url=url or found.url)
    if kind == "pdf":
        shown = path or source
        return LoadFailure(source, f"{shown}: {where}: its text is the raw bytes of a PDF file (the reader "
                                   "that made it does not extract PDF text), and the file is not at hand; "
                                   f"ingest the PDF file itself with `rag ingest {shown}`, or give "
                                   "SimpleDirectoryReader a PDF reader (llama-index-readers-file)")
    try:
        return parse_html(text, source, url)
    except InputError as exc:
        return LoadFailure(source, f"{source}: {where}: {exc.reason}")


def _file_source(path: object) -> str | None:
    if not isinstance(path, str) or not path.strip():
        return None
    if is_url(path):  # a remote filesystem (s3://...): keep as given
        return path.strip()
    return os.path.realpath(Path(path).expanduser())  # what index.load records for the same file


def iter_document_articles(docs: Iterable[Any], settings: Settings | None = None
                           ) -> Iterator[Article | LoadFailure]:
    """Articles for ``docs``, lazily. Consecutive documents of one file (a PDF read page by page, as
    readers emit them) are joined into one article, since one source is one article."""

    def file_of(item: tuple[int, Any]) -> str:
        n, doc = item
        meta = getattr(doc, "metadata", None)
        ok = isinstance(meta, dict) and isinstance(getattr(doc, "text", None), str)
        return (_file_source(meta.get("file_path")) if ok else None) or f"#{n}"

    for _, group in itertools.groupby(enumerate(docs, start=1), key=file_of):
        items = list(group)
        n, first = items[0]
        if len(items) > 1:
            first = SimpleNamespace(text="\n\n".join(d.text for _, d in items), metadata=first.metadata,
                                    id_=getattr(first, "id_", None))
        yield document_to_article(first, n, settings)


def ingest_documents(collection: Collection, docs: Iterable[Any], *,
                     progress: Callable[[ItemResult], None] | None = None) -> IngestReport:
    """Ingest LlamaIndex ``Document``s into ``collection``: same pipeline, write lock and report as
    ``Collection.ingest`` (added / updated / unchanged / duplicate / failed per document; one bad
    document never stops the batch).

    >>> from llama_index.core import SimpleDirectoryReader                                # doctest: +SKIP
    >>> ingest_documents(coll, SimpleDirectoryReader("articles/").load_data()).summary()  # doctest: +SKIP
    {'added': 12, 'updated': 0, 'unchanged': 0, 'duplicate': 0, 'removed': 0, 'failed': 0}
    """
    return collection.ingest_articles(iter_document_articles(docs, collection.settings), progress=progress)
