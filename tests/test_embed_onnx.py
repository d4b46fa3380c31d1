"""The ONNX build of all-MiniLM-L6-v2: same vectors and token counts as the torch build, no torch
on the query path, and a collection that can change runtime without a reindex only when the
vectors agree (``fingerprint()``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embed import (
    FINGERPRINT_TEXT,
    TorchEmbedder,
    decode_fingerprint,
    encode_fingerprint,
    fingerprints_agree,
    make_embedder,
)
from index.embed_onnx import OnnxEmbedder
from rag.errors import EmbedderMismatchError
from rag.settings import Settings
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
BBC = CORPORA / "bbc-news" / "bbc"
SQUAD = CORPORA / "squad-v1.1-dev" / "dev-v1.1.json"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbedder:
    return OnnxEmbedder()


@pytest.fixture(scope="module")
def torch_model() -> TorchEmbedder:
    """The sentence-transformers build, named explicitly: these tests compare the two runtimes,
    whatever the shared ``real_embedder`` fixture happens to load."""
    pytest.importorskip("sentence_transformers", reason="the torch runtime is not installed")
    return TorchEmbedder()


def real_texts(n_chunks: int = 30, n_questions: int = 20) -> list[str]:
    """BBC chunks exactly as ingest embeds them (title + chunk) and SQuAD questions: real inputs."""
    from index.chunk import chunk_article, embed_text
    from index.load import iter_articles

    s = Settings()
    files = sorted(p for p in BBC.glob("*/*.txt"))
    texts: list[str] = []
    for path in files[:: max(1, len(files) // 12)]:
        for art in iter_articles([str(path)], s):
            chunks = chunk_article(art, max_tokens=s.chunk_tokens, overlap=s.chunk_overlap)
            texts += [embed_text(art.title, c.text) for c in chunks[:3]]
    texts = texts[:n_chunks]
    # one text far past the 256 word-piece window: both builds must truncate it the same way
    texts.append(" ".join(texts[:4]))
    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    qs = [qa["question"] for art in data for p in art["paragraphs"] for qa in p["qas"]]
    return texts + qs[:: len(qs) // n_questions][:n_questions]


needs_corpora = pytest.mark.skipif(not (BBC.is_dir() and SQUAD.is_file()), reason="shared corpora not present")


@pytest.mark.slow
@needs_corpora
def test_onnx_vectors_agree_with_torch_on_real_texts(onnx, torch_model) -> None:  # noqa: ANN001
    texts = real_texts()
    assert len(texts) >= 50
    a, b = torch_model(texts), onnx(texts)
    assert b.shape == a.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cos = (a * b).sum(axis=1)
    worst = int(cos.argmin())
    assert cos.min() >= 0.99, f"cosine {cos.min():.4f} on {texts[worst][:80]!r}"
    # and one query at a time (the one-thread session) gives the same vectors as a batch
    assert np.allclose(onnx(texts[-1:]), b[-1:], atol=1e-5)


@pytest.mark.slow
@needs_corpora
def test_onnx_counts_tokens_like_torch_before_truncation(onnx, torch_model) -> None:  # noqa: ANN001
    texts = real_texts()
    counts = onnx.count_tokens(texts)
    assert counts == torch_model.count_tokens(texts)
    assert max(counts) > onnx.window == torch_model.window == 256


def test_both_runtimes_record_the_model_not_the_runtime() -> None:
    torch_emb, onnx_emb = TorchEmbedder(), OnnxEmbedder()
    assert torch_emb.name == onnx_emb.name == "local:all-MiniLM-L6-v2"
    assert (torch_emb.dim, torch_emb.window) == (onnx_emb.dim, onnx_emb.window)
    assert torch_emb.runtime != onnx_emb.runtime


def test_settings_choose_the_runtime_and_onnx_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_EMBED_RUNTIME", raising=False)
    assert isinstance(make_embedder(Settings()), OnnxEmbedder)
    monkeypatch.setenv("RAG_EMBED_RUNTIME", "torch")
    assert isinstance(make_embedder(Settings()), TorchEmbedder)
    monkeypatch.setenv("RAG_EMBED_RUNTIME", "tensorflow")
    with pytest.raises(ValueError, match="embed_runtime"):
        Settings()


def test_onnx_threads_are_session_options_not_process_state(onnx) -> None:  # noqa: ANN001
    env = dict(os.environ)
    onnx(["one query"])
    onnx([f"ingest text {i}" for i in range(8)])
    assert dict(os.environ) == env
    assert onnx._session(1).get_session_options().intra_op_num_threads == 1
    assert onnx._session(onnx.threads).get_session_options().intra_op_num_threads == onnx.threads


def test_long_batches_run_in_slices_that_bound_the_memory_arena() -> None:
    """onnxruntime's CPU arena keeps the blocks of the largest shape it ran: 64 texts of 256
    word-pieces per run held ~2.2 GB after an ingest. A model batch runs in slices of at most
    ``run_tokens`` word-pieces (each trimmed to its own padding), with the same vectors."""
    import random

    rng = random.Random(7)
    words = ("harbour council storm minister railway election hospital museum budget league farmers "
             "strike ferry coast wildlife protest research energy export village").split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.choice((12, 60, 150, 400)))) for _ in range(64)]
    emb = OnnxEmbedder()
    real = emb._session(emb.threads)
    shapes: list[tuple[int, int]] = []

    class Spy:
        def run(self, names, feed):  # noqa: ANN001, ANN202
            shapes.append(feed["input_ids"].shape)
            return real.run(names, feed)

    emb._sessions[emb.threads] = Spy()
    vecs = emb(texts)
    assert max(r * c for r, c in shapes) <= emb.run_tokens == 2048
    assert max(c for _, c in shapes) == 256 and min(c for _, c in shapes) < 256  # long ones truncated, slices trimmed
    assert sum(r for r, _ in shapes) == 64
    whole = OnnxEmbedder()
    whole.run_tokens = 0  # one run per model batch, as before
    assert np.allclose(vecs, whole(texts), atol=1e-5)


def test_counting_while_embedding_in_another_thread(onnx) -> None:  # noqa: ANN001
    texts = [f"Sentence {i} about the rebels near Aleppo. " * (1 + i % 40) for i in range(64)]
    expected = onnx.count_tokens(texts)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            for _ in range(20):
                assert onnx.count_tokens(texts) == expected
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=count)
    t.start()
    for i in range(0, 64, 16):
        assert onnx(texts[i : i + 16]).shape == (16, 384)
    t.join()
    assert not errors


def test_no_torch_on_the_query_path() -> None:
    """Embedding a query with the default runtime imports neither torch nor sentence-transformers."""
    code = (
        "import sys\n"
        "from index.embed import make_embedder\nfrom rag.settings import Settings\n"
        "e = make_embedder(Settings()); assert e(['a question?']).shape == (1, 384)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_rag_package_still_exports_its_names_lazily() -> None:
    import rag

    assert rag.ask.__module__ == "rag.api" and rag.Answer.__module__ == "rag.types"
    assert set(rag.__all__) <= set(dir(rag))
    with pytest.raises(AttributeError):
        rag.no_such_name  # noqa: B018


# --- fingerprints --------------------------------------------------------------------------------


def test_fingerprint_round_trips_through_collection_metadata(onnx) -> None:  # noqa: ANN001
    fp = onnx.fingerprint()
    assert np.allclose(fp, onnx([FINGERPRINT_TEXT])[0])
    text = encode_fingerprint(fp)
    assert isinstance(text, str) and len(text) < 4096
    assert np.array_equal(decode_fingerprint(text), fp)
    assert decode_fingerprint("not base64!") is None and decode_fingerprint("") is None
    assert fingerprints_agree(fp, fp)
    assert not fingerprints_agree(fp, np.roll(fp, 1))
    assert not fingerprints_agree(fp, fp[:100])


@pytest.mark.slow
def test_torch_and_onnx_fingerprints_agree(onnx, torch_model) -> None:  # noqa: ANN001
    assert fingerprints_agree(torch_model.fingerprint(), onnx.fingerprint())


class RuntimeFake(HashEmbedder):
    """One "model" under two runtimes: ``skew`` = 0 gives (nearly) the same vectors, 1 unrelated ones."""

    def __init__(self, runtime: str, skew: float = 0.0) -> None:
        super().__init__(dim=64, name="fake:one-model")
        self.runtime = runtime
        self.skew = skew

    def __call__(self, texts):  # noqa: ANN001, ANN204
        v = super().__call__(texts)
        v = (1 - self.skew) * v + self.skew * np.roll(v, 7, axis=1) + 1e-3 * (self.runtime == "b")
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def fingerprint(self) -> np.ndarray:
        return self([FINGERPRINT_TEXT])[0]


def _ingest(settings: Settings, embedder) -> None:  # noqa: ANN001
    from index.collection import Collection

    with Collection.open(settings, embedder=embedder) as coll:
        assert coll.ingest(sorted(str(p) for p in SEEDS.glob("*.txt"))).count("added") >= 1


def _open(settings: Settings, embedder):  # noqa: ANN001, ANN202
    from index.collection import Collection

    return Collection.open(settings, embedder=embedder)


def test_switching_to_an_agreeing_runtime_needs_no_reindex(settings: Settings) -> None:
    _ingest(settings, RuntimeFake("a"))
    other = RuntimeFake("b")
    with _open(settings, other) as coll:
        assert other.calls == [1]  # the fingerprint sentence, once
        hits = coll.vectors.query(other(["rebels captured the town"])[0], 3)
        assert hits


def test_switching_to_a_disagreeing_runtime_demands_a_reindex(settings: Settings) -> None:
    _ingest(settings, RuntimeFake("a"))
    with pytest.raises(EmbedderMismatchError, match="reindex") as err:
        _open(settings, RuntimeFake("b", skew=1.0))
    assert "RAG_EMBED_RUNTIME=a" in str(err.value)
    from index.collection import Collection

    with Collection.open(settings, embedder=RuntimeFake("b", skew=1.0), check_embedder=False) as coll:
        coll.reindex()  # the fix the message names
    _open(settings, RuntimeFake("b", skew=1.0)).close()


def test_opening_never_embeds_and_the_first_write_records_the_fingerprint(settings: Settings) -> None:
    a = RuntimeFake("a")
    _open(settings, a).close()
    _open(settings, a).close()
    assert a.calls == []  # `rag list` must not load the model
    _ingest(settings, a)
    with _open(settings, a) as coll:
        meta = coll.vectors.collection.metadata
    assert meta["embedder_runtime"] == "a"
    assert np.allclose(decode_fingerprint(meta["embedder_fingerprint"]), a.fingerprint())


def test_an_empty_collection_takes_the_new_embedder(settings: Settings) -> None:
    _open(settings, HashEmbedder(dim=32, name="fake:first")).close()
    with _open(settings, HashEmbedder(dim=64, name="fake:second")) as coll:
        assert coll.vectors.collection.metadata["embedder"] == "fake:second"


@pytest.mark.slow
def test_a_torch_built_collection_opens_and_answers_with_onnx(settings: Settings, onnx, torch_model) -> None:  # noqa: ANN001
    _ingest(settings, torch_model)
    q = "Which town did the rebels capture south of Aleppo?"
    with _open(settings, torch_model) as coll:
        before = coll.vectors.query(torch_model([q])[0], 5)
    with _open(settings, onnx) as coll:
        after = coll.vectors.query(onnx([q])[0], 5)
    assert [cid for cid, _ in after][:3] == [cid for cid, _ in before][:3]
