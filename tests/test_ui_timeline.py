"""ui.timeline: the Timeline tab's handler, called directly over a small real collection (embedded
Chroma, the real ingest with story grouping; the HashEmbedder stands in for the model), then the
tab in a real browser (marked ``browser``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

import pytest

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.extractive import REFUSAL
from rag.settings import Settings
from rag.types import Draft
from tests.fakes import HashEmbedder
from ui.app import build_app
from ui.timeline import Timeline

CLOSES = ("The harbour of Zembla closed on Tuesday after a storm damaged the pier. Fishing boats were moved to "
          "the northern bay while divers inspected the broken pilings. Officials said repairs would take weeks "
          "and that the ferry to the mainland would not sail until the pier was safe again. Traders on the quay "
          "said they expected to lose most of the winter season.")
ARTICLES = [
    Article(source="https://coast.example/zembla-closes", title="Zembla harbour closes", text=CLOSES,
            published=date(2024, 11, 26)),
    Article(source="https://wire.example/zembla", title="Storm shuts Zembla port", text="ZEMBLA (Wire) - " + CLOSES,
            published=date(2024, 11, 26)),  # the same story from another outlet: one event, "also in"
    Article(source="/news/repairs.txt", title="Zembla harbour repairs <script>alert(1)</script> begin",
            text="Engineers began repairing the Zembla harbour pier on Friday <img src=x onerror=alert(2)>. "
                 "The work is paid for by the regional council.", published=date(2024, 11, 29)),
    Article(source="https://coast.example/zembla-reopens", title="Zembla harbour reopens",
            text="The harbour of Zembla reopened on Sunday, five days after the storm. The first ferry arrived "
                 "at noon.", published=date(2024, 12, 1)),
    Article(source="https://coast.example/budget", title="Zembla harbour budget",
            text="The Zembla harbour budget was approved in October by the council.", published=date(2024, 10, 2)),
    Article(source="https://sport.example/cup", title="Football results",
            text="The home team won the cup final on Saturday with two late goals.", published=date(2024, 11, 30)),
]
AS_OF = "2024-12-01"


class ScriptedLLM:
    """Streams one scripted reply per call, like rag.llm.LLMAnswerer.stream."""

    name = "llm:scripted"
    model = "scripted-model"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.calls = 0

    def stream(self, question, passages, *, history=(), as_of=None) -> Iterator[str | Draft]:  # noqa: ANN001
        self.calls += 1
        reply = self.replies.pop(0)
        yield reply
        yield Draft(reply, reply == REFUSAL)


@pytest.fixture
def coll(settings: Settings) -> Iterator[Collection]:
    c = Collection.open(settings, embedder=HashEmbedder())
    assert c.ingest_articles(ARTICLES).summary()["added"] == len(ARTICLES)
    yield c
    c.close()


def run(tl: Timeline, topic: str = "Zembla harbour", since: str = "7d", until: str = "", sources: str = "",
        use_llm: bool = False, as_of: str = AS_OF) -> list[str]:
    return list(tl.run(topic, since, until, sources, use_llm, as_of))


def test_timeline_lists_dated_cited_events_newest_last_with_links(coll: Collection) -> None:
    steps = run(Timeline(RAG(coll.settings, collection=coll, llm=None)))
    assert "rag-pending" in steps[0]
    html = steps[-1]
    days = re.findall(r'<time datetime="([\d-]+)">', html)
    assert days == ["2024-11-26", "2024-11-29", "2024-12-01"]  # oldest first, newest last; October is outside
    assert "3 stories" in html and "2024-11-25 to 2024-12-01" in html
    assert "<mark>The harbour of Zembla closed on Tuesday after a storm damaged the pier.</mark>" in html
    assert "cup final" not in html
    # the wire copy is the same story: one event, its other version linked as "also in"
    shown = html.split('<div class="rag-export">')[0] + html.split("</pre></div>")[-1]  # not its Copy/JSON export
    assert shown.count("Storm shuts Zembla port") + shown.count("Zembla harbour closes") == 1
    assert "also in: " in html and ('href="https://wire.example/zembla"' in html
                                    or 'href="https://coast.example/zembla-closes"' in html)
    assert 'rel="noopener noreferrer nofollow"' in html


def test_every_article_string_is_escaped(coll: Collection) -> None:
    html = run(Timeline(RAG(coll.settings, collection=coll, llm=None)))[-1]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "/news/" not in html and "repairs.txt" in html  # a file source shows its name, not the server's folders
    topic = run(Timeline(RAG(coll.settings, collection=coll, llm=None)), topic="Zembla <b>harbour</b>")
    assert "<b>harbour</b>" not in "".join(topic) and "&lt;b&gt;harbour&lt;/b&gt;" in topic[-1]


def test_source_filter_and_explicit_until(coll: Collection) -> None:
    tl = Timeline(RAG(coll.settings, collection=coll, llm=None))
    html = run(tl, sources="coast.example", since="2024-11-20", until="2024-11-30")[-1]
    assert re.findall(r'<time datetime="([\d-]+)">', html) == ["2024-11-26"] and "1 story" in html


def test_an_empty_period_says_so_and_bad_input_warns(coll: Collection) -> None:
    tl = Timeline(RAG(coll.settings, collection=coll, llm=None))
    html = run(tl, as_of="2025-06-01")[-1]
    # the period is after every article: the page says so, with the collection's dates
    assert "No article is dated in that period" in html and "2025-05-26 to 2025-06-01" in html and "<time" not in html
    with pytest.warns(UserWarning, match="7d, 2w"):
        steps = run(tl, since="soon")
    assert "rag-error" in steps[-1] and len(steps) == 1
    assert "rag-error" not in run(tl, since="last tuesday")[-1]  # a question's time words are a period too
    with pytest.warns(UserWarning, match="is after"):
        run(tl, since="2024-12-05", until="2024-12-01")
    with pytest.warns(UserWarning, match="Type a topic"):
        run(tl, topic="  ")


def test_llm_summaries_per_day_are_verified_and_shown_day_by_day(coll: Collection) -> None:
    llm = ScriptedLLM(["The harbour of Zembla closed after a storm damaged the pier [1]. "
                       "The mayor of Zembla resigned on Wednesday [1].",
                       "Engineers began repairing the Zembla harbour pier on Friday [1].",
                       REFUSAL])
    tl = Timeline(RAG(coll.settings, collection=coll, llm=llm))
    assert tl.llm_label() == "scripted-model"
    steps = run(tl, use_llm=True)
    assert llm.calls == 3
    writing = [s for s in steps if "Summarising the next day" in s]
    assert len(writing) == 3 and "2024-11-29" not in writing[0]  # days appear as they are written
    html = steps[-1]
    assert "Summarising the next day" not in html
    assert 'The harbour of Zembla closed after a storm damaged the pier <a class="rag-cite" href="#src-tl0-1">' in html
    assert "resigned" in html and "Removed 1 sentence" in html  # reported as removed, in a notice
    assert not re.search(r'rag-answer">[^<]*mayor', html)  # ... and not in the summary
    assert 'id="src-tl0-1"' in html and "<mark>The harbour of Zembla closed on Tuesday" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    # the refused day keeps its extracted sentence
    assert "<mark>The harbour of Zembla reopened on Sunday, five days after the storm.</mark>" in html


def test_offline_is_the_default_even_with_an_llm(coll: Collection) -> None:
    llm = ScriptedLLM([])
    html = run(Timeline(RAG(coll.settings, collection=coll, llm=llm)))[-1]
    assert llm.calls == 0 and "summarised by" not in html and "<mark>" in html


def test_build_app_exposes_the_brief_endpoint(coll: Collection) -> None:
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    fns = {d.api_name: d for d in demo.fns.values() if d.api_visibility == "public"}
    assert "brief" in fns and fns["brief"].concurrency_id == "chat"


# --- the tab in a real browser ------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.slow
def test_timeline_tab_in_a_browser(coll: Collection) -> None:
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    from tests.ui_helpers import serving

    with serving(RAG(coll.settings, collection=coll, llm=None)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url + "/")
            page.get_by_role("tab", name="Timeline").click()
            page.fill("#rag-tl-topic textarea, #rag-tl-topic input", "Zembla harbour")
            page.fill("#rag-tl-since textarea, #rag-tl-since input", "2024-11-24")
            page.fill("#rag-tl-until textarea, #rag-tl-until input", "2024-12-01")
            page.click("#rag-tl-go")
            page.wait_for_selector("#rag-timeline article.rag-event", timeout=60_000)
            dates = page.locator("#rag-timeline time").all_inner_texts()
            assert dates == ["2024-11-26", "2024-11-29", "2024-12-01"]
            assert "<script>alert(1)</script>" in page.locator("#rag-timeline").inner_text()  # shown as text
            assert page.locator("#rag-timeline script, #rag-timeline img").count() == 0
            assert page.locator("#rag-timeline mark").first.inner_text().startswith("The harbour of Zembla closed")
            off_host = [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
                        and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
            assert requests and not off_host, off_host
        finally:
            browser.close()
