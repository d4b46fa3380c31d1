"""What a new user met ingesting and removing articles, on a real store (embedded Chroma, the
HashEmbedder standing in for the model; pages served on 127.0.0.1 by tests/test_feeds.py's FeedSite):

1. an update that shrinks a stored article to a stub (a paywall, "page not found" or cookie page,
   a local file overwritten by one) replaced it silently and reported "updated";
2. `rag ingest folder/` said "added 2, failed 0" and nothing of the report.docx, note.eml,
   bundle.zip and article.txt.gz beside the articles;
3. `rag remove "with spaces.txt"` in the folder `rag ingest .` was run in: "no such article id or source";
4. `rag list` said "1 articles".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.pipeline import SHRINK_WORDS, word_count
from index.types import IngestReport, ItemResult
from index.watch import Watcher
from rag.settings import Settings
from tests.corpus import article_text
from tests.fakes import HashEmbedder
from tests.test_cli_ingest import env, flat, report_counts, run  # noqa: F401
from tests.test_feeds import FeedSite, local_settings, page_html, rss, site  # noqa: F401
from tests.test_pipeline import agree

PAYWALL = ("Subscribe to continue reading. You have reached your limit of free articles this month. "
           "Already a subscriber? Sign in to keep reading, or start your trial for one euro a week. "
           "Cancel anytime.")
NOT_FOUND = ("Page not found\n\nSorry, the page you were looking for does not exist or has moved. "
             "Try the search box above or go back to the home page. Error 404.")


def long_body(i: int = 1) -> str:
    """A ~600-word article body in paragraphs (tests/corpus.py's sentences)."""
    _, body = article_text(i, sentences=50)
    sentences = body.split(". ")
    return "\n\n".join(". ".join(sentences[k : k + 5]) for k in range(0, len(sentences), 5))


@pytest.fixture
def coll(tmp_path: Path, fake_embedder: HashEmbedder) -> Iterator[Collection]:
    with Collection.open(local_settings(tmp_path), embedder=fake_embedder) as c:
        yield c


def stored(coll: Collection, source: str) -> tuple[str, str, list[str]]:
    """(article id, stored text, chunk ids) of ``source``."""
    row = coll.db.by_source(source)
    assert row is not None, source
    return row.id, coll.db.article_text(row.id) or "", coll.db.chunk_ids(row.id)


def shrink_numbers(reason: str | None) -> tuple[int, int]:
    m = re.search(r"holds (\d+) words? against (\d+) stored", reason or "")
    assert m, reason
    return int(m[1]), int(m[2])


# --- 1. an update that shrinks an article to a stub keeps the stored version ------------------

def test_a_page_that_turned_into_a_paywall_keeps_the_stored_article(site: FeedSite, coll: Collection) -> None:  # noqa: F811
    url = site.put("/news/harbour", page_html("Harbour reopens", long_body(), published="2024-12-01T08:00:00Z"))
    assert coll.ingest([url]).summary()["added"] == 1
    aid, text, chunks = stored(coll, url)
    assert word_count(text) > 500

    teaser = long_body().split("\n\n")[0]  # the first paragraph, as paywalls show it
    site.put("/news/harbour", page_html("Harbour reopens", f"{teaser}\n\n{PAYWALL}"))
    report = coll.ingest([url])
    [item] = report.items
    assert (item.status, item.item, item.article_id) == ("failed", url, aid), item
    new, old = shrink_numbers(item.reason)
    assert new < 150 and old == word_count(text)
    assert "a paywall, error or cookie page?" in item.reason and "the stored version is kept" in item.reason
    assert f"`rag ingest --allow-shrink {url}`" in item.reason and f"`rag remove {url}`" in item.reason
    assert stored(coll, url) == (aid, text, chunks)  # nothing stored is lost
    agree(coll)

    again = coll.indexer.ingest([url], allow_shrink=True)  # the user says the stub is right
    assert [i.status for i in again.items] == ["updated"]
    assert "Subscribe to continue reading" in stored(coll, url)[1]
    agree(coll)


def test_a_local_file_overwritten_by_an_error_page_keeps_the_stored_article(coll: Collection, tmp_path: Path) -> None:
    f = tmp_path / "news" / "with spaces.txt"
    f.parent.mkdir()
    f.write_text("Harbour reopens\n\n" + long_body(), encoding="utf-8")
    coll.ingest([str(f)])
    source = str(f.resolve())
    before = stored(coll, source)

    f.write_text(NOT_FOUND, encoding="utf-8")
    [item] = coll.ingest([str(f)]).items
    assert item.status == "failed" and item.item == source
    assert shrink_numbers(item.reason)[1] == word_count(before[1])
    assert f"`rag ingest --allow-shrink '{source}'`" in item.reason  # quoted: the name has a space
    assert stored(coll, source) == before


def test_corrections_and_real_rewrites_still_update(coll: Collection, tmp_path: Path) -> None:
    """The guard is for stubs: a trimmed sentence, a long article cut to a still-long one, and a
    short brief edited to a slightly shorter one are updates as before."""
    long_, brief = tmp_path / "long.txt", tmp_path / "brief.txt"
    body = long_body()
    long_.write_text("Harbour reopens\n\n" + body, encoding="utf-8")
    brief.write_text("Ferry strike\n\nFerry crews walked out on Monday over pay. Talks resume on Friday, "
                     "the union said, and services will be cut until then.", encoding="utf-8")
    coll.ingest([str(long_), str(brief)])

    long_.write_text("Harbour reopens\n\n" + body.rsplit(". ", 1)[0] + ".", encoding="utf-8")  # a sentence trimmed
    brief.write_text("Ferry strike\n\nFerry crews walked out on Monday over pay. Talks resume on Friday.",
                     encoding="utf-8")  # over half left
    assert sorted(i.status for i in coll.ingest([str(long_), str(brief)]).items) == ["updated", "updated"]

    words = body.split(" ")
    cut = " ".join(words[: SHRINK_WORDS + 20])  # under half the words, but an article's length
    assert len(cut.split()) < len(words) / 2
    long_.write_text("Harbour reopens\n\n" + cut, encoding="utf-8")
    assert [i.status for i in coll.ingest([str(long_)]).items] == ["updated"]
    agree(coll)


def test_a_stub_equal_to_another_stored_stub_does_not_take_the_article_with_it(coll: Collection, tmp_path: Path) -> None:
    """Two pages of one site behind the same paywall have the same text: without the guard the
    good article's source was moved onto the stub stored first ("duplicate") and the article dropped."""
    good, walled = tmp_path / "good.txt", tmp_path / "walled.txt"
    good.write_text("Harbour reopens\n\n" + long_body(), encoding="utf-8")
    walled.write_text("Premium\n\n" + PAYWALL, encoding="utf-8")
    coll.ingest([str(good), str(walled)])
    before = stored(coll, str(good.resolve()))

    good.write_text("Premium\n\n" + PAYWALL, encoding="utf-8")
    [item] = coll.ingest([str(good)]).items
    assert item.status == "failed" and "the stored version is kept" in (item.reason or "")
    assert stored(coll, str(good.resolve())) == before and coll.db.counts()["articles"] == 2


def test_rag_watch_keeps_the_article_when_its_page_turns_into_a_paywall(site: FeedSite, coll: Collection) -> None:  # noqa: F811
    page = site.put("/news/harbour", page_html("Harbour reopens", long_body()))

    def feed(date: str) -> str:
        return site.put("/feed.xml", rss([{"title": "Harbour reopens", "link": page, "guid": "harbour",
                                           "pubDate": date}]), "application/rss+xml")

    watcher = Watcher(coll)
    try:
        url = feed("Sun, 01 Dec 2024 08:00:00 GMT")
        assert watcher.poll(url).report.summary()["added"] == 1
        before = stored(coll, page)
        site.put("/news/harbour", page_html("Harbour reopens", long_body().split("\n\n")[0] + "\n\n" + PAYWALL))
        feed("Mon, 02 Dec 2024 08:00:00 GMT")  # the feed marks the item as changed: it is fetched again
        result = watcher.poll(url)
        assert result.report is not None and [i.status for i in result.report.items] == ["failed"]
        assert "the stored version is kept" in (result.report.items[0].reason or "")
        assert stored(coll, page) == before
    finally:
        watcher.state.close()


def test_cli_names_the_shrunk_item_and_allow_shrink_replaces_it(env: Settings, tmp_path: Path) -> None:  # noqa: F811
    f = tmp_path / "story.txt"
    f.write_text("Harbour reopens\n\n" + long_body(), encoding="utf-8")
    assert run("ingest", str(f)).exit_code == 0
    f.write_text(NOT_FOUND, encoding="utf-8")
    result = run("ingest", str(f))
    assert result.exit_code == 1, result.output
    out = flat(result.output)
    assert report_counts(result.output)["failed"] == 1 and report_counts(result.output)["updated"] == 0
    assert re.search(rf"failed {re.escape(str(f.resolve()))}: the new version holds \d+ words against \d+ stored", out), out
    assert "--allow-shrink" in out
    replaced = run("ingest", "--allow-shrink", str(f))
    assert replaced.exit_code == 0 and report_counts(replaced.output)["updated"] == 1, replaced.output


def test_word_count_reads_scripts_without_spaces() -> None:
    """A Chinese article is not "3 words" (its paragraphs): an edit that re-wraps it is no stub."""
    assert word_count("Ferry crews walked out") == 4
    assert word_count("渡轮船员周一罢工。\n\n谈判周五恢复。") == 16


# --- 2. files of a folder that are not read are reported ---------------------------------------

def odd_folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "a.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.", encoding="utf-8")
    (root / "b.md").write_text("# Ferry strike\n\nFerry crews walked out on Monday.", encoding="utf-8")
    (root / "report.docx").write_bytes(b"PK\x03\x04 word")
    (root / "note.eml").write_text("From: a@example.org\nSubject: hi\n\nhello", encoding="utf-8")
    (root / "bundle.zip").write_bytes(b"PK\x03\x04 zip")
    (root / "sub").mkdir()
    (root / "sub" / "article.txt.gz").write_bytes(b"\x1f\x8b\x08 gz")
    (root / ".DS_Store").write_bytes(b"\x00\x00")  # hidden: not the user's file
    return root


def test_folder_ingest_reports_the_files_it_does_not_read(coll: Collection, tmp_path: Path) -> None:
    from rag.service import report_dict
    from ui.render import ingest_html

    root = odd_folder(tmp_path / "news")
    report = coll.ingest([str(root)])
    s = report.summary()
    assert (s["added"], s["failed"], s["skipped"]) == (2, 0, 4)
    skipped = {Path(i.item).name: i.reason for i in report.skipped}
    assert set(skipped) == {"report.docx", "note.eml", "bundle.zip", "article.txt.gz"}
    assert all(str(root.resolve()) in i.item for i in report.skipped)
    assert "'.docx'" in skipped["report.docx"] and "save it as .txt, .html or .pdf" in skipped["report.docx"]
    assert "e-mail" in skipped["note.eml"]
    assert "unpack it" in skipped["bundle.zip"] and "'.gz'" in skipped["article.txt.gz"]
    # the REST report and the UI's Collection tab read the same report
    rest = report_dict(report)
    assert rest["summary"]["skipped"] == 4 and sum(i["status"] == "skipped" for i in rest["items"]) == 4
    json.dumps(rest)
    assert "4 skipped" in ingest_html(report.items, 2, 2)
    # a file given by name keeps its failure: it was asked for
    [named] = coll.ingest([str(root / "report.docx")]).items
    assert named.status == "failed" and "unsupported file type '.docx'" in (named.reason or "")


def test_a_folder_of_unreadable_types_alone_fails_and_names_them(coll: Collection, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "report.docx").write_bytes(b"PK\x03\x04 word")
    report = coll.ingest([str(root)])
    assert [i.status for i in report.items] == ["skipped", "failed"]
    assert "is a folder with no files to load" in (report.failed[0].reason or "")


def test_cli_folder_ingest_prints_a_skipped_line(env: Settings, tmp_path: Path) -> None:  # noqa: F811
    root = odd_folder(tmp_path / "news")
    result = run("ingest", str(root))
    assert result.exit_code == 0, result.output  # not failures
    out = flat(result.output)
    assert report_counts(result.output) == {"added": 2, "updated": 0, "unchanged": 0, "duplicate": 0,
                                            "removed": 0, "failed": 0}
    assert re.search(r"failed\s*┃\s*skipped", result.output), result.output  # the table's own column
    assert "skipped 4 files in the folders given: their types are not read (supported: .csv," in out
    base = str(root.resolve())
    assert f"{base}/report.docx: unsupported file type '.docx' (a word-processor document); save it as" in out
    assert f"{base}/bundle.zip: unsupported file type '.zip'" in out and f"{base}/sub/article.txt.gz:" in out
    assert f"{base}/note.eml: unsupported file type '.eml' (an e-mail)" in out
    assert "2/2" in out  # the bar counts the files it reads, not the ones it skips


def test_many_skipped_types_are_summed_up(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli.ingest import SKIPPED_TYPES, print_report

    exts = [f".x{n}" for n in range(SKIPPED_TYPES + 2)]
    items = [ItemResult(f"/news/f{n}{e}", "skipped", reason=f"unsupported file type {e!r}") for n, e in enumerate(exts)]
    items += [ItemResult(f"/news/g{e}", "skipped", reason=f"unsupported file type {e!r}") for e in exts[:1]]
    print_report(IngestReport(tuple(items), 1.0))
    err = flat(capsys.readouterr().err)
    assert f"skipped {len(items)} files in the folders given" in err
    assert "/news/f0.x0, /news/g.x0: unsupported file type '.x0'" in err
    assert f"and 2 files of other types ({exts[-2]}, {exts[-1]})" in err


# --- 3. `rag remove` takes the paths `rag ingest` took --------------------------------------------

def test_remove_takes_relative_paths_as_ingest_did(env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    odd = tmp_path / "files" / "odd"
    odd.mkdir(parents=True)
    (odd / "with spaces.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.", encoding="utf-8")
    (odd / "dump.jsonl").write_text(json.dumps({"title": "Ferry", "text": "Ferry crews walked out on Monday."})
                                    + "\n", encoding="utf-8")
    monkeypatch.chdir(odd)
    source = str((odd / "with spaces.txt").resolve())
    for ref in ("with spaces.txt", "./with spaces.txt", "../odd/with spaces.txt"):
        assert run("ingest", ".").exit_code == 0
        result = run("remove", ref)
        assert result.exit_code == 0, (ref, result.output)
        assert f"removed: {source}" in flat(result.output)
        with Collection.open(env, embedder=HashEmbedder()) as coll:
            assert coll.db.by_source(source) is None
    result = run("remove", "dump.jsonl#1")  # a dump's record, named as `rag list` shows it, but relative
    assert result.exit_code == 0 and f"removed: {odd.resolve()}/dump.jsonl#1" in flat(result.output), result.output

    assert run("ingest", ".").exit_code == 0
    (odd / "with spaces.txt").unlink()  # gone from disk: still removable by the name it had
    assert run("remove", "with spaces.txt").exit_code == 0
    result = run("remove", "with spaces.txt")
    assert result.exit_code == 1 and "failed: with spaces.txt (no such article id or source" in flat(result.output)


def test_remove_still_takes_ids_and_urls(coll: Collection, site: FeedSite, tmp_path: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = site.put("/news/harbour", page_html("Harbour reopens", long_body()))
    f = tmp_path / "a.txt"
    f.write_text("Ferry strike\n\nFerry crews walked out on Monday.", encoding="utf-8")
    coll.ingest([url, str(f)])
    aid = coll.db.by_source(str(f.resolve())).id
    monkeypatch.chdir(tmp_path)
    (tmp_path / aid[:6]).write_text("a file named like the id prefix")  # not stored: the ref is the id
    got = coll.remove([aid[:6], url])
    assert [(r.status, r.article_id) for r in got] == [("removed", aid), ("removed", got[1].article_id)]
    assert coll.db.counts()["articles"] == 0


# --- 4. counts in words that agree with them ---------------------------------------------------------

def test_list_says_1_article_and_1_chunk(env: Settings, tmp_path: Path) -> None:  # noqa: F811
    f = tmp_path / "one.txt"
    f.write_text("Harbour reopens\n\nThe harbour reopened on Monday.", encoding="utf-8")
    assert run("ingest", str(f)).exit_code == 0
    out = flat(run("list").output)
    assert out.endswith("1 article, 1 chunk"), out
    assert "1 of 1 article, 1 chunk" in flat(run("list", "Harbour").output)
    (tmp_path / "two.txt").write_text("Ferry strike\n\nFerry crews walked out on Monday.", encoding="utf-8")
    assert run("ingest", str(tmp_path / "two.txt")).exit_code == 0
    assert flat(run("list").output).endswith("2 articles, 2 chunks")
