"""ui.render: answers, sources and listings become HTML in which article text is always inert."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from index.db import ArticleInfo
from index.types import ItemResult
from rag.types import Answer, Citation, Filters, Passage
from ui import render

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> [click](javascript:window.__xss=3)'
ALLOWED_TAGS = {"div", "span", "a", "mark", "q", "details", "summary", "article", "header", "br",
                "p", "table", "thead", "tbody", "tr", "th", "td", "code"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(fragment)
    return p.tags


def assert_inert(fragment: str) -> None:
    """Only our own markup: known tags, no event handlers, no script URLs."""
    for tag, attrs in tags(fragment):
        assert tag in ALLOWED_TAGS, (tag, fragment)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript"), attrs


def passage(n: int, text: str, start: int = 100, **kw: object) -> Passage:
    base = dict(chunk_id=f"a{n}:v:0", article_id=f"a{n}", title=f"Title {n}", source=f"https://news.example/{n}",
                published="2024-12-01", score=0.5, text=text, start=start, end=start + len(text))
    return Passage(n=n, **(base | kw))  # type: ignore[arg-type]


def cite(p: Passage, quote: str) -> Citation:
    i = p.text.index(quote)
    return Citation(p.n, p.article_id, p.title, p.source, p.published, quote, p.start + i, p.start + i + len(quote))


def answer(text: str, passages: tuple[Passage, ...], citations: tuple[Citation, ...] = (), **kw: object) -> Answer:
    base = dict(question="Which town?", refused=False, timings_ms={"total": 12.0}, search_query="Which town?")
    return Answer(text=text, passages=passages, citations=citations, **(base | kw))  # type: ignore[arg-type]


# --- highlight ---------------------------------------------------------------------------------
def test_highlight_escapes_each_segment_then_marks() -> None:
    assert render.highlight("a <b> & c", [(2, 5)]) == "a <mark>&lt;b&gt;</mark> &amp; c"


def test_highlight_merges_overlaps_and_clips() -> None:
    assert render.highlight("abcdef", [(4, 99), (1, 3), (2, 4), (-5, 0)]) == "a<mark>bcdef</mark>"
    assert render.highlight("abc", []) == "abc"


def test_quote_span_uses_article_offsets_relative_to_the_passage() -> None:
    p = passage(1, "Rebels took Khansir. Then more.", start=1000)
    c = cite(p, "Rebels took Khansir.")
    assert (c.start, c.end) == (1000, 1020)
    assert render.quote_span(p, c) == (0, 20)


def test_quote_span_falls_back_to_finding_the_quote() -> None:
    p = passage(1, "One. Two three.", start=0)
    c = Citation(1, "a1", "t", "s", None, "Two three.", 500, 510)  # offsets that do not fit the passage
    assert render.quote_span(p, c) == (5, 15)
    assert render.quote_span(p, Citation(1, "a1", "t", "s", None, "absent", 0, 6)) is None


# --- answer bubble -------------------------------------------------------------------------------
def test_markers_link_to_their_source_card_and_unknown_ones_stay_text() -> None:
    html = render.with_markers("Khansir [1]. Also [1, 2]. Not [9].", [1, 2], turn=3)
    assert html.count('href="#src-3-1"') == 2 and html.count('href="#src-3-2"') == 1
    assert "[9]" in html and 'href="#src-3-9"' not in html


def test_answer_text_from_an_article_is_escaped_not_rendered() -> None:
    p = passage(1, "Khansir fell. " + XSS)
    a = answer("Khansir fell " + XSS + " [1]", (p,), (cite(p, "Khansir fell."),), notices=("LLM <b>failed</b>",))
    html = render.answer_html(a, 0)
    assert_inert(html)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "[click](javascript:window.__xss=3)" in html  # the markdown link stays text
    assert "LLM &lt;b&gt;failed&lt;/b&gt;" in html and "rag-notice" in html


def test_answer_shows_the_search_query_on_demand_and_says_when_rewritten() -> None:
    p = passage(1, "Khansir fell.")
    a = answer("Khansir fell [1]", (p,), (cite(p, "Khansir fell."),), question="Who said that?",
               search_query="Who said that? rebels Khansir <x>")
    html = render.answer_html(a, 0, follow_up=True)
    assert "<details" in html and "rewritten from your follow-up" in html
    assert "Who said that? rebels Khansir &lt;x&gt;" in html


def test_refused_answer_says_so_and_shows_the_search_openly() -> None:
    a = answer("I could not find this in the articles.", (passage(1, "Unrelated."),), refused=True,
               search_query="moon landing")
    html = render.answer_html(a, 0)
    assert "No supported answer" in html and "<details" not in html and "moon landing" in html


def test_streaming_and_error_html_escape() -> None:
    assert "&lt;img" in render.streaming_html("<img src=x onerror=alert(1)>")
    assert_inert(render.streaming_html(XSS))
    assert_inert(render.error_html(XSS))


# --- sources panel --------------------------------------------------------------------------------
def test_sources_highlight_the_exact_quote_in_its_passage() -> None:
    p1 = passage(1, "Inside Aleppo it was quiet.\nRebels captured the town of Khansir. Later more.", start=500)
    p2 = passage(2, "Other passage.", start=0, title="Second")
    a = answer("They took Khansir [1]", (p1, p2), (cite(p1, "Rebels captured the town of Khansir."),))
    html = render.sources_html(a, 2)
    assert "<mark>Rebels captured the town of Khansir.</mark>" in html
    assert 'id="src-2-1"' in html and 'id="src-2-2"' in html
    assert "Other retrieved passages (1)" in html
    assert html.index("src-2-1") < html.index("src-2-2")
    assert "2024-12-01" in html and 'href="https://news.example/1"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_sources_trim_leading_whitespace_without_moving_the_mark() -> None:
    p = passage(1, "\n  Khansir fell. Rest.", start=10)
    html = render.sources_html(answer("x [1]", (p,), (cite(p, "Khansir fell."),)), 0)
    assert '<div class="rag-passage"><mark>Khansir fell.</mark> Rest.</div>' in html


def test_sources_escape_titles_sources_and_passages() -> None:
    p = passage(1, "Quote here. " + XSS, title=XSS, source="javascript:window.__xss=4")
    html = render.sources_html(answer("Quote here [1]", (p,), (cite(p, "Quote here."),)), 0)
    assert_inert(html)
    assert "&lt;script&gt;" in html and 'href="javascript' not in html


def test_source_link_only_for_http_urls() -> None:
    assert render.source_link('https://x.example/a"b?q=<1>').startswith('<a href="https://x.example/a&quot;b?q=&lt;1&gt;"')
    assert "<a" not in render.source_link("/home/me/news/story.txt")
    assert "story.txt" in render.source_link("/home/me/news/story.txt")
    assert "<a" not in render.source_link("data:text/html,<script>")


def test_refused_sources_list_closest_passages_without_marks() -> None:
    a = answer("I could not find this in the articles.", (passage(1, "Near miss."),), refused=True)
    html = render.sources_html(a, 0)
    assert "No passage supports an answer" in html and "Near miss." in html and "<mark>" not in html


def test_sources_placeholder_and_no_passages() -> None:
    assert "Ask a question" in render.sources_html(None)
    assert "No passage matched" in render.sources_html(answer("I could not find this.", (), refused=True), 0)


# --- settings and collection ------------------------------------------------------------------------
def test_settings_summary() -> None:
    html = render.settings_html("Offline", 1, Filters(("reuters", "<b>"), date(2024, 11, 1), None), 1)
    assert "1 passage<" in html and "1 article<" in html and "reuters, &lt;b&gt;" in html
    assert "2024-11-01 to …" in html
    assert "any date" in render.settings_html("LLM · m", 5, Filters(), 3)


@pytest.mark.parametrize("status", ["added", "updated", "unchanged", "duplicate", "failed"])
def test_ingest_results_show_status_and_reason(status: str) -> None:
    r = ItemResult("/up/" + XSS, status, "id1", XSS, chunks=3, reason=XSS if status == "failed" else None)  # type: ignore[arg-type]
    html = render.ingest_html([r], 1, 2)
    assert_inert(html)
    assert f'rag-status {status}"' in html and f"1 {status}" in html and "1/2 items" in html


def test_article_list_escapes_metadata() -> None:
    a = ArticleInfo("abc123", XSS, "/tmp/x.txt", "https://n.example/a", "<b>Ann</b>", "2024-12-01", 4, 2048, ("/tmp/x.txt",))
    html = render.articles_html([a], {"articles": 1, "chunks": 4, "embedder": "local"})
    assert_inert(html)
    assert "2,048" in html and "abc123" in html and "&lt;b&gt;Ann&lt;/b&gt;" in html and "1 article · 4 chunks" in html
    assert "No articles match" in render.articles_html([], None)


def test_long_ingest_reports_keep_every_failure_and_the_latest_rows() -> None:
    results = [ItemResult(f"d.jsonl#{i}", "failed" if i % 50 == 0 else "added", title=f"T{i}") for i in range(1000)]
    html = render.ingest_html(results, 1000, None, limit=100)
    assert html.count("<tr>") == 1 + 100 and "20 failed" in html and "showing 100 of 1000" in html
    assert "T0<" in html and "T950<" in html and "T999<" in html and "T500<" in html and "T501<" not in html


def test_the_short_answer_shows_once_in_bold_above_its_sentences() -> None:
    text = "Rebels captured the town of Khansir [1]."
    p = Passage(n=1, chunk_id="a:0", article_id="a", title="Report", source="https://example.com/a",
                published=None, score=1.0, start=0, end=len(text), text=text)
    answer = Answer(question="Which town did the rebels capture?", text="Khansir. " + text, refused=False,
                    citations=(), passages=(p,), timings_ms={}, short_answer="Khansir", short_answer_span=(28, 35))
    assert answer.supporting == text
    html = render.answer_html(answer, 0)
    assert html.count("<b>Khansir</b>") == 1
    body = html.split('<div class="rag-answer">', 1)[1]
    assert not body.startswith("Khansir.") and "Rebels captured" in body
