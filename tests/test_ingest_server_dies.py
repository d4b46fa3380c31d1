"""A Chroma server that dies mid-ingest stops the embedding within a model batch (new user #6, D5).

Killing `chroma run` 15 s into a 300-article ingest left the model busy for 60 s more: the writer
found the server gone only when it wrote the next pipeline batch (1024 chunks), which had been
embedded in full first. The ingest now asks the server between model batches
(``Indexer._store_gone``, ``VectorStore.check_alive``). Measured in work (texts embedded after the
server died), never in seconds; a real `chroma run` on loopback, killed with SIGKILL.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.collection import Collection
from index.pipeline import Indexer
from index.types import ItemResult
from index.vectors import VectorStore
from rag.errors import StoreError
from rag.settings import Settings
from tests.chroma_server import chroma_server, free_port
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_robustness import agree

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ARTICLES = 40


class Model(HashEmbedder):
    """The hash embedder in model batches of 8 that counts what it embeds once ``dead`` is set.

    Its second call (the first model batch of the second pipeline batch) waits until the server was
    killed after the first write: the fake model is so fast that it would otherwise embed the whole
    batch before the writer's first write, and nothing would be left to stop."""

    batch_size = 8

    def __init__(self) -> None:
        super().__init__()
        self.dead = threading.Event()
        self.after: list[int] = []  # sizes of the model batches begun once the server was dead

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if len(self.calls) == 1:
            assert self.dead.wait(60), "the first batch was never written"
        elif self.dead.is_set():
            self.after.append(len(texts))
        return super().__call__(texts)


def test_a_server_killed_after_the_first_write_stops_the_embedding_within_a_model_batch(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1)  # the first pipeline batch is a0000 alone
    # batch_chunks stays 1024: the other 39 articles are one pipeline batch, as most of the user's were
    monkeypatch.setattr(Indexer, "probe_every", 0.0)  # ask before every model batch: the fake model is fast
    write_corpus(tmp_path / "news", ARTICLES)
    port = free_port()
    model = Model()
    with chroma_server(tmp_path / "server", port) as (url, proc):
        s = settings.model_copy(update={"chroma_url": url, "chunk_tokens": 40})

        def progress(r: ItemResult) -> None:
            if r.status == "added" and not model.dead.is_set():  # the first write is committed
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                model.dead.set()

        with Collection.open(s, embedder=model) as coll:
            report = coll.ingest([str(tmp_path / "news")], progress=progress)
            total_chunks = sum(model.calls)
            stored = {a.id for a in coll.db.list_articles()}

    # the model batch in hand when the server died is finished; none after it is begun
    assert sum(model.after) <= Model.batch_size, model.after
    assert total_chunks < 40, model.calls  # of the ~280 chunks of 40 articles, the first batch and one model batch
    added = {r.article_id for r in report.items if r.status == "added"}
    assert len(added) == 1 and stored == added  # what the report calls added is exactly what is stored
    assert len(report.failed) == ARTICLES - 1
    reasons = {r.reason for r in report.failed}
    assert len(reasons) == 1  # one reason, said once, naming the server and how to start it
    [reason] = reasons
    assert reason.startswith("not stored: the Chroma server at " + url) and "chroma run" in reason

    # the same server back on its address and data: the same command stores the rest
    with chroma_server(tmp_path / "server", port), Collection.open(s, embedder=HashEmbedder()) as coll:
        again = coll.ingest([str(tmp_path / "news")])
        assert not again.failed
        assert {r.status for r in again.items} == {"added", "unchanged"}
        assert len([r for r in again.items if r.status == "added"]) == ARTICLES - 1
        agree(coll, articles=ARTICLES)


def test_check_alive_names_a_server_that_is_gone_and_passes_one_that_answers(settings: Settings,
                                                                             tmp_path: Path) -> None:
    with chroma_server(tmp_path / "server") as (url, proc):
        s = settings.model_copy(update={"chroma_url": url})
        vectors = VectorStore(s, "fake:hash-64", dim=64)
        try:
            vectors.check_alive()  # answers: nothing raised
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            with pytest.raises(StoreError, match=f"the Chroma server at {url} failed .*chroma run"):
                vectors.check_alive()
        finally:
            vectors.close()
