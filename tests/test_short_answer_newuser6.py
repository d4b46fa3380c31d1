"""A new user's report (#6) on the offline answer's bold short answer: the negated alternative, the
total of "X of the Y", a nation's adjective or a ground for "who", a name bound to the noun or verb
asked, ages written "71-year-old" / "at the age of 27", an appositive post holder, and a refusal by a
rule that now says why. The sentences are the BBC articles' (and the user's own pages') as written."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer, Scored
from rag.short_answer import asked_kind, candidates, name_kind, no_answer_to, wanted_type
from rag.text import split_sentences
from rag.types import Passage

LABOUR = "The Labour Party will hold its 2006 autumn conference in Manchester and not Blackpool, it has been confirmed."
SAYEED = ("But his constituency association voted against a move to deselect him, with Mr Sayeed winning 173 of "
          "the 299 votes.")
BRIDGE = ("The swing bridge over Port Ellison harbour will shut to all traffic from 3 December for fourteen weeks "
          "while its corroded deck is replaced. The work, costing £4.2m, has been awarded to the contractor "
          "Halden Civil, which repaired the Kestrel Point viaduct in 2023.")
CURTIS = ("The life of late Joy Division singer Ian Curtis is to be made into a film, it has been announced. "
          "The film is to be directed by Dutch-born Anton Corbijn, who has made music movies for Depeche Mode and U2.")
YUKOS = "A little-known Russian company has bought the main production unit of oil giant Yukos at auction in Moscow."
HP = ("A US woman is suing Hewlett Packard (HP), saying its printer ink cartridges are secretly programmed to "
      "expire on a certain date.")
FEDERATED = "US retail giant Federated Department Stores is to buy rival May Department Stores for $11bn (£5.7bn)."
SPURS = "The former France manager moved to White Hart Lane this summer but now wants to return to France."
SCOTT = ("Former Northern Ireland minister Sir Nicholas Scott has died at a London hospice, his family has "
         "announced. The former Conservative MP for Kensington and Chelsea, died after a long illness diagnosed "
         "as Alzheimer's. The 71-year-old served in Northern Ireland from 1981 to 1987 during the premiership of "
         "Margaret Thatcher.")
BRINDLE = ("Hackers replaced the home page of Brindle District Council on Saturday night, the council said. "
           "The council's head of digital, Owen Fairley, said the site was restored within three hours and that no "
           "residents' data had been taken.")


def _passage(text: str, n: int = 1, title: str = "Report") -> Passage:
    spans = tuple(split_sentences(text))
    return Passage(n, f"a{n}:v:0", f"a{n}", title, "src", None, 1.0, text, 0, len(text), spans)


def _names(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


# --- D1 (a): an alternative the sentence rules out is no answer


@pytest.mark.parametrize("sentence", [
    LABOUR,
    "Labour will meet in Manchester rather than Blackpool in 2006.",
    "Labour will meet in Manchester instead of Blackpool in 2006.",
    "Labour will meet not in Blackpool but in Manchester in 2006.",
    "Labour will meet in Manchester, not Blackpool, in 2006.",
])
def test_a_negated_alternative_is_no_answer(sentence: str) -> None:
    assert _names("Which city will host Labour's autumn conference in 2006?", sentence) == ["Manchester"]


def test_a_which_noun_question_asks_for_its_noun_not_the_verb_after_it() -> None:
    # "which city *will host*": a city (its "in Manchester" was dropped as the place of a person asked for)
    assert name_kind("Which city will host Labour's autumn conference in 2006?") == "place"
    assert name_kind("Which contractor will replace the harbour bridge deck?") is None
    # a question about the alternative ruled out keeps it
    assert "Blackpool" in _names("Which city was passed over for Labour's 2006 conference?", LABOUR)
    # "not only" negates nothing
    assert _names("How many jobs will go?", "Not only 500 jobs will go, but 40 shops.") == ["only 500 jobs", "40"]


# --- D1 (b): "X of the Y": the total is not the count asked


def test_the_total_of_x_of_the_y_is_not_the_count_asked() -> None:
    asked = "How many votes did Jonathan Sayeed get when his local party tried to deselect him?"
    assert [(c.phrase, c.bound) for c in candidates(prepare(asked), SAYEED)] == [("173", True)]
    # ... unless the total is asked, or the question's word qualifies the total
    assert _names("How many votes were there in total?", SAYEED) == ["173", "299 votes"]
    assert "11 people" in _names("How many people were killed?", "Five of the 11 people killed were children.")
    assert _names("How many staff will lose their jobs?", "About 200 of the 1,500 staff will lose their jobs.") \
        == ["About 200"]
    # "hundreds of thousands" is no part and its total
    assert "thousands" in _names("How many people protested?", "Hundreds of thousands of people protested.")


# --- D1 (c): a nation's adjective, or a country's name used as one, answers no who/which question


@pytest.mark.parametrize(("question", "phrase", "sentence"), [
    ("Which little-known firm won the sale of Yukos's main oil-producing unit?", "Russian", YUKOS),
    ("Who is suing Hewlett Packard over ink cartridges?", "US", HP),
    ("Which company did Federated agree to buy?", "US", FEDERATED),
    ("Which Munich hotel was the Oasis fight in?", "German",
     "Oasis singer Liam Gallagher has been fined 50,000 euros after a fight in a German hotel two years ago."),
    ("Which investment bank led the Jet Airways share sale?", "Indian",
     "Indian airline Jet Airways' initial public offering was oversubscribed 16.2 times, bankers said on Friday."),
])
def test_a_nations_adjective_is_no_answer_to_who_or_which(question: str, phrase: str, sentence: str) -> None:
    assert no_answer_to(prepare(question), phrase, sentence, sentence.index(phrase))


@pytest.mark.parametrize(("question", "phrase", "sentence"), [
    ("What nationality is the company that bought Yugansk?", "Russian", YUKOS),  # a nationality is asked
    ("Which country's court issued the restraining order?", "US", "A US court issued a restraining order."),
    ("Which army attacked and destroyed this colony?", "Spanish", "The Spanish army destroyed the colony."),
    ("Who imposed sanctions on Iran?", "US", "The US said it would impose sanctions on Iran."),  # the US acts
    ("Where was the restraining order issued?", "US", "A US court issued a restraining order."),
])
def test_a_nation_may_answer_when_it_is_asked_or_acts(question: str, phrase: str, sentence: str) -> None:
    assert not no_answer_to(prepare(question), phrase, sentence, sentence.index(phrase))


def test_the_answer_withholds_a_nations_adjective() -> None:
    q = prepare("Who is suing Hewlett Packard over ink cartridges?")
    p = _passage(HP)
    ranked = [Scored(p, p.sentences[0], HP, 1.0, 0.9)]
    a = ExtractiveAnswerer()
    short, _, _ = a.best_phrase(q, ranked, ranked, a.phrase_model)
    # "US" was the ranker's only candidate, withheld after ranking (``no_answer_to``); since new user 14 a
    # country or US state is no candidate for a question asking for a person at all (tests/test_answer_newuser14.py:
    # "Virginia" for the gunman's name), so there is none to rank ...
    assert short is None
    shown_always = replace(a.phrase_model, bar=0.0)
    assert a.short_answer(q, ranked, ranked, shown_always) == (None, ranked)  # ... and none is shown, whatever its P


# --- D1 (e): a ground reached by a preposition is no "who"


def test_a_ground_is_no_answer_to_who() -> None:
    q = prepare("Who was appointed Tottenham's permanent manager after Santini?")
    assert no_answer_to(q, "White Hart Lane", SPURS, SPURS.index("White Hart Lane"))
    scorer = "The cross found Danny Lane, who scored."
    assert not no_answer_to(prepare("Who scored the winner?"), "Danny Lane", scorer, scorer.index("Danny Lane"))


# --- D1 (d): a name bound to the noun or the verb asked


def test_a_name_right_after_the_noun_asked_is_bound_to_it() -> None:
    question = "Which contractor will replace the harbour bridge deck?"
    first, second = split_sentences(BRIDGE)
    assert [(c.phrase, c.bound) for c in candidates(prepare(question), BRIDGE[slice(*first)])] \
        == [("Port Ellison", False)]
    assert [(c.phrase, c.bound) for c in candidates(prepare(question), BRIDGE[slice(*second)])] \
        == [("Halden Civil", True), ("Kestrel Point", False)]
    # the post a who-question asks the holder of, and a general word's synonyms ("which boss": chief executive)
    kahn = ("Sources familiar with the deal said that negotiations between the two companies sped up after May's "
            "chairman and chief executive Gene Kahn resigned in January.")
    assert [(c.phrase, c.bound) for c in candidates(prepare("Which boss of May Department Stores stepped down "
                                                            "in January?"), kahn)][-1] == ("Gene Kahn", True)
    # ... but a "deputy leader" asked is no chairman
    holdsworth = "UKIP chairman Petrina Holdsworth urged the men to step down."
    assert not any(c.bound for c in candidates(prepare("Which Veritas deputy leader insisted he keep his "
                                                       "seat?"), holdsworth))


def test_the_agent_of_the_verb_a_who_question_asks_is_bound() -> None:
    directed = CURTIS[slice(*split_sentences(CURTIS)[1])]
    found = [(c.phrase, c.bound) for c in candidates(prepare("Who will direct the film about Ian Curtis?"), directed)]
    assert found[0] == ("Anton Corbijn", True) and "Dutch" not in dict(found)  # "Dutch-born" is no name
    # a passive question's "by" names someone else; so does a question whose subject is not the one asked
    by = "Mr Brown was joined at the launch by John Prescott."
    assert not any(c.bound for c in candidates(prepare("Who was in charge at the launch?"), by))
    regulators = "JetBlue will buy Spirit if approved by U.S. regulators."
    assert not any(c.bound for c in candidates(prepare("Spirit shareholders approved a merger with which "
                                                       "company?"), regulators))


@pytest.mark.parametrize(("question", "text", "right", "wrong"), [
    ("Which contractor will replace the harbour bridge deck?", BRIDGE, "Halden Civil", "Port Ellison"),
    ("Who will direct the film about Ian Curtis?", CURTIS, "Anton Corbijn", "Joy Division"),
])
def test_a_bound_name_in_the_answer_beats_another_name(question: str, text: str, right: str, wrong: str) -> None:
    """Even when the sentence ranker puts the other name's sentence well first (the phrase ranker, fitted
    before names were bound, then picks "Port Ellison"): the answer's name called what is asked wins."""
    q = prepare(question)
    p = _passage(text)
    for gap in (1.0, 3.0):
        ranked = [Scored(p, span, text[slice(*span)], -i * gap, 0.9) for i, span in enumerate(p.sentences)]
        a = ExtractiveAnswerer()
        short, _, _ = a.best_phrase(q, ranked, ranked, a.phrase_model)
        assert short is not None and short[0] == right
        shown, _ = a.short_answer(q, ranked, ranked)
        assert shown is None or shown[0] == right  # never the other name (the fitted bar decides whether to show it)
        assert wrong not in (shown or ("",))[0]


# --- D3: ages, an appositive post holder, and a rule's refusal that says why


@pytest.mark.parametrize(("question", "sentence", "found"), [
    ("How old was Hendrix when he died?", "He died of drug overdose in 1970 at the age of 27.", ("27", True)),
    ("How old was Hendrix when he died?", "Hendrix died at 27 in London.", ("27", True)),
    # alone, "The 71-year-old served ..." tells no death: for "... when he died?" it is read only after the sentence
    # that tells it (``rag.short_answer.death_told``, the test after the next): new user 17 got **51**, of "The
    # 51-year-old premier has marked his 2,838th day in the post", for the former prime minister's age at death
    ("How old was Sir Nicholas Scott?", "The 71-year-old served in Northern Ireland from 1981 to 1987.",
     ("71", True)),
    ("How old was Sir Nicholas Scott?", "Sir Nicholas died aged 71 after a long illness.", ("71", True)),
    ("At what age did Hendrix die?", "He died of drug overdose in 1970 at the age of 27.", ("27", True)),
])
def test_an_age_however_written(question: str, sentence: str, found: tuple[str, bool]) -> None:
    assert [(c.phrase, c.bound) for c in candidates(prepare(question), sentence)] == [found]


def test_what_age_asks_for_a_figure() -> None:
    q = prepare("What age was Sir Nicholas Scott when he died?")
    assert wanted_type(q) == "number" and asked_kind(q) == "figure"
    assert _names("What age was Sir Nicholas Scott when he died?", "He died at 3 p.m. on Sunday.") == []


def test_an_age_in_the_sentence_after_the_answer_is_given_not_refused() -> None:
    """"The 71-year-old served ..." shares no word with "How old was Sir Nicholas Scott?", so no ranker
    brings it in; it refers back to the sentence the answer gives, and states the age: it answers."""
    a = ExtractiveAnswerer(refuse_below=1e-9)
    for question in ("How old was Sir Nicholas Scott when he died?", "How old was Sir Nicholas Scott?"):
        d = a.answer(question, [_passage(SCOTT, title="Former NI minister Scott dies")])
        assert not d.refused and "The 71-year-old served" in d.text


def test_an_appositive_name_holds_the_post_asked() -> None:
    sentence = BRINDLE[slice(*split_sentences(BRINDLE)[1])]
    for question in ("Who is Brindle council's head of digital?", "Who is the head of digital at Brindle council?"):
        assert [(c.phrase, c.bound) for c in candidates(prepare(question), sentence)] == [("Owen Fairley", True)]
    # a post's verb asks for its holder too: "Who chairs ...?"
    finn = "\"It does not reflect the value of the company,\" said Southcorp chairman Brian Finn."
    assert _names("Who chairs Southcorp?", finn) == ["Brian Finn"]
    # a list after "of" is no appositive
    assert _names("Who is the head of sales?", "The head of sales, Marketing and Design Ltd said no.") == []
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("Who is Brindle council's head of digital?",
                                                     [_passage(BRINDLE, title="Hackers deface Brindle council site")])
    assert not d.refused and "Owen Fairley" in d.text


def test_a_rules_refusal_says_why() -> None:
    text = ("Ericsson made a net profit of 19bn kronor in 2004, against a loss of 10.8bn kronor in 2003. "
            "Ericsson said the mobile network market grew strongly over the year.")
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("How many people did Ericsson employ at the end of 2004?",
                                                     [_passage(text, title="Ericsson returns to profit")])
    assert d.refused and d.notices == ('Not answered: the passages found (such as "Ericsson returns to profit") '
                                       "do not state the number of people asked for.",)
    paypal = ("A fake Paypal.com has already been registered with net domain giant Verisign by someone who has "
              "followed the debate, said Mr Dyer. Verisign said it would review the rules.")
    d = ExtractiveAnswerer(refuse_below=0.01).answer("When was the fake PayPal web address registered with Verisign?",
                                                     [_passage(paypal, title="Fake PayPal address registered")])
    assert d.refused and d.notices == ('Not answered: the passages found (such as "Fake PayPal address registered") '
                                       "do not state the date asked for.",)


# --- D7: an article's own footnote number ending a sentence is left out of the answer, not of the quote


def test_an_articles_trailing_footnote_number_is_left_out_of_the_answer() -> None:
    text = ("Hackers replaced the home page of Brindle District Council on Saturday night. The council's head of "
            "digital said no residents' data had been taken [2]. The site was restored within three hours.[3]")
    p = _passage(text, title="Hackers deface Brindle council site")
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("Was any residents' data taken by the hackers?", [p])
    assert not d.refused and "no residents' data had been taken. [1]" in d.text and "[2]" not in d.text
    glued = _passage("Hackers replaced the council's home page on Saturday. The site was restored within three hours.[3]")
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("How long did it take to restore the council's site?", [glued])
    assert "within three hours. [1]" in d.text and "[3]" not in d.text
    # one inside a sentence reads as text ("see [2]") and stays
    inside = _passage("The harbour reopened on Monday, see [2] for the repair costs. Ships queued outside.")
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("When did the harbour reopen?", [inside])
    assert "see [2] for the repair costs. [1]" in d.text


def test_a_refusal_of_the_fitted_model_says_why_too() -> None:
    text = "Ericsson made a net profit of 19bn kronor in 2004. Ericsson said the mobile network market grew."
    d = ExtractiveAnswerer(refuse_below=0.99).answer("Who will coach the Swedish national football team?",
                                                     [_passage(text, title="Ericsson returns to profit")])
    assert d.refused and len(d.notices) == 1
    notice = d.notices[0]
    assert notice.startswith('Not answered: the passages found (such as "Ericsson returns to profit") do not '
                             "clearly answer it (confidence ") and "under 0.99" in notice
    assert f"confidence {d.confidence:.2f}" in notice
