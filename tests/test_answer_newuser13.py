"""New user 13 (a researcher using the local model): "How many net cafes did India close in 2004?" over an
article on China's crackdown was answered **12,575 net cafes**, by the offline answer that stood in for the
model's removed "India closed 12,575 net cafes" (and by the offline answerer alone). A country's adjective
names it ("Chinese authorities"), and a sentence naming no place is of its article's places."""

from __future__ import annotations

import pytest

from rag.extractive import ExtractiveAnswerer
from rag.text import split_sentences
from rag.types import Passage
from rag.verify import Premises, places_in

CHINA = ("Chinese authorities closed 12,575 net cafes in the closing months of 2004, the country's government "
         "said. The 12,575 cafes were shut in the three months from October to December. All the 100,000 or so "
         "net cafes in the country are required to use software that controls what websites users can see.")


def _passage(text: str, title: str, n: int = 1) -> Passage:
    return Passage(n, f"a{n}:v:0", f"a{n}", title, f"src{n}", None, 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


@pytest.mark.parametrize(("text", "places"), [
    ("Chinese authorities closed 12,575 net cafes.", {"china"}),
    ("British and Irish ministers met on Monday.", {"uk", "ireland"}),
    ("The Indian rupee rose.", {"india"}),
    ("Authorities closed the cafes.", set()),
    ("Chinesement is no word, nor is NonIndian.", set()),
])
def test_a_countrys_adjective_names_it(text: str, places: set[str]) -> None:
    assert places_in(text) == places


def test_a_sentence_naming_no_place_is_of_its_articles_places() -> None:
    premises = Premises.of("How many net cafes did India close in 2004?")
    article = "China net cafe culture crackdown\n" + CHINA
    for sentence in split_sentences(CHINA):
        s = CHINA[sentence[0] : sentence[1]]
        assert premises.place_contradicted_by(s, article) is not None, s
    # the question's own country, or one holding it, named in the article: no contradiction
    assert Premises.of("How many net cafes did China close in 2004?").place_contradicted_by(
        "The 12,575 cafes were shut in the three months from October to December.", article) is None
    assert premises.place_contradicted_by("The 12,575 cafes were shut.", article + " India watched.") is None


def test_the_offline_answer_does_not_give_another_countrys_figure() -> None:
    ex = ExtractiveAnswerer()
    p = _passage(CHINA, "China net cafe culture crackdown")
    assert ex.ranked(ex.prepare("How many net cafes did India close in 2004?"), [p]) == []  # no candidate
    china = ex.ranked(ex.prepare("How many net cafes did China close in 2004?"), [p])
    assert china and "12,575" in china[0].text
