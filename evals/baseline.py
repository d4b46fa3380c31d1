"""LlamaIndex recipes on the same articles and questions, for a side-by-side comparison.

``llamaindex`` (the stock recipe): ``VectorStoreIndex`` over Chroma (``llama-index-vector-stores-chroma``)
with LlamaIndex's default ``SentenceSplitter`` (1024-token chunks, 200 overlap), the same embedding
model as ours (wrapped as a ``BaseEmbedding``) and the same top-k; dense retrieval only. Its chunks
are four times the model's 256-word-piece window, so most of each chunk is never embedded.

``llamaindex-hybrid`` (the fair one): ``SentenceSplitter(chunk_size=180)`` like our chunks, and
``QueryFusionRetriever([vector, BM25Retriever], mode="reciprocal_rerank", num_queries=1)`` (RRF, no
query generation), each retriever as deep as ours (``Settings.candidates``); needs
``llama-index-retrievers-bm25``.

The embedder, the callback manager and (for the fusion retriever, which never calls it with one
query) a ``MockLLM`` are passed explicitly: LlamaIndex's global ``Settings`` are neither read for
models nor changed (left alone they would reach for OpenAI). Neither has an offline answerer, so only
retrieval metrics are computed for them.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals.run import KS, question_kind
from evals.suite import Case

log = logging.getLogger(__name__)

NAME = "llamaindex"
DESCRIPTION = ("stock LlamaIndex: VectorStoreIndex over Chroma, default SentenceSplitter (1024-token chunks, "
               "200 overlap), same embedding model, dense top-k.")
HYBRID_NAME = "llamaindex-hybrid"
HYBRID_CHUNK, HYBRID_OVERLAP = 180, 30  # our chunk size; about one sentence, like our one-sentence overlap
HYBRID_DESCRIPTION = (f"LlamaIndex hybrid: SentenceSplitter({HYBRID_CHUNK}-token chunks, {HYBRID_OVERLAP} overlap), "
                      "QueryFusionRetriever(vector over Chroma + BM25Retriever, reciprocal_rerank, num_queries=1), "
                      "same embedding model, same per-retriever depth as ours.")


def wrap_embedder(embedder: Any) -> Any:
    """Our ``Embedder`` as a LlamaIndex ``BaseEmbedding`` (same model, same vectors)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class OurEmbedding(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Any) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=64)
            self._embedder = inner

        @classmethod
        def class_name(cls) -> str:
            return "RagArticlesEmbedding"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

    return OurEmbedding(embedder)


def _documents(collection: Any) -> list[Any]:
    """Every stored article as a ``Document``; only the title is embedded beside the text, as ours."""
    from llama_index.core import Document

    docs = []
    for info in collection.db.list_articles(None, 10**9):
        text = collection.db.article_text(info.id) or ""
        docs.append(Document(
            text=text,
            metadata={"title": info.title, "source": info.url or info.source, "article_id": info.id},
            excluded_embed_metadata_keys=["source", "article_id"],
            excluded_llm_metadata_keys=["source", "article_id"],
        ))
    return docs


def _chroma_index(nodes: list[Any], embed_model: Any, callbacks: Any, workdir: Path) -> tuple[Any, int]:
    """A ``VectorStoreIndex`` of ``nodes`` in a fresh embedded Chroma collection; and its size."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(workdir / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    name = "baseline"
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001 - not there yet
        pass
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection(name))
    index = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store),
                             embed_model=embed_model, callback_manager=callbacks)
    return index, store._collection.count()


class LlamaIndexBaseline:
    """The stock recipe. Build once over a collection's stored articles, then ``retrieve(question, k)``."""

    name, description = NAME, DESCRIPTION

    def __init__(self, collection: Any, *, workdir: Path | None = None) -> None:
        from llama_index.core.callbacks import CallbackManager
        from llama_index.core.node_parser import SentenceSplitter

        t0 = time.perf_counter()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="rag-eval-llamaindex-"))
        self.embed_model = wrap_embedder(collection.embedder)
        docs = _documents(collection)
        self.callbacks = CallbackManager([])
        self.splitter = self._splitter(SentenceSplitter)
        self.nodes = self.splitter.get_nodes_from_documents(docs)
        self.index, self.n_nodes = _chroma_index(self.nodes, self.embed_model, self.callbacks, self.workdir)
        self.n_docs = len(docs)
        self._setup(collection)
        self.build_seconds = round(time.perf_counter() - t0, 1)
        log.info("%s baseline: %d documents -> %d nodes in %.1fs", self.name, self.n_docs, self.n_nodes,
                 self.build_seconds)

    def _splitter(self, cls: Any) -> Any:
        return cls(callback_manager=self.callbacks)  # the defaults: 1024 / 200

    def _setup(self, collection: Any) -> None:
        """Anything built once after the vector index (the hybrid's BM25 index)."""

    def retrieve(self, question: str, k: int) -> list[Any]:
        return self.index.as_retriever(similarity_top_k=k).retrieve(question)


class LlamaIndexHybridBaseline(LlamaIndexBaseline):
    """The fair recipe: our chunk size, and dense + BM25 fused by reciprocal rank, as we do."""

    name, description = HYBRID_NAME, HYBRID_DESCRIPTION

    def _splitter(self, cls: Any) -> Any:
        return cls(chunk_size=HYBRID_CHUNK, chunk_overlap=HYBRID_OVERLAP, callback_manager=self.callbacks)

    def _setup(self, collection: Any) -> None:
        from llama_index.retrievers.bm25 import BM25Retriever

        self.depth = collection.settings.candidates
        self.bm25 = BM25Retriever.from_defaults(nodes=self.nodes, similarity_top_k=self.depth, language="en")
        self._fusion: dict[int, Any] = {}

    def retrieve(self, question: str, k: int) -> list[Any]:
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever

        if k not in self._fusion:
            vector = self.index.as_retriever(similarity_top_k=max(self.depth, k))
            # num_queries=1: the question itself, no LLM query generation; MockLLM only keeps the
            # constructor from resolving Settings.llm (which would reach for OpenAI)
            self._fusion[k] = QueryFusionRetriever(
                [vector, self.bm25], llm=MockLLM(), mode="reciprocal_rerank", num_queries=1, similarity_top_k=k,
                use_async=False, callback_manager=self.callbacks)
        return self._fusion[k].retrieve(question)


BASELINES: dict[str, type[LlamaIndexBaseline]] = {NAME: LlamaIndexBaseline, HYBRID_NAME: LlamaIndexHybridBaseline}


def run_baseline(
    baseline: LlamaIndexBaseline, cases: Sequence[Case], *, ks: Sequence[int] = KS,
    progress: Callable[[int, int], None] | None = None, golds: Mapping[str, frozenset[str]] | None = None,
) -> list[dict[str, Any]]:
    """Retrieval-only rows in the shape of ``results.jsonl`` (metrics and timings; no answer).
    ``golds``: each case's gold article ids, as the run resolved them (``evals.run.gold_ids``)."""
    from index.tokens import get_encoding

    enc = get_encoding()
    rows = []
    max_k = max(ks)
    for i, case in enumerate(cases, start=1):
        t = time.perf_counter()
        nodes = baseline.retrieve(case.question, max_k)
        ms = (time.perf_counter() - t) * 1000
        texts = [n.node.get_content() for n in nodes]
        ids = [(n.node.metadata.get("article_id", ""), n.node.metadata.get("source", "")) for n in nodes]
        mt: dict[str, Any] = {}
        if case.articles:
            gold = golds.get(case.id) if golds is not None else None
            rank = m.hit_rank(ids, case.articles) if gold is None else \
                next((i for i, (aid, _) in enumerate(ids, start=1) if aid in gold), None)
            mt["gold_rank"], mt["mrr"] = rank, m.reciprocal_rank(rank)
            mt.update({f"hit@{k}": m.hit_at(rank, k) for k in ks})
        tok = [len(enc.encode(t, disallowed_special=())) for t in texts]
        for k in ks:
            if case.contexts:
                mt[f"recall@{k}"] = m.context_recall(texts, case.contexts, k)
            if case.short_answers:
                mt[f"answer_in_context@{k}"] = m.answer_in_context(texts, case.answers, k)
            mt[f"context_tokens@{k}"] = sum(tok[:k])
        rows.append({
            "id": case.id, "type": case.type, "kind": question_kind(case.question), "question": case.question,
            "metrics": mt, "timings_ms": {"retrieve": round(ms, 2)},
            "retrieved": [{"rank": r + 1, "article_id": a, "source": s, "score": n.score}
                          for r, ((a, s), n) in enumerate(zip(ids, nodes, strict=True))],
        })
        if progress:
            progress(i, len(cases))
    return rows
