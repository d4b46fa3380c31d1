"""Text cleaning every parser shares: control characters and terminal escapes out, newlines and
blank lines normalised (``normalise``), and the soft line breaks of hard-wrapped text joined
(``unwrap_lines``: a PDF's layout lines, a .txt wrapped at ~70 columns).

>>> normalise("Ships waited \\x1b[1;31m12 days\\x1b[0m\\r\\noffshore  ")
'Ships waited 12 days\\noffshore'
"""

from __future__ import annotations

import re


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


#: A byline's labels, before the name or in place of one: "Published", "Last updated on", "Posted by",
#: "Words by", "Author:". A label alone is no name: a page's <p class="byline">Published <time>...</p>
#: gave trafilatura the author "Published" (new user 32: 23 articles, shown in every citation).
_BYLINE_LABEL = re.compile(
    r"^(?:(?:last\s+)?(?:published|updated|posted|written|modified|edited|reported|filed|created|reviewed)\b"
    r"(?:\s+(?:on|at)\b)?|(?:words|story|reporting|report|text|photos?|video|interview)\s+by\b|by\b"
    r"|(?:authors?|byline|writer|reporter|credits?)\s*:)[\s:,–—-]*", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
#: Where a date or time starts after the name ("Jane Smith, May 15, 2023", "Jane Smith on Monday 10:00"):
#: the rest of the byline is no name. A month or weekday alone is a name's word ("Theresa May").
_BYLINE_DATE = re.compile(rf"[\s,]+(?:(?:on|at)\s+.*|\d.*|{_MONTH}\s+\d.*|{_WEEKDAY},?\s+(?:\d|{_MONTH}).*)$",
                          re.IGNORECASE)
#: A word of a byline that is no one's name, alone: a label, or a word of a date or time.
_NOT_A_NAME = re.compile(
    rf"(?:last|published|updated|posted|written|modified|edited|reported|filed|created|reviewed|by|on|at|and"
    rf"|date|time|today|yesterday|ago|just|now|an?|minutes?|mins?|hours?|hrs?|days?|am|pm|gmt|utc|bst"
    rf"|[ecmp][sd]?t|{_MONTH}|{_WEEKDAY}|[\d:/.,-]+)[.,:]?", re.IGNORECASE)


def clean_author(value: str | None) -> str | None:
    """The names in a byline or an author field, or None when it names no one: its labels ("By",
    "Published by", "Last updated"), dates and times go, and a label or a date alone is no name.
    Names are kept apart by "; " (as trafilatura gives several); a separator ("|", "·") splits names.

    >>> clean_author("Published"), clean_author("Published by Jane Smith"), clean_author("Updated 2023-05-15")
    (None, 'Jane Smith', None)
    >>> clean_author("By Jane Smith, May 15, 2023 | Published"), clean_author("Published 15 May 2023 by Jo Lee")
    ('Jane Smith', 'Jo Lee')
    >>> clean_author("Theresa May")
    'Theresa May'
    """
    names: list[str] = []
    for piece in re.split(r"\s*[;|·•\n]\s*", value or ""):
        name = piece.strip(" \t,:–—-")
        while (label := _BYLINE_LABEL.match(name)) and label.end():
            name = name[label.end():]
        dated = re.match(r"(.*?)\bby\s+(\S.*)", name, re.IGNORECASE)  # "15 May 2023 by Jane Smith"
        if dated and not _names_someone(dated.group(1)):
            name = dated.group(2)
        name = _BYLINE_DATE.sub("", name).strip(" \t,:;–—-")
        if _names_someone(name) and name not in names:
            names.append(name)
    return "; ".join(names) or None


def _names_someone(text: str) -> bool:
    return any(not _NOT_A_NAME.fullmatch(word) for word in text.split())


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


def unwrap_lines(text: str, *, pdf: bool = False, width: int | None = None) -> str:
    """Join the soft line breaks of hard-wrapped text (a PDF's layout lines, a .txt wrapped at ~70
    columns) into spaces, so that the sentence splitter, which ends a sentence at every line break,
    sees whole sentences. Blank lines stay paragraph breaks; a short line stays the end of its
    paragraph; a heading (a block's first line, unpunctuated, before a capitalised line) stays
    separate unless the next word could not have fitted on it; a list item stays on its own line.
    A .txt is changed only when it looks hard-wrapped (see WRAP_MIN_LINES); ``pdf=True`` skips that
    test, a PDF's text being all layout lines. ``width``, when given, is the wrap width measured on
    more text than ``text`` (``_wrap_width``): a PDF's pages are unwrapped one at a time at the
    width of the whole document (``index.formats.pdf.join_pages``).

    >>> unwrap_lines("Record catch for Kelso\\nFishermen in the port of Kelso landed a record 4,800\\n"
    ...              "tonnes of mackerel this week, the harbour master said.", pdf=True).split("\\n")
    ['Record catch for Kelso', 'Fishermen in the port of Kelso landed a record 4,800 tonnes of \
mackerel this week, the harbour master said.']
    """
    lines = text.split("\n")
    runs_on = _run_on_lines(lines)
    if not runs_on:
        return text
    if width is None:
        lengths = sorted(len(lines[i]) for i in runs_on)
        width = _width(lengths)
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
            out[-1] += _glue(out[-1], nxt) + nxt
        else:
            out.append(lines[i])
    return "\n".join(out)


def _glue(line: str, nxt: str) -> str:
    """What joins a line to the next when a soft break between them goes: a space, or nothing after
    a hyphen before a lower-case word ("two-" + "year": the hyphen is kept, as it may be a compound's)."""
    return "" if re.search(r"[^\W\d_]-$", line) and nxt[:1].islower() else " "


def _run_on_lines(lines: list[str]) -> list[int]:
    """The lines that run on into a next line (neither blank nor a list item)."""
    return [i for i in range(len(lines) - 1) if lines[i].strip() and lines[i + 1].strip()
            and not _LIST_ITEM.match(lines[i].lstrip()) and not _LIST_ITEM.match(lines[i + 1].lstrip())]


def _width(lengths: list[int]) -> int:
    return lengths[round((len(lengths) - 1) * 0.9)]  # the wrap width, a long line or two aside


def _wrap_width(text: str) -> int | None:
    """The width ``text`` is hard-wrapped at, or None when it does not look wrapped at one (see
    ``unwrap_lines``; the checks a .txt must pass besides are not made: for PDFs)."""
    lines = text.split("\n")
    runs_on = _run_on_lines(lines)
    width = _width(sorted(len(lines[i]) for i in runs_on)) if runs_on else None
    return width if width in WRAP_WIDTHS else None


def _soft_break(lines: list[str], i: int, width: int, pdf: bool) -> bool:
    line, nxt = lines[i].rstrip(), lines[i + 1].strip()
    forced = len(line) + 1 + len(nxt.split()[0]) > width  # the next word would not have fitted
    starts_block = i == 0 or not lines[i - 1].strip()
    if starts_block and not _ENDS_PUNCTUATED.search(line) and (nxt[:1].isupper() or nxt[:1].isdigit()):
        # a headline over its first paragraph, or a wrapped line that ends before a name; in a PDF
        # (proportional type: "could not have fitted" is no test) only a line nearly full is wrapped
        return len(line) >= 0.9 * width if pdf else forced
    return forced or len(line) >= (0.7 if pdf else 0.6) * width
