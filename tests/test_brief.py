"""`rag brief`: a dated catch-up, one cited sentence per story, oldest first, within the period.
Real embedded Chroma and the real pipeline; the HashEmbedder stands in for the model (the brief's
choices are lexical: topic coverage and the article's opening). The LLM variant (a verified summary
per day) runs against a scripted LLM, the real ``LLMAnswerer`` over a scripted client, and the real
CLI over the scripted OpenAI-compatible server on 127.0.0.1 (tests/fault_server.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.brief import brief, catch_up_topic, news_question, parse_since, summarize
from rag.errors import ConfigError, InputError, LLMError
from rag.extractive import REFUSAL
from rag.prompt import day_summary_request
from rag.settings import Settings
from rag.types import Draft
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = [
    ("2024-11-26", "Zembla harbour closes", "The harbour of Zembla closed on Tuesday after a storm damaged the pier. "
     "Fishing boats were moved to the northern bay. Officials said repairs would take weeks."),
    ("2024-11-29", "Zembla harbour repairs begin", "Engineers began repairing the Zembla harbour pier on Friday. "
     "The work is paid for by the regional council. Local fishermen welcomed the news."),
    ("2024-12-01", "Zembla harbour reopens", "The harbour of Zembla reopened on Sunday, five days after the storm. "
     "The first ferry arrived at noon. Traders said business was slowly returning."),
    ("2024-10-02", "Zembla harbour budget", "The Zembla harbour budget was approved in October by the council. "
     "It pays for dredging and new lights."),
    ("2024-11-30", "Football results", "The home team won the cup final on Saturday with two late goals. "
     "Supporters celebrated in the main square."),
    ("2024-11-28", "Concert hall opens", "A new concert hall opened in the capital on Thursday. "
     "The first concert sold out within an hour."),
]


@pytest.fixture
def rag(settings: Settings) -> RAG:
    coll = Collection.open(settings, embedder=HashEmbedder())
    arts = [Article(source=f"/news/{i}.txt", title=t, text=body, published=date.fromisoformat(d))
            for i, (d, t, body) in enumerate(ARTICLES)]
    assert coll.ingest_articles(arts).summary()["added"] == len(arts)
    yield RAG(settings, collection=coll)
    coll.close()


def test_a_story_naming_a_minor_word_of_the_topic_is_another_story(tmp_path: Path) -> None:
    # "Air New Zealand" listed a Dolly Parton story, which says "new"; as common a word as it is in news
    common = [("2024-10-0%d" % i, f"New plan {i}", f"A new plan number {i} was agreed.") for i in range(1, 6)]
    arts = [Article(source=f"/news/{i}.txt", title=t, text=body, published=date.fromisoformat(d))
            for i, (d, t, body) in enumerate(ARTICLES + common)]
    with Collection.open(Settings(home=tmp_path, collection="minor"), embedder=HashEmbedder()) as coll:
        coll.ingest_articles(arts)
        b = brief(RAG(coll.settings, collection=coll), "new Zembla harbour", since=date(2024, 11, 25),
                  until=date(2024, 12, 1))
    assert [e.published for e in b.events] == ["2024-11-26", "2024-11-29", "2024-12-01"]
    assert not any("concert" in e.text for e in b.events)


def test_events_are_dated_oldest_first_within_the_period_and_quote_the_article(rag: RAG) -> None:
    b = brief(rag, "Zembla harbour", since=date(2024, 11, 25), until=date(2024, 12, 1))
    assert [e.published for e in b.events] == ["2024-11-26", "2024-11-29", "2024-12-01"]  # October is outside
    for e in b.events:
        text = rag.store.article_text(e.citation.article_id)
        assert text[e.citation.start : e.citation.end] == e.text  # exact article text
    assert b.events[0].text.startswith("The harbour of Zembla closed")  # the opening states the event
    assert all("cup final" not in e.text for e in b.events)


def test_an_empty_period_has_no_events_and_an_empty_topic_is_an_error(rag: RAG) -> None:
    assert brief(rag, "Zembla harbour", since=date(2025, 1, 1)).events == ()
    # a new user's `rag brief Powerball` (7 days up to today) said only "Nothing in the articles"
    later = brief(rag, "Zembla harbour", since=date(2025, 1, 1), until=date(2025, 1, 7))
    assert "articles were published 2024-" in later.notice and "Choose a period within it" in later.notice
    # "(7d)" read as the period the user gave, who had typed "yesterday" or "2w": the kinds are examples
    assert "(7d)" not in later.notice and "such as 7d, 2w or yesterday" in later.notice
    assert brief(rag, "Zembla harbour", since=date(2024, 11, 2), until=date(2024, 11, 3)).notice == ""  # within
    with pytest.raises(InputError, match="empty"):
        brief(rag, "  ")


@pytest.mark.parametrize("question,topic", [
    ("What is the latest on Zembla harbour?", "Zembla harbour"),
    ("What happened with the harbour this week?", "harbour"),
    ("What's new with the Zembla ferry?", "Zembla ferry"),
    ("Any news on the strike?", "strike"),
    ("Catch me up on Zembla", "Zembla"),
    ("Tell me the latest on Brexit.", "Brexit"),
    # a fact asked is no catch-up, nor "what happened to X" (SQuAD asks it of a lab, a budget, a crew)
    ("What is the latest death toll in Zembla?", None),
    ("What happened to the harbour pier?", None),
    ("What is the new name of the harbour?", None),
])
def test_catch_up_questions_name_their_topic(question: str, topic: str | None) -> None:
    from rag.timewindow import understand

    window = understand(question, date(2024, 12, 2))
    assert catch_up_topic(question, window.phrase if window else "") == topic


def test_ask_answers_a_catch_up_question_with_the_newest_stories_dated_and_cited(rag: RAG) -> None:
    """The sentence ranker and refusal model read a question's words against a sentence: "the latest
    on X" names no fact, and was refused. It gets the newest stories of the week, newest first."""
    answer = rag.ask("What is the latest on Zembla harbour?", as_of=date(2024, 12, 2))
    assert not answer.refused and answer.answerer == "extractive"
    assert answer.text.startswith("1 December: The harbour of Zembla reopened on Sunday")
    assert [c.published for c in answer.citations] == ["2024-12-01", "2024-11-29", "2024-11-26"]
    assert [c.n for c in answer.citations] == [p.n for p in answer.passages] == [1, 2, 3]
    for c in answer.citations:
        assert rag.store.article_text(c.article_id)[c.start : c.end] == c.quote
        assert f"[{c.n}]" in answer.text
    assert "football" not in answer.text.lower() and any("catch-up" in n for n in answer.notices)
    # the question's own period; nothing published then: answered as any other question
    assert rag.ask("What happened with Zembla harbour this week?", as_of=date(2024, 11, 28)).citations[0].published \
        == "2024-11-26"
    # "this week" asked on Monday 2 December holds one day and no story: the week before, said so
    monday = rag.ask("What happened with Zembla harbour this week?", as_of=date(2024, 12, 2))
    assert monday.citations[0].published == "2024-12-01"
    assert any("nothing about it was published 2024-12-02 .. 2024-12-02" in n for n in monday.notices)
    # nothing about it for months: its newest stories all the same, said to be older (answered as any
    # other question, it quoted an old sentence with no date said)
    later = rag.ask("What is the latest on Zembla harbour?", as_of=date(2025, 6, 1))
    assert [c.published for c in later.citations] == ["2024-12-01", "2024-11-29", "2024-11-26"]
    assert later.text.startswith("1 December 2024: ") or later.text.startswith("1 December: ")
    assert any("nothing about it was published 2025-05-26 .. 2025-06-01; the newest stories about "
               "\u201cZembla harbour\u201d published up to 2025-06-01" in n for n in later.notices), later.notices


@pytest.mark.parametrize("question", ["What happened this week?", "What's new?", "Any news this week?",
                                      "What did I miss?", "What has happened since Monday?"])
def test_a_news_question_on_no_topic_gets_the_newest_stories_of_the_period(rag: RAG, question: str) -> None:
    """ "What happened this week?" names no topic: the newest stories of the period (or of the week
    before ``as_of``), newest first, each by its opening sentence, dated and cited; the football
    result is news too."""
    answer = rag.ask(question, as_of=date(2024, 12, 1))
    assert not answer.refused
    assert [c.published for c in answer.citations] == ["2024-12-01", "2024-11-30", "2024-11-29"]
    assert answer.text.startswith("1 December: The harbour of Zembla reopened on Sunday, five days after the storm")
    assert "Saturday with two late goals" in answer.text  # any topic
    for c in answer.citations:
        assert rag.store.article_text(c.article_id)[c.start : c.end] == c.quote
    assert any("on any topic" in n for n in answer.notices)


def test_a_new_catch_up_question_mid_conversation_is_no_follow_up(rag: RAG) -> None:
    """It names its own topic: the earlier turn's words are not glued onto it."""
    history = [("Who won the cup final on Saturday?", "The home team won the cup final on Saturday [1].")]
    latest = rag.ask("What is the latest on Zembla harbour?", history=history, as_of=date(2024, 12, 2))
    assert latest.search_query == "Zembla harbour" and any("catch-up" in n for n in latest.notices)
    assert latest.text.startswith("1 December: The harbour of Zembla reopened")
    news = rag.ask("What happened this week?", history=history, as_of=date(2024, 12, 1))
    assert [c.published for c in news.citations] == ["2024-12-01", "2024-11-30", "2024-11-29"]


def test_a_news_question_about_a_day_with_no_story_says_what_the_newest_is(rag: RAG) -> None:
    answer = rag.ask("What happened yesterday?", as_of=date(2024, 12, 29))
    assert answer.refused and not answer.citations
    assert answer.notices == ("No article in the collection is dated 2024-12-28 .. 2024-12-28; the newest "
                              "article is of 1 December.",)
    assert not news_question("What happened to the harbour?") and news_question("What happened today?", "today")
    monday = rag.ask("What happened this week?", as_of=date(2024, 12, 30))  # its week holds one day: widened
    assert monday.refused and monday.notices == (
        "Nothing was published 2024-12-30 .. 2024-12-30; no article in the collection is dated 2024-12-24 .. "
        "2024-12-30 either; the newest article is of 1 December.",)


def test_a_day_with_no_story_before_later_ones_says_the_newest_up_to_as_of_and_that_later_ones_exist(rag: RAG) -> None:
    # (new user 8: "the newest article is of 24 October" read as the collection's newest, which was November's)
    answer = rag.ask("What happened yesterday?", as_of=date(2024, 11, 28))
    assert answer.refused and answer.notices == (
        "No article in the collection is dated 2024-11-27 .. 2024-11-27; the newest article up to the as-of date "
        "(28 November) is of 28 November; 3 later stories are stored, up to 1 December.",)


def test_brief_reads_one_source_given_as_a_str_as_one_source(rag: RAG) -> None:
    # (new user 8) "zzz" is one source no article has; read as its letters, "z" matched every "Zembla" title
    period = {"since": date(2024, 11, 20), "until": date(2024, 12, 1)}
    assert brief(rag, "Zembla harbour", **period).events
    assert brief(rag, "Zembla harbour", sources="zzz", **period).events == ()


def test_parse_since() -> None:
    today = date(2024, 12, 1)
    assert parse_since("7d", today) == date(2024, 11, 25)  # the 7 days ending on as_of
    assert parse_since("1d", today) == today
    assert parse_since("2w", today) == date(2024, 11, 18)
    assert parse_since("2024-11-20", today) == date(2024, 11, 20)
    assert parse_since("", today) is None
    # the time words a question could say start the period too ("since last week")
    assert parse_since("last tuesday", today) == date(2024, 11, 26)
    assert parse_since("last week", today) == date(2024, 11, 18)
    assert parse_since("March 2024", today) == date(2024, 3, 1)
    for bad in ("soon", "next week", "the weekend plans"):  # no period, one to come, more than a period
        with pytest.raises(InputError, match="7d, 2w"):
            parse_since(bad, today)


def test_rag_brief_cli_json_and_text(rag: RAG, settings: Settings) -> None:
    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection}
    run = [sys.executable, "-m", "tests.rag_cli_hash", "brief", "Zembla harbour", "--since", "7d", "--as-of", "2024-12-01"]
    got = subprocess.run([*run, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert data["since"] == "2024-11-25" and data["until"] == "2024-12-01"
    assert [e["published"] for e in data["events"]] == ["2024-11-26", "2024-11-29", "2024-12-01"]
    text = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "2024-11-26" in text.stdout and "Zembla harbour closes" in text.stdout
    bad = subprocess.run([*run[:-2], "--since", "yesterday-ish"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "7d, 2w" in bad.stderr


# --- the LLM variant: a short summary per day, every sentence verified ------------------------------------
class ScriptedLLM:
    """Replies from a script, one reply per call, through ``stream`` like rag.llm.LLMAnswerer (text
    deltas, then the ``Draft``); an exception in the script is raised. Records every request."""

    name = "llm:scripted"

    def __init__(self, replies: list[str | Exception]) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, tuple, date | None]] = []

    def stream(self, question, passages, *, history=(), as_of=None):  # noqa: ANN001, ANN201
        self.calls.append((question, tuple(passages), as_of))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        yield reply
        yield Draft(reply, reply == REFUSAL)


SUPPORTED = "The harbour of Zembla closed after a storm damaged the pier [1]."
INVENTED = "The mayor of Zembla resigned on Wednesday [1]."  # no passage names a mayor or Wednesday


def test_llm_summary_keeps_supported_sentences_with_their_citation_and_removes_the_rest(rag: RAG) -> None:
    b = brief(rag, "Zembla harbour", since=date(2024, 11, 25), until=date(2024, 12, 1))
    llm = ScriptedLLM([f"{SUPPORTED} {INVENTED}", "Engineers began repairing the Zembla harbour pier [1].", REFUSAL])
    days = summarize(rag, b, llm=llm)
    assert [d.day for d in days] == ["2024-11-26", "2024-11-29", "2024-12-01"]

    first = days[0]
    assert first.summarized and first.text == SUPPORTED  # the invented sentence is gone
    assert first.removed == ("The mayor of Zembla resigned on Wednesday.",)
    assert any("Removed 1 sentence" in n and "mayor" in n for n in first.notices)
    (cite,) = first.citations
    assert cite.n == 1 and cite.title == "Zembla harbour closes"
    assert rag.store.article_text(cite.article_id)[cite.start : cite.end] == cite.quote  # exact article text
    assert cite.quote.startswith("The harbour of Zembla closed on Tuesday")

    assert days[1].summarized and days[1].citations[0].title == "Zembla harbour repairs begin"
    refused = days[2]  # nothing to keep: the day is told by its extracted sentence
    assert not refused.summarized and refused.text == "" and refused.events[0].published == "2024-12-01"
    assert any("extracted sentences" in n for n in refused.notices)

    question, passages, as_of = llm.calls[0]  # what the LLM was asked for the first day
    assert question == day_summary_request("Zembla harbour", "2024-11-26", 1)
    assert [p.n for p in passages] == list(range(1, len(passages) + 1))
    assert {p.published for p in passages} == {"2024-11-26"} and as_of == date(2024, 11, 26)


def test_an_llm_that_fails_is_not_asked_again_and_every_day_shows_its_extracted_sentence(rag: RAG) -> None:
    b = brief(rag, "Zembla harbour", since=date(2024, 11, 25), until=date(2024, 12, 1))
    llm = ScriptedLLM([LLMError("connection refused by llm.test")])
    days = summarize(rag, b, llm=llm)
    assert len(llm.calls) == 1 and len(days) == 3
    assert all(not d.summarized and d.events and "connection refused by llm.test" in d.notices[0] for d in days)


def test_without_an_llm_summarize_says_how_to_configure_one(rag: RAG) -> None:
    assert rag.llm is None
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        summarize(rag, brief(rag, "Zembla harbour", since=date(2024, 11, 25), until=date(2024, 12, 1)))


def test_the_real_llm_answerer_sends_the_day_request_with_dated_numbered_passages(rag: RAG) -> None:
    from rag.llm import LLMAnswerer
    from tests.llm_fixtures import ScriptedClient, chunks

    client = ScriptedClient([chunks(["The harbour of Zembla closed ", "after a storm [1]."])])
    llm = LLMAnswerer(rag.settings.model_copy(update={"llm_model": "scripted"}), client=client)
    b = brief(rag, "Zembla harbour", since=date(2024, 11, 26), until=date(2024, 11, 26))
    (day,) = summarize(rag, b, llm=llm)
    assert day.text == "The harbour of Zembla closed after a storm [1]." and day.answerer == "llm:scripted"
    system, user = (m["content"] for m in client.calls[0]["messages"])
    assert "Today is 2024-11-26" in system
    assert day_summary_request("Zembla harbour", "2024-11-26", 1) in user
    assert "[1] Zembla harbour closes (2024-11-26, " in user


def test_rag_brief_llm_cli_over_a_scripted_server(rag: RAG, settings: Settings) -> None:
    from tests.fault_server import Fault, FaultServer

    reply = f"{SUPPORTED} {INVENTED}"
    with FaultServer(default=Fault.ok(reply)) as server:
        env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection,
               "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "test", "RAG_LLM_RETRIES": "0"}
        run = [sys.executable, "-m", "tests.rag_cli_hash", "brief", "Zembla harbour", "--since", "2024-11-26",
               "--until", "2024-11-26", "--llm"]
        got = subprocess.run([*run, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert got.returncode == 0, got.stderr
        (day,) = json.loads(got.stdout)["days"]
        assert day["summary"] == SUPPORTED and day["removed"] == ["The mayor of Zembla resigned on Wednesday."]
        assert day["citations"][0]["quote"].startswith("The harbour of Zembla closed on Tuesday")
        text = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    assert SUPPORTED in text.stdout and "mayor" not in text.stdout and "mayor" in text.stderr  # reported, not shown
    offline = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}
    none = subprocess.run(run, cwd=ROOT, env=offline, capture_output=True, text=True, timeout=120)
    assert none.returncode == 2 and "--llm needs an LLM" in none.stderr


def test_rag_ask_over_an_llm_prints_verified_claims_only_and_each_once(rag: RAG, settings: Settings) -> None:
    from tests.fault_server import Fault, FaultServer

    with FaultServer(default=Fault.ok(f"{SUPPORTED} {INVENTED} Fishing boats were moved to the northern bay.")) \
            as server:
        env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_COLLECTION": settings.collection,
               "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "test", "RAG_LLM_RETRIES": "0"}
        got = subprocess.run([sys.executable, "-m", "tests.rag_cli_hash", "ask", "What happened to Zembla harbour?",
                              "--as-of", "2024-11-30"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    answer = got.stdout.split("note:")[0].split("\n  [")[0]  # before the notes and the quoted sources
    assert "mayor" not in answer  # the invented claim is never printed as answer text (a note names it)
    assert answer.count("closed after a storm damaged the pier") == 1 and answer.count("the northern bay") == 1
    assert "mayor" in got.stdout + got.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2024-03-20", "--until", "2024-03-01"],
     "--since 2024-03-20 is after --until 2024-03-01: no article can match; swap them"),  # as `rag ask` says
    (["--since", "7d", "--as-of", "2024-03-20", "--until", "2024-03-01"],
     "--since 7d counts back from --as-of 2024-03-20 to 2024-03-14, which is after --until 2024-03-01"),
    (["--until", "2024-03-xx"], "--until '2024-03-xx' is not a date: write YYYY-MM-DD"),
    (["--since", "yesterday-ish"], "is not a period; use 7d, 2w, 3m, 1y"),
])
def test_rag_brief_refuses_an_empty_period_before_anything_opens(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from rag.cli import app

    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["brief", "Riverton", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "stories" not in result.output
    assert not (tmp_path / "home").exists()  # neither the store nor the model was opened


def test_rag_brief_with_since_before_until_still_briefs(rag: RAG, settings: Settings,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import index.collection
    from rag.cli import app

    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    monkeypatch.setenv("RAG_HOME", str(settings.home))
    monkeypatch.setenv("RAG_COLLECTION", settings.collection)
    result = CliRunner().invoke(app, ["brief", "Zembla harbour", "--since", "2024-11-27", "--until", "2024-11-30",
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["since"], data["until"]) == ("2024-11-27", "2024-11-30")
    assert [e["published"] for e in data["events"]] == ["2024-11-29"]


def test_two_quotes_of_one_passage_print_one_source_line(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli.output import print_citations
    from rag.types import Citation

    one = dict(n=1, article_id="a", title="Zembla harbour closes", source="/news/0.txt", published="2024-11-26")
    cites = [Citation(**one, quote="The harbour of Zembla closed.", start=0, end=29),
             Citation(**one, quote="Boats moved to the bay.", start=30, end=53, also_in=("/news/9.txt",))]
    print_citations(cites, dated=False)  # `rag brief --llm`'s days printed the [1] line once per quote
    text = capsys.readouterr().out
    assert text.count("[1] Zembla harbour closes (/news/0.txt)") == 1 and text.count("also in:") == 1
    assert text.index("closed.") < text.index("Boats moved") < text.index("also in: /news/9.txt")


def test_an_empty_collection_says_so_in_a_brief_a_digest_and_a_catch_up_answer(tmp_path, fake_embedder) -> None:  # noqa: ANN001
    """"Nothing in the articles about this in that period" misled a user who had ingested nothing."""
    from datetime import date

    from index.collection import Collection
    from rag.api import RAG
    from rag.brief import EMPTY, brief, digest
    from rag.settings import Settings

    settings = Settings(home=tmp_path / "home")
    with Collection.open(settings, embedder=fake_embedder) as coll:
        rag = RAG(settings, collection=coll, llm=None)
        assert brief(rag, "Aleppo", since=date(2024, 11, 1), until=date(2024, 11, 30)).notice == EMPTY
        assert digest(rag, since=date(2024, 11, 1), until=date(2024, 11, 30)).notice == EMPTY
        answer = rag.ask("What happened this week?", as_of=date(2024, 12, 1))
        assert answer.refused and any(n.startswith("the collection is empty: add articles") for n in answer.notices)


def test_an_articles_furniture_is_no_event(tmp_path: Path) -> None:
    # a new user's "What is the latest on Twitter?" listed "Send her an email at laura@usatoday.com or
    # follow along ... on Twitter" and "Follow Mike Snider on Twitter: @mikesnider." as stories
    arts = [
        Article(source="/news/a.txt", title="Holiday travel tips", published=date(2024, 11, 28),
                text="Airports expect record crowds this holiday season. Pack light and arrive early. "
                     "Send her an email at laura@example.com or follow along with her travels on Twitter."),
        Article(source="/news/b.txt", title="Streaming prices rise", published=date(2024, 11, 29),
                text="Two streaming services raised their prices on Friday. Follow Mike Snider on Twitter: "
                     "@mikesnider."),
        Article(source="/news/d.txt", title="Bakery opens", published=date(2024, 11, 29),
                text="A bakery opened on Main Street on Friday. It posted its opening hours on Twitter."),
        Article(source="/news/c.txt", title="Twitter changes verification", published=date(2024, 11, 30),
                text="Editor's Note: This roundup is part of a weekly series. Twitter began charging for "
                     "verification on Wednesday, its owner said."),
    ]
    with Collection.open(Settings(home=tmp_path, collection="furniture"), embedder=HashEmbedder()) as coll:
        coll.ingest_articles(arts)
        rag = RAG(coll.settings, collection=coll)
        b = brief(rag, "Twitter", since=date(2024, 11, 25), until=date(2024, 12, 1))
        # ... nor a story passing by the topic once (the bakery's hours "on Twitter") beside one about it
        assert [e.text for e in b.events] == ["Twitter began charging for verification on Wednesday, its owner said."]
        digest = rag.ask("What happened this week?", as_of=date(2024, 12, 1), offline=True)
    assert "Editor's Note" not in digest.text and "Twitter began charging" in digest.text


def test_a_briefs_also_in_lists_every_version_of_the_story_as_ask_does(tmp_path: Path) -> None:
    """The brief listed as "also in" only the versions retrieved in its period, and never an exact copy
    kept as one more source; ``rag ask`` listed every stored version. Both read the story's versions now."""
    closes = ("The harbour of Zembla closed on Tuesday after a storm damaged the pier. Fishing boats were moved to "
              "the northern bay while divers inspected the broken pilings. Officials said repairs would take weeks "
              "and that the ferry to the mainland would not sail until the pier was safe again. Traders on the quay "
              "said they expected to lose most of the winter season.")
    arts = [Article(source="https://coast.example/zembla", title="Zembla harbour closes", text=closes,
                    published=date(2024, 11, 26)),
            Article(source="https://wire.example/zembla", title="Storm shuts Zembla port",
                    text="ZEMBLA (Wire) - " + closes, published=date(2024, 11, 26)),
            Article(source="https://mirror.example/zembla", title="Zembla harbour closes", text=closes,
                    published=date(2024, 11, 26))]  # the exact text again: kept as one more source
    with Collection.open(Settings(home=tmp_path, collection="versions"), embedder=HashEmbedder()) as coll:
        coll.ingest_articles(arts)
        r = RAG(coll.settings, collection=coll)
        b = brief(r, "Zembla harbour", since=date(2024, 11, 25), until=date(2024, 12, 1))
        answer = r.ask("Why did the Zembla harbour close?", offline=True, as_of=date(2024, 12, 1))
    assert len(b.events) == 1
    event, cited = b.events[0], answer.citations[0]
    shown = {event.citation.source, *event.also_in_sources}
    assert shown == {"https://coast.example/zembla", "https://wire.example/zembla", "https://mirror.example/zembla"}
    assert len(event.also_in_sources) == 2
    assert {cited.source, *cited.also_in} == shown  # the answer's citation lists the same versions


def test_a_link_to_another_story_is_no_event() -> None:
    # a new user's brief on Brittney Griner opened with "OPINION:The power of love: ..." (a dump's link line)
    from rag.brief import is_event_sentence

    assert not is_event_sentence("OPINION:The power of love: Cherelle Griner is biggest hero in her release")
    assert not is_event_sentence("Reaction:WNBA Twitter rejoices in prisoner swap.")
    assert is_event_sentence("Update: Griner landed in San Antonio on Friday.")


def test_a_sentence_case_subheading_on_its_own_line_is_no_event(tmp_path: Path) -> None:
    # new user 23's brief on "layoffs" listed "Mass Twitter layoffs happened fast" (a USA Today subheading, a
    # paragraph of its own, no full stop) as the story; the paragraph after it tells the event
    from rag.brief import is_event_sentence

    assert not is_event_sentence("Mass Twitter layoffs happened fast", own_line=True)
    assert is_event_sentence("Mass Twitter layoffs happened fast")  # inside running text it may be a sentence cut short
    assert is_event_sentence("Layoffs were expected upon Musk's takeover at Twitter.", own_line=True)
    text = ("Eventually, Musk offered to buy Twitter at the original price of $54.20 a share.\n\n"
            "Mass Twitter layoffs happened fast\n\n"
            "Layoffs were expected upon Musk's takeover at Twitter. On Thursday, employees got an email saying the "
            "company planned Friday to start job cuts. About half the company's staff of 7,500 lost their jobs.")
    art = Article(source="https://news.example/twitter-layoffs", title="Twitter after the takeover", text=text,
                  published=date(2022, 11, 5))
    with Collection.open(Settings(home=tmp_path, collection="headings"), embedder=HashEmbedder()) as coll:
        coll.ingest_articles([art])
        b = brief(RAG(coll.settings, collection=coll), "Twitter layoffs", since=date(2022, 11, 1),
                  until=date(2022, 11, 30))
    assert [e.citation.quote for e in b.events] == ["Layoffs were expected upon Musk's takeover at Twitter."]
