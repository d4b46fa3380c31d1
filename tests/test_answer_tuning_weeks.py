"""Wrong bold answers of RealTime QA's tuning weeks (``python -m evals.split_report``'s tune slice), read one by
one in the twelfth session. The sentences are the articles'."""

from __future__ import annotations

from rag.evidence import prepare
from rag.short_answer import candidates

MORENO = ('Team owner Arte Moreno announced Tuesday that he has "initiated a formal process" that could result in '
          "selling the franchise he originally purchased in 2003 for $184 million.")


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_which_owners_possession_asks_the_owner_not_its_holder() -> None:
    """**Arte Moreno** answered "Which MLB team's owner announced ... selling the franchise?": the team is asked."""
    question = ('Which MLB team’s owner announced this week that they have "initiated a formal process" that could '
                "result in selling the franchise?")
    assert _phrases(question, MORENO) == []
    assert _phrases(question, "Los Angeles Angels owner Arte Moreno announced Tuesday that he would sell.") == \
        ["Los Angeles Angels"]
    assert _phrases("Who is the team's owner?", MORENO) == ["Arte Moreno"]


def test_an_age_to_come_is_no_answer_to_how_old() -> None:
    """**86** answered "How old is Biden?" (gold 80), of "Biden would be an unprecedented 86 years old by the end
    of his second term if he were to run and win his reelection"."""
    sentence = ("Biden would be an unprecedented 86 years old by the end of his second term if he were to run and "
                "win his reelection.")
    assert _phrases("President Joe Biden announced his bid for a second term. How old is Biden?", sentence) == []
    assert _phrases("How old would Biden be by the end of a second term?", sentence) == ["86"]
    assert _phrases("How old is Biden?", "Biden, 80, is the oldest president in history.") == ["80"]


def test_a_person_named_by_their_trade_is_no_place_or_firm() -> None:
    """BBC paraphrase (tuning): **Ian Brown** answered "Which San Francisco venue was the former Stone Roses
    frontman playing ...?", of "Former Stone Roses singer Ian Brown was arrested ..."."""
    question = "Which San Francisco venue was the former Stone Roses frontman playing when a fan jumped him on stage?"
    assert _phrases(question, "Former Stone Roses singer Ian Brown was arrested after a fight during a concert in "
                              "San Francisco on Tuesday.") == []
    assert _phrases(question, "He was playing the Great American Music Hall when a fan jumped on stage.") == \
        ["Great American Music Hall"]
    assert "Rod Eddington" in _phrases("Which boss said the airline would cut jobs?",
                                       "BA chief executive Rod Eddington said British Airways would cut jobs.")


def test_a_plural_possessive_describes_the_noun_asked() -> None:
    """"Which children's book ...?" asks for a book ("children's" says which kind), as "which team's owner" does
    not ask for an owner."""
    from rag.short_answer import _asked_head

    assert _asked_head("Raymond Briggs was most celebrated for which children’s book?") == {"book"}
    assert _asked_head("Which MLB team’s owner announced a sale?") == {"team"}
