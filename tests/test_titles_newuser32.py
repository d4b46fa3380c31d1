"""New user 32: the .txt headline "'Donald Trump raped me': E. Jean Carroll testifies in defamation case" was
stored as the title "'Donald Trump raped me': E." (and "Dr. J. K. Rowling visits the U.S. today" as "Dr."): the
title rules took the dot of an initial or abbreviation for the end of a sentence (``index.formats.titles``). That
title is shown with every citation and in every refusal's "the passages found (such as ...)"."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.formats.titles import derive_title, split_title
from tests.test_load import one, write


@pytest.mark.parametrize("headline", [
    "'Donald Trump raped me': E. Jean Carroll testifies in defamation case",
    "Dr. J. K. Rowling visits the U.S. today",
    "Gov. Greg Abbott signs border bill",
])
def test_a_headline_with_initials_or_abbreviations_is_the_whole_title(tmp_path: Path, headline: str) -> None:
    art = one(tmp_path, write(tmp_path / "a.txt", f"{headline}\n\nThe story's first sentence is here. A second follows.\n"))
    assert art.title == headline
    assert art.text.startswith("The story's first sentence")


def test_a_first_line_of_two_sentences_is_still_body_text() -> None:
    text = "Rebels took the town on Sunday. The army withdrew.\nMore followed."
    assert split_title(text) == ("Rebels took the town on Sunday.", text)  # nothing of the text is lost


def test_a_derived_title_ends_at_the_sentence_not_at_an_initial() -> None:
    assert derive_title("Dr. J. K. Rowling visited the U.S. on Monday. She spoke at a school.") == \
        "Dr. J. K. Rowling visited the U.S. on Monday."
    assert derive_title("E. Jean Carroll testified on Wednesday. Trump did not attend.") == \
        "E. Jean Carroll testified on Wednesday."
