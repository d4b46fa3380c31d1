"""Copying an answer and exporting a timeline (new user 12, defect 8): "Copy message" copied the
chat bubble's HTML (tags, entities, no sources), and the Timeline had no way out but `rag brief --json`.

``ui.export`` makes plain text from the typed results (real ``Answer``/``Citation``/``Brief`` objects
of a small real collection: embedded Chroma, the real ingest; the HashEmbedder stands in for the
model), the page carries it escaped beside a Copy button, and the timeline's JSON is the CLI's.
The last test clicks the buttons in a real browser and reads the clipboard and the downloaded file."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.brief import Brief, brief, summarize
from rag.settings import Settings
from rag.types import Answer, Citation, TimeWindow
from tests.fakes import HashEmbedder
from tests.test_ui_timeline import ARTICLES, AS_OF, ScriptedLLM
from ui import export, render
from ui.chat import OFFLINE, Chat, Session
from ui.feedback import FeedbackLog
from ui.timeline import Timeline, timeline_html

#: an outlet whose title and text hold what HTML would change: "&", quotes, "<", an entity's spelling
FERRY = Article(source="/srv/news/coast/ferry.txt", title="Q&A: the Zembla ferry <returns> & “sails”",
                text='The Zembla ferry sailed again on Saturday with 240 passengers & 12 cars, the "Coast & Co" '
                     "operator said; tickets cost &pound;5 <less than before>.",
                published=date(2024, 11, 30), author="Ann O'Neil")
QUESTION = "When did engineers begin repairing the Zembla harbour pier?"
TOPIC, SINCE, UNTIL = "Zembla harbour", "2024-11-24", "2024-12-01"
TAG = re.compile(r"</?[a-z][^>]*>", re.I)


@pytest.fixture
def coll(settings: Settings) -> Iterator[Collection]:
    c = Collection.open(settings, embedder=HashEmbedder())
    assert c.ingest_articles([*ARTICLES, FERRY]).summary()["added"] == len(ARTICLES) + 1
    yield c
    c.close()


def hidden(page: str, cls: str) -> str:
    """The text of the hidden ``<pre class=cls>`` in ``page``, as the browser reads it (entities decoded)."""
    m = re.search(rf'<pre class="{cls}" hidden>(.*?)</pre>', page, re.S)
    assert m, page
    return html.unescape(m.group(1))


# --- the answer as plain text --------------------------------------------------------------------------------
def test_an_answer_copies_as_plain_text_with_its_sources(coll: Collection) -> None:
    rag = RAG(coll.settings, collection=coll, llm=None)
    answer = rag.ask(QUESTION, as_of=AS_OF)
    assert not answer.refused and answer.citations
    text = export.answer_text(answer)
    c = answer.citations[0]
    assert c.title == "Zembla harbour repairs <script>alert(1)</script> begin"
    assert text.startswith(f"Question: {QUESTION}\n(as of {AS_OF})\n\n")
    # the answer with its markers, as written; changed (fifteenth session): "on Friday" of a dated article is now
    # the short answer "Friday (29 November 2024)", on its own line above the sentences as the bubble shows it
    assert answer.short_label in text and answer.supporting.strip() in text and "[1]" in text
    sources = text.split("\nSources\n", 1)[1].splitlines()
    assert sources[0] == f"[1] {c.title}"  # plain: the markup of a title is its text
    assert sources[1] == "    2024-11-29 · news/repairs.txt"  # the page's name for the file, not /news/...
    assert "    “Engineers began repairing the Zembla harbour pier on Friday <img src=x onerror=alert(2)>.”" in sources
    assert "&lt;" not in text and "&amp;" not in text and "rag-" not in text and 'href="' not in text


def test_every_part_of_an_answer_is_in_its_text() -> None:
    """Real Citation objects with what the exporter must carry: two quotes of one passage, the other
    outlets of a story, an author, a notice (the empty collection in the page's words), the period the
    question's time words were read as, and a follow-up's rewritten search query."""
    one = dict(n=1, article_id="a", title="Q&A: <ferry>", source="https://coast.example/ferry?a=1&b=2",
               published="2024-11-30", author="Ann O'Neil")
    answer = Answer(
        "And the week before?", "Ferry. It sailed [1]. Cars came & went [1]. Rain fell [2].", False,
        (Citation(**one, quote="It sailed.", start=0, end=10),
         Citation(**one, quote="Cars came & went.", start=11, end=28, also_in=("/srv/wire/ferry.txt",)),
         Citation(2, "b", "Rain", "/srv/uploads/rain.pdf", None, "Rain fell.", 0, 10)),
        (), {}, search_query="Zembla ferry", notices=("The collection is empty: run `rag ingest PATH`.",),
        short_answer="Ferry", as_of=date(2024, 12, 8),
        time_window=TimeWindow(date(2024, 11, 25), date(2024, 12, 1), "the week before"))
    assert export.answer_text(answer) == "\n".join([
        "Question: And the week before?",
        "(as of 2024-12-08 · understood: 2024-11-25 .. 2024-12-01 (the week before))",
        "Searched for: Zembla ferry",
        "",
        "Ferry",
        "It sailed [1]. Cars came & went [1]. Rain fell [2].",
        "",
        "Note: The collection is empty: add articles in the Collection tab (upload files or paste URLs, then "
        "press “Add to collection”, or watch a feed under “Watched feeds”).",
        "",
        "Sources",
        "[1] Q&A: <ferry>",
        "    2024-11-30 · https://coast.example/ferry?a=1&b=2 · by Ann O'Neil",
        "    “It sailed.”",
        "    “Cars came & went.”",
        "    also in: wire/ferry.txt",
        "[2] Rain",
        "    undated · rain.pdf",  # an upload by the name it was uploaded as
        "    “Rain fell.”",
    ])
    refused = Answer("Who won?", "I could not find this in the articles.", True, (), (), {}, as_of=date(2024, 12, 8))
    assert export.answer_text(refused) == ("Question: Who won?\n(as of 2024-12-08)\nSearched for: Who won?\n\n"
                                           "I could not find this in the articles.")


def test_the_chat_bubble_keeps_its_html_and_carries_the_text_escaped(coll: Collection) -> None:
    rag = RAG(coll.settings, collection=coll, llm=None)
    chat, session = Chat(rag, FeedbackLog(coll.settings.feedback_path)), Session()
    # each step's last message as it was then (the steps share one list of messages)
    shown = [step[1][-1]["content"] for step in chat.respond(QUESTION, session, OFFLINE, 5, "", "", "", AS_OF)]
    bubble = shown[-1]
    (turn,) = session.turns
    assert bubble.startswith(render.answer_html(turn.answer, 0))  # the rendered answer, as it was
    assert '<button type="button" class="rag-copy">Copy with sources</button>' in bubble
    assert hidden(bubble, "rag-plain") == export.answer_text(turn.answer)
    # the article's markup is escaped in the page (shown as text, never run), plain in the copy
    assert "<script>" not in bubble and "<img" not in bubble and "&lt;script&gt;alert(1)&lt;/script&gt;" in bubble
    assert "<script>alert(1)</script>" in hidden(bubble, "rag-plain")
    # an unfinished answer has nothing to copy
    assert "rag-pending" in shown[0] and "rag-export" not in shown[0]


def test_markup_in_an_article_is_plain_in_the_copy_and_escaped_in_the_page(coll: Collection) -> None:
    rag = RAG(coll.settings, collection=coll, llm=None)
    chat, session = Chat(rag, FeedbackLog(coll.settings.feedback_path)), Session()
    steps = list(chat.respond("How many passengers did the Zembla ferry carry on Saturday?", session, OFFLINE, 5,
                              "", "", "", AS_OF))
    bubble, answer = steps[-1][1][-1]["content"], session.turns[0].answer
    assert any(c.article_id and c.title == FERRY.title for c in answer.citations), answer.citations
    text = hidden(bubble, "rag-plain")
    assert f"[1] {FERRY.title}" in text and "by Ann O'Neil" in text and "coast/ferry.txt" in text
    assert '“The Zembla ferry sailed again on Saturday with 240 passengers & 12 cars, the "Coast & Co" operator ' \
           'said; tickets cost &pound;5 <less than before>.”' in text  # "&pound;" is the article's own spelling
    assert "/srv" not in bubble and "&amp;pound;5 &lt;less than before&gt;" in bubble and "<less" not in bubble


# --- the timeline --------------------------------------------------------------------------------------------
def made(coll: Collection) -> tuple[RAG, Brief]:
    rag = RAG(coll.settings, collection=coll, llm=None)
    return rag, brief(rag, TOPIC, since=date.fromisoformat(SINCE), until=date.fromisoformat(UNTIL))


def test_the_timeline_copies_as_text_and_downloads_as_json(coll: Collection) -> None:
    rag, result = made(coll)
    steps = list(Timeline(rag).run(TOPIC, SINCE, UNTIL, "", False, AS_OF))
    assert "rag-export" not in steps[0]  # "Reading the articles…"
    page = steps[-1]
    assert page == timeline_html(result)
    text = hidden(page, "rag-plain")
    assert text == export.timeline_text(result)
    assert text.startswith(f"Timeline: “{TOPIC}”, 2024-11-24 to 2024-12-01 ({len(result.events)} stories)\n\n")
    assert "2024-11-29  Zembla harbour repairs <script>alert(1)</script> begin\n" \
           "    “Engineers began repairing the Zembla harbour pier on Friday <img src=x onerror=alert(2)>.”\n" \
           "    news/repairs.txt" in text
    assert "also in: https://" in text  # the wire copy of the storm story
    assert "&lt;" not in text and "/news/" not in text
    data = json.loads(hidden(page, "rag-json"))
    assert data == export.brief_json(result) and [e["published"] for e in data["events"]][0] == "2024-11-26"
    assert '<button type="button" class="rag-download" data-file="timeline-zembla-harbour-2024-11-24-2024-12-01.json">' \
           in page
    assert "<script>" not in page and "<img" not in page  # the JSON is escaped in the page too


def test_the_json_is_what_rag_brief_json_prints(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download is the CLI's serialisation (``rag.cli.brief``), files named as the page names them."""
    from typer.testing import CliRunner

    import index.collection
    from rag.cli import app

    _, result = made(coll)
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: HashEmbedder())
    monkeypatch.setenv("RAG_HOME", str(coll.settings.home))
    monkeypatch.setenv("RAG_COLLECTION", coll.settings.collection)
    got = CliRunner().invoke(app, ["brief", TOPIC, "--since", SINCE, "--until", UNTIL, "--json"])
    assert got.exit_code == 0, got.output
    cli = json.loads(got.stdout)
    ours = export.brief_json(result)
    for e in cli["events"]:  # the only difference: a file by its folder and name, not the server's path
        e["source"] = export.source_name(e["source"])
        e["also_in_sources"] = [export.source_name(s) for s in e["also_in_sources"]]
    assert ours == cli and any(e["source"] == "news/repairs.txt" for e in ours["events"])


#: the scripted LLM's summary of each day of the timeline (the ferry article names no harbour: not in it)
DAYS = ["The harbour of Zembla closed after a storm damaged the pier [1].",
        "Engineers began repairing the Zembla harbour pier on Friday [1].",
        "The harbour of Zembla reopened on Sunday [1]."]


def test_an_llm_timeline_exports_its_day_summaries(coll: Collection) -> None:
    rag = RAG(coll.settings, collection=coll, llm=ScriptedLLM(list(DAYS)))
    steps = list(Timeline(rag).run(TOPIC, SINCE, UNTIL, "", True, AS_OF))
    assert all("rag-export" not in s for s in steps if "Summarising the next day" in s)  # not while writing
    data = json.loads(hidden(steps[-1], "rag-json"))
    assert [d["day"] for d in data["days"]] == ["2024-11-26", "2024-11-29", "2024-12-01"]
    assert [d["summary"] for d in data["days"]] == DAYS
    text = hidden(steps[-1], "rag-plain")
    assert "\n2024-11-29\nEngineers began repairing the Zembla harbour pier on Friday [1].\n" \
           "(summarised by llm:scripted)\n[1] Zembla harbour repairs <script>alert(1)</script> begin\n" \
           "    news/repairs.txt\n    “Engineers began repairing the Zembla harbour pier on Friday " \
           "<img src=x onerror=alert(2)>.”" in text
    # the same days, made again by the library, export the same way
    _, result = made(coll)
    days = summarize(rag, result, llm=ScriptedLLM(list(DAYS)))
    assert export.timeline_text(result, days) == text and export.brief_json(result, days) == data


def test_an_empty_timeline_offers_no_export(coll: Collection) -> None:
    rag = RAG(coll.settings, collection=coll, llm=None)
    page = list(Timeline(rag).run(TOPIC, "7d", "", "", False, "2025-06-01"))[-1]
    assert "rag-export" not in page and "rag-copy" not in page


# --- in a real browser ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.slow
def test_copy_and_download_in_a_browser(coll: Collection, tmp_path) -> None:  # noqa: ANN001
    from tests.ui_helpers import chromium, serving

    rag, result = made(coll)
    expected_answer = export.answer_text(rag.ask(QUESTION, as_of=AS_OF))
    with serving(rag) as url, chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1440, "height": 960},
                                  permissions=["clipboard-read", "clipboard-write"])
        pg = ctx.new_page()
        pg.goto(url + "/")
        pg.wait_for_selector("#rag-question textarea")
        pg.get_by_label("As of").fill(AS_OF)
        pg.fill("#rag-question textarea", QUESTION)
        pg.click("#rag-ask")
        pg.wait_for_selector("#rag-chat .rag-copy", timeout=60_000)
        # gradio's own copy button (it copied the HTML) is gone; ours is under the answer
        assert pg.get_by_role("button", name="Copy message").count() == 0
        pg.get_by_role("button", name="Copy with sources").click()
        pg.wait_for_function("document.querySelector('#rag-chat .rag-copy').textContent === 'Copied'")
        assert pg.evaluate("navigator.clipboard.readText()") == expected_answer
        assert pg.locator("#rag-chat .rag-plain").is_hidden()
        label = pg.locator('#rag-chat [data-testid="bot"]').last.get_attribute("aria-label") or ""
        assert label.startswith("Answer: ") and "Copy" not in label and "Sources" not in label

        pg.get_by_role("tab", name="Timeline").click()
        pg.fill("#rag-tl-topic textarea, #rag-tl-topic input", TOPIC)
        pg.fill("#rag-tl-since textarea, #rag-tl-since input", SINCE)
        pg.fill("#rag-tl-until textarea, #rag-tl-until input", UNTIL)
        pg.click("#rag-tl-go")
        pg.wait_for_selector("#rag-timeline .rag-copy", timeout=60_000)
        pg.get_by_role("button", name="Copy as text").click()
        pg.wait_for_function("document.querySelector('#rag-timeline .rag-copy').textContent === 'Copied'")
        assert pg.evaluate("navigator.clipboard.readText()") == export.timeline_text(result)
        with pg.expect_download() as download:
            pg.get_by_role("button", name="Download JSON").click()
        assert download.value.suggested_filename == "timeline-zembla-harbour-2024-11-24-2024-12-01.json"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert json.loads(saved.read_text(encoding="utf-8")) == export.brief_json(result)
        # the article's markup shows as text in the page, and nothing of it runs
        assert "<script>alert(1)</script>" in pg.locator("#rag-timeline").inner_text()
        assert pg.locator("#rag-timeline script, #rag-timeline img, #rag-chat script, #rag-chat img").count() == 0
        pg.screenshot(path=str(tmp_path / "export.png"))
        ctx.close()
