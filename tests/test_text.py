"""rag.text: sentence spans, stopwords and words, [n] markers, question types."""

from __future__ import annotations

import re

import pytest

from rag import text as t


def sentences(s: str) -> list[str]:
    return [s[a:b] for a, b in t.split_sentences(s)]


# --- sentences -------------------------------------------------------------------------------------

ARTICLE = (
    "Rebels captured the town of Khansir, south of Aleppo, on Friday. The U.S. State Department\n"
    "said it was \"deeply concerned\". Mr. Smith, who met J. K. Rowling at 5 p.m., left!  Did he stay?\n"
    "\n"
    "   Sales peaked in the 1990s. Debts rose to £120m. It was Mr Taylor's. The end…  \n"
    "北京今天下雨。明天会晴吗？会的！ Profits fell 3.5% (to $2bn). Prices rose."
)


def test_spans_round_trip_exactly_and_cover_every_character() -> None:
    spans = t.split_sentences(ARTICLE)
    for a, b in spans:
        assert 0 <= a < b <= len(ARTICLE)
        assert ARTICLE[a:b] == ARTICLE[a:b].strip()  # no white space at either end
    assert all(p[1] <= q[0] for p, q in zip(spans, spans[1:]))  # in order, no overlap
    # nothing but white space lies between the spans
    rest = list(ARTICLE)
    for a, b in spans:
        rest[a:b] = [" "] * (b - a)
    assert "".join(rest).strip() == ""


def test_sentences_of_a_news_paragraph() -> None:
    assert sentences(ARTICLE) == [
        "Rebels captured the town of Khansir, south of Aleppo, on Friday.",
        "The U.S. State Department",  # a line break always ends a sentence
        'said it was "deeply concerned".',
        "Mr. Smith, who met J. K. Rowling at 5 p.m., left!",
        "Did he stay?",
        "Sales peaked in the 1990s.",
        "Debts rose to £120m.",
        "It was Mr Taylor's.",
        "The end…",
        "北京今天下雨。",
        "明天会晴吗？",
        "会的！",
        "Profits fell 3.5% (to $2bn).",
        "Prices rose.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. Senate voted on Tuesday.",
        "Mr. Smith went to Washington.",
        "Dr. Jones and Mrs. Brown met Gen. Lee.",
        "J. K. Rowling wrote it.",
        "The U.K. and the E.U. agreed.",
        "Shares in Warner Bros. Pictures rose.",
        "He moved to Trinity-St. Paul's church.",
        "It opened at 10 a.m. Monday.",
        "Look at Fig. 3 and No. 10.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Sales peaked in the 1990s. Then they fell.", ["Sales peaked in the 1990s.", "Then they fell."]),
        ("It cost £120m. He paid.", ["It cost £120m.", "He paid."]),
        ("It was Mr Taylor's. We checked.", ["It was Mr Taylor's.", "We checked."]),
        ("She sang with Liberty-X. Each won.", ["She sang with Liberty-X.", "Each won."]),
        ("He studied in Kraków. Warsaw came later.", ["He studied in Kraków.", "Warsaw came later."]),
        ("Plan B. It worked.", ["Plan B. It worked."]),  # a lone capital reads as an initial
    ],
)
def test_a_letter_glued_to_a_longer_word_is_no_initial(text: str, want: list[str]) -> None:
    assert sentences(text) == want


def test_empty_and_blank_text_has_no_sentences() -> None:
    assert t.split_sentences("") == []
    assert t.split_sentences(" \n\n \t ") == []


def test_strip_span() -> None:
    assert t.strip_span("  ab c  ", 0, 8) == (2, 6)
    assert t.strip_span("   ", 0, 3) is None


# --- words and stopwords ---------------------------------------------------------------------------


def test_lexical_stopwords_are_a_subset_of_the_scoring_stopwords() -> None:
    assert t.LEXICAL_STOPWORDS < t.STOPWORDS
    assert {"the", "said", "who"} <= t.LEXICAL_STOPWORDS
    assert {"one", "name", "during"} <= t.STOPWORDS - t.LEXICAL_STOPWORDS


def test_terms_are_folded_stems_without_stopwords() -> None:
    assert t.terms("The rebels captured Gospić's centre.") == ["rebel", "captur", "gospic", "centr"]
    assert t.terms("Who is the one named?") == []


def test_query_words() -> None:
    assert t.query_words("Who won the 2015 Super Bowl, and when?") == ["won", "2015", "super", "bowl"]
    assert t.query_words("During which year was one named?") == ["during", "year", "one", "named"]
    assert t.query_words("Who is it?") == ["who", "is", "it"]  # only stopwords: kept
    assert t.query_words("北京 a 1") == ["北京", "1"]
    assert t.query_words("?!") == []


# --- [n] markers -----------------------------------------------------------------------------------


def test_marker_regex_and_numbers() -> None:
    answer = "Rebels took Khansir [1]. Four died [2, 3][4]. See [a] and [ 5 ] and [1-2]."
    assert [m.group(0) for m in t.MARKER.finditer(answer)] == ["[1]", "[2, 3]", "[4]"]
    assert t.marker_numbers(answer) == [1, 2, 3, 4]
    assert t.marker_numbers("no markers") == []


def test_strip_markers() -> None:
    assert t.strip_markers("Rebels took Khansir [1]. Four died [2, 3] [4].") == "Rebels took Khansir. Four died."
    assert t.strip_markers("Kept: [a] [1-2] 【3】") == "Kept: [a] [1-2] 【3】"
    assert t.strip_markers("A [1]. B [2, 3] C 【4】 D [1-3] E [1; 2].", any_style=True) == "A. B C D E."


def test_marked_segments() -> None:
    assert t.marked_segments("Rebels took Khansir [1]. Jets struck Idlib [2, 3] [4]. Unmarked.") == [
        ("Rebels took Khansir", (1,)),
        (". Jets struck Idlib", (2, 3, 4)),
    ]
    assert t.marked_segments("no markers") == []


def test_marker_run_matches_leading_space_and_consecutive_markers() -> None:
    assert re.fullmatch(t.MARKER_RUN, " [1] [2,3][4]")
    assert not re.fullmatch(t.MARKER_RUN, " [1] x [2]")


# --- question types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "atype", "kind"),
    [
        ("How many people were killed?", "number", "how many"),
        ("How long did the siege last?", "number", "how"),
        ("What percentage of voters agreed?", "number", "how many"),
        ("What proportion of voters agreed?", "number", "what"),
        ("When did the war start?", "date", "when"),
        ("In what year was it built?", "date", "when"),
        ("During what period did the town grow?", "date", "what"),
        ("In which century was it woven?", "", "when"),
        ("Who led the rebels?", "name", "who"),
        ("Whose jets struck Idlib?", "name", "who"),
        ("Where did the raid happen?", "name", "where"),
        ("Which town did the rebels capture?", "name", "which"),
        ("Why did they leave?", "", "why"),
        ("What did the minister say?", "", "what"),
        ("Name the capital of France.", "", "other"),
    ],
)
def test_question_types(question: str, atype: str, kind: str) -> None:
    assert t.answer_type(question) == atype
    assert t.question_kind(question) == kind


@pytest.mark.parametrize("text", [
    "Il est venu hier soir. Élodie est partie ce matin.",
    "Он заявил это вчера. Зеленский ответил сегодня.",
    "Ήρθε χθες το βράδυ. Ο Γιάννης έφυγε σήμερα.",
])
def test_a_sentence_may_start_with_a_capital_beyond_a_to_z(text: str) -> None:
    """French, Cyrillic and Greek paragraphs were one sentence each (a quote became the paragraph)."""
    from rag.text import split_sentences

    assert [text[a:b] for a, b in split_sentences(text)] == [text[: text.index(".") + 1], text[text.index(".") + 2 :]]


@pytest.mark.parametrize(("sentence", "kept"), [
    ("John Raoux/AP The SpaceX Falcon 9 rocket sits on the pad.", "The SpaceX Falcon 9 rocket sits on the pad."),
    ("Nelson Almeida/AFP/Getty Images In a brief news conference, he spoke.", "In a brief news conference, he spoke."),
    ("Jamie Squire/Getty Images North America/Getty Images Williams won.", "Williams won."),
    ("Ted S. Warren/AP A notable exception was Washington.", "A notable exception was Washington."),
    ("Robyn Beck/AFP/Getty Images/FILE As of last week, prices fell.", "As of last week, prices fell."),
    # no credit: an agency inside a sentence, a lower-case word after it, a rate, no agency at all
    ("The AP/Reuters poll found support at 40%.", "The AP/Reuters poll found support at 40%."),
    ("Cases rose to 5 per day/week in the city.", "Cases rose to 5 per day/week in the city."),
    ("The 24/7 news cycle never stops.", "The 24/7 news cycle never stops."),
])
def test_a_photo_credit_opening_a_sentence_is_no_part_of_it(sentence: str, kept: str) -> None:
    text = "Intro here. " + sentence
    spans = t.without_credits(text, 100, [(100, 111), (112, 100 + len(text))])
    assert [text[a - 100 : b - 100] for a, b in spans] == ["Intro here.", kept]


def test_a_sentence_that_is_only_a_credit_goes() -> None:
    assert t.without_credits("Eric Gay/AP", 0, [(0, 11)]) == ()
