"""New user 12 (a media researcher following a story): bold figures of the wrong thing ("How many people did
Hurricane Ian kill?" answered **More than 1,600 people** from a sentence on the people *rescued*; one county's
count of a list of counties as the total; a repair fund in pounds for "the latest number of flooded homes"; a
share of revenue for "how much revenue"). The sentences are the articles' as the user's collection holds them,
or written in their shape."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.short_answer import candidates, extract

IAN_RESCUED = ("More than 1,600 people have been rescued from Hurricane Ian's path in parts of southwest and central "
               "Florida since last week, Gov. Ron DeSantis' office said Sunday.")
IAN_KILLED = ("As of Tuesday, at least 109 people have been reported killed by the hurricane in the United States, "
              "with 105 of those deaths in Florida and 55 of them in Lee County.")
IAN_COUNTIES = ("Hurricane Ian also contributed to the deaths of eight people in Collier County, five in Volusia "
                "County, three in Sarasota County, two in Manatee County and one each in Lake, Hardee, Hendry, "
                "Hillsborough and Polk counties, officials said.")
FUND = "The council approved a repair fund of 2.5 million pounds for homes and roads damaged by the flood."
FLOODED = "The number of homes flooded in Millbrook has risen to 134, the council said on Monday."
TWITTER = "Twitter relies on advertising for 90% of its revenue."


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


@pytest.mark.parametrize("question", [
    "How many people did Hurricane Ian kill this week?",
    "How many people has Hurricane Ian killed?",
    "How many lives did the storm claim?",
    "How many deaths has Hurricane Ian caused?",
])
def test_a_count_of_the_dead_is_not_the_people_rescued(question: str) -> None:
    assert _phrases(question, IAN_RESCUED) == []
    # "people" joins the figure when the question counts people ("how many lives": the figure alone)
    assert extract(prepare(question), IAN_KILLED)[0] in ("at least 109 people", "at least 109")


def test_a_toll_reads_its_verb_a_few_words_on_but_not_past_another_figure() -> None:
    """Read over the temporal suite: the 30 characters a toll's verb is looked for in were widened for
    "at least 109 people have been reported killed", and "a magnitude 6.4 quake ... that killed 16
    people" made 6.4 a toll; the verb is now read past auxiliaries only."""
    q = prepare("How many people died in the earlier quake that hit Lombok about a week before Sunday's one?")
    sentence = "Lombok was rocked by a magnitude 6.4 quake less than a week ago that killed 16 people."
    assert [c.phrase for c in candidates(q, sentence)] == ["16 people"]
    assert extract(q, "That quake injured more than 150 people, damaged thousands of homes.") is None  # not the dead
    assert extract(prepare("How many people were injured in the quake?"),
                   "That quake injured more than 150 people, damaged thousands of homes.")[0] == "more than 150 people"
    assert extract(prepare("How many Floridians had Ian killed?"), "The number of people killed in Florida by "
                   "Hurricane Ian rose to at least 101 on Monday.")[0] == "at least 101"


@pytest.mark.parametrize("question", [
    "How many suspects were arrested over the killing of the journalist?",
    "How many people were arrested after the deaths at the festival?",
])
def test_a_count_tied_to_a_death_is_no_toll(question: str) -> None:
    """Reading over the change again: a how-many question naming a death it does not count."""
    assert extract(prepare(question), "Police said three suspects were arrested on Monday.")[0].startswith("three")


@pytest.mark.parametrize("question", [
    "How many people have died because of Hurricane Ian so far?",
    "How many people did Hurricane Ian kill?",
])
def test_one_place_of_a_list_of_places_is_no_total(question: str) -> None:
    """"eight people in Collier County, five in Volusia County, ...": a breakdown by county, not the toll."""
    assert extract(prepare(question), IAN_COUNTIES) is None


def test_one_place_alone_is_no_total() -> None:
    sentence = "At least 54 people died in Lee County alone, Sheriff Carmine Marceno said Monday."
    assert extract(prepare("How many people have died because of Hurricane Ian so far?"), sentence) is None
    assert extract(prepare("How many people died in Lee County?"), sentence)[0] == "At least 54 people"


def test_some_other_dead_are_no_toll() -> None:
    sentence = "Four other people died in storm-related incidents as Ian churned into North Carolina."
    assert extract(prepare("How many people have died because of Hurricane Ian so far?"), sentence) is None
    assert extract(prepare("How many other people died?"), sentence)[0].startswith("Four")


def test_a_count_of_one_place_asked_about_that_place_is_still_its_answer() -> None:
    question = "How many people died in Collier County?"
    assert extract(prepare(question), IAN_COUNTIES)[0] == "eight people"


def test_a_single_place_is_no_list() -> None:
    question = "How many people were killed by the storm?"
    assert extract(prepare(question), "The storm killed 12 people in Florida, officials said.")[0] == "12 people"


@pytest.mark.parametrize("question", [
    "What is the latest number of flooded homes in Millbrook?",
    "What is the number of homes flooded in Millbrook?",
])
def test_a_number_of_things_is_a_count_not_money(question: str) -> None:
    assert _phrases(question, FUND) == []
    assert extract(prepare(question), FLOODED)[0] == "134"


@pytest.mark.parametrize("question", [
    "How much revenue did Twitter report for the third quarter of 2022?",
    "How much profit did the company make last year?",
])
def test_how_much_revenue_or_profit_asks_for_money_not_a_share(question: str) -> None:
    assert _phrases(question, TWITTER) == []
    assert extract(prepare(question), "Twitter reported revenue of $1.18 billion for the quarter, and a profit of "
                                      "$300 million.") is not None


def test_how_much_revenue_rose_still_asks_for_the_change() -> None:
    """"How much did revenue rise": a change, which a share answers (``asks_money``'s exception)."""
    assert _phrases("How much did Twitter's revenue rise?", "Twitter's revenue rose 22% in the quarter.") == ["22%"]


@pytest.mark.parametrize(("question", "history", "shifted"), [
    # the user's: back a week, then forward again
    ("And the week after?", [("How many homes in Millbrook were flooded this week?", "…"), ("And the week before?", "…")],
     "How many homes in Millbrook were flooded this week?"),
    ("And the week after?", [("What happened 2 weeks ago?", "…")], "What happened last week?"),
    ("What about the following week?", [("What happened last week?", "…")], "What happened this week?"),
    ("And the next day?", [("What did the rebels capture yesterday?", "…")], "What did the rebels capture today?"),
    ("And the month after?", [("What happened last month?", "…")], "What happened this month?"),
    # after "this week" (or a question about now) comes the future, which no article tells
    ("And the week after?", [("What happened this week?", "…")], None),
    ("And the week after?", [("Who won the Powerball jackpot?", "…")], None),
    # (this was None, read as another sort of period; new user 23 asked "What about the following week?" after
    # "... at the end of October?" and meant 1-7 November, so a dated period is followed by its dates)
    ("And the week after?", [("What happened in March?", "…")], "What happened between 1 April and 7 April?"),
])
def test_a_follow_up_may_move_forward_in_time_too(question: str, history: list[tuple[str, str]],
                                                   shifted: str | None) -> None:
    """"And the week after?" was searched as words ("And the week after? homes Millbrook flooded last
    Lowfield") and answered about the week before (new user 12); only "before/earlier/prior" were read."""
    from rag.followup import time_shift

    assert time_shift(question, history) == shifted


@pytest.mark.parametrize(("sentence", "site"), [
    ("This story was first published by the Millbrook Gazette.", True),  # the user's: a timeline entry and an answer
    ("This article originally appeared on The Conversation.", True),
    ("A version of this story appeared in the Sunday edition.", True),
    ("Reprinted with permission from the Valley Herald.", True),
    ("This story has been updated.", True),
    # news that opens alike
    ("The report was published on Monday by the inquiry.", False),
    ("The story was first published by the Guardian, which found 40 failings at the hospital.", False),
    ("This article of the treaty was first published in 1951 and said the borders would stay.", False),
])
def test_a_syndication_credit_line_is_no_news(sentence: str, site: bool) -> None:
    """"This story was first published by the Millbrook Gazette." was the 5 October entry of the user's
    timeline and opened answers ("120. This story was first published ... [1]"), cited as support."""
    from rag.boilerplate import looks_like_boilerplate

    assert looks_like_boilerplate(sentence) is site


def test_rag_list_search_matches_a_title_from_the_start_of_its_words(settings, fake_embedder) -> None:  # noqa: ANN001
    """`rag list Ian` listed "Iranian", "Asian", "Guardian" and "Ukrainian" titles among Hurricane Ian's
    (a substring of the title): a title matches from a word's start now; sources and URLs anywhere."""
    from index.collection import Collection
    from index.types import Article

    titles = ["Hurricane Ian hits Florida", "Ian's path: what we know", "Iranian protests grow", "Asian markets fall",
              "“Ian” leaves a trail", "Ukrainian grain ships sail", "Rain-soaked (Ian) weekend"]
    with Collection.open(settings, embedder=fake_embedder) as coll:
        coll.ingest_articles([Article(source=f"https://news.example/world/{i}", title=t,
                                      text=f"{t}. A sentence of the story number {i} for the test.")
                              for i, t in enumerate(titles)])
        got = {a.title for a in coll.db.list_articles("Ian")}
        assert got == {"Hurricane Ian hits Florida", "Ian's path: what we know", "“Ian” leaves a trail",
                       "Rain-soaked (Ian) weekend"}
        assert coll.db.count_articles("ian") == 4  # any case, and the count pages the same
        assert len(coll.db.list_articles("orld")) == len(titles)  # a source anywhere in its address
        assert {a.title for a in coll.db.list_articles("rain")} == {"Rain-soaked (Ian) weekend"}  # not "Ukrainian"
        assert {a.title for a in coll.db.list_articles("50%")} == set()  # % literal, as before


def test_an_answer_never_quotes_a_credit_line() -> None:
    """"120. This story was first published by the Millbrook Gazette [1]. The number of homes ..." (new user
    12): the credit opened answers, cited as support; it is no candidate sentence now."""
    from rag.extractive import ExtractiveAnswerer
    from rag.text import split_sentences
    from rag.types import Passage

    text = ("This story was first published by the Millbrook Gazette. The number of homes evacuated in Millbrook "
            "has risen to 120 as floodwater spread from Lowfield into the Riverside estate. Arthur Pell, the "
            "67-year-old man missing since the Harwick River flooded, was found alive on Tuesday.")
    p = Passage(1, "a1:v:0", "a1", "Pensioner rescued after Millbrook floods", "src1", "2022-10-05", 1.0, text, 0,
                len(text), tuple(split_sentences(text)))
    ex = ExtractiveAnswerer()
    for question in ("How many homes in Millbrook have had to be evacuated?", "Who first published the story?"):
        assert not any("first published" in s.text for s in ex.score(ex.prepare(question), [p])), question
    draft = ex.answer("How many homes in Millbrook have had to be evacuated?", [p])
    assert "first published" not in draft.text and "120" in draft.text
