"""New user 32's verification and premise defects: a number backed by a number of another kind ("two laps" kept on
"Two weeks ago"), an age told by an ordinal birthday ("31st birthday") removed, and false premises of a change of
direction, a vote and a contract not noticed (``verify``, ``supports``, ``premise_notice``; then ``RAG.ask`` over small
hand-written articles, with a scripted LLM in place of the model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.settings import Settings
from rag.text import split_sentences
from rag.types import REFUSAL, Draft, Passage
from rag.verify import premise_notice, supports, verify

RACE = ("Veteran driver Tom Hale demanded that the league suspend its star driver Jake Reed after a crash on lap 120. "
        "Two weeks ago, the league issued $100,000 in fines after finding that Sam Ortiz slowed on the final lap of a "
        "race in Dover and helped teammate Jake Mills.")
DOG = ("Meet Rex, a sheepdog named the world's oldest dog by record keepers in February, who just celebrated his 25th "
       "birthday. His owner, Ana Silva, said Rex still walks every day.")
PROFIT = ("Quarterly profits at US media group NorlandMedia jumped 40% to $2.1bn in the three months to December. "
          "Its profits were helped by one-off gains which offset a profit dip at Elm Pictures, its film studio.")
PANEL = ("A health advisory panel on Tuesday unanimously recommended the agency allow the allergy spray Nasalin to be "
         "sold over the counter. Their main concerns included whether buyers would follow the label.")
HOST = "Critics cheered as they heard that Dana Reyes was leaving Metro News after six years as its evening host."
END = ": check what the question takes as given."


def _passage(text: str, n: int = 1, title: str = "Report", article: str = "a1") -> Passage:
    return Passage(n, f"{article}:0", article, title, "example.com", "2023-05-01", 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


# --- A: a number backs a claim only as the same quantity -------------------------------------------------------------

def test_a_count_of_laps_is_not_backed_by_a_span_of_weeks() -> None:
    # new user 32's local model: "NASCAR suspended Chase Elliott for two laps [1]", moved to a fine's sentence and kept
    got = verify("The league suspended Jake Reed for two laps [1].", [_passage(RACE)],
                 "How many races did the league suspend Jake Reed for?")
    assert got.text == "" and got.removed == ("The league suspended Jake Reed for two laps.",)
    assert not supports("The league fined Sam Ortiz for two laps.", RACE)
    assert not supports("Sam Ortiz was fined two years ago.", RACE)  # another unit of time


def test_a_number_of_the_same_kind_still_backs_a_claim() -> None:
    got = verify("The league issued $100,000 in fines two weeks ago [1].", [_passage(RACE)])
    assert got.removed == () and "[1]" in got.text
    assert supports("Two weeks ago the league fined Sam Ortiz.", RACE)
    # words between the number and its unit, and counts of one thing written two ways
    assert supports("Hale served two more weeks as captain.", "Hale served two more weeks as captain of the team.")
    assert supports("The club won 11 trophies in the decade.", "The club won 11 titles in the decade.")
    # a number the question gives is the question's, not the claim's
    assert supports("Reed was suspended for two races, the league said.",
                    "The league said it suspended Reed after the crash two weeks ago.",
                    "Why was Reed suspended for two races?")


# --- B: an ordinal birthday tells an age ------------------------------------------------------------------------------

def test_an_ordinal_birthday_backs_the_age() -> None:
    # new user 32's local model: "Bobi is 31 years old." removed over "who just celebrated his 31st birthday"
    got = verify("Rex is 25 years old [1].", [_passage(DOG)], "How old is Rex, the world's oldest dog?")
    assert got.removed == () and got.text == "Rex is 25 years old [1]."
    assert "25th birthday" in got.citations[0].quote
    assert supports("The firm is 30 years old.", "The firm marked its 30th anniversary in May.")


def test_an_ordinal_of_anything_else_tells_no_age() -> None:
    assert verify("Rex is 26 years old [1].", [_passage(DOG)], "How old is Rex?").text == ""
    assert not supports("The tower is 25 years old.", "The office is on the tower's 25th floor.")


# --- C: a premise turned round ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "quotes", "told", "notice"), [
    # new user 32: "Why did Time Warner's profits fall at the end of 2004?" over "... TimeWarner jumped 76%"
    ("Why did Norland Media's profits fall at the end of 2022?", [PROFIT.split(". ")[0] + "."], [],
     'The question says "fall"; the answer\'s passage says "jumped"' + END),
    # the answer's lead tells no direction; another sentence of its article does
    ("Why did Norland Media's profits fall at the end of 2022?", [PROFIT.split(". ")[1]], [PROFIT],
     'The question says "fall"; the cited articles say "jumped"' + END),
    ("Why did shares in Lakeside Mining fall?", ["Shares in Lakeside Mining jumped 20% after the find."], [],
     'The question says "fall"; the answer\'s passage says "jumped"' + END),
    # "Why did the FDA advisers vote against selling Opill over the counter?" over "unanimously recommended"
    ("Why did the health advisers vote against selling Nasalin over the counter?", [PANEL.split(". ")[0] + "."], [],
     'The question says "vote against"; the answer\'s passage says "unanimously recommended"' + END),
    ("Why did the health advisers vote against selling Nasalin over the counter?", [PANEL.split(". ")[1]], [PANEL],
     'The question says "vote against"; the cited articles say "unanimously recommended"' + END),
    # "Why did Fox News give Tucker Carlson a new contract this week?" over "Tucker Carlson leaving Fox News"
    ("Why did Metro News give Dana Reyes a new contract this week?", [HOST], [],
     'The question says "give Dana Reyes a new contract"; the answer\'s passage says "leaving"' + END),
    ("Why did Metro News give Dana Reyes a new contract?", ["Metro News parted ways with Dana Reyes on Monday."], [],
     'The question says "give Dana Reyes a new contract"; the answer\'s passage says "parted ways"' + END),
    # an invitation turned down
    ("Why did the Georgia Bulldogs accept the invitation to the White House?",
     ["The Georgia Bulldogs have declined an invitation to the White House, citing a busy schedule."], [],
     'The question says "accept"; the answer\'s passage says "declined an invitation"' + END),
])
def test_a_premise_the_articles_turn_round_is_noticed(question: str, quotes: list[str], told: list[str],
                                                      notice: str) -> None:
    assert premise_notice(question, quotes, told) == notice


@pytest.mark.parametrize(("question", "quotes", "told"), [
    ("Why did NorlandMedia's profits rise?", [PROFIT], []),
    ("Why did Norland Media's profits rise?", [PROFIT.split(". ")[1]], [PROFIT]),
    # a fall of one measure beside a rise of another, or another subject's measure
    ("Why did Norland Media's profits fall?", ["Norland Media's profits were hit while its sales jumped 10%."], []),
    ("Why did Norland Media's sales fall?", [PROFIT], []),
    ("Why did oil prices rise?", ["Gold prices fell 3% on Monday."], []),
    ("Why did stocks rise on Monday?", ["Stocks fell early on Monday, then rose."], []),
    # a lead telling of no change, with no other text: nothing to read
    ("Why did Norland Media's profits fall?", [PROFIT.split(". ")[1]], []),
    ("Why did the health advisers recommend selling Nasalin over the counter?", [PANEL], []),
    ("Why did the health advisers vote for selling Nasalin over the counter?", [PANEL], []),
    ("Why did Metro News part ways with Dana Reyes?", [HOST], []),
    ("Why did Metro News give Dana Reyes a new contract?", ["Dana Reyes signed a new contract with Metro News."], []),
    # the leaving is another's
    ("Why did the Eagles give Jalen Hurts a new contract?", ["Hurts stayed after Miles Sanders left the Eagles."], []),
    ("Why did the Georgia Bulldogs accept the invitation?", ["The Georgia Bulldogs declined to comment on it."], []),
])
def test_a_premise_the_articles_agree_with_or_do_not_touch_gives_no_notice(question: str, quotes: list[str],
                                                                           told: list[str]) -> None:
    assert premise_notice(question, quotes, told) is None


# --- through RAG.ask -------------------------------------------------------------------------------------------------

class ScriptedLLM:
    """An answerer whose reply is written from the passages it is given, like ``rag.llm.LLMAnswerer`` streams it."""

    name = "llm:scripted"

    def __init__(self, script: Callable[[Sequence[Passage]], str]) -> None:
        self.script = script

    def stream(self, question: str, passages: Sequence[Passage], *,  # noqa: ANN201 - yields str, then a Draft
               history=(), as_of: date | None = None):  # noqa: ANN001
        reply = self.script(passages)
        yield reply
        yield Draft(reply, reply == REFUSAL)


@pytest.fixture
def coll(settings: Settings, real_embedder):  # noqa: ANN001, ANN201 - the bundled embedder, a Collection
    coll = Collection.open(settings, embedder=real_embedder)
    assert coll.ingest_articles([
        Article(source="/news/race.txt", title="Hale calls for ban after crash", text=RACE),
        Article(source="/news/dog.txt", title="World's oldest dog turns 25", text=DOG),
        Article(source="/news/host.txt", title="Metro News and its evening host", text=HOST),
    ]).summary()["added"] == 3
    yield coll
    coll.close()


def _llm(settings: Settings, coll: Collection, reply: Callable[[Sequence[Passage]], str]) -> RAG:
    return RAG(settings.model_copy(update={"llm_fallback": "refuse"}), collection=coll, llm=ScriptedLLM(reply))


def _n(passages: Sequence[Passage], fact: str) -> int:
    return next(p.n for p in passages if fact in p.text)


def test_the_invented_suspension_is_removed_and_the_birthday_age_kept(settings: Settings, coll: Collection) -> None:
    laps = _llm(settings, coll, lambda ps: f"The league suspended Jake Reed for two laps [{_n(ps, 'Tom Hale')}].")
    got = laps.ask("How many races did the league suspend Jake Reed for?")
    assert got.refused and got.unsupported_claims == ("The league suspended Jake Reed for two laps.",)
    age = _llm(settings, coll, lambda ps: f"Rex is 25 years old [{_n(ps, 'Rex')}].")
    got = age.ask("How old is Rex, the world's oldest dog?")
    assert not got.refused and got.text.startswith("Rex is 25 years old") and got.unsupported_claims == ()


def test_the_contract_the_host_left_is_noticed(settings: Settings, coll: Collection) -> None:
    rag = RAG(settings, collection=coll, llm=None)
    got = rag.ask("Why did Metro News give Dana Reyes a new contract this week?", offline=True)
    assert not got.refused and "leaving Metro News" in got.text
    assert 'The question says "give Dana Reyes a new contract"; the answer\'s passage says "leaving"' + END \
        in got.notices
    right = rag.ask("Why is Dana Reyes leaving Metro News?", offline=True)
    assert not any(n.startswith("The question says") for n in right.notices)
