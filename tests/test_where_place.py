"""A where-question asking where someone or something is or was ("based", "born", "died", "held", "Where in
Jamaica ...?") is refused when the answer's sentences name no place (``asked_kind`` "place",
``holds_kind``), as a who/when/how-many question is when they hold no name, date or figure.

Before: "Where is the e-mail security firm Mirapoint based?" over an article on a survey Mirapoint ran was
answered with the survey's sentence (it names Mirapoint and the Radicati Group: names, so the who-rule let
it pass); so were where Merle Kilgore died and where in Jamaica Bob Marley was born (our BBC on-topic
unanswerable questions). Other where-questions keep their answers: "Where do chloroplasts pump hydrogen?"
("into the thylakoid space", SQuAD) names no place either."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.short_answer import asked_kind, holds_kind
from rag.text import split_sentences
from rag.types import Passage


def _passage(text: str, title: str) -> Passage:
    return Passage(1, "a1:v:0", "a1", title, "src", None, 1.0, text, 0, len(text), tuple(split_sentences(text)))


@pytest.mark.parametrize(("question", "kind"), [
    ("Where is the e-mail security firm Mirapoint based?", "place"),
    ("Where is Lycos Europe, maker of the anti-spam screensaver, headquartered?", "place"),
    ("Where did Merle Kilgore, co-writer of Ring of Fire, die?", "place"),
    ("Where in Jamaica was Bob Marley born?", "place"),
    ("Where was the funeral held?", "place"),
    ("Where do chloroplasts pump hydrogen?", None),  # an answer no place rule reads ("the thylakoid space")
    ("Where did the water flow after the split?", None),
    ("Who runs the firm where Mirapoint is based?", "name"),  # a relative "where": a who-question
])
def test_which_where_questions_ask_for_a_place(question: str, kind: str | None) -> None:
    assert asked_kind(prepare(question)) == kind


@pytest.mark.parametrize(("sentence", "holds"), [
    ("According to a survey conducted by security firm Mirapoint and market research company the Radicati Group, "
     "nearly a third of e-mail users have replied to spam.", False),
    ("Mirapoint, which is based in Sunnyvale, sells e-mail security appliances.", True),  # after "in"
    ("The Sunnyvale firm Mirapoint sells e-mail security appliances.", True),  # a city by the list
    ("Mirapoint has moved its headquarters to Mexico City.", True),
    ("Kilgore died at his home on Sunday.", True),  # a home or a hospital is where, unnamed
    ("Mirapoint sells e-mail security appliances, Verisign said.", False),
])
def test_a_place_by_name_or_a_home(sentence: str, holds: bool) -> None:
    assert holds_kind("place", prepare("Where is the e-mail security firm Mirapoint based?"), sentence) is holds


MIRAPOINT = ("The 'bad behaviour' of e-mail users is helping to sustain the spam industry, a new study has found. "
             "According to a survey conducted by security firm Mirapoint and market research company the Radicati "
             "Group, nearly a third of e-mail users have replied to spam.")


def test_a_where_question_whose_sentences_name_no_place_is_refused_saying_so() -> None:
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("Where is the e-mail security firm Mirapoint based?",
                                                     [_passage(MIRAPOINT, "Users help spam to thrive")])
    assert d.refused
    assert d.notices == ('Not answered: the passages found (such as "Users help spam to thrive") do not state the '
                         "place asked for.",)


def test_the_same_question_over_a_sentence_placing_the_firm_is_answered() -> None:
    text = MIRAPOINT + " Mirapoint, which is based in Sunnyvale, California, sells e-mail security appliances."
    d = ExtractiveAnswerer(refuse_below=1e-9).answer("Where is the e-mail security firm Mirapoint based?",
                                                     [_passage(text, "Users help spam to thrive")])
    assert not d.refused and "Sunnyvale" in d.text
