"""rag.integrations.llamaindex with real LlamaIndex objects (no mocks): our retriever inside LlamaIndex's
query and chat engines, MetadataFilters mapped to ours, SimpleDirectoryReader / LlamaHub-style
Documents ingested; and the llamaindex-hybrid eval baseline.

The LLMs are LlamaIndex ``CustomLLM`` subclasses that script their replies and record every prompt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import Document, SimpleDirectoryReader
from llama_index.core import Settings as LISettings
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.schema import NodeRelationship
from llama_index.core.vector_stores.types import FilterCondition, MetadataFilter, MetadataFilters
from llama_index.core.vector_stores.types import FilterOperator as Op
from pydantic import Field

from rag.errors import ConfigError
from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from rag.integrations.llamaindex import (
    ArticleRetriever,
    FilterError,
    build_chat_engine,
    build_query_engine,
    ingest_documents,
    to_filters,
)
from rag.types import Filters
from tests.fakes import HashEmbedder

ARTICLES = {
    "oslo.md": (
        "---\ntitle: Tram line approved in Oslo\ndate: 2024-01-10\nauthor: Kari Nordmann\n"
        "url: https://news.example.no/oslo-tram\n---\n\n"
        "The city council of Oslo approved a new tram line on Monday. Construction of the line will start in 2025.\n"
        "The project will cost two billion kroner, the transport department said. Residents welcomed the decision.\n"
    ),
    "storm.txt": (
        "date 2024-03-05 Storm batters Cornwall\n\n"
        "A storm with gusts of 140 km/h hit Cornwall on Tuesday, felling trees and cutting power to 20,000 homes.\n"
        "Ferries to the Isles of Scilly were cancelled and the coastguard rescued two fishermen near Penzance.\n"
    ),
    "flood.txt": (
        "date 2023-06-01 Floods close schools in Riverton\n\n"
        "Heavy rain flooded the river valley and the town of Riverton closed its schools for a week.\n"
        "The mayor said the new dam had held, but the old bridge would stay shut until engineers inspect it.\n"
    ),
    "wine.txt": (
        "Vineyard harvest starts early\n\n"
        "Growers in the valley began picking grapes three weeks early after a hot summer. "
        "The co-operative expects a small but excellent vintage.\n"
    ),
}
EVERYTHING = "tram kroner storm Cornwall flood Riverton vineyard grapes"


def write_articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


class RecordingLLM(CustomLLM):
    """A real LlamaIndex LLM with scripted replies: ``reply(prompt)`` answers; every prompt is recorded."""

    prompts: list[str] = Field(default_factory=list)
    reply: Callable[[str], str] = Field(default=lambda prompt: "scripted answer")

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=8192, num_output=256, model_name="recording")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.reply(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text

        def gen() -> CompletionResponseGen:
            yield CompletionResponse(text=text, delta=text)

        return gen()


def _li_globals() -> tuple[object, ...]:
    return (LISettings._llm, LISettings._embed_model, LISettings._callback_manager)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "articles")


@pytest.fixture
def fake_rag(settings: Settings, folder: Path) -> RAG:
    coll = Collection.open(settings, embedder=HashEmbedder())
    report = coll.ingest([str(folder)])
    assert report.count("added") == 4, report
    return RAG(settings, collection=coll, llm=None)


def _ids_by_title(rag: RAG) -> dict[str, str]:
    return {a.title: a.id for a in rag.collection.db.list_articles(None, 100)}


# --- the retriever -------------------------------------------------------------------------------

def test_retriever_nodes_are_our_passages(fake_rag: RAG) -> None:
    nodes = ArticleRetriever(fake_rag, top_k=3).retrieve("How much will the Oslo tram line cost?")
    ours = fake_rag.search("How much will the Oslo tram line cost?", top_k=3)
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in ours] and nodes
    assert [n.score for n in nodes] == [p.score for p in ours]
    top, p = nodes[0].node, ours[0]
    assert "two billion kroner" in top.text
    assert fake_rag.collection.db.article_text(p.article_id)[top.start_char_idx:top.end_char_idx] == top.text
    assert top.metadata == {"article_id": p.article_id, "title": "Tram line approved in Oslo",
                            "source": "https://news.example.no/oslo-tram", "published": "2024-01-10"}
    assert top.relationships[NodeRelationship.SOURCE].node_id == p.article_id
    # an article without a date has no 'published' key rather than None
    wine = ArticleRetriever(fake_rag, top_k=1).retrieve("vineyard grapes harvest")[0].node
    assert wine.metadata["title"] == "Vineyard harvest starts early" and "published" not in wine.metadata


def test_async_retrieve_matches_sync(fake_rag: RAG) -> None:
    r = ArticleRetriever(fake_rag, top_k=2)
    got = asyncio.run(r.aretrieve("storm Cornwall"))
    assert [n.node.node_id for n in got] == [n.node.node_id for n in r.retrieve("storm Cornwall")]


def test_default_rag_comes_from_the_environment(fake_rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.api

    monkeypatch.setattr(rag.api, "_default", fake_rag)  # what default_rag() built from RAG_HOME
    monkeypatch.setattr(rag.api, "load_settings", lambda: fake_rag.settings)  # ... and RAG_HOME is still that
    assert ArticleRetriever().rag is fake_rag


def test_query_engine_answers_from_our_passages_with_any_llm(fake_rag: RAG) -> None:
    before = _li_globals()
    llm = RecordingLLM(reply=lambda prompt: "It will cost two billion kroner.")
    engine = ArticleRetriever(fake_rag, top_k=2).as_query_engine(llm)
    response = engine.query("How much will the Oslo tram line cost?")
    assert str(response) == "It will cost two billion kroner."
    ids = [n.node.node_id for n in response.source_nodes]
    assert ids == [n.node.node_id for n in ArticleRetriever(fake_rag, top_k=2).retrieve(
        "How much will the Oslo tram line cost?")]
    (prompt,) = llm.prompts
    assert "The project will cost two billion kroner" in prompt and "title: Tram line approved in Oslo" in prompt
    assert "article_id" not in prompt  # ids mean nothing to an LLM
    assert _li_globals() == before  # nothing read from or written to LlamaIndex's global Settings


def test_an_llm_must_be_passed_explicitly(fake_rag: RAG) -> None:
    with pytest.raises(ConfigError, match="Settings.llm is never used"):
        build_query_engine(ArticleRetriever(fake_rag), None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="pass a LlamaIndex LLM"):
        build_chat_engine(ArticleRetriever(fake_rag), "gpt-4o")  # type: ignore[arg-type]


def test_chat_engine_answers_a_follow_up_with_our_retriever(fake_rag: RAG) -> None:
    def reply(prompt: str) -> str:
        if "Standalone question" in prompt:  # the condense step: the LLM rewrites the follow-up
            return "How much will the Oslo tram line cost?"
        return "Two billion kroner." if "two billion kroner" in prompt else "I do not know."

    llm = RecordingLLM(reply=reply)
    chat = build_chat_engine(ArticleRetriever(fake_rag, top_k=2), llm)
    first = chat.chat("What did the Oslo city council approve?")
    assert first.source_nodes[0].node.metadata["title"] == "Tram line approved in Oslo"
    follow = chat.chat("And how much will it cost?")
    assert str(follow) == "Two billion kroner."
    condense = [p for p in llm.prompts if "Standalone question" in p]
    assert len(condense) == 1 and "What did the Oslo city council approve?" in condense[0]
    assert follow.source_nodes[0].node.metadata["title"] == "Tram line approved in Oslo"
    assert "The project will cost two billion kroner" in llm.prompts[-1]


# --- filters ------------------------------------------------------------------------------------

def _mf(*filters: MetadataFilter, condition: FilterCondition = FilterCondition.AND) -> MetadataFilters:
    return MetadataFilters(filters=list(filters), condition=condition)


@pytest.mark.parametrize(("filters", "titles"), [
    (_mf(MetadataFilter(key="source", value="oslo", operator=Op.TEXT_MATCH)), {"Tram line approved in Oslo"}),
    (_mf(MetadataFilter(key="source", value="https://news.example.no/oslo-tram")), {"Tram line approved in Oslo"}),
    (_mf(MetadataFilter(key="source", value=["storm.txt", "flood.txt"], operator=Op.IN)),
     {"Storm batters Cornwall", "Floods close schools in Riverton"}),
    (_mf(MetadataFilter(key="source", value="storm", operator=Op.TEXT_MATCH),
         MetadataFilter(key="source", value="wine", operator=Op.TEXT_MATCH), condition=FilterCondition.OR),
     {"Storm batters Cornwall", "Vineyard harvest starts early"}),
    (_mf(MetadataFilter(key="published", value="2024-01-01", operator=Op.GTE)),
     {"Tram line approved in Oslo", "Storm batters Cornwall"}),
    (_mf(MetadataFilter(key="published", value="2024-01-10", operator=Op.GT)), {"Storm batters Cornwall"}),
    pytest.param(_mf(MetadataFilter(key="published", value="2024-01-10", operator=Op.LT)),
                 {"Floods close schools in Riverton"}, id="lt"),  # undated articles are not "before" any date
    (_mf(MetadataFilter(key="published", value="2024-03-05", operator=Op.EQ)), {"Storm batters Cornwall"}),
    (_mf(MetadataFilter(key="published", value="2023-01-01", operator=Op.GT),
         MetadataFilter(key="published", value="2024-01-10", operator=Op.LTE)),
     {"Floods close schools in Riverton", "Tram line approved in Oslo"}),
    (Filters(sources=("flood",)), {"Floods close schools in Riverton"}),
], ids=["text_match", "eq-url", "in", "or-sources", "gte", "gt", "lt", "eq-date", "range", "ours"])
def test_filters_restrict_what_is_retrieved(fake_rag: RAG, filters: MetadataFilters | Filters,
                                             titles: set[str]) -> None:
    nodes = ArticleRetriever(fake_rag, top_k=10, filters=filters).retrieve(EVERYTHING)
    assert {n.node.metadata["title"] for n in nodes} == titles


def test_article_id_filter(fake_rag: RAG) -> None:
    aid = _ids_by_title(fake_rag)["Storm batters Cornwall"]
    f = _mf(MetadataFilter(key="article_id", value=[aid], operator=Op.IN))
    nodes = ArticleRetriever(fake_rag, top_k=10, filters=f).retrieve(EVERYTHING)
    assert {n.node.metadata["article_id"] for n in nodes} == {aid}


def test_unfiltered_retrieval_sees_every_article(fake_rag: RAG) -> None:
    # the baseline the filter cases above narrow: without filters all four articles come back
    assert len({n.node.metadata["title"] for n in ArticleRetriever(fake_rag, top_k=10).retrieve(EVERYTHING)}) == 4


@pytest.mark.parametrize(("filters", "message"), [
    (_mf(MetadataFilter(key="author", value="Kari Nordmann")), "unsupported filter 'author'"),
    (_mf(MetadataFilter(key="source", value="oslo", operator=Op.NE)), "unsupported filter 'source' !="),
    (_mf(MetadataFilter(key="published", value="last week", operator=Op.GT)), "'last week': give an ISO date"),
    (_mf(MetadataFilter(key="published", value=20240101, operator=Op.GT)), "20240101: give an ISO date"),
    (_mf(MetadataFilter(key="source", value="oslo"), MetadataFilter(key="published", value="2024-01-01"),
         condition=FilterCondition.OR), "OR are supported only between source filters"),
    (_mf(MetadataFilter(key="source", value="oslo"), MetadataFilter(key="source", value="tram")),
     "two source filters combined with AND"),
    (_mf(MetadataFilter(key="source", value="oslo"), condition=FilterCondition.NOT), "NOT is not supported"),
    ({"source": "oslo"}, "must be llama_index MetadataFilters"),
], ids=["key", "operator", "date-text", "date-int", "or-mixed", "and-sources", "not", "dict"])
def test_unsupported_filters_raise_a_clear_error(fake_rag: RAG, filters: Any, message: str) -> None:
    with pytest.raises(FilterError, match=message.replace("(", r"\(")) as err:
        ArticleRetriever(fake_rag, filters=filters)
    assert isinstance(err.value, ValueError)  # LlamaIndex code catching ValueError sees it too


def test_to_filters_maps_to_ours() -> None:
    f = to_filters(_mf(MetadataFilter(key="source", value="bbc", operator=Op.TEXT_MATCH_INSENSITIVE),
                       MetadataFilter(key="published", value="2024-01-01T09:30:00", operator=Op.GTE)))
    assert f == Filters(sources=("bbc",), published_from=date(2024, 1, 1))


# --- Documents in -------------------------------------------------------------------------------

def test_simple_directory_reader_documents_ingest_with_their_metadata(settings: Settings, folder: Path) -> None:
    docs = SimpleDirectoryReader(str(folder)).load_data()
    coll = Collection.open(settings, embedder=HashEmbedder())
    seen: list[str] = []
    report = ingest_documents(coll, docs, progress=lambda r: seen.append(r.status))
    assert report.summary()["added"] == 4 and not report.failed, report
    assert seen == ["added"] * 4
    info = {a.title: a for a in coll.db.list_articles(None, 100)}
    oslo = info["Tram line approved in Oslo"]  # from the markdown front matter, which is not in the text
    assert (oslo.published, oslo.author) == ("2024-01-10", "Kari Nordmann")
    assert oslo.url == "https://news.example.no/oslo-tram"
    assert oslo.source == str((folder / "oslo.md").resolve())
    assert not coll.db.article_text(oslo.id).startswith("---")
    assert info["Storm batters Cornwall"].published == "2024-03-05"  # the text's date line, not the file's date
    assert docs and info["Vineyard harvest starts early"].published is None  # a file's date is no publish date

    rag = RAG(settings, collection=coll, llm=None)
    f = _mf(MetadataFilter(key="published", value="2024-03-01", operator=Op.GTE))
    nodes = ArticleRetriever(rag, top_k=3, filters=f).retrieve("storm Cornwall power")
    assert nodes[0].node.metadata["title"] == "Storm batters Cornwall"
    # the same files again, through LlamaIndex or through `rag add`: one article each, unchanged
    assert ingest_documents(coll, SimpleDirectoryReader(str(folder)).load_data()).summary()["unchanged"] == 4
    assert coll.ingest([str(folder)]).summary()["unchanged"] == 4


def test_llamahub_style_documents_map_metadata_and_bad_ones_fail_alone(settings: Settings) -> None:
    coll = Collection.open(settings, embedder=HashEmbedder())
    docs = [
        Document(text="Council backs bike lanes. The vote was 30 to 12 in favour of the plan.",
                 metadata={"headline": "Bike lanes approved", "link": "https://example.com/bikes",
                           "published_at": "2024-05-02T08:00:00Z", "byline": ["A. Writer", "B. Editor"],
                           "section": "city"}),
        Document(text="Markets rallied on Friday after the central bank held rates steady.",
                 metadata={"source": "https://example.com/markets", "title": "Markets rally"}),
        Document(text="   ", metadata={"title": "Empty"}),
        "not a document",
    ]
    report = ingest_documents(coll, docs)
    assert report.summary()["added"] == 2 and len(report.failed) == 2, report
    reasons = [r.reason or "" for r in report.failed]
    assert "document 3" in reasons[0] and "empty" in reasons[0]
    assert "document 4 is a str, not a LlamaIndex Document" in reasons[1]
    info = {a.title: a for a in coll.db.list_articles(None, 100)}
    bikes = info["Bike lanes approved"]
    assert (bikes.source, bikes.published, bikes.author) == ("https://example.com/bikes", "2024-05-02",
                                                            "A. Writer, B. Editor")
    assert info["Markets rally"].source == "https://example.com/markets"


def test_documents_of_one_file_are_one_article(settings: Settings, tmp_path: Path) -> None:
    # a PDF reader yields one Document per page, all with the file's path
    meta = {"file_path": str(tmp_path / "report.pdf"), "file_name": "report.pdf", "title": "Annual report"}
    pages = [Document(text="Page one says revenue grew.", metadata=meta),
             Document(text="Page two says costs fell.", metadata=meta)]
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert ingest_documents(coll, iter(pages)).summary()["added"] == 1  # a lazy reader's generator too
    (info,) = coll.db.list_articles(None, 10)
    assert coll.db.article_text(info.id) == "Page one says revenue grew.\n\nPage two says costs fell."


@pytest.mark.slow
def test_real_model_finds_the_article_by_meaning(settings: Settings, folder: Path,
                                                real_embedder) -> None:  # noqa: ANN001
    coll = Collection.open(settings, embedder=real_embedder)
    assert ingest_documents(coll, SimpleDirectoryReader(str(folder)).load_data()).summary()["added"] == 4
    llm = RecordingLLM(reply=lambda prompt: "Cornwall.")
    engine = build_query_engine(ArticleRetriever(RAG(settings, collection=coll, llm=None), top_k=1), llm)
    response = engine.query("Which English county was hit by strong winds?")  # no shared content words
    assert response.source_nodes[0].node.metadata["title"] == "Storm batters Cornwall"
    assert "gusts of 140 km/h" in llm.prompts[0]


# --- the llamaindex-hybrid baseline -------------------------------------------------------------

def test_hybrid_baseline_fuses_vector_and_bm25_at_our_chunk_size(fake_rag: RAG, tmp_path: Path) -> None:
    from evals.baseline import BASELINES, LlamaIndexHybridBaseline, run_baseline
    from evals.suite import Case

    before = _li_globals()
    bl = BASELINES["llamaindex-hybrid"](fake_rag.collection, workdir=tmp_path / "li")
    assert isinstance(bl, LlamaIndexHybridBaseline) and bl.name == "llamaindex-hybrid"
    assert (bl.splitter.chunk_size, bl.n_docs) == (180, 4) and bl.n_nodes >= 4
    nodes = bl.retrieve("How much will the Oslo tram line cost?", 3)
    assert nodes[0].node.metadata["title"] == "Tram line approved in Oslo"
    assert bl.bm25.retrieve("kroner")[0].node.node_id in {n.node.node_id for n in bl.retrieve("kroner", 3)}
    cases = [Case("c1", "How much will the Oslo tram line cost?", ("two billion kroner",), ("oslo-tram",))]
    rows = run_baseline(bl, cases, ks=(1, 5))
    assert rows[0]["metrics"]["hit@1"] == 1.0 and rows[0]["metrics"]["answer_in_context@1"] == 1.0
    assert _li_globals() == before


def test_a_filter_that_leaves_nothing_says_why(fake_rag: RAG, caplog: pytest.LogCaptureFixture) -> None:
    # new user 27: a date filter over undated articles came back empty and silent (REST said why)
    f = _mf(MetadataFilter(key="published", value="2030-01-01", operator=Op.GTE))
    with caplog.at_level("WARNING", logger="rag.integrations.llamaindex"):
        assert ArticleRetriever(fake_rag, top_k=10, filters=f).retrieve(EVERYTHING) == []
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "no passages" in said and "undated" in said, said
    caplog.clear()
    with caplog.at_level("WARNING", logger="rag.integrations.llamaindex"):
        assert ArticleRetriever(fake_rag, top_k=10).retrieve(EVERYTHING)
    assert not caplog.records
