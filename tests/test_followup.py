"""Follow-up rewriting (``rag.followup``) on 40 chat conversations in news style, and its rules one by one.

The 40 conversations were written before the code was read: for each, the words a good standalone search
query must hold (a tuple: any one of them; a phrase: its words, in any order, "of"/"the" aside, as a
keyword search reads them) and the ones it must not (the old subject after "And the Conservatives?",
the old topic after a change of topic). The query is what ``RAG.stream`` searches offline:
``time_shift`` when the follow-up names only a time, else ``rewrite_query``.

Measured on these 40: 29 right before the rules below were added, 39 after (one xfail, its reason
given). The exact outputs the older tests pin are in tests/test_answer.py and tests/test_answer_newuser.py.

30 more (``MORE_CASES``: two-letter acronyms, "he"/"she" after a who-question and after other questions,
"they"/"it"/"its" for an organisation, accented names, questions that stand alone) were written the same
way, before the code was changed: 14 right on the code of then, 29 after acronyms, names in any script and
the who-question rule were added (one xfail, its reason given).

Four limits new users found are pinned at the end, each with the query it was searched as before: "he"
after "Who replaced Gareth Southgate?" kept Southgate; "Which player/minister ...?", "Name the CEO ...",
"Whose ...?" were no who-questions; an answer's "Yes,"/"Well," joined the next query; and the patterns
reading a noun phrase, "the X one", "the X that ..." and a season in a name read ASCII letters only.
"""

from __future__ import annotations

import doctest
import re
from typing import Any

import pytest

import rag.followup
from rag.followup import (
    CARRY_ON,
    ONE_PERSON,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    POINTERS,
    PRONOUNS,
    THING_PRONOUNS,
    _names,
    asks_for_person,
    elided_subject,
    named_in_answer,
    needs_context,
    persons_asked,
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


# --- 30 more: acronyms, whom a pronoun means, standalone questions --------------------------------------
# Written, like the 40, before the code was changed: two-letter acronyms ("BP", "EU", "UN", "UK", "US", "AI",
# "PM") and "WHO", a pronoun after a who-question (the person its answer named, not the subject the question
# before carried on), a pronoun after other questions (the question's own subject), "they" for an
# organisation, "it"/"its" for a company, names written with accents, and questions that stand alone.

BP = ("What did BP say about profits?",
      "BP said lower oil and gas prices cut its second-quarter profits to $2.7bn [1].")
NOBEL = ("Who won the Nobel prize in literature?",
         "Annie Ernaux. The French writer Annie Ernaux was awarded the Nobel prize in literature for the courage "
         "of her memoirs [1].")
KANE = ("Is Harry Kane leaving Tottenham?",
        "Bayern Munich have agreed a fee of more than £100m with Tottenham for Harry Kane [1].")

MORE_CASES: list[Any] = [
    # two-letter acronyms
    ("bp-and-shell", [BP], "and Shell?", ["Shell", "profits"], ["BP"]),
    ("bp-did-they-cut-jobs", [BP], "Did they cut jobs too?", ["BP", "jobs"], []),
    ("bp-what-about-its-dividend", [BP], "What about its dividend?", ["BP", "dividend"], []),
    ("uk-tariffs-what-about-the-eu", [("What did the UK say about steel tariffs?",
                                       "Ministers said they would seek an exemption from the 25% tariffs [1].")],
     "What about the EU?", ["EU", "steel tariffs"], ["UK"]),
    ("un-gaza-and-the-us", [("What did the UN say about aid to Gaza?",
                             "The UN said aid deliveries to Gaza had fallen by half since March [1].")],
     "And the US?", ["US", "aid", "Gaza"], ["UN"]),
    ("us-inflation-and-in-the-uk", [("How high is inflation in the US?",
                                     "Consumer prices rose 2.9% in the year to August, the Bureau of Labor "
                                     "Statistics said [1].")],
     "and in the UK?", ["UK", "inflation"], ["US"]),
    ("ai-act-what-does-it-ban", [("When does the EU's AI Act come into force?",
                                  "The AI Act entered into force on 1 August 2024, with most rules applying from "
                                  "2026 [1].")],
     "What does it ban?", ["AI Act", "EU", "ban"], []),
    pytest.param(
        "hp-why-is-it-cutting-jobs", [("What did HP announce?", "HP said it would cut up to 6,000 jobs by 2025 [1].")],
        "Why is it cutting them?", ["HP", "jobs"], [],
        marks=pytest.mark.xfail(strict=True, reason=(
            "'them' is the jobs of the last answer, a common noun: the rewrite takes the last answer's names "
            "only (its other words would outweigh the question's), so 'HP' comes back and 'jobs' does not"))),
    ("un-security-council-what-did-they-call-for", [("Did the UN Security Council vote for a ceasefire?",
                                                     "The Security Council passed a resolution demanding an "
                                                     "immediate ceasefire; the US abstained [1].")],
     "What else did they call for?", ["UN Security Council", "ceasefire"], []),
    # a pronoun after a who-question: the person its answer named
    ("nobel-how-old-is-she", [NOBEL], "how old is she?", ["Annie Ernaux"], []),
    ("kane-who-replaced-him-how-old-is-he", [KANE, ("Who replaced him?", "Dominic Solanke. Tottenham signed "
                                                    "Dominic Solanke from Bournemouth for £65m [2].")],
     "How old is he?", ["Dominic Solanke"], ["Kane"]),
    ("merz-finance-minister-is-he", [ELECTION_DE, ("Who will be his finance minister?",
                                                   "Lars Klingbeil. Lars Klingbeil, the SPD co-leader, is set to "
                                                   "become finance minister [1].")],
     "Is he also vice-chancellor?", ["Klingbeil", "vice-chancellor"], ["Merz"]),
    ("tour-how-old-is-he", [("Who won the Tour de France?",
                             "Tadej Pogačar. Tadej Pogačar won his third Tour de France, more than six minutes "
                             "ahead of Jonas Vingegaard [1].")],
     "How old is he?", ["Pogačar"], ["Vingegaard"]),
    ("mbappe-how-old-is-he", [("Who scored for France against Belgium?",
                               "Kylian Mbappé scored twice as France beat Belgium 2-0 in Lyon [1].")],
     "How old is he?", ["Kylian Mbappé"], []),
    ("tuchel-where-did-he-coach", [("Who replaced Gareth Southgate as England manager?",
                                    "Thomas Tuchel. Thomas Tuchel was appointed England head coach in October, "
                                    "the FA said [1].")],
     "Where did he coach before?", ["Thomas Tuchel", "coach"], []),
    ("tories-what-do-they-stand-for", [("Who is standing for Conservative leader?",
                                        "Kemi Badenoch and Robert Jenrick are the two candidates left in the "
                                        "contest [1].")],
     "What do they stand for?", ["Badenoch", "Jenrick"], []),
    ("final-who-did-they-sign", [FINAL], "Who did they sign in the summer?", ["Real Madrid", "sign", "summer"], []),
    # ... and after a who-question whose answer named nobody: the old subject, no person made up
    ("bp-successor-when-will-they-decide", [("Who will replace BP's chief executive?",
                                             "BP has not named a successor; the board said the search would take "
                                             "several months [1].")],
     "When will they decide?", ["BP", "chief executive"], []),
    ("met-refused-is-she", [("Who is the new head of the Met Police?", "I could not find this in the articles.")],
     "Is she the first woman in the job?", ["Met Police", "head"], []),
    # a pronoun after other questions: the subject the question named
    ("sunak-what-did-he-promise", [("Why did Rishi Sunak call an early election?",
                                    "Sunak said the economy had turned a corner and it was time for the country to "
                                    "choose [1].")],
     "What did he promise?", ["Sunak", "election"], []),
    ("starmer-did-he-promise-money", [("What did Keir Starmer say about the NHS?",
                                       "Starmer said the NHS was broken, citing a report by Lord Darzi [1].")],
     "Did he promise more money?", ["Starmer", "NHS", "money"], []),
    # "it", "its", "they" for a company
    ("lidl-how-many-stores-will-it-open", [("Which supermarket grew fastest this year?",
                                            "Lidl. Lidl's sales rose 10.3% in the 12 weeks to 8 September, Kantar "
                                            "said [1].")],
     "How many stores will it open?", ["Lidl", "stores"], []),
    ("nvidia-its-chief-executive", [("How much did Nvidia's revenue grow?",
                                     "Nvidia's revenue rose 122% to $30bn in the quarter to July [1].")],
     "What did its chief executive say?", ["Nvidia", "chief executive"], []),
    ("thames-can-they-afford-it", [("Why is Ofwat fining Thames Water?",
                                    "Ofwat said Thames Water had failed to invest in its network and fined it "
                                    "£104m [1].")],
     "Can they afford to pay?", ["Thames Water", ("fine", "fining", "fined")], []),
    # questions that stand alone after any turn: searched as written
    ("tesco-then-is-the-uk-in-recession", [TESCO], "Is the UK in recession?", ["UK", "recession"],
     ["Tesco", "profits"]),
    ("bp-then-eu-and-ai", [BP], "What is the EU doing about AI?", ["EU", "AI"], ["BP", "profits"]),
    ("arsenal-then-the-pm", [ARSENAL], "What did the PM say about migration?", ["PM", "migration"],
     ["Arsenal", "January", "sign"]),
    ("rates-then-will-ai-take-jobs", [("Did the Bank of England cut interest rates?",
                                       "Yes, the Bank cut rates to 4% on Thursday [1].")],
     "Will AI take our jobs?", ["AI", "jobs"], ["Bank", "rates"]),
    ("doctors-then-the-who", [DOCTORS], "What did the WHO say about bird flu?", ["WHO", "bird flu"],
     ["junior doctors", "BMA"]),
    ("seats-then-eu-referendum", [SEATS], "When was the EU referendum?", ["EU referendum"], ["Labour", "seats"]),
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


def test_there_are_seventy_conversations() -> None:
    assert len(CASES) == 40 and len(MORE_CASES) == 30
    assert len({c.values[0] if hasattr(c, "values") else c[0] for c in CASES + MORE_CASES}) == 70


def _check(name: str, history: list[tuple[str, str]], question: str, must: list[Alt], must_not: list[str]) -> None:
    query = searched(question, history)
    missing = [m for m in must if not any(_has_words(query, a) for a in ((m,) if isinstance(m, str) else m))]
    kept = [m for m in must_not if _has(query, m)]
    assert not missing and not kept, f"{name}: {query!r} lacks {missing}, holds {kept}"


@pytest.mark.parametrize(("name", "history", "question", "must", "must_not"), CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in CASES])
def test_a_follow_up_is_searched_with_what_it_means(
        name: str, history: list[tuple[str, str]], question: str, must: list[Alt], must_not: list[str]) -> None:
    _check(name, history, question, must, must_not)


@pytest.mark.parametrize(("name", "history", "question", "must", "must_not"), MORE_CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in MORE_CASES])
def test_acronyms_pronouns_and_standalone_questions(
        name: str, history: list[tuple[str, str]], question: str, must: list[Alt], must_not: list[str]) -> None:
    _check(name, history, question, must, must_not)


# --- one list of the words that point back ----------------------------------------------------------


def test_the_pronoun_lists_are_one_source() -> None:
    assert set(ONE_PERSON) < set(PERSON_PRONOUNS)
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


# --- acronyms and names in any script -----------------------------------------------------------------


def test_an_acronym_is_a_name_and_a_content_word() -> None:
    # "What did BP say about profits?" was searched as "... profits": "BP" was a word of two letters
    assert _names(" What did BP tell the EU, the UN and the WHO about AI?") == ["BP", "EU", "UN", "WHO", "AI"]
    assert _names(" OK, and at 9 AM?") == []  # capitals, no acronym
    assert _names(" WHAT ABOUT THE EU?") == ["EU"]  # a question in capitals: "WHAT" and "THE" are no acronyms
    assert rewrite_query("Did they cut jobs?", [BP]) == "Did they cut jobs? BP profits"
    assert rewrite_query("What is the EU doing about AI?", [BP]) == "What is the EU doing about AI?"


def test_a_name_in_any_script_is_one_word() -> None:
    # "Pogačar" was "Poga" and "ar", "Mbappé" no name at all
    assert _names(" Tadej Pogačar beat Kylian Mbappé, Søren Kierkegaard and Recep Tayyip Erdoğan in COP28") == [
        "Tadej", "Pogačar", "Kylian", "Mbappé", "Søren", "Kierkegaard", "Recep", "Tayyip", "Erdoğan"]


def test_a_name_replaces_the_names_of_the_last_questions_subject_only() -> None:
    # "And the US?" after a question on what the UN said about Gaza was searched as "And the US? aid"
    history = [("What did the UN say about aid to Gaza?", "The UN said deliveries had halved [1].")]
    assert rewrite_query("And the US?", history) == "And the US? aid Gaza"


# --- whom "he" and "she" mean ---------------------------------------------------------------------


@pytest.mark.parametrize(("question", "answer", "named"), [
    (NOBEL[0], NOBEL[1], ["Annie", "Ernaux"]),  # the offline answer's lead
    ("Who won the Nobel prize?", "The French writer Annie Ernaux won it [1].", ["Annie", "Ernaux"]),  # no "French"
    ("Who leads the polls?", "Marine Le Pen leads, ahead of Gabriel Attal [1].", ["Marine", "Le", "Pen"]),
    ("Who replaced Gareth Southgate?", "Thomas Tuchel replaced Gareth Southgate [1].", ["Thomas", "Tuchel"]),
    ("Who did Arsenal sign?", "Arsenal signed Jorginho from Chelsea [1].", ["Jorginho"]),  # not the asked-about
    ("Who will replace BP's chief executive?", "BP has not named a successor [1].", []),
    # new user 9: the name of the sentence that says what was asked ("lousy history"), not the first sentence's
    ("Who called The Da Vinci Code lousy history?",
     "The Da Vinci Code claims Jesus married Mary Magdalene [1]. The Bishop of Durham, the Rt Rev Dr Tom Wright, "
     'described the novel as a "great thriller" but "lousy history" [1].', ["Rt", "Rev", "Dr", "Tom", "Wright"]),
    ("Who is the new head of the Met Police?", "I could not find this in the articles.", []),
])
def test_the_person_a_who_question_was_answered_with(question: str, answer: str, named: list[str]) -> None:
    assert named_in_answer(question, answer) == named


def test_he_after_a_who_question_is_the_person_named_not_the_subject_carried_on() -> None:
    # was "How old is he? replaced Harry Kane leaving Tottenham Bayern Munich Dominic Solanke": Kane's age
    history = [KANE, ("Who replaced him?", "Dominic Solanke. Tottenham signed Dominic Solanke from Bournemouth "
                                           "[2].")]
    assert rewrite_query("How old is he?", history) == "How old is he? replaced leaving Dominic Solanke"
    # the who-question's own words stay: they say what the person did
    assert rewrite_query("how old is she?", [NOBEL]) == "how old is she? won Nobel prize literature Annie Ernaux"


def test_he_after_other_questions_is_the_subject_and_nobody_is_made_up() -> None:
    sunak = [("Why did Rishi Sunak call an early election?", "Sunak said it was time to choose [1].")]
    assert rewrite_query("What did he promise?", sunak) == "What did he promise? Rishi Sunak call early election"
    refused = [("Who is the new head of the Met Police?", "I could not find this in the articles.")]
    assert rewrite_query("Is she the first woman?", refused) == "Is she the first woman? new head Met Police"


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(rag.followup).failed == 0


def test_a_season_in_a_name_stays_and_a_new_time_replaces_the_old_one() -> None:
    # "Spring" of the Spring Statement and "Winter" of the Winter Olympics are words of a name: a time
    # follow-up keeps them; the old time phrase ("in 2014") is what the new one takes the place of
    budget = rewrite_query("And in the summer?", [("What did the Chancellor announce in the Spring Statement?", "x")])
    assert "Spring Statement" in budget
    games = rewrite_query("And in 2018?", [("Who won gold at the Winter Olympics in 2014?", "x")])
    assert "Winter Olympics" in games and "2014" not in games
    assert "spring" not in rewrite_query("And in the summer?", [("How many jobs were created in the spring?", "x")])


def test_a_new_topic_after_a_catch_up_is_the_catch_up_about_it() -> None:
    from rag.followup import topic_shift

    mauna = [("What happened with Mauna Loa this week?", "7 December: lava reached the road [1].")]
    assert topic_shift("What about Twitter?", mauna) == "What happened with Twitter this week?"
    assert topic_shift("And last week?", mauna) is None  # a time: time_shift's
    assert topic_shift("How many in Hilo?", mauna) is None  # a setting, not a topic
    assert topic_shift("What about Twitter?", [("Who won the runoff?", "Warnock [1].")]) is None  # no catch-up
    assert topic_shift("And Shell?", [("What is the latest on BP?", "...")]) == "What is the latest on Shell?"


def test_a_word_opening_a_sentence_of_the_answer_is_no_name() -> None:
    # "However" joined the searched query as a name after three follow-ups
    later = rewrite_query("Did he concede?", [("What happened in the Georgia runoff?",
                                               "The race went to a runoff. However, Walker led early [1].")])
    assert "However" not in later and "Walker" in later


# --- found by new users: whom "he" means after a question asking for a person ----------------------------


def test_he_after_a_who_question_is_the_person_answered_not_the_person_asked_about() -> None:
    # was "Where did he coach before? replaced Gareth Southgate Lee Carsley": Southgate's career
    history = [("Who replaced Gareth Southgate?", "Lee Carsley replaced Gareth Southgate as interim manager [1].")]
    assert rewrite_query("Where did he coach before?", history) == "Where did he coach before? replaced Lee Carsley"
    # one word of the name, which the answer gives in full: was "... replaced Southgate Lee Carsley"
    history = [("Who replaced Southgate?", "Lee Carsley replaced Gareth Southgate [1].")]
    assert rewrite_query("Where did he coach before?", history) == "Where did he coach before? replaced Lee Carsley"
    history = [("Who replaced Gareth Southgate as England manager?",
                "Thomas Tuchel. Thomas Tuchel was appointed England head coach in October, the FA said [1].")]
    assert rewrite_query("Where did he coach before?", history) == (
        "Where did he coach before? replaced England manager Thomas Tuchel")


def test_the_things_and_places_a_who_question_named_stay() -> None:
    # a team or place (one word the answer does not lengthen into a person's name) and "the ..." stay
    history = [("Who scored for France against Belgium?",
                "Kylian Mbappé scored twice as France beat Belgium 2-0 in Lyon [1].")]
    assert rewrite_query("How old is he?", history) == "How old is he? scored France Belgium Kylian Mbappé"
    assert rewrite_query("how old is she?", [NOBEL]) == "how old is she? won Nobel prize literature Annie Ernaux"


@pytest.mark.parametrize(("question", "answer", "asked"), [
    ("Who replaced Gareth Southgate?", "Lee Carsley replaced Gareth Southgate [1].", {"gareth", "southgate"}),
    ("Who replaced Southgate?", "Lee Carsley replaced Gareth Southgate [1].", {"southgate"}),
    ("Who will be Keir Starmer's chief of staff?", "Morgan McSweeney [1].", {"keir", "starmer"}),
    ("Who won the Nobel prize?", "Annie Ernaux [1].", set()),  # a thing's name, after "the"
    ("Who leads the Met Police?", "Mark Rowley [1].", set()),
    ("Who did Arsenal sign?", "Arsenal signed Jorginho from Chelsea [1].", set()),  # one word, no longer in the answer
    ("Name the CEO who took over at Boeing.", "Kelly Ortberg took over at Boeing [1].", set()),
])
def test_the_persons_a_question_asked_about(question: str, answer: str, asked: set[str]) -> None:
    assert persons_asked(question, answer) == asked


@pytest.mark.parametrize(("question", "person"), [
    ("Who won?", True),
    ("And whom did she beat?", True),
    ("Whose goal won the final?", True),
    ("Which player scored the winner?", True),
    ("Which England player scored?", True),
    ("What minister resigned?", True),
    ("Which Labour minister resigned?", True),
    ("Which team's manager was sacked?", True),
    ("Name the CEO who took over at Boeing.", True),
    ("Which country won Eurovision?", False),
    ("Which company bought Activision?", False),
    ("Which club did Jude Bellingham join?", False),
    ("Which country did the president visit?", False),  # the president is its subject, a country its answer
    ("What did the minister say?", False),
    ("Why did the coach resign?", False),
])
def test_which_questions_ask_for_a_person(question: str, person: bool) -> None:
    assert asks_for_person(question) is person


@pytest.mark.parametrize("noun", PERSON_NOUNS)
def test_every_person_noun_makes_a_which_question_ask_for_a_person(noun: str) -> None:
    assert asks_for_person(f"Which {noun} left?") and asks_for_person(f"Name the {noun} who left.")


@pytest.mark.parametrize(("history", "question", "query", "others"), [
    # was "... player scored winner Bukayo Saka Declan Rice"
    ([("Which player scored the winner?", "Bukayo Saka scored the winner from a Declan Rice pass [1].")],
     "How old is he?", "How old is he? player scored winner Bukayo Saka", ["Declan", "Rice"]),
    # was "... minister resigned Louise Haigh Keir Starmer"
    ([("Which minister resigned?", "Louise Haigh resigned as transport secretary; Keir Starmer thanked her [1].")],
     "Why did she go?", "Why did she go? minister resigned Louise Haigh", ["Keir", "Starmer"]),
    ([("Which Labour minister resigned?", "Louise Haigh resigned; Keir Starmer thanked her [1].")],
     "Is she married?", "Is she married? Labour minister resigned Louise Haigh", ["Keir", "Starmer"]),
    # was "... CEO took Boeing Kelly Ortberg Dave Calhoun"
    ([("Name the CEO who took over at Boeing.",
       "Kelly Ortberg took over from Dave Calhoun as chief executive of Boeing in August [1].")],
     "How much is he paid?", "How much is he paid? CEO took Boeing Kelly Ortberg", ["Dave", "Calhoun"]),
])
def test_he_after_a_which_question_about_a_person_is_the_person_answered(
        history: list[tuple[str, str]], question: str, query: str, others: list[str]) -> None:
    got = rewrite_query(question, history)
    assert got == query
    assert not any(_has(got, w) for w in others)


def test_he_after_whose_is_the_person_answered() -> None:
    # was "... Whose goal won final Ollie Watkins Cole Palmer"
    query = rewrite_query("Where is he from?", [("Whose goal won the final?",
                                                "Ollie Watkins scored the winner, set up by Cole Palmer [1].")])
    assert _has(query, "Ollie Watkins") and _has(query, "final") and not _has(query, "Palmer")


# --- found by new users: a reply's opening is no name ------------------------------------------------


def test_a_replys_opening_word_is_not_carried_on() -> None:
    # was "Why? Bank England cut interest rates Yes"
    history = [("Did the Bank of England cut interest rates?", "Yes, the Bank cut rates to 4% on Thursday [1].")]
    assert rewrite_query("Why?", history) == "Why? Bank England cut interest rates"
    # was "Why? Labour hold seat Well Reform"
    history = [("Did Labour hold the seat?", "Well, Labour held it narrowly; Reform came second [1].")]
    assert rewrite_query("Why?", history) == "Why? Labour hold seat Reform"
    assert _names(" Yes, Labour won. Well, Reform came second. Also, Sunak said no. No, Davey did not.") == [
        "Labour", "Reform", "Sunak", "Davey"]


# --- found by new users: the follow-up patterns read words in any script --------------------------------


@pytest.mark.parametrize(("history", "question", "query"), [
    # "the junior one" for "the élite race": was "... won élite race Jonas Abrahamsen"
    ([("Who won the élite race?", "Jonas Abrahamsen won [1].")], "And the junior one?",
     "And the junior one? won race Jonas Abrahamsen"),
    # was "... won junior race Jonas Abrahamsen": "the élite one" was no "one" follow-up
    ([("Who won the junior race?", "Jonas Abrahamsen won [1].")], "And the élite one?",
     "And the élite one? won race Jonas Abrahamsen"),
    # a subject of its own, in any script: was "... town rebels capture Khansir"
    ([("Which town did rebels capture?", "Khansir [1]")], "What did the préfet announce?",
     "What did the préfet announce?"),
    ([("Which town did rebels capture?", "Khansir [1]")], "What did the юрист announce?",
     "What did the юрист announce?"),
    # an attribute of something unsaid ("the fiancée" of whom?): was searched as written
    ([("Who is Taylor Swift marrying?", "Travis Kelce [1].")], "Who is the fiancée?",
     "Who is the fiancée? Taylor Swift marrying Travis Kelce"),
    # a season in a name before or after a name in any script: was "... played Øya festival"
    ([("Who played at the Winter Øya festival?", "x")], "And in the summer?",
     "And in the summer? played Winter Øya festival"),
    ([("What happened in the Пражская Spring?", "x")], "And in the summer?",
     "And in the summer? happened Пражская Spring"),
])
def test_follow_up_patterns_read_any_script(history: list[tuple[str, str]], question: str, query: str) -> None:
    assert rewrite_query(question, history) == query


def test_a_relative_that_after_a_word_in_any_script_does_not_refer_back() -> None:
    # "the préfet that resigned" read as "Who sacked ... that?"
    assert not refers_back("Who sacked the préfet that resigned?")
    assert not refers_back("Who wrote the Élysée memo that leaked?")
    assert refers_back("Who sacked the préfet for that?")
