"""Per-format parsers for single documents (.txt, .md, .html, .pdf) and the text helpers they share.

Each parser takes the raw content plus the article's ``source`` and returns an ``Article``;
it raises ``InputError`` with a fixable reason when there is no article to be had.
The record dumps (.json/.jsonl/.csv) live in ``index.records``.

>>> a = parse_text(" date 2024-12-01 Storm hits coast\\n\\nA storm hit the coast.", "/x/a.txt")
>>> a.title, a.published.isoformat(), a.text
('Storm hits coast', '2024-12-01', 'A storm hit the coast.')
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from html.parser import HTMLParser

from rag.errors import InputError
from rag.text import UNSPACED_CHAR
from index.types import Article

logger = logging.getLogger(__name__)

TITLE_MAX = 90  # derived titles (first sentence) are cut to about this many characters
HEADLINE_MAX = 150  # a first line longer than this is body text, not a headline

_DATE_PREFIX = re.compile(r"\A[ \t]*date[ \t]*:?[ \t]*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
_DATE_LINE = re.compile(r"\A[ \t]*(?:date|published)[ \t]*:[ \t]*([^\n]{4,60})(?:\n|\Z)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|\Z)")
_INNER_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z“\"']")


# --- text helpers --------------------------------------------------------------------------

def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text: BOM, then a declared charset, then UTF-8, cp1252, latin-1 (which never fails)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    for codec in ([declared] if declared else []) + ["utf-8", "cp1252", "latin-1"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


#: HTML ``<meta charset>`` / ``http-equiv`` Content-Type and the XML declaration's encoding, looked
#: for where browsers look (the start of the page; we allow more than their 1024 bytes, since pages
#: with long <head> comments or scripts before the tag are common in saved news pages).
_HTML_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([-\w.:]+)"""
    rb"""|<\?xml\b[^>]*?\bencoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE)
_CHARSET_SCAN = 16384

#: Labels that browsers decode with another codec (the WHATWG Encoding Standard's label table):
#: pages labelled latin-1/ascii are really windows-1252, Shift_JIS pages use Microsoft's superset, ...
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254", "latin5": "cp1254",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874", "iso-8859-11": "cp874",
}


def html_charset(data: bytes) -> str | None:
    """The codec an HTML page's bytes declare (``<meta charset>``, ``<meta http-equiv=Content-Type>``
    or an XML declaration) as a Python codec name, or None.

    Use it when the transport gave no charset (a file; a server whose Content-Type has none): an
    HTTP header's charset wins over the page's own, as in browsers. A UTF-16 label is ignored (the
    tag could only be read because the bytes are ASCII-compatible; a real UTF-16 page has a BOM),
    and so is a label Python does not know.

    >>> html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
    'cp932'
    """
    m = _HTML_CHARSET.search(data[:_CHARSET_SCAN])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "replace").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        logger.debug("unknown charset label %r", label)
        return None
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode an HTML page: a BOM, then ``declared`` (the HTTP header's charset), then the page's own
    declaration (``html_charset``), then what ``decode_bytes`` guesses: the browsers' order.

    A page that is valid UTF-8 (with non-ASCII in it) is read as UTF-8 whatever its tag says: pages
    re-saved as UTF-8 by editors and tools keep their old ``<meta charset>``, while text in a legacy
    charset is practically never valid UTF-8 (measured: every Shift_JIS, cp1251 and cp1252 test page
    fails it). A header charset that cannot read the bytes gives way to the page's own."""
    own = html_charset(data)
    if own and own != "utf-8" and not data.isascii() and _decodes(data, "utf-8"):
        own = None
    for charset in (declared, own):
        if charset and _decodes(data, charset):
            return decode_bytes(data, charset)
    return decode_bytes(data)


def _decodes(data: bytes, charset: str) -> bool:
    try:
        data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


#: Signatures of common binary formats: (offset, magic bytes, what to call it). Each is either long
#: or holds bytes that never start a text file, so no article can match one by its first words
#: (``filetype``'s matchers would refuse an article starting "MZ", "FWS" or "ID3"). PDF is not here:
#: it is a supported format.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"), (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"), (0, b"GIF89a", "a GIF image"), (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"), (0, b"8BPS", "a Photoshop image"), (0, b"wOFF", "a font"),
    (0, b"wOF2", "a font"), (0, b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.pptx/.odt/.epub)"),
    (0, b"PK\x05\x06", "a ZIP archive"), (0, b"PK\x07\x08", "a ZIP archive"), (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xfd7zXZ\x00", "an xz archive"), (0, b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"), (0, b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (0, b"\x04\x22\x4d\x18", "an lz4 archive"), (257, b"ustar", "a tar archive"),
    (0, b"\x7fELF", "an ELF executable"), (0, b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "a Mach-O executable"), (0, b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "a Mach-O executable"), (0, b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc/.xls/.ppt)"),
    (0, b"ID3\x02", "an MP3 file"), (0, b"ID3\x03", "an MP3 file"), (0, b"ID3\x04", "an MP3 file"),
    (0, b"\xff\xfb", "an MP3 file"), (0, b"\xff\xf3", "an MP3 file"), (0, b"\xff\xf2", "an MP3 file"),
    (0, b"OggS\x00", "an Ogg audio/video file"), (0, b"fLaC", "a FLAC file"),
    (0, b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"), (0, b"FLV\x01", "a Flash video"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "a Windows Media file"), (0, b"\x00asm", "a WebAssembly module"),
)


def binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` starts like ("a PNG image", ...), by its magic bytes; else None.

    >>> binary_kind(b"\\x89PNG\\r\\n\\x1a\\n..."), binary_kind(b"MZ Wallace opens a store")
    ('a PNG image', None)
    """
    for offset, magic, name in _MAGIC:
        if data[offset:offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "a WAV file", b"AVI ": "an AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp" and data[:2] == b"\x00\x00":  # an ISO box: its 32-bit size, then "ftyp"
        return "an MP4/MOV/HEIC file"
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    if data[:2] == b"MZ" and len(data) >= 64:  # a DOS header pointing at a PE header
        pe = int.from_bytes(data[60:64], "little")
        if data[pe:pe + 4] == b"PE\x00\x00":
            return "a Windows executable"
    return None


#: The share of a file's first characters (``unreadable_share``) above which it is binary, not text.
#: Measured on decoded text: all 2,225 BBC articles (/work/shared/corpora/bbc-news/bbc), the HTML,
#: markdown, JSON and CSV fixtures, seeds/, the SQuAD/RealTimeQA corpora, Japanese (Shift_JIS) and
#: Russian (cp1251) pages, Arabic, Hindi, Chinese, Korean, Thai and emoji text: 0.0% each (not one
#: such character). Worst real case we could build: a BBC article with curly quotes saved as cp1252
#: plus one byte cp1252 lacks, so it falls back to latin-1 and every quote becomes a C1 control:
#: 2.3% at most. Random non-NUL bytes: 22.8-23.5% (latin-1 turns 0x01-0x1f and 0x7f-0x9f into
#: controls); random bytes behind a UTF-16 BOM: 14.5-15.6%. 10% sits between with room both ways.
UNREADABLE_MAX = 0.10
_UNREADABLE_SAMPLE = 65536  # characters looked at: the start says whether it is text, and it is fast


def unreadable_share(text: str) -> float:
    """The share of ``text``'s first characters that no text has: control characters (other than
    tab, newlines, vertical tab and form feed), surrogates, private-use and unassigned code points
    (in the BMP), and U+FFFD (bytes the decoder could not read)."""
    sample = text[:_UNREADABLE_SAMPLE]
    if not sample:
        return 0.0
    bad = 0
    for ch in sample:
        if ch < " " and ch in "\t\n\r\x0b\x0c":
            continue
        category = unicodedata.category(ch)
        # unassigned above the BMP is most likely an emoji newer than Python's Unicode tables
        # (U+1FAF6 🫶 is "Cn" in Python 3.11), so only the BMP's unassigned code points count
        if ch == "\ufffd" or category in ("Cc", "Cs", "Co") or (category == "Cn" and ch <= "\uffff"):
            bad += 1
    return bad / len(sample)


#: Terminal escape sequences, taken out whole (their parameters are not text: "\x1b[31m12 days\x1b[0m"
#: is "12 days"): CSI (colours, cursor moves), OSC (window titles, hyperlinks; ended by BEL or ST,
#: else at the line's end), DCS/SOS/PM/APC strings, two-character ESC sequences, and the 8-bit CSI
#: and OSC (U+009B, U+009D; a U+009B without parameters is left to ``_CONTROLS``: in mis-decoded
#: cp1252 text it is "›").
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]|\x9b[0-?]+[ -/]*[@-~]|\x9d[^\x07\x9c\x1b\n]*(?:\x07|\x9c)?")


def _control_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {c: None for c in (*range(0x20), 0x7F)}
    del table[ord("\t")], table[ord("\n")]
    table[0x0B] = table[0x0C] = "\n"  # vertical tab, form feed (pdftotext's page break): line breaks
    for c in range(0x80, 0xA0):
        # a C1 control in text is a cp1252 character read as latin-1 (decode_bytes' last resort, or
        # text decoded so before it reached us): U+0093 is a curly quote, U+0085 an ellipsis (what
        # ftfy's fix_c1_controls does); the five bytes cp1252 leaves undefined are dropped
        try:
            table[c] = bytes([c]).decode("cp1252")
        except UnicodeDecodeError:
            table[c] = None
    return table


_CONTROLS = _control_table()
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences or control characters (but \\n and \\t): a file's
    ANSI colours ("\x1b[31m12 days\x1b[0m") must not reach a stored quote, an answer or a terminal.

    >>> strip_controls("Ships waited \x1b[1;31m12 days\x1b[0m\x07 offshore")
    'Ships waited 12 days offshore'
    """
    if not _ANY_CONTROL.search(text):  # the common case: nothing to do
        return text
    return _ESCAPES.sub("", text).translate(_CONTROLS)


def normalise(text: str) -> str:
    """Newlines to \\n, no control characters or escape sequences (``strip_controls``), no trailing
    spaces, at most two blank lines in a row, no outer whitespace."""
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


def parse_date(value: object) -> date | None:
    """A date from ISO dates/datetimes, RFC 2822, '1 December 2024', or a Unix timestamp; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds are common in dumps
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not _YEAR.search(text):  # dateutil would happily turn "5" into the 5th of this month
        return None
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(text, default=datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError, TypeError):
        logger.debug("unparseable date %r", text)
        return None


def derive_title(text: str) -> str:
    """The first sentence of the text, cut at a word boundary to about TITLE_MAX characters."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    end = _SENTENCE_END.search(first)
    sentence = first[: end.end()] if end else first
    return shorten(sentence, TITLE_MAX)


def shorten(text: str, limit: int) -> str:
    """One line of at most about ``limit`` characters, cut at a word; every title passes here, so it
    also takes out control characters and escape sequences (``strip_controls``)."""
    text = " ".join(strip_controls(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def split_date_prefix(text: str) -> tuple[date | None, str]:
    """Take a leading ``date YYYY-MM-DD`` prefix (rest of line kept) or ``Date: ...`` line off the text."""
    m = _DATE_PREFIX.match(text)
    if m:
        found = parse_date(m.group(1))
        if found:
            return found, text[m.end():].lstrip()
    m = _DATE_LINE.match(text)
    if m:
        found = parse_date(m.group(1))
        if found:
            return found, text[m.end():].lstrip()
    return None, text


def split_title(text: str) -> tuple[str, str]:
    """(title, body): a short headline-like first line becomes the title and leaves the body.

    Otherwise the title is derived from the first sentence and the text stays intact, so that
    nothing of an article whose first line is a sentence is lost.
    """
    first, _, rest = text.partition("\n")
    line, body = first.strip(), rest.strip()
    if line and body and len(line) <= HEADLINE_MAX and not _INNER_BOUNDARY.search(line):
        ends_like_sentence = line.endswith((".", ",", ";", ":"))
        followed_by_blank = rest.startswith("\n")
        if followed_by_blank or not ends_like_sentence:
            return shorten(line, HEADLINE_MAX), body
    return derive_title(text), text


#: Hard-wrapped text: a line break inside a paragraph is a space. A .txt is taken as hard-wrapped
#: when at least WRAP_MIN_LINES lines run on into a next line (list items aside), their wrap width (the 90th percentile
#: of their lengths) is in WRAP_WIDTHS, at least WRAP_NEAR of them reach 3/4 of it and at most
#: WRAP_ENDS end a sentence (a wrapped line ends one by chance; a line per sentence or paragraph
#: always does). Measured on all 2,225 BBC articles (one line per paragraph, blank lines between):
#: 19 hold lines that run on, all bulleted lists ("- Increased spending on ..."): none is taken as
#: wrapped, and parse_text reads every one byte for byte as before (title, text and date compared
#: with those of the parser before this rule; tests/test_formats_newuser.py checks that no BBC file
#: is taken as wrapped, and a few against their text as it was).
WRAP_MIN_LINES = 3
WRAP_WIDTHS = range(40, 121)
WRAP_NEAR = 0.7
WRAP_ENDS = 0.4
_LIST_ITEM = re.compile(r"(?:[-*+•·–—]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")
_ENDS_PUNCTUATED = re.compile(r"[.,;:!?…\"'”’)\]\-–—]$")


def unwrap_lines(text: str, *, pdf: bool = False) -> str:
    """Join the soft line breaks of hard-wrapped text (a PDF's layout lines, a .txt wrapped at ~70
    columns) into spaces, so that the sentence splitter, which ends a sentence at every line break,
    sees whole sentences. Blank lines stay paragraph breaks; a short line stays the end of its
    paragraph; a heading (a block's first line, unpunctuated, before a capitalised line) stays
    separate unless the next word could not have fitted on it; a list item stays on its own line.
    A .txt is changed only when it looks hard-wrapped (see WRAP_MIN_LINES); ``pdf=True`` skips that
    test, a PDF's text being all layout lines.

    >>> unwrap_lines("Record catch for Kelso\\nFishermen in the port of Kelso landed a record 4,800\\n"
    ...              "tonnes of mackerel this week, the harbour master said.", pdf=True).split("\\n")
    ['Record catch for Kelso', 'Fishermen in the port of Kelso landed a record 4,800 tonnes of \
mackerel this week, the harbour master said.']
    """
    lines = text.split("\n")
    runs_on = [i for i in range(len(lines) - 1) if lines[i].strip() and lines[i + 1].strip()
               and not _LIST_ITEM.match(lines[i].lstrip()) and not _LIST_ITEM.match(lines[i + 1].lstrip())]
    if not runs_on:
        return text
    lengths = sorted(len(lines[i]) for i in runs_on)
    width = lengths[round((len(lengths) - 1) * 0.9)]  # the wrap width, a long line or two aside
    if width not in WRAP_WIDTHS:
        return text
    if not pdf:
        near = sum(n >= 0.75 * width for n in lengths) / len(lengths)
        ends = sum(bool(_ENDS_SENTENCE.search(lines[i])) for i in runs_on) / len(runs_on)
        if len(runs_on) < WRAP_MIN_LINES or near < WRAP_NEAR or ends > WRAP_ENDS:
            return text
    soft = {i for i in runs_on if _soft_break(lines, i, width, pdf)}
    if not soft:
        return text
    out = [lines[0]]
    for i in range(1, len(lines)):
        if i - 1 in soft:
            nxt = lines[i].strip()
            # "two-" + "year": the hyphen is kept (it may be a compound's), the space is not
            glue = "" if re.search(r"[^\W\d_]-$", out[-1]) and nxt[:1].islower() else " "
            out[-1] += glue + nxt
        else:
            out.append(lines[i])
    return "\n".join(out)


def _soft_break(lines: list[str], i: int, width: int, pdf: bool) -> bool:
    line, nxt = lines[i].rstrip(), lines[i + 1].strip()
    forced = len(line) + 1 + len(nxt.split()[0]) > width  # the next word would not have fitted
    starts_block = i == 0 or not lines[i - 1].strip()
    if starts_block and not _ENDS_PUNCTUATED.search(line) and (nxt[:1].isupper() or nxt[:1].isdigit()):
        # a headline over its first paragraph, or a wrapped line that ends before a name; in a PDF
        # (proportional type: "could not have fitted" is no test) only a line nearly full is wrapped
        return len(line) >= 0.9 * width if pdf else forced
    return forced or len(line) >= (0.7 if pdf else 0.6) * width


def _require_text(text: str, item: str, what: str) -> None:
    if not text.strip():
        raise InputError(item, f"is empty: no text found in this {what}; remove it or add the article text")


# --- plain text and markdown --------------------------------------------------------------

def parse_text(raw: str, source: str, url: str | None = None) -> Article:
    text = unwrap_lines(normalise(raw))
    _require_text(text, source, "text file")
    published, text = split_date_prefix(text)
    _require_text(text, source, "text file")
    title, text = split_title(text)
    if published is None:  # "Headline\n\ndate 2024-03-12\n...": the date line may follow the title
        after, rest = split_date_prefix(text)
        if after is not None and rest.strip():
            published, text = after, rest
    return Article(source=source, title=title, text=text, published=published, url=url)


def parse_markdown(raw: str, source: str, url: str | None = None) -> Article:
    """A .md file as plain text, as an HTML page of it would read: front matter is metadata, the
    first ``#`` heading the title, and the markup goes (``markdown_to_text``)."""
    meta, body = split_front_matter(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = normalise(body)
    _require_text(text, source, "markdown file")
    published = parse_date(meta.pop("date", None) or meta.pop("published", None))
    prefix_date, text = split_date_prefix(text)
    published = published or prefix_date
    title = markdown_inline(meta.pop("title", ""))
    heading = re.match(r"\A#[ \t]+(.+?)[ \t#]*(?:\n|\Z)", text) or re.match(r"\A([^\n]+)\n=+[ \t]*(?:\n|\Z)", text)
    if heading and (not title or markdown_inline(heading.group(1)) == title) and text[heading.end():].strip():
        title, text = title or markdown_inline(heading.group(1)), text[heading.end():]
    text = normalise(markdown_to_text(text))
    if not title:
        title, text = split_title(text)
    _require_text(text, source, "markdown file")
    author = meta.pop("author", None) or meta.pop("byline", None)
    url = meta.pop("url", None) or meta.pop("link", None) or url
    extra = {k: v for k, v in meta.items() if v and len(v) < 100}
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text, author=author or None,
                   published=published, url=url, extra=extra)


_markdown_parser = None


def _markdown():  # type: ignore[no-untyped-def]
    global _markdown_parser
    if _markdown_parser is None:
        from markdown_it import MarkdownIt

        # CommonMark plus GFM tables and ~~strikethrough~~; raw HTML is parsed so its tags can go
        _markdown_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _markdown_parser


def markdown_to_text(md: str) -> str:
    """Markdown as the plain text its HTML page shows: emphasis and code marks, heading ``#``s,
    ``>`` quote marks, list markers, code fences and HTML tags go; a link is its text; an image
    goes (alt text is "photo" as often as a caption); a paragraph's soft line breaks are spaces.
    Blocks are separated by a blank line, a tight list's items and a table's rows by a line break
    (a row as ``| a | b |``, as trafilatura writes an HTML table's).

    >>> markdown_to_text("> The [library](https://x.org) cost **£18m**.\\n\\n- one\\n- two\\n\\n![photo](a.jpg)")
    'The library cost £18m.\\n\\none\\ntwo'
    """
    out: list[str] = []
    last = ""  # what the previous piece was: "item" (a tight list's paragraph), "row" or "block"
    cells: list[str] = []
    in_cell = tight = False

    def emit(piece: str, kind: str) -> None:
        nonlocal last
        if not piece.strip():
            return
        if out:
            out.append("\n" if kind == last and kind in ("item", "row") else "\n\n")
        out.append(piece.strip("\n"))
        last = kind

    for token in _markdown().parse(md):
        kind = token.type
        if kind == "paragraph_open":
            tight = token.hidden  # markdown-it hides the paragraphs of a tight list's items
        elif kind in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = kind.endswith("_open")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            last = ""  # a list starts a block of its own, even right after another list
        elif kind == "tr_open":
            cells = []
        elif kind == "inline" and in_cell:
            cells.append(_inline_text(token.children or []))
        elif kind == "inline":
            emit(_inline_text(token.children or []), "item" if tight else "block")
        elif kind == "tr_close":
            emit("| " + " | ".join(cells) + " |", "row")
        elif kind in ("fence", "code_block"):
            emit(token.content, "block")
        elif kind == "html_block":
            emit(_untagged(token.content), "block")
    return "".join(out)


def markdown_inline(md: str) -> str:
    """One line of inline markdown (a title) as plain text: ``Library reopens after **two-year** refit``
    is ``Library reopens after two-year refit``."""
    if not md.strip():
        return ""
    return " ".join(_inline_text(_markdown().parseInline(md.strip())[0].children or []).split())


def _inline_text(children: list) -> str:  # type: ignore[type-arg]
    parts = []
    for t in children:
        if t.type in ("text", "code_inline"):
            parts.append(t.content)
        elif t.type == "softbreak":
            parts.append(" ")  # a line break inside a paragraph (hard-wrapped source) is a space
        elif t.type == "hardbreak" or t.type == "html_inline" and re.match(r"<br\b", t.content, re.IGNORECASE):
            parts.append("\n")
        # images, link/emphasis/strikethrough open and close marks and other inline tags: nothing
    return re.sub(r" *\n *", "\n", "".join(parts))


def _untagged(html: str) -> str:
    """A raw HTML block's text: comments and tags out, entities read."""
    import html as htmllib

    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", html, flags=re.DOTALL)
    return "\n".join(" ".join(line.split()) for line in htmllib.unescape(text).split("\n"))


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` delimited ``key: value`` lines at the very top -> (lower-cased keys -> values, rest)."""
    m = re.match(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-", "#")):
            value = strip_controls(value).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
    return meta, text[m.end():]


# --- HTML ----------------------------------------------------------------------------------

class _PageScan(HTMLParser):
    """Stdlib fallback: <title>, <meta> tags, <time datetime> and the visible text of a page."""

    _SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "header", "aside"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "blockquote", "pre", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self.times: list[str] = []
        self.parts: list[str] = []
        self._in_title = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"].strip()
        elif tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        elif tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)


_META_TITLE = ("og:title", "twitter:title", "headline", "dc.title")
_META_AUTHOR = ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
_META_DATE = ("article:published_time", "datepublished", "date", "pubdate", "publish-date", "dc.date",
              "dc.date.issued", "sailthru.date", "parsely-pub-date", "og:published_time")


def parse_html(raw: str, source: str, url: str | None = None) -> Article:
    """Main text via trafilatura (boilerplate removed); metadata from it, then from <title>/<meta>.

    The date comes from ``html_date`` (see there); ``extra["date_source"]`` says which rule found
    it, so a feed's own date can replace a mere guess (``index.feeds.with_feed_metadata``)."""
    from trafilatura import bare_extraction

    # escape sequences go before lxml sees the page: it drops an ESC and keeps the rest ("[31m")
    raw = strip_controls(raw)

    scan = _PageScan()
    try:
        scan.feed(raw)
        scan.close()
    except Exception as exc:  # html.parser is lenient, but never let metadata sink the article
        logger.debug("html scan of %s failed: %s", source, exc)
    doc = bare_extraction(raw, url=url, with_metadata=True, include_comments=False, include_tables=True)
    found = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    text = normalise(_unboxed(found.get("text") or "")) or normalise(scan.text())
    if not text:
        raise InputError(source, "no article text found in this HTML page (is it rendered by JavaScript?); "
                                 "save the article as text or PDF and add that instead")
    title = (found.get("title") or _first(scan.meta, _META_TITLE) or scan.title or "").strip()
    title = " ".join(title.split())
    if _LISTING.match(title):
        raise InputError(source, f"is a directory listing ({title!r}), not an article; add the files it lists")
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1:].lstrip()  # the headline is a field, not the first paragraph
    _require_article(text, raw, source)
    published, date_source = html_date(raw, scan, found.get("date"))
    author = found.get("author") or _first(scan.meta, _META_AUTHOR)
    return Article(source=source, title=shorten(title, HEADLINE_MAX) if title else derive_title(text),
                   text=text, author=author or None, published=published, url=url,
                   extra={"date_source": date_source} if date_source else {})


#: Page furniture: what a paywall, a cookie wall, a menu or a video player page shows instead of an
#: article. A line or sentence matching one of these is not counted as article text (it stays in the
#: stored text of a real article; only the count ignores it).
_FURNITURE: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
    ("a paywall", r"\b(?:reached|used|hit) (?:your|the) (?:monthly |weekly )?(?:limit|maximum)|\bfree (?:articles?|stories|reads)\b"
                  r"|^subscribe\b|\bsubscribe (?:now|today|here|for|to (?:continue|keep|read|get|unlock|our))\b|\bsubscri(?:ber|ption)s? only\b"
                  r"|\bfor subscribers\b|\balready (?:a subscriber|a member|have an account)|\b(?:continue|keep) reading\b"
                  r"|\bread the (?:full|whole|rest of the) (?:article|story)|\bpaywall\b|\b(?:sign|log) in to (?:continue|read|keep|view|access)"
                  r"|^(?:sign|log) (?:in|up|out)\b|\bcreate (?:a |an |your )?(?:free )?account\b|\bregister (?:now|for free|free)\b"),
    ("a cookie notice", r"\b(?:we|this (?:site|website)|our (?:site|website|partners)) uses? cookies\b|\bcookies? (?:policy|settings|preferences|notice|consent)\b"
                        r"|\b(?:accept|reject|allow|use of|manage) (?:all )?cookies\b|\bconsent (?:settings|preferences|choices)\b|\bprivacy (?:settings|choices)\b"
                        r"|^(?:accept|reject|allow|deny|decline|manage|customi[sz]e)(?: all)?(?: (?:settings|preferences|choices|options))?[.!]?$"
                        r"|^(?:ok|okay|got it|i agree|agree|close|dismiss)[.!]?$"),
    ("a video or audio player", r"^(?:video|watch(?: now| live)?|listen(?: now)?|audio|podcast|gallery|photos?|pictures|in pictures|slideshow|live)\s*[:|–—]"
                                r"|\bmedia playback is (?:un|not )supported|\bbrowser does not support|^(?:play|replay|watch) (?:the )?(?:video|clip|audio)\b"
                                r"|\bthis (?:video|clip) (?:is no longer|has been removed|cannot be played)|\bclick to play\b|^image (?:source|caption|copyright)\b"),
    ("an error or robot check", r"\bpage (?:was )?not found\b|^(?:error )?404(?:\s*[-:–—|]|\s+(?:error|not found|page))|\benable javascript\b"
                                r"|\bjavascript is (?:disabled|required|not enabled)|\bsomething went wrong\b|^access denied\b"
                                r"|\b(?:are you a robot|verify (?:that )?you are (?:a )?human)|\bchecking your browser"),
    ("navigation", r"^(?:home|menu|search|skip to(?: main)? content|back to top|share(?: this)?(?: (?:article|story|page|on \w+))?|advertisement|advert"
                   r"|sponsored(?: content)?|related(?: (?:articles|stories|content))?|read more|more(?: stories)?|most (?:read|popular|viewed)"
                   r"|follow us\b.*|newsletters?|sign up(?: (?:for|to) (?:our |the )?newsletters?.*)?|contact(?: us)?|about(?: us)?"
                   r"|privacy(?: policy)?|terms (?:of (?:use|service)|and conditions)|all rights reserved\.?|©.*|(?:\(c\)|copyright)\s+(?:\d{4}|©).*"
                   r"|loading\W*)$"),
))
_MENU_SEPARATOR = re.compile(r"\s*[|•·›»]\s*|\s+/\s+")
_PLAYER = re.compile(r"<(?:video|audio)\b|<iframe\b[^>]*\b(?:youtube|vimeo|dailymotion|player|embed)", re.IGNORECASE)

#: A page whose text, furniture (``_FURNITURE``, menus) aside, holds fewer words than this is no
#: article. Measured: every BBC article (2,225) and every RealTime QA article (3,359), each wrapped
#: in minimal HTML (<title>, <h1>, a <p> per paragraph) and read by parse_html: none rejected. The
#: shortest real article accepted keeps 19 words of prose (RealTime QA rtqa-d08046e082e8, a photo
#: caption: "Taylor Swift accepts the award for best longform video for ..."); the shortest BBC one
#: 83 (politics/397). The new-user report's paywall, cookie-wall and video pages keep 0. The floor
#: is a sentence, not a length: a one-line brief or page is an article (tests elsewhere store
#: 6-10 word pages); what tells a paywall from a brief is its furniture, and a player page's is
#: the player (PLAYER_PAGE_MIN_WORDS, under the 19 of the shortest real article).
PROSE_MIN_WORDS = 5
#: On a page that embeds a video/audio player, the words of prose below which it is the player's page.
PLAYER_PAGE_MIN_WORDS = 15


def prose_words(text: str) -> tuple[int, list[str]]:
    """(words of article prose in ``text``, the kinds of page furniture found in it). A menu line
    ("Home | About | Contact"), a cookie or paywall notice, a player's label ("Video: storm hits
    coast") is furniture, and a sentence of under three words not prose; a word of a script written
    without spaces (Chinese, Japanese, Thai) counts one per two of its characters."""
    words, kinds = 0, []
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])[\"'”’)\]]*\s+", line.strip()):
            items = [x for x in _MENU_SEPARATOR.split(sentence) if x]
            if len(items) > 1 and all(len(x.split()) <= 3 for x in items):
                kinds.append("navigation")  # "Home | About | Contact", "Accept all | Reject"
                continue
            kind = next((k for k, rx in _FURNITURE if rx.search(sentence)), None) if len(sentence) < 300 else None
            count = sum(1 + len(UNSPACED_CHAR.findall(w)) // 2 for w in sentence.split() if any(c.isalpha() for c in w))
            if kind:
                kinds.append(kind)
            elif count >= 3:
                words += count
    return words, list(dict.fromkeys(kinds))


def _require_article(text: str, raw: str, source: str) -> None:
    words, kinds = prose_words(text)
    player = bool(_PLAYER.search(raw)) and words < PLAYER_PAGE_MIN_WORDS
    if words >= PROSE_MIN_WORDS and not player:
        return
    found = ", ".join(kinds + (["a video or audio player"] if player and "a video or audio player" not in kinds else []))
    raise InputError(source, "no article text: the page holds only navigation/cookie/paywall text"
                             + (f" (found: {found})" if found else "") + "; if the article shows when you open the "
                             "page in a browser (signed in, for a subscribers' page), save it as text or PDF and add that")


_LISTING = re.compile(r"(?:Index of|Directory listing for) /")  # Apache, nginx, python -m http.server


def _unboxed(text: str) -> str:
    """trafilatura's text with the borders of one-cell table rows taken off: a page laid out in a
    table ("| Published: ... The council voted ... |") is prose; a row of several cells ("| a | b |")
    is kept as it is."""
    out = []
    for line in text.split("\n"):
        m = re.fullmatch(r"\|\s*(.*?)\s*\|", line.strip())
        out.append(m.group(1) if m and " | " not in m.group(1) else line)
    return "\n".join(out)


#: ``date_source`` values, most to least trusted. "text" is a date trafilatura found by searching the
#: page's text (htmldate's extensive search): often right, but a guess (see ``html_date``).
DATE_SOURCES = ("htmldate", "meta", "time", "text")


def html_date(raw: str, scan: _PageScan, extracted: object = None) -> tuple[date | None, str | None]:
    """The page's publication date and which rule found it.

    Order, measured on htmldate's labelled pages (adbar/htmldate tests/eval_mediacloud_2020.json,
    200 news pages, and tests/eval_default.json, 800 mixed pages; right / wrong / none):

    * htmldate, markup only (``extensive_search=False, original_date=True``): 170/12/18 and 693/59/48
    * our <meta>/<time> rules alone: 115/5/80 and 477/46/277; after htmldate they added no page
      (kept: they are cheap, and read the <meta> names htmldate does not know)
    * trafilatura's date (htmldate's extensive text search), what this function replaced as the
      first rule: 176/19/5 and 724/71/5
    * this chain (htmldate, rules, then trafilatura's date): 178/17/5 and 726/70/4: more right and
      fewer wrong than before; the last step is marked "text" so a feed's date can override it.
    * with a day required (below): 178/14/8 and 726/66/8, the same right dates and 7 wrong ones
      fewer (all 7 were 1 January or a 1st from a copyright line, a bare year or a month; measured
      with and without the page's URL given to trafilatura, alike).

    A date is taken only with its day, or at least its month from a real date element: htmldate's
    text search turns "© 2024" or any bare year into 2024-01-01 and "March 2024" into 2024-03-01,
    so a 1st from it counts only if the page writes that day (``_written_with_day``); htmldate's
    1 January from markup (itemprop=copyrightYear) likewise; a <meta>/<time> of a year alone is none.
    A month from markup (<time datetime="2024-03">) is stored as its 1st, as our own rules store it:
    htmldate hands it back with today's day of the month (dateutil's default).

    htmldate is given the HTML as a string and never a URL: a page whose whole body looks like a URL
    would make it download that URL, so such a body skips htmldate.
    """
    found = _htmldate(raw)
    if found and not _written_with_day(raw, found):
        if found.month == found.day == 1:
            found = None  # htmldate's reading of itemprop=copyrightYear: a year, not a date
        elif found.day == date.today().day:
            found = found.replace(day=1)  # a month ("2024-03"): dateutil gave it today's day
    if found:
        return found, "htmldate"
    meta = _element_date(_first(scan.meta, _META_DATE))
    if meta:
        return meta, "meta"
    stamped = next(filter(None, map(_element_date, scan.times)), None)
    if stamped:
        return stamped, "time"
    guessed = parse_date(extracted)
    if guessed and (guessed.day != 1 or _written_with_day(raw, guessed)):
        return guessed, "text"
    return None, None


_MONTH_NAMES = (  # English, German, French, Spanish, Italian: enough letters to tell them apart
    ("jan", "janv", "ene", "gen", "jän"), ("feb", "fév", "fev", "febr"), ("mar", "mär", "mars", "marz"),
    ("apr", "avr", "abr"), ("may", "mai", "mayo", "mag"), ("jun", "juin", "giu"), ("jul", "juil", "lug"),
    ("aug", "août", "aout", "ago"), ("sep", "set"), ("oct", "okt", "ott"), ("nov",), ("dec", "dez", "déc", "dic"))


def _written_with_day(raw: str, day: date) -> bool:
    """Whether the page writes ``day`` with its day of the month (2024-03-01, 01/03/2024, 1.3.24,
    1 March 2024, March 1st, 2024, ...). htmldate's text search turns "© 2024" and a bare "2024" into
    2024-01-01 and "March 2024" into 2024-03-01: a date it read with a day is on the page."""
    y, m, dd = day.year, day.month, f"0?{day.day}"
    d = dd + ("(?:st|er|\\.)?" if day.day == 1 else "(?:st|nd|rd|th|\\.)?")
    months = "|".join(re.escape(n) for n in _MONTH_NAMES[m - 1])
    pattern = (rf"(?<!\d){y}[-/.]0?{m}[-/.]{dd}(?!\d)|(?<!\d){y}{m:02}{day.day:02}(?!\d)"
               rf"|(?<!\d){dd}[-/.]0?{m}[-/.](?:{y}|{y % 100:02})(?!\d)|(?<!\d)0?{m}[-/.]{dd}[-/.](?:{y}|{y % 100:02})(?!\d)"
               rf"|(?<!\w){d}\s*(?:of\s+|de\s+)?(?:{months})[^\W\d]*\.?,?\s+(?:de\s+)?{y}(?!\d)"
               rf"|(?<!\w)(?:{months})[^\W\d]*\.?\s+{d},?\s+{y}(?!\d)")
    return re.search(pattern, raw, re.IGNORECASE) is not None


def _element_date(value: str | None) -> date | None:
    """A <meta>/<time> date, when it names at least the month: "2024" is a year (often the
    copyright's), not a publication date; "2024-03" is March 2024, stored as its 1st."""
    found = parse_date(value)
    if found is None or value is None:
        return None
    from dateutil import parser as dateparser

    try:  # the month is known when another default month does not change the reading
        month_known = dateparser.parse(str(value).strip(), default=datetime(2000, 7, 1)).month == found.month
    except (ValueError, OverflowError, TypeError):
        month_known = True  # parse_date read it some other way (a timestamp): a full date
    return found if month_known else None


def _htmldate(raw: str) -> date | None:
    if raw.startswith("http") and " " not in raw:  # htmldate would fetch it (htmldate.utils.load_html)
        return None
    from htmldate import find_date

    try:
        found = find_date(raw, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception as exc:  # a date is optional: a parser failure must not sink the article
        logger.debug("htmldate failed: %s", exc)
        return None
    try:
        return date.fromisoformat(found) if found else None
    except ValueError:
        return None


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((meta[k] for k in keys if meta.get(k)), None)


# --- PDF -----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,3})?", re.IGNORECASE)
# a page's first or last line found on at least this share of the pages is a running header or footer
RUNNING_SHARE = 0.5


def join_pages(pages: list[str]) -> str:
    """A PDF's page texts as one text: page numbers and running headers/footers (a first or last line
    that recurs, digits aside, on half the pages or more) are dropped, and a sentence that runs over
    a page break is joined ("... the bridge would" + "reopen in May."); elsewhere a page break is a
    paragraph break.

    >>> join_pages(["Harbour News\\nBridge to reopen\\nThe council said the bridge would\\n1",
    ...             "Harbour News\\nreopen in May.\\n2"])
    'Bridge to reopen\\nThe council said the bridge would reopen in May.'
    """
    split = [p.strip().split("\n") if p.strip() else [] for p in pages]  # blank lines inside a page stay

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.lower().split()))

    seen: dict[str, int] = {}
    for lines in split:
        for k in {key(ln) for ln in (lines[:1] + lines[-1:])}:
            seen[k] = seen.get(k, 0) + 1
    running = {k for k, n in seen.items() if n >= 2 and n >= RUNNING_SHARE * len(split)}

    def furniture(line: str) -> bool:
        return key(line) in running or bool(_PAGE_NUMBER.fullmatch(line.strip()))

    out = ""
    for lines in split:
        while lines and (furniture(lines[-1]) or not lines[-1].strip()):
            lines = lines[:-1]
        while lines and (furniture(lines[0]) or not lines[0].strip()):
            lines = lines[1:]
        text = "\n".join(lines).strip()
        if not text:
            continue
        last = out.rsplit("\n", 1)[-1].rstrip()
        runs_on = (last and not _ENDS_SENTENCE.search(last) and not last.endswith(":")
                   and (text[:1].islower() or (len(last) >= 40 and text[:1].isalnum())))
        if runs_on:
            glue = "" if re.search(r"[^\W\d_]-$", last) and text[:1].islower() else " "
            out = out.rstrip() + glue + text
        else:
            out += ("\n\n" if out else "") + text
    return out


def parse_pdf(data: bytes, source: str, url: str | None = None) -> Article:
    """Text of every page; title from the PDF metadata (unless it is a file name) or the first line."""
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
    text = unwrap_lines(normalise(join_pages(pages)), pdf=True)
    if not text:
        raise InputError(source, "is empty: the PDF has no extractable text (a scanned image?); "
                                 "run OCR on it first or add the article as text")
    published, text = split_date_prefix(text)
    title = _meta_field(meta, "title")
    if not title or re.search(r"\.(docx?|pdf|odt|rtf|txt|indd)$|^untitled", title, re.IGNORECASE):
        first = text.split("\n", 1)[0].strip()
        title = first if len(first) <= HEADLINE_MAX else derive_title(text)
    if published is None:
        try:
            published = parse_date(meta.creation_date) if meta else None
        except Exception:  # malformed /CreationDate strings raise inside pypdf
            published = None
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text,
                   author=_meta_field(meta, "author"), published=published, url=url)


class _ToDebug(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        logger.debug("pypdf %s: %s", record.levelname.lower(), record.getMessage())


_PYPDF_LOGGER = logging.getLogger("pypdf")
_pypdf_lock = threading.Lock()
_pypdf_users = 0
_pypdf_propagate = True
_pypdf_handler = _ToDebug()


@contextmanager
def _pypdf_quiet() -> Iterator[None]:
    """pypdf's own log lines ("EOF marker not found", "Ignoring wrong pointing object") go to our
    debug log while we parse, not beside the failure line that already says what is wrong. Counted,
    so that threads parsing PDFs at once (feed fetches) leave the logger as they found it."""
    global _pypdf_users, _pypdf_propagate
    with _pypdf_lock:
        if _pypdf_users == 0:
            _pypdf_propagate = _PYPDF_LOGGER.propagate
            _PYPDF_LOGGER.addHandler(_pypdf_handler)
            _PYPDF_LOGGER.propagate = False
        _pypdf_users += 1
    try:
        yield
    finally:
        with _pypdf_lock:
            _pypdf_users -= 1
            if _pypdf_users == 0:
                _PYPDF_LOGGER.removeHandler(_pypdf_handler)
                _PYPDF_LOGGER.propagate = _pypdf_propagate


def _meta_field(meta: object, name: str) -> str | None:
    try:
        value = getattr(meta, name, None) if meta is not None else None
    except Exception:
        return None
    value = " ".join(strip_controls(str(value)).split()) if value else ""
    return value or None
