"""New user 28 (a UI-first editor): a .txt headline ending in "..." or holding a full stop, followed by its
`date YYYY-MM-DD` line (the README's format), lost the date: the line was read as a sentence, the title was cut
from the text's first sentence, and the headline and date line stayed in the body (26 of 33 dated files)."""

from __future__ import annotations

from datetime import date

import pytest

from index.formats.text import parse_text

BODY = "Bob Iger is returning to Disney as chief executive, the company said on Sunday night."


@pytest.mark.parametrize("headline", [
    "Bob Iger makes stunning return as Disney CEO, replacing Bob ...",
    "Student loan forgiveness isn't dead. Here's the (narrow) path forward",
    "5 things to know for Nov. 21: Disney, Twitter, Ukraine",
    "Disney brings back Bob Iger",
])
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_the_line_before_a_date_line_is_the_headline(headline: str, gap: str) -> None:
    got = parse_text(f"{headline}{gap}date 2022-11-20\n\n{BODY}\n", "/news/a.txt")
    assert (got.title, got.published, got.text) == (headline, date(2022, 11, 20), BODY)


def test_a_text_without_a_date_line_keeps_its_first_sentence() -> None:
    got = parse_text(f"The storm hit the coast.\n{BODY}\n", "/news/b.txt")
    assert got.published is None and got.text.startswith("The storm hit the coast.")
