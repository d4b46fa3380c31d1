"""Texts moving between sources in one run lose nothing (new user 29): files rotated (b.txt given a.txt's text and
a.txt new text), the same in either order of reading, a dump without URLs with a record inserted at its top (every
record's position-named source shifts), and the owner of a text two sources share given new text. Before, the
second source was mapped to the first's article as a duplicate of its old text, the first's update then replaced
that text, and one article of two was gone after a clean-looking run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.collection import Collection
from rag.settings import Settings
from tests.fakes import HashEmbedder

X = "The harbour crane Xavier lifted 501 containers on Thursday, a record for the Xavier crane at the north quay."
Y = "The harbour crane Yolanda lifted 602 containers on Thursday, a record for the Yolanda crane at the south quay."
Z = "The harbour crane Zebedee lifted 703 containers on Thursday, a record for the Zebedee crane at the east quay."
W = "The harbour crane Wilma lifted 804 containers on Thursday, a record for the Wilma crane at the west quay."


@pytest.fixture
def coll(settings: Settings, fake_embedder: HashEmbedder) -> Collection:
    with Collection.open(settings, embedder=fake_embedder) as c:
        yield c


def texts(coll: Collection) -> dict[str, str]:
    """Each stored source -> the text its article holds, read from the database."""
    out = {}
    for row in coll.db._q("SELECT s.source, a.text FROM sources s JOIN articles a ON a.id = s.article_id"):
        out[Path(row[0]).name] = row[1]  # a file's name, or a dump's record "n.jsonl#2"
    return out


def write(folder: Path, name: str, title: str, body: str) -> None:
    (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def consistent(coll: Collection) -> None:
    """Every chunk's vector is stored and every stored vector is a chunk's; no article without a source."""
    assert set(coll.db.chunk_ids()) == coll.indexer.vectors.all_ids()
    orphans = coll.db._q("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                         "(SELECT 1 FROM sources s WHERE s.article_id = a.id)").fetchone()[0]
    assert orphans == 0


@pytest.mark.parametrize("names", [("a.txt", "b.txt"), ("b.txt", "a.txt")])
def test_rotated_files_keep_both_texts(coll: Collection, tmp_path: Path, names: tuple[str, str]) -> None:
    # (b.txt, a.txt): the file given the old text is read first, before the one whose text changes
    new, old = names
    folder = tmp_path / "rot"
    folder.mkdir()
    write(folder, new, "Crane report X", X)
    write(folder, old, "Crane report Y", Y)
    assert coll.ingest(str(folder)).summary()["added"] == 2
    write(folder, old, "Crane report X", X)  # old now holds what new held, new something else
    write(folder, new, "Crane report Z", Z)
    report = coll.ingest(str(folder))
    got = texts(coll)
    assert set(got) == {new, old} and Z in got[new] and X in got[old], (got, report.items)
    assert coll.db.counts()["articles"] == 2
    assert {r.status for r in report.items} <= {"updated", "added"}, report.items
    consistent(coll)
    again = coll.ingest(str(folder))  # and the next run finds everything as stored
    assert {r.status for r in again.items} == {"unchanged"}, again.items


def test_a_dump_without_urls_with_a_record_inserted_at_the_top_keeps_every_record(
        coll: Collection, tmp_path: Path) -> None:
    dump = tmp_path / "n.jsonl"
    records = [{"title": f"Crane report {c}", "text": t} for c, t in (("X", X), ("Y", Y), ("Z", Z))]
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert coll.ingest(str(dump)).summary()["added"] == 3
    records.insert(0, {"title": "Crane report W", "text": W})  # every record's #N moves down one
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = coll.ingest(str(dump))
    assert "failed" not in {r.status for r in report.items}, report.items
    stored = sorted(t for t in texts(coll).values())
    assert len(stored) == 4 and all(any(body in t for t in stored) for body in (W, X, Y, Z)), stored
    assert coll.db.counts()["articles"] == 4
    consistent(coll)


def test_the_owner_of_a_shared_text_given_new_text_leaves_it_to_the_other_source(
        coll: Collection, tmp_path: Path) -> None:
    folder = tmp_path / "dup"
    folder.mkdir()
    write(folder, "a.txt", "Crane report X", X)
    write(folder, "b.txt", "Crane report X", X)  # an exact copy: one article, two sources
    first = coll.ingest(str(folder))
    assert sorted(r.status for r in first.items) == ["added", "duplicate"]
    write(folder, "a.txt", "Crane report Z", Z)  # the article's first source changes; b.txt still holds X
    report = coll.ingest(str(folder))
    got = texts(coll)
    assert Z in got["a.txt"] and X in got["b.txt"], (got, report.items)
    assert coll.db.counts()["articles"] == 2
    consistent(coll)
    answer = coll.ingest(str(folder))
    assert {r.status for r in answer.items} == {"unchanged"}, answer.items


def test_a_true_duplicate_of_a_stored_article_is_still_one_article(coll: Collection, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    write(folder, "a.txt", "Crane report X", X)
    coll.ingest(str(folder))
    write(folder, "b.txt", "Crane report X", X)
    report = coll.ingest(str(folder))
    dup = next(r for r in report.items if r.item.endswith("b.txt"))
    assert dup.status == "duplicate" and dup.kept_by and dup.kept_by[0].endswith("a.txt"), report.items
    assert coll.db.counts()["articles"] == 1 and len(coll.db.sources_of(dup.article_id)) == 2


def test_a_dump_with_its_first_record_removed_keeps_the_rest(coll: Collection, tmp_path: Path) -> None:
    dump = tmp_path / "n.jsonl"
    records = [{"title": f"Crane report {c}", "text": t} for c, t in (("X", X), ("Y", Y), ("Z", Z))]
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    coll.ingest(str(dump))
    dump.write_text("".join(json.dumps(r) + "\n" for r in records[1:]), encoding="utf-8")  # each #N moves up
    report = coll.ingest(str(dump), prune=True)
    got = texts(coll)
    assert set(got) == {"n.jsonl#1", "n.jsonl#2"} and Y in got["n.jsonl#1"] and Z in got["n.jsonl#2"], (
        got, report.items)
    consistent(coll)


def test_texts_swapped_between_two_files_lose_nothing_and_say_how_to_settle_it(
        coll: Collection, tmp_path: Path) -> None:
    folder = tmp_path / "swap"
    folder.mkdir()
    write(folder, "a.txt", "Crane report X", X)
    write(folder, "b.txt", "Crane report Y", Y)
    coll.ingest(str(folder))
    write(folder, "a.txt", "Crane report Y", Y)
    write(folder, "b.txt", "Crane report X", X)
    report = coll.ingest(str(folder))
    failed = [r for r in report.items if r.status == "failed"]
    assert failed and all("swapped" in (r.reason or "") and "remove one of them" in (r.reason or "") for r in failed)
    stored = set(texts(coll).values())
    assert any(X in t for t in stored) and any(Y in t for t in stored)  # both texts still stored
    consistent(coll)
    coll.remove([str(folder / "a.txt")])  # the fix the reason gives
    coll.ingest(str(folder))
    got = texts(coll)
    assert Y in got["a.txt"] and X in got["b.txt"], got


def test_a_refused_new_version_does_not_unsettle_the_copy_beside_it(coll: Collection, tmp_path: Path) -> None:
    folder = tmp_path / "stub"
    folder.mkdir()
    long_x = " ".join(f"{X} Shift {n} ended at dusk." for n in range(30))
    write(folder, "a.txt", "Crane report X", long_x)
    write(folder, "b.txt", "Crane report X", long_x)
    coll.ingest(str(folder))
    write(folder, "a.txt", "Crane report X", "Subscribe to read the crane report.")  # a paywall stub: refused
    report = {Path(r.item).name: r for r in coll.ingest(str(folder)).items}
    assert report["a.txt"].status == "failed" and report["b.txt"].status == "unchanged", report
    assert coll.db.counts()["articles"] == 1 and all(long_x in t for t in texts(coll).values())


def test_a_renamed_file_says_its_old_name_is_gone(coll: Collection, tmp_path: Path) -> None:
    folder = tmp_path / "ren"
    folder.mkdir()
    write(folder, "zz_unique.txt", "Crane report X", X)
    coll.ingest(str(folder))
    (folder / "zz_unique.txt").rename(folder / "ferry.txt")
    [dup] = coll.ingest(str(folder)).items  # new user 29: "duplicate of zz_unique.txt", a file gone, still cited
    assert dup.status == "duplicate" and "no longer exists (renamed or moved?)" in (dup.reason or ""), dup
    [gone] = [r for r in coll.ingest(str(folder), prune=True).items if r.status == "removed"]
    assert gone.item.endswith("zz_unique.txt")
    assert set(texts(coll)) == {"ferry.txt"}
