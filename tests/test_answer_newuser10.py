"""New user 10 (a fact-checker): bold short answers that had the other role of the question's verb ("Who
replaced Liz Truss?" answered **Boris Johnson** from "Truss replaces Boris Johnson"), ... The sentences are
the articles' as the user's collection holds them, or written in their shape."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.short_answer import candidates, no_answer_to, reversed_role, wanted_type
from rag.text import split_sentences
from rag.types import Passage


def _passage(text: str, n: int = 1, title: str = "Report") -> Passage:
    return Passage(n, f"a{n}:v:0", f"a{n}", title, f"src{n}", None, 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


# (question, sentence, the name in it, whether it has the other role than the one asked)
ROLES = [
    # the user's: the one replaced / beaten given as the one who replaced / beat
    ("Who replaced Liz Truss as prime minister?", "Truss replaces Boris Johnson, who leaves office Tuesday.",
     "Boris Johnson", True),
    ("Who succeeded Liz Truss as Britain's prime minister?",
     "Liz Truss has become the United Kingdom's new prime minister, succeeding Boris Johnson.", "Boris Johnson", True),
    ("Who replaced Liz Truss as prime minister?", "Kwarteng was replaced by Jeremy Hunt.", "Jeremy Hunt", True),
    ("Who beat Serena Williams in her final match at the US Open?",
     "Serena Williams beat Martina Hingis in the 1999 US Open final.", "Martina Hingis", True),
    ("Who replaced Liz Truss?", "Boris Johnson was replaced by Liz Truss.", "Boris Johnson", True),
    ("Who did Serena Williams beat in the final?", "Venus Williams beat Serena Williams in the final.",
     "Venus Williams", True),
    # the right role, active, passive or in a clause
    ("Who replaced Liz Truss as prime minister?", "Rishi Sunak replaced Liz Truss as prime minister.", "Rishi Sunak",
     False),
    ("Who replaced Liz Truss as prime minister?", "Liz Truss was replaced by Rishi Sunak on Tuesday.", "Rishi Sunak",
     False),
    ("Who replaced Liz Truss as prime minister?", "Sunak, who replaced Liz Truss, spoke on Tuesday.", "Sunak", False),
    ("Who did Serena Williams beat in the final?", "Serena Williams beat Martina Hingis in the final.",
     "Martina Hingis", False),
    ("Who beat Serena Williams?", "Ajla Tomljanovic beat Serena Williams on Friday.", "Ajla Tomljanovic", False),
    ("Who beat Serena Williams?", "Serena Williams was beaten by Ajla Tomljanovic.", "Ajla Tomljanovic", False),
    # no verb of the question's between them, or a question of no relation: the ranker decides
    ("Who replaced Liz Truss?", "Boris Johnson praised Liz Truss on Monday.", "Boris Johnson", False),
    ("Who is Liz Truss?", "Liz Truss is Boris Johnson's foreign secretary.", "Boris Johnson", False),
    ("Who won the Mega Millions jackpot?", "Mega Millions won praise from Des Plaines.", "Des Plaines", False),
    # a noun sharing the verb's stem is not the verb (BBC paraphrase suite: the answer was withheld)
    ("Who chairs Wigan, whose captain Andy Farrell may move to the 15-man code?",
     "Wigan chairman Maurice Lindsay says he does not expect a quick solution.", "Maurice Lindsay", False),
]


@pytest.mark.parametrize(("question", "sentence", "name", "reverse"), ROLES)
def test_a_name_with_the_other_role_of_the_questions_verb(question: str, sentence: str, name: str,
                                                          reverse: bool) -> None:
    start = sentence.index(name)
    assert reversed_role(question, sentence, start, start + len(name)) is reverse
    assert no_answer_to(prepare(question), name, sentence, start) is reverse


def test_the_one_replaced_is_not_the_bold_answer() -> None:
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(
        "Who replaced Liz Truss as prime minister?",
        [_passage("Truss replaces Boris Johnson, who leaves office Tuesday. She faces an energy crisis.")])
    assert draft.short_answer is None or "Johnson" not in draft.short_answer[0]
    right = ExtractiveAnswerer(refuse_below=0.0).answer(
        "Who replaced Liz Truss as prime minister?",
        [_passage("Rishi Sunak replaced Liz Truss as prime minister on Tuesday. He is 42.")])
    assert right.short_answer is not None and right.short_answer[0] == "Rishi Sunak"


WHOEVER = ("Whoever won the $2.04 billion Powerball jackpot Tuesday will have to reveal an identity eventually, as "
           "many states forbid lottery winners to remain anonymous.")
FERRY = ("At least 12 people were killed when the passenger ferry Calder Star overturned on Lake Marren on Sunday "
         "evening, regional police said on Monday.")


def test_whoever_opening_a_sentence_is_no_name() -> None:
    q = prepare("Who is the person who won the $2.04 billion Powerball jackpot?")
    assert "Whoever" not in [c.phrase for c in candidates(q, WHOEVER)]
    # the winner is not named: refused as lacking the name asked for (it was answered **Whoever.**)
    draft = ExtractiveAnswerer().answer(q.text, [_passage(WHOEVER)])
    assert draft.refused and draft.short_answer is None
    assert "name asked for" in " ".join(draft.notices)


@pytest.mark.parametrize("question", ["What happened on Lake Marren on Sunday?", "What happened to the ferry?",
                                      "What went wrong on the lake?"])
def test_what_happened_asks_for_no_name(question: str) -> None:
    # "What happened on Lake Marren on Sunday?" was answered **Calder Star.**
    assert wanted_type(prepare(question)) == ""
    draft = ExtractiveAnswerer(refuse_below=0.0).answer(question, [_passage(FERRY)])
    assert not draft.refused and draft.short_answer is None
    assert wanted_type(prepare("What ferry overturned on Lake Marren?")) == "name"  # a "what <noun>" still asks one


SONS = "California Lottery officials presented the check to Joe Chahayed and his sons Joe Jr. and Danny."
GRINER = ("The basketball player's wife Cherelle Griner and others close to her have launched the #WeAreBG "
          "campaign.")


@pytest.mark.parametrize("question", ["Who is Joe Chahayed's wife?", "What is the name of Joe Chahayed's wife?"])
def test_a_kin_asked_for_is_named_as_that_kin_of_that_person(question: str) -> None:
    # "Who is Joe Chahayed's wife?" was answered **Joe Jr** (his son), then **Cherelle Griner** (another's wife)
    q = prepare(question)
    assert [c.phrase for c in candidates(q, SONS)] == []
    assert [c.phrase for c in candidates(q, GRINER)] == []
    wife = "Joe Chahayed and his wife, Maria Chahayed, run the station."
    assert "Maria Chahayed" in [c.phrase for c in candidates(q, wife)]
    # a post of the question's own owner, or of no one named, still holds
    assert "Mikel Arteta" in [c.phrase for c in candidates(prepare("Who is Arsenal's manager?"),
                                                            "Arsenal's manager Mikel Arteta said he was happy.")]
    assert [c.phrase for c in candidates(prepare("Who is Arsenal's manager?"),
                                         "Chelsea's manager Graham Potter said he was happy.")] == []
