"""PDF articles, read by pypdf: the pages joined into one text (``join_pages``: page numbers and
running headers/footers out, a sentence that runs over a page break joined), the layout lines
unwrapped, the title from the PDF's metadata unless that is a file name (then the first line), and
the date from the text's first lines before the metadata's (see ``parse_pdf``).
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date

from index.formats.clean import _ENDS_SENTENCE, _glue, _wrap_width, normalise, strip_controls, unwrap_lines
from index.formats.dates import parse_date, split_date_line
from index.formats.quiet import Quiet
from index.formats.titles import HEADLINE_MAX, derive_title, shorten
from index.types import Article
from rag.errors import InputError

logger = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,3})?", re.IGNORECASE)
# a line among a page's first or last RUNNING_LINES (page numbers aside) found on at least this share
# of the pages is a running header or footer (two: a masthead over a date line, a date over an address)
RUNNING_SHARE = 0.5
RUNNING_LINES = 2
#: a line that ends in a closing quote ends its sentence unless the next goes on in lower case
_CLOSING_QUOTE = re.compile(r"[\"'”’»]$")
#: what may stand before the first word of a page that goes on with its sentence (“a disgrace”, $4m)
_OPENING = "\"'“‘«([£$€¥"
#: a /Title that names the file, not the article: what a browser's print (the page's file name or
#: address when it has no <title>), Word ("Microsoft Word - draft3.docx") or an editor's default sets
_FILE_NAME_TITLE = re.compile(
    r"\.(?:html?|xhtml|shtml|php|aspx?|docx?|odt|rtf|txt|md|pdf|pages|indd|pptx?|odp|xlsx?)$"
    r"|^(?:untitled\b|microsoft (?:word|powerpoint|excel|office word) - |(?:document|doc|presentation)\d*$)"
    r"|^[a-z][a-z0-9+.-]*://|^(?:[\w-]+\.)+[\w-]+(?::\d+)?/\S*$|^[\w.-]+:\d+(?:/\S*)?$|^[a-z]:\\",
    re.IGNORECASE)
#: a /Creator or /Producer of a PDF printed from a web page: its dates are when it was printed
_BROWSER_PRINT = re.compile(r"skia/pdf|\b(?:headless)?chrom(?:e|ium)\b|\bmozilla\b|\bfirefox\b|\bsafari\b|webkit"
                            r"|wkhtmltopdf|print to pdf", re.IGNORECASE)


def join_pages(pages: list[str]) -> str:
    """A PDF's page texts as one text: page numbers and running headers/footers (a line among a
    page's first or last two that recurs, digits aside, on half the pages or more) are dropped, each
    page's layout lines are unwrapped (``unwrap_lines``, at the wrap width of the whole document),
    and a sentence that runs over a page break is joined ("... the bridge would" + "reopen in May.");
    elsewhere a page break is a paragraph break: after a page that ends a sentence (``.``, ``!``,
    ``?``, a closing quote), a colon, or a short line (a heading) before a capitalised word.

    >>> join_pages(["Harbour News\\nBridge to reopen\\nThe council said the bridge would\\n1",
    ...             "Harbour News\\nreopen in May.\\n2"])
    'Bridge to reopen\\nThe council said the bridge would reopen in May.'
    """
    bodies = _page_bodies(pages)
    # measured on all pages at once: a short page (the last) has too few lines to show its width
    width = _wrap_width("\n\n".join(bodies))
    out, last = "", ""
    for body in bodies:
        if not body:
            continue
        text = unwrap_lines(body, pdf=True, width=width) if width else body
        if _runs_over(last, body):
            out = out.rstrip() + _glue(last, body) + text
        else:
            out += ("\n\n" if out else "") + text
        last = body.rsplit("\n", 1)[-1].rstrip()  # the layout line, not the unwrapped paragraph
    return out


def _page_bodies(pages: list[str]) -> list[str]:
    """Each page's text without its running headers/footers and page numbers ("" for a page of none)."""
    split = [normalise(p).split("\n") if p.strip() else [] for p in pages]  # blank lines inside a page stay

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.lower().split()))

    seen: dict[str, int] = {}
    for lines in split:
        filled = [ln for ln in lines if ln.strip() and not _PAGE_NUMBER.fullmatch(ln.strip())]
        for k in {key(ln) for ln in filled[:RUNNING_LINES] + filled[-RUNNING_LINES:]}:
            seen[k] = seen.get(k, 0) + 1
    running = {k for k, n in seen.items() if n >= 2 and n >= RUNNING_SHARE * len(split)}

    def furniture(line: str) -> bool:
        return key(line) in running or bool(_PAGE_NUMBER.fullmatch(line.strip()))

    bodies = []
    for lines in split:
        while lines and (furniture(lines[-1]) or not lines[-1].strip()):
            lines = lines[:-1]
        while lines and (furniture(lines[0]) or not lines[0].strip()):
            lines = lines[1:]
        bodies.append("\n".join(lines).strip())
    return bodies


def _runs_over(last: str, text: str) -> bool:
    """Whether a page whose last line is ``last`` goes on, mid-sentence, into a page starting with
    ``text``: ``last`` ends no sentence, and the page starts in lower case or, after a full line (a
    short one is a heading), with a word or a number (an opening quote or a currency sign aside)."""
    if not last or _ENDS_SENTENCE.search(last) or last.endswith(":"):
        return False
    first = text.lstrip(_OPENING)[:1]
    if _CLOSING_QUOTE.search(last):
        return first.islower()
    return first.islower() or (len(last) >= 40 and first.isalnum())


def parse_pdf(data: bytes, source: str, url: str | None = None) -> Article:
    """Text of every page; title from the PDF metadata (unless it is a file name: ``is_file_name_title``)
    or the first line; date from a date line among the text's first lines (``split_date_line``), else
    from the file's own dates (``production_date``, marked ``extra["date_source"] = "pdf_metadata"``)."""
    with _pypdf_quiet():
        return _parse_pdf(data, source, url)


def _parse_pdf(data: bytes, source: str, url: str | None) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(source, "the PDF is password-protected; save an unprotected copy and add that")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(source, f"could not be read as a PDF ({type(exc).__name__}: {exc}); "
                                 "check it opens in a PDF viewer, or export the article as text") from exc
    text = join_pages(pages)
    if not text:
        raise InputError(source, "is empty: the PDF has no extractable text (a scanned image?); "
                                 "run OCR on it first or add the article as text")
    published, text = split_date_line(text)  # "date 2026-11-10" under the headline: the article's own date
    extra: dict[str, str] = {}
    if published is None:
        published = production_date(meta)
        if published is not None:  # a guess: a feed's own date for the item replaces it (index.feeds)
            extra["date_source"] = "pdf_metadata"
    title = _meta_field(meta, "title")
    if not title or is_file_name_title(title):
        first = text.split("\n", 1)[0].strip()
        title = first if len(first) <= HEADLINE_MAX else derive_title(text)
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text,
                   author=_meta_field(meta, "author"), published=published, url=url, extra=extra)


def is_file_name_title(title: str) -> bool:
    """Whether a PDF's /Title names the file rather than the article: a file name ("ferries.html",
    "Microsoft Word - draft3.docx"), an editor's default ("Untitled", "Document1") or an address.

    >>> [is_file_name_title(t) for t in ("ferries.html", "Microsoft Word - draft3", "Untitled-2",
    ...                                  "127.0.0.1:8000/ferries", "Mayor opens new library", "AC/DC tour")]
    [True, True, True, True, False, False]
    """
    return bool(_FILE_NAME_TITLE.search(title.strip()))


def production_date(meta: object, today: date | None = None) -> date | None:
    """When the PDF file was made (/CreationDate, else /ModDate), as the article's date of last
    resort: only for a text that states none. Not when a browser printed it (/Creator or /Producer
    Chromium's Skia, Firefox, Safari, wkhtmltopdf, "Print to PDF": the print time, whatever the
    page's date) and not when it is the ingest day or later: a file made today is a copy made to be
    added, and taking its day would show an old article as today's news."""
    if meta is None:
        return None
    if any(_BROWSER_PRINT.search(_meta_field(meta, name) or "") for name in ("creator", "producer")):
        return None
    for name in ("creation_date", "modification_date"):
        try:
            found = parse_date(getattr(meta, name, None))
        except Exception:  # malformed date strings raise inside pypdf
            found = None
        if found is not None:
            return found if found < (today or date.today()) else None
    return None


_pypdf_quiet = Quiet("pypdf", logger)


def _meta_field(meta: object, name: str) -> str | None:
    try:
        value = getattr(meta, name, None) if meta is not None else None
    except Exception:
        return None
    value = " ".join(strip_controls(str(value)).split()) if value else ""
    return value or None
