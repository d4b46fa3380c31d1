"""Offline answering, citation checking and follow-up rewriting, on hand-made passages."""

from __future__ import annotations

import pytest

from index.chunk import split_sentences
from rag.verify import verify as resolve
from rag.evidence import answer_type, names_absent, prepare, terms
from rag.extractive import REFUSAL, ExtractiveAnswerer
from rag.followup import rewrite_query
from rag.types import Passage

ARTICLE = (
    "Russian and Syrian jets struck the rebel-held city of Idlib on Sunday. "
    "Residents said one of the raids hit a crowded residential area in the centre of Idlib, where around "
    "four million people live. At least four people were killed and dozens injured, according to rescuers. "
    "Rebels said they had captured the town of Khansir south of Aleppo."
)


def passage(n: int = 1, text: str = ARTICLE, offset: int = 0, title: str = "Idlib raid") -> Passage:
    spans = tuple((a + offset, b + offset) for a, b in split_sentences(text))
    return Passage(n, f"a{n}:v:0", f"a{n}", title, "src", "2024-12-01", 1.0, text, offset, offset + len(text), spans)


def test_answer_types() -> None:
    assert answer_type("How many people were killed?") == "number"
    assert answer_type("When did the war start?") == "date"
    assert answer_type("Which town did the rebels capture?") == "name"
    assert answer_type("Why did they leave?") == ""


def test_terms_fold_diacritics_and_stem_like_the_lexical_index() -> None:
    assert terms("Gospić captured the Cities") == ["gospic", "captur", "citi"]


def test_picks_the_sentence_that_answers_not_the_first() -> None:
    a = ExtractiveAnswerer()
    question = "Which town did the rebels capture south of Aleppo?"
    ranked, _ = a.evidence(a.prepare(question), [passage()])
    assert ranked[0].text.startswith("Rebels said they had captured the town of Khansir")
    ans = a.answer(question, [passage()])
    assert not ans.refused
    # a second sentence of the same article may join it (article order), never in place of it
    assert "Rebels said they had captured the town of Khansir south of Aleppo. [1]" in ans.text
    # the short answer is the phrase inside that sentence, by its article offsets
    assert ans.short_answer is not None and ARTICLE[ans.short_answer[1] : ans.short_answer[2]] == "Khansir"
    assert ans.text.endswith("[1]")


def test_number_question_gets_the_sentence_with_the_count() -> None:
    # which sentence, not whether to answer (tests/test_confidence.py): these passages carry no vector similarity
    ans = ExtractiveAnswerer(refuse_below=0.0).answer("How many people were killed in the raid on Idlib?", [passage()])
    assert "At least four people were killed" in ans.text


def test_refuses_on_weak_evidence_and_on_absent_names() -> None:
    a = ExtractiveAnswerer()
    assert a.answer("What is the interest rate of the central bank?", [passage()]).refused
    q = prepare("Who is the president of France?")
    assert names_absent(q, [ARTICLE])
    assert a.answer("Who is the president of France?", [passage()]).text == REFUSAL
    assert a.answer("Anything?", []).refused


def test_at_most_max_sentences_each_with_a_marker() -> None:
    a = ExtractiveAnswerer(max_sentences=2, refuse_below=0.0)  # how many sentences, not whether to answer
    ans = a.answer("Idlib raids killed people, rescuers said?", [passage(1), passage(2)])
    assert 1 <= ans.text.count("[") <= 2


def test_citations_quote_exact_article_text_at_offsets() -> None:
    article = "Intro line here.\n" + ARTICLE
    p = passage(1, ARTICLE, offset=len("Intro line here.\n"))
    checked = resolve("Rebels captured the town of Khansir south of Aleppo [1].", [p])
    assert len(checked.citations) == 1
    c = checked.citations[0]
    assert article[c.start : c.end] == c.quote
    assert "Khansir" in c.quote and c.n == 1 and c.article_id == "a1"
    assert checked.unsupported == ()


def test_unsupported_and_dangling_markers_are_removed_and_reported() -> None:
    p = passage()
    checked = resolve("The moon is made of cheese [1]. Khansir was captured by rebels south of Aleppo [1][7].", [p])
    assert checked.unsupported == (1, 7)
    assert [c.n for c in checked.citations] == [1]
    # a claim no passage backs is removed (not left standing without its citation) and reported
    assert "cheese" not in checked.text and "[7]" not in checked.text
    assert checked.removed == ("The moon is made of cheese.",)


def test_followup_rewrite_adds_context_only_when_needed() -> None:
    history = [("Which town did rebels capture south of Aleppo?", "Rebels captured Khansir [1].")]
    assert rewrite_query("Who said that?", history) == "Who said that? town rebels capture south Aleppo Khansir"
    standalone = "How many people live in the Idlib enclave near Turkey?"
    assert rewrite_query(standalone, history) == standalone
    assert rewrite_query("Who said that?", []) == "Who said that?"
    # a short question that names its topic is a new question, not a follow-up
    assert rewrite_query("What is the latest on Aleppo?", history) == "What is the latest on Aleppo?"
    assert rewrite_query("Who won?", history) != "Who won?"
    # a follow-up of a follow-up keeps the first question's topic, not only the last one's words
    chain = [("Who won the Greenfield mayoral election?", "Dana Whitfield won it [1]."),
             ("Who did she beat?", "I could not find this in the articles.")]
    assert rewrite_query("What was the turnout?", chain) == \
        "What was the turnout? beat won Greenfield mayoral election Dana Whitfield"


def test_short_answer_keeps_currency_and_whole_units() -> None:
    from rag.short_answer import extract

    q = prepare("How much additional core funding did the minister announce?")
    assert extract(q, "Last week I announced an additional £419m for core expenditure.")[0] == "£419m"
    q = prepare("How many miles from Earth was the asteroid?")
    assert extract(q, "It hit the asteroid about 7 million miles from Earth.")[0] == "about 7 million miles"  # with what is counted
    q = prepare("How much does Apple donate for each download?")
    assert extract(q, "Apple is donating a further 70p for each song downloaded.")[0] == "70p"


def test_short_answer_prefers_the_number_of_the_thing_counted() -> None:
    from rag.short_answer import extract

    q = prepare("How many new jobs does Seoul hope to generate?")
    sentence = "It earmarked 60% of its budget, hoping to create 400,000 jobs."
    assert extract(q, sentence)[0] == "400,000 jobs"  # the count with the thing counted
    # ... even when it sits in the answer's second sentence
    text = "Truss, who led a six-week government, resigned. She quit just 45 days into the job."
    p = passage(1, text, title="Truss")
    a = ExtractiveAnswerer()
    q = a.prepare("After how many days in office did Truss resign?")
    first, second = sorted(a.score(q, [p]), key=lambda s: s.span)
    for chosen in ([first, second], [second, first]):  # best first either way
        assert ExtractiveAnswerer._short_answer(q, chosen) == ("just 45 days", 57, 69)
    assert ExtractiveAnswerer._short_answer(q, [first]) is None  # alone: "a six-week government" counts no days


def test_short_answer_types_follow_the_question_word() -> None:
    from rag.short_answer import extract

    # "who ... when ...": a name, not the day
    q = prepare("Who was in charge of election planning when it launched its slogan?")
    got = extract(q, "At the launch on Tuesday, Alan Milburn, in charge of election planning, spoke.")
    assert got is not None and got[0] == "Alan Milburn"
    # a sentence-opening connective is not part of the name; the question's own name is not the answer
    q = prepare("Where were the championships that Sotherton was targeting?")
    assert extract(q, "Although Sotherton's main aim in Madrid next month will be the pentathlon.")[0] == "Madrid"
    # a specific date beats a weekday or "this year"
    q = prepare("On what date does the Oscars ceremony take place?")
    assert extract(q, "This year's Oscar ceremony will be held on Sunday 27 February.")[0] == "27 February"


def test_an_offline_follow_up_is_answered_as_the_query_it_was_searched_as(seed_rag) -> None:  # noqa: ANN001
    """"And when?" after "Which town did the rebels capture?" was searched with the first question's
    words but answered as "And when?" alone: none of its words in any sentence, so it was refused."""
    first = seed_rag.ask("Which town did the rebels capture south of Aleppo?")
    assert "Khansir" in first.text
    follow = seed_rag.ask("And when?", history=[(first.question, first.text)])
    assert not follow.refused
    assert any("on Sunday" in c.quote and "Khansir" in c.quote for c in follow.citations)


RUSSIAN = (
    "Мэр Москвы открыл новую станцию метро в понедельник. "
    "Погода в столице была холодной, шёл снег. "
    "Новая станция называется Кленовый бульвар и обслужит сто тысяч пассажиров в день."
)


def test_sentences_in_other_scripts_are_scored_by_their_words() -> None:
    # terms() read only Latin letters: every Cyrillic sentence scored zero and the first one was quoted
    assert terms("Новая станция называется") == ["новая", "станция", "называется"]
    assert terms("Αθήνα") == ["αθηνα"]  # diacritics folded, as FTS5's unicode61 folds them
    a = ExtractiveAnswerer(refuse_below=0.0)
    question = "Как называется новая станция метро?"
    ranked, _ = a.evidence(a.prepare(question), [passage(text=RUSSIAN, title="Метро")])
    assert ranked[0].text.startswith("Новая станция называется Кленовый бульвар")


PAYPAL = ("A fake Paypal.com has already been registered with net domain giant Verisign by someone who has "
          "followed the debate around the Internationalised Domain Name system, said Mr Dyer. The look-alike "
          "address uses a Cyrillic letter in place of the first a. Verisign said it would review the rules.")


def test_a_when_question_whose_answer_holds_no_date_is_refused() -> None:
    # on topic, the question's words in the sentence, and no date in it: it does not say when (a low
    # threshold: these hand-made passages have no retrieval similarity for the fitted model to read)
    a = ExtractiveAnswerer(refuse_below=0.01)
    p = passage(1, PAYPAL, title="Fake PayPal address registered")
    q = prepare("When was the fake look-alike PayPal web address registered with Verisign?")
    assert ExtractiveAnswerer.lacks_kind(q, [a.score(q, [p])[0]])
    assert a.answer(q.text, [p]).refused
    # the same sentence with a date answers; and a what-question is never refused for want of a kind
    dated = passage(1, PAYPAL.replace("has already been registered", "was registered on 4 February"),
                    title="Fake PayPal address registered")
    assert not a.answer(q.text, [dated]).refused
    assert not ExtractiveAnswerer.lacks_kind(prepare("What was registered with Verisign?"), [a.score(q, [p])[0]])
    # RAG_REFUSE_BELOW=0 answers everything, this rule included
    assert not ExtractiveAnswerer(refuse_below=0.0).answer(q.text, [p]).refused


@pytest.mark.parametrize(("question", "kind"), [
    ("Who refereed Newcastle's draw with Gloucester?", "name"),
    ("When did Eddie O'Sullivan take charge of Ireland?", "date"),
    ("In what year was the Waverley line closed?", "date"),
    ("How many people were killed in Aleppo on Saturday?", "figure"),
    ("How much is Sirius paying Howard Stern?", "figure"),
    # not asked: a which/what question, a "when" that joins two clauses, a noun that only sounds like a figure
    ("Which town did the rebels capture?", None),
    ("What is the term when middle income earners aspire to the standards of the rich?", None),
    ("When people take on debt, it leads potentially to what?", None),
    ("Which authority figure sets the work of the EU?", None),
])
def test_the_kind_a_question_asks_for(question: str, kind: str | None) -> None:
    from rag.short_answer import asked_kind

    assert asked_kind(prepare(question)) == kind


@pytest.mark.parametrize(("kind", "question", "sentence", "holds"), [
    ("date", "When have humans started impacting the delta?", "Humans began to change the delta 3000 yr BP.", True),
    ("date", "When was it developed?", "It was developed at the beginning of the 20th century.", True),
    ("date", "When was the fake address registered?", "A fake address has been registered, said Mr Dyer.", False),
    ("figure", "How many times has Polonia won the cup?", "Polonia has won the cup twice.", True),
    ("figure", "How many staff does the bank employ?", "The bank has an extensive branch network.", False),
    ("name", "Who refereed the draw?", "The match ended in a draw after a late try.", False),
])
def test_a_sentence_holds_what_the_question_asks(kind: str, question: str, sentence: str, holds: bool) -> None:
    from rag.short_answer import holds_kind

    assert holds_kind(kind, prepare(question), sentence) is holds


def test_a_question_or_a_link_line_in_an_article_is_no_answer() -> None:
    # dumps of news pages: the article's own questions and its links to other stories read as sentences
    text = ("Who is playing Princess Diana in the new season? Reaction:WNBA Twitter rejoices in prisoner swap. "
            "Elizabeth Debicki plays Princess Diana in the fifth season of The Crown.")
    ans = ExtractiveAnswerer(refuse_below=0.0).answer("Who plays Princess Diana in The Crown?", [passage(1, text, title="The Crown")])
    assert ans.text.startswith("Elizabeth Debicki") and "?" not in ans.text and "Reaction:" not in ans.text
