"""New user 29 (a newsroom admin afraid of losing data) through the CLI, in-process with the HashEmbedder: an id
prefix of one character removed whichever article it was the start of, and said only "removed: e"; a RAG_HOME that
is a file read as an empty collection (exit 0), and no command said which directory it read; an unopenable database
or a file where the vector store's folder goes gave tracebacks; a Chroma server gone mid-ingest exited 1 ("an item
failed") instead of 2; a broken symbolic link and a named pipe in a folder were passed over in silence, and given
directly were named by the link's target and called "empty"."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from rag.cli import app
from rag.errors import StoreError
from tests.fakes import HashEmbedder

TEXT = " ".join(f"The harbour crane lifted {n} containers at the north quay on Thursday, the port said." for n in range(12))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    monkeypatch.setenv("COLUMNS", "200")
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAG_COLLECTION", "RAG_CHROMA_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    return tmp_path / "home"


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def ids(home: Path) -> list[str]:
    with sqlite3.connect(home / "articles.sqlite3") as db:
        return [r[0] for r in db.execute("SELECT id FROM articles")]


def test_a_short_id_prefix_removes_nothing_and_a_removal_names_the_article(home: Path, tmp_path: Path) -> None:
    (tmp_path / "crane.txt").write_text("Crane record at the north quay\n\n" + TEXT, encoding="utf-8")
    assert run("ingest", str(tmp_path / "crane.txt")).exit_code == 0
    [aid] = ids(home)
    res = run("remove", aid[0])
    assert res.exit_code == 1 and ids(home) == [aid], res.stderr
    assert "too short to name an article" in flat(res.stderr) and aid in res.stderr, res.stderr
    res = run("remove", aid[:6])
    assert res.exit_code == 0 and ids(home) == [], res.stderr
    assert f"removed: {aid[:6]} (article {aid}: Crane record at the north quay)" in flat(res.stderr), res.stderr


def test_a_data_directory_that_is_a_file_is_an_error_naming_it(home: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for given, said in ((afile, "is a file, not a directory"), (afile / "sub", f"is under {afile}, a file")):
        monkeypatch.setenv("RAG_HOME", str(given))
        for command in (("stats",), ("list",), ("ask", "--offline", "Which crane?")):
            res = run(*command)
            assert res.exit_code == 2 and said in flat(res.stderr) and "RAG_HOME" in res.stderr, (command, res.stderr)


def test_an_empty_collection_and_the_counts_say_which_directory_was_read(home: Path, tmp_path: Path) -> None:
    res = run("list")
    assert res.exit_code == 0 and f"looked in RAG_HOME={home}" in flat(res.stderr), res.stderr
    (tmp_path / "crane.txt").write_text("Crane record\n\n" + TEXT, encoding="utf-8")
    run("ingest", str(tmp_path / "crane.txt"))
    res = run("stats")
    assert res.exit_code == 0 and f"RAG_HOME={home} (database articles.sqlite3)" in flat(res.stderr), res.stderr
    assert json.loads(res.stdout)["articles"] == 1  # stdout stays the JSON alone


def test_an_unopenable_database_is_one_error_with_the_fix_not_a_traceback(home: Path) -> None:
    (home / "articles.sqlite3").mkdir(parents=True)  # what sqlite cannot open, as a read-only directory is
    res = run("stats")
    assert res.exit_code == 2 and "cannot open the article database" in flat(res.stderr), res.stderr
    assert "Traceback" not in res.output and "writable" in res.stderr
    res = run("ask", "--json", "--offline", "Which crane?")
    assert res.exit_code == 2 and json.loads(res.stdout)["type"] == "StoreError", res.stdout  # one JSON object


def test_a_file_where_the_vector_folder_goes_is_one_error(home: Path, tmp_path: Path) -> None:
    home.mkdir()
    (home / "chroma").write_text("x", encoding="utf-8")
    (tmp_path / "crane.txt").write_text("Crane record\n\n" + TEXT, encoding="utf-8")
    res = run("ingest", str(tmp_path / "crane.txt"))
    assert res.exit_code == 2 and "cannot make the vector store's folder" in flat(res.stderr), res.output
    assert "Traceback" not in res.output


def test_a_vector_store_gone_mid_ingest_exits_2_naming_the_items(home: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from index.vectors import VectorStore

    def gone(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise StoreError("the Chroma server at http://127.0.0.1:9 failed (ConnectError); check it is running")

    (tmp_path / "crane.txt").write_text("Crane record\n\n" + TEXT, encoding="utf-8")
    run("stats")  # (creates nothing: the store is made by the ingest below)
    monkeypatch.setattr(VectorStore, "upsert", gone)
    res = run("ingest", str(tmp_path / "crane.txt"))
    assert res.exit_code == 2, res.output  # the store, not the item: 1 told a script to fix the files
    assert "crane.txt" in res.stderr and "once the vector store answers" in flat(res.stderr), res.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_broken_link_and_a_named_pipe_are_named_with_why(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "ok.txt").write_text("Crane record\n\n" + TEXT, encoding="utf-8")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere" / "file.txt")
    os.mkfifo(folder / "fifo.txt")
    res = run("ingest", str(folder))
    out = flat(res.stderr)
    assert res.exit_code == 0 and len(ids(home)) == 1, res.output
    assert f"skipped {folder / 'dangling.txt'}: is a broken symbolic link (to {tmp_path / 'nowhere' / 'file.txt'})" \
        in out, out
    assert f"skipped {folder / 'fifo.txt'}: is not a regular file" in out and "types are not read" not in out, out
    res = run("ingest", str(folder / "dangling.txt"), str(folder / "fifo.txt"))  # given directly: failed, as named
    out = flat(res.stderr)
    assert res.exit_code == 1 and f"{folder / 'dangling.txt'}: is a broken symbolic link" in out, out
    assert f"{folder / 'fifo.txt'}: is not a regular file" in out and "is empty" not in out, out


def test_the_version_is_printed(home: Path) -> None:
    from importlib.metadata import version

    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"rag-articles {version('rag-articles')}", res.output
