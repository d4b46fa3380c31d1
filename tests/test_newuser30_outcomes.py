"""New user 30's premises turned round: a loser named after a title word or a long contest, a ballot outcome, and a
no-hitter the question gives to the side that was held hitless (``premise_notice``)."""

from __future__ import annotations

import pytest

from rag.verify import premise_notice, supports

LULA = ("SAO PAULO — Luiz Inácio Lula da Silva has done it again: Twenty years after first winning the Brazilian "
        "presidency, the leftist defeated incumbent Jair Bolsonaro on Sunday in an extremely tight election that marks "
        "an about-face for the country after four years of far-right politics")
SOUTHEAST = ("Bolsonaro, who has routinely discredited the Brazilian electoral system and threatened to not accept its "
             "results, managed to beat Lula in the southeast states, the most populous of the country.")
MARIJUANA = "Voters in Maryland and Missouri approved legalizing recreational marijuana for people 21 and over"
NO_HIT = ("Javier pitched six no-hit innings, so dominating the Philadelphia Phillies in Game 4 that he certainly "
          "could have become just the second pitcher to throw a solo no-hitter in a World Series game")
END = ": check what the question takes as given."


@pytest.mark.parametrize(("question", "lead", "notice"), [
    # "defeated incumbent Jair Bolsonaro": a title word between the verb and the name that lost
    ("Why did Lula lose the Brazilian presidential runoff to Bolsonaro?", LULA,
     "The question says Bolsonaro beat Lula; the answer's passage says Lula beat Bolsonaro" + END),
    ("Why did Bolsonaro beat Lula in the runoff?", LULA,
     "The question says Bolsonaro beat Lula; the answer's passage says Lula beat Bolsonaro" + END),
    # a ballot's outcome: "legalizing" is what voters vote on, as a bill is what a senate does
    ("Why did voters in Maryland and Missouri reject recreational marijuana?", MARIJUANA,
     'The question says "reject"; the answer\'s passage says "approved"' + END),
    # the Astros' Javier no-hit the Phillies
    ("Why did the Phillies throw a no-hitter against the Astros?", NO_HIT,
     "The question says the Phillies threw a no-hitter against the Astros; the answer's passage has the Phillies as "
     "the side held without a hit" + END),
])
def test_an_outcome_turned_round_is_noticed(question: str, lead: str, notice: str) -> None:
    assert premise_notice(question, [lead]) == notice


@pytest.mark.parametrize(("question", "lead"), [
    ("Why did Lula beat Bolsonaro?", LULA),
    ("How did Lula defeat Bolsonaro?", LULA),
    ("Why did Bolsonaro lose the Brazilian presidential runoff to Lula?", LULA),
    # both say lost
    ("Why did Bolsonaro lose the runoff to Lula?", "Jair Bolsonaro lost the presidential runoff to Lula on Sunday."),
    # a win in a part only is no outcome of the whole
    ("Why did Lula beat Bolsonaro?", SOUTHEAST),
    ("Why did voters in Maryland approve recreational marijuana?", MARIJUANA),
    ("Why did voters in Maryland and Missouri approve legalizing recreational marijuana?", MARIJUANA),
    # voters alone are no ballot
    ("Why did voters reject Trump?", "Voters approved of Biden in the polls."),
    ("Why did the Astros throw a no-hitter against the Phillies?", NO_HIT),
    ("Why did Cristian Javier throw a no-hitter against the Phillies?", NO_HIT),
    ("How many innings did Javier pitch without a hit against the Phillies?", NO_HIT),
    ("Why did the Phillies throw a no-hitter against the Astros?",
     "The Phillies threw a no-hitter, dominating the Houston Astros."),
])
def test_a_premise_the_passage_agrees_with_gives_no_notice(question: str, lead: str) -> None:
    assert premise_notice(question, [lead]) is None


def test_other_ways_the_sides_are_written() -> None:
    djokovic = "Nadal beat world number one Novak Djokovic in four sets."
    assert "the answer's passage says Nadal beat Djokovic" in (premise_notice("Why did Djokovic beat Nadal?",
                                                                              [djokovic]) or "")
    assert premise_notice("Why did Nadal beat Djokovic?", [djokovic]) is None
    # a win in a part the question asks of too is turned round
    assert premise_notice("Why did Lula beat Bolsonaro in the southeast states?", [SOUTHEAST]) is not None
    assert premise_notice("Why did the Phillies no-hit the Astros?", ["The Astros no-hit the Phillies in Game 4."]) \
        == "The question says the Phillies no-hit the Astros; the answer's passage has the Phillies as the side held " \
           "without a hit" + END
    assert premise_notice("Why did the Phillies throw a no-hitter against the Astros?",
                          ["The Phillies were held hitless in Game 4."]) is not None


def test_verification_reads_a_title_word_before_the_loser() -> None:
    assert not supports("Lula defeated incumbent Jair Bolsonaro.", "Lula was defeated by Jair Bolsonaro.")
    assert supports("Lula defeated incumbent Jair Bolsonaro.", "Lula defeated incumbent Jair Bolsonaro on Sunday.")
