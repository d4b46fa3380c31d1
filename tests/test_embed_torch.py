"""The torch build of the local embedder: offline by argument (no HF_* variables written into
os.environ), and queries on one torch thread without changing anyone else's thread count."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embed import SMALL_BATCH, TorchEmbedder

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def torch_model() -> TorchEmbedder:
    pytest.importorskip("sentence_transformers", reason="the torch runtime is not installed")
    return TorchEmbedder()


def test_loads_offline_without_hf_variables_and_leaves_the_environment_alone(tmp_path: Path) -> None:
    """A fresh process with no HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, an empty HF cache and sockets
    disabled loads the model and embeds; loading it writes nothing into the environment (what
    importing torch itself sets, e.g. KMP_*, is torch's)."""
    code = (
        "import os, socket\n"
        "def deny(*a, **k): raise OSError('network disabled in test')\n"
        "socket.socket.connect = deny; socket.create_connection = deny\n"
        "import sentence_transformers, torch, transformers\n"  # their own import-time settings are theirs
        "before = dict(os.environ)\n"
        "from index.embed import TorchEmbedder\n"
        "vecs = TorchEmbedder()(['Rebels captured Khansir.'])\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print(vecs.shape, changed)\n"
    )
    drop = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_OFFLINE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "(1, 384) []"


def test_queries_run_on_one_thread_and_batches_keep_every_core(torch_model: TorchEmbedder) -> None:
    import torch

    threads_here = torch.get_num_threads()
    query = torch_model(["When did Oslo approve the tram?"])
    assert torch.get_num_threads() == threads_here  # the caller's count is not toggled
    assert torch_model._query_pool is not None
    seen: list[tuple[str, int]] = []
    torch_model._query_pool.submit(lambda: seen.append((threading.current_thread().name, torch.get_num_threads()))).result()
    assert seen[0][0].startswith("embed-query") and seen[0][1] == 1
    # a small batch and a big one give the same vectors for the same text, whichever thread ran them
    big = torch_model(["When did Oslo approve the tram?"] + ["filler text"] * SMALL_BATCH)
    assert np.allclose(query[0], big[0], atol=1e-5)
    assert torch.get_num_threads() == threads_here
