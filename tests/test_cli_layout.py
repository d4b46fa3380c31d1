"""The `rag` command's shape, and `--as-of`.

- The CLI is a leaf that loads what a command needs when the command runs: ``import rag.cli`` and
  ``rag --help`` load neither the answering stack, the store, the settings model, the UI, the REST
  or MCP servers nor the eval package; ``rag eval`` loads evals/ when it runs and keeps its help,
  its subcommands and its flags.
- ``rag ask/chat --as-of YYYY-MM-DD``: the reference date reaches the answer (``--json``: ``as_of``
  and ``time_window``), the terminal output names the dates the question was understood as, and a
  bad date is an error naming the option, the value and the format before anything is opened.

The answers here come from the real store and the extractive answerer with the HashEmbedder
instead of the model (what they cite is not under test; tests/test_cli_commands.py runs the model).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from rag.cli import app
from tests.conftest import ROOT, SEEDS
from tests.fakes import HashEmbedder

COMMANDS = ("ingest", "list", "remove", "reindex", "stats", "ask", "chat", "up", "ui", "serve", "mcp", "models",
            "eval")
# what no `rag` command may pay for before it parses its arguments
LOADED_BY_COMMANDS = ("rag.api", "rag.settings", "pydantic_settings", "index.collection", "index.pipeline",
                      "index.db", "chromadb", "torch", "onnxruntime", "gradio", "ui", "fastapi", "mcp",
                      "rag.serve", "rag.mcp_server", "rag.models", "evals", "evals.cli")
SEED = SEEDS / "000_2ee66f902f40f20f.txt"  # published 2024-12-01: Khansir captured
LAST_WEEK = "Which town did the rebels capture south of Aleppo last week?"


def _child(code: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))} | {"COLUMNS": "200"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_rag_help_lists_every_command_and_loads_none_of_their_dependencies() -> None:
    got = _child(
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "import rag.cli\n"
        f"heavy = {LOADED_BY_COMMANDS!r}\n"
        "after_import = [m for m in heavy if m in sys.modules]\n"
        "r = CliRunner().invoke(rag.cli.app, ['--help'])\n"
        "print(json.dumps({'after_import': after_import, 'after_help': [m for m in heavy if m in sys.modules],\n"
        "                  'code': r.exit_code, 'help': r.output}))\n"
    )
    assert got["after_import"] == [] and got["after_help"] == []
    assert got["code"] == 0
    listed = {line.split()[1] for line in str(got["help"]).splitlines() if line.startswith("│ ") and len(line.split()) > 2}
    assert set(COMMANDS) <= listed, got["help"]


def test_rag_eval_loads_the_eval_group_when_it_runs_and_keeps_its_flags() -> None:
    got = _child(
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "import rag.cli\n"
        "runs = {}\n"
        "for args in (['eval', '--help'], ['eval', 'run', '--help'], ['eval', 'compare', '--help'], ['eval'],\n"
        "             ['eval', '--no-such-flag', 'x.jsonl'], ['eval', 'no-such-suite.jsonl']):\n"
        "    r = CliRunner().invoke(rag.cli.app, args, prog_name='rag')\n"
        "    runs[' '.join(args)] = [r.exit_code, r.output]\n"
        "print(json.dumps({'runs': runs, 'loaded': 'evals.cli' in sys.modules}))\n"
    )
    runs = {k: (int(v[0]), " ".join(str(v[1]).split())) for k, v in got["runs"].items()}  # type: ignore[union-attr]
    assert got["loaded"] is True
    code, text = runs["eval --help"]
    assert code == 0 and "Usage: rag eval [OPTIONS] COMMAND" in text
    assert all(f"│ {c} " in text for c in ("compare", "run", "squad")), text
    code, text = runs["eval run --help"]
    assert code == 0 and "Usage: rag eval run [OPTIONS]" in text
    assert all(flag in text for flag in ("--corpus", "--out", "--sample", "--fail-under", "--fail-over", "--baseline",
                                         "--judge", "--contexts-as-corpus", "--format", "--price")), text
    code, text = runs["eval compare --help"]
    assert code == 0 and "Usage: rag eval compare [OPTIONS]" in text and "--fail-on-regression" in text
    assert runs["eval"][0] == 2 and "Usage: rag eval" in runs["eval"][1]  # no arguments: the group's help
    code, text = runs["eval --no-such-flag x.jsonl"]
    assert code == 2 and "No such option: --no-such-flag" in text and "rag eval run --help" in text
    code, text = runs["eval no-such-suite.jsonl"]  # `rag eval FILE` is `rag eval run FILE`
    assert code == 2 and "no-such-suite.jsonl: no such suite file" in text


@pytest.mark.parametrize(("args", "message"), [
    # changed (fifteenth session): a value written YYYY-MM-DD that is no day says so (new user 22)
    (["ask", "--as-of", "2024-13-01", "q?"], "--as-of '2024-13-01' is no day of the calendar (month must be in 1..12)"),
    (["ask", "--as-of", "yesterday", "--json", "q?"], "--as-of 'yesterday' is not a date: write YYYY-MM-DD"),
    (["ask", "--since", "1/12/2024", "q?"], "--since '1/12/2024' is not a date (YYYY-MM-DD, e.g. 2024-11-01)"),
    (["chat", "--as-of", "2024-12-1x"], "--as-of '2024-12-1x' is not a date: write YYYY-MM-DD"),
])
def test_a_bad_date_is_named_before_anything_opens(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, args, input="")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "home").exists()  # neither the store nor the settings' directory was touched


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(SEED)])
    assert result.exit_code == 0, result.output
    return runner


def test_as_of_reaches_the_answer_and_the_output_names_the_dates(seeded: CliRunner) -> None:
    r = seeded.invoke(app, ["ask", "--offline", "--json", "--as-of", "2024-12-03", LAST_WEEK])
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["as_of"] == "2024-12-03"
    assert answer["time_window"]["start"] == "2024-11-25" and answer["time_window"]["end"] == "2024-12-01"

    r = seeded.invoke(app, ["ask", "--offline", "--as-of", "2024-12-03", LAST_WEEK])
    assert r.exit_code == 0, r.output
    # on stdout with the answer (new user 16: `rag ask ... > answer.txt` lost how the dates were read; it was on
    # stderr as a line about the question, but it says which period the answer is for, as a note does)
    assert "understood: 2024-11-25 .. 2024-12-01" in r.stdout and "understood" not in r.stderr

    r = seeded.invoke(app, ["ask", "--offline", "--as-of", "2024-12-10", LAST_WEEK])  # a week later
    assert r.exit_code == 0 and "understood: 2024-12-02 .. 2024-12-08" in r.stdout, r.output

    r = seeded.invoke(app, ["ask", "--offline", "Which town did the rebels capture south of Aleppo?"])
    assert r.exit_code == 0 and "understood" not in r.output  # no time expression: no line


def test_an_answers_notes_are_on_stdout_with_it(seeded: CliRunner) -> None:
    """New user 14: `rag ask ... > answer.txt` kept the answer and lost its notes ("No cited article is dated in
    the period asked about ...", why it was not answered); a note qualifies the answer, so it goes where the
    answer goes, and so does "understood:" (new user 16)."""
    r = seeded.invoke(app, ["ask", "--offline", "--as-of", "2024-12-10", LAST_WEEK])  # nothing of that week
    assert r.exit_code == 0, r.output
    assert "note: Not answered" in r.stdout and "note:" not in r.stderr
    assert "understood: 2024-12-02 .. 2024-12-08" in r.stdout


def test_chat_resolves_every_turn_against_as_of(seeded: CliRunner) -> None:
    r = seeded.invoke(app, ["chat", "--as-of", "2024-12-03"], input=f"{LAST_WEEK}\nAnd on Sunday?\n\n")
    assert r.exit_code == 0, r.output
    assert "understood: 2024-11-25 .. 2024-12-01" in r.stdout
    assert "understood: 2024-12-01 .. 2024-12-01" in r.stdout


def test_chat_commands_help_new_conversation_and_quit(seeded: CliRunner) -> None:
    """"/help" was searched for as a question, and a conversation could not be started afresh."""
    question = "Which town did the rebels capture south of Aleppo?"
    r = seeded.invoke(app, ["chat"], input=f"/help\n/foo\n{question}\nAnd when?\n/new\nAnd when?\nquit\n{question}\n")
    assert r.exit_code == 0, r.output
    assert "rag chat (extractive, 1 article)." in r.stderr
    assert "/new     start a new conversation" in r.stderr and "unknown command /foo; /help lists them" in r.stderr
    searched = [line for line in r.stderr.splitlines() if line.startswith("searched: ")]
    # only the first "And when?" leans on the question before it; after /new there is none
    assert len(searched) == 1 and searched[0].startswith("searched: And when?") and "Khansir" in searched[0]
    assert r.stdout.count("you> ") == 7  # "quit" ended the chat: the last question was never asked
