"""New user 18 (a fact-checker, January 2023 wire copy) in `rag chat`: "What about Amazon?" after two turns on
Microsoft's job cuts was answered **Microsoft** with Microsoft's sentence again. The sentences are the articles'."""

from __future__ import annotations

from dataclasses import replace

from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.short_answer import PhraseModel, wanted_type
from rag.types import Passage

MICROSOFT = ("Microsoft announced thousands of job cuts this week, becoming the latest tech company to pluck its "
             "workforce as the global economy slows. The software company confirmed Wednesday its reducing workforce "
             "by 10,000 people through the end of the third quarter of the 2023 fiscal year.")
AMAZON = ("Earlier this week, Amazon began laying off thousands of employees. On Jan. 4, Amazon CEO Andy Jassy announced "
          "the company planned to cut more than 18,000 employees.")


def _passage(n: int, aid: str, text: str) -> Passage:
    from index.chunk import split_sentences

    spans = tuple((a, b) for a, b in split_sentences(text))
    return Passage(n=n, chunk_id=f"{aid}:0", article_id=aid, title="Tech layoffs", source=f"https://{aid}.example/x",
                   published="2023-01-19", score=1.0, text=text, start=0, end=len(text), sentences=spans)


def test_what_about_x_is_answered_from_a_sentence_that_names_x() -> None:
    passages = [_passage(1, "ms", MICROSOFT), _passage(2, "am", AMAZON)]
    searched = "What about Amazon? share workforce tech company week cut jobs"  # as `rag chat` searched it
    last = "Also on Wednesday, Microsoft announced 10,000 job cuts, or nearly 5% of its workforce [2]."
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(searched, passages, after=("What about Amazon?", last))
    first = draft.text.split(" [")[0]
    assert "Amazon" in first and "Microsoft" not in draft.text
    assert draft.short_answer is None or "Microsoft" not in draft.short_answer[0]
    # no sentence names the subject: the question is answered as before (not refused for it)
    alone = ExtractiveAnswerer(refuse_below=0.0).answer(searched, passages[:1], after=("What about Amazon?", last))
    assert not alone.refused and "Microsoft" in alone.text
    # "What about last week?" asks the same of another time: no sentence must say "last week"
    from rag.followup import new_subject

    assert new_subject("What about Amazon?") == "Amazon" and new_subject("And in France?") == "France"
    assert new_subject("What about last week?") is None and new_subject("And on Sunday?") is None


def test_what_about_x_asks_for_no_name_of_its_own() -> None:
    # it asks the last question again: "What share ...?" after it wants a figure, and a name-typed "What about X?"
    # made "Amazon CEO Andy Jassy" the bold answer
    assert wanted_type(prepare("What about Amazon? share workforce tech company week cut jobs")) == ""
    assert wanted_type(prepare("What company did it buy?")) == "name"


# new user 20 (a newsroom developer, December 2022 stories through feeds): bold answers of the right sentence's
# wrong phrase


def _phrases(question: str, sentence: str) -> list[str]:
    from rag.short_answer import candidates

    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_an_initial_ends_no_sentence_of_the_question() -> None:
    from rag.short_answer import asking_sentence

    # read as asking "Inouye Highway?", the question wanted no unit: **about 2.4** (of "about 2.4 miles")
    question = "How far was the Mauna Loa lava flow from the Daniel K. Inouye Highway?"
    assert asking_sentence(question) == question
    assert _phrases(question, "The flow front was about 2.4 miles from the Daniel K. Inouye Highway as of Saturday "
                              "afternoon, according to the US Geological Survey.") == ["about 2.4 miles"]
    assert asking_sentence("The U.S. economy grew. What did Gov. Newsom say?") == "What did Gov. Newsom say?"
    assert asking_sentence("They met in the U.S. Who won?") == "They met in the U.S. Who won?"


def test_an_amount_of_a_thing_is_no_share() -> None:
    sentence = ("Demand for coal is set to grow 1.2% and top 8 billion metric tons for the first time ever this year, "
                "the IEA said.")
    assert _phrases("How much coal did the world burn in 2022?", sentence) == ["8 billion"]
    assert "1.2%" in _phrases("How much did demand for coal grow in 2022?", sentence)  # a rise may be a share


def test_a_country_answers_who_when_the_question_sets_countries_against_each_other() -> None:
    sentence = "Messi won the title as Argentina beat France in a penalty shootout Sunday."
    assert "France" in _phrases("Who did Argentina beat in the 2022 World Cup final?", sentence)
    # a person is asked: "Virginia" of "a Walmart store in Chesapeake, Virginia" is no gunman
    assert "Virginia" not in _phrases("Who opened fire at the Walmart store?",
                                      "A man opened fire at a Walmart store in Chesapeake, Virginia.")


# new users 18 and 19: a wrong day or place in the question passed without a word, the cited text saying otherwise


def test_a_wrong_day_or_place_the_question_takes_as_given_gets_a_notice() -> None:
    from rag.verify import premise_notice

    day = premise_notice("Why did Trump announce his 2024 campaign on Monday night?",
                         ["Former President Donald Trump announced Tuesday night that he is running again."])
    assert day is not None and "says Monday" in day and "Tuesday" in day
    place = premise_notice("Which Florida store sold the winning $2.04 billion Powerball ticket on Tuesday?",
                           ["A lone winning ticket for the record $2.04 billion Powerball lottery jackpot was sold in "
                            "Altadena, California, at Joe's Service Center."])
    assert place is not None and "says Florida" in place and "California" in place
    # the day and place as asked, or a place that is context of what is asked, get none
    assert premise_notice("What did Biden say on Tuesday?", ["Biden said on Tuesday that the vote was close."]) is None
    assert premise_notice("Why did Trump speak on Monday?", ["Trump spoke on Monday, and again on Friday."]) is None
    assert premise_notice("Which country did the balloon that flew over the US belong to?",
                          ["The balloon belonged to China, officials said."]) is None
    assert premise_notice("Which Florida city did Ian hit first?", ["Ian made landfall near Fort Myers."]) is None


def test_a_follow_up_carries_no_word_of_so_far() -> None:
    from rag.followup import rewrite_query

    # new user 19's chat: "What about the Democrats?" was searched "... seats won far last week"
    history = [("How many House seats have Republicans won so far?", "211 [1]."), ("And last week?", "212 [1].")]
    searched = rewrite_query("What about the Democrats?", history)
    assert "far" not in searched.split() and "seats" in searched


def test_a_who_question_asking_whom_is_answered_by_a_common_noun_after_its_verb() -> None:
    from rag.short_answer import holds_kind

    # SQuAD: "Who may teachers ignore, in order to prioritize attention?" was refused ("no name asked for") over
    # "... teachers may concentrate their attention on motivated students, ignoring attention-seeking ... students"
    sentence = ("In response, teachers may concentrate their attention on motivated students, ignoring "
                "attention-seeking and disruptive students.")
    assert holds_kind("name", prepare("Who may teachers ignore, in order to prioritize attention?"), sentence)
    assert not holds_kind("name", prepare("Who did the board sack?"), "The board met on Monday to discuss it.")
    assert holds_kind("name", prepare("Who did the board sack?"), "The board sacked the chief executive on Monday.")
    assert not holds_kind("name", prepare("Who did the board sack?"), "The board sacked by mistake.")


def test_a_date_outside_the_period_the_question_names_is_no_short_answer(monkeypatch) -> None:  # noqa: ANN001
    from datetime import date

    from rag.timewindow import asked_period, outside_window, understand

    # new user 19: "On which day this week did the Artemis I rocket lift off?" (asked 17 November 2022) was
    # answered **June 15**, of a photo caption on a rehearsal, beside "... lifts off ... on Wednesday, November 16"
    question = "On which day this week did the Artemis I rocket lift off?"
    window = understand(question, date(2022, 11, 17))
    assert window is not None and outside_window("June 15", window)
    assert not outside_window("November 16", window) and not outside_window("Wednesday", window)
    assert asked_period(question, window) == window
    # a day or year that names the event, not where its date lies, bounds nothing (RealTime QA, BBC)
    for other in ("Queen Elizabeth II died Thursday. When did she ascend to the throne?",
                  "When is the deadline to file your taxes this year?", "When is Cat Deeley's final Saturday show?"):
        assert asked_period(other, understand(other, date(2022, 11, 17))) is None
    text = ("Spectators cheer as the Artemis I rocket lifts off from NASA's Kennedy Space Center in Cape Canaveral, "
            "Florida, on Wednesday, November 16. The moon peeks behind the Artemis I rocket in Cape Canaveral, "
            "Florida, on June 15, days before a wet dress rehearsal test.")
    passages = [_passage(1, "art", text)]
    # which phrase, whatever the fitted bar under which none is shown
    monkeypatch.setattr(PhraseModel, "load", classmethod(lambda cls, _load=PhraseModel.load: replace(_load(), bar=0.0)))
    answerer = ExtractiveAnswerer(refuse_below=0.0)
    assert answerer.answer(question, passages).short_answer[0] == "June 15"  # the ranker's pick, no period asked
    draft = answerer.answer(question, passages, asked=window)
    assert draft.short_answer is not None and draft.short_answer[0] == "November 16"


def test_a_brief_credits_the_earliest_version_of_a_story_told_twice_alike() -> None:
    from rag.brief import _event

    # new user 20: `rag brief` credited a lightly edited copy of a wire story ("Wire Desk"), `rag ask` the original
    text = "Mauna Loa erupted on Sunday night for the first time since 1984, the US Geological Survey said."
    copy = replace(_passage(1, "copy", text), published="2022-11-29", story_id="s1")
    original = replace(_passage(2, "orig", text), published="2022-11-28", story_id="s1")
    q = prepare("Mauna Loa")
    for order in ([copy, original], [original, copy]):
        found = _event(q, order)
        assert found is not None and found[1].citation.article_id == "orig"


def test_a_police_force_is_asked_as_an_organisation() -> None:
    from rag.short_answer import name_kind

    # bbc-premises: "Which force detained the British National Party leader ...?" was answered **Nick Griffin**,
    # the leader the question describes: a force, a ministry or a regulator is a body, not a person
    assert name_kind("Which force detained the British National Party leader?") == "org"
    assert name_kind("Which regulator fined the bank?") == "org"


# new user 19's unanswerable questions, answered with a phrase of the wrong kind


def test_severance_is_an_amount_of_money() -> None:
    from rag.short_answer import asks_money

    # "How much severance is Bob Chapek getting after leaving Disney?" was answered **more than 137 million**
    # (Disney+'s subscribers); the articles give no severance
    question = "How much severance is Bob Chapek getting after leaving Disney?"
    assert asks_money(question) and asks_money("How much was the settlement?")
    assert _phrases(question, "Disney+ has more than 137 million subscribers.") == []
    assert _phrases(question, "He will receive a $21 million payout.") == ["$21 million"]
    assert not asks_money("How much snow fell in Buffalo?")


def test_the_name_of_the_gunman_is_asked_as_who_is() -> None:
    from rag.short_answer import asked_kind

    # "What is the name of the gunman in this week's Chesapeake Walmart shooting?" (unnamed in the articles) was
    # answered with the shooting's sentences, and the police department counted as a name of the gunman
    question = "What is the name of the gunman in this week's Chesapeake Walmart shooting?"
    assert asked_kind(prepare(question)) == "name"
    assert asked_kind(prepare("What is the name of the new ship?")) is None  # no person: any phrase may answer
    told = "The Chesapeake Police Department responded to a report of a shooting at the store."
    assert _phrases(question, told) == []
    assert _phrases("Who responded to the shooting?", told) == ["Chesapeake Police Department"]
    assert _phrases(question, "Police named the gunman as Andre Bing, a store manager.") == ["Andre Bing"]


def test_a_sentence_opening_with_a_year_outside_the_period_asked_is_no_candidate() -> None:
    from datetime import date

    from rag.timewindow import asked_period, opens_outside, understand

    # RealTime QA (tuning): "Which athlete became the NBA's all-time leading scorer this week?" (10 February 2023)
    # was answered with Dolph Schayes's 1958 record above LeBron James's of that week
    question = "Which athlete became the NBA's all-time leading scorer this week?"
    window = asked_period(question, understand(question, date(2023, 2, 10)))
    assert window is not None
    old = ("In 1958, during the third quarter of the Syracuse Nationals' blowout victory against the Detroit Pistons, "
           "Schayes became the NBA's all-time leading scorer.")
    new = ("Reaction from social media poured in after LeBron James passed Kareem Abdul-Jabbar to become the NBA's "
           "all-time leading scorer.")
    assert opens_outside(old, window) and opens_outside("On Jan. 5, 2021, police said so.", window)
    assert not opens_outside(new, window) and not opens_outside("On Feb. 7, 2023, James passed him.", window)
    assert not opens_outside("Since 2019, he has led the list.", window)  # up to now: the week included
    assert not opens_outside("The 1958 record, he said, stood for years.", window)  # no opening date
    answerer = ExtractiveAnswerer(refuse_below=0.0)
    passages = [_passage(1, "history", old), _passage(2, "news", new)]
    assert "Schayes" in answerer.answer(question, passages).text.split(" [")[0]  # no period asked: the best match
    assert "LeBron James" in answerer.answer(question, passages, asked=window).text.split(" [")[0]
    alone = answerer.answer(question, passages[:1], asked=window)  # nothing else: answered as before
    assert not alone.refused and "Schayes" in alone.text


def test_a_who_question_is_answered_by_a_passive_agent_or_a_verb_said_otherwise() -> None:
    from rag.short_answer import holds_kind

    # SQuAD (wrongly refused: no name in the sentences): "Who would decide on the curricula ...?" over "... curricula as
    # determined by the relevant authority"; "Who helped find sponsors ...?" over "A professional fundraiser will aid
    # in finding business sponsors"
    curricula = prepare("Who would decide on the curricula that is consistent and standard?")
    assert holds_kind("name", curricula, "A teacher may follow standardized curricula as determined by the relevant "
                                         "authority.")
    assert not holds_kind("name", curricula, "A teacher may follow standardized curricula as set out in law.")
    assert not holds_kind("name", curricula, "The curricula are determined by the curricula.")  # the question's own
    sponsors = prepare("Who helped find sponsors and donors?")
    assert holds_kind("name", sponsors, "A professional fundraiser will aid in finding business sponsors.")
    assert not holds_kind("name", sponsors, "Sponsors and donors were found in the end.")
    # another verb is no paraphrase: "sacked by the board" does not say who hired
    assert not holds_kind("name", prepare("Who hired the coach?"), "The coach was sacked by the board.")


def test_a_surname_answer_is_given_as_the_answer_names_the_person_in_full() -> None:
    from rag.extractive import Scored, full_name

    # RealTime QA (tuning): "Who won the Oscar for Best Supporting Actress at the 95th Academy Awards?" was answered
    # **Curtis** (of "Curtis, who won the award ...") under "Jamie Lee Curtis achieved a career milestone ..."
    asked = prepare("Who won the Oscar for Best Supporting Actress at the 95th Academy Awards?")
    text = ("Jamie Lee Curtis achieved a career milestone with her first Oscar win. Curtis, who won the award for best "
            "supporting actress, gave an emotional speech.")
    p = _passage(1, "oscars", text)
    first, second = (Scored(p, span, text[span[0] : span[1]], 1.0, 1.0) for span in p.sentences)
    at = text.index("Curtis, who")
    assert full_name(asked, ("Curtis", at, at + 6), [first, second]) == ("Jamie Lee Curtis", 0, 16)
    assert full_name(asked, ("Curtis", at, at + 6), [second]) == ("Curtis", at, at + 6)  # no full name cited: as it is
    assert full_name(asked, ("Jamie Lee Curtis", 0, 16), [first, second]) == ("Jamie Lee Curtis", 0, 16)
    # a capitalised word opening the sentence is no first name ("When Curtis spoke, ...")
    told = "When Curtis spoke, the hall stood."
    q = _passage(1, "speech", told)
    (only,) = (Scored(q, span, told[span[0] : span[1]], 1.0, 1.0) for span in q.sentences)
    assert full_name(asked, ("Curtis", 5, 11), [only]) == ("Curtis", 5, 11)
    # a place is no surname, nor a company ("Former Worldcom" of "Who is the judge ...?": "Former" is no first name)
    where = prepare("In which city was Tesla's consultant job?")
    city = _passage(1, "tesla", "He worked at the Westinghouse Electric & Manufacturing Company's Pittsburgh labs.")
    at_p = city.text.index("Pittsburgh")
    assert full_name(where, ("Pittsburgh", at_p, at_p + 10), [Scored(city, (0, len(city.text)), city.text, 1.0, 1.0)]) \
        == ("Pittsburgh", at_p, at_p + 10)
    judge = prepare("Who is the judge presiding over Bernie Ebbers' fraud trial in New York?")
    firm = _passage(1, "ebbers", "Former Worldcom chief Bernie Ebbers went on trial. Worldcom collapsed in 2002.")
    (one, two) = (Scored(firm, span, firm.text[span[0] : span[1]], 1.0, 1.0) for span in firm.sentences)
    at_w = firm.text.index("Worldcom collapsed")
    assert full_name(judge, ("Worldcom", at_w, at_w + 8), [one, two]) == ("Worldcom", at_w, at_w + 8)
    # another article's mention is no proof it is the same person
    other = _passage(2, "other", "Tony Curtis starred in the film.")
    assert full_name(asked, ("Curtis", at, at + 6), [Scored(other, (0, 31), other.text, 1.0, 1.0), second]) \
        == ("Curtis", at, at + 6)


def test_an_opposite_outcome_the_question_takes_as_given_gets_a_notice() -> None:
    from rag.verify import premise_notice

    # new user 19: both were answered with the passage telling the other outcome, and nothing said so
    notice = premise_notice("Why did the Senate vote down the same-sex marriage bill on Tuesday?",
                            ["The Senate on Tuesday passed legislation to protect same-sex and interracial marriage."])
    assert notice is not None and '"vote down"' in notice and '"passed"' in notice
    notice = premise_notice("Why did Bob Chapek come back as Disney CEO on Sunday?",
                            ["Bob Chapek, who replaced Iger in 2020 as CEO, is stepping down immediately."])
    assert notice is not None and '"come back"' in notice and '"stepping down"' in notice
    # the same outcome, both told, or another subject's: no notice
    assert premise_notice("Why did the Senate pass the bill?", ["The Senate passed the bill after a debate."]) is None
    assert premise_notice("Why did stocks rise on Monday?", ["Stocks fell early on Monday, then rose."]) is None
    assert premise_notice("Why did Bob Iger return to Disney?", ["Bob Chapek is stepping down immediately."]) is None
    # the winner and the loser the other way round
    notice = premise_notice("By what score did Argentina beat Saudi Arabia yesterday?",
                            ["According to Gracenote, Argentina’s 2-1 defeat by Saudi Arabia is the biggest upset."])
    assert notice is not None and "Saudi Arabia beat Argentina" in notice
    assert premise_notice("Why did Chelsea beat Arsenal?", ["Arsenal lost 2-0 to Chelsea on Sunday."]) is None
    assert premise_notice("Why did Chelsea beat Arsenal?", ["Arsenal beat Chelsea 2-0 on Sunday."]) is not None
    assert premise_notice("Who did Argentina beat in the final?", ["Argentina beat France on penalties."]) is None
    # a vote is an outcome of a bill, a law or the like: "passed" a rival in a race is no vote
    assert premise_notice("Why did the team reject the offer?", ["The team passed the halfway mark."]) is None


# new user 21 (a podcast producer, August 2022, offline and local model): false premises the answer quoted
# without a word


def test_a_number_in_words_a_rank_or_a_sale_the_question_gets_wrong_gets_a_notice() -> None:
    from rag.verify import _in_digits, premise_notice

    notice = premise_notice("Why did the Russian court sentence Brittney Griner to 12 years in prison?",
                            ["After a Russian court sentenced WNBA star Brittney Griner on Thursday to nine years in "
                             "prison for a drug smuggling conviction, her supporters condemned it."])
    assert notice is not None and "12 years" in notice
    notice = premise_notice("Why did LeBron James sign a five-year extension with the Lakers?",
                            ["NBA superstar LeBron James has agreed to a two-year extension to his contract."])
    assert notice is not None and "five-year" in notice
    notice = premise_notice("Why is Snapchat laying off half of its employees?",
                            ["Snap announced plans to lay off some 20% of its more than 6,400 global employees."])
    assert notice is not None and "half" in notice
    notice = premise_notice("How did Gautam Adani become the world's second richest person?",
                            ["Now he is also the world's third richest person, overtaking LVMH's Bernard Arnault."])
    assert notice is not None and "second richest" in notice and "third richest" in notice
    notice = premise_notice("Why did NFL owners vote to reject the sale of the Denver Broncos to the Walton family?",
                            ["The record $4.65 billion sale of the Denver Broncos to Walmart heir Rob Walton was "
                             "unanimously approved Tuesday by NFL owners."])
    assert notice is not None and '"reject"' in notice and '"approved"' in notice
    # said the same way, or in digits where the question wrote words: no notice
    assert premise_notice("Why did LeBron James sign a two-year extension?", ["He agreed to a 2-year extension."]) is None
    assert premise_notice("How did Adani become the third richest person?", ["He is the third richest person."]) is None
    assert premise_notice("Why did the court sentence Griner to nine years?", ["She got 9 years in prison."]) is None
    # an age stays an age ("61-year-old" names no span of years), and a lone "one" counts nothing
    assert _in_digits("the 61-year-old, one of them")[0] == "the 61-year-old, 1 of them"


def test_a_common_noun_opening_a_sentence_is_no_name() -> None:
    # new user 21: "Who has made an offer to buy the Los Angeles Angels from Arte Moreno?" was answered **Team**
    question = "Who has made an offer to buy the Los Angeles Angels from Arte Moreno?"
    assert _phrases(question, "Team owner Arte Moreno announced Tuesday that he started a formal process.") == []
    assert _phrases("Who won the match?", "Police said Smith won the match.") == ["Smith"]
    assert _phrases("Who won the match?", "Chelsea won the match.") == ["Chelsea"]


def test_a_claim_made_only_of_the_questions_words_needs_them_all_in_the_passage() -> None:
    from rag.verify import supports, verify

    # new user 21's local model: "What breed was the dog of the man who started the Springville spider fire?" was
    # answered "The dog of the man who started the Springville spider fire was a spider [1]." and kept
    question = "What breed was the dog of the man who started the Springville spider fire?"
    quote = ("Springville Fire Chief Henry Clinton arrived on scene when they saw a vehicle and man walking about "
             "with his dog on an access road high up on the mountainside.")
    claim = "The dog of the man who started the Springville spider fire was a spider"
    passage = _passage(1, "fire", quote)
    got = verify(claim + " [1].", [passage], question)
    assert got.text == "" and got.removed == (claim + ".",), got
    assert not supports(claim, quote, question)  # the evaluator agrees
    # all the question's words in the passage: a restatement it backs (a yes/no answer, a premise) stands
    told = "A man started the Springville fire while burning a spider, police said."
    assert verify("A man started the Springville fire while burning a spider [1].", [_passage(1, "f", told)],
                  "Who started the Springville spider fire?").text
    assert supports("Bob Chapek stepped down.", "Bob Chapek stepped down on Sunday.", "Did Bob Chapek step down?")
