"""``Store.dense`` asks the approximate index for more neighbours than it keeps: Chroma's HNSW index, loaded
anew by each process, gave one query vector two different sets of 40 nearest chunks over one store (a
RealTime QA question answered in one `rag eval` run and refused in the next). A faithful fake of the vector
store stands for Chroma here: it records what was asked and answers from a fixed ranking."""

from __future__ import annotations

import numpy as np

from index.store import DENSE_DEEP_ENOUGH, DENSE_OVERFETCH, Store


class _Vectors:
    """Answers ``query`` with the first ``k`` of a fixed list of (id, similarity), as an index does."""

    def __init__(self, hits: list[tuple[str, float]]) -> None:
        self.hits = hits
        self.asked: list[tuple[int, dict | None]] = []

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        self.asked.append((k, where))
        return self.hits[:k]


class _Db:
    def data_version(self) -> int:
        return 1


def _store(hits: list[tuple[str, float]]) -> tuple[Store, _Vectors]:
    vectors = _Vectors(hits)
    store = Store.__new__(Store)  # the reading path only: no settings, no files
    store._vectors, store._vectors_gen, store.db = vectors, 1, _Db()
    import threading

    store._gen_lock = threading.Lock()
    return store, vectors


def test_dense_asks_for_more_and_keeps_the_best_k_by_similarity_then_id() -> None:
    # an approximate index's order is not exact: a nearer chunk may come back after farther ones
    hits = [("a:0", 0.80), ("c:0", 0.70), ("b:0", 0.70), ("d:0", 0.60), ("e:0", 0.90), ("f:0", 0.10)]
    store, vectors = _store(hits)
    got = store.dense(np.zeros(3, dtype=np.float32), 3, where={"x": 1})
    assert vectors.asked == [(3 * DENSE_OVERFETCH, {"x": 1})]
    assert got == [("e:0", 0.90), ("a:0", 0.80), ("b:0", 0.70)]  # "b" before "c": ties by id


def test_a_query_deep_enough_already_is_not_asked_deeper() -> None:
    """Retrieval's filtered query asks 400 to keep 40 (``rag.retrieve.scope``): asked 1,600 it cost 5.3 ms."""
    store, vectors = _store([(f"a{i:04d}:0", 1.0 - i / 10_000) for i in range(2_000)])
    got = store.dense(np.zeros(3, dtype=np.float32), 400)
    assert vectors.asked == [(DENSE_DEEP_ENOUGH, None)] and len(got) == 400
    store.dense(np.zeros(3, dtype=np.float32), 1_000)
    assert vectors.asked[-1] == (1_000, None)  # never fewer than asked for
