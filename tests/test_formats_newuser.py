"""Article parsing defects a new user found (index/formats.py).

1. A paywall, cookie-wall/menu or video-player page was stored as an article.
2. A copyright footer's year ("© 2024") became the publication date 2024-01-01.
3. ANSI colour codes in a .txt were stored ("\\x1b[31m12 days\\x1b[0m"; the short answer became "0m").
4. Markdown syntax stayed in .md titles and text ("**two-year**", "[Central Library](https://...)").
5. Hard-wrapped .txt and PDF text kept its line breaks, which end sentences: quotes were cut mid-sentence.
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from index import formats
from index.types import Article, LoadFailure
from rag.errors import InputError
from rag.text import split_sentences
from tests.test_load import BBC, GOOD_TEXT, make_pdf, one, run, write

RTQA = Path("/work/shared/corpora/realtimeqa-dev/corpus.jsonl")


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# --- 1. pages with no article text ------------------------------------------------------------

PAYWALL = ("<html><head><title>Storm report</title></head><body><p>You have reached your limit of free articles. "
           "Subscribe now to keep reading.</p></body></html>")
COOKIE_WALL = ("<html><head><title>Example News</title></head><body><div>Home | About | Contact</div>"
               "<div>We use cookies. Accept all | Reject</div></body></html>")
VIDEO = ("<html><head><title>Video</title></head><body><div>Home | News | Video</div>"
         "<div>Video: storm hits coast.</div></body></html>")
PLAYER = ('<html><head><title>Storm hits coast</title></head><body><nav>Home | News</nav>'
          '<iframe src="https://www.youtube.com/embed/abc123"></iframe><p>Storm hits the coast.</p></body></html>')
BRIEF = ("<html><head><title>Ferry cancelled</title></head><body><p>The morning ferry to Arran was cancelled on "
         "Tuesday because of high winds. CalMac said services would resume on Wednesday.</p></body></html>")


@pytest.mark.parametrize("name, page, kind", [
    ("paywall.html", PAYWALL, "a paywall"),
    ("cookies.html", COOKIE_WALL, "a cookie notice"),
    ("video.html", VIDEO, "a video or audio player"),
    ("player.html", PLAYER, "a video or audio player"),
])
def test_a_page_of_only_furniture_fails_with_a_reason_and_the_batch_goes_on(
    tmp_path: Path, name: str, page: str, kind: str
) -> None:
    bad = write(tmp_path / name, page)
    failure, good = run(tmp_path, bad, write(tmp_path / "good.txt", GOOD_TEXT))
    assert isinstance(failure, LoadFailure), failure
    assert failure.item == str(bad.resolve()) and name in failure.reason
    assert "no article text: the page holds only navigation/cookie/paywall text" in failure.reason
    assert kind in failure.reason and "save it as text or PDF" in failure.reason  # what was seen, and the fix
    assert isinstance(good, Article)


@pytest.mark.parametrize("text", [
    "The morning ferry to Arran was cancelled on Tuesday because of high winds. "
    "CalMac said services would resume on Wednesday.",
    "Two people were hurt when a lorry overturned on the A9 near Perth on Monday.",  # a one-sentence brief
    # furniture words inside real sentences do not make them furniture
    "The union voted to reject the offer. Cookies and cakes were sold at the fair to raise money.",
])
def test_a_short_real_brief_is_an_article(tmp_path: Path, text: str) -> None:
    page = f"<html><head><title>Brief</title></head><body><p>{text}</p><footer>Home | About</footer></body></html>"
    a = one(tmp_path, write(tmp_path / "brief.html", page))
    assert a.text.startswith(text[:40])


def test_an_article_with_a_cookie_banner_and_a_menu_is_still_an_article(tmp_path: Path) -> None:
    page = ("<html><head><title>Ferry cancelled</title></head><body><div>Home | News | Sport</div>"
            "<div>We use cookies. Accept all | Reject</div>" + BRIEF.split("<body>")[1])
    a = one(tmp_path, write(tmp_path / "banner.html", page))
    assert "CalMac said services would resume on Wednesday." in a.text


def test_prose_words_counts_no_furniture() -> None:
    for text in ("You have reached your limit of free articles. Subscribe now to keep reading.",
                 "Home | About | Contact\nWe use cookies. Accept all | Reject",
                 "Home | News | Video\nVideo: storm hits coast.",
                 "Skip to main content\nPlease enable JavaScript to view this site.\n© 2024 Example News"):
        assert formats.prose_words(text)[0] == 0, text
    words, kinds = formats.prose_words("Home | News\nThe council met on Monday. Rents will rise.")
    assert words == 8 and kinds == ["navigation"]
    # a script written without spaces still has words
    assert formats.prose_words("東京都は月曜日、新しい中央図書館を開館したと発表した。")[0] >= formats.PROSE_MIN_WORDS


def _wrapped(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>{html.escape(title)}</title></head><body><article><h1>{html.escape(title)}</h1>"
            f"{body}</article></body></html>")


@pytest.mark.skipif(not BBC.is_dir() or not RTQA.is_file(), reason="corpora not present under /work/shared")
def test_real_articles_wrapped_in_html_are_never_refused() -> None:
    """A sample of the measurement behind formats.PROSE_MIN_WORDS (all 5,584 were run once): the
    shortest real articles, and every 50th BBC and RealTime QA article."""
    bbc = sorted(BBC.glob("*/*.txt"))
    pages = []
    for path in [BBC / "politics" / "397.txt", *bbc[::50]]:
        title, _, body = formats.decode_bytes(path.read_bytes()).strip().partition("\n")
        pages.append((str(path), _wrapped(title, [p for p in body.split("\n") if p.strip()])))
    for n, line in enumerate(RTQA.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        if n % 50 == 0 or record["id"] == "rtqa-d08046e082e8":  # the shortest: a one-sentence photo caption
            pages.append((record["id"], _wrapped(record["title"], [p for p in record["text"].split("\n") if p.strip()])))
    assert len(pages) > 100
    for name, page in pages:
        a = formats.parse_html(page, name)
        assert formats.prose_words(a.text)[0] >= formats.PLAYER_PAGE_MIN_WORDS, name


# --- 2. no dates from copyright footers ---------------------------------------------------------

BODY = ("<p>The morning ferry to Arran was cancelled because of high winds, the operator said. "
        "CalMac said services would resume when the weather improved.</p>")


def page(head: str = "", body: str = BODY, footer: str = "") -> str:
    return (f"<html><head><title>Ferry cancelled</title>{head}</head><body><article>{body}</article>"
            f"<footer>{footer}</footer></body></html>")


@pytest.mark.parametrize("html_page", [
    page(footer="© 2024 Example News"),
    page(footer="Copyright 2023 Example News. All rights reserved."),
    page(head='<meta itemprop="copyrightYear" content="2022">'),
    page(head='<meta name="date" content="2024">'),
    page(body=BODY + "<p>The service first ran in 1970 and was last cut in March 2021.</p>"),
])
def test_a_bare_year_is_no_publication_date(tmp_path: Path, html_page: str) -> None:
    a = one(tmp_path, write(tmp_path / "undated.html", html_page))
    assert a.published is None and "date_source" not in a.extra


@pytest.mark.parametrize("html_page, published, source", [
    (page(body="<p>Published 12 March 2024</p>" + BODY, footer="© 2024"), date(2024, 3, 12), "text"),
    (page(body="<p>Published 1 March 2024</p>" + BODY, footer="© 2024"), date(2024, 3, 1), "text"),
    (page(body="<p>1 January 2024</p>" + BODY, footer="© 2024"), date(2024, 1, 1), "text"),
    (page(head='<meta property="article:published_time" content="2024-01-01T09:00:00Z">', footer="© 2024"),
     date(2024, 1, 1), "htmldate"),
    # a month from a real date element is kept, as its 1st (htmldate gave it today's day of the month)
    (page(body='<time datetime="2024-03">March 2024</time>' + BODY), date(2024, 3, 1), "htmldate"),
    (page(head='<meta name="date" content="March 2024">'), date(2024, 3, 1), "meta"),
])
def test_real_dates_are_kept(tmp_path: Path, html_page: str, published: date, source: str) -> None:
    a = one(tmp_path, write(tmp_path / "dated.html", html_page))
    assert (a.published, a.extra.get("date_source")) == (published, source)


# --- 3. control characters and terminal escapes -------------------------------------------------

def test_ansi_escapes_and_controls_are_stripped_from_a_txt(tmp_path: Path) -> None:
    rest = " The port reopened on Thursday after the storm passed, and the first ferries sailed at noon." * 3
    raw = ("Ships \x1b[1mwait\x1b[0m offshore\x1b]0;pwned\x07\n\n"
           f"The ships waited \x1b[31m12 days\x1b[0m\x07 offshore.\tTabs stay.\x08\x01\nLine two.\x0cPage two.{rest}")
    a = one(tmp_path, write(tmp_path / "ansi.txt", raw))
    assert a.title == "Ships wait offshore"
    assert a.text == "The ships waited 12 days offshore.\tTabs stay.\nLine two.\nPage two." + rest
    assert sentences(a.text)[0] == "The ships waited 12 days offshore."  # the short answer is "12 days", not "0m"


@pytest.mark.parametrize("name, content", [
    ("a.html", "<html><head><title>Ships \x1b[1mwait\x1b[0m</title></head><body><p>The ships waited "
               "\x1b[31m12 days\x1b[0m offshore before the storm passed, the port said.</p></body></html>"),
    ("a.md", "# Ships \x1b[1mwait\x1b[0m\n\nThe ships waited \x1b[31m12 days\x1b[0m offshore."),
    ("a.jsonl", json.dumps({"title": "Ships \x1b[1mwait\x1b[0m", "text": "The ships waited \x1b[31m12 days\x1b[0m offshore."})),
])
def test_every_format_strips_escapes_from_title_and_text(tmp_path: Path, name: str, content: str) -> None:
    a = one(tmp_path, write(tmp_path / name, content))
    assert a.title == "Ships wait" and "waited 12 days offshore" in a.text
    assert not any(ch in a.title + a.text for ch in "\x1b\x07"), (a.title, a.text)


def test_c1_controls_are_the_cp1252_characters_they_stand_for() -> None:
    # cp1252 text with one byte cp1252 lacks (0x81) falls back to latin-1: its curly quotes are C1 controls
    text = formats.decode_bytes(b"He said \x93yes\x94 \x96 twice\x85 \x81")
    assert "\x93" in text  # the decoder's fallback, unchanged
    assert formats.normalise(text) == "He said “yes” – twice…"
    assert formats.strip_controls("\x9b31mred\x1b[0m and \x1bPq#0;2\x1b\\sixel") == "red and sixel"


# --- 4. markdown is plain text ------------------------------------------------------------------

LIBRARY_MD = """---
title: Library reopens after **two-year** refit
date: 2024-10-15
author: Sam Patel
category: local
---

The [Central Library](https://example.org/lib) in *Hartwell* reopened on Saturday
after a **£18m** refit, the council said.

![photo](img.jpg)

> "It is better than ever," said the head librarian, __Ann Lee__.

## What changed

- a new `children's` floor
- 40 study desks

1. Phase one: the roof.
2. Phase two: the *floors*.

```
opening hours 9-5
```

<div class="ad">Advertisement &amp; more</div>

| Floor | Use |
|-------|-----|
| 1 | Books |
"""


def test_markdown_text_and_title_are_plain(tmp_path: Path) -> None:
    a = one(tmp_path, write(tmp_path / "library.md", LIBRARY_MD))
    assert a.title == "Library reopens after two-year refit"
    assert (a.published, a.author, a.extra) == (date(2024, 10, 15), "Sam Patel", {"category": "local"})
    assert a.text == (
        "The Central Library in Hartwell reopened on Saturday after a £18m refit, the council said.\n\n"
        "\"It is better than ever,\" said the head librarian, Ann Lee.\n\n"
        "What changed\n\n"
        "a new children's floor\n40 study desks\n\n"
        "Phase one: the roof.\nPhase two: the floors.\n\n"
        "opening hours 9-5\n\n"
        "Advertisement & more\n\n"
        "| Floor | Use |\n| 1 | Books |")
    quote = [s for s in sentences(a.text) if "said the head librarian" in s]
    assert quote == ["\"It is better than ever,\" said the head librarian, Ann Lee."]


def test_markdown_heading_title_without_front_matter(tmp_path: Path) -> None:
    a = one(tmp_path, write(tmp_path / "h.md", "# Storm *closes* ports\n\nA storm closed **two** ports.\n"))
    assert (a.title, a.text) == ("Storm closes ports", "A storm closed two ports.")
    b = one(tmp_path, write(tmp_path / "nohead.md", "**Storm closes ports**\n\nA storm closed [two](x.html) ports.\n"))
    assert (b.title, b.text) == ("Storm closes ports", "A storm closed two ports.")


def test_markdown_of_only_an_image_is_empty(tmp_path: Path) -> None:
    [f] = run(tmp_path, write(tmp_path / "img.md", "# Photo\n\n![photo](img.jpg)\n"))
    assert isinstance(f, LoadFailure) and "is empty" in f.reason


# --- 5. hard-wrapped text and PDF line breaks ---------------------------------------------------

KELSO = ("Fishermen in the port of Kelso landed a record 4,800 tonnes of mackerel this week, the harbour "
         "master said on Friday. \"We have never seen shoals like it,\" said skipper Ian Ross, whose boat "
         "landed 300 tonnes in one night.")
KELSO_2 = ("The catch was sold at the Peterhead market for about 1.2 million pounds, and buyers from Norway and "
           "the Netherlands bid for most of it, according to the market's figures published on Saturday.")


def test_a_hard_wrapped_txt_has_whole_sentences_and_keeps_its_headline(tmp_path: Path) -> None:
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in (KELSO, KELSO_2))
    assert wrapped.count("\n") > 6
    a = one(tmp_path, write(tmp_path / "kelso.txt", "Record mackerel catch for Kelso\n" + wrapped + "\n"))
    assert a.title == "Record mackerel catch for Kelso"
    assert a.text == KELSO + "\n\n" + KELSO_2
    assert "\"We have never seen shoals like it,\" said skipper Ian Ross, whose boat landed 300 tonnes in one night." \
        in sentences(a.text)


def test_a_hard_wrapped_txt_keeps_list_items_and_short_lines(tmp_path: Path) -> None:
    text = textwrap.fill(KELSO, 72) + "\nThe harbour said:\n- boats: 14\n- crew: 60\n\n" + textwrap.fill(KELSO_2, 72)
    a = one(tmp_path, write(tmp_path / "list.txt", text))
    assert "in one night.\nThe harbour said:\n- boats: 14\n- crew: 60\n\nThe catch" in a.text
    assert KELSO in a.text and KELSO_2 in a.text


@pytest.mark.parametrize("text", [
    # a line per sentence, short lines, a poem-like list: not hard-wrapped, left alone
    "Storm hits coast\nThe storm hit the coast on Monday.\nTwo ports were closed.\nShips waited offshore.\n",
    "Results\nAberdeen 2 Celtic 1\nHearts 0 Rangers 3\nHibs 1 Motherwell 1\nDundee 2 St Mirren 2\n",
])
def test_text_that_is_not_hard_wrapped_is_unchanged(tmp_path: Path, text: str) -> None:
    assert formats.unwrap_lines(formats.normalise(text)) == formats.normalise(text)


def test_pdf_lines_are_joined_and_the_headline_stays_apart(tmp_path: Path) -> None:
    body = textwrap.wrap("The city council voted on Tuesday to approve a new tram line linking the station "
                         "with the hospital and the university, at a cost of 240 million pounds, the mayor "
                         "said in a statement.", 80)
    body += ["Work starts in spring."]
    pdf = make_pdf(["Council approves new tram line for Westbury", *body])
    a = one(tmp_path, write(tmp_path / "tram.pdf", pdf))
    assert a.title == "Council approves new tram line for Westbury"
    # the headline line stays a line of its own (the text keeps it, as it did), not the first sentence's start
    assert a.text.startswith("Council approves new tram line for Westbury\nThe city council voted on Tuesday")
    first = sentences(a.text)[1]
    assert first.endswith("the mayor said in a statement.") and "\n" not in first
    assert "Work starts in spring." in sentences(a.text)


@pytest.mark.skipif(not BBC.is_dir(), reason="BBC corpus not present under /work/shared")
def test_bbc_files_are_stored_byte_for_byte_as_before(tmp_path: Path) -> None:
    """One line per paragraph, blank lines between: nothing to unwrap. The stored text is the file
    after its headline line exactly; a few files, the two with bulleted lists among them."""
    for name in ("business/001.txt", "business/159.txt", "politics/122.txt", "sport/179.txt", "tech/253.txt"):
        raw = (BBC / name).read_bytes().decode("utf-8")
        headline, _, body = raw.partition("\n")
        expected = "\n".join(line.rstrip() for line in body.split("\n")).strip()
        a = one(tmp_path, BBC / name)
        assert (a.title, a.text) == (headline.strip(), expected), name


@pytest.mark.skipif(not BBC.is_dir(), reason="BBC corpus not present under /work/shared")
def test_no_bbc_file_is_taken_as_hard_wrapped() -> None:
    paths = sorted(BBC.glob("*/*.txt"))
    assert len(paths) == 2225
    for path in paths:
        text = formats.normalise(formats.decode_bytes(path.read_bytes()))
        assert formats.unwrap_lines(text) == text, path


def test_unwrap_joins_a_hyphenated_break_without_a_space() -> None:
    text = ("The council said the long-awaited tram line would open after a two-\n"
            "year delay, with the first trams running between the station and the\n"
            "hospital from March, and the rest of the line following in the autumn.\n"
            "Tickets will cost the same as a bus fare, the council said on Friday.")
    assert "a two-year delay, with the first trams running between the station and the hospital" in \
        formats.unwrap_lines(text, pdf=True)


def test_empty_input_and_a_one_line_paywall() -> None:
    assert formats.markdown_to_text("") == "" and formats.unwrap_lines("") == ""
    with pytest.raises(InputError, match="no article text"):
        formats.parse_html("<html><body><p>Subscribe now.</p></body></html>", "x.html")
