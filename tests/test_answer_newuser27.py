"""New user 27's answers (an analyst asking in their own words over BBC business and politics): a figure of another
company's article, another firm's chief executive, the figure of the other clause's subject, a quarter read as a
place, a group's name read as a count, a chief financial officer answered with the chief executive."""

from __future__ import annotations

from datetime import date

import pytest

from rag.api import RAG
from rag.evidence import prepare
from rag.settings import Settings
from rag.short_answer import candidates
from rag.verify import Premises, names_any, premise_notice, subject_names
from tests.fakes import dated_rag

DAY = "2005-02-10"
ARTICLES = [
    (DAY, "Ryanair in $4bn Boeing plane deal",
     "Budget airline Ryanair has placed an order for 70 Boeing 737-800 planes, in a deal valued at $4bn.\n\n"
     "The airline said that when all these planes have been delivered, it will be able to carry more than 70 million "
     "passengers a year, making it Europe's largest airline."),
    (DAY, "Qantas profits up 28%",
     "Australian airline Qantas has reported a 28% rise in half-year profits.\n\n"
     "Net profit in the six months ending 31 December rose 28% to A$458.4m, the airline said, as more passengers "
     "flew on its domestic routes."),
    (DAY, "Executive trio leave Aer Lingus",
     "Three senior executives of Ireland's state-owned airline, Aer Lingus, are to leave the company.\n\n"
     "The trio are chief executive Willie Walsh, chief operations officer Brian Dunne and chief financial officer "
     "Seamus Kearney."),
    (DAY, "High fuel prices hit BA's profits",
     "British Airways has blamed high fuel prices for a 40% drop in profits.\n\n"
     "Rod Eddington, BA's chief executive, said the results were respectable in a third quarter when fuel costs "
     "rose by £106m."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    yield from dated_rag(settings, ARTICLES)


def test_a_figure_of_an_article_that_never_names_the_company_asked_is_no_answer(rag: RAG) -> None:
    # bold "more than 70 million passengers" (Ryanair's) for Qantas and for British Airways
    for question in ("How many passengers did Qantas carry in the six months to December?",
                     "How many passengers did British Airways carry in January?"):
        got = rag.ask(question, as_of=date(2005, 2, 12), offline=True)
        assert "70 million" not in (got.short_answer or "") and "70 million" not in got.text, (question, got.text)


def test_another_airlines_chief_executive_is_not_the_one_asked(rag: RAG) -> None:
    got = rag.ask("Who is the chief executive of British Airways?", as_of=date(2005, 2, 12), offline=True)
    assert "Walsh" not in got.text and got.short_answer != "Willie Walsh", got.text


def test_the_names_an_answer_must_name_and_how_an_article_names_them() -> None:
    assert subject_names("How many passengers did Qantas carry?") == (("Qantas",),)
    # places, peoples and a name describing the one asked are not the subject
    assert subject_names("What percentage of Brits suffer from misophonia?") == ()
    assert subject_names("Which Ivy League university submitted inaccurate data in the US?") == ()
    british_airways = (("British", "Airways"),)
    assert names_any(british_airways, "Rod Eddington, BA's chief executive, said ...")  # its initials
    assert names_any((("Time", "Warner"),), "For the full-year, TimeWarner posted a profit of $3.36bn")  # run together
    assert not names_any(british_airways, "Three senior executives of Ireland's state-owned airline, Aer Lingus")


def test_the_figure_of_the_other_clauses_subject_is_not_the_one_asked() -> None:
    # bold "43%" (Biogen Idec's) for what the Irish drugmaker, Elan, lost
    question = ("What fraction of its market value did the Irish drugmaker shed when the multiple sclerosis treatment "
                "was withdrawn?")
    sentence = "On the New York Stock Exchange, shares in Ireland-based Elan lost 70% while US partner Biogen Idec shed 43%."
    assert [c.phrase for c in candidates(prepare(question), sentence)] == ["70%"]


def test_a_quarter_is_no_place_the_article_must_name() -> None:
    # refused: "it never names October-to-December"
    premises = Premises.of("How much did British Airways make before tax in the October-to-December quarter?")
    assert premises.located == ()
    assert premises.article_contradicts("British Airways made a pre-tax profit of £75m in the three months to 31 "
                                        "December.") is None


def test_a_groups_name_is_no_count_the_question_gives() -> None:
    # "The question says Four families; the cited passages give another figure"
    said = premise_notice("Why did Gordon Brown apologise to the Guildford Four families?",
                          ["Tony Blair has apologised to two families over the wrongful convictions."])
    assert said is None or "Four" not in said, said
    assert premise_notice("Why did four families sue the council?", ["Two families sued the council."]) is not None


def test_a_chief_financial_officer_is_not_the_chief_executive() -> None:
    question = "Who is Time Warner's chief financial officer?"
    assert candidates(prepare(question), '"Our performance was strong," chairman and chief executive Richard '
                                         'Parsons said.') == []
    assert [c.phrase for c in candidates(prepare(question), "Chief financial officer Wayne Pace said costs fell.")] \
        == ["Wayne Pace"]


def test_the_latest_over_undated_articles_says_the_newest_could_not_be_told(tmp_path) -> None:  # noqa: ANN001 - a Path
    from tests.fakes import folder_rag

    rag, coll = folder_rag(tmp_path, {
        "yukos.txt": "Yukos unit buyer faces loan claim\n\nThe latest announcement comes after more than a year of "
                     "wrangling that has pushed Yukos to the brink of collapse. The claim was made at the latest "
                     "hearing in the US bankruptcy court in Houston.",
        "gazprom.txt": "Gazprom rules out Yukos bid\n\nGazprom said it had no plans to bid for the Yukos unit.",
    }, "nu27")
    try:
        got = rag.ask("What is the latest on Yukos?", offline=True)
        assert not got.refused and any("no publication date" in n and "newest" in n for n in got.notices), got.notices
        plain = rag.ask("Did Gazprom bid for the Yukos unit?", offline=True)  # no time asked: no such notice
        assert not any("no publication date" in n for n in plain.notices), plain.notices
    finally:
        coll.close()


def test_a_why_question_about_another_doer_or_the_other_outcome_is_noticed() -> None:
    # "Why did Gordon Brown apologise ...?" over "Tony Blair has apologised ...": no notice, but a false one of "Four"
    said = premise_notice("Why did Gordon Brown apologise to the Guildford Four families?",
                          ["Tony Blair has apologised to the families of the Guildford Four and Maguire Seven."])
    assert said is not None and "Tony Blair" in said and "Gordon Brown" in said, said
    assert premise_notice("Why did Tony Blair apologise to the families?", ["Tony Blair has apologised to them."]) is None
    # "TimeWarner" is Time Warner: its profit "jumped", which the question says fell
    fell = premise_notice("Why did Time Warner's quarterly profit fall 76%?", [
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months to December."])
    assert fell is not None and '"fall"' in fell and "jumped" in fell, fell


@pytest.mark.parametrize(("question", "money"), [
    ("What was Time Warner's full-year profit in 2004?", True),
    ("What was BA's pre-tax profit?", True),
    ("What is the current average rate for a 30-year fixed mortgage?", False),
    # the follow-up "And what might Euronext bid?" was answered with no figure; asked alone, "How much ..." gave £1.4bn
    ("And what might Euronext bid?", True),
    ("What did Time Warner earn in 2003?", True),
])
def test_a_figure_asked_with_what_is_a_figure(question: str, money: bool) -> None:
    # answered with sentences stating no figure, or a bold "8%" (a stake Time Warner owns) for its profit
    from rag.short_answer import asks_money
    from rag.text import answer_type

    assert answer_type(question) == "number" and asks_money(question) is money
    for other in ("What was the cause of the loss?", "What is the price war about?", "What is the name of the firm?",
                  "What did the company pay for?", "What is the company offering to customers?",
                  "What did he raise concerns about?"):
        assert answer_type(other) != "number", other
