"""Story groups end to end: ingest groups near-copies (the real Indexer write path), retrieval caps
passages per story, the answer's citation lists the other versions, `rag list` shows the group,
and removing the story's first version keeps the rest grouped. Real embedded Chroma; the
HashEmbedder stands in for the model."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.settings import Settings
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]

WIRE = ("Rebels captured the town of Khansir south of Aleppo on Sunday, cutting a government supply route. "
        "The town lies on the road to the city's southern districts. A monitoring group said fighting "
        "continued overnight near the airport and that at least four people were killed. Government "
        "forces had used the road to bring fuel and food into the western half of the city for months. "
        "Residents said the shelling was the heaviest in weeks.")


def outlets() -> list[Article]:
    """One wire story as three outlets ran it (retitled, an intro added, the last sentence trimmed),
    plus an unrelated article on the same city."""
    day = date(2024, 12, 1)
    return [
        Article(source="https://wire.example/khansir", title="Rebels take Khansir", text=WIRE, published=day),
        Article(source="https://paper.example/aleppo-road", title="Aleppo supply road cut", published=day,
                text="ALEPPO (Wire) - " + WIRE),
        Article(source="https://tv.example/syria", title="Syria: town falls", published=day,
                text=WIRE.rsplit(" Residents", 1)[0]),
        Article(source="https://other.example/aleppo-water", title="Aleppo water plant reopens", published=day,
                text="The main water plant in Aleppo reopened on Monday after repairs to its pumps. "
                     "Engineers said the city would have running water within two days. Aid groups had "
                     "delivered water by truck to the eastern districts since the plant closed."),
    ]


@pytest.fixture
def rag(settings: Settings) -> RAG:
    s = settings.model_copy(update={"per_story": 1, "per_article": 1})
    coll = Collection.open(s, embedder=HashEmbedder())
    assert coll.ingest_articles(outlets()).summary()["added"] == 4
    yield RAG(s, collection=coll)
    coll.close()


def test_near_copies_are_one_story_and_fill_one_slot(rag: RAG) -> None:
    infos = {a.title: a for a in rag.store.list_articles()}
    wire = infos["Rebels take Khansir"]
    assert wire.story_size == 3
    assert {infos[t].story_id for t in ("Aleppo supply road cut", "Syria: town falls")} == {wire.story_id}
    assert infos["Aleppo water plant reopens"].story_size == 1
    passages = rag.search("Which town did the rebels capture south of Aleppo?", top_k=4)
    stories = [p.story_id for p in passages]
    assert len(stories) == len(set(stories)) == 2  # per_story=1: the three outlets take one slot


def test_the_citation_lists_the_other_versions(rag: RAG) -> None:
    answer = rag.ask("Which town did the rebels capture south of Aleppo?", offline=True)
    assert not answer.refused, answer.notices
    cited = answer.citations[0]
    assert "Khansir" in cited.quote
    versions = {"https://wire.example/khansir", "https://paper.example/aleppo-road", "https://tv.example/syria"}
    assert set(cited.also_in) == versions - {cited.source}


def test_removing_the_first_version_keeps_the_others_grouped(rag: RAG) -> None:
    first = next(a for a in rag.store.list_articles() if a.title == "Rebels take Khansir")
    assert rag.collection.remove([first.id])[0].status == "removed"
    rest = [a for a in rag.store.list_articles() if a.story_size > 1]
    assert len(rest) == 2 and len({a.story_id for a in rest}) == 1


def test_rag_list_shows_story_groups(rag: RAG, settings: Settings) -> None:
    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection}
    got = subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", "list"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.count(" x3") == 3  # each version names its 3-article story
