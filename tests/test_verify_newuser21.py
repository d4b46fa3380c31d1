"""New user 21's local-model answers that verification let through: a person given another post than the
passage gives ("Greg Penner took over as the team's new president" over "Greg Penner, will serve as CEO"),
and a figure given the question's kind that the passage does not say ("more than $49 million in punitive
damages" over "more than $49 million in damages", the total). Both came from the question's words, which a
supporting sentence need not repeat; the post and the figure's kind must now be the passage's.

Unit checks of ``rag.verify`` and its evaluator twin ``supports``, then the product path: ``RAG.ask`` with a
scripted LLM over the articles (HashEmbedder, embedded Chroma).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from rag.api import RAG
from rag.settings import Settings
from rag.types import Draft, Passage
from rag.verify import _posts, supports, verify
from tests.fakes import dated_rag
from tests.test_answer_newuser18_19 import _passage

PRESIDENT_Q = "Who did the Denver Broncos pick to be the team's new president?"
PENNER = ("Walton will be the control owner, while his son-in-law, Greg Penner, will serve as CEO of the team. "
          "The group paid $4.65 billion for the franchise.")
LEECH = ("The Denver Broncos' new owners have tabbed NFL International CEO Damani Leech as the team's new "
         "president. Leech will oversee the business side.")
PUNITIVE_Q = "How much did the Texas jury order Alex Jones to pay in punitive damages?"
TOTAL = "A Texas jury ordered Alex Jones to pay more than $49 million in damages to the parents of a boy killed at Sandy Hook."
PUNITIVE = ("Jurors decided to penalize Alex Jones with $45.2 million in punitive damages on Friday. Of the total "
            "$49.3 million, the punitive part may be reduced.")


def test_posts_are_read_one_id_however_written() -> None:
    assert _posts("the chief executive officer and the CEO") == {"ceo"}
    assert _posts("his son-in-law, Greg Penner") == set()  # no son, no post
    assert _posts("Chairwoman Ann Lee and the club's manager") == {"chair", "coach"}
    # a title before a name is who is named, not what a claim says of its answer
    assert _posts("a challenge to former President Donald Trump", titles=False) == set()
    assert _posts("Greg Penner took over as the team's new president", titles=False) == {"president"}


def test_a_person_given_another_post_than_the_passage_gives_is_removed() -> None:
    claim = "Greg Penner took over as the team's new president"
    got = verify(claim + " [1].", [_passage(1, "own", PENNER)], PRESIDENT_Q)
    assert got.text == "" and got.removed == (claim + ".",), got
    assert not supports(claim, PENNER, PRESIDENT_Q)  # the evaluator agrees
    # the post the passage gives, or the right person in the post asked about, stands
    assert verify("Greg Penner will serve as CEO of the team [1].", [_passage(1, "own", PENNER)], PRESIDENT_Q).text
    right = verify("The Broncos tabbed Damani Leech as the team's new president [1].", [_passage(1, "pres", LEECH)],
                   PRESIDENT_Q)
    assert right.text and not right.removed, right
    assert supports("Damani Leech is the team's new president", LEECH, PRESIDENT_Q)
    # a sentence naming no post says nothing against one (coverage decides)
    assert supports("Damani Leech will lead the team as president", "Damani Leech will lead the business side of "
                    "the team.", "Who will lead the Broncos as president?")


def test_a_figure_given_the_questions_kind_the_passage_never_says_is_removed() -> None:
    claim = "The Texas jury ordered Alex Jones to pay more than $49 million in punitive damages"
    got = verify(claim + " [1].", [_passage(1, "total", TOTAL)], PUNITIVE_Q)
    assert got.text == "" and got.removed == (claim + ".",), got
    assert not supports(claim, TOTAL, PUNITIVE_Q)
    right = "The jury ordered Alex Jones to pay $45.2 million in punitive damages"
    assert supports(right, PUNITIVE, PUNITIVE_Q)
    assert verify(right + " [1].", [_passage(1, "pun", PUNITIVE)], PUNITIVE_Q).text
    # a kind the question did not ask for is the coverage rule's business, and a count of people is no figure
    # of money: "120,000 people" over "120,000 Afghans were evacuated" stands
    asked = "How many people were evacuated from Afghanistan in August last year?"
    told = "More than 120,000 Afghans and foreigners were evacuated from Kabul airport in August last year."
    assert supports("More than 120,000 people were evacuated from Kabul airport in August last year", told, asked)


class _Scripted:
    """An answerer that writes ``reply`` (with the ``[n]`` of the passage holding ``fact``)."""

    name = "llm:scripted"

    def __init__(self, reply: str, fact: str) -> None:
        self.reply, self.fact = reply, fact

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of: date | None = None):  # noqa: ANN001, ANN201
        n = next(p.n for p in passages if self.fact in p.text)
        text = self.reply.format(n=n)
        yield text
        yield Draft(text, False)


ARTICLES = [
    ("2022-08-09", "Walton-Penner group approved as Broncos owners", PENNER),
    ("2022-08-11", "Broncos name Damani Leech as team's new president", LEECH),
]


@pytest.fixture
def broncos(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_the_wrong_post_is_removed_on_the_product_path(broncos: RAG) -> None:
    llm = _Scripted("Greg Penner took over as the team's new president [{n}].", "Greg Penner")
    rag = RAG(broncos.settings.model_copy(update={"llm_fallback": "refuse"}), collection=broncos.collection, llm=llm)
    got = rag.ask(PRESIDENT_Q, as_of=date(2022, 8, 12))
    assert got.refused and "Greg Penner took over as the team's new president." in got.unsupported_claims, got


def test_a_moved_citation_is_told_as_corrected_not_as_removed(broncos: RAG) -> None:
    # new user 21: "Removed citations that did not support their sentence: [1]" on nearly every local answer,
    # which did not say the sentence stood, now cited right
    llm = _Scripted("Damani Leech was named the team's new president [{n}].", "Greg Penner")  # cites Penner's passage
    rag = RAG(broncos.settings.model_copy(update={"llm_fallback": "refuse"}), collection=broncos.collection, llm=llm)
    got = rag.ask(PRESIDENT_Q, as_of=date(2022, 8, 12))
    assert not got.refused and "Damani Leech" in got.text, got
    wrong = next(p.n for p in got.passages if "Greg Penner" in p.text)
    right = next(p.n for p in got.passages if "tabbed" in p.text)
    assert [c.n for c in got.citations] == [right]
    assert f"Citations corrected: [{wrong}] did not say what its sentence says; it now cites [{right}]." in got.notices
    assert not any("Removed" in n for n in got.notices), got.notices


def test_an_invented_score_is_not_backed_by_its_two_numbers_apart() -> None:
    # new user 22's local model: "The Eagles beat the Chiefs 27-24 [2]." passed; no article says 27-24 (KC won 38-35),
    # but the window held a "27" (an age) and a "24" (points)
    asked = "By what score did the Eagles beat the Chiefs in Super Bowl 57?"
    window = ("Now Mahomes, 27, surpassed Tom Brady after he scored 24 points. Some have the Eagles winning big, others "
              "like the Chiefs' chances in the game.")
    got = verify("The Eagles beat the Chiefs 27-24 [1].", [_passage(1, "sb", window)], asked)
    assert got.text == "" and got.removed, got
    told = "The Kansas City Chiefs overcame a 10-point halftime deficit to defeat the Philadelphia Eagles 38-35."
    assert supports("The Chiefs defeated the Eagles 38-35", told, "What was the final score of Super Bowl 57?")
    assert supports("The Chiefs won 38-35", "The Chiefs won 38 – 35 on Sunday.", "What was the final score?")
