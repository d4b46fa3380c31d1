"""Dates: any date-like value to a ``date`` (``parse_date``), a ``date ...`` line at the top of a
text or among its first lines (``split_date_line``), and the checks that tell a page's real
publication date from a year or a month (``_written_with_day``, ``_element_date``;
``index.formats.html.html_date`` uses them).

>>> split_date_prefix("Date: 1 December 2024\\nStorm hits coast")
(datetime.date(2024, 12, 1), 'Storm hits coast')
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Literal

logger = logging.getLogger(__name__)

_DATE_PREFIX = re.compile(r"\A[ \t]*date[ \t]*:?[ \t]*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
_DATE_LINE = re.compile(r"\A[ \t]*(?:date|published)[ \t]*:[ \t]*([^\n]{4,60})(?:\n|\Z)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
#: An all-numeric date with the day and the month first, in either order, and the year last (2 or 4
#: digits), a time allowed after it: "03/12/2022", "3.12.22", "03-12-2022 14:05". ISO's year-first
#: "2022-12-03" is not one (and must never be read day-first: dateutil would make it 2022-03-12).
_DAY_MONTH = re.compile(r"\A\s*(\d{1,2})([/.-])(\d{1,2})\2(?:\d{4}|\d{2})(?=\Z|[\sT,])")

DayMonth = Literal["dmy", "mdy", "ambiguous"]


def day_month_order(value: object) -> DayMonth | None:
    """How an all-numeric date (``_DAY_MONTH``) orders its day and month: "dmy" when only the
    day-first reading is a date (25/12/2022), "mdy" when only the month-first one is (12/25/2022),
    "ambiguous" when both are and differ (03/12/2022: 3 December in the UK, March 12 in the US);
    None for any other value (ISO, words, 03/03/2022 which reads the same both ways).

    >>> day_month_order("25/12/2022"), day_month_order("12/25/2022"), day_month_order("03/12/2022")
    ('dmy', 'mdy', 'ambiguous')
    >>> day_month_order("2022-03-12"), day_month_order("03/03/2022"), day_month_order("3 December 2022")
    (None, None, None)
    """
    m = _DAY_MONTH.match(value) if isinstance(value, str) else None
    if m is None:
        return None
    first, second = int(m.group(1)), int(m.group(3))
    if not (1 <= first <= 31 and 1 <= second <= 31) or first == second:
        return None
    if first <= 12 and second <= 12:
        return "ambiguous"
    if second <= 12:
        return "dmy"
    return "mdy" if first <= 12 else None


def parse_date(value: object, *, day_first: bool | None = None) -> date | None:
    """A date from ISO dates/datetimes, RFC 2822, '1 December 2024', or a Unix timestamp; else None.

    An all-numeric date whose day and month could be either way round (03/12/2022) is read month
    first (dateutil's default), or day first with ``day_first=True``; ``day_first`` changes nothing
    else (an ISO date stays year-month-day). ``index.records`` decides it per dump (``day_month_order``).

    >>> parse_date("03/12/2022"), parse_date("03/12/2022", day_first=True), parse_date("2022-03-12", day_first=True)
    (datetime.date(2022, 3, 12), datetime.date(2022, 12, 3), datetime.date(2022, 3, 12))
    """
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

    dayfirst = bool(day_first) and _DAY_MONTH.match(text) is not None
    try:
        return dateparser.parse(text, default=datetime(2000, 1, 1), dayfirst=dayfirst).date()
    except (ValueError, OverflowError, TypeError):
        logger.debug("unparseable date %r", text)
        return None


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


#: how many of a text's first lines may state its date: a masthead, the headline, a byline, the date
FIRST_LINES = 4
_DATE_ONLY_MAX = 60  # a line longer than this is a sentence that mentions a date, not a date line


def split_date_line(text: str, lines: int = FIRST_LINES) -> tuple[date | None, str]:
    """The date a text states in its first ``lines`` non-blank lines, and the text: a ``date ...`` /
    ``Date:`` / ``Published:`` line (``split_date_prefix``) is taken out, as the text loader takes
    it; a line that is a date and nothing else, written with its day ("10 November 2026", "Tue 10
    Nov 2026 14:05 GMT"), is read and stays, being the article's own line. A year or a month is no
    date ("Budget 2024", "March 2024"), nor an all-numeric date that reads both ways (03/12/2026).

    For a text whose metadata dates are not its own (a PDF's CreationDate is when the file was made).

    >>> split_date_line("Ferries report record year\\ndate 2026-11-10\\nThe ferries carried more.")
    (datetime.date(2026, 11, 10), 'Ferries report record year\\nThe ferries carried more.')
    >>> split_date_line("Harbour News\\nFerries report record year\\nTuesday 10 November 2026\\nThe ferries...")[0]
    datetime.date(2026, 11, 10)
    >>> split_date_line("Budget 2024\\nMarch 2024\\nThe council set its budget.")
    (None, 'Budget 2024\\nMarch 2024\\nThe council set its budget.')
    """
    start = 0
    for _ in range(lines):
        while text.startswith("\n", start):
            start += 1
        if start >= len(text):
            break
        found, rest = split_date_prefix(text[start:])
        if found is not None:
            return found, text[:start] + rest
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        found = _date_only(text[start:end].strip())
        if found is not None:
            return found, text
        start = end
    return None, text


def _date_only(line: str) -> date | None:
    """The date a line consists of, when it is written with its day and reads one way only."""
    if not line or len(line) > _DATE_ONLY_MAX or day_month_order(line) == "ambiguous":
        return None
    found = parse_date(line)  # dateutil, not fuzzy: a line with words besides the date's is none
    return found if found is not None and _written_with_day(line, found) else None


_MONTH_NAMES = (  # English, German, French, Spanish, Italian: enough letters to tell them apart
    ("jan", "janv", "ene", "gen", "jän"), ("feb", "fév", "fev", "febr"), ("mar", "mär", "mars", "marz"),
    ("apr", "avr", "abr"), ("may", "mai", "mayo", "mag"), ("jun", "juin", "giu"), ("jul", "juil", "lug"),
    ("aug", "août", "aout", "ago"), ("sep", "set"), ("oct", "okt", "ott"), ("nov",), ("dec", "dez", "déc", "dic"))


def _written_with_day(raw: str, day: date, *, numeric: bool = True) -> bool:
    """Whether the page writes ``day`` with its day of the month (2024-03-01, 01/03/2024, 1.3.24,
    1 March 2024, March 1st, 2024, ...). htmldate's text search turns "© 2024" and a bare "2024" into
    2024-01-01 and "March 2024" into 2024-03-01: a date it read with a day is on the page.
    ``numeric=False``: only in a form that reads one way (ISO, the month in words), not as a
    day/month or month/day date, which may be either (``day_month_order``).

    >>> text, march_12 = "update for Sat. 12/3/2022", date(2022, 3, 12)
    >>> _written_with_day(text, march_12), _written_with_day(text, march_12, numeric=False)
    (True, False)
    """
    y, m, dd = day.year, day.month, f"0?{day.day}"
    d = dd + ("(?:st|er|\\.)?" if day.day == 1 else "(?:st|nd|rd|th|\\.)?")
    months = "|".join(re.escape(n) for n in _MONTH_NAMES[m - 1])
    either_way = (rf"|(?<!\d){dd}[-/.]0?{m}[-/.](?:{y}|{y % 100:02})(?!\d)"
                  rf"|(?<!\d)0?{m}[-/.]{dd}[-/.](?:{y}|{y % 100:02})(?!\d)")
    pattern = (rf"(?<!\d){y}[-/.]0?{m}[-/.]{dd}(?!\d)|(?<!\d){y}{m:02}{day.day:02}(?!\d)"
               + (either_way if numeric else "")
               + rf"|(?<!\w){d}\s*(?:of\s+|de\s+)?(?:{months})[^\W\d]*\.?,?\s+(?:de\s+)?{y}(?!\d)"
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
