"""index.load: every format, metadata and dates, and bad input that must not stop a batch."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from index import formats, load
from index.formats import parse_date
from index.load import expand_inputs, iter_articles
from rag.settings import Settings
from index.types import Article, LoadFailure

DATA = Path(__file__).parent / "data" / "load"
REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_2ee66f902f40f20f.txt"
BBC = Path("/work/shared/corpora/bbc-news/bbc")

GOOD_TEXT = "Good news for later\n\nThe batch went on after the bad file and loaded this article.\n"


def run(tmp_path: Path, *inputs: str | Path, **overrides: object) -> list[Article | LoadFailure]:
    settings = Settings(home=tmp_path / "home", **overrides)  # type: ignore[arg-type]
    return list(iter_articles([str(i) for i in inputs], settings))


def one(tmp_path: Path, path: Path, **overrides: object) -> Article:
    [item] = run(tmp_path, path, **overrides)
    assert isinstance(item, Article), item
    return item


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- plain text ------------------------------------------------------------------------------

def test_txt_headline_then_blank_line_becomes_title(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", "Storm closes ports\n\nA storm closed two ports on Monday.\n\nShips waited offshore.\n")
    a = one(tmp_path, f)
    assert a.title == "Storm closes ports"
    assert a.text == "A storm closed two ports on Monday.\n\nShips waited offshore."
    assert a.source == str(f.resolve()) and a.url is None and a.published is None


def test_txt_first_sentence_is_title_and_text_kept_when_no_headline(tmp_path: Path) -> None:
    body = "Prices rose sharply in March, the statistics office said. Food led the increase.\nEnergy was flat."
    a = one(tmp_path, write(tmp_path / "b.txt", body))
    assert a.title == "Prices rose sharply in March, the statistics office said."
    assert a.text == body


def test_txt_long_first_sentence_title_is_truncated(tmp_path: Path) -> None:
    sentence = "The committee " + "met again and again " * 10 + "before it decided."
    a = one(tmp_path, write(tmp_path / "c.txt", sentence + " More text follows here."))
    assert a.title.endswith("…") and len(a.title) <= 92
    assert a.text.startswith("The committee met again")


def test_seed_article_date_prefix_is_parsed_and_removed(tmp_path: Path) -> None:
    a = one(tmp_path, SEED)
    assert a.published == date(2024, 12, 1)
    assert a.text.startswith("Rescue workers assist at the scene")
    assert "date 2024-12-01" not in a.text
    # the caption line holds two sentences, so it is not taken as a headline; the text stays whole
    assert a.title.startswith("Rescue workers assist at the scene of what they say is an air strike")
    assert len(a.title) <= 92
    assert "Amman — Russian and Syrian jets" in a.text
    assert a.source == str(SEED.resolve())


@pytest.mark.parametrize("first_line, published, text_start", [
    ("date 2024-03-05\nBody sentence one.", date(2024, 3, 5), "Body sentence one."),
    ("Date: 1 December 2024\nBody sentence one.", date(2024, 12, 1), "Body sentence one."),
    ("DATE 2023-01-31 Body sentence one.", date(2023, 1, 31), "Body sentence one."),
    ("dated letters arrived. Body sentence one.", None, "dated letters arrived."),
    # the date line may follow the headline (a wire copy's layout)
    ("Riverton floods\n\ndate 2024-03-12\nBody sentence one.", date(2024, 3, 12), "Body sentence one."),
])
def test_txt_date_prefix_forms(tmp_path: Path, first_line: str, published: date | None, text_start: str) -> None:
    a = one(tmp_path, write(tmp_path / "d.txt", first_line + "\nSecond line of the story."))
    assert a.published == published
    assert a.text.startswith(text_start)


def test_text_normalisation(tmp_path: Path) -> None:
    raw = "\ufeffTitle here\r\n\r\nLine one.   \r\nLine two.\t\r\n\r\n\r\n\r\n\r\n\r\nLine three.  \r\n\r\n"
    a = one(tmp_path, write(tmp_path / "n.txt", raw))
    assert a.title == "Title here"
    assert a.text == "Line one.\nLine two.\n\n\nLine three."


def test_cp1252_and_latin1_text_is_read(tmp_path: Path) -> None:
    cp = one(tmp_path, write(tmp_path / "cp.txt", "Caf\xe9 prices\n\nA coffee costs €5 at the café now.".encode("cp1252")))
    assert cp.title == "Café prices" and "costs €5 at the café" in cp.text
    # 0x81 is undefined in cp1252, so this falls through to latin-1
    lat = one(tmp_path, write(tmp_path / "lat.txt", b"Sch\xf6n\n\nByte \x81 and \xe9t\xe9 survive."))
    assert lat.title == "Schön" and lat.text == "Byte  and été survive."  # the C1 control U+0081 is not stored


def test_utf16_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    a = one(tmp_path, write(tmp_path / "u16.txt", "Headline\n\nWide text body.".encode("utf-16")))
    assert (a.title, a.text) == ("Headline", "Wide text body.")


@pytest.mark.skipif(not BBC.is_dir(), reason="BBC corpus not present under /work/shared")
def test_bbc_files(tmp_path: Path) -> None:
    a = one(tmp_path, BBC / "business" / "001.txt")
    assert a.title == "Ad sales boost Time Warner profit"
    assert a.text.startswith("Quarterly profits at US media giant TimeWarner jumped 76%")
    mutu = one(tmp_path, BBC / "sport" / "199.txt")  # the one cp1252 file in the corpus
    assert "a £15.8m signing" in mutu.text


# --- markdown --------------------------------------------------------------------------------

def test_markdown_front_matter(tmp_path: Path) -> None:
    a = one(tmp_path, DATA / "frontmatter.md")
    assert a.title == "Council approves new cycle lanes"
    assert a.published == date(2024, 10, 15)
    assert a.author == "Sam Patel"
    assert a.extra == {"category": "local"}
    assert a.text.startswith("The city council approved") and "---" not in a.text


def test_markdown_heading_and_date_prefix(tmp_path: Path) -> None:
    f = write(tmp_path / "h.md", "date 2024-02-29\n\n# Leap day sale\n\nShops opened early on *Thursday*.\n")
    a = one(tmp_path, f)
    assert (a.title, a.published, a.text) == ("Leap day sale", date(2024, 2, 29), "Shops opened early on Thursday.")


# --- HTML ------------------------------------------------------------------------------------

def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    a = one(tmp_path, DATA / "article.html")
    assert a.title == "Harbour bridge reopens after repairs"
    assert a.author == "Maria Lopez"
    assert a.published == date(2024, 11, 3)
    assert a.text.startswith("The harbour bridge reopened to traffic on Sunday morning")
    for boilerplate in ("Subscribe", "Copyright", "window.tracking", "font-family"):
        assert boilerplate not in a.text


def test_html_falls_back_to_title_and_meta_tags(tmp_path: Path) -> None:
    page = ('<html><head><title>Tiny page</title><meta name="date" content="1 December 2024">'
            '<meta name="author" content="Kim Lee"></head><body><p>Just one line of text here.</p></body></html>')
    a = one(tmp_path, write(tmp_path / "tiny.htm", page))
    assert (a.title, a.author, a.published) == ("Tiny page", "Kim Lee", date(2024, 12, 1))
    assert a.text == "Just one line of text here."


def test_html_without_text_is_a_failure(tmp_path: Path) -> None:
    bad = write(tmp_path / "app.html", "<html><head><title>App</title><script>render()</script></head><body></body></html>")
    [f] = run(tmp_path, bad)
    assert isinstance(f, LoadFailure) and "app.html" in f.reason and "no article text" in f.reason


def test_a_page_laid_out_in_a_table_is_prose_and_a_data_table_keeps_its_cells(tmp_path: Path) -> None:
    page = ("<html><head><title>Council approves bridge</title></head><body><table><tr><td>"
            "<p>The Riverton council voted 7 to 2 on Friday to approve a new pedestrian bridge across the river.</p>"
            "<p>The bridge will cost 18 million dollars and open in autumn 2027, officials said on Friday.</p>"
            "</td></tr></table><table><tr><td>Year</td><td>Cost</td></tr><tr><td>2027</td><td>$18m</td></tr>"
            "</table></body></html>")
    a = one(tmp_path, write(tmp_path / "layout.html", page))
    assert a.text.startswith("The Riverton council voted 7 to 2")  # no "| " border around the prose
    assert "| Year | Cost |\n| 2027 | $18m |" in a.text  # a row of several cells is kept


def test_a_directory_listing_is_no_article(tmp_path: Path) -> None:
    listing = write(tmp_path / "index.html", "<html><head><title>Directory listing for /</title></head><body>"
                    "<h1>Directory listing for /</h1><ul><li><a href='a.html'>a.html</a></li></ul></body></html>")
    [f] = run(tmp_path, listing)
    assert isinstance(f, LoadFailure) and "directory listing" in f.reason


# --- PDF -------------------------------------------------------------------------------------

def make_pdf(lines: list[str], info: dict[str, str] | None = None) -> bytes:
    """A minimal valid one-page PDF with Helvetica text lines and an optional /Info dictionary."""
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({ln}) Tj T*" for ln in esc) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    if info:
        objs.append("<< " + " ".join(f"/{k} ({v})" for k, v in info.items()) + " >>")
    return pdf_file(objs, f" /Info {len(objs)} 0 R" if info else "")


def pdf_file(objs: list[str], trailer_extra: str = "") -> bytes:
    """A PDF of the numbered objects ``objs`` (object 1 the catalog), with its xref table and trailer."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    trailer = f"<< /Size {len(objs) + 1} /Root 1 0 R{trailer_extra} >>"
    return out + f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()


def test_pdf_with_metadata(tmp_path: Path) -> None:
    pdf = make_pdf(["Mayor opens new library", "The new library opened on Friday with 80,000 books."],
                   {"Title": "Mayor opens new library", "Author": "Lee Chan", "CreationDate": "D:20240905120000Z"})
    a = one(tmp_path, write(tmp_path / "lib.pdf", pdf))
    assert (a.title, a.author, a.published) == ("Mayor opens new library", "Lee Chan", date(2024, 9, 5))
    assert "80,000 books" in a.text


def test_pdf_title_from_first_line_when_metadata_is_a_filename(tmp_path: Path) -> None:
    pdf = make_pdf(["Rail strike called off", "Unions called off the strike late on Tuesday."],
                   {"Title": "Microsoft Word - draft3.docx"})
    a = one(tmp_path, write(tmp_path / "rail.pdf", pdf))
    assert a.title == "Rail strike called off" and a.published is None


def test_broken_pdf_is_a_failure(tmp_path: Path) -> None:
    bad = write(tmp_path / "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n")
    good = write(tmp_path / "good.txt", GOOD_TEXT)
    out = run(tmp_path, bad, good)
    assert isinstance(out[0], LoadFailure) and "broken.pdf" in out[0].reason
    assert isinstance(out[1], Article)


# --- dumps: JSON, JSONL, CSV ----------------------------------------------------------------

def test_json_list_with_aliases_and_case_insensitive_fields(tmp_path: Path) -> None:
    records = [
        {"Headline": "Bank holds rates", "BODY": "The central bank held rates at 4%.",
         "published_at": "2024-06-12T14:00:00Z", "link": "https://news.example/bank#top", "byline": "Ana Gil",
         "section": "economy"},
        {"content": "No title here. The second record has a body only.", "pubdate": "Wed, 12 Jun 2024 10:00:00 +0000"},
    ]
    f = write(tmp_path / "dump.json", json.dumps(records))
    a, b = run(tmp_path, f)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert (a.title, a.text, a.author, a.published) == ("Bank holds rates", "The central bank held rates at 4%.",
                                                        "Ana Gil", date(2024, 6, 12))
    assert a.url == a.source == "https://news.example/bank#top"
    assert a.extra == {"section": "economy"}
    assert b.title == "No title here." and b.published == date(2024, 6, 12)
    assert b.source == f"{f.resolve()}#1" and b.url is None


@pytest.mark.parametrize("payload", [
    {"title": "Only one", "text": "A single object is one article."},
    {"articles": [{"title": "Only one", "article": "A single object is one article."}]},
])
def test_json_single_object_or_articles_key(tmp_path: Path, payload: object) -> None:
    f = write(tmp_path / "one.json", json.dumps(payload))
    [a] = run(tmp_path, f)
    assert isinstance(a, Article) and a.title == "Only one" and a.source == f"{f.resolve()}#0"


def test_json_record_without_text_names_record_and_fields(tmp_path: Path) -> None:
    f = write(tmp_path / "miss.json", json.dumps([{"title": "A", "summary": "x"}, {"title": "B", "text": "Fine text here."}]))
    bad, good = run(tmp_path, f)
    assert isinstance(bad, LoadFailure) and isinstance(good, Article)
    assert str(f.resolve()) in bad.reason and "index 0" in bad.reason
    assert "no text field" in bad.reason and "title, summary" in bad.reason


def test_jsonl_malformed_line_and_missing_field(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "First", "text": "Line one loads."}),
        '{"title": "Broken", "text": "no closing brace"',
        "",
        json.dumps({"title": "No body", "url": "https://x.example/4"}),
        json.dumps({"TITLE": "Fifth", "Text": "Line five loads."}),
    ]
    f = write(tmp_path / "dump.jsonl", "\n".join(lines) + "\n")
    out = run(tmp_path, f)
    assert [type(o).__name__ for o in out] == ["Article", "LoadFailure", "LoadFailure", "Article"]
    assert "line 2" in out[1].reason and "not valid JSON" in out[1].reason and str(f.resolve()) in out[1].reason
    assert "line 4" in out[2].reason and "no text field" in out[2].reason and "title, url" in out[2].reason
    assert out[0].source == f"{f.resolve()}#1" and out[3].source == f"{f.resolve()}#5"


def test_csv_dump_with_extra_columns(tmp_path: Path) -> None:
    long_note = "x" * 150
    csv_text = ("title,body,date,Category,notes,link\n"
                f'"Wheat prices fall","Wheat fell 3%, traders said.\nMore in spring.",1 December 2024,markets,{long_note},\n'
                ",Untitled rows get a derived title. Second sentence.,2024-12-02,markets,,https://x.example/2\n")
    f = write(tmp_path / "dump.csv", csv_text)
    a, b = run(tmp_path, f)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert a.title == "Wheat prices fall" and a.text == "Wheat fell 3%, traders said.\nMore in spring."
    assert a.published == date(2024, 12, 1) and a.extra == {"Category": "markets"}
    assert a.source == f"{f.resolve()}#1"
    assert b.title == "Untitled rows get a derived title." and b.source == b.url == "https://x.example/2"


def test_csv_row_with_a_bad_date_loads_undated_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    f = write(tmp_path / "dump.csv", "title,body,date\nA,Wheat fell 3%.,last Tuesday\nB,Oats rose.,2024-13-45\n"
                                     "C,Rye held.,2024-12-02\n")
    with caplog.at_level("WARNING"):
        a, b, c = run(tmp_path, f)
    assert isinstance(a, Article) and a.published is None and isinstance(b, Article) and b.published is None
    assert c.published == date(2024, 12, 2)
    warned = [r.getMessage() for r in caplog.records]
    assert any("data row 1" in m and "'last Tuesday'" in m and "stored undated" in m for m in warned), warned
    assert any("data row 2" in m and "2024-13-45" in m for m in warned) and not any("data row 3" in m for m in warned)


def test_a_short_record_in_a_script_without_spaces_is_text_not_a_file_name(tmp_path: Path) -> None:
    f = write(tmp_path / "jp.jsonl", json.dumps({"title": "図書館", "text": "東京都は月曜日、新しい中央図書館を開館した。"},
                                                ensure_ascii=False) + "\n" + json.dumps({"text": "000_x.txt"}) + "\n")
    a, ref = run(tmp_path, f)
    assert isinstance(a, Article) and a.text.startswith("東京都")
    assert isinstance(ref, LoadFailure) and "single word" in ref.reason  # a file name where the body should be


def test_csv_without_text_column(tmp_path: Path) -> None:
    f = write(tmp_path / "notext.csv", "title,summary\nA,b\n")
    [bad] = run(tmp_path, f)
    assert isinstance(bad, LoadFailure)
    assert "data row 1" in bad.reason and "notext.csv" in bad.reason and "title, summary" in bad.reason


@pytest.mark.parametrize("value, expected", [
    ("2024-12-01", date(2024, 12, 1)),
    ("2024-12-01T23:30:00+02:00", date(2024, 12, 1)),
    ("Sun, 01 Dec 2024 10:00:00 +0000", date(2024, 12, 1)),
    ("1 December 2024", date(2024, 12, 1)),
    ("December 1, 2024", date(2024, 12, 1)),
    (1733011200, date(2024, 12, 1)),
    ("5", None),
    ("soon", None),
    ("", None),
    (None, None),
])
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


# --- folders ---------------------------------------------------------------------------------

def test_folder_is_recursive_skips_hidden_and_unknown(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "a.txt", "Alpha\n\nFirst story.")
    write(root / "sub" / "b.md", "# Beta\n\nSecond story.")
    write(root / "sub" / "deeper" / "README.TXT", "Read me\n\nUpper-case extensions load too.")
    write(root / ".hidden.txt", "Hidden\n\nnot loaded")
    write(root / ".git" / "c.txt", "Hidden dir\n\nnot loaded")
    write(root / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / "notes.docx", b"PK\x03\x04")
    out = run(tmp_path, root)
    assert [a.title for a in out if isinstance(a, Article)] == ["Alpha", "Beta", "Read me"]
    assert not [o for o in out if isinstance(o, LoadFailure)]
    assert len(expand_inputs([str(root)])) == 3


def test_folder_is_streamed_one_file_at_a_time(tmp_path: Path) -> None:
    root = tmp_path / "stream"
    for name in ("1.txt", "2.txt", "3.txt"):
        write(root / name, f"Story {name}\n\nBody of {name}.")
    it = iter_articles([str(root)], Settings(home=tmp_path / "home"))
    first = next(it)
    assert isinstance(first, Article)
    (root / "3.txt").unlink()  # not read yet: it fails when its turn comes, the others load
    rest = list(it)
    assert isinstance(rest[0], Article) and isinstance(rest[1], LoadFailure) and "3.txt" in rest[1].reason


def test_empty_folder_and_duplicates(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    f = write(tmp_path / "x" / "dup.txt", "Dup\n\nOnce only.")
    out = run(tmp_path, empty, f, f.parent, str(f))
    assert isinstance(out[0], LoadFailure) and "no files to load" in out[0].reason and "empty" in out[0].reason
    assert [o.title for o in out if isinstance(o, Article)] == ["Dup"]


# --- bad input never stops the batch --------------------------------------------------------

def _nested_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


BAD_CASES = {
    "empty": ("empty.txt", b"", "is empty"),
    "whitespace": ("blank.txt", b"  \n\n \t\n", "is empty"),
    "binary": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "looks like a binary file"),
    "too big": ("huge.txt", b"Big\n\n" + b"word " * 2000, "RAG_MAX_FILE_MB"),
    "deep json": ("deep.json", _nested_json(), "nested too deeply"),
    "bad json": ("bad.json", b'{"title": "x", ', "not valid JSON"),
    "empty json list": ("none.json", b"[]", "holds no records"),
    "unsupported": ("slides.pptx", b"PK\x03\x04 not really", "supported: "),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_reported_and_batch_goes_on(tmp_path: Path, case: str) -> None:
    name, content, expected = BAD_CASES[case]
    bad = write(tmp_path / name, content)
    good = write(tmp_path / "good.txt", GOOD_TEXT)
    out = run(tmp_path, bad, good, max_file_mb=0.005 if case == "too big" else 1)
    assert len(out) == 2, out
    failure, article = out
    assert isinstance(failure, LoadFailure), failure
    assert name in failure.reason and expected in failure.reason
    assert failure.item == str(bad.resolve())  # same string the article's source would have been
    assert isinstance(article, Article) and article.title == "Good news for later"


def test_size_failure_names_size_and_setting(tmp_path: Path) -> None:
    big = write(tmp_path / "big.txt", b"a" * 20_000)
    [f] = run(tmp_path, big, max_file_mb=0.01)
    assert isinstance(f, LoadFailure)
    assert "big.txt: is 19.5 KB, over the 0.01 MB limit; raise RAG_MAX_FILE_MB" in f.reason


def test_binary_failure_lists_supported_formats(tmp_path: Path) -> None:
    [f] = run(tmp_path, write(tmp_path / "x.md", b"\x00\x01\x02"))
    assert isinstance(f, LoadFailure) and ".txt" in f.reason and ".pdf" in f.reason and ".jsonl" in f.reason


def test_missing_path(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", GOOD_TEXT)
    out = run(tmp_path, tmp_path / "nope" / "gone.txt", good)
    assert isinstance(out[0], LoadFailure) and "gone.txt" in out[0].reason and "does not exist" in out[0].reason
    assert isinstance(out[1], Article)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", "Locked\n\nsecret")
    locked.chmod(0)
    try:
        [f] = run(tmp_path, locked)
    finally:
        locked.chmod(0o644)
    assert isinstance(f, LoadFailure) and "locked.txt" in f.reason and "permission" in f.reason


@pytest.mark.parametrize("name", ["with space.txt", "ünïcødé 記事.txt", "it's \"quoted\".txt", "new\nline.txt"])
def test_odd_filenames(tmp_path: Path, name: str) -> None:
    f = write(tmp_path / "odd" / name, "Odd name\n\nStill loads.")
    a = one(tmp_path, f)
    assert a.source == str(f.resolve()) and a.text == "Still loads."
    assert [x.title for x in run(tmp_path, f.parent) if isinstance(x, Article)] == ["Odd name"]


def test_parser_bug_becomes_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object) -> Article:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(formats, "parse_markdown", boom)
    out = run(tmp_path, write(tmp_path / "x.md", "# T\n\nbody"), write(tmp_path / "good.txt", GOOD_TEXT))
    assert isinstance(out[0], LoadFailure) and "kaboom" in out[0].reason and "x.md" in out[0].reason
    assert isinstance(out[1], Article)


def test_sources_are_stable_across_runs(tmp_path: Path) -> None:
    f = write(tmp_path / "s.txt", GOOD_TEXT)
    first, second = one(tmp_path, f), one(tmp_path, f)
    assert first.id == second.id and first.source == str(f.resolve())


def test_url_detection() -> None:
    assert load.is_url("https://example.com/a") and load.is_url(" HTTP://x") and not load.is_url("dir/file.txt")


def test_permission_denied_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.txt", "Locked\n\nsecret")
    good = write(tmp_path / "good.txt", GOOD_TEXT)
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    failure, article = run(tmp_path, locked, good)
    assert isinstance(failure, LoadFailure) and "locked.txt" in failure.reason and "Permission denied" in failure.reason
    assert isinstance(article, Article)


def test_record_whose_text_is_a_reference_is_not_an_article(tmp_path: Path) -> None:
    # a record whose only "text" is a file name (a QA suite's line is skipped instead: test_load_safety)
    f = write(tmp_path / "suite.jsonl", json.dumps({"id": "q1", "article": "000_abc.txt"}) + "\n")
    [bad] = run(tmp_path, f)
    assert isinstance(bad, LoadFailure) and "line 1" in bad.reason and "'000_abc.txt'" in bad.reason


# --- declared charsets, binary files that have no NUL bytes, pypdf's log ----------------------

JA_TITLE = "東京で新しい図書館が開館"
JA_BODY = "東京都は月曜日、新しい中央図書館を開館したと発表した。蔵書は約50万冊で、建設費は120億円だった。"
RU_TITLE = "Мэр Казани открыл новый мост"
RU_BODY = "Мэр Казани в пятницу открыл новый мост через реку Казанку длиной 800 метров."


def ja_page() -> bytes:
    return (f'<html><head><meta charset="shift_jis"><title>{JA_TITLE}</title></head><body><article>'
            f"<h1>{JA_TITLE}</h1><p>{JA_BODY}</p></article></body></html>").encode("shift_jis")


def ru_page(meta: bool = True) -> bytes:
    tag = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">' if meta else ""
    return (f"<html><head>{tag}<title>{RU_TITLE}</title></head><body><article><p>{RU_BODY}</p>"
            "</article></body></html>").encode("cp1251")


def test_html_meta_charset_and_http_equiv_are_honoured(tmp_path: Path) -> None:
    ja = one(tmp_path, write(tmp_path / "ja.html", ja_page()))
    assert ja.title == JA_TITLE and JA_BODY in ja.text
    ru = one(tmp_path, write(tmp_path / "ru.html", ru_page()))
    assert ru.title == RU_TITLE and RU_BODY in ru.text
    declared = b'<?xml version="1.0" encoding="windows-1251"?>\n'
    xml = one(tmp_path, write(tmp_path / "ru.xhtml", declared + ru_page(False)))
    assert xml.title == RU_TITLE


def test_html_saved_again_as_utf8_keeps_reading_as_utf8(tmp_path: Path) -> None:
    # an editor re-saved the page as UTF-8 and left its old <meta charset> alone
    page = ru_page().decode("cp1251").encode("utf-8")
    assert one(tmp_path, write(tmp_path / "resaved.html", page)).title == RU_TITLE


def test_html_latin1_label_means_windows_1252_as_in_browsers(tmp_path: Path) -> None:
    page = ('<meta charset="iso-8859-1"><title>Caf\xe9 prices rise</title><p>A coffee now costs \u20ac5 '
            "\u2013 \u201cthe highest ever\u201d, owners said on Monday in the old town.</p>").encode("cp1252")
    a = one(tmp_path, write(tmp_path / "cafe.html", page))
    assert a.title == "Café prices rise" and "costs €5 – “the highest ever”" in a.text


def test_fetched_page_charset_header_wins_over_meta_and_meta_counts_without_one() -> None:
    from index.fetch import FetchedPage

    url = "https://example.com/ru"
    [a] = load._load_page(FetchedPage(url, "text/html", ru_page(), encoding=None), url)
    assert isinstance(a, Article) and a.title == RU_TITLE
    # the header says windows-1251 and the page (wrongly) says latin-1: the header wins
    body = ru_page(False).replace(b"<head>", b'<head><meta charset="iso-8859-1">')
    [b] = load._load_page(FetchedPage(url, "text/html", body, encoding="windows-1251"), url)
    assert isinstance(b, Article) and b.title == RU_TITLE
    [c] = load._load_page(FetchedPage(url, "text/html", ru_page().decode("cp1251").encode("utf-8"),
                                      encoding="utf-8"), url)
    assert isinstance(c, Article) and c.title == RU_TITLE
    # a header charset that cannot read the bytes (a misconfigured server) gives way to the page's own
    [d] = load._load_page(FetchedPage(url, "text/html", ru_page(), encoding="utf-8"), url)
    assert isinstance(d, Article) and d.title == RU_TITLE


def test_html_charset_labels() -> None:
    assert formats.html_charset(b'<META CHARSET=Shift_JIS>') == "cp932"
    assert formats.html_charset(b"<meta content='text/html;charset=koi8-r' http-equiv='content-type'>") == "koi8-r"
    assert formats.html_charset(b'<meta charset="utf-16">') is None  # readable as ASCII, so not UTF-16
    assert formats.html_charset(b'<meta charset="no-such-charset">') is None
    assert formats.html_charset(b"<p>no declaration</p>") is None


PNG_HEAD = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name, head, what", [
    ("img.txt", PNG_HEAD, "a PNG image"),
    ("photo.html", b"\xff\xd8\xff\xe0", "a JPEG image"),
    ("anim.md", b"GIF89a", "a GIF image"),
    ("report.txt", b"PK\x03\x04", "ZIP archive"),
    ("dump.json", b"\x1f\x8b\x08", "gzip"),
    ("a.txt", b"BZh91AY&SY", "bzip2"),
    ("b.txt", b"\xfd7zXZ\x00", "xz"),
    ("c.txt", b"7z\xbc\xaf\x27\x1c", "7z"),
    ("d.txt", b"Rar!\x1a\x07\x01", "RAR"),
    ("prog.txt", b"\x7fELF\x02\x01\x01", "ELF"),
    ("macho.txt", b"\xcf\xfa\xed\xfe", "Mach-O"),
    ("db.csv", b"SQLite format 3\x00", "SQLite"),
    ("song.txt", b"ID3\x04", "MP3"),
    ("clip.txt", b"\x00\x00\x00\x18ftypmp42", "MP4"),
    ("audio.txt", b"OggS\x00\x02", "Ogg"),
])
def test_binary_files_are_refused_by_their_magic_bytes(tmp_path: Path, name: str, head: bytes, what: str) -> None:
    rng = __import__("random").Random(name)
    filler = bytes(rng.choice(range(32, 127)) for _ in range(3000))  # printable: only the magic gives it away
    bad = write(tmp_path / name, head + filler)
    out = run(tmp_path, bad, write(tmp_path / "good.txt", GOOD_TEXT))
    assert isinstance(out[0], LoadFailure), out[0]
    assert name in out[0].reason and "looks like a binary file" in out[0].reason and what in out[0].reason
    assert ".txt" in out[0].reason and ".pdf" in out[0].reason  # the supported formats
    assert isinstance(out[1], Article)


def test_windows_executable_is_refused_but_text_starting_mz_is_not(tmp_path: Path) -> None:
    exe = bytearray(b"MZ" + bytes(range(1, 200)) * 3)
    exe[60:64] = (128).to_bytes(4, "little")
    exe[128:132] = b"PE\x00\x00"
    [f] = run(tmp_path, write(tmp_path / "setup.txt", bytes(exe)))
    assert isinstance(f, LoadFailure) and "Windows executable" in f.reason
    a = one(tmp_path, write(tmp_path / "mz.txt", "MZ Wallace opens a store\n\nThe bag maker opened a shop."))
    assert a.title == "MZ Wallace opens a store"


def test_random_bytes_without_nul_are_refused(tmp_path: Path) -> None:
    rng = __import__("random").Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(60_000))
    [f] = run(tmp_path, write(tmp_path / "noise.txt", noise))
    assert isinstance(f, LoadFailure), f
    assert "noise.txt" in f.reason and "looks like a binary file" in f.reason and ".html" in f.reason
    [g] = run(tmp_path, write(tmp_path / "wide.txt", b"\xff\xfe" + noise))  # behind a UTF-16 BOM too
    assert isinstance(g, LoadFailure) and "looks like a binary file" in g.reason


def test_unreadable_share_of_real_text_is_zero() -> None:
    # the threshold's margin (see formats.UNREADABLE_MAX): real text in any script has none of these
    for text in (JA_BODY, RU_BODY, "أعلنت الحكومة يوم الاثنين عن خطة جديدة", "सरकार ने सोमवार को घोषणा की",
                 "Fans cheered 🎉🩷🫶 after the match ⚽️.", GOOD_TEXT, "Tab\tand form feed\x0cpage two"):
        assert formats.unreadable_share(text) == 0.0, text
    assert formats.unreadable_share("ab\x01\x02") == 0.5


@pytest.mark.skipif(not BBC.is_dir(), reason="BBC corpus not present under /work/shared")
def test_no_bbc_article_looks_binary() -> None:
    for path in sorted(BBC.glob("*/*.txt")):
        data = path.read_bytes()
        assert formats.binary_kind(data) is None, path
        assert formats.unreadable_share(formats.decode_bytes(data)) <= formats.UNREADABLE_MAX / 4, path


def test_fixtures_and_non_latin_pages_are_never_refused_as_binary(tmp_path: Path) -> None:
    pdf = make_pdf(["Mayor opens new library", "The new library opened on Friday with 80,000 books."])
    files = [DATA / "article.html", DATA / "frontmatter.md", SEED, write(tmp_path / "ja.html", ja_page()),
             write(tmp_path / "ru.html", ru_page()), write(tmp_path / "lib.pdf", pdf)]
    out = run(tmp_path, *files)
    assert all(isinstance(a, Article) for a in out), [a for a in out if isinstance(a, LoadFailure)]


def test_truncated_pdf_fails_without_pypdf_log_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    pdf = make_pdf(["Rail strike called off", "Unions called off the strike late on Tuesday."])
    trunc = write(tmp_path / "trunc.pdf", pdf[: len(pdf) // 2])
    pypdf_logger = logging.getLogger("pypdf")
    before = (pypdf_logger.propagate, list(pypdf_logger.handlers))
    with caplog.at_level(logging.DEBUG):
        [f] = run(tmp_path, trunc)
    assert isinstance(f, LoadFailure) and "trunc.pdf" in f.reason and "could not be read as a PDF" in f.reason
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # not where the CLI shows warnings
    assert any("pypdf warning" in r.getMessage() for r in caplog.records)  # kept for debugging, at DEBUG
    assert "EOF marker" not in capfd.readouterr().err
    assert (pypdf_logger.propagate, list(pypdf_logger.handlers)) == before  # left as it was


def test_a_page_without_text_fails_without_trafilatura_log_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    """trafilatura logs "discarding data: None" at WARNING for a page with no text: the CLI printed it
    above the failure line that already says why (a new user's script-only page)."""
    import logging

    page = write(tmp_path / "app.html", "<html><head><title>x</title><script>var a=1;</script></head><body></body></html>")
    import trafilatura  # noqa: F401 - its import adds a NullHandler of its own

    library = logging.getLogger("trafilatura")
    before = (library.propagate, list(library.handlers))
    with caplog.at_level(logging.DEBUG):
        [f] = run(tmp_path, page)
    assert isinstance(f, LoadFailure) and "no article text found in this HTML page" in f.reason
    assert not [r for r in caplog.records if r.name.startswith("trafilatura")]  # not where the CLI shows warnings
    assert any(r.getMessage().startswith("trafilatura warning") for r in caplog.records)  # kept, at DEBUG
    assert "discarding data" not in capfd.readouterr().err
    assert (library.propagate, list(library.handlers)) == before  # left as it was


def test_a_dump_of_many_articles_has_its_own_size_limit(tmp_path: Path) -> None:
    """RealTime QA's 3,359 articles are one 24.6 MB .jsonl: refused by the one-article file limit."""
    lines = [json.dumps({"title": f"Story {i}", "text": f"The council met on day {i}. " * 40}) for i in range(20)]
    dump = write(tmp_path / "dump.jsonl", "\n".join(lines).encode())
    out = run(tmp_path, dump, max_file_mb=0.01)  # a one-article file of this size would be refused
    assert len(out) == 20 and all(isinstance(a, Article) for a in out)
    [f] = run(tmp_path, dump, max_file_mb=0.01, max_dump_mb=0.01)
    assert isinstance(f, LoadFailure) and "over the 0.01 MB limit; raise RAG_MAX_DUMP_MB" in f.reason


@pytest.mark.parametrize("bad", [None, b"/news", 3])
def test_inputs_of_the_wrong_type_say_what_is_expected(bad: object) -> None:
    """ingest(None) raised "'NoneType' object is not iterable"; ingest(b"/news") named 47, the byte of "/"."""
    from index.load import as_inputs

    with pytest.raises(TypeError, match=rf"inputs must be a path or URL string, or a list of them, not "
                                        rf"{type(bad).__name__} .*ingest\(\['news/'"):
        as_inputs(bad)  # type: ignore[arg-type]
    assert as_inputs("news/") == ["news/"] and as_inputs(["a", Path("b")]) == ["a", "b"]
