"""A PDF's pages read as one article: a sentence that runs over a page break is one sentence, and page
numbers and running headers/footers are not article text. Real multi-page PDFs, read by pypdf."""

from __future__ import annotations

import textwrap
from pathlib import Path

from index import formats
from rag.text import split_sentences
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
