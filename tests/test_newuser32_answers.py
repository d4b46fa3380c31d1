"""What new user 32 (RealTime QA news of April-June 2023, asked in their own words) got as a bold short answer
while the quoted sentences held the right one:

1. an age of another: **23** (the previous record holder's, "Spike, who turned 23 years old") and **38** (the
   owner's, "38-year-old Leonel Costa") for "How old is Bobi?", whose sentence says "his 31st birthday";
2. **Florida** of "Florida Gov. Ron DeSantis" for where he kicked off his campaign ("... in Iowa");
3. a place (**Colorado Springs**) and a describing word (**Black**) for a who-question;
4. **Cha Cha Cha**, the runner-up's song, for who won Eurovision ("Loreen won Eurovision ...");
5. **$1.6 billion** (what the suit sought) for what Fox agreed to pay ("agreed to a $787.5 million settlement");
6. **10** ("Her first ever Top 10") for how many albums Dolly Parton has released ("has released 65 studio albums");
7. **Noa Kirel** ("came in third") for who came second.
The articles below are written for these tests in the style of the report's quotes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.extractive import _dated_outside
from rag.settings import Settings
from rag.short_answer import candidates, placed_as_asked
from rag.types import TimeWindow
from tests.fakes import dated_rag


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question, None, 0), sentence)]


# --- 1. an age is the asked one's ----------------------------------------------------------------------------
OWNER = "Bobi's owner, 38-year-old Leonel Costa, called it a very traditional Portuguese party."
SPIKE = "Spike, who turned 23 years old in December, held the previous title."
BIRTHDAY = ("Meet Bobi, a Portuguese pooch declared the world's oldest dog by Guinness World Records in February, "
            "who just celebrated his 31st birthday.")


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    ("How old is Bobi?", OWNER, []),
    ("How old is Bobi, the dog Guinness calls the oldest alive?", SPIKE, []),
    ("How old did Bobi turn?", SPIKE, []),
    ("How old is Bobi?", BIRTHDAY, ["31"]),  # an ordinal birthday states an age
    ("How old is Leonel Costa?", OWNER, ["38"]),  # controls: the age of the one asked stays
    ("How old is Spike?", SPIKE, ["23"]),
    ("How old is Jimmy Carter?", "Jimmy Carter, 96, marked his birthday on Thursday.", ["96"]),
    ("How old is the dog?", "The dog just celebrated her 12th birthday.", ["12"]),
])
def test_an_age_is_the_asked_ones(question: str, sentence: str, phrases: list[str]) -> None:
    assert _phrases(question, sentence) == phrases


KICKOFF = ("Standing before an American flag in an evangelical church in Iowa, Florida Gov. Ron DeSantis kicked off "
           "his presidential campaign on Tuesday.")


# --- 2. a place before a title ---------------------------------------------------------------------------------
IOWA = ("Standing before a 20-foot American flag in an evangelical church in Iowa, Florida Gov. Ron DeSantis made "
        "his first appearance as a presidential candidate.")


@pytest.mark.parametrize(("question", "florida"), [
    ("Where did Ron DeSantis kick off his presidential campaign on Tuesday?", False),
    ("Where is Ron DeSantis governor?", True),  # the post's place asked
    ("Which state's governor spoke in an evangelical church?", True),  # no where-question
])
def test_a_place_before_a_title_is_no_where(question: str, florida: bool) -> None:
    phrases = _phrases(question, IOWA)
    assert ("Florida" in phrases) is florida
    assert "Iowa" in phrases or not question.startswith("Where")


# --- 3. a place, a describing word: no one ---------------------------------------------------------------------
def test_a_describing_word_is_no_one() -> None:
    sentence = ("Philadelphia is poised to elect its first woman of color as mayor, while Harbor Springs did elect "
                "its first Black male as mayor.")
    assert "Black" not in _phrases("Who became the first woman elected mayor of Jacksonville?", sentence)
    assert _phrases("Who won?", "The first Latina mayor Jane Doe won.") == ["Jane Doe"]  # control


# --- 4 and 7. a quoted title, a runner-up, another place -------------------------------------------------------
FINN = ('Finnish singer Kaarija, a wildly energetic performer whose rap-pop party anthem "Cha Cha Cha" won the '
        "public vote, finished second.")
THIRD = "Israel's Noa Kirel came in third with power-pop anthem \"Unicorn,\" while Italy's Marco Mengoni was fourth."
WINNER = 'Swedish singer Loreen won Eurovision with her power ballad "Tattoo," but Princess Kate stole the show.'


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    ("Who won the Eurovision Song Contest this year?", FINN, ["Finnish"]),  # not the song, nor the runner-up
    ("Who won the Eurovision Song Contest this year?", THIRD, []),
    ("And who came second?", FINN, ["Finnish", "Kaarija"]),
    ("And who came second?", THIRD, []),  # third and fourth: other places
    ("Who finished third?", THIRD, ["Noa Kirel"]),
    ("Who won the award?", 'The rapper "Ye" won the award.', ["Ye"]),  # a quoted name after a person noun stays
])
def test_a_title_or_another_place_is_not_who(question: str, sentence: str, phrases: list[str]) -> None:
    assert _phrases(question, sentence) == phrases


def test_the_doer_of_the_asked_verb_is_bound() -> None:
    q = prepare("Who won the Eurovision Song Contest this year?", None, 0)
    bound = {c.phrase: c.bound for c in candidates(q, WINNER)}
    assert bound["Loreen"] and not bound["Princess Kate"]
    assert not any(c.bound for c in candidates(q, "The diva from Stockholm won Eurovision in 2012."))
    assert placed_as_asked(prepare("And who came second?", None, 0), FINN)
    assert not placed_as_asked(prepare("And who came second?", None, 0), THIRD)


# --- 5. what a suit sought is not what was paid -------------------------------------------------------------
SUED = "Fox News has agreed to settle the $1.6 billion defamation lawsuit filed against the network."
SETTLED = "The network and Dominion Voting Systems agreed to a $787.5 million settlement Tuesday."


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    ("How much money did Fox agree to pay Dominion to settle the defamation case?", SUED, []),
    ("How much money did Fox agree to pay Dominion to settle the defamation case?", SETTLED, ["$787.5 million"]),
    ("How much money did Fox agree to pay?", "Dominion had sought $1.6 billion in damages.", []),
    ("How much did Dominion sue Fox for?", SUED, ["$1.6 billion"]),  # controls: what it sought, asked
    ("How much did Dominion seek in damages?", "Dominion had sought $1.6 billion in damages.", ["$1.6 billion"]),
])
def test_a_sum_sued_for_is_not_one_paid(question: str, sentence: str, phrases: list[str]) -> None:
    assert _phrases(question, sentence) == phrases


# --- 6. a rank, a title's number, a span of years -------------------------------------------------------------
DOLLY = ('With hits including "Jolene," "9 to 5," and "I Will Always Love You," from 1968 ("Hello, I\'m Dolly") '
         'through 2022 ("Run, Rose, Run"), the 77-year-old legend has released 65 studio albums, Guinness reported.')
TOP = 'Her first ever Top 10 was the album "Just Between You and Me," released in March 1988.'


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    ("How many albums has Dolly Parton released, as of this week?", DOLLY, ["65"]),
    ("How many albums has Dolly Parton released, as of this week?", TOP, []),
    ("How many top albums has she had?", TOP, ["10"]),  # a rank asked
    ("How many albums has she released?", '"We have released 65 albums," she said.', ["65 albums"]),  # a remark
])
def test_a_rank_or_a_titles_number_is_no_count(question: str, sentence: str, phrases: list[str]) -> None:
    assert _phrases(question, sentence) == phrases


def test_a_span_of_years_dates_no_count() -> None:
    from datetime import date

    week = TimeWindow(date(2023, 5, 25), date(2023, 5, 31), "this week")
    start = DOLLY.index("65")
    assert not _dated_outside(DOLLY, start, start + 2, week)
    storm = "The Blizzard of January 1977 – the deadliest on record – killed 29 people."
    assert _dated_outside(storm, storm.index("29"), storm.index("29") + 2, week)  # control: one year dates it


# --- through the offline answerer ----------------------------------------------------------------------------
ARTICLES = [
    ("2023-05-12", "World's oldest dog: Bobi turns 31",
     "Spike, who turned 23 years old in December, held the previous title of oldest living dog. " + BIRTHDAY + " "
     + OWNER + " Guinness says it confirmed Bobi's birthdate via the veterinary service of Leiria."),
    ("2023-05-31", "DeSantis kicks off his presidential campaign in Iowa",
     KICKOFF + " Cheering drowned out the music when Iowa Gov. Kim Reynolds welcomed DeSantis to the stage. "
     "Florida Gov. Ron DeSantis will kick off his presidential campaign, his aides said last week."),
    ("2023-04-18", "Fox News reaches $787.5M settlement with Dominion",
     SUED + " " + SETTLED + " Dominion sued Fox for $1.6 billion over its coverage of the 2020 election."),
    ("2023-05-14", "Loreen wins Eurovision Song Contest",
     FINN + " " + WINNER + " " + THIRD + " Britain hosted the Eurovision Song Contest this year on behalf of Ukraine."),
    ("2023-05-30", "Dolly Parton has released 65 studio albums",
     TOP + " " + DOLLY + " Dolly Parton received three more Guinness World Records titles this week for her albums."),
]


@pytest.fixture
def rag(settings: Settings) -> Iterator[RAG]:
    yield from dated_rag(settings, ARTICLES)


@pytest.mark.parametrize(("question", "as_of", "wrong"), [
    ("How old is Bobi?", None, {"23", "38"}),
    ("How old is Bobi, the dog Guinness calls the oldest alive?", None, {"23", "38"}),
    ("Where did Ron DeSantis kick off his presidential campaign on Tuesday?", "2023-06-01", {"Florida"}),
    ("How much money did Fox agree to pay Dominion to settle the defamation case?", None, {"$1.6 billion"}),
    ("Who won the Eurovision Song Contest this year?", "2023-05-18", {"Cha Cha Cha", "Kaarija", "Noa Kirel"}),
    ("Who came in second at Eurovision this year?", "2023-05-18", {"Noa Kirel", "Loreen", "Cha Cha Cha"}),
    ("How many albums has Dolly Parton released, as of this week?", "2023-05-31", {"10", "5", "9"}),
])
def test_the_bold_answer_is_not_anothers(rag: RAG, question: str, as_of: str | None, wrong: set[str]) -> None:
    answer = rag.ask(question, as_of=as_of, offline=True)
    assert not answer.refused
    assert answer.short_answer not in wrong


@pytest.mark.parametrize(("question", "as_of", "right"), [
    ("How old is Bobi?", None, "31"),
    ("Where did Ron DeSantis kick off his presidential campaign on Tuesday?", "2023-06-01", "Iowa"),
    ("How much money did Fox agree to pay Dominion to settle the defamation case?", None, "$787.5 million"),
    ("Who won the Eurovision Song Contest this year?", "2023-05-18", "Loreen"),
    ("How many albums has Dolly Parton released, as of this week?", "2023-05-31", "65"),
    ("Who came in second at Eurovision this year?", "2023-05-18", "Kaarija"),
    ("Who won Eurovision?", None, "Loreen"),  # control: the question's words as the article's
])
def test_the_bold_answer_is_the_asked_one(rag: RAG, question: str, as_of: str | None, right: str) -> None:
    answer = rag.ask(question, as_of=as_of, offline=True)
    assert answer.short_answer == right
