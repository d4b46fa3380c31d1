"""What a new user met asking questions in a row and with filters: a new question glued to the last
topic in `rag chat`, "What happened?" with --since/--until refused over an inverted period, and a
filter that leaves no article refused without a word on why.

Follow-up rewriting is checked on its own (``rag.followup``) and through ``RAG.ask`` and ``rag chat``
over a real store, with the HashEmbedder standing in for the model (which passages come back here is
decided by the words), as tests/test_brief.py does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from index.collection import Collection
from index.types import Article
from rag.api import RAG, catch_up_period
from rag.cli import app
from rag.extractive import REFUSAL
from rag.followup import needs_context, rewrite_query
from rag.notices import search_notices
from rag.settings import Settings
from rag.types import Filters, TimeWindow
from tests.fakes import HashEmbedder

CRANE_Q = "Which company operated the crane that collapsed on the Harbour Bridge?"
CRANE_A = "Ellery Lifting Ltd. The crane was operated by Ellery Lifting Ltd [1]."
REFUSED_Q = "What is the population of Australia's capital?"

ARTICLES = [
    ("2024-11-28", "Crane collapses on Harbour Bridge",
     "A crane collapsed on the Harbour Bridge on Thursday morning, closing two lanes. The crane was operated "
     "by Ellery Lifting Ltd, a contractor hired for the repainting works. Two workers were hurt and taken "
     "to hospital."),
    ("2024-11-29", "Mayor promises free buses",
     "The mayor announced free buses for every resident under eighteen from January. The city council "
     "will pay for the scheme from its transport budget."),
    ("2024-11-30", "Bakery contest ends",
     "The jury of the bakery contest praised the croissant of a small family bakery as the best in the "
     "region. The winners receive a trophy and a year of flour."),
]


@pytest.fixture
def rag(settings: Settings):  # noqa: ANN201 - RAG
    coll = Collection.open(settings, embedder=HashEmbedder())
    arts = [Article(source=f"/news/{i}.txt", title=t, text=body, published=date.fromisoformat(d))
            for i, (d, t, body) in enumerate(ARTICLES)]
    arts.append(Article(source="/notes/undated.txt", title="Ferry timetable",
                        text="The ferry timetable changes in winter. Boats leave every hour."))
    assert coll.ingest_articles(arts).summary()["added"] == len(arts)
    yield RAG(settings, collection=coll, llm=None)
    coll.close()


# --- 1. a new question is searched as written; a follow-up is rewritten -----------------------------


@pytest.mark.parametrize("question", [
    "What did the mayor announce?",
    "What did the jury say about the croissant?",
    "Is there a new bus route?",  # "there" of "is there" points at nothing
])
def test_a_question_naming_its_own_subject_is_searched_as_written(question: str) -> None:
    # was "What did the mayor announce? company operated crane collapsed Harbour Bridge Ellery Lifting Ltd The"
    assert rewrite_query(question, [(CRANE_Q, CRANE_A)]) == question
    assert not needs_context(question, [(CRANE_Q, CRANE_A)])


def test_a_question_after_a_refused_one_does_not_inherit_its_words_unless_it_follows_up() -> None:
    # "What did the jury say about the croissant?" was searched with "population capital Australia" added
    refused = [(CRANE_Q, CRANE_A), (REFUSED_Q, REFUSAL)]
    jury = "What did the jury say about the croissant?"
    assert rewrite_query(jury, refused) == jury
    # a follow-up of the refused question still reads on from it (and from nothing older: it stood alone)
    follow = rewrite_query("And ten years ago?", refused)
    assert "population" in follow and "Australia's" in follow and "crane" not in follow
    # a question naming its own subject after it starts afresh: its own follow-up reads on from it alone
    assert rewrite_query("Who won?", [*refused, (jury, "The croissant of a small family bakery [1].")]) == \
        "Who won? jury croissant"


@pytest.mark.parametrize(("question", "history"), [
    ("And when?", [(CRANE_Q, CRANE_A)]),
    ("Who said that?", [(CRANE_Q, CRANE_A)]),
    ("What about the day before?", [(CRANE_Q, CRANE_A)]),
    ("How many were hurt?", [(CRANE_Q, CRANE_A)]),
    ("How many were hurt on Thursday?", [(CRANE_Q, CRANE_A)]),  # a day is no subject
    ("What was the turnout?", [("Who won the Greenfield mayoral election?", "Dana Whitfield won it [1].")]),
    ("When did the crane collapse?", [(CRANE_Q, CRANE_A)]),  # its subject is the conversation's
    ("How many people were killed there?", [(CRANE_Q, CRANE_A)]),
    ("And on Sunday?", [(CRANE_Q, CRANE_A)]),
])
def test_a_follow_up_is_still_rewritten_with_the_last_turn(question: str, history: list[tuple[str, str]]) -> None:
    query = rewrite_query(question, history)
    assert query.startswith(question + " ") and len(query.split()) > len(question.split())
    assert needs_context(question, history)


BA_Q = "Who is the chief executive of British Airways?"
BA_A = "Rod Eddington, BA's chief executive, said fuel costs rose [1]."


def test_a_follow_up_naming_a_new_subject_replaces_the_old_one() -> None:
    # was "What about Time Warner? chief executive British Airways Rod Eddington BA's": the old subject
    # outweighed the new one, and every later turn carried both
    query = rewrite_query("What about Time Warner?", [(BA_Q, BA_A)])
    assert query == "What about Time Warner? chief executive"
    later = rewrite_query("How much did its profits grow?",
                          [(BA_Q, BA_A), ("What about Time Warner?", "Richard Parsons runs it [2].")])
    assert "Time" in later and "Warner" in later and "Parsons" in later
    assert not {"British", "Airways", "Eddington"} & set(later.split())
    # a pronoun still points at the last answer's names, a new name beside it or not
    assert "Eddington" in rewrite_query("What did he say about Heathrow?", [(BA_Q, BA_A)])


def test_a_follow_up_that_says_what_it_asks_for_takes_no_names_from_the_last_answer() -> None:
    history = [("Where is the autumn conference held?", "The autumn conference is in Manchester [1].")]
    # was "... autumn conference held Manchester": the autumn one's town, searched for the spring one
    assert "Manchester" not in rewrite_query("And which town gets the spring one?", history)
    # "the spring one" is the spring conference: the noun is kept, the word it replaces is not
    assert rewrite_query("And which town gets the spring one?", history).endswith("? conference held")
    assert rewrite_query("What about the red ones?", [("How much do the blue cars cost?", "20,000 pounds [1].")]) \
        == "What about the red ones? cars cost"
    assert rewrite_query("And when?", history).endswith("Manchester")  # says too little: reads on


def test_the_rewrite_adds_no_sentence_opening_word_of_the_answer() -> None:
    # "Ellery Lifting Ltd The": "The" opened the answer's second sentence
    assert rewrite_query("And when?", [(CRANE_Q, CRANE_A)]).split()[-1] == "Ltd"


def test_a_relative_that_is_no_reference_back() -> None:
    other = [("What did the mayor announce?", "The mayor announced free buses [1].")]
    assert rewrite_query(CRANE_Q, other) == CRANE_Q
    assert rewrite_query("What caused that collapse?", other) != "What caused that collapse?"


def test_ask_in_a_conversation_answers_a_new_question_as_asked_alone(rag: RAG) -> None:
    first = rag.ask(CRANE_Q)
    assert not first.refused and "Ellery Lifting" in first.text
    history = [(first.question, first.text)]
    mayor = rag.ask("What did the mayor announce?", history=history)
    alone = rag.ask("What did the mayor announce?")
    assert mayor.search_query == "What did the mayor announce?"
    assert (mayor.text, mayor.citations) == (alone.text, alone.citations)
    assert not mayor.refused and mayor.citations[0].title == "Mayor promises free buses"
    # after a refused question: its words are not glued on either
    jury = rag.ask("What did the jury say about the croissant?", history=[*history, (REFUSED_Q, REFUSAL)])
    assert jury.search_query == jury.question and jury.passages[0].title == "Bakery contest ends"
    # a real follow-up is still searched with the crane question's words, and answered from its article
    hurt = rag.ask("How many were hurt?", history=history)
    assert "crane" in hurt.search_query and "Ellery" in hurt.search_query
    assert hurt.passages[0].title == "Crane collapses on Harbour Bridge"


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """RAG_HOME holding ARTICLES (and one undated note), ingested by `rag ingest` with the HashEmbedder."""
    for key, value in (("RAG_HOME", str(settings.home)), ("RAG_COLLECTION", settings.collection),
                       ("RAG_ANSWERER", "extractive"), ("COLUMNS", "200")):
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    dump = tmp_path / "news.jsonl"
    rows = [{"title": t, "text": body, "url": f"https://news.example/{i}", "date": d}
            for i, (d, t, body) in enumerate(ARTICLES)]
    rows.append({"title": "Ferry timetable", "text": "The ferry timetable changes in winter. Boats leave every hour.",
                 "url": "https://notes.example/ferry"})
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(dump)])
    assert res.exit_code == 0, res.output
    return dump


def test_rag_chat_searches_a_new_question_as_written(env: Path) -> None:
    res = CliRunner().invoke(app, ["chat"], input=f"{CRANE_Q}\nWhat did the mayor announce?\nAnd when?\n\n")
    assert res.exit_code == 0, res.output
    searched = [line for line in res.stderr.splitlines() if line.startswith("searched: ")]
    # only the follow-up "And when?" was rewritten, and from the mayor's turn, not the crane's
    assert len(searched) == 1 and searched[0].startswith("searched: And when? mayor announce"), searched
    assert "crane" not in searched[0]
    turns = res.stdout.split("you> ")
    assert "free buses" in turns[2] and "Ellery" not in turns[2]


# --- 2. "What happened?" with date filters: the filters' range is the period -----------------------


def test_catch_up_period_is_the_filters_range_and_never_inverted() -> None:
    today = date(2026, 11, 26)
    f = Filters(published_from=date(2022, 1, 1), published_to=date(2022, 12, 31))
    assert catch_up_period(None, today, f) == (date(2022, 1, 1), date(2022, 12, 31))  # was 2026-11-20 .. 2022-12-31
    assert catch_up_period(None, today, Filters(published_to=date(2022, 12, 31))) == (None, date(2022, 12, 31))
    assert catch_up_period(None, today, Filters(published_from=date(2022, 1, 1))) == (date(2022, 1, 1), today)
    assert catch_up_period(None, today, Filters(published_from=date(2030, 1, 1))) == (date(2030, 1, 1), None)
    assert catch_up_period(None, today) == (date(2026, 11, 20), today)  # no period, no filters: the week
    week = TimeWindow(date(2026, 11, 23), date(2026, 11, 29), "this week")
    assert catch_up_period(week, today, Filters(published_from=date(2026, 11, 25))) == (date(2026, 11, 25), today)
    before = TimeWindow(None, date(2019, 12, 31), "before 2020")  # was 2026-11-20 .. 2019-12-31
    assert catch_up_period(before, today, Filters(published_from=date(2019, 1, 1))) == \
        (date(2019, 1, 1), date(2019, 12, 31))
    assert catch_up_period(before, today, Filters(published_to=date(2022, 12, 31))) == (None, date(2019, 12, 31))
    assert catch_up_period(before, today) == (None, date(2019, 12, 31))  # no filters: was 2026-11-20 .. 2019-12-31
    # a period and filters with no day in common: start after end, which the caller refuses
    assert catch_up_period(week, today, Filters(published_to=date(2022, 12, 31))) == \
        (date(2026, 11, 23), date(2022, 12, 31))


def test_what_happened_with_date_filters_tells_the_newest_stories_within_them(rag: RAG) -> None:
    f = Filters(published_from=date(2024, 11, 1), published_to=date(2024, 11, 29))
    answer = rag.ask("What happened?", filters=f, as_of=date(2026, 11, 26))
    assert not answer.refused, answer.notices
    assert [c.published for c in answer.citations] == ["2024-11-29", "2024-11-28"]
    assert answer.text.startswith("29 November 2024: The mayor announced free buses")
    assert answer.time_window.start == date(2024, 11, 1) and answer.time_window.end == date(2024, 11, 29)
    assert any("published 2024-11-01 .. 2024-11-29" in n for n in answer.notices), answer.notices


def test_a_period_asked_outside_the_date_filters_says_they_share_no_day(rag: RAG) -> None:
    f = Filters(published_from=date(2022, 1, 1), published_to=date(2022, 12, 31))
    answer = rag.ask("What happened this week?", filters=f, as_of=date(2024, 12, 1))
    assert answer.refused and not answer.citations
    assert answer.notices == ('The period asked about ("this week": 2024-11-25 .. 2024-12-01) and the date filters '
                              "(2022-01-01 .. 2022-12-31) have no day in common, so no article can be in both.",)


def test_rag_ask_what_happened_with_since_and_until(env: Path) -> None:
    res = CliRunner().invoke(app, ["ask", "--since", "2024-11-01", "--until", "2024-11-30", "What happened?"])
    assert res.exit_code == 0, res.output
    assert "No article in the collection is dated" not in res.output
    assert "The jury of the bakery contest praised the croissant" in res.stdout
    assert "understood: 2024-11-01 .. 2024-11-30" in " ".join(res.stdout.split())  # with the answer (new user 16)


# --- 3. a filter that leaves no article says so ----------------------------------------------------


def test_a_source_that_matches_nothing_is_named_in_a_notice(rag: RAG) -> None:
    answer = rag.ask("Who announced free buses?", filters=Filters(sources=("nonexistent-outlet",)))
    assert answer.refused and not answer.passages
    assert len(answer.notices) == 1, answer.notices
    assert answer.notices[0].startswith("No article matches the filters (source 'nonexistent-outlet'); "
                                        "4 articles are stored; sources include ")
    # the same filters on a question the filters leave articles for: no such notice
    kept = rag.ask("Who announced free buses?", filters=Filters(sources=("news",)))
    assert not any("No article matches" in n for n in kept.notices)
    # "What happened?" (a digest) names the filters too, not an empty period
    digest = rag.ask("What happened?", filters=Filters(sources=("nonexistent-outlet",)), as_of=date(2024, 12, 1))
    assert digest.refused and digest.notices == answer.notices


def test_a_date_filter_that_matches_nothing_says_what_is_stored_and_that_undated_articles_are_left_out(
        rag: RAG) -> None:
    answer = rag.ask("Who announced free buses?", filters=Filters(published_from=date(2030, 1, 1)))
    assert answer.refused
    assert answer.notices == ("No article matches the filters (published from 2030-01-01); 4 articles are stored, published "
                              "2024-11-28 .. 2024-11-30; 1 of them undated, which a date filter leaves out.",)
    both = rag.ask("Who announced free buses?",
                   filters=Filters(sources=("news",), published_to=date(2020, 1, 1)))
    assert "source 'news', published to 2020-01-01" in both.notices[0]
    assert both.notices[0].endswith("; the source alone matches 3 articles.")


def test_search_notices_names_the_filters_for_rest_and_mcp_too(rag: RAG) -> None:
    f = Filters(article_ids=("nope",))
    assert search_notices(rag, (), "POST /v1/articles", f) == ["No article matches the filters (article id 'nope'); "
                                                              "4 articles are stored."]
    assert search_notices(rag, (), "POST /v1/articles") == []  # no filters: nothing to blame
    assert search_notices(rag, (), "POST /v1/articles", Filters(sources=("news",))) == []


def test_rag_ask_json_with_a_source_that_matches_nothing(env: Path) -> None:
    res = CliRunner().invoke(app, ["ask", "--json", "--source", "nonexistent-outlet", "Who announced free buses?"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["refused"] and data["passages"] == []
    assert len(data["notices"]) == 1 and "No article matches the filters (source 'nonexistent-outlet')" in \
        data["notices"][0] and "4 articles are stored" in data["notices"][0]
    res = CliRunner().invoke(app, ["ask", "--json", "--since", "2030-01-01", "Who announced free buses?"])
    data = json.loads(res.stdout)
    assert data["refused"] and "1 of them undated" in data["notices"][0]


def test_a_filter_notice_names_uploaded_files_by_name_not_by_the_server_folder(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    """"sources include /srv/rag/uploads/dup2.txt" reached the UI and REST: a file is named by its name."""
    from index.collection import Collection
    from rag.api import RAG
    from rag.settings import Settings
    from rag.types import Filters

    settings = Settings(home=tmp_path / "home")
    up = settings.home / "uploads"
    up.mkdir(parents=True)
    (up / "harbour.txt").write_text("Harbour reopens\n\nThe harbour of Zembla reopened on Monday after repairs.\n")
    with Collection.open(settings, embedder=fake_embedder) as coll:
        coll.ingest(str(up / "harbour.txt"))
        rag = RAG(settings, collection=coll, llm=None)
        [notice] = rag.ask("Which harbour reopened?", filters=Filters(sources=("reuters",))).notices
    assert "sources include harbour.txt" in notice and str(up) not in notice


def test_a_first_question_whose_pronoun_points_at_nothing_says_the_answer_guesses(rag: RAG) -> None:
    # a new user asked "How fast was she?" first and got a confident answer about someone ("What", not
    # "Who": a who-question answered with no name, "the croissant", is refused since Nov 27)
    first = rag.ask("What did they praise?", as_of=date(2024, 12, 1))
    assert not first.refused and any('"they" points at no earlier question' in n for n in first.notices)
    later = rag.ask("What did they praise?", history=[("What did the bakery jury decide?", "The croissant [1].")],
                    as_of=date(2024, 12, 1))
    assert not any("points at no earlier question" in n for n in later.notices)
    named = rag.ask("What did the jury of the bakery contest praise?", as_of=date(2024, 12, 1))
    assert not any("points at no earlier question" in n for n in named.notices)


@pytest.mark.parametrize(("question", "foreign"), [
    ("叛军占领了哪个城镇？", True), ("¿Qué ciudad capturaron los rebeldes?", True),
    ("Welche Stadt haben die Rebellen erobert?", True), ("Что захватили повстанцы?", True),
    ("Which town did the rebels capture?", False), ("Who is Xi Jinping?", False), ("Khansir?", False),
])
def test_a_refused_question_in_another_language_is_told_why(question: str, foreign: bool) -> None:
    from rag.notices import language_notice

    assert (language_notice(question) is not None) is foreign


def test_rag_ask_says_a_question_in_another_language_finds_little(settings: Settings) -> None:
    # the bundled model reads English: a new user's Chinese question got a bare refusal
    coll = Collection.open(settings, embedder=HashEmbedder(name="local:all-MiniLM-L6-v2"))
    coll.ingest_articles([Article(source="/news/0.txt", title=ARTICLES[0][1], text=ARTICLES[0][2])])
    got = RAG(settings, collection=coll).ask("起重机倒塌在哪座桥上？", offline=True)
    assert got.refused and any("does not look English" in n for n in got.notices), got.notices
    english = RAG(settings, collection=coll).ask("What is the population of Mars?", offline=True)
    assert not any("does not look English" in n for n in english.notices)


@pytest.mark.parametrize(("question", "history", "shifted"), [
    ("And the week before?", [("What happened this week?", "…")], "What happened last week?"),
    ("What about last month?", [("What happened this week?", "…")], "What happened last month?"),
    ("And on Sunday?", [("What did the rebels capture this week?", "…")], "What did the rebels capture on Sunday?"),
    ("And in 2021?", [("How many people died in the floods?", "…")], "How many people died in the floods in 2021?"),
    ("And the day before?", [("What did the rebels capture yesterday?", "…")], "What did the rebels capture 2 days ago?"),
    # a follow-up of a follow-up: the period before the last one asked
    ("And the week before?", [("What happened this week?", "…"), ("And last week?", "…")],
     "What happened 2 weeks ago?"),
    # a question that named no time was about now: "the week before" is last week
    ("And the week before?", [("Who won the Powerball jackpot?", "…")], "Who won the Powerball jackpot last week?"),
    # (this was None, "March has no 'week before' here"; since new user 23's "What about the following week?" after
    # "... at the end of October?" a dated period is followed or preceded by its dates)
    ("And the week before?", [("What happened in March?", "…")], "What happened between 22 February and 28 February?"),
    ("And the mayor last week?", [("What happened this week?", "…")], None),  # more than a time
    ("And when?", [("What happened this week?", "…")], None),
    ("And last week?", [], None),
])
def test_a_follow_up_naming_only_a_time_asks_the_last_question_again_then(
        question: str, history: list[tuple[str, str]], shifted: str | None) -> None:
    # a new user's "And the week before?" after "What happened this week?" was searched as "And the week
    # before? happened November Suspended Brooklyn Nets" and answered about Kyrie Irving
    from rag.followup import time_shift

    assert time_shift(question, history) == shifted


def test_a_time_follow_up_of_a_news_question_is_the_news_of_that_time(rag: RAG) -> None:
    first = rag.ask("What happened this week?", as_of=date(2024, 12, 6), offline=True)
    later = rag.ask("And the week before?", history=[("What happened this week?", first.text)],
                    as_of=date(2024, 12, 6), offline=True)
    # the week of 25 November: the crane (28th), the buses (29th), the bakery (30th), newest first
    assert later.question == "And the week before?" and later.search_query == "What happened last week?"
    assert later.time_window is not None and str(later.time_window.start) == "2024-11-25"
    assert "30 November" in later.text and "Crane" not in first.text


def test_an_answer_citing_articles_from_after_as_of_says_so(rag: RAG) -> None:
    # a new user replaying "what was known on 16 November" got a 20 November article, and no word of it
    q = "What did the jury of the bakery contest praise?"
    early = rag.ask(q, as_of=date(2024, 11, 28), offline=True)
    assert not early.refused and any("published after 28 November" in n and "30 November" in n
                                     for n in early.notices), early.notices
    assert not any("published after" in n for n in rag.ask(q, as_of=date(2024, 12, 1), offline=True).notices)


def test_the_latest_on_it_is_a_catch_up_on_the_last_questions_topic(rag: RAG) -> None:
    # a new user's "What is the latest on it?" after a Powerball question gave a plain factoid answer
    from rag.followup import topic_of_pointer

    assert topic_of_pointer("it", [("Who won the Powerball jackpot?", "…")]) == "Powerball"
    assert topic_of_pointer("Aleppo", []) == "Aleppo" and topic_of_pointer("it", []) is None
    history = [("Which company operated the crane on the Harbour Bridge?", CRANE_A)]
    latest = rag.ask("What is the latest on it?", history=history, as_of=date(2024, 12, 1), offline=True)
    assert any(n.startswith("A catch-up question") for n in latest.notices), latest.notices
    assert "28 November" in latest.text and "crane" in latest.text.lower()


def test_a_photo_credit_glued_to_a_sentence_is_not_quoted(settings: Settings) -> None:
    # a flattened page: the caption's credit runs into the sentence after it, which answers the question
    coll = Collection.open(settings, embedder=HashEmbedder())
    body = ("NASA launched four astronauts on Wednesday. John Raoux/AP The SpaceX Falcon 9 rocket carried the "
            "Crew Dragon capsule to the International Space Station on Wednesday. The crew will stay six months.")
    coll.ingest_articles([Article(source="/news/launch.txt", title="Crew-5 launches", text=body,
                                  published=date(2022, 10, 5))])
    try:
        ans = RAG(settings, collection=coll, llm=None).ask("Where did the Falcon 9 rocket carry the Crew Dragon capsule?")
    finally:
        coll.close()
    assert not ans.refused
    quotes = [c.quote for c in ans.citations]
    assert any("International Space Station" in q for q in quotes)
    assert not any("/AP" in q or "Raoux" in q for q in quotes), quotes
    assert "Raoux" not in ans.text


def test_an_answer_from_an_article_much_older_than_the_best_ones_says_so() -> None:
    from rag.api import older_than_found
    from rag.types import Citation, Passage, TimeWindow

    def passage(n: int, day: str) -> Passage:
        return Passage(n, f"c{n}", f"a{n}", "Cruise", "src", day, 1.0, "Text.", 0, 5, ((0, 5),))

    found = [passage(1, "2022-11-12"), passage(2, "2022-11-12"), passage(3, "2021-12-19")]
    old = Citation(3, "a3", "Cruise", "src", "2021-12-19", "98% were vaccinated.", 0, 20)
    new = Citation(1, "a1", "Cruise", "src", "2022-11-12", "800 tested positive.", 0, 20)
    said = older_than_found(None, [old], found, date(2022, 11, 17))
    assert said is not None and "19 December 2021" in said and "12 November" in said
    assert older_than_found(None, [new], found, date(2022, 11, 17)) is None
    week = TimeWindow(date(2022, 11, 14), date(2022, 11, 17), "this week")
    assert older_than_found(week, [old], found, date(2022, 11, 17)) is None  # a period asked: outside_window's
