"""Follow-up rewriting (``rag.followup``) on 40 chat conversations in news style, and its rules one by one.

The 40 conversations were written before the code was read: for each, the words a good standalone search
query must hold (a tuple: any one of them; a phrase: its words, in any order, "of"/"the" aside, as a
keyword search reads them) and the ones it must not (the old subject after "And the Conservatives?",
the old topic after a change of topic). The query is what ``RAG.stream`` searches offline:
``time_shift`` when the follow-up names only a time, else ``rewrite_query``.

Measured on these 40: 29 right before the rules below were added, 39 after (one xfail, its reason
given). The exact outputs the older tests pin are in tests/test_answer.py and tests/test_answer_newuser.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from rag.followup import (
    CARRY_ON,
    PERSON_PRONOUNS,
    POINTERS,
    PRONOUNS,
    THING_PRONOUNS,
    _names,
    elided_subject,
    needs_context,
    points_at_nothing,
    question_subject,
    refers_back,
    rewrite_query,
    time_shift,
    topic_of_pointer,
)

Alt = str | tuple[str, ...]

ELECTION_DE = ("Who won the general election in Germany?",
               "Friedrich Merz's CDU won the most seats, with 28.5% of the vote.")
SEATS = ("How many seats did Labour win in the general election?", "Labour won 412 seats, a majority of 174.")
TESCO = ("What were Tesco's annual profits?", "Tesco reported pre-tax profits of £2.29bn for the year to February.")
BELLINGHAM = ("Which club did Jude Bellingham join?",
              "Jude Bellingham joined Real Madrid from Borussia Dortmund for €103m.")
ARSENAL = ("Who did Arsenal sign in January?",
           "Arsenal signed Jorginho from Chelsea and Leandro Trossard from Brighton.")
FINAL = ("Who won the Champions League final?", "Real Madrid beat Borussia Dortmund 2-0 at Wembley.")
DOCTORS = ("Why are junior doctors striking?", "The BMA says junior doctors' pay has fallen by a fifth since 2008.")
RAIL = ("When is the next rail strike?", "RMT members will walk out on 21, 23 and 25 June.")
ACTOR = ("Who won the Oscar for best actor?", "Cillian Murphy won best actor for Oppenheimer.")
INFLATION = ("How high is inflation in the UK?", "CPI inflation rose to 3.8% in July, the highest since January 2024.")

# (id, history, question, must contain (a tuple: any one of), must not contain)
CASES: list[Any] = [
    # elections
    ("merz-what-did-he-say", [ELECTION_DE], "What did he say?", ["Merz"], []),
    ("turnout-and-in-wales", [("What was the turnout in the Scottish parliament election?",
                               "Turnout was 63.5%, the highest since devolution.")],
     "And in Wales?", ["turnout", "Wales"], ["Scottish"]),
    ("le-pen-is-she-still", [("Who is leading the polls in the French presidential election?",
                              "Marine Le Pen leads with 33%, ahead of Gabriel Attal on 20%.")],
     "Is she still the favourite?", ["Le Pen", "favourite"], []),
    ("seats-and-the-conservatives", [SEATS], "And the Conservatives?", ["Conservatives", "seats"], ["Labour"]),
    ("seats-and-the-lib-dems", [SEATS], "and the lib dems?", ["lib dems", "seats"], ["Labour"]),
    ("election-then-oscar", [("When is the US presidential election?", "The election will be held on 5 November.")],
     "Who won the Oscar for best actor?", ["Oscar", "best actor"], ["election", "presidential"]),
    ("afd-three-turns", [ELECTION_DE, ("What did he say?", "Merz said he would form a government by Easter.")],
     "And the AfD?", ["AfD", ("say", "said", "election")], ["Merz"]),
    # company results
    ("tesco-and-sainsburys", [TESCO], "And Sainsbury's?", ["Sainsbury's", "profits"], ["Tesco"]),
    ("tesco-and-last-year", [TESCO], "and last year?", ["Tesco", "profits", "last year"], []),
    pytest.param(
        "bp-chief-executive",
        [("Why did BP's profits fall?", "BP said lower oil and gas prices cut its profits to $2.7bn.")],
        "What did the chief executive say?", ["BP", "chief executive"], [],
        marks=pytest.mark.xfail(strict=True, reason=(
            "'the chief executive' reads as a new subject exactly as 'the mayor' does after a crane question "
            "(tests/test_answer_newuser.py: searched as written); telling a role of the last subject from a new "
            "one needs world knowledge (a company has a chief executive), which the offline rewrite lacks"))),
    ("thames-who-owns-it", [("Is Thames Water going bust?",
                             "Thames Water has £15bn of debt and ministers have drawn up plans for special "
                             "administration.")],
     "Who owns it?", ["Thames Water", "owns"], []),
    ("aol-what-about-time-warner", [("How did AOL's profits do last quarter?",
                                     "AOL's operating profit fell 20% as advertising revenue dropped.")],
     "What about Time Warner?", ["Time Warner", "profits"], ["AOL"]),
    ("pay-offer-what-about-the-unions", [("What did the government say about the pay offer?",
                                          "Ministers said the 5% offer was final and fully funded.")],
     "what about the unions?", ["unions", "pay offer"], ["government"]),
    ("rates-why", [("Did the Bank of England cut interest rates?", "Yes, the Bank cut rates to 4% on Thursday.")],
     "Why?", ["Bank of England", "interest rates"], []),
    # football
    ("bellingham-how-much-did-they-pay", [BELLINGHAM], "How much did they pay?", ["Bellingham", "pay"], []),
    ("kane-is-he-still-there", [("Is Harry Kane leaving Tottenham?",
                                 "Bayern Munich have agreed a fee of more than £100m with Tottenham for Harry Kane.")],
     "Is he still there?", ["Kane"], []),
    ("arsenal-and-chelsea", [ARSENAL], "And Chelsea?", ["Chelsea", "sign", "January"], ["Arsenal"]),
    ("arsenal-what-about-the-summer", [ARSENAL], "what about the summer?", ["Arsenal", "sign", "summer"], ["January"]),
    ("spend-and-manchester-united", [("How much did Chelsea spend on transfers this season?",
                                      "Chelsea spent more than £600m under their new owners.")],
     "and Manchester United?", ["Manchester United", "transfers"], ["Chelsea"]),
    ("bellingham-then-declan-rice", [BELLINGHAM, ("How much did they pay?", "Real Madrid paid an initial €103m.")],
     "and Declan Rice?", ["Declan Rice"], ["Bellingham"]),
    ("final-who-scored", [FINAL], "Who scored?", ["Champions League final", "scored"], []),
    ("final-then-weather", [FINAL], "What is the weather forecast for the weekend?", ["weather"],
     ["Champions", "Real Madrid"]),
    # strikes
    ("doctors-how-long-will-it-last", [DOCTORS], "How long will it last?",
     ["junior doctors", ("strike", "striking")], []),
    ("doctors-what-about-the-nurses", [DOCTORS], "what about the nurses?", ["nurses", ("strike", "striking")],
     ["doctors"]),
    ("drivers-and-the-teachers", [("Are train drivers going on strike?",
                                   "Aslef train drivers at 16 companies will strike on 3 June.")],
     "and the teachers?", ["teachers", "strike"], ["train drivers"]),
    ("steelworkers-and-the-miners", [("Did the steelworkers accept the pay deal?",
                                      "Steelworkers at Port Talbot voted to accept the 5% offer.")],
     "and the miners?", ["miners", "pay deal"], ["steelworkers"]),
    ("rail-how-many-affected", [RAIL], "How many people will be affected?", ["rail strike"], []),
    ("postal-when", [("Has the postal workers' strike ended?", "Royal Mail and the CWU agreed a deal in April.")],
     "when?", ["postal", "strike"], []),
    ("doctors-three-turns-operations", [DOCTORS, ("How long will it last?",
                                                  "The strike runs for five days from 7am on Thursday.")],
     "how many operations were cancelled?", ["operations", ("doctors", "strike")], []),
    # film awards
    ("actor-and-best-actress", [ACTOR], "And best actress?", ["Oscar", "best actress"], ["actor"]),
    ("baftas-and-at-the-oscars", [("Which film won best film at the Baftas?",
                                   "Oppenheimer won seven Baftas, including best film.")],
     "and at the Oscars?", ["Oscars", "best film"], ["Baftas"]),
    ("palme-is-it-out-in-the-uk", [("Who won the Palme d'Or at Cannes?",
                                    "Anora, directed by Sean Baker, won the Palme d'Or.")],
     "Is it out in the UK yet?", ["UK", ("Anora", "Palme d'Or")], []),
    ("arsenal-then-oscar", [ARSENAL], "Who won the Oscar for best actor?", ["Oscar"], ["Arsenal", "January", "sign"]),
    # general news
    ("rates-and-the-week-before", [("What did the Bank of England do with interest rates this week?",
                                    "The Bank held rates at 5.25% on Thursday.")],
     "And the week before?", ["Bank of England", "interest rates"], ["this week"]),
    ("ukraine-and-the-day-before", [("What happened in the war in Ukraine yesterday?",
                                     "Russia launched 40 drones at Kyiv overnight.")],
     "and the day before?", ["Ukraine"], ["yesterday"]),
    ("inflation-and-in-france", [INFLATION], "And in France?", ["inflation", "France"], ["UK"]),
    ("gaza-latest-on-it", [("What is happening in Gaza?",
                            "Israeli strikes killed 30 people in Gaza City overnight, the health ministry said.")],
     "What is the latest on it?", ["Gaza", "latest"], []),
    ("earthquake-how-many-in-syria", [("How many people were killed in the earthquake in Turkey?",
                                       "More than 50,000 people died in Turkey and Syria.")],
     "how many in Syria?", ["Syria", "earthquake", "killed"], ["Turkey"]),
    ("seats-then-eurovision", [SEATS], "who won eurovision this year?", ["eurovision"], ["Labour", "seats"]),
    ("tuchel-when-does-he-start", [("Who replaced Gareth Southgate as England manager?",
                                    "Thomas Tuchel was appointed England head coach in October.")],
     "When does he start?", ["Tuchel"], []),
]


_GLUE = frozenset({"of", "the", "a", "an", "in", "at", "on"})


def _has(query: str, phrase: str) -> bool:
    """``phrase`` in ``query`` as whole words, a possessive allowed ("Tesco" in "Tesco's")."""
    return re.search(r"(?<![\w'’])" + re.escape(phrase) + r"(?:['’]s)?(?![\w'’])", query, re.I) is not None


def _has_words(query: str, phrase: str) -> bool:
    """``phrase`` or all its words ("Bank of England" in "Bank England cut rates", as a keyword search reads it)."""
    return _has(query, phrase) or all(_has(query, w) for w in phrase.split() if w.lower() not in _GLUE)


def searched(question: str, history: list[tuple[str, str]]) -> str:
    """The query ``RAG.stream`` searches offline for ``question`` after ``history``."""
    return time_shift(question, history) or rewrite_query(question, history)


def test_there_are_forty_conversations() -> None:
    assert len(CASES) == 40


@pytest.mark.parametrize(("name", "history", "question", "must", "must_not"), CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in CASES])
def test_a_follow_up_is_searched_with_what_it_means(
        name: str, history: list[tuple[str, str]], question: str, must: list[Alt], must_not: list[str]) -> None:
    query = searched(question, history)
    missing = [m for m in must if not any(_has_words(query, a) for a in ((m,) if isinstance(m, str) else m))]
    kept = [m for m in must_not if _has(query, m)]
    assert not missing and not kept, f"{name}: {query!r} lacks {missing}, holds {kept}"


# --- one list of the words that point back ----------------------------------------------------------


def test_the_pronoun_lists_are_one_source() -> None:
    assert set(PRONOUNS) == set(PERSON_PRONOUNS) | set(THING_PRONOUNS)
    assert set(PRONOUNS) <= set(POINTERS)


@pytest.mark.parametrize("word", [w for w in POINTERS if w not in ("that", "there")] + list(CARRY_ON))
def test_every_pointer_refers_back(word: str) -> None:
    assert refers_back(f"Who saw {word} go?")


@pytest.mark.parametrize("pronoun", PERSON_PRONOUNS)
def test_a_first_question_with_any_person_pronoun_points_at_nothing(pronoun: str) -> None:
    assert points_at_nothing(f"Why did {pronoun} go?") == pronoun
    assert points_at_nothing(f"Why did {pronoun} go?", [("Who left?", "Rod left [1].")]) is None


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_the_latest_on_any_pronoun_is_the_last_topic(pronoun: str) -> None:
    assert topic_of_pointer(pronoun, [("Who won the Powerball jackpot?", "…")]) == "Powerball"


# --- "this week" is the present, no pointer --------------------------------------------------------


def test_this_of_the_present_does_not_refer_back() -> None:
    # "who won eurovision this year?" after an election question was searched with "seats Labour" added
    assert not refers_back("Who won Eurovision this year?")
    assert not refers_back("What did the mayor announce this morning?")
    assert refers_back("Who said this?") and refers_back("Who built this bridge?")
    history = [("How many seats did Labour win?", "Labour won 412 seats [1].")]
    assert rewrite_query("who won eurovision this year?", history) == "who won eurovision this year?"
    assert not needs_context("who won eurovision this year?", history)


# --- a two-letter word inside a name is part of it ------------------------------------------------


def test_a_two_letter_word_inside_a_name_is_kept() -> None:
    # "Is she still the favourite?" was searched for "Marine Pen"
    assert _names(" Marine Le Pen leads, Ed Miliband said.") == ["Marine", "Le", "Pen", "Ed", "Miliband"]
    assert _names(" In Paris and In March") == ["Paris"]  # a capitalised function word or month is no name
    query = rewrite_query("What did she say?", [("Who leads the polls?", "Marine Le Pen leads with 33% [1].")])
    assert query.endswith("Marine Le Pen")


# --- a follow-up that is only a noun phrase --------------------------------------------------------


@pytest.mark.parametrize(("question", "elided"), [
    ("what about the unions?", ("unions", False)),
    ("And the Conservatives?", ("Conservatives", False)),
    ("and the lib dems?", ("lib dems", False)),
    ("And Sainsbury's?", ("Sainsbury's", False)),
    ("What about Marks and Spencer?", ("Marks and Spencer", False)),
    ("OK, and what about Chelsea?", ("Chelsea", False)),
    ("And in France?", ("France", True)),
    ("and at the Oscars?", ("Oscars", True)),
    ("how many in Syria?", ("Syria", True)),
    ("And when?", None),  # a question word, no phrase
    ("And who scored?", None),
    ("Who scored?", None),
    ("And the week before?", None),  # points back: ``time_shift``'s
    ("What about the red ones?", None),  # "the red ones": the blue/red rule's
    ("And which town gets the spring one?", None),
    ("Who is Keir Starmer?", None),
    ("What is the latest on Aleppo?", None),
])
def test_elided_subject(question: str, elided: tuple[str, bool] | None) -> None:
    assert elided_subject(question) == elided


def test_a_follow_up_that_is_only_a_phrase_reads_on_even_with_a_name() -> None:
    # "how many in Syria?" after an earthquake question was searched as written: a name made it stand alone
    history = [("How many people were killed in the earthquake in Turkey?", "More than 50,000 died [1].")]
    assert needs_context("how many in Syria?", history)
    assert rewrite_query("how many in Syria?", history) == "how many in Syria? people killed earthquake"


@pytest.mark.parametrize(("question", "subject"), [
    ("Why are junior doctors striking?", ["junior", "doctors"]),
    ("What did the government say about the pay offer?", ["government"]),
    ("Are train drivers going on strike?", ["train", "drivers"]),
    ("Did the steelworkers accept the pay deal?", ["steelworkers"]),
    ("How many seats did Labour win in the general election?", ["Labour"]),
    ("Is Harry Kane leaving Tottenham?", ["Harry", "Kane"]),
    ("Did Real Madrid pay Dortmund?", ["Real", "Madrid"]),
    ("Was the minister sacked?", ["minister"]),
    ("How high is inflation in the UK?", ["inflation"]),
    ("Has the postal workers' strike ended?", ["postal", "workers'", "strike"]),
    ("Who won the Champions League final?", []),  # no auxiliary: "who" is the subject
    ("What is happening in Gaza?", []),
    ("What did he say?", []),
])
def test_question_subject(question: str, subject: list[str]) -> None:
    assert question_subject(question) == subject


def test_a_lower_case_subject_replaces_the_last_questions_subject() -> None:
    # "and the miners?" was searched with "steelworkers ... Port Talbot": the old subject and its answer
    history = [("Did the steelworkers accept the pay deal?", "Steelworkers at Port Talbot voted yes [1].")]
    assert rewrite_query("and the miners?", history) == "and the miners? accept pay deal"
    history = [("What did the government say about the pay offer?", "Ministers said it was final [1].")]
    assert rewrite_query("what about the unions?", history) == "what about the unions? pay offer"


def test_a_swapped_subject_is_swapped_again_by_the_next_follow_up() -> None:
    seats = ("How many seats did Labour win in the general election?", "Labour won 412 seats [1].")
    history = [seats, ("and the lib dems?", "The Liberal Democrats won 72 seats [2].")]
    assert rewrite_query("and the greens?", history) == "and the greens? seats win general election"


def test_a_name_still_replaces_the_old_names() -> None:
    history = [("How many seats did Labour win in the general election?", "Labour won 412 seats [1].")]
    assert rewrite_query("And the Conservatives?", history) == "And the Conservatives? seats win general election"


def test_a_phrase_sharing_a_word_replaces_the_word_beside_it() -> None:
    # "And best actress?" kept "actor" and the actor's name
    history = [("Who won the Oscar for best actor?", "Cillian Murphy won best actor for Oppenheimer [1].")]
    assert rewrite_query("And best actress?", history) == "And best actress? won Oscar"
    history = [("How much did Manchester City spend?", "£200m [1].")]
    assert rewrite_query("And Manchester United?", history) == "And Manchester United? spend"


def test_a_time_replaces_the_last_questions_time() -> None:
    # "the summer" is no period ``rag.timewindow`` reads, so ``time_shift`` leaves it to the rewrite
    history = [("Who did Arsenal sign in January?", "Arsenal signed Jorginho from Chelsea [1].")]
    assert time_shift("what about the summer?", history) is None
    assert rewrite_query("what about the summer?", history) == "what about the summer? Arsenal sign"


def test_a_place_after_a_preposition_keeps_the_subject() -> None:
    history = [("Why are junior doctors striking?", "The BMA says pay has fallen [1].")]
    assert rewrite_query("And in the north?", history) == "And in the north? junior doctors striking"
