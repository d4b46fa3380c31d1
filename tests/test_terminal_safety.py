"""Nothing from an article or a file name drives the terminal or crashes rich.

A title like ``Markets [/bold] tumble`` used to raise rich's MarkupError in `rag ingest` (after the
article was stored: the report was lost) and `rag list`; ESC/OSC/BEL sequences in file names and
article text reached the terminal raw. The CLI runs here as a real process (the HashEmbedder
instead of the model, see tests/rag_cli_hash.py) and its output bytes are checked: stdout and
stderr are pipes, so rich adds no colour codes of its own and any ESC or BEL came from the data.
Since Nov 26 2026 ingest strips escape sequences and control characters from titles and texts
(``index.formats.strip_controls``): a file name keeps them, and is escaped on the way out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli.output import safe

ROOT = Path(__file__).resolve().parent.parent
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
RAW = (b"\x1b", b"\x07", "\x9b".encode(), b"\r")  # ESC, BEL, C1 CSI (as UTF-8), carriage return

EVIL_NAME = f"harbour{OSC_TITLE}{CLEAR}\x1b[31mred.txt"
HARBOUR = ("Harbour of Portville reopens\n\n"
           "The harbour of Portville reopened on Monday after the storm, officials said.\n")
MARKETS_TITLE = f"Markets [/bold] tumble {OSC_TITLE}"
MARKETS = (f"{MARKETS_TITLE}\n\nShares in Lakeside Mining fell sharply [/red] on Tuesday after the copper price "
           f"dropped{OSC_TITLE}, traders said.{CLEAR} The \x9b2J strike [bold]continues[/bold].\n")


def _rag(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE")}
    env.update(RAG_HOME=str(home), COLUMNS="400", PYTHONPATH=str(ROOT), RAG_ANSWERER="extractive")
    return subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=300)


def _clean(r: subprocess.CompletedProcess[bytes]) -> str:
    both = r.stdout + r.stderr
    for raw in RAW:
        assert raw not in both, f"raw {raw!r} reached the terminal:\n{both!r}"
    assert b"Traceback" not in both, both.decode(errors="replace")
    return both.decode()


def test_safe_escapes_controls_and_keeps_text() -> None:
    assert safe(f"a{OSC_TITLE}b") == "a\\x1b]0;pwned\\x07b"
    assert safe("x\x9b2J\x7f\u202eevil") == "x\\x9b2J\\x7f\\u202eevil"
    assert safe("line 1\r\nline 2\ttab") == "line 1\nline 2\ttab"
    assert safe("one\ntwo", newlines=False) == "one two"
    assert safe("Zürich 北京 👍 — “quoted” [/bold]") == "Zürich 北京 👍 — “quoted” [/bold]"
    assert safe("see https://ann:pw@example.org/x") == "see https://example.org/x"


@pytest.mark.timeout(300)
def test_hostile_titles_and_file_names_through_the_real_cli(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / EVIL_NAME).write_text(HARBOUR)
    (corpus / "markets.txt").write_text(MARKETS)
    (corpus / f"zempty{CLEAR}\x07.txt").write_text("")  # fails: its name is in the report
    home = tmp_path / "home"

    r = _rag(home, "-v", "ingest", str(corpus))  # -v: log lines name the files too
    text = _clean(r)
    assert r.returncode == 1, text  # the empty file failed; the batch went on
    assert "ingest report" in text and "failed" in text
    assert "zempty\\x1b[2J\\x1b[H\\x07.txt" in text and "empty" in text  # named, made visible

    r = _rag(home, "list")
    text = _clean(r)
    assert r.returncode == 0, text
    assert "Markets [/bold] tumble" in text and "tumble \\x1b" not in text  # stored without the OSC sequence
    assert "harbour\\x1b]0;pwned\\x07" in text  # the file name as source: kept, escaped

    r = _rag(home, "ask", "--offline", "Why did shares in Lakeside Mining fall?")
    text = _clean(r)
    assert r.returncode == 0, text
    assert "[1] Markets [/bold] tumble" in text and "Lakeside Mining fell sharply [/red]" in text

    r = _rag(home, "ask", "--offline", "--json", "Why did shares in Lakeside Mining fall?")
    _clean(r)
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)  # escaped in JSON, the same text when parsed
    assert answer["citations"][0]["title"] == "Markets [/bold] tumble"  # the OSC sequence was stripped at ingest
    texts = " ".join(p["text"] for p in answer["passages"])  # the C1 CSI "\x9b2J" went whole
    assert "The  strike [bold]continues[/bold]" in texts and not any(c in texts for c in "\x1b\x07\x9b")

    r = _rag(home, "remove", "[/bold]", f"x{OSC_TITLE}")
    text = _clean(r)
    assert r.returncode == 1 and "failed: [/bold]" in text and "x\\x1b]0;pwned\\x07" in text
