"""What a new user tripped over in the `rag` command:

- ``rag ingest -v PATH`` was refused: ``-v/--verbose`` was an option of ``rag`` alone (``rag -v
  ingest PATH``). Every command takes it now, before or after its name, the `rag eval` ones too.
- With ``--json`` (``rag ask``, ``brief``, ``models``, ``watch --list``) a failure was a red line on
  stderr and nothing on stdout: a script got no JSON to read. Now it is one JSON object on stdout,
  ``{"error", "fix" (when the error has one), "type"}``, with the exit code as before.
- Counts read "1 articles" (`rag eval`): every count goes through ``rag.cli.output.plural``.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

import index.collection
from rag.cli import app
from rag.cli.output import error_json, fail, json_errors, plural
from rag.errors import ConfigError, RagError
from tests.conftest import ROOT, SEEDS
from tests.fakes import HashEmbedder

SEED = SEEDS / "000_2ee66f902f40f20f.txt"


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """``-v`` run in-process turns the root logger to info: later tests get it as it was."""
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    return tmp_path / "home"


# --- -v/--verbose after the command -----------------------------------------------------------------


def _rag_hash(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``rag ARGS`` in a child process (the HashEmbedder for the model: tests/rag_cli_hash.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(RAG_HOME=str(home), COLUMNS="200", HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_verbose_after_the_command_logs_as_before_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    logged = "INFO index.pipeline: ingest: "
    r = _rag_hash(home, "ingest", "-v", str(SEED))
    assert r.returncode == 0, r.stderr
    assert logged in r.stderr and "'added': 1" in r.stderr
    r = _rag_hash(home, "-v", "ingest", str(SEED))  # the global form still works
    assert r.returncode == 0 and logged in r.stderr and "'unchanged': 1" in r.stderr, r.stderr
    r = _rag_hash(home, "ingest", "--verbose", str(SEED))
    assert r.returncode == 0 and logged in r.stderr, r.stderr
    r = _rag_hash(home, "ingest", str(SEED))  # without it: warnings only
    assert r.returncode == 0 and "INFO" not in r.stderr, r.stderr


def test_every_command_lists_verbose_in_its_help(home: Path) -> None:
    runner = CliRunner()
    names = [n for n in get_command(app).commands if n != "eval"]  # type: ignore[attr-defined]
    assert {"ingest", "list", "ask", "chat", "brief", "models", "watch", "serve", "mcp"} <= set(names)
    for args in [[n, "--help"] for n in names] + [["eval", "run", "--help"], ["eval", "compare", "--help"]]:
        r = runner.invoke(app, args)
        assert r.exit_code == 0 and "--verbose" in r.output and "-v" in r.output, (args, r.output)


def test_verbose_is_taken_by_a_command_and_by_rag_eval(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["list", "-v"])
    assert r.exit_code == 0 and "0 articles, 0 chunks" in r.stdout, r.output
    a, b = _runs(tmp_path)
    for args in (["eval", "compare", "-v", a, b], ["eval", "-v", "compare", a, b]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0, (args, r.output)


# --- errors as JSON with --json --------------------------------------------------------------------

ABC = {"RAG_TOP_K": "abc"}  # a setting that cannot be read: ConfigError
# changed (fifteenth session): a value written YYYY-MM-DD that is no day says what is wrong with it (new user 23)
NOT_A_DATE = "--since '2024-13-01' is no day of the calendar (month must be in 1..12)"


@pytest.mark.parametrize(("args", "env", "kind", "said", "plain"), [
    (["ask", "--json", "--since", "2024-13-01", "q?"], {}, "UsageError", NOT_A_DATE, True),
    (["ask", "--json", " "], {}, "UsageError", "the question is empty", True),
    (["ask", "q?", "--json"], ABC, "ConfigError", "RAG_TOP_K='abc'", True),
    (["brief", "--json", "Aleppo"], ABC, "ConfigError", "RAG_TOP_K='abc'", True),
    (["brief", "--json", "--since", "2024-12-10", "--until", "2024-12-01", "x"], {}, "UsageError",
     "no article can match", True),
    (["models", "--json"], ABC, "ConfigError", "RAG_TOP_K='abc'", True),
    (["watch", "--list", "--json"], ABC, "ConfigError", "RAG_TOP_K='abc'", True),
    (["watch", "--json"], {}, "UsageError", "--json goes with --list", False),
    # click's own usage errors, for a command given --json: JSON too, with where to read the usage
    (["ask", "--json", "--top-k", "0", "q?"], {}, "BadParameter", "--top-k", True),
    (["ask", "--json"], {}, "MissingParameter", "Missing argument", True),
    (["models", "--json", "--bogus"], {}, "NoSuchOption", "--bogus", True),
])
def test_a_failure_with_json_is_one_json_object_on_stdout(
    args: list[str], env: dict[str, str], kind: str, said: str, plain: bool, home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    got = json.loads(r.stdout)  # the whole of stdout: one object
    assert set(got) <= {"error", "fix", "type"} and got["type"] == kind, got
    assert said in got["error"], got
    assert "error:" not in r.stderr and "Usage:" not in r.stderr
    if kind in ("BadParameter", "MissingParameter", "NoSuchOption"):
        assert "--help" in got["fix"] and args[0] in got["fix"]
    if plain:  # the same failure without --json: as before, text on stderr, nothing on stdout, same code
        r = CliRunner().invoke(app, [a for a in args if a != "--json"])
        assert r.exit_code == 2 and r.stdout == "" and said in " ".join(r.stderr.split()), r.output


def test_an_embedder_mismatch_with_json_names_its_type_and_the_fix(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SEED)]).exit_code == 0
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder(name="fake:other"))
    r = runner.invoke(app, ["ask", "--json", "Which town did the rebels capture?"])
    assert r.exit_code == 2, r.output
    got = json.loads(r.stdout)
    assert got["type"] == "EmbedderMismatchError" and "rag reindex" in got["error"]


def test_a_command_without_json_is_unchanged(home: Path) -> None:
    # `rag reindex` has no --json: click's usage error, as ever (`rag list` was this test's command until it
    # gained --json for an operator's scripts, new user 11)
    r = CliRunner().invoke(app, ["reindex", "--json"])
    assert r.exit_code == 2 and "No such option: --json" in r.output and r.stdout == ""


class _Fixable(RagError):
    fix = "run `rag doctor`"


def test_error_json_carries_the_fix_and_hides_url_passwords(capsys: pytest.CaptureFixture[str]) -> None:
    assert error_json("boom", "ConfigError") == {"error": "boom", "type": "ConfigError"}
    got = error_json("cannot reach https://user:s3cret@chroma.example.org/x", "StoreError", "check it")
    assert "s3cret" not in got["error"] and got["fix"] == "check it" and list(got) == ["error", "fix", "type"]
    with json_errors(True), pytest.raises(typer.Exit) as exit_:
        fail(_Fixable("the store is broken"), 3)
    assert exit_.value.exit_code == 3
    assert json.loads(capsys.readouterr().out) == {"error": "the store is broken", "fix": "run `rag doctor`",
                                                  "type": "_Fixable"}
    with pytest.raises(typer.Exit):  # outside a --json command: the red line
        fail(ConfigError("bad"))
    captured = capsys.readouterr()
    assert captured.out == "" and "error: bad" in captured.err


# --- counts in the singular -------------------------------------------------------------------------


def test_plural() -> None:
    assert plural(1, "article") == "1 article" and plural(0, "article") == "0 articles"
    assert plural(1, "story", "stories") == "1 story" and plural(3, "story", "stories") == "3 stories"
    assert plural(1, "fix", "fixes") == "1 fix" and plural(2, "fix", "fixes") == "2 fixes"


def _runs(tmp_path: Path) -> tuple[str, str]:
    """Two finished eval runs of one question (summary.json, results.jsonl): b fixes what a missed."""
    paths = []
    for name, hit in (("a", 0.0), ("b", 1.0)):
        d = tmp_path / "runs" / name
        d.mkdir(parents=True)
        (d / "summary.json").write_text(json.dumps({"meta": {"suite": "s"}, "metrics": {"hit@5": hit}}))
        (d / "results.jsonl").write_text(json.dumps({"id": "q1", "question": "Q?", "metrics": {"hit@5": hit}}) + "\n")
        paths.append(str(d))
    return paths[0], paths[1]


def test_eval_compare_counts_in_the_singular(home: Path, tmp_path: Path) -> None:
    a, b = _runs(tmp_path)
    r = CliRunner().invoke(app, ["eval", "compare", a, b])
    assert r.exit_code == 0, r.output
    assert "1 question in both runs; 0 regressions, 1 fix" in " ".join(r.output.split())


# --- Ctrl-C that a library turns into an error of its own ---------------------------------------------


def _interrupted_then(error: Exception):  # noqa: ANN202 - a load_settings stand-in
    """What onnxruntime's import did on a Ctrl-C while ``rag ask`` loaded the embedder: it caught the
    KeyboardInterrupt and raised ``ImportError: initialization failed`` (a 40-line traceback, exit 1)."""
    import signal
    import time

    def load_settings() -> None:
        try:
            signal.raise_signal(signal.SIGINT)
            time.sleep(5)  # not reached: the handler raises KeyboardInterrupt
        except KeyboardInterrupt:
            raise error from None
    return load_settings


@pytest.mark.parametrize("error", [ImportError("initialization failed"), RagError("the store is busy")])
@pytest.mark.parametrize("as_json", [False, True])
def test_an_error_a_ctrl_c_caused_ends_the_command_as_ctrl_c_does(
    error: Exception, as_json: bool, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    import rag.settings

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(rag.settings, "load_settings", _interrupted_then(error))
    r = CliRunner().invoke(app, ["ask", *(["--json"] if as_json else []), "Which town did the rebels capture?"])
    assert r.exit_code == 130, (r.output, r.exception)
    assert "Traceback" not in r.output and "initialization failed" not in r.output and "busy" not in r.output
    assert r.stdout == ""
    assert signal.getsignal(signal.SIGINT) is before  # the command's handler is gone with it


def test_without_a_ctrl_c_an_error_is_reported_as_ever(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.settings

    def broken() -> None:
        raise ConfigError("RAG_TOP_K='abc' is not a number")

    monkeypatch.setattr(rag.settings, "load_settings", broken)
    r = CliRunner().invoke(app, ["ask", "Which town did the rebels capture?"])
    assert r.exit_code == 2 and "error: RAG_TOP_K='abc' is not a number" in r.stderr
    r = CliRunner().invoke(app, ["ask", "--json", "Which town did the rebels capture?"])
    assert r.exit_code == 2 and json.loads(r.stdout)["type"] == "ConfigError"


def test_rag_help_lists_each_command_on_unbroken_lines() -> None:
    """`rag --help` printed a command's first help paragraph with its docstring's line breaks
    ("... (after changing RAG_EMBEDDER), first" / "re-chunking ..."): each is one line now."""
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        first = (command.help or "").strip().split("\n\n")[0]
        assert first and "\n" not in first, (name, first)
    r = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "first\n" not in r.output and "│ reindex  Re-embed every stored chunk" in r.output


@pytest.mark.parametrize(("args", "named"), [(["ask"], "QUESTION"), (["brief"], "TOPIC"), (["remove"], "ID_OR_SOURCE"),
                                             (["ingest"], "PATH_OR_URL")])
def test_a_missing_argument_is_named_as_its_help_names_it(args: list[str], named: str) -> None:
    """"Missing argument 'refs'" named a Python parameter; the usage line and the help say ID_OR_SOURCE."""
    r = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 2 and f"Missing argument '{named}" in r.output, r.output


def test_an_empty_brief_topic_is_refused_before_anything_opens(home: Path) -> None:
    r = CliRunner().invoke(app, ["brief", " "])
    assert r.exit_code == 2, r.output
    assert " ".join(r.stderr.split()) == 'error: the topic is empty: name what to catch up on, e.g. rag brief "Aleppo" ' \
                                        "--since 7d"  # was "topic: is empty; ...", after the model loaded
    assert not home.exists()


def test_print_hanging_wraps_under_the_text_by_terminal_cells() -> None:
    from io import StringIO

    from rich.cells import cell_len
    from rich.console import Console

    from rag.cli.output import print_hanging

    # a terminal of 40 columns (to a file or a pipe each line is written whole: tests/test_cli_newuser3.py)
    console = Console(file=StringIO(), width=40, emoji=False, force_terminal=True, color_system=None)
    print_hanging("      “", "The harbour of Zembla closed on Thursday after a storm [bold]damaged[/bold] the "
                  "pier; 漁船は北の湾に移された。修理には数週間かかる見通しだと当局は述べた。”", to=console)
    print_hanging("      also in: ", "https://news.example.com/world/europe/2024/11/28/zembla-harbour", to=console)
    lines = console.file.getvalue().splitlines()
    assert lines[0].startswith("      “The harbour") and "[bold]damaged[/bold]" in console.file.getvalue()
    quote = [line for line in lines if not line.startswith("      also in: ")]
    assert all(line.startswith("       ") and line[7] != " " for line in quote[1:4]), lines  # under the “
    assert all(cell_len(line) <= 40 and not line.endswith(" ") for line in lines), lines
    also = lines[lines.index(next(line for line in lines if line.startswith("      also in: "))):]
    assert len(also) == 3 and all(line.startswith(" " * 15) for line in also[1:]), also  # a URL folded under it
