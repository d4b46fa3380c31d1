"""evals.fit_verify: the replayed answerer and the claim labels the support threshold is chosen on."""

from __future__ import annotations

from evals.fit_verify import Recorded, score
from rag.text import split_sentences
from rag.types import REFUSAL, Draft, Passage

TEXT = "Rebels said on Sunday they had captured the town of Khansir south of Aleppo. The army denied it."
P1 = Passage(1, "a:0", "a", "Syria", "x.com", "2024-12-01", 1.0, TEXT, 0, len(TEXT), tuple(split_sentences(TEXT)))
P2 = Passage(2, "b:0", "b", "Other", "y.com", "2024-12-01", 1.0, "Markets fell on Monday.", 0, 23, ((0, 23),))


def _replay(recorded: Recorded, question: str, passages: list[Passage]) -> tuple[str, Draft]:
    items = list(recorded.stream(question, passages))
    return "".join(i for i in items if isinstance(i, str)), items[-1]


def test_recorded_replays_the_reply_through_the_reply_reader() -> None:
    rows = [{"question": "Which town?", "model_wrote": "Khansir [1][2]."},
            {"question": "Anything else?", "model_wrote": REFUSAL}]
    text, draft = _replay(Recorded(rows, "local", top_k=1), "Which town?", [P1, P2])
    assert draft.text == text == "Khansir [1]." and draft.dropped_markers == (2,)  # [2] was not shown to the model
    assert _replay(Recorded(rows, "local", top_k=3), "Anything else?", [P1, P2])[1].refused
    assert _replay(Recorded(rows, "local", top_k=3), "never recorded", [P1])[1].refused


def test_score_labels_claims_by_the_gold_answers() -> None:
    table = [
        {"row": {"question": "Which town did the rebels capture?", "answers": ["Khansir"], "type": "factoid",
                 "model_wrote": "The rebels captured the town of Khansir [1]."}, "passages": [P1, P2]},
        {"row": {"question": "Which town did the rebels capture?", "answers": ["Khansir"], "type": "factoid",
                 "model_wrote": "The rebels captured the town of Homs [1]."}, "passages": [P1, P2]},
        {"row": {"question": "Who won the election?", "answers": [], "type": "unanswerable",
                 "model_wrote": "Napoleon won the election [2]."}, "passages": [P1, P2]},
    ]
    s = score(table, 0.5)
    assert (s["right"], s["right_kept"]) == (1, 1.0)  # the right answer's claim is kept
    assert (s["wrong"], s["wrong_removed"]) == (2, 1.0)  # Homs and Napoleon are removed
    assert (s["answerable"], s["answerable_refused"]) == (2, 0.5)  # the Homs answer is left with nothing
    assert score(table, 1.01)["right_kept"] == 0.0  # a bar no claim can reach keeps nothing


def test_a_right_claim_whose_backed_head_is_kept_counts_as_kept() -> None:
    row = {"question": "Which town did the rebels capture?", "answers": ["Khansir"], "type": "factoid",
           "model_wrote": "The rebels captured the town of Khansir south of Aleppo, helped by 500 French volunteers [1]."}
    s = score([{"row": row, "passages": [P1, P2]}], 0.5)
    assert (s["right"], s["right_kept"], s["answerable_refused"]) == (1, 1.0, 0.0)
