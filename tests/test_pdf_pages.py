"""A PDF's pages read as one article: a sentence that runs over a page break is one sentence, and page
numbers and running headers/footers are not article text. Real multi-page PDFs, read by pypdf."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from index import formats
from index.collection import Collection
from rag.settings import Settings
from rag.text import split_sentences
from tests.fakes import HashEmbedder
from tests.test_load import one, pdf_file, write


def make_pages_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF with one page per list of Helvetica text lines (tests.test_load.make_pdf, paged)."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>"]
    font = 3 + 2 * n
    for i, lines in enumerate(pages):
        esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
        stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({ln}) Tj T*" for ln in esc) + " ET"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R >> >>"
                    f" /Contents {4 + 2 * i} 0 R >>")
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_file(objs)


FIRST = textwrap.wrap("The harbour bridge in Townville has been closed since March for repairs to its cables and "
                      "deck. On Tuesday the council said the bridge would", 80)
SECOND = textwrap.wrap("reopen to traffic in May, two weeks earlier than planned. Ferries will run until then.", 80)
JOINED = "On Tuesday the council said the bridge would reopen to traffic in May, two weeks earlier than planned."


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_a_sentence_over_a_page_break_is_one_sentence(tmp_path: Path) -> None:
    pdf = make_pages_pdf([["Bridge to reopen in May", *FIRST], SECOND])
    a = one(tmp_path, write(tmp_path / "bridge.pdf", pdf))
    assert JOINED in sentences(a.text)
    assert a.title == "Bridge to reopen in May"


def test_page_numbers_and_running_headers_between_are_dropped(tmp_path: Path) -> None:
    pages = [["Townville Gazette", "Bridge to reopen in May", *FIRST, "Page 1 of 2"],
             ["Townville Gazette", *SECOND, "Page 2 of 2"]]
    a = one(tmp_path, write(tmp_path / "gazette.pdf", make_pages_pdf(pages)))
    assert JOINED in sentences(a.text)
    assert "Gazette" not in a.text and "Page" not in a.text
    a = one(tmp_path, write(tmp_path / "numbered.pdf", make_pages_pdf([[*pages[0][1:-1], "1"], [*SECOND, "- 2 -"]])))
    assert JOINED in sentences(a.text) and "- 2 -" not in a.text


def test_a_page_that_ends_its_sentence_keeps_the_paragraph_break(tmp_path: Path) -> None:
    first = ["Bridge to reopen in May", "The council said on Tuesday that the harbour bridge would reopen in May."]
    second = ["Ferries will run until then, the operator said."]
    a = one(tmp_path, write(tmp_path / "ends.pdf", make_pages_pdf([first, second])))
    assert "reopen in May.\n\nFerries will run until then" in a.text
    # a page ending on a short unpunctuated heading, the next page starting a capitalised sentence: kept apart
    assert formats.join_pages(["Body text ends here.\nTransport", "Ferries will run."]) == \
        "Body text ends here.\nTransport\n\nFerries will run."


def test_a_one_page_text_keeps_its_lines_and_a_year() -> None:
    """Nothing recurs on one page: only a bare page number at its end is furniture, not a year."""
    assert formats.join_pages(["Budget 2024\nThe council set its budget.\n\nIt was approved.\n2024"]) == \
        "Budget 2024\nThe council set its budget.\n\nIt was approved.\n2024"
    assert formats.join_pages(["The council set its budget.\n3"]) == "The council set its budget."


# --- stored whole: the text that is indexed and cited ------------------------------------------

def stored_text(settings: Settings, embedder: HashEmbedder, path: Path) -> tuple[str, list[str]]:
    """(the stored article text, its chunks' sentences as stored) after ``Collection.ingest``."""
    with Collection.open(settings, embedder=embedder) as coll:
        report = coll.ingest(str(path))
        assert not report.failed, report
        row = coll.db.by_source(str(path.resolve()))
        assert row is not None
        text = coll.db.article_text(row.id) or ""
        chunks = coll.db.chunks_by_ids(coll.db.chunk_ids(row.id)).values()
        return text, [text[a:b] for c in chunks for a, b in c.sentences]


@pytest.mark.parametrize("footer", [None, "{n}", "Page {n} of 2", "- {n} -"])
def test_the_stored_text_holds_the_sentence_a_page_break_cut(
        tmp_path: Path, settings: Settings, fake_embedder: HashEmbedder, footer: str | None) -> None:
    pages = [["Bridge to reopen in May", *FIRST], SECOND]
    if footer:
        pages = [[*lines, footer.format(n=n)] for n, lines in enumerate(pages, start=1)]
    text, chunk_sentences = stored_text(settings, fake_embedder, write(tmp_path / "bridge.pdf", make_pages_pdf(pages)))
    assert JOINED in sentences(text) and JOINED in chunk_sentences
    assert "would\n" not in text and "Page" not in text and "- 2 -" not in text


def test_the_stored_text_keeps_a_paragraph_break_at_a_page_that_ends_its_sentence(
        tmp_path: Path, settings: Settings, fake_embedder: HashEmbedder) -> None:
    first = ["Bridge to reopen in May", *textwrap.wrap("The council said on Tuesday that the harbour bridge, closed "
                                                       "since March for repairs, would reopen in May.", 80), "1"]
    second = ["Ferries will run until then, the operator said.", "2"]
    text, _ = stored_text(settings, fake_embedder, write(tmp_path / "ends.pdf", make_pages_pdf([first, second])))
    assert text.endswith("would reopen in May.\n\nFerries will run until then, the operator said.")


BODY = ("The harbour bridge in Townville has been closed since March for repairs to its cables and deck. "
        "On Tuesday the council said the bridge would reopen to traffic in May, two weeks earlier than planned. "
        "Ferries will run until then, and the operator said it would add two extra sailings every weekday morning "
        "for commuters who work in the city centre and cannot wait for the bridge to reopen.")


def test_short_pages_are_unwrapped_like_long_ones(tmp_path: Path) -> None:
    """A page's last line joined to the next page's first is twice a line's length: measured with
    the other lines, such lines made a document of short pages look unwrapped (its wrap width over
    120), so every layout line of it stayed a line break and cut its sentences."""
    lines = textwrap.wrap(BODY, 80)
    pages = [[*lines[i:i + 2], f"Page {i // 2 + 1}"] for i in range(0, len(lines), 2)]
    pages[0].insert(0, "Bridge to reopen in May")
    a = one(tmp_path, write(tmp_path / "short.pdf", make_pages_pdf(pages)))
    assert len(pages) >= 3 and a.text == "Bridge to reopen in May\n" + BODY
    assert a.title == "Bridge to reopen in May"


def test_two_line_running_headers_and_footers_between_are_dropped(tmp_path: Path) -> None:
    header = ["Townville Gazette", "Tuesday 3 May 2024 | Local news"]
    footer = ["Townville Gazette, 3 May 2024", "www.townville-gazette.example"]
    pages = [[*header, "Bridge to reopen in May", *FIRST, *footer, "Page 1 of 2"],
             [*header, *SECOND, *footer, "Page 2 of 2"]]
    a = one(tmp_path, write(tmp_path / "gazette.pdf", make_pages_pdf(pages)))
    assert JOINED in sentences(a.text)
    assert a.text.startswith("Bridge to reopen in May\n") and a.title == "Bridge to reopen in May"
    assert "Gazette" not in a.text and "Local news" not in a.text and "www." not in a.text


def test_a_page_break_before_a_quote_or_after_one() -> None:
    line = "The harbour bridge has been closed since March. The mayor called the delay"
    # the next page opens with a quotation or an amount: still the same sentence
    assert formats.join_pages([line, '"a disgrace" and said it would reopen in May.']) == \
        line + ' "a disgrace" and said it would reopen in May.'
    assert formats.join_pages([line.replace("called the delay", "said the repairs had cost"), "$4m so far."]) == \
        line.replace("called the delay", "said the repairs had cost") + " $4m so far."
    # a page ending in a closing quote ends its sentence, unless the next page goes on in lower case
    quoted = 'The mayor told the council on Tuesday: "We will reopen the bridge in May"'
    assert formats.join_pages([quoted, "Ferries will run until then."]) == quoted + "\n\nFerries will run until then."
    assert formats.join_pages([quoted, "and ferries will run until then."]) == \
        quoted + " and ferries will run until then."
