"""Cities are places to the short-answer rules (``rag/fitted/places.json``, written by ``python -m
evals.make_places`` from GeoNames), and a dotted abbreviation is read whole.

Before: a country or US state was a place, a city only after "in", "at", "from", "to" or "near". "Where are
many Americans moving?" over "... to make Mexico City their new home" had no short answer ("Mexico City"
looked like an organisation, by its "City"), and "Where did Zelenskyy go?" over "visited the U.K. on
Wednesday" was answered **Paris** (the other sentence's city after "in"): "U.K" (its last dot left off) was
no place at all. Both are RealTime QA tuning questions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.settings import Settings
from rag.short_answer import PLACES_FITTED, _kind_fit, _place_clash, candidates, is_city, phrase_kind, place_key

UK = ("Ukrainian President Volodymyr Zelenskyy visited the U.K. on Wednesday for the first time since Russia's "
      "invasion, a rare trip out of his war-torn country.")
PARIS = "On Wednesday night, Zelenskyy arrived in Paris to meet French President Emmanuel Macron."
MEXICO = ("With inflation driving up the cost of nearly everything in the US, a growing number of Americans are "
          "crossing the border to make Mexico City their new home.")


def test_the_city_list_loads_and_is_written_as_it_is_looked_up() -> None:
    cities = json.loads(PLACES_FITTED.read_text(encoding="utf-8"))["cities"]
    assert len(cities) > 1000
    assert all(place_key(c) == c for c in cities)  # lower case, no accents, no dots: what is_city compares
    assert {"mexico city", "madrid", "brighton", "bogota", "kyiv"} <= set(cities)


@pytest.mark.parametrize(("name", "city"), [
    ("Mexico City", True), ("Madrid", True), ("Brighton's", True), ("Bogotá", True), ("BOGOTA", True),
    # names news writes mostly for a person or as a common word are none (evals/make_places.py)
    ("Jackson", False), ("Reading", False), ("Victoria", False), ("Kennedy", False),
    ("France", False),  # a country is in PLACES, not the city list
])
def test_is_city(name: str, city: bool) -> None:
    assert is_city(name) is city


def test_a_dotted_abbreviation_is_a_place_and_keeps_its_last_dot() -> None:
    assert place_key("U.K") == "uk" == place_key("U.K.")
    assert phrase_kind("U.K.", UK, UK.index("U.K.")) == "place"
    q = prepare("Zelenskyy made his second known trip outside Ukraine since Russia's invasion. Where did he go?")
    found = {c.phrase: (c.start, c.end) for c in candidates(q, UK)}
    assert "U.K." in found and UK[slice(*found["U.K."])] == "U.K."


def test_a_city_fits_a_where_question_whatever_its_words_look_like() -> None:
    question = "Where are many Americans moving?"
    assert _kind_fit("place", "org", question, "Mexico City") == (1.0, 0.0)  # was (0.0, 1.0): "City" an org
    assert _kind_fit("place", None, question, "Madrid") == (1.0, 0.0)  # was (0.0, 0.0): no "in" before it
    assert _kind_fit("org", "org", "Which club did he join?", "Manchester City") == (1.0, 0.0)  # a club stays one
    assert _kind_fit("person", None, "Who won?", "Madrid") == (0.0, 0.0)  # a city is only read for a place asked


@pytest.mark.parametrize(("question", "phrase", "clash"), [
    ("In which country did the summit open?", "Paris", True),
    ("Which state passed the law?", "Houston", True),
    ("In which country did the summit open?", "Singapore", False),  # a city that is a country
    ("Which state passed the law?", "New York", False),
    ("In which city did the summit open?", "Paris", False),
])
def test_a_city_is_no_country_or_state(question: str, phrase: str, clash: bool) -> None:
    assert _place_clash(question, phrase) is clash


def test_a_name_the_question_writes_before_a_hyphen_is_the_questions_own() -> None:
    """"Las Vegas" of the question's "Las Vegas-type resorts" is no answer to which Scottish city will host one
    (once a city was a place, it outranked Glasgow: a BBC paraphrase question)."""
    q = prepare("Which Scottish city is expected to host one of the Las Vegas-type gambling resorts planned for "
                "Britain?")
    sentence = "The government has plans for up to eight Las Vegas style resorts in the UK, one of which is likely " \
               "to be in Glasgow."
    assert [c.phrase for c in candidates(q, sentence)] == ["Glasgow"]


ARTICLES = [
    ("2023-02-09", "Zelenskyy visits UK and France",
     UK + " " + PARIS + " He addressed Parliament in London and asked for fighter jets."),
    ("2022-08-22", "Americans are moving to Mexico City",
     MEXICO + " Some expats are fleeing their expensive cities in search of a better quality of life abroad."),
]


@pytest.fixture(scope="module")
def rag(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[RAG]:  # noqa: ANN001
    """The product's own embedder: the short answer's bar is the fitted one, met as the product meets it."""
    from index.collection import Collection
    from index.types import Article

    s = Settings(home=tmp_path_factory.mktemp("cities"), collection="cities")
    coll = Collection.open(s, embedder=real_embedder)
    arts = [Article(source=f"/news/{i}.txt", title=t, text=body, published=date.fromisoformat(d))
            for i, (d, t, body) in enumerate(ARTICLES)]
    assert coll.ingest_articles(arts).summary()["added"] == len(arts)
    yield RAG(s, collection=coll, llm=None)
    coll.close()


@pytest.mark.parametrize(("question", "right"), [
    ("Ukrainian President Volodymyr Zelenskyy made his second known trip outside Ukraine since Russia's invasion. "
     "Where did he go?", "U.K."),
    ("Americans are fleeing their expensive cities in search of cheaper rent abroad. Where are many Americans "
     "moving?", "Mexico City"),
])
def test_the_bold_answer_is_the_city_or_the_abbreviated_country(rag: RAG, question: str, right: str) -> None:
    answer = rag.ask(question, offline=True)
    assert not answer.refused
    assert answer.short_answer == right
