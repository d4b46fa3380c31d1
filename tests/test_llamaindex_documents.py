"""LlamaIndex Documents that are a file's raw content (HTML markup, PDF bytes) and reader file dates.

SimpleDirectoryReader without llama-index-readers-file hands over .html files as raw markup and
.pdf files as their bytes read as text, and stamps every file with its file system dates: none of
that is an article's title, text or publish date.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core import Document, SimpleDirectoryReader

from index.collection import Collection
from index.types import Article, LoadFailure
from rag.integrations.llamaindex import document_to_article, ingest_documents
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.test_load import BBC, DATA, JA_BODY, RU_BODY, RU_TITLE, make_pdf, ru_page

PDF_TITLE = "Mayor opens new library"


def folder_of_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bridge.html").write_bytes((DATA / "article.html").read_bytes())
    (folder / "library.pdf").write_bytes(make_pdf([PDF_TITLE, "The new library opened on Friday with 80,000 books."],
                                                  {"Title": PDF_TITLE}))
    (folder / "kazan.html").write_bytes(ru_page())  # windows-1251, which the reader reads as UTF-8
    bbc = BBC / "business" / "001.txt"
    text = bbc.read_bytes() if bbc.is_file() else b"Ad sales boost Time Warner profit\n\nQuarterly profits rose.\n"
    (folder / "bbc.txt").write_bytes(text)  # a 2004 article with no date in it
    return folder


def test_simple_directory_reader_html_pdf_and_dates(settings: Settings, tmp_path: Path) -> None:
    folder = folder_of_files(tmp_path / "articles")
    docs = SimpleDirectoryReader(str(folder)).load_data()
    assert all(d.metadata.get("creation_date") for d in docs)  # the reader did stamp file dates
    assert any(d.text.startswith("%PDF-") for d in docs) and any("<title>" in d.text for d in docs)
    coll = Collection.open(settings, embedder=HashEmbedder())
    report = ingest_documents(coll, docs)
    assert report.summary()["added"] == 4 and not report.failed, report
    info = {a.source: a for a in coll.db.list_articles(None, 100)}
    bridge = info[str((folder / "bridge.html").resolve())]
    assert bridge.title == "Harbour bridge reopens after repairs" and bridge.published == "2024-11-03"
    assert not coll.db.article_text(bridge.id).lstrip().startswith("<")
    pdf = info[str((folder / "library.pdf").resolve())]
    assert pdf.title == PDF_TITLE and "80,000 books" in coll.db.article_text(pdf.id)
    kazan = info[str((folder / "kazan.html").resolve())]
    assert kazan.title == RU_TITLE and RU_BODY in coll.db.article_text(kazan.id)  # its <meta charset> counted
    bbc = info[str((folder / "bbc.txt").resolve())]
    assert bbc.title == "Ad sales boost Time Warner profit"
    assert bbc.published is None  # not the file's creation or modification date
    # the same files through `rag ingest`: the same articles, unchanged
    assert coll.ingest([str(folder)]).summary()["unchanged"] == 4


def test_file_dates_are_never_the_publish_date_but_explicit_dates_are() -> None:
    stamps = {"creation_date": "2026-01-05", "last_modified_date": "2026-01-06", "last_accessed_date": "2026-01-07"}
    body = "Storm closes ports\n\nA storm closed two ports on Monday, the harbour office said."
    plain = document_to_article(Document(text=body, metadata=dict(stamps)))
    assert isinstance(plain, Article) and plain.published is None
    for key in ("published", "date", "publish_date", "published_at"):
        dated = document_to_article(Document(text=body, metadata={**stamps, key: "2004-03-02"}))
        assert isinstance(dated, Article) and dated.published.isoformat() == "2004-03-02", key


def test_raw_html_document_without_a_file_is_parsed_as_html() -> None:
    raw = (DATA / "article.html").read_text(encoding="utf-8")
    a = document_to_article(Document(text=raw, metadata={"author": "Desk", "title": "Bridge reopens"}))
    assert isinstance(a, Article)
    assert a.title == "Bridge reopens" and a.author == "Desk"  # metadata still wins
    assert "<" not in a.text and a.text.startswith("The harbour bridge reopened")
    b = document_to_article(Document(text=raw, metadata={"file_path": "/gone/bridge.html"}))
    assert isinstance(b, Article) and b.title == "Harbour bridge reopens after repairs"
    assert b.source == "/gone/bridge.html"


def test_pdf_bytes_without_the_file_fail_and_say_to_ingest_the_file(settings: Settings, tmp_path: Path) -> None:
    pdf = make_pdf([PDF_TITLE, "The new library opened on Friday with 80,000 books."]).decode("latin-1")
    gone = str(tmp_path / "gone" / "library.pdf")
    docs = [Document(text=pdf, metadata={"file_path": gone, "file_name": "library.pdf"}),
            Document(text="Council backs bike lanes. The vote was 30 to 12 in favour.", metadata={"title": "Bikes"})]
    coll = Collection.open(settings, embedder=HashEmbedder())
    report = ingest_documents(coll, docs)
    assert report.summary()["added"] == 1 and len(report.failed) == 1, report  # the batch went on
    reason = report.failed[0].reason or ""
    assert gone in reason and "raw bytes of a PDF" in reason and f"rag ingest {gone}" in reason
    assert [a.title for a in coll.db.list_articles(None, 10)] == ["Bikes"]


def test_a_bad_file_behind_a_raw_document_fails_alone(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = make_pdf([PDF_TITLE, "The new library opened on Friday with 80,000 books."])
    (folder / "broken.pdf").write_bytes(pdf[: len(pdf) // 2])
    (folder / "ok.txt").write_text("Storm closes ports\n\nA storm closed two ports on Monday.", encoding="utf-8")
    results = [document_to_article(d, n, settings)
               for n, d in enumerate(SimpleDirectoryReader(str(folder)).load_data(), start=1)]
    assert isinstance(results[0], LoadFailure) and "broken.pdf" in results[0].reason
    assert isinstance(results[1], Article) and results[1].title == "Storm closes ports"


def test_japanese_text_in_a_document_is_not_a_raw_file() -> None:
    a = document_to_article(Document(text=f"東京で新しい図書館が開館\n\n{JA_BODY}\n{JA_BODY}",
                                     metadata={"file_path": "/x/ja.txt"}))
    assert isinstance(a, Article) and a.title == "東京で新しい図書館が開館"


@pytest.mark.parametrize("text", ["<p>Only a fragment of markup, saved as html.</p>"])
def test_markup_fragment_in_an_html_file_is_parsed_as_html(text: str) -> None:
    a = document_to_article(Document(text=text, metadata={"file_type": "text/html", "file_path": "/gone/f.html"}))
    assert isinstance(a, Article) and "<p>" not in a.text
