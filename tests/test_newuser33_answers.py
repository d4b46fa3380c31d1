"""New user 33's wrong bold answers and teaser lines (news of October to December 2022, offline answerer):

1. **Washington** for "Which state legalized recreational marijuana this week?", of "... legal in 19 states – along
   with Washington, DC": the capital is no state.
2. **Twitter Blue** for "Who owns Twitter now?": a thing named after the question's own name is no one.
3. **42** for "What is the death toll from Hurricane Ian?", of "At least 54 people died in Lee County alone ... – up
   from the county's previously announced death toll of 42 –": the figure a toll rose from is the earlier one (the
   question's "from" had read as asking for an earlier figure).
4. "Watch: The moment Brittney Griner learned she was going home" led the answer to how long she was detained, and
   "Brittney Griner, right, arrives at Kelly Field ..." (a photo caption) was the brief's event of 13 December.
"""

from __future__ import annotations

import pytest

from rag.boilerplate import is_site_line
from rag.evidence import prepare
from rag.short_answer import candidates


def _phrases(question: str, sentence: str) -> list[str]:
    return [c.phrase for c in candidates(prepare(question), sentence)]


def test_washington_dc_is_no_state() -> None:
    question = "Which state legalized recreational marijuana this week?"
    assert _phrases(question, "Recreational use of marijuana is currently legal in 19 states – along with "
                              "Washington, DC.") == []
    assert _phrases(question, "It is legal in 19 states and Washington, D.C., officials said.") == []
    assert _phrases(question, "Washington voters approved recreational marijuana in 2012.") == ["Washington"]


def test_a_thing_named_after_the_questions_name_is_no_one() -> None:
    assert _phrases("Who owns Twitter now?", "But those products like Twitter Blue have not gained much traction.") \
        == []
    assert _phrases("Who owns Twitter now?", "Elon Musk now owns Twitter after the deal closed.") == ["Elon Musk"]
    # a body named after a place answers (SQuAD: "Who in Warsaw has the power of legislative action?")
    assert _phrases("Who in Warsaw has the power of legislative action?", "Legislative power in Warsaw is vested in "
                    "a unicameral Warsaw City Council (Rada Miasta).")[:1] == ["Warsaw City Council"]
    # a title run naming the person is kept ("Israeli ..." is a demonym; "Prime Minister" a title)
    assert _phrases("Who is the Israeli prime minister?", "Israeli Prime Minister Benjamin Netanyahu spoke.") \
        == ["Israeli Prime Minister Benjamin Netanyahu"]


LEE = ("At least 54 people died in Lee County alone, Sheriff Carmine Marceno said Monday – up from the county’s "
       "previously announced death toll of 42 – and officials there are facing questions.")


@pytest.mark.parametrize(("question", "expected"), [
    ("What is the death toll from Hurricane Ian?", []),  # the 54 counts Lee County, asked of no place: not a total
    ("What is the death toll from Hurricane Ian in Lee County?", ["At least 54"]),
    ("What was the previous death toll in Lee County?", ["At least 54", "42"]),  # an earlier one asked: kept
])
def test_the_toll_a_toll_rose_from_is_the_earlier_one(question: str, expected: list[str]) -> None:
    assert _phrases(question, LEE) == expected


@pytest.mark.parametrize(("sentence", "site"), [
    ("Watch: The moment Brittney Griner learned she was going home", True),
    ("VIDEO: Rescuers pull a child from the rubble", True),
    ("Brittney Griner, right, arrives at Kelly Field in San Antonio on Friday.", True),
    ("Rep. Jim Jordan, right, and Rep. James Comer, left, speak during a hearing.", True),
    ("Griner, who was released on Thursday, arrived at Kelly Field in San Antonio.", False),
    ("Watch this space, officials said.", False),
    ("He moved to the right, officials said.", False),
])
def test_teasers_and_posed_captions_are_site_lines(sentence: str, site: bool) -> None:
    assert is_site_line(sentence) is site
