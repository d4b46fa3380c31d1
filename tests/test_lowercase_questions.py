"""People type questions in lower case in a chat box. The question's names (what the answerer checks a
sentence for) are then read off the passages: a word they write capitalised inside a sentence."""

from __future__ import annotations

from rag.evidence import prepare, with_names_from

PASSAGES = [
    "Shares in the Bank of England's favourite lender fell. On Monday the governor of the Bank of England, "
    "Mervyn King, said rates would stay. Bank staff said little.",
    "The bank said its profits rose. Analysts in London expected more from King.",
]


def test_a_lowercase_question_gets_the_names_the_passages_capitalise() -> None:
    q = with_names_from(prepare("what did mervyn king say about rates at the bank of england?"), PASSAGES)
    # "bank": lower case too often ("The bank said"); "mervyn": written once, too few uses to tell
    assert set(q.names) == {"king", "england"}
    cased = prepare("What did Mervyn King say about rates at the Bank of England?")
    assert set(q.names) <= set(cased.names)


def test_a_question_with_capitals_keeps_its_own_names() -> None:
    q = prepare("What did the governor say about King?")
    assert with_names_from(q, PASSAGES) is q
    plain = prepare("what did the governor say about rates?")  # no word the passages capitalise
    assert with_names_from(plain, PASSAGES).names == ()


def test_a_word_capitalised_only_where_a_sentence_opens_is_no_name() -> None:
    texts = ["Rates rose. Rates were expected to rise, and rates fell later.", "Rates will stay."]
    assert with_names_from(prepare("what happened to rates?"), texts).names == ()
