"""A story told by its site's boilerplate (new user report 7, defect 8): "What happened this week?"
answered "17 August: — Recommendations are independently chosen by Reviewed's editors. [2]", the
affiliate disclaimer opening USA Today's baby-items recall article. A sentence several different
stories carry is the site's, not a story's (``rag.boilerplate``, looked up in the lexical index); a
site with a single page stored is told by the line's shape. Real store and pipeline, the
HashEmbedder standing in for the model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.boilerplate import boilerplate_in, looks_like_boilerplate, shared_stories
from rag.brief import brief, digest
from rag.settings import Settings
from tests.fakes import HashEmbedder

# CNN's "5 Things" intro: nothing in its shape says it is the site's, only that it opens many pages
INTRO = ("If your day doesn't start until you're up to speed on the latest headlines, then let us introduce "
         "you to your new favorite morning fix.")
NEWS = {
    "Harbour reopens": "The harbour of Zembla reopened on Sunday, five days after a storm damaged the pier.",
    "Ferry strike ends": "Ferry crews in Zembla ended their strike on Monday after the council raised their pay.",
    "Bridge closed": "The old Zembla bridge was closed to traffic on Tuesday after engineers found cracks.",
}
MORE = {
    "Harbour reopens": "The first ferry arrived at noon. Traders said business was slowly returning to the quay.",
    "Ferry strike ends": "Services resume on Wednesday. The union had asked for a rise of eight percent since March.",
    "Bridge closed": "Drivers must use the coast road. Repairs are expected to take at least two months.",
}
DAYS = {"Harbour reopens": "2024-12-02", "Ferry strike ends": "2024-12-03", "Bridge closed": "2024-12-04"}
# the recall article as USA Today's Reviewed section printed it, its disclaimer first
RECALL = ("— Recommendations are independently chosen by Reviewed’s editors. Purchases you make through our links "
          "may earn us a commission.\n\nTaking recent headlines is the recall of more than 2 million MamaRoo swings "
          "and 220,000 RockaRoo rockers, but on any given week a product can be subject to recall.\n\nIf you own one "
          "of these swings, stop using it and contact the maker for a refund.")


@contextmanager
def dated_rag(settings: Settings, rows: Sequence[tuple[str, str, str]]) -> Iterator[RAG]:
    """A RAG over articles (published "YYYY-MM-DD", title, text), closed on the way out."""
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest_articles([Article(source=f"/news/{i}.txt", title=t, text=b, published=date.fromisoformat(d))
                              for i, (d, t, b) in enumerate(rows)])
        yield RAG(settings, collection=coll)


@pytest.fixture
def shared_intro(settings: Settings) -> Iterator[RAG]:
    """Three stories of three days, each page opening with the same intro."""
    with dated_rag(settings, [(DAYS[t], t, f"{INTRO} {NEWS[t]} {MORE[t]}") for t in NEWS]) as rag:
        yield rag


def test_a_sentence_three_stories_open_with_is_not_their_event(shared_intro: RAG) -> None:
    assert not looks_like_boilerplate(INTRO, opening=True)  # the collection decides, not the line's shape
    assert shared_stories(shared_intro.store.db, INTRO) == 3
    got = digest(shared_intro, since=date(2024, 12, 2), until=date(2024, 12, 4))
    assert [e.text for e in got.events] == [NEWS["Harbour reopens"], NEWS["Ferry strike ends"], NEWS["Bridge closed"]]
    for e in got.events:  # still exact article text
        assert shared_intro.store.article_text(e.citation.article_id)[e.citation.start : e.citation.end] == e.text
    answer = shared_intro.ask("What happened this week?", as_of=date(2024, 12, 4))
    assert "morning fix" not in answer.text
    assert [c.quote for c in answer.citations] == [NEWS["Bridge closed"], NEWS["Ferry strike ends"],
                                                   NEWS["Harbour reopens"]]


def test_a_topic_brief_skips_a_shared_line_that_names_the_topic(settings: Settings) -> None:
    # the brief's choice reads topic coverage plus a bonus for the opening: a shared line naming the
    # topic ("Zembla") at offset 0 outscored each story's own news
    line = "The Zembla Courier is published with support from the Coastal Trust for its reporting."
    rows = [(DAYS[t], t, f"{line} {NEWS[t]} {MORE[t]}") for t in NEWS]
    with dated_rag(settings, rows) as rag:
        got = brief(rag, "Zembla", since=date(2024, 12, 2), until=date(2024, 12, 4))
    assert [e.text for e in got.events] == [NEWS["Harbour reopens"], NEWS["Ferry strike ends"], NEWS["Bridge closed"]]


def test_one_story_told_by_several_outlets_keeps_its_lead(settings: Settings) -> None:
    # the same wire story at three outlets is one story (``index.stories``), and its opening is its
    # event, however many copies hold it; two different stories sharing a sentence are not enough either
    lead = NEWS["Harbour reopens"]
    versions = [("2024-12-01", f"Harbour reopens ({outlet})", f"{lead} {MORE['Harbour reopens']} {tail}")
                for outlet, tail in (("AP", "Reporting by the AP."), ("Reuters", "Reporting by Reuters staff."),
                                     ("Herald", "The Herald contributed."))]
    pair = "Officials said the work would be finished before the winter storms arrive in the region."
    others = [("2024-12-02", "Ferry strike ends", f"{NEWS['Ferry strike ends']} {pair}"),
              ("2024-12-03", "Bridge closed", f"{pair} {NEWS['Bridge closed']}")]
    with dated_rag(settings, versions + others) as rag:
        db = rag.store.db
        assert shared_stories(db, lead) == 1 < len(versions)
        assert shared_stories(db, pair) == 2
        got = digest(rag, since=date(2024, 12, 1), until=date(2024, 12, 3))
    assert [e.text for e in got.events] == [lead, NEWS["Ferry strike ends"], pair]


def test_a_single_page_of_a_site_is_told_by_its_news_not_its_disclaimer(settings: Settings) -> None:
    # one Reviewed page in the collection: nothing to compare with, so the disclaimer's shape tells
    rows = [("2022-08-17", "Have your baby items been recalled? Here's what you need to do next", RECALL),
            ("2022-08-18", "LeBron James signs extension", "LeBron James agreed to a two-year extension with the "
             "Los Angeles Lakers on Wednesday. The deal is worth $97.1 million.")]
    with dated_rag(settings, rows) as rag:
        assert shared_stories(rag.store.db, "Purchases you make through our links may earn us a commission.") == 1
        got = digest(rag, since=date(2022, 8, 15), until=date(2022, 8, 19))
        answer = rag.ask("What happened this week?", as_of=date(2022, 8, 19))
    assert got.events[0].text.startswith("Taking recent headlines is the recall of more than 2 million MamaRoo")
    assert "Recommendations" not in answer.text and "commission" not in answer.text
    assert "17 August: Taking recent headlines is the recall" in answer.text


@pytest.mark.parametrize(("sentence", "opening", "site"), [
    ("— Recommendations are independently chosen by Reviewed’s editors.", True, True),
    ("Recommendations are independently chosen by Reviewed’s editors.", False, True),
    ("Purchases you make through our links may earn us a commission.", False, True),
    ("Consider supporting our journalism and become a USA TODAY digital subscriber today.", False, True),
    ("For the latest coverage of Hurricane Ian, see our live updates here.", False, True),
    ("— Candy Woodall", False, True),  # a live blog's byline
    ("By Mike Snider, USA TODAY.", False, True),
    ("TODAY’S WEATHER", False, True),
    # news in the same shapes
    ("— In Wisconsin, dangerously high waves and flooding were expected along Lake Michigan.", False, False),
    ("By Tuesday, the storm had passed.", False, False),
    ("By the 2009 French Open, Federer was already considered the greatest.", True, False),
    ("The US and its partners agreed to release 60 million barrels from their reserves.", True, False),
    ('"We will stand with our partners," Biden said on Monday.', True, False),
    ("NASA launched the rocket on Wednesday.", True, False),
    ("Zelensky was chosen by Time's editors as Person of the Year.", True, False),
])
def test_the_shape_of_a_site_line(sentence: str, opening: bool, site: bool) -> None:
    assert looks_like_boilerplate(sentence, opening=opening) is site
    assert boilerplate_in(None, opening=opening)(sentence) is site


def test_a_short_sentence_is_not_looked_up(shared_intro: RAG) -> None:
    # "You're not alone." occurs as a phrase inside other stories' sentences, so a count says nothing
    assert shared_stories(shared_intro.store.db, "Ferry crews in Zembla") == 0
    assert shared_stories(shared_intro.store.db, "Ferry crews in Zembla ended their strike on Monday") == 1


def test_answers_are_kept_until_the_collection_changes(shared_intro: RAG) -> None:
    db = shared_intro.store.db
    check = boilerplate_in(db)
    assert check(INTRO) and not check(NEWS["Bridge closed"])
    shared_intro.collection.ingest_articles([Article(
        source="/news/more.txt", title="Lighthouse repainted", published=date(2024, 12, 5),
        text=f"{NEWS['Bridge closed']} The lighthouse was repainted on Wednesday.")])
    assert boilerplate_in(db)(NEWS["Bridge closed"]) is False  # two stories carry it now: still not the site's
    shared_intro.collection.ingest_articles([Article(
        source="/news/more2.txt", title="Market day", published=date(2024, 12, 5),
        text=f"{NEWS['Bridge closed']} The market moved to the square on Thursday.")])
    assert boilerplate_in(db)(NEWS["Bridge closed"]) is True  # three: asked again, not the kept answer


def test_the_docstring_examples_hold() -> None:
    import doctest

    import rag.boilerplate

    assert doctest.testmod(rag.boilerplate).failed == 0
