"""The README's commands, run as a user runs them: the installed CLI in a child process, the real
model, embedded Chroma, a temporary RAG_HOME.

`rag ingest` and `rag ask --json` run in tests/test_seed.py::test_cli_ingest_and_ask_json; this
file covers the rest: `rag up --no-chat`, `rag up` (until the UI answers HTTP), `rag chat` with a
follow-up, `rag ask` with filters and with `--as-of`, `rag list`, `rag stats` and `rag remove`. Each
child process loads the model, so one data directory (built once by `rag up --no-chat`) serves every test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ROOT = Path(__file__).resolve().parent.parent
SEED_TITLE = "Rescue workers assist at the scene"  # the seed article's title starts so
QUESTION = "Which town did the rebels capture south of Aleppo?"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RAG_"))}
    env.update(RAG_HOME=str(home), COLUMNS="200", HF_HUB_OFFLINE="1", **extra)
    return env


def rag(home: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """``rag ARGS...`` as the console script the install puts on PATH (``python -m rag.cli`` is the same entry)."""
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=ROOT, env=_env(home, **env), input=stdin,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def up_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The README's first command (without the UI): ingests the seed article into a new RAG_HOME."""
    home = tmp_path_factory.mktemp("cli") / "home"
    return home, rag(home, "up", "--no-chat")


def _articles(home: Path) -> int:
    with sqlite3.connect(home / "articles.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_up_no_chat_ingests_the_seeds_and_exits(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, r = up_home
    assert r.returncode == 0, r.stderr
    assert "ingest report" in r.stderr and f"data directory: {home}" in r.stderr
    assert _articles(home) == 1  # the seed article; seeds/suite.jsonl is not an article


def test_list_shows_the_seed_with_its_metadata(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = up_home
    r = rag(home, "list")
    assert r.returncode == 0, r.stderr
    assert SEED_TITLE in r.stdout and "2024-12-01" in r.stdout and "000_2ee66f902f40f20f.txt" in r.stdout
    r = rag(home, "list", "no such words anywhere")
    assert r.returncode == 0 and SEED_TITLE not in r.stdout


def test_stats_is_json_with_the_counts(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = up_home
    r = rag(home, "stats")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["articles"] == 1 and stats["chunks"] >= 3
    assert stats["vectors"] == stats["chunks"]
    assert "all-MiniLM-L6-v2" in stats["embedder"]


def test_ask_with_the_readme_filters(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = up_home
    r = rag(home, "ask", "--since", "2024-11-01", "--until", "2024-12-31", "--source", "seeds", QUESTION)
    assert r.returncode == 0, r.stderr
    answer, _, cited = r.stdout.partition("\n  [1] ")
    assert "Khansir" in answer and "[1]" in answer
    assert cited.startswith(SEED_TITLE) and "(2024-12-01)" in cited and "Khansir" in cited
    assert "understood:" not in r.stdout + r.stderr  # no time expression in the question


def test_ask_as_of_resolves_last_week_and_says_so(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = up_home
    r = rag(home, "ask", "--as-of", "2024-12-03", "Which town did the rebels capture south of Aleppo last week?")
    assert r.returncode == 0, r.stderr
    assert "Khansir" in r.stdout.partition("\n  [1] ")[0]
    assert "understood: 2024-11-25 .. 2024-12-01" in r.stdout  # with the answer (new user 16)
    r = rag(home, "ask", "--as-of", "3 Dec 2024", QUESTION)
    assert r.returncode == 2 and "--as-of '3 Dec 2024' is not a date: write YYYY-MM-DD" in r.stderr


def test_chat_answers_with_citations_and_follows_up(up_home: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    home, _ = up_home
    r = rag(home, "chat", stdin=f"{QUESTION}\nWhat were they trying to cut?\n\n")
    assert r.returncode == 0, r.stderr
    assert "rag chat (extractive, 1 article)" in r.stderr
    turns = [" ".join(t.split()) for t in r.stdout.split("you> ")]
    assert len(turns) == 3, r.stdout  # two answers, then the end of the piped input
    assert turns[1].startswith(QUESTION) and turns[2].startswith("What were they trying to cut?")  # echoed
    first, follow = turns[1], turns[2]
    assert "captured the town of Khansir" in first and "[1] " + SEED_TITLE in first
    # the follow-up leans on the first turn: it is searched with the first turn's words ...
    searched = " ".join(r.stderr.split()).split("searched: ")
    assert len(searched) == 2 and searched[1].startswith("What were they trying to cut?") and "Khansir" in searched[1]
    # ... and answered from the article, cited
    assert "supply route" in follow and "[1] " + SEED_TITLE in follow and "could not find" not in follow


def test_remove_by_id_prefix(up_home: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(up_home[0], home)  # the other tests keep their article
    with sqlite3.connect(home / "articles.sqlite3") as db:
        article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    r = rag(home, "remove", article_id[:6], "no-such-article")
    assert r.returncode == 1, r.stderr  # one ref matched nothing: named, exit 1, the other removed
    assert f"removed: {article_id[:6]}" in r.stderr or f"removed: {article_id}" in r.stderr, r.stderr
    assert "failed: no-such-article" in r.stderr and "rag list" in r.stderr
    assert _articles(home) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(600)
def test_up_serves_the_chat_ui(up_home: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    home, _ = up_home
    port = _free_port()
    log = (tmp_path / "up.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "up"], cwd=ROOT, env=_env(home, RAG_UI_PORT=str(port)),
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300
        page = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                time.sleep(1)
        # the server answers as soon as it listens; the banner is printed just after: give it a moment
        wait_banner = time.monotonic() + 30
        while True:
            log.seek(0)
            output = log.read()
            if "chat UI:" in output or time.monotonic() > wait_banner or proc.poll() is not None:
                break
            time.sleep(0.5)
        assert page is not None, f"the UI never answered on {url} (exit {proc.poll()}):\n{output}"
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert "unchanged" in output or "ingest report" in output  # the seeds were checked first
        assert f"chat UI: {url}" in output or f"chat UI: http://127.0.0.1:{port}" in output
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as the banner says
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
