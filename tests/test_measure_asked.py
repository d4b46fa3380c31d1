"""A measure asked with "what" ("What was the magnitude of the quake?", "What was the temperature ...?") asks for
a number, and the number is the one naming that measure beside it.

Before: "Search and rescue efforts continue in Turkey and Syria after a devastating earthquake this week. What
was the magnitude of the quake that struck the region?" (a RealTime QA tuning question) asked for no type at all:
no short answer, and the answer was the sentence sharing most of the preamble's words ("Survivors continue to be
pulled from the rubble across southern Turkey and northern Syria ..."), not the one saying 7.8."""

from __future__ import annotations

import pytest

from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
from rag.short_answer import candidates
from rag.text import answer_type, split_sentences
from rag.types import Passage

QUAKE = ("Search and rescue efforts continue in Turkey and Syria after a devastating earthquake this week. What was "
         "the magnitude of the quake that struck the region?")


@pytest.mark.parametrize("question", [QUAKE, "What was the magnitude of the earthquake?",
                                      "What was the temperature in Coningsby on Tuesday?"])
def test_a_measure_asked_with_what_asks_for_a_number(question: str) -> None:
    assert answer_type(question) == "number"


@pytest.mark.parametrize(("question", "sentence", "phrases"), [
    (QUAKE, "The 7.8-magnitude quake is already one of the deadliest of the century.", ["7.8"]),
    (QUAKE, "The US Geological Survey said the magnitude 7.8 quake hit just after 4:00 AM local time.", ["7.8"]),
    (QUAKE, "Survivors are still pulled from the rubble in Turkey and Syria, where 5,000 are dead.", []),
    ("What was the temperature in Coningsby on Tuesday?", "Temperatures hit 40.3 degrees in Coningsby on Tuesday, "
     "the Met Office said, as over 3,000 people went to the beach.", ["40.3"]),
])
def test_the_number_is_the_one_naming_the_measure(question: str, sentence: str, phrases: list[str]) -> None:
    assert [c.phrase for c in candidates(prepare(question), sentence)] == phrases


def test_the_magnitude_is_the_short_answer_over_the_sentence_sharing_the_preamble() -> None:
    text = ("Survivors continue to be pulled from the rubble across southern Turkey and northern Syria after this "
            "week's devastating earthquake, as search and rescue efforts continue. The 7.8-magnitude quake is "
            "already one of the deadliest of the century in the region.")
    p = Passage(1, "a1:v:0", "a1", "Turkey-Syria earthquake", "src", None, 1.0, text, 0, len(text),
                tuple(split_sentences(text)))
    d = ExtractiveAnswerer(refuse_below=1e-9).answer(QUAKE, [p])
    assert not d.refused and d.short_answer is not None and d.short_answer[0] == "7.8"
    assert "7.8-magnitude" in d.text
