"""A story told twice, the second time corrected (new user 29: "carries 340 passengers", then "410"): the answer's
"also in" lists only versions that say what it quotes, and a version that words the quoted sentence otherwise, with
another figure or name, is named in a notice with what it says and its date (the corrected file was listed as if it
agreed). A version trimmed of the sentence, or one that changes only a word of style, stays "also in"."""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.settings import Settings
from tests.fakes import dated_rag

LEAD = ("Harbour master Elspeth Quarrington resigned on Monday after a dispute with the operator of the Blue Heron "
        "ferry over staffing and safety drills at the east terminal of Port Ellanby.\n\n"
        "The council thanked her for eleven years of service and said an interim harbour master would be named soon. "
        "Crew members said the dispute had been building since the spring timetable changes.\n\n")
TAIL = ("\n\nThe operator said it would review its drills with the new harbour master. Councillors will discuss the "
        "terminal's staffing at their next meeting, and the union said it would attend.")


def story(figure: str) -> str:
    return LEAD + f"The dispute centred on the Blue Heron ferry, which carries {figure} passengers on each crossing." \
        + TAIL


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, [
        ("2024-03-05", "Harbour master resigns over ferry dispute", story("340")),
        ("2024-03-06", "Harbour master resigns over ferry dispute (corrected)", story("410")),
    ])


def test_a_corrected_version_is_no_also_in_and_is_named_with_what_it_says(rag: RAG) -> None:
    got = rag.ask("How many passengers does the Blue Heron ferry carry?", as_of=date(2024, 3, 10), offline=True)
    assert got.citations, got.text
    cited = next(c for c in got.citations if "passengers" in c.quote)  # the sentence the versions word otherwise
    other = "/news/1.txt" if cited.source.endswith("0.txt") else "/news/0.txt"
    assert other not in cited.also_in, cited.also_in
    said = [n for n in got.notices if n.startswith("Another version of this story")]
    assert said and other in said[0], got.notices
    assert ("410" in said[0]) == cited.source.endswith("0.txt") and ("340" in said[0]) == cited.source.endswith("1.txt")
    assert ("2024-03-06" in said[0]) == cited.source.endswith("0.txt")  # its date


@pytest.fixture
def same_rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, [
        ("2024-03-05", "Harbour master resigns over ferry dispute", story("340")),
        ("2024-03-06", "Harbour master resigns over ferry dispute", story("340").replace("soon.", "shortly.")),
    ])


def test_a_version_that_says_the_same_stays_also_in(same_rag: RAG) -> None:
    got = same_rag.ask("How many passengers does the Blue Heron ferry carry?", as_of=date(2024, 3, 10), offline=True)
    cited = got.citations[0]
    assert cited.also_in and not any(n.startswith("Another version") for n in got.notices), (cited, got.notices)
