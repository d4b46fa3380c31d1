"""A PDF's title and date come from its text when its metadata describes the file (new user #6, D4).

A PDF printed by Chromium carries /Title = the HTML file's name ("ferries.html") and /CreationDate =
the print time; both were taken over the text's headline and its "date 2026-11-10" line, so
`rag list` showed "ferries.html", published today, and "What happened this week?" led with it.
The PDFs are built by hand (``tests.test_load.make_pdf``) with the /Info entries Chromium writes.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from index.collection import Collection
from index.feeds import FeedItem, with_feed_metadata
from index.formats.dates import split_date_line
from index.formats.pdf import is_file_name_title, production_date
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.test_load import make_pdf, one, write

HEADLINE = "Northwind Ferries reports record year"
BODY = "Northwind Ferries carried 1.2 million passengers in the year to September, the most in its history."


def pdf_date(day: date) -> str:
    return f"D:{day:%Y%m%d}104956"


def chromium_info(title: str = "ferries.html", printed: date | None = None) -> dict[str, str]:
    """The /Info Chromium's print to PDF writes (its /Creator, the user agent, shortened: no brackets)."""
    stamp = pdf_date(printed or date.today())
    return {"Title": title, "Creator": "Mozilla/5.0 HeadlessChrome/156.0.0.0 Safari/537.36",
            "Producer": "Skia/PDF m156", "CreationDate": stamp, "ModDate": stamp}


def test_a_chromium_print_takes_the_headline_and_the_date_line_of_its_text(tmp_path: Path) -> None:
    pdf = make_pdf([HEADLINE, "date 2026-11-10", BODY], chromium_info())
    a = one(tmp_path, write(tmp_path / "ferries.pdf", pdf))
    assert (a.title, a.published) == (HEADLINE, date(2026, 11, 10))
    assert a.text == f"{HEADLINE}\n{BODY}"  # the date line is read, not stored as a sentence (as in .txt)
    assert "date_source" not in a.extra  # the article's own date, not a guess


def test_a_chromium_print_without_a_date_in_its_text_is_undated_not_printed_day(tmp_path: Path) -> None:
    last_year = date.today() - timedelta(days=365)
    a = one(tmp_path, write(tmp_path / "rugby.pdf", make_pdf([HEADLINE, BODY], chromium_info("rugby.html", last_year))))
    assert (a.title, a.published) == (HEADLINE, None)  # a print time is never a publication date


@pytest.mark.parametrize("title", [
    "ferries.html", "ferries.htm", "report.docx", "report.DOC", "story.odt", "notes.txt", "story.pdf",
    "Microsoft Word - draft3", "Microsoft Word - draft3.docx", "Untitled", "Untitled document", "Document1",
    "127.0.0.1:8000/ferries", "https://news.example/ferries", "www.example.org/news/ferries",
])
def test_a_metadata_title_that_names_the_file_yields_to_the_headline(tmp_path: Path, title: str) -> None:
    assert is_file_name_title(title)
    a = one(tmp_path, write(tmp_path / "a.pdf", make_pdf([HEADLINE, BODY], {"Title": title})))
    assert a.title == HEADLINE


@pytest.mark.parametrize("title", ["Mayor opens new library", "AC/DC announce tour", "U.S. economy grows 3.1%",
                                   "Documentary makers win award", "Q3 results: sales up 2.5%"])
def test_a_real_metadata_title_is_kept(title: str) -> None:
    assert not is_file_name_title(title)


def test_the_file_date_is_the_last_resort_and_a_feed_date_replaces_it(tmp_path: Path) -> None:
    info = {"Title": "Harbour bridge to reopen", "Producer": "LibreOffice 7.4", "CreationDate": "D:20240905120000Z"}
    a = one(tmp_path, write(tmp_path / "bridge.pdf", make_pdf(["Harbour bridge to reopen", BODY], info)))
    assert a.published == date(2024, 9, 5) and a.extra["date_source"] == "pdf_metadata"
    fed = with_feed_metadata(a, FeedItem("https://e.org/bridge.pdf", "k", "s", published=date(2024, 9, 1)))
    assert fed.published == date(2024, 9, 1) and fed.extra["date_source"] == "feed"  # the feed says when it ran
    only_mod = {"Title": "Harbour bridge to reopen", "ModDate": "D:20240907120000Z"}
    assert one(tmp_path, write(tmp_path / "mod.pdf", make_pdf(["Harbour bridge to reopen", BODY], only_mod))
               ).published == date(2024, 9, 7)


def test_the_texts_date_wins_over_the_files_and_a_file_made_today_gives_none(tmp_path: Path) -> None:
    info = {"Title": "Harbour bridge to reopen", "Producer": "LibreOffice 7.4", "CreationDate": "D:20250305120000Z"}
    lines = ["Harbour bridge to reopen", "Tuesday 4 March 2025", BODY]
    a = one(tmp_path, write(tmp_path / "dated.pdf", make_pdf(lines, info)))
    assert a.published == date(2025, 3, 4) and a.text.startswith("Harbour bridge to reopen\nTuesday 4 March 2025\n")
    today = {"Title": "Harbour bridge to reopen", "Producer": "LibreOffice 7.4", "CreationDate": pdf_date(date.today())}
    a = one(tmp_path, write(tmp_path / "today.pdf", make_pdf(["Harbour bridge to reopen", BODY], today)))
    assert a.published is None  # made on the ingest day: a copy made to be added, not today's news


def test_production_date_reads_creation_then_modification_and_refuses_the_ingest_day() -> None:
    class Info:
        creator = producer = None

        def __init__(self, created: object, modified: object) -> None:
            self.creation_date, self.modification_date = created, modified

    day = date(2024, 9, 5)
    assert production_date(Info(day, date(2024, 9, 7)), today=date(2026, 1, 1)) == day
    assert production_date(Info(None, date(2024, 9, 7)), today=date(2026, 1, 1)) == date(2024, 9, 7)
    assert production_date(Info(day, None), today=day) is None
    assert production_date(Info(date(2030, 1, 1), None), today=day) is None  # a clock set wrong
    assert production_date(None) is None


@pytest.mark.parametrize(("text", "expected"), [
    (f"{HEADLINE}\ndate 2026-11-10\n{BODY}", date(2026, 11, 10)),
    (f"date 2026-11-10\n{HEADLINE}\n{BODY}", date(2026, 11, 10)),
    (f"Harbour News\n{HEADLINE}\nBy Jo Reid\n10 November 2026 14:05 GMT\n{BODY}", date(2026, 11, 10)),
    (f"{HEADLINE}\n\nPublished: 10 Nov 2026\n\n{BODY}", date(2026, 11, 10)),
    (f"{HEADLINE}\n25/11/2026\n{BODY}", date(2026, 11, 25)),
    (f"{HEADLINE}\n03/11/2026\n{BODY}", None),  # 3 November or March 11: not guessed
    (f"Budget 2024\nMarch 2024\n{BODY}", None),  # a year, a month: no day
    (f"{HEADLINE}\nThe ferries sailed on 10 November 2026 for the last time this year.\n{BODY}", None),
    (f"A\nB\nC\nD\n10 November 2026\n{BODY}", None),  # past the first lines: the body's, not a date line
])
def test_a_date_line_among_the_first_lines(text: str, expected: date | None) -> None:
    assert split_date_line(text)[0] == expected


def test_rag_list_shows_the_headline_and_the_texts_date(settings: Settings, tmp_path: Path) -> None:
    """What the user saw: "ferries.html", published the day it was printed."""
    path = write(tmp_path / "ferries.pdf", make_pdf([HEADLINE, "date 2026-11-10", BODY], chromium_info()))
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest([str(path)])
        [stored] = coll.db.list_articles()
    assert (stored.title, stored.published) == (HEADLINE, "2026-11-10")
