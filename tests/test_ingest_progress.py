"""Progress during one large article: with ``chunk_updates=True`` an ingest's ``progress`` callback
gets a ``ChunksEmbedded`` after each model batch that embedded some of an article's chunks, before
the article's ``ItemResult``; without it (the default) only ``ItemResult``s, as before. `rag ingest`
asks for them, and its bar moves while one article of hundreds of chunks is embedded.

The call sequence is asserted, not timing: HashEmbedder with a model batch of 16, embedded Chroma.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
import rag.cli.ingest
from index.collection import ChunksEmbedded, Collection
from index.types import ItemResult
from rag.cli import app
from rag.settings import Settings
from tests.corpus import article_text, write_corpus
from tests.fakes import HashEmbedder

MODEL_BATCH = 16


class Batched(HashEmbedder):
    batch_size = MODEL_BATCH  # like the real embedders: the pipeline calls it one model batch at a time


def big_text() -> str:
    """One article that is hundreds of 40-token chunks."""
    title, body = article_text(7, sentences=600)
    return f"{title}\n\n{body}\n"


@pytest.fixture
def small(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_tokens": 40})


@pytest.fixture
def coll(small: Settings) -> Collection:
    with Collection.open(small, embedder=Batched()) as c:
        yield c


def check_updates(events: list[ItemResult | ChunksEmbedded], result: ItemResult) -> list[ChunksEmbedded]:
    """The ``ChunksEmbedded`` of ``result``'s item: all before its result, counting up to its chunks."""
    at = events.index(result)
    updates = [e for e in events if isinstance(e, ChunksEmbedded) and e.item == result.item]
    assert updates and all(events.index(u) < at for u in updates)
    done = [u.done for u in updates]
    assert done == sorted(set(done)) and done[0] > 0  # strictly increasing
    assert done[-1] == updates[-1].total == result.chunks
    assert {(u.total, u.title) for u in updates} == {(result.chunks, result.title)}
    return updates


def test_one_large_file_reports_its_chunks_as_they_are_embedded(coll: Collection, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(big_text(), encoding="utf-8")
    events: list[ItemResult | ChunksEmbedded] = []
    report = coll.ingest(str(path), progress=events.append, chunk_updates=True)
    (result,) = report.items
    assert result.status == "added" and result.chunks >= 200
    assert events[-1] == result  # the item completes last ...
    updates = check_updates(events, result)
    assert events[:-1] == updates  # ... after nothing but its own updates
    assert len(updates) >= result.chunks // MODEL_BATCH  # one per model batch: the bar can move all along
    assert [u.done for u in updates[:3]] == [MODEL_BATCH, 2 * MODEL_BATCH, 3 * MODEL_BATCH]


def test_ingest_text_reports_them_too(coll: Collection) -> None:
    events: list[ItemResult | ChunksEmbedded] = []
    report = coll.ingest_text(big_text(), progress=events.append, chunk_updates=True)
    (result,) = report.items
    assert len(check_updates(events, result)) > 3 and events[-1] == result


def test_without_chunk_updates_progress_gets_item_results_only(coll: Collection, tmp_path: Path) -> None:
    """A callback written for ``ItemResult`` (``lambda r: r.status``) never sees an update."""
    path = tmp_path / "big.txt"
    path.write_text(big_text(), encoding="utf-8")
    statuses: list[str] = []
    report = coll.ingest(str(path), progress=lambda r: statuses.append(r.status))
    assert statuses == ["added"] and report.summary()["added"] == 1


def test_each_article_of_a_batch_gets_its_own_updates(coll: Collection, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 6, sentences=30)
    events: list[ItemResult | ChunksEmbedded] = []
    report = coll.ingest(str(tmp_path / "news"), progress=events.append, chunk_updates=True)
    assert report.summary()["added"] == 6
    for result in report.items:
        check_updates(events, result)
    assert [e for e in events if isinstance(e, ItemResult)] == list(report.items)  # the report has no updates
    again: list[ItemResult | ChunksEmbedded] = []
    coll.ingest(str(tmp_path / "news"), progress=again.append, chunk_updates=True)
    assert all(isinstance(e, ItemResult) and e.status == "unchanged" for e in again)  # nothing embedded


def test_the_cli_bar_moves_while_one_large_article_is_embedded(small: Settings, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in (("RAG_HOME", str(small.home)), ("RAG_COLLECTION", small.collection),
                       ("RAG_CHUNK_TOKENS", "40"), ("COLUMNS", "300")):
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: Batched())
    shown: list[tuple[float, str]] = []  # (bar position, its text) as `rag ingest` updated it
    real_bar = rag.cli.ingest._bar

    def recording_bar():  # noqa: ANN202
        bar = real_bar()
        update = bar.update

        def record(task, **fields):  # noqa: ANN001, ANN003, ANN202
            update(task, **fields)
            if task == bar.tasks[0].id and "completed" in fields:
                shown.append((bar.tasks[0].completed, fields.get("last", "")))

        bar.update = record  # type: ignore[method-assign]
        return bar

    monkeypatch.setattr(rag.cli.ingest, "_bar", recording_bar)
    path = tmp_path / "big.txt"
    path.write_text(big_text(), encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    moving = [(at, last) for at, last in shown if 0 < at < 1]
    assert len(moving) > 3 and all(last.startswith("embedding ") and " chunks: Story 7" in last for _, last in moving)
    assert [at for at, _ in moving] == sorted(at for at, _ in moving)
    assert shown[-2][0] == 1 and shown[-2][1].startswith("added: Story 7")  # then the item is done
    assert shown[-1][0] == 1  # the bar ends full: 1 of 1
    assert "1/1" in result.output


def test_the_ui_upload_bar_moves_while_one_long_article_is_embedded(coll: Collection, tmp_path: Path) -> None:
    """The Collection tab's progress (``gr.Progress``) gets fractions of the article with "embedding
    n/m chunks", the uploaded file's name or title (never the server path), before the item is done."""
    from ui.library import Library

    shown: list[tuple[tuple[float, int | None], str]] = []

    def progress(value: tuple[float, int | None], desc: str = "", unit: str = "") -> None:
        shown.append((value, desc))

    up = tmp_path / "upload"
    up.mkdir()
    story = up / "long story.txt"
    story.write_text(big_text(), encoding="utf-8")
    steps = list(Library(coll).add([str(story)], "", "", progress=progress))
    assert "1 added" in steps[-1][0]
    fractions = [v for (v, _t), desc in shown if desc.startswith("embedding ")]
    assert len(fractions) > 5 and all(0 < f <= 1 for f in fractions) and fractions == sorted(fractions)
    assert fractions[0] < 0.5  # moving from the start, not only once the article is done
    assert shown[-1][0][0] == 1 and shown[-1][1].startswith("added")
    assert not any(str(tmp_path) in desc for _, desc in shown)
