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

