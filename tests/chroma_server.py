"""A real Chroma server (`chroma run`) on a free loopback port, for the server-mode tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_bin() -> str:
    exe = Path(sys.executable).parent / "chroma"
    return str(exe) if exe.exists() else (shutil.which("chroma") or "chroma")


@contextlib.contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `chroma run` on a loopback port (a free one unless given: a restart on another
    ``--path`` keeps the address) under ``path``: yields (url, process); killed at exit."""
    port = port or free_port()
    path.mkdir(parents=True, exist_ok=True)
    with (path / "server.log").open("w") as log:
        proc = subprocess.Popen(
            [chroma_bin(), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("`chroma run` did not start: " + (path / "server.log").read_text()[-2000:])
                time.sleep(0.2)
            yield url, proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
