"""Titles: a short headline-like first line, else the first sentence, cut to one line.

>>> split_title("Storm hits coast\\nA storm hit the coast on Monday.")
('Storm hits coast', 'A storm hit the coast on Monday.')
"""

from __future__ import annotations

import re

from index.formats.clean import strip_controls
from rag.text import is_abbreviation

TITLE_MAX = 90  # derived titles (first sentence) are cut to about this many characters
HEADLINE_MAX = 150  # a first line longer than this is body text, not a headline

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|\Z)")
_INNER_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z“\"']")


def _ends(line: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """``pattern``'s matches in ``line`` but those at the dot of an abbreviation or initial ("Dr.", "E. Jean
    Carroll", "U.S."): the headline "'Donald Trump raped me': E. Jean Carroll testifies" was titled "... E."."""
    return [m for m in pattern.finditer(line) if line[m.start()] != "." or not is_abbreviation(line, m.start())]


def derive_title(text: str) -> str:
    """The first sentence of the text, cut at a word boundary to about TITLE_MAX characters.

    >>> derive_title("Dr. J. K. Rowling visited the U.S. on Monday. She spoke at a school.")
    'Dr. J. K. Rowling visited the U.S. on Monday.'
    """
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    end = next(iter(_ends(first, _SENTENCE_END)), None)
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


def split_title(text: str) -> tuple[str, str]:
    """(title, body): a short headline-like first line becomes the title and leaves the body.

    Otherwise the title is derived from the first sentence and the text stays intact, so that
    nothing of an article whose first line is a sentence is lost.
    """
    first, _, rest = text.partition("\n")
    line, body = first.strip(), rest.strip()
    if line and body and len(line) <= HEADLINE_MAX and not _ends(line, _INNER_BOUNDARY):
        ends_like_sentence = line.endswith((".", ",", ";", ":"))
        followed_by_blank = rest.startswith("\n")
        if followed_by_blank or not ends_like_sentence:
            return shorten(line, HEADLINE_MAX), body
    return derive_title(text), text
