"""Shared fixtures: isolated data dirs, the fake and the real embedder, and no outside network."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAG_CHROMA_URL", "RAG_CHROMA_TIMEOUT", "RAG_HOME", "RAG_ANSWERER", "RAG_EMBEDDER",
            "RAG_EMBED_RUNTIME", "RAG_API_KEY", "RAG_LLM_GGUF"):
    os.environ.pop(var, None)  # tests configure what they need explicitly

from rag.settings import Settings  # noqa: E402
from tests.fakes import HashEmbedder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is None or not ip.is_loopback:
            raise OSError(f"tests may not reach the network: connect to {host!r} blocked")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback connections: a test that tries the internet fails loudly."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An isolated data dir and a unique collection name."""
    return Settings(home=tmp_path / "home", collection=f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def real_embedder():  # noqa: ANN201
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    from index.embed import LocalEmbedder

    return LocalEmbedder()


@pytest.fixture(scope="session")
def seed_rag(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # noqa: ANN001, ANN201
    """A RAG over seeds/ with the real model and embedded Chroma (shared: read-only use)."""
    from index.collection import Collection
    from rag.api import RAG

    s = Settings(home=tmp_path_factory.mktemp("seedhome"), collection="seeds")
    coll = Collection.open(s, embedder=real_embedder)
    report = coll.ingest(sorted(str(p) for p in SEEDS.glob("*.txt")))
    assert report.count("added") >= 1, report
    return RAG(s, collection=coll, llm=None)


@pytest.fixture(autouse=True)
def _python_handles_sigint() -> Iterator[None]:
    """Python's own SIGINT handler, installed again for every test: the Ctrl-C tests send SIGINT to the
    main thread and expect KeyboardInterrupt, and a C library an earlier test loaded can replace the
    handler below Python (``signal.getsignal`` still says ``default_int_handler``): in the full suite
    two of them saw no KeyboardInterrupt at all, and passed alone."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)
