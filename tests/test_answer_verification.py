"""Every sentence of an LLM answer is verified on the product path: ``RAG.ask`` and ``RAG.stream``
over the seed article (real embedder, embedded Chroma) with a scripted LLM in place of the model.

The script writes what small models were seen writing on real news questions: a right claim with
its marker, one with no marker, an invented sentence, a right head with an invented clause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from rag.api import RAG
from rag.types import REFUSAL, Answer, Draft, Passage

Script = Callable[[Sequence[Passage]], str]


class ScriptedLLM:
    """An answerer whose reply is written from the passages it is given (so it can cite the right
    ``[n]`` whatever retrieval numbered them), streamed in two deltas then the ``Draft``, like
    ``rag.llm.LLMAnswerer``."""

    name = "llm:scripted"

    def __init__(self, script: Script) -> None:
        self.script = script
        self.seen: list[Passage] = []

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of: date | None = None):  # noqa: ANN001, ANN201
        self.seen = list(passages)
        reply = self.script(passages)
        half = len(reply) // 2
        yield reply[:half]
        yield reply[half:]
        yield Draft(reply, reply == REFUSAL)


def _n(passages: Sequence[Passage], fact: str) -> int:
    return next(p.n for p in passages if fact in p.text)


QUESTION = "Which town did the rebels capture south of Aleppo?"


def _rag(seed_rag: RAG, script: Script, fallback: str = "refuse") -> RAG:
    """``fallback``: RAG_LLM_FALLBACK (these tests check verification itself: no offline stand-in by default)."""
    settings = seed_rag.settings.model_copy(update={"llm_fallback": fallback})
    return RAG(settings, collection=seed_rag.collection, llm=ScriptedLLM(script))


def _ask(seed_rag: RAG, script: Script, fallback: str = "refuse", question: str = QUESTION) -> Answer:
    return _rag(seed_rag, script, fallback).ask(question, as_of=date(2024, 12, 2))


def test_the_issue_example_napoleon_is_removed_and_named_in_a_notice(seed_rag: RAG) -> None:
    answer = _ask(seed_rag, lambda ps: f"Rebels captured the town of Khansir [{_n(ps, 'Khansir')}]. "
                                        "The rebels were led by Napoleon.")
    assert not answer.refused
    assert "Khansir" in answer.text and "Napoleon" not in answer.text
    assert answer.unsupported_claims == ("The rebels were led by Napoleon.",)
    assert any("Napoleon" in n and "no passage supports" in n for n in answer.notices)
    assert [c.quote for c in answer.citations] and all("Khansir" in c.quote for c in answer.citations)


def test_a_right_claim_without_a_marker_gets_its_citation(seed_rag: RAG) -> None:
    answer = _ask(seed_rag, lambda ps: "Rebels said they captured the town of Khansir south of Aleppo city.")
    assert not answer.refused and answer.unsupported_claims == ()
    assert len(answer.citations) == 1 and "Khansir" in answer.citations[0].quote
    assert answer.text.endswith(f"[{answer.citations[0].n}].")
    assert answer.short_answer == "Khansir"


def test_an_invented_clause_is_cut_and_the_backed_head_kept(seed_rag: RAG) -> None:
    answer = _ask(seed_rag, lambda ps: f"Rebels captured the town of Khansir south of Aleppo city, "
                                        f"helped by 500 French volunteers [{_n(ps, 'Khansir')}].")
    assert not answer.refused
    assert "French" not in answer.text and "Khansir" in answer.text
    assert answer.unsupported_claims == ("helped by 500 French volunteers.",)


def test_an_answer_with_nothing_supported_is_refused(seed_rag: RAG) -> None:
    answer = _ask(seed_rag, lambda ps: "Rebels captured the town of Homs on Tuesday [1]. They were led by Napoleon.")
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert set(answer.unsupported_claims) == {"Rebels captured the town of Homs on Tuesday.", "They were led by Napoleon."}


def test_stream_shows_the_draft_then_the_verified_answer(seed_rag: RAG) -> None:
    reply = "Rebels captured the town of Khansir [{n}]. The rebels were led by Napoleon."
    rag = _rag(seed_rag, lambda ps: reply.format(n=_n(ps, "Khansir")))
    items = list(rag.stream(QUESTION, as_of=date(2024, 12, 2)))
    deltas, final = [i for i in items if isinstance(i, str)], items[-1]
    assert isinstance(final, Answer) and all(not isinstance(i, Answer) for i in items[:-1])
    assert "Napoleon" in "".join(deltas)  # the draft is what the model wrote
    assert "Napoleon" not in final.text and final.unsupported_claims == ("The rebels were led by Napoleon.",)


def test_a_checked_stream_lets_through_only_verified_claims_and_they_are_the_answer(seed_rag: RAG) -> None:
    reply = "Rebels captured the town of Khansir. The rebels were led by Napoleon [{n}]. " \
            "Rebel sources said they had also captured the Sheikh Najjar estate."
    rag = _rag(seed_rag, lambda ps: reply.format(n=_n(ps, "Khansir")))
    items = list(rag.stream(QUESTION, as_of=date(2024, 12, 2), checked=True))
    deltas, final = [i for i in items if isinstance(i, str)], items[-1]
    assert not any("Napoleon" in d for d in deltas)
    assert "".join(deltas) == final.text and "Khansir [" in final.text and "Sheikh Najjar estate [" in final.text


@pytest.mark.parametrize("question,claim,fact", [
    ("How many people were killed in Idlib on Sunday?", "At least nine people were killed in Idlib", "At least four"),
    (QUESTION, "Rebels captured the town of Homs south of Aleppo", "Khansir"),  # a changed name
])
def test_a_right_citation_does_not_save_a_changed_fact(seed_rag: RAG, question: str, claim: str, fact: str) -> None:
    answer = _ask(seed_rag, lambda ps: f"{claim} [{_n(ps, fact)}].", question=question)
    assert answer.refused and answer.unsupported_claims == (f"{claim}.",)


# --- RAG_LLM_FALLBACK=extractive (the default): the offline answer stands in for a withheld one, when confident


def test_a_withheld_llm_answer_gives_way_to_the_confident_offline_answer(seed_rag: RAG) -> None:
    answer = _ask(seed_rag, lambda ps: "Rebels captured the town of Homs on Tuesday [1].", fallback="extractive")
    assert not answer.refused and answer.answerer == "extractive"
    assert "Khansir" in answer.text and "Homs" not in answer.text
    assert answer.unsupported_claims == ("Rebels captured the town of Homs on Tuesday.",)
    assert any("showing the passages' best-supported sentences instead" in n for n in answer.notices)
    assert any("Khansir" in c.quote for c in answer.citations)


def test_no_stand_in_when_the_model_refused_or_the_offline_answer_is_unsure(seed_rag: RAG) -> None:
    refused = _ask(seed_rag, lambda ps: REFUSAL, fallback="extractive")
    assert refused.refused and refused.text == REFUSAL  # the model's own refusal stands
    # an on-topic question the article cannot answer: the offline answerer is unsure, so still a refusal
    unsure = _ask(seed_rag, lambda ps: "Rebels captured Aleppo's airport on Saturday with 400 fighters [1].",
                  fallback="extractive", question="How many fighters did the rebels lose at Aleppo airport on Saturday?")
    assert unsure.refused and unsure.text == REFUSAL and unsure.unsupported_claims


def test_an_answer_that_only_restates_the_question_gives_way_to_the_offline_answer(seed_rag: RAG) -> None:
    # supported by the passage, and no answer: what the local model wrote for "When did Hamas drive ...?"
    answer = _ask(seed_rag, lambda ps: f"The rebels captured a town south of Aleppo [{_n(ps, 'Khansir')}].",
                  fallback="extractive")
    assert not answer.refused and answer.answerer == "extractive"
    assert "Khansir" in answer.text and answer.short_answer == "Khansir"
    assert any("does not answer the question" in n for n in answer.notices)
    # with RAG_LLM_FALLBACK=refuse the supported sentence stands: nothing in it is unverified
    strict = _ask(seed_rag, lambda ps: f"The rebels captured a town south of Aleppo [{_n(ps, 'Khansir')}].")
    assert not strict.refused and strict.answerer == "llm:scripted"


@pytest.mark.parametrize("question,reply,nothing", [
    ("When did Hamas drive the PLO out of Gaza?", "Hamas drove the PLO out of Gaza [2].", True),
    ("What immune system is activated by the innate response?",
     "The innate immune system is activated by the innate response [1].", True),
    ("How many people were killed in Idlib?", "Many people were killed in Idlib by air strikes [1].", True),
    ("How many people were killed in Idlib?", "At least four people were killed in Idlib [1].", False),
    ("When did the museum open?", "The museum opened in March 1990 [1].", False),
    ("Which town did the rebels capture?", "The rebels captured Khansir [1].", False),
    ("Who won the election?", "Biden won the election [1].", False),  # the name opens the sentence
    ("Which town did the rebels capture?", "The rebels captured a town in the south [1].", True),  # no name
    # the "when" joins two clauses: a name is asked for, and given
    ("Fox News said this week when it announced its line-up that it would part ways with which host?",
     "Fox News parted ways with Tucker Carlson [1].", False),
])
def test_answers_nothing(question: str, reply: str, nothing: bool) -> None:
    from rag.api import answers_nothing
    from rag.evidence import prepare

    assert answers_nothing(prepare(question), reply) is nothing


def test_a_yes_no_answer_may_restate_the_question() -> None:
    from rag.api import answers_nothing
    from rag.evidence import prepare

    assert not answers_nothing(prepare("Did the rebels capture Khansir?"), "The rebels captured Khansir [1].")
    assert not answers_nothing(prepare("Fighting went on. Did the rebels capture Khansir?"),
                               "The rebels captured Khansir [1].")


def test_the_offline_answer_leads_with_its_short_answer(seed_rag: RAG) -> None:
    """Every surface reading ``Answer.text`` (REST, MCP, LlamaIndex) gets the answer first; the CLI and
    UI show it apart and print ``supporting``."""
    answer = seed_rag.ask("Which town did the rebels capture south of Aleppo?", as_of=date(2024, 12, 2))
    assert answer.answerer == "extractive" and answer.short_answer == "Khansir"
    assert answer.text == "Khansir. " + answer.supporting
    assert "Khansir" in answer.supporting and "[1]" in answer.supporting
