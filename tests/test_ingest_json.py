"""`rag ingest --json`: a cron script read what an ingest added or failed by scraping the box-drawn table
from stderr. With ``--json`` stdout is one JSON document, the report (``rag.cli.ingest.ingest_json``):
``summary`` (the table's counts), ``items`` (each with its status, article id, title and the reason the
human lines name), ``notices``, ``seconds`` and ``interrupted``; the exit code is the one without it.

The commands run in-process (CliRunner) with the HashEmbedder for the model (tests/test_cli_newuser5.py's
fixture: a fresh RAG_HOME).
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

import index.collection
from index.pipeline import Indexer
from tests.fakes import HashEmbedder
from tests.test_cli_ingest import DiesAt
from tests.test_cli_newuser5 import home, run  # noqa: F401 - the CLI's fixture (a fresh RAG_HOME, the HashEmbedder)

MARKUP = "[bold red]x[/bold red] <script>alert(1)</script> harbour"
CLOSES = ("The harbour of Zembla closed on Tuesday after a storm damaged the pier. Fishing boats were moved to "
          "the northern bay while divers inspected the broken pilings. Officials said repairs would take weeks "
          "and that the ferry to the mainland would not sail until the pier was safe again. Traders on the quay "
          "said they expected to lose most of the winter season.")
KEYS = {"item", "status", "article_id", "title", "chunks", "reason", "code", "story_id", "grouped", "kept_by"}


def _article(folder: Path, name: str, headline: str, day: int, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{headline}\ndate 2024-03-0{day}\n\nThe council met on day {day} and approved plan {day} for "
                    f"the harbour, officials said on Monday.{extra}\n", encoding="utf-8")
    return path


def _doc(res) -> dict:  # noqa: ANN001 - click.testing.Result
    """The one JSON document on stdout: ``json.loads`` fails on anything before or after it."""
    doc = json.loads(res.stdout)
    assert isinstance(doc, dict) and set(doc) == {"summary", "items", "notices", "seconds", "interrupted"}, doc
    assert all(set(i) == KEYS for i in doc["items"]), doc["items"]
    return doc


def _by_item(doc: dict) -> dict[str, dict]:
    return {i["item"]: i for i in doc["items"]}


def _ids(home: Path) -> dict[str, tuple[str, str]]:  # noqa: F811
    """What `rag list --json` says is stored: source -> (id, title)."""
    listed = json.loads(run("list", "--json").stdout)
    return {a["source"]: (a["id"], a["title"]) for a in listed["articles"]}


def test_added_and_failed_items_are_named_with_ids_titles_reasons_and_the_exit_code(
        home: Path, tmp_path: Path) -> None:  # noqa: F811
    news = tmp_path / "news"
    a = _article(news, "a.txt", "Harbour plan approved", 1)
    b = _article(news, "b.txt", MARKUP, 2)
    (news / "empty.txt").write_bytes(b"")
    (news / "bad.txt").write_bytes(b"\xff\xfe\x00\xd8\x00\x01\x02\x03" * 8)
    missing = tmp_path / "missing.txt"
    res = run("ingest", "--json", str(news), str(missing))
    assert res.exit_code == 1, res.output  # as without --json: an item failed
    doc = _doc(res)
    assert doc["summary"] == {"added": 2, "updated": 0, "unchanged": 0, "duplicate": 0, "removed": 0, "failed": 3,
                              "skipped": 0, "grouped": 0}, doc["summary"]
    items = _by_item(doc)
    stored = _ids(home)
    for path, title in ((a, "Harbour plan approved"), (b, MARKUP)):
        got = items[str(path)]
        assert (got["status"], got["title"], got["reason"]) == ("added", title, None), got
        assert stored[str(path)] == (got["article_id"], title) and got["chunks"] >= 1
    assert items[str(missing)]["status"] == "failed"
    assert items[str(missing)]["reason"].startswith("does not exist; check the path"), items[str(missing)]
    assert items[str(news / "empty.txt")]["reason"] == "is empty (0 bytes); remove it or add the article text"
    assert items[str(news / "bad.txt")]["reason"].startswith("looks like a binary file"), items[str(news / "bad.txt")]
    assert all(items[str(p)]["article_id"] is None for p in (missing, news / "empty.txt", news / "bad.txt"))
    # the reason is the one the human lines name, word for word
    human = " ".join(run("ingest", str(missing)).output.split())
    assert f"failed {missing}: {items[str(missing)]['reason']}" in human, human
    # nothing but the document on stdout: no table, no progress bar (on stderr, off a terminal, none either)
    assert "┃" not in res.stdout and "ingest report" not in res.output and "━" not in res.output


def test_markup_in_a_title_comes_out_verbatim(home: Path, tmp_path: Path) -> None:  # noqa: F811
    _article(tmp_path / "news", "b.txt", MARKUP, 2)
    res = run("ingest", "--json", str(tmp_path / "news"))
    assert res.exit_code == 0, res.output
    [item] = _doc(res)["items"]
    assert item["title"] == MARKUP  # rich did not read it (no "x" alone, no style dropped)
    assert '"title": "[bold red]x[/bold red] <script>alert(1)</script> harbour"' in res.stdout


def test_a_control_character_in_a_file_name_is_escaped_in_the_json(home: Path, tmp_path: Path) -> None:  # noqa: F811
    path = _article(tmp_path / "news", "bell\x1b]0;owned\x07.txt", "Bell rings", 3)
    res = run("ingest", "--json", str(tmp_path / "news"))
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout  # escaped: a terminal showing stdout runs nothing
    assert "bell\\u001b]0;owned\\u0007.txt" in res.stdout
    [item] = _doc(res)["items"]
    assert item["item"] == str(path)  # the source as it is, once the JSON is read


def test_a_second_run_is_unchanged_and_an_edited_file_updated(home: Path, tmp_path: Path) -> None:  # noqa: F811
    news = tmp_path / "news"
    a = _article(news, "a.txt", "Harbour plan approved", 1)
    b = _article(news, "b.txt", "Ferry strike called off", 2)
    first = _by_item(_doc(run("ingest", "--json", str(news))))
    again = run("ingest", "--json", str(news))
    assert again.exit_code == 0, again.output
    doc = _doc(again)
    assert (doc["summary"]["unchanged"], doc["summary"]["added"]) == (2, 0), doc["summary"]
    assert {i["item"]: (i["status"], i["article_id"], i["title"]) for i in doc["items"]} == {
        str(a): ("unchanged", first[str(a)]["article_id"], "Harbour plan approved"),
        str(b): ("unchanged", first[str(b)]["article_id"], "Ferry strike called off")}
    _article(news, "b.txt", "Ferry strike called off at last", 2, " The union thanked its members.")
    edited = run("ingest", "--json", str(news))
    assert edited.exit_code == 0, edited.output
    doc = _doc(edited)
    assert (doc["summary"]["updated"], doc["summary"]["unchanged"]) == (1, 1), doc["summary"]
    got = _by_item(doc)[str(b)]
    assert (got["status"], got["article_id"], got["title"]) == (
        "updated", first[str(b)]["article_id"], "Ferry strike called off at last")


def test_prune_reports_the_removed_article_by_source_id_and_title(home: Path, tmp_path: Path) -> None:  # noqa: F811
    news = tmp_path / "news"
    for day, headline in ((1, "Harbour plan approved"), (2, "Ferry strike called off"), (3, "Bridge reopens")):
        _article(news, f"a{day}.txt", headline, day)
    assert run("ingest", str(news)).exit_code == 0
    gone_id, _ = _ids(home)[str(news / "a2.txt")]
    (news / "a2.txt").unlink()
    res = run("ingest", "--json", str(news), "--prune")
    assert res.exit_code == 0, res.output
    doc = _doc(res)
    assert (doc["summary"]["removed"], doc["summary"]["unchanged"]) == (1, 2), doc["summary"]
    [removed] = [i for i in doc["items"] if i["status"] == "removed"]
    assert (removed["item"], removed["article_id"], removed["title"]) == (
        str(news / "a2.txt"), gone_id, "Ferry strike called off")
    assert "source no longer exists" in removed["reason"], removed
    assert "removed:" not in res.output  # the human line is the document's item now
    assert str(news / "a2.txt") not in _ids(home)


def test_a_duplicate_and_a_grouped_copy_name_what_they_join(home: Path, tmp_path: Path) -> None:  # noqa: F811
    first = tmp_path / "first"
    first.mkdir()
    (first / "zembla.txt").write_text(f"Zembla harbour closes\ndate 2024-11-26\n\n{CLOSES}\n", encoding="utf-8")
    assert run("ingest", str(first)).exit_code == 0
    story_id, _ = _ids(home)[str(first / "zembla.txt")]
    second = tmp_path / "second"
    second.mkdir()
    (second / "same.txt").write_text(f"Zembla harbour closes\ndate 2024-11-26\n\n{CLOSES}\n", encoding="utf-8")
    (second / "wire.txt").write_text(f"Storm shuts Zembla port\ndate 2024-11-27\n\nZEMBLA (Wire) - {CLOSES}\n",
                                     encoding="utf-8")
    res = run("ingest", "--json", str(second))
    assert res.exit_code == 0, res.output
    doc = _doc(res)
    assert (doc["summary"]["duplicate"], doc["summary"]["added"], doc["summary"]["grouped"]) == (1, 1, 1), doc
    items = _by_item(doc)
    dup = items[str(second / "same.txt")]
    assert dup["status"] == "duplicate" and dup["article_id"] == story_id, dup
    assert dup["reason"] == f"same text as {first / 'zembla.txt'} (article {story_id})", dup
    assert dup["kept_by"] == [str(first / "zembla.txt")]
    wire = items[str(second / "wire.txt")]
    assert (wire["status"], wire["grouped"], wire["story_id"], wire["title"]) == (
        "added", True, story_id, "Storm shuts Zembla port"), wire
    assert wire["article_id"] != story_id


def test_a_skipped_file_is_named_with_its_reason(home: Path, tmp_path: Path) -> None:  # noqa: F811
    news = tmp_path / "news"
    _article(news, "a.txt", "Harbour plan approved", 1)
    (news / "report.docx").write_bytes(b"PK\x03\x04 not read")
    res = run("ingest", "--json", str(news))
    assert res.exit_code == 0, res.output  # a file of a type not read is no failure
    doc = _doc(res)
    assert (doc["summary"]["skipped"], doc["summary"]["failed"]) == (1, 0), doc["summary"]
    skipped = _by_item(doc)[str(news / "report.docx")]
    assert skipped["status"] == "skipped" and ".docx" in skipped["reason"], skipped


def test_a_usage_error_is_json_too(home: Path) -> None:  # noqa: F811
    res = run("ingest", "--json")
    assert res.exit_code == 2
    got = json.loads(res.stdout)
    assert got["type"] == "MissingParameter" and "ingest --help" in got["fix"], got


def test_help_lists_the_option(home: Path) -> None:  # noqa: F811
    res = run("ingest", "--help")
    assert res.exit_code == 0
    said = " ".join(res.output.replace("│", " ").split())
    assert "--json" in said and "print one JSON document on stdout" in said, said
    assert "same exit codes" in said


# --- Ctrl-C: the document of what was stored before the stop, exit 130 --------------------------------------

class StopsAt(DiesAt):
    """A first Ctrl-C (SIGINT to this process: the batch being embedded is stored, then the ingest stops)
    on model batch ``n`` (``DiesAt``'s second Ctrl-C: stop at once)."""

    def __call__(self, texts):  # noqa: ANN001, ANN204
        if len(self.calls) == self.n:
            signal.raise_signal(signal.SIGINT)
        return HashEmbedder.__call__(self, texts)


def _stopped(monkeypatch: pytest.MonkeyPatch, embedder: HashEmbedder, news: Path):  # noqa: ANN202 - a CliRunner Result
    """`rag ingest --json` of six articles, one per model batch, stopped by ``embedder``: exit 130."""
    monkeypatch.setattr(Indexer, "batch_chunks", 1)
    monkeypatch.setattr(Indexer, "first_batch_chunks", 1)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: embedder)
    for day in range(1, 7):
        _article(news, f"a{day}.txt", f"Story {day}", day)
    res = run("ingest", "--json", str(news))
    assert res.exit_code == 130, res.output
    return res


def test_stopped_at_once_still_prints_a_document_of_what_was_stored(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    res = _stopped(monkeypatch, DiesAt(2), tmp_path / "news")
    doc = _doc(res)
    assert doc["interrupted"] in res.stderr  # said there too, as without --json
    assert doc["interrupted"].startswith("interrupted: 2 articles stored by this run (2 added, 0 updated)"), doc
    added = [i for i in doc["items"] if i["status"] == "added"]
    assert doc["summary"]["added"] == len(added) == 2, doc
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    stored = _ids(home)
    assert {i["item"]: (i["article_id"], i["title"]) for i in added} == stored


def test_a_first_ctrl_c_prints_the_report_of_the_run_so_far(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    res = _stopped(monkeypatch, StopsAt(2), tmp_path / "news")
    assert "stopping: the batch being embedded is stored first" in res.stderr, res.stderr
    doc = _doc(res)
    n = doc["summary"]["added"]
    assert n == 3, doc  # the two stored before the Ctrl-C, and the one being embedded at it
    assert doc["interrupted"].startswith("interrupted: 3 articles stored by this run (3 added, 0 updated)"), doc
    assert doc["interrupted"] in res.stderr
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    assert {i["item"]: (i["article_id"], i["title"]) for i in doc["items"] if i["status"] == "added"} == _ids(home)
