"""What new user 30 (a data journalist scripting the CLI) met:

1. ``rag ask`` with a mistyped RAG_HOME said "the collection is empty" without the directory it read
   (``rag stats`` and ``rag chat`` name it), so a script had no clue; the note (text and ``--json``)
   names it now.
2. ``rag ingest --prune`` printed a table with "removed 1" and named nothing: which article went (its
   source, id and title) is printed now, as ``rag remove`` prints it, for files gone from a folder
   and for records gone from a dump.

The commands run in-process (CliRunner) with the HashEmbedder for the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli_newuser5 import home, run  # noqa: F401 - the CLI's fixture (a fresh RAG_HOME, the HashEmbedder)


def test_ask_with_a_mistyped_home_names_the_directory_it_read(home: Path) -> None:
    res = run("ask", "Who replaced Bob Chapek?")
    assert res.exit_code == 0, res.output
    assert f"looked in RAG_HOME={home}" in " ".join(res.output.split())
    res = run("ask", "--json", "Who replaced Bob Chapek?")
    got = json.loads(res.stdout)
    assert got["refused"] is True and got["notices"][0].endswith(f"looked in RAG_HOME={home}")
    assert not home.exists()  # still nothing created


def _article(folder: Path, name: str, headline: str, day: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{headline}\ndate 2024-03-0{day}\n\nThe council met on day {day} and approved "
                               f"plan {day} for the harbour, officials said on Monday.\n", encoding="utf-8")


def test_prune_names_each_article_it_removed(home: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    for day, headline in ((1, "Harbour plan approved"), (2, "Ferry strike called off"), (3, "Bridge reopens")):
        _article(news, f"a{day}.txt", headline, day)
    assert run("ingest", str(news)).exit_code == 0
    (news / "a2.txt").unlink()
    res = run("ingest", str(news), "--prune")
    assert res.exit_code == 0, res.output
    removed = [line for line in res.output.splitlines() if line.startswith("removed:")]
    assert len(removed) == 1, res.output
    assert str(news / "a2.txt") in removed[0] and "Ferry strike called off" in removed[0]
    assert "source no longer exists" in removed[0] and "(article " in removed[0]


def test_prune_names_a_record_gone_from_a_dump(home: Path, tmp_path: Path) -> None:
    dump = tmp_path / "news.jsonl"
    records = [{"url": f"https://example.org/{n}", "title": title, "date": f"2024-03-0{n}",
                "text": f"The council met on day {n} and approved plan {n} for the harbour, officials said."}
               for n, title in ((1, "Harbour plan approved"), (2, "Ferry strike called off"))]
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert run("ingest", str(dump)).exit_code == 0
    dump.write_text(json.dumps(records[1]) + "\n", encoding="utf-8")
    res = run("ingest", str(dump), "--prune")
    assert res.exit_code == 0, res.output
    removed = [line for line in res.output.splitlines() if line.startswith("removed:")]
    assert len(removed) == 1 and "Harbour plan approved" in removed[0], res.output

