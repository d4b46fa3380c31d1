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
