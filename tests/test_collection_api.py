"""``Collection`` as a Python user holds it: ``ingest`` takes every option of the indexer's ingest
(``allow_shrink``, ``stop``, ``notice``, ``chunk_updates``), and ``ingest_text`` ingests a string
through the same pipeline as a file (cleaning, shrink guard, duplicates, chunking, embedding), with
bad arguments an ``InputError`` naming them. HashEmbedder and embedded Chroma, offline.
"""

from __future__ import annotations

import inspect
import threading
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from index.collection import Collection
from index.feeds import FeedCapped
from index.pipeline import Indexer
from index.types import Article, LoadFailure
from rag.api import RAG
from rag.errors import InputError
from rag.settings import Settings
from tests.corpus import article_text, write_corpus
from tests.fakes import HashEmbedder

KELSO = ("The harbour of Kelso reopened on Monday after six weeks of repairs to its storm wall. "
         "Fishing boats returned the same afternoon, and the harbour master said the mackerel season "
         "would start on time. The council paid for the work from its flood budget.")
STUB = "Subscribe to continue reading. You have reached your limit of free articles."


@pytest.fixture
def coll(settings: Settings, fake_embedder: HashEmbedder) -> Collection:
    with Collection.open(settings.model_copy(update={"chunk_tokens": 40}), embedder=fake_embedder) as c:
        yield c


def long_text(i: int = 1) -> str:
    """A synthetic article of several hundred words (a stub is under half of it)."""
    title, body = article_text(i, sentences=40)
    return f"{title}\n\n{body}\n"


# --- Collection.ingest passes every option through -------------------------------------------------
@pytest.mark.parametrize("name", ["ingest", "ingest_articles"])
def test_collection_takes_every_keyword_of_the_indexer(name: str) -> None:
    """A keyword the Indexer gains and Collection does not pass on is a keyword Python users lack."""
    ours = inspect.signature(getattr(Collection, name)).parameters
    theirs = inspect.signature(getattr(Indexer, name)).parameters
    for p in theirs.values():
        assert p.name in ours, f"Collection.{name} lacks {p.name}"
        assert (ours[p.name].kind, ours[p.name].default) == (p.kind, p.default), p.name
    doc = inspect.getdoc(Collection.ingest) or ""
    for p in list(inspect.signature(Indexer.ingest).parameters)[2:]:  # self, inputs
        assert f"``{p}" in doc, f"Collection.ingest does not document {p}"


def test_allow_shrink_replaces_a_stored_article_with_a_stub(coll: Collection, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(long_text(), encoding="utf-8")
    assert coll.ingest(str(path)).summary()["added"] == 1
    path.write_text(f"Story\n\n{STUB}\n", encoding="utf-8")
    refused = coll.ingest(str(path))
    assert refused.summary()["failed"] == 1 and "--allow-shrink" in (refused.failed[0].reason or "")
    kept = coll.db.by_source(str(path.resolve()))
    assert kept is not None and "Town1" in (coll.db.article_text(kept.id) or "")
    replaced = coll.ingest(str(path), allow_shrink=True)
    assert replaced.summary()["updated"] == 1
    assert coll.db.article_text(kept.id) == STUB


def test_stop_set_before_the_ingest_stores_nothing(coll: Collection, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 4)
    stop = threading.Event()
    stop.set()
    report = coll.ingest(str(tmp_path / "news"), stop=stop)
    assert report.items == () and coll.db.counts()["articles"] == 0
    assert coll.ingest(str(tmp_path / "news")).summary()["added"] == 4  # and nothing was left locked


def test_notice_gets_what_is_no_failure(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = "https://example.org/feed.xml"

    def iter_articles(inputs, settings, *, on_dump=None):  # noqa: ANN001, ANN202 - a feed cut at RAG_FEED_MAX_ITEMS
        yield LoadFailure(feed, "capped", capped=(1, 9))
        yield Article(source="https://example.org/kelso", title="Kelso harbour reopens", text=KELSO)

    monkeypatch.setattr("index.load.iter_articles", iter_articles)
    told: list[object] = []
    report = coll.ingest("news/", notice=told.append)
    assert told == [FeedCapped(feed, 1, 9)]
    assert report.summary()["added"] == 1 and not report.failed and len(report.notices) == 1


def test_ingest_articles_takes_the_options_too(coll: Collection) -> None:
    told: list[object] = []
    stub = Article(source="wire:1", title="Kelso", text=STUB)
    coll.ingest_articles([Article(source="wire:1", title="Kelso", text=long_text())])
    assert coll.ingest_articles([stub]).summary()["failed"] == 1
    capped = LoadFailure("https://example.org/feed.xml", "capped", capped=(1, 9))
    assert coll.ingest_articles([capped, stub], allow_shrink=True, notice=told.append).summary()["updated"] == 1
    assert told == [FeedCapped("https://example.org/feed.xml", 1, 9)]


# --- Collection.ingest_text -------------------------------------------------------------------------
def test_ingest_text_is_found_by_search_with_its_title_author_and_date(coll: Collection) -> None:
    report = coll.ingest_text(KELSO, title="Kelso harbour reopens", author="Jo Reid", published="2024-12-01")
    assert report.summary()["added"] == 1 and not report.failed
    item = report.items[0]
    assert item.title == "Kelso harbour reopens" and item.chunks >= 1
    passages = RAG(coll.settings, collection=coll, llm=None).search("When did the harbour of Kelso reopen?")
    top = passages[0]
    assert (top.article_id, top.title, top.author, top.published) == \
        (item.article_id, "Kelso harbour reopens", "Jo Reid", "2024-12-01")
    assert top.source == item.item and top.source.startswith("text:")
    assert "reopened on Monday" in top.text  # the text given is stored, not the title line


def test_ingest_text_reads_the_text_as_a_txt_file(coll: Collection) -> None:
    """Without ``title``: a headline line is the title, a ``date`` line the date, as for a .txt file."""
    report = coll.ingest_text(f"Kelso harbour reopens\n\ndate 2024-12-01\n\n{KELSO}")
    item = report.items[0]
    assert item.status == "added" and item.title == "Kelso harbour reopens"
    assert coll.db.article_text(item.article_id or "") == KELSO
    (row,) = coll.db.list_articles()
    assert str(row.published) == "2024-12-01" and row.author is None


def test_the_same_text_again_is_no_new_article(coll: Collection) -> None:
    first = coll.ingest_text(KELSO, title="Kelso harbour reopens").items[0]
    again = coll.ingest_text(KELSO, title="Kelso harbour reopens").items[0]
    assert again.status == "unchanged" and again.article_id == first.article_id  # the same item: its source
    elsewhere = coll.ingest_text(KELSO, title="Kelso harbour reopens", source="wire:kelso-1").items[0]
    assert elsewhere.status == "duplicate" and elsewhere.article_id == first.article_id
    assert first.item in (elsewhere.reason or "")
    assert coll.db.counts()["articles"] == 1


def test_the_same_source_with_new_text_is_an_update(coll: Collection) -> None:
    first = coll.ingest_text(KELSO, title="Kelso harbour reopens", source="wire:kelso").items[0]
    edited = KELSO.replace("six weeks", "seven weeks")
    update = coll.ingest_text(edited, title="Kelso harbour reopens", source="wire:kelso").items[0]
    assert (update.status, update.article_id, update.item) == ("updated", first.article_id, "wire:kelso")
    assert coll.db.article_text(first.article_id or "") == edited
    assert coll.db.counts()["articles"] == 1


def test_a_url_names_the_text_when_no_source_is_given(coll: Collection) -> None:
    url = "https://example.org/news/kelso"
    item = coll.ingest_text(KELSO, url=url).items[0]
    assert item.item == url
    assert coll.ingest_text(KELSO + " It opens at dawn.", url=url).items[0].status == "updated"


def test_ingest_text_keeps_the_shrink_guard(coll: Collection) -> None:
    coll.ingest_text(long_text(), source="wire:story")
    refused = coll.ingest_text(STUB, source="wire:story")
    assert refused.summary()["failed"] == 1 and "stored version is kept" in (refused.failed[0].reason or "")
    assert coll.ingest_text(STUB, source="wire:story", allow_shrink=True).summary()["updated"] == 1


@pytest.mark.parametrize("published", [date(2024, 12, 1), datetime(2024, 12, 1, 18, 30), "2024-12-01",
                                       " 2024-12-01T18:30:00+00:00 ", datetime(2024, 12, 1, tzinfo=timezone.utc)])
def test_published_may_be_a_date_a_datetime_or_iso_text(coll: Collection, published: object) -> None:
    coll.ingest_text(KELSO, published=published)  # type: ignore[arg-type]
    (row,) = coll.db.list_articles()
    assert str(row.published) == "2024-12-01"


def rejected(coll: Collection, item: str, **kwargs: object) -> InputError:
    """``ingest_text(**kwargs)`` raises an ``InputError`` about ``item``, naming it, and stores nothing."""
    kwargs.setdefault("text", KELSO)
    with pytest.raises(InputError) as info:
        coll.ingest_text(**kwargs)  # type: ignore[arg-type]
    assert info.value.item == item and str(info.value).startswith(f"{item}: ") and info.value.reason
    assert coll.db.counts()["articles"] == 0
    return info.value


@pytest.mark.parametrize("text", [None, 42, ["a", "list"]])
def test_text_that_is_not_a_str_is_an_input_error(coll: Collection, text: object) -> None:
    err = rejected(coll, "text", text=text)
    assert "must be a str" in err.reason and "ingest_text(" in err.reason


def test_bytes_are_told_to_be_decoded(coll: Collection) -> None:
    assert "decode" in rejected(coll, "text", text=KELSO.encode()).reason


@pytest.mark.parametrize("text", ["", "  \n\t", "\x1b[0m\x07"])
def test_empty_text_is_an_input_error(coll: Collection, text: str) -> None:
    err = rejected(coll, "text", text=text)
    assert "empty" in err.reason and "ingest_text(" in err.reason


def test_a_date_line_alone_is_no_article(coll: Collection) -> None:
    assert "no article text" in rejected(coll, "text", text="date 2024-12-01\n").reason


@pytest.mark.parametrize("published", ["next Tuesday", "01/12/2024", 20241201, True, [2024, 12, 1]])
def test_a_published_that_is_not_a_date_is_an_input_error(coll: Collection, published: object) -> None:
    err = rejected(coll, "published", published=published)
    assert '"2024-12-01"' in err.reason and "date(2024, 12, 1)" in err.reason


@pytest.mark.parametrize(("item", "value"), [("title", 5), ("author", ["Jo", "Reid"]), ("source", b"wire:1"),
                                             ("source", "  "), ("url", "example.org/kelso"), ("url", 3)])
def test_other_bad_arguments_are_input_errors_naming_them(coll: Collection, item: str, value: object) -> None:
    err = rejected(coll, item, **{item: value})
    assert "e.g." in err.reason


def test_an_id_prefix_of_several_articles_says_so(coll: Collection) -> None:
    """`rag remove a`, GET /v1/articles/a, MCP get_article: "no article" misled when 3 ids start with it."""
    from rag import service

    ids = [coll.ingest_text(long_text(i), source=f"feed:{i}").items[0].article_id for i in range(1, 40)]
    first = max("0123456789abcdef", key=lambda c: sum(i.startswith(c) for i in ids))
    n = sum(i.startswith(first) for i in ids)
    assert n > 1  # 39 hex ids: some first character is shared (pigeonhole)
    [removed] = coll.remove([first])
    assert removed.status == "failed" and f"'{first}' is the start of {n} article ids; give more of the id" in removed.reason
    assert coll.db.unresolved("zz") == "no such article id or source"
    rag = RAG(coll.settings, collection=coll, llm=None)
    assert service.get_article(rag, first) is None
    assert service.unresolved(rag, first).startswith(f"'{first}' is the start of {n} article ids")
