"""New user 25's answers (a reader of BBC sport and entertainment news, 2004-2005, asking in their own words)."""

from __future__ import annotations

import pytest

from rag.verify import premise_notice

FEDERER = ("World number one Roger Federer added the Dubai Championship trophy to his long list of successes - but "
           "not before he was given a test by Ivan Ljubicic.")
IRELAND = "Ireland consigned England to their third straight Six Nations defeat with a stirring victory at Lansdowne Road."


@pytest.mark.parametrize(("question", "lead", "said"), [
    # a loss the question takes as given, over a report that opens with the win
    ("Why did Roger Federer lose the Dubai final to Ivan Ljubicic?", FEDERER, "Roger Federer beat Ivan Ljubicic"),
    ("Why did Ljubicic beat Federer in the Dubai final?", FEDERER, "Federer beat Ljubicic"),
    # a defeat handed to the side the question has winning
    ("How did England manage to beat Ireland at Lansdowne Road?", IRELAND, "Ireland beat England"),
])
def test_a_winner_turned_round_is_noticed(question: str, lead: str, said: str) -> None:
    notice = premise_notice(question, [lead])
    assert notice is not None and f"the answer's passage says {said}" in notice, notice


@pytest.mark.parametrize(("question", "lead"), [
    ("Why did Federer beat Ljubicic in the Dubai final?", FEDERER),
    ("Why did England lose to Ireland?", IRELAND),
    ("Why did Ireland lose to England?", "England won the match 19-13 at Twickenham."),
    # a win and a loss in one sentence: who won is not read off the first name
    ("Why did Ireland lose to England?", "Ireland won the title despite a defeat to England."),
])
def test_a_report_that_agrees_or_says_both_gives_no_notice(question: str, lead: str) -> None:
    assert premise_notice(question, [lead]) is None


def test_an_events_name_answers_no_question_asking_who() -> None:
    # bold "New York Marathon" for the runner Paula Radcliffe outsprinted (the sentence naming Susan Chepkemei was
    # not among the answer's), "V Festival" for the band that came second
    from rag.evidence import prepare
    from rag.short_answer import no_answer_to

    radcliffe = "Paula Radcliffe made a triumphant return to competitive running with victory in the New York Marathon."
    assert no_answer_to(prepare("Which runner did Paula Radcliffe outsprint to win in New York?"), "New York Marathon",
                        radcliffe, radcliffe.index("New York Marathon"))
    assert no_answer_to(prepare("Who finished second behind the Scissor Sisters in the gig of the year poll?"),
                        "V Festival")
    # a name that ends as an event's does only when it is one; a place or a thing may be one
    assert not no_answer_to(prepare("Who won the Masters?"), "Jason Day")
    assert not no_answer_to(prepare("Where was the race held?"), "New York Marathon")
    assert not no_answer_to(prepare("Which tournament did Federer win?"), "Australian Open")


def test_the_winner_after_a_loss_is_the_one_a_who_beat_question_asks_for() -> None:
    # "Who beat Marat Safin ...?" over "Safin suffered a shock loss to unseeded Nicolas Kiefer": the name after the
    # loss is bound to the question's verb, as "directed by Anton Corbijn" is to "Who will direct ...?"
    from rag.evidence import prepare
    from rag.short_answer import candidates

    def bound(question: str, sentence: str) -> list[str]:
        return [c.phrase for c in candidates(prepare(question), sentence) if c.bound]

    assert bound("Who beat Marat Safin in his opening match in Dubai?",
                 "Marat Safin suffered a shock loss to unseeded Nicolas Kiefer in round one of the Dubai Tennis "
                 "Championships.") == ["Nicolas Kiefer"]
    assert bound("Who knocked Andre Agassi out in San Jose?",
                 "Second seed Andre Agassi suffered a comprehensive defeat by Jurgen Melzer in the quarter-finals.") \
        == ["Jurgen Melzer"]
    # the loser of "beat" is no winner, and another verb's question binds nothing so
    assert bound("Who beat Marat Safin?", "Nicolas Kiefer beat Marat Safin in round one.") == []
    assert bound("Who coached Marat Safin?", "Safin suffered a shock loss to unseeded Nicolas Kiefer.") == []


OSSIE = ("US actor Ossie Davis has been found dead at the age of 87. Davis, who was married to actress Ruby Dee, was "
         "found dead on Friday in his hotel room in Miami Beach, Florida, where he was making a film.")
HOPMAN = ("Slovakia seal Hopman Cup success\n\nSlovakia clinched the Hopman Cup for the second time by beating "
          "Argentina 3-0 in Saturday's final in Perth.\n\nDaniela Hantuchova put the third seeds ahead, recovering "
          "from a terrible start to beat Gisela Dulko 1-6 6-4 6-4. Slovakia's win made up for last year's final "
          "defeat to the United States. Slovakia won the Cup on their first appearance in 1998 when Karol Kucera "
          "and Karina Habsudova beat France.\n")


def test_a_countrys_name_before_the_asked_persons_role_says_where_they_are_from_not_where() -> None:
    # bold "US" for "Where did Ossie Davis die?" over "US actor Ossie Davis has been found dead ..."
    from rag.evidence import prepare
    from rag.short_answer import no_answer_to

    where = prepare("Where did Ossie Davis die?")
    assert no_answer_to(where, "US", OSSIE, 0)
    at = OSSIE.index("Miami Beach")
    assert not no_answer_to(where, "Miami Beach", OSSIE, at)
    # a place before someone the question does not name, or a place asked as a nationality, may be the answer
    assert not no_answer_to(prepare("Where was the film shot?"), "US", OSSIE, 0)
    assert not no_answer_to(prepare("Which country is Ossie Davis from?"), "US", OSSIE, 0)


def test_a_nationality_is_no_short_answer_and_the_place_sentence_is_quoted(tmp_path) -> None:  # noqa: ANN001
    # through the answerer: "US" is no short answer; the sentence saying where he died is quoted (its place, when
    # the ranker is sure enough of it, may be the short answer)
    from tests.fakes import folder_rag

    rag, coll = folder_rag(tmp_path, {"davis.txt": "Ossie Davis dies\n\n" + OSSIE + "\n"}, "davis")
    try:
        answer = rag.ask("Where did Ossie Davis die?")
    finally:
        coll.close()
    assert answer.short_answer in (None, "Miami Beach", "Miami Beach, Florida", "Florida"), answer.text
    assert "Miami Beach" in answer.text, answer.text


def test_a_which_hospital_question_is_answered_by_a_name_calling_itself_one() -> None:
    # bold "REM" for "Which hospital was Mike Mills taken to?" (the articles name no hospital)
    from rag.evidence import prepare
    from rag.short_answer import candidates

    def names(question: str, sentence: str) -> list[str]:
        return [c.phrase for c in candidates(prepare(question), sentence)]

    rem = ("US rock band REM have been forced to cancel concerts after bass player Mike Mills was taken to hospital "
           "suffering from severe flu-like symptoms.")
    assert names("Which hospital was Mike Mills taken to?", rem) == []
    assert "St Mary's Hospital" in names("Which hospital was Mike Mills taken to?",
                                         "Mike Mills was taken to St Mary's Hospital in Paddington on Monday.")
    assert "Broadmoor hospital" in names("Which hospital holds him?", "He is held at Broadmoor hospital in Berkshire.")
    assert "REM" in names("Which band cancelled its concerts?", rem)  # another kind asked: as before


def test_they_in_a_chat_is_whom_the_who_question_was_answered_with(tmp_path) -> None:  # noqa: ANN001 - a Path
    # "Who did they beat in the final?" after "Who won the Hopman Cup?" was searched with every name of the answer
    # ("Slovakia Argentina Saturday's") and answered bold "Gisela Dulko"; "they" is Slovakia, still in the next turn
    from rag.followup import they_named
    from tests.fakes import folder_rag

    first = ("Who won the Hopman Cup?", "Slovakia clinched the Hopman Cup for the second time by beating Argentina "
                                        "3-0 in Saturday's final in Perth [1].")
    assert they_named("Who did they beat in the final?", [first]) == "Who did Slovakia beat in the final?"
    second = ("Who did they beat in the final?", "Argentina. Slovakia clinched the Hopman Cup ... [1].")
    assert they_named("And who beat them the year before?", [first, second]) == "And who beat Slovakia the year before?"
    assert they_named("Where did she grow up?", [first]) is None  # a he or she: ``named_in_answer``'s
    rag, coll = folder_rag(tmp_path, {"455.txt": HOPMAN}, "hopman")
    try:
        opened = rag.ask(first[0])
        asked = rag.ask("Who did they beat in the final?", history=[(first[0], opened.text)])
    finally:
        coll.close()
    assert "Slovakia" in asked.search_query and "Dulko" not in asked.search_query, asked.search_query
    assert "Saturday" not in asked.search_query.split("?", 1)[1], asked.search_query
    assert asked.short_answer in (None, "Argentina"), asked.text
    assert "Argentina" in asked.text, asked.text
