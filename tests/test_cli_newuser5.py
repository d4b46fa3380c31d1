"""What a new user met in the CLI, from a fresh RAG_HOME:

1. ``rag list`` on a fresh RAG_HOME created the store (``articles.sqlite3``); ``rag ask``, ``chat``,
   ``brief`` and ``stats`` a ``chroma/`` folder too, and loaded the embedding model, to find nothing.
   A command that only reads now says the collection is empty and how to add articles, and leaves
   RAG_HOME as it was (not even made).
2. Errors wrapped at 80 columns mid-phrase, in a pipe or a log too, with a space left at each cut;
   ``rag remove`` said "x (no such article id or source (see `rag list`))". A message is one line
   wherever stderr is not a terminal, and at a terminal wraps under its own text.
3. ``rag models`` padded its lines with spaces to the width of the widest.
4. ``Indexer.remove`` worded its reasons for the CLI, and REST rewrote them by regex: the library says
   why in a code and neutral words, each surface adds its own way on (tests/test_pipeline.py has the
   library's side).

The commands run in-process (CliRunner) with the HashEmbedder for the model, as
tests/test_cli_newuser3.py does; what depends on a real process's stderr runs ``tests.rag_cli_hash``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

import index.collection
import rag.cli.output
from rag.cli import app
from rag.errors import ConfigError
from tests.conftest import ROOT
from tests.fakes import HashEmbedder

EMPTY = "the collection is empty: add articles with `rag ingest PATH_OR_URL`"
TEXT = " ".join(f"The harbour storm damaged {n} boats near the pier on Sunday, officials said." for n in range(12))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    monkeypatch.setenv("COLUMNS", "200")
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAG_COLLECTION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    return tmp_path / "home"


def run(*args: str, input: str | None = None):  # noqa: ANN201, A002 - click.testing.Result
    return CliRunner().invoke(app, list(args), input=input)


def flat(text: str) -> str:
    return " ".join(text.split())


def child(home: Path, *args: str, columns: int = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """``rag ARGS`` in a child process (HashEmbedder for the model), its stdout and stderr pipes."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    base.update(RAG_HOME=str(home), COLUMNS=str(columns), HF_HUB_OFFLINE="1", RAG_ANSWERER="extractive", **env)
    return subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", *args], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


# --- 1. a reading command on a fresh RAG_HOME creates nothing --------------------------------------------

READING = [
    (["list"], 0, "0 articles, 0 chunks"),
    (["list", "harbour"], 0, "no article's title or source contains 'harbour'"),
    (["ask", "--offline", "Which town did the rebels capture?"], 0, "I could not find this in the articles."),
    (["chat"], 0, ""),
    (["brief", "Aleppo", "--since", "30d"], 0, "The collection is empty"),
    (["stats"], 0, '"articles": 0'),
    (["remove", "8b11d0e9"], 1, ""),
]


@pytest.mark.parametrize("made", [False, True], ids=["no-home-yet", "empty-home"])
@pytest.mark.parametrize(("args", "code", "said"), READING, ids=[" ".join(a[:2]) for a, _, _ in READING])
def test_a_reading_command_on_a_fresh_home_says_it_is_empty_and_creates_nothing(
    args: list[str], code: int, said: str, made: bool, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(_settings: object) -> None:
        raise AssertionError("the embedding model was loaded to read an empty collection")

    monkeypatch.setattr(index.collection, "make_embedder", no_model)
    if made:
        home.mkdir()
    res = run(*args, input="Which town did the rebels capture?\n")
    assert res.exit_code == code, (res.output, res.exception)
    assert said in res.stdout, res.output
    assert EMPTY.lower() in flat(res.output).lower(), res.output  # and how to add articles
    assert (list(home.iterdir()) == []) if made else not home.exists()  # nothing created, not even the folder


def test_json_answers_from_a_fresh_home_have_their_usual_shape(home: Path) -> None:
    res = run("ask", "--json", "--as-of", "2024-12-03", "What happened last week?")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["refused"] is True and got["citations"] == [] and got["passages"] == []
    assert got["notices"][0].startswith(EMPTY) and got["as_of"] == "2024-12-03"
    assert got["time_window"]["start"] == "2024-11-25"  # the question's dates, read as ever
    res = run("brief", "--json", "Aleppo", "--since", "2024-11-01", "--until", "2024-11-30")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert (got["events"], got["since"], got["until"]) == ([], "2024-11-01", "2024-11-30")
    assert got["notice"].startswith("The collection is empty")
    assert not home.exists()


def test_a_bad_setting_is_still_named_on_a_fresh_home_in_one_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are read before the store is looked for, so a bad one is still named, in one line
    whatever COLUMNS says: CliRunner's stderr is no terminal (the message was wrapped at COLUMNS)."""
    monkeypatch.setenv("RAG_TOP_K", "abc")
    monkeypatch.setenv("COLUMNS", "60")
    for args in (["list"], ["stats"], ["ask", "q?"], ["remove", "x"]):
        res = run(*args)
        assert res.exit_code == 2 and "RAG_TOP_K='abc'" in res.stderr, (args, res.output)
        assert len(res.stderr.splitlines()) == 1 and len(res.stderr) > 60, (args, res.stderr)
    assert not home.exists()


def test_the_real_command_leaves_a_fresh_home_untouched_and_its_note_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    res = child(home, "list")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "0 articles, 0 chunks\n"
    # one line at 60 columns; since new user 29 it says which directory it read (a mistyped RAG_HOME read as empty)
    assert res.stderr.splitlines() == [f"note: {EMPTY} (files, folders, URLs, feeds); looked in RAG_HOME={home}"]
    assert list(home.iterdir()) == []


# --- 2. errors: one whole line in a pipe, wrapped under themselves at a terminal --------------------------

LONG = ("invalid setting: RAG_CHUNK_OVERLAP='many': should be a valid integer, unable to parse string as an "
        "integer; set it to a whole number of sentences, e.g. 1")


def test_an_error_in_a_pipe_is_one_line_however_long(tmp_path: Path) -> None:
    res = child(tmp_path / "home", "ask", "Which town did the rebels capture?", RAG_TOP_K="abc")
    assert res.returncode == 2
    [line] = res.stderr.splitlines()  # was cut at 60 columns, mid-phrase, a space left at the cut
    assert line.startswith("error: invalid setting: RAG_TOP_K='abc'") and len(line) > 60 and line == line.rstrip()
    assert not (tmp_path / "home").exists()


def test_fail_writes_one_line_per_message_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rag.cli.output.console, "_width", 40)
    with pytest.raises(typer.Exit):
        rag.cli.output.fail(ConfigError(LONG))
    assert capsys.readouterr().err.splitlines() == [f"error: {LONG}"]
    with pytest.raises(typer.Exit):  # a message of the CLI's own in two lines keeps them, and its indent
        rag.cli.output.fail(f"{LONG}\n  and a second line")
    assert capsys.readouterr().err.splitlines() == [f"error: {LONG}", "  and a second line"]


def test_fail_at_a_terminal_wraps_under_the_message(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(rag.cli.output.console, "_force_terminal", True)
    monkeypatch.setattr(rag.cli.output.console, "_width", 60)
    with pytest.raises(typer.Exit):
        rag.cli.output.fail(ConfigError(LONG))
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) > 1 and lines[0].startswith("error: invalid setting:")
    assert all(cell_len(line) <= 60 and line == line.rstrip() for line in lines), lines
    assert all(line.startswith(" " * 7) and line[7] != " " for line in lines[1:]), lines  # under "invalid", not col 0
    assert flat(" ".join(lines)) == f"error: {LONG}"  # cut between words only


def test_remove_says_why_and_what_next_in_one_line_without_nested_brackets(home: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for name in ("a.txt", "b.txt"):
        (news / name).write_text("Storm hits harbour\n\n" + TEXT, encoding="utf-8")
    assert run("ingest", str(news)).exit_code == 0
    [aid] = re.findall(r"\b[0-9a-f]{16}\b", run("list").stdout)
    res = run("remove", "no-such-article-anywhere", str(news / "a.txt"))
    assert res.exit_code == 1, res.output
    assert res.stderr.splitlines() == [
        "failed: no-such-article-anywhere (no such article id or source; see `rag list`)",
        f"removed: {news / 'a.txt'} (this source only: the article stays, also ingested from {news / 'b.txt'}; "
        f"`rag remove {aid}` removes it)"]


def test_rest_adds_its_own_way_on_to_a_removal() -> None:
    from index.types import ItemResult
    from rag.http_api import _rest_reason

    alone = ItemResult("a.txt", "removed", "8b11d0e9", code="source_only", kept_by=("b.txt",),
                       reason="this source only: the article stays, also ingested from b.txt")
    assert _rest_reason(alone) == ("this source only: the article stays, also ingested from b.txt; "
                                   "DELETE /v1/articles/8b11d0e9 removes it")
    gone = ItemResult("x", "failed", code="not_found", reason="no such article id or source")
    assert _rest_reason(gone) == "no such article id or source"  # the 404 adds "GET /v1/articles lists them"


# --- 3. rag models: no line padded with spaces -------------------------------------------------------------


@pytest.mark.parametrize("columns", ["80", "200"])
def test_rag_models_lines_end_in_their_text(columns: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    # at a terminal of that width (to a file or a pipe each line is written whole: tests/test_cli_newuser3.py)
    monkeypatch.setattr(rag.cli.output.out, "_force_terminal", True)
    res = run("models")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "answerer  extractive (no model file)   ok: yes   in use" in lines  # the layout as before
    assert any(line.startswith("    note  ") for line in lines)
    assert all(line == line.rstrip() for line in lines), [line for line in lines if line != line.rstrip()]
    assert all(cell_len(line) <= int(columns) for line in lines)
