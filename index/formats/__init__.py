"""Per-format parsers for single documents (.txt, .md, .html, .pdf) and the text helpers they share.

Each parser takes the raw content plus the article's ``source`` and returns an ``Article``;
it raises ``InputError`` with a fixable reason when there is no article to be had.
The record dumps (.json/.jsonl/.csv) live in ``index.records``.

One module per concern, each importing only those before it in this list:

* ``quiet``: a parsing library's own log lines sent to our debug log while it runs
* ``decode``: bytes to text (encodings, HTML charsets), and whether bytes are text at all
* ``clean``: control characters out, whitespace normalised, hard-wrapped lines joined
* ``titles``: a title from a headline line or the first sentence
* ``dates``: dates from any value, a ``date`` line atop a text
* ``text``: .txt and .md articles
* ``prose``: article prose told from page furniture (menus, paywalls, cookie walls, players), and the
  least text any item must hold to be an article (``too_little_text``)
* ``html``: HTML pages (trafilatura), their metadata and publication date
* ``pdf``: PDF articles (pypdf), their pages joined into one text

Import from here (``from index.formats import parse_html``); the modules are how the code is laid out.

>>> a = parse_text(" date 2024-12-01 Storm hits coast\\n\\nA storm hit the coast.", "/x/a.txt")
>>> a.title, a.published.isoformat(), a.text
('Storm hits coast', '2024-12-01', 'A storm hit the coast.')
"""

from __future__ import annotations

from index.formats.clean import (WRAP_ENDS, WRAP_MIN_LINES, WRAP_NEAR, WRAP_WIDTHS, normalise, strip_controls,
                                 unwrap_lines)
from index.formats.dates import parse_date, split_date_prefix
from index.formats.decode import (UNREADABLE_MAX, binary_kind, decode_bytes, decode_html, html_charset,
                                  unreadable_share)
from index.formats.html import DATE_SOURCES, html_date, parse_html
from index.formats.pdf import RUNNING_SHARE, join_pages, parse_pdf
from index.formats.prose import PLAYER_PAGE_MIN_WORDS, PROSE_MIN_WORDS, prose_words
from index.formats.text import (markdown_inline, markdown_to_text, parse_markdown, parse_text,
                                split_front_matter)
from index.formats.titles import HEADLINE_MAX, TITLE_MAX, derive_title, shorten, split_title

__all__ = [
    "DATE_SOURCES", "HEADLINE_MAX", "PLAYER_PAGE_MIN_WORDS", "PROSE_MIN_WORDS", "RUNNING_SHARE", "TITLE_MAX",
    "UNREADABLE_MAX", "WRAP_ENDS", "WRAP_MIN_LINES", "WRAP_NEAR", "WRAP_WIDTHS",
    "binary_kind", "decode_bytes", "decode_html", "derive_title", "html_charset", "html_date", "join_pages",
    "markdown_inline", "markdown_to_text", "normalise", "parse_date", "parse_html", "parse_markdown", "parse_pdf",
    "parse_text", "prose_words", "shorten", "split_date_prefix", "split_front_matter", "split_title",
    "strip_controls", "unreadable_share", "unwrap_lines",
]
