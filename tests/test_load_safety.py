"""Loading never stores what is not an article (issue 8, items 3 and 11).

* An eval suite (QA cases: a ``question``, no article text) beside the articles is skipped with one
  line saying why, not reported as failed records: ``rag ingest seeds/`` exits 0.
* A file that changes while it is read is never stored half-read: it is re-read once, else it fails
  with a reason. The "writer" here is deterministic: it appends to the file from inside our read.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from index.load import iter_articles
from index.collection import Collection
from rag.settings import Settings
from index.types import Article, LoadFailure, Skipped
from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

PARTIAL = "Harbour reopens"  # what a reader sees if it reads before the writer has finished
REST = " after repairs\n\nThe old harbour reopened on Thursday after eighteen months of repairs, the council said.\n"


# --- item 3: QA suites are skipped, not failed ----------------------------------------------

@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    return CliRunner()


def test_rag_ingest_seeds_folder_exits_0_and_says_the_suite_was_skipped(
    cli: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from rag.cli import app

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)  # the real seeds folder: articles + suite.jsonl
    assert (seeds / "suite.jsonl").is_file()
    result = cli.invoke(app, ["ingest", str(seeds)])
    assert result.exit_code == 0, result.output
    assert "\nfailed " not in result.output and "suite.jsonl#" not in result.output  # no failed records
    said = "".join(result.output.split())  # rich wraps a long line, anywhere
    assert said.count("suite.jsonl") == 1, said  # one line for the file, not one per question
    assert f"skipped{seeds / 'suite.jsonl'}:question-answercases" in said and "runitwith`rageval`" in said
    assert "types are not read" not in result.output  # not told as a file of an unread type
    with Collection.open(Settings(home=tmp_path / "home"), embedder=HashEmbedder()) as coll:
        stored = coll.db.counts()["articles"]
    articles = sorted(p for p in SEEDS.iterdir() if p.suffix in (".txt", ".md", ".html"))
    assert stored == len(articles) >= 1  # the articles beside the suite were ingested


def _load(tmp_path: Path, *paths: Path) -> list[Article | LoadFailure]:
    return list(iter_articles([str(p) for p in paths], Settings(home=tmp_path / "home")))


@pytest.mark.parametrize("name, content", [
    ("suite.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "q1", "question": "Who won?", "answers": ["Ann"], "article": "000_a.txt"},
        {"id": "q2", "question": "Where?", "answers": [], "article": None, "type": "unanswerable"}])),
    ("suite.json", json.dumps({"cases": [{"question": "Who won?", "answers": ["Ann"], "articles": ["a.txt"]}]})),
    ("squad.json", json.dumps({"version": "1.1", "data": [{"title": "Storms", "paragraphs": [
        {"context": "A storm hit.", "qas": [{"id": "1", "question": "What hit?", "answers": []}]}]}]})),
])
def test_qa_files_are_skipped_not_failed(tmp_path: Path, name: str, content: str) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    [skipped] = _load(tmp_path, f)  # an item of the report ("skipped", with why): the CLI, UI and REST say so
    assert isinstance(skipped, Skipped) and skipped.item == str(f.absolute())
    assert "question-answer" in skipped.reason and "rag eval" in skipped.reason


def test_mixed_dump_loads_articles_skips_qa_and_still_fails_bad_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    f = tmp_path / "mixed.jsonl"
    f.write_text("\n".join([
        json.dumps({"title": "Storm", "text": "A storm hit the coast on Monday and closed two ports."}),
        json.dumps({"question": "What hit the coast?", "article": "storm.txt"}),
        # a question *with* a real body is an article (an FAQ page), not a QA case
        json.dumps({"question": "Why did the ports close?", "text": "The ports closed because of the storm surge."}),
        json.dumps({"title": "No body here"}),
    ]), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="index.load"):
        out = _load(tmp_path, f)
    assert [type(x).__name__ for x in out] == ["Article", "Article", "LoadFailure"]
    assert "line 4" in out[2].reason
    [notice] = [r.getMessage() for r in caplog.records]
    assert "skipped 1 question-answer record" in notice and "other records were read" in notice


def test_qa_notice_escapes_control_characters_in_the_file_name(cli: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "evil\x1b]0;pwned\x07.jsonl"
    f.write_text(json.dumps({"question": "Who?", "article": "a.txt"}), encoding="utf-8")
    from rag.cli import app

    result = cli.invoke(app, ["ingest", str(f)])
    said = "".join(result.output.split())  # rich wraps a long line, anywhere
    assert "\x1b" not in said and "\x07" not in said
    assert "evil\\x1b]0;pwned\\x07.jsonl:question-answercases" in said


# --- item 11: a file that changes while it is read ------------------------------------------

def _writer_inside_read(monkeypatch: pytest.MonkeyPatch, target: Path, *, times: int) -> list[int]:
    """Make the first ``times`` reads of ``target`` return what is there, then append to the file
    before the reader can look again: exactly a writer racing the reader. Returns read counts."""
    real_open = Path.open
    reads = [0]

    def racing_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        f = real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]
        if self.name != target.name or "b" not in mode:
            return f
        reads[0] += 1
        data = f.read()
        f.close()
        if reads[0] <= times:
            with real_open(self, "a", encoding="utf-8") as w:  # type: ignore[arg-type]
                w.write(REST if reads[0] == 1 else " More.")
        return io.BytesIO(data)

    monkeypatch.setattr(Path, "open", racing_open)
    return reads


def test_file_growing_during_the_read_is_reread_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "live.txt"
    f.write_text(PARTIAL, encoding="utf-8")
    reads = _writer_inside_read(monkeypatch, f, times=1)
    [article] = _load(tmp_path, f)
    assert reads[0] == 2
    assert isinstance(article, Article)
    assert article.title == PARTIAL + " after repairs" and "eighteen months" in article.text


def test_file_that_keeps_changing_fails_and_nothing_partial_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "live.txt"
    f.write_text(PARTIAL, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Steady news\n\nThis file did not change while it was read.\n", encoding="utf-8")
    _writer_inside_read(monkeypatch, f, times=2)
    settings = Settings(home=tmp_path / "home")
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        report = coll.ingest([str(f), str(good)])
        assert report.summary()["added"] == 1 and report.summary()["failed"] == 1
        [failed] = report.failed
        assert failed.item == str(f.resolve()) and "changed while it was being read" in failed.reason
        assert "ingest it again" in failed.reason
        stored = [coll.db.by_source(str(p.resolve())) for p in (f, good)]
        assert stored[0] is None and stored[1] is not None


def test_stat_compare_is_what_catches_the_race(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the writer nothing is re-read: the check costs one extra stat, not a second read."""
    f = tmp_path / "still.txt"
    f.write_text(PARTIAL + REST, encoding="utf-8")
    reads = _writer_inside_read(monkeypatch, f, times=0)
    [article] = _load(tmp_path, f)
    assert isinstance(article, Article) and reads[0] == 1


def test_a_question_file_is_a_skipped_item_of_the_report_rest_and_the_ui_show(tmp_path: Path) -> None:
    """Uploaded through REST or the UI (``Collection.ingest``), a file of eval cases is no silent nothing."""
    f = tmp_path / "qa.json"
    f.write_text(json.dumps({"question": "Who won?", "answers": ["x"]}), encoding="utf-8")
    with Collection.open(Settings(home=tmp_path / "home"), embedder=HashEmbedder()) as coll:
        report = coll.ingest(str(f))
    [item] = report.items
    assert (item.status, item.item) == ("skipped", str(f.absolute())) and "rag eval" in (item.reason or "")
    assert report.summary()["skipped"] == 1
