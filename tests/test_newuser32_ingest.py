"""Ingest defects new user 32 found (report sections 8 and 9).

8. A byline ``<p class="byline">Published <time ...>2023-05-15</time></p>`` made "Published" the article's
   author (in `rag list`, every citation, --json, REST, MCP). A label ("Published", "Updated", "By") or a
   date alone is no name: the author stays empty, or is the name after the label ("Published by Jane Smith").
   Front matter of a .md (``author: Published``, ``byline: By Jane Smith``) is read by the same rule.
9. A truncated HTML file (``<p>Only a fragment of a sto``, 6 words) was stored as an article without a
   word. A page of few words whose last sentence stops midway is now refused, naming the file and saying
   what to do; a short brief whose sentences end is kept.

The items go through the real ingest path: `rag ingest` in-process (CliRunner) on a real store with the
HashEmbedder standing in for the model, and `rag list --json`, as tests/test_cli_newuser3.py does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index import formats
from index.formats.clean import clean_author
from index.formats.prose import CUT_SHORT_WORDS
from index.types import Article, LoadFailure
from rag.cli import app
from rag.errors import InputError
from rag.settings import Settings
from tests.test_cli_newuser3 import env  # noqa: F401 - the fixture: `rag` in-process on a HashEmbedder store
from tests.test_load import run as load, write

BODY = ("<p>Bobi, a Rafeiro do Alentejo from Portugal, is 31 years old, Guinness World Records said on Monday.</p>"
        "<p>He lives with his family in the village of Conqueiros and has never been on a lead.</p>")


def page(title: str, byline: str, body: str = BODY, head: str = "") -> str:
    return (f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
            f'<p class="byline">{byline}</p>{body}</article></body></html>')


def rag(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def listed() -> dict[str, str | None]:
    res = rag("list", "--json", "--limit", "100")
    assert res.exit_code == 0, res.output
    return {a["title"]: a["author"] for a in json.loads(res.stdout)["articles"]}


# --- 8. a byline's label is no author --------------------------------------------------------------------------

BYLINES = {  # title -> (the byline's HTML, the author stored)
    "Bobi is the oldest dog": ('Published <time datetime="2023-05-15">2023-05-15</time>', None),  # the report's
    "Bobi turns 31": ('Updated <time datetime="2023-05-15">15 May 2023</time>', None),
    "Bobi celebrates": ("Last updated 15 May 2023", None),
    "Bobi has a party": ("Posted", None),
    "Bobi eats well": ("By Jane Smith", "Jane Smith"),
    "Bobi walks free": ("Published by Jane Smith", "Jane Smith"),
    "Bobi in Conqueiros": ("Written by Jo Reid", "Jo Reid"),
    "Bobi breaks record": ("Published 15 May 2023 by Ann Lee", "Ann Lee"),  # the name trafilatura loses
    "Bobi meets vets": ('By Kim Lee | Published <time datetime="2023-05-15">2023-05-15</time>', "Kim Lee"),
}


def test_a_byline_label_is_not_stored_as_the_author_and_a_name_after_it_is(env: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    for i, (title, (byline, _)) in enumerate(BYLINES.items()):
        write(folder / f"p{i}.html", page(title, byline))
    # a control: the <meta name="author"> of a page whose byline is a label only
    write(folder / "meta.html", page("Bobi goes home", "Published", head='<meta name="author" content="Maria Lopez">'))
    res = rag("ingest", str(folder))
    assert res.exit_code == 0, res.output
    authors = listed()
    assert authors == {**{t: a for t, (_, a) in BYLINES.items()}, "Bobi goes home": "Maria Lopez"}
    assert "Published" not in res.stdout + json.dumps(authors)


def test_the_reports_page_keeps_its_date_and_loses_the_label(tmp_path: Path) -> None:
    [a] = load(tmp_path, write(tmp_path / "bobi.html", page("Bobi", BYLINES["Bobi is the oldest dog"][0])))
    assert isinstance(a, Article) and (a.author, a.published.isoformat()) == (None, "2023-05-15")


def test_a_dumps_byline_field_is_read_by_the_same_rule(tmp_path: Path) -> None:
    text = "The council voted on Monday to raise rents by five percent from next spring, officials said."
    records = [{"title": f"Rents {i}", "text": text, "byline": byline} for i, byline in
               enumerate(["Published", "By Jane Smith", "Sam Patel", "Updated 2024-10-15"])]
    dump = write(tmp_path / "news.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    got = {a.title: a.author for a in load(tmp_path, dump) if isinstance(a, Article)}
    assert got == {"Rents 0": None, "Rents 1": "Jane Smith", "Rents 2": "Sam Patel", "Rents 3": None}


def test_front_matter_author_labels_go_too(tmp_path: Path) -> None:
    text = "The council voted on Monday to raise rents by five percent from next spring, officials said."
    files = {"a.md": ("author: Published", None), "b.md": ("byline: By Jane Smith", "Jane Smith"),
             "c.md": ("author: Sam Patel", "Sam Patel"), "d.md": ("author: Updated 2024-10-15", None),
             "e.md": ("author: Theresa May", "Theresa May")}
    paths = [write(tmp_path / name, f"---\ntitle: Rents {name}\n{line}\n---\n{text}\n")
             for name, (line, _) in files.items()]
    got = {Path(a.source).name: a.author for a in load(tmp_path, *paths) if isinstance(a, Article)}
    assert got == {name: author for name, (_, author) in files.items()}


@pytest.mark.parametrize("value, name", [
    ("Published", None), ("Updated", None), ("Posted", None), ("By", None), ("Last updated", None),
    ("Written by", None), ("2023-05-15", None), ("May 15, 2023", None), ("Published May", None),
    ("3 hours ago", None), ("Wed 17 May 2023 06.00 EDT", None), ("", None), (None, None),
    ("By Jane Smith", "Jane Smith"), ("Published by Jane Smith", "Jane Smith"), ("Jane Smith ·", "Jane Smith"),
    ("Jane Smith; Published", "Jane Smith"), ("Jane Smith; John Doe", "Jane Smith; John Doe"),
    ("Author: Sam Patel", "Sam Patel"), ("Jane Smith, May 15, 2023", "Jane Smith"),
    # names that hold a label's or a date's letters stay names
    ("Theresa May", "Theresa May"), ("Janet Marcus", "Janet Marcus"), ("Byron Bay", "Byron Bay"),
    ("Sunil Monday", "Sunil Monday"), ("Reuters", "Reuters"), ("Staff reporter", "Staff reporter"),
    ("Jo Reid & Ann Lee", "Jo Reid & Ann Lee"),
])
def test_clean_author(value: str | None, name: str | None) -> None:
    assert clean_author(value) == name


# --- 9. a page cut short is refused -------------------------------------------------------------------------------

BROKEN = "<html><head><title>Broken page</title></head><body><div><p>Only a fragment of a sto"
NAV_ONLY = "<html><body><nav><a href='/'>Home</a><a href='/a'>World</a></nav><p>Accept cookies</p></body></html>"
BRIEFS = {  # short real articles: kept
    "brief2.html": "<p>Police closed the bridge on Monday. It reopened at noon.</p>",  # 10 words, 2 sentences
    "brief1.html": "<p>Two people were hurt when a lorry overturned on the A9 near Perth.</p>",
    "tiny.html": "<p>Just one line of text here.</p>",  # tests/test_load.py's tiny page
    "quote.html": '<p>The mayor said the library "will reopen in May."</p>',
}


def test_a_truncated_page_is_refused_naming_the_file_and_briefs_are_kept(env: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    write(folder / "broken.html", BROKEN)
    write(folder / "nav-only.html", NAV_ONLY)
    for name, body in BRIEFS.items():
        write(folder / name, f"<html><head><title>Brief {name}</title></head><body>{body}</body></html>")
    res = rag("ingest", str(folder))
    assert res.exit_code == 1, res.output  # a failed item: exit 1, as for any bad item
    said = " ".join(res.output.split())
    assert (f"failed {folder / 'broken.html'}: has too little article text (6 words, ending mid-sentence: "
            '"Only a fragment of a sto"); is the page complete? If it was cut short, save the whole page again, '
            "or save the article as text or PDF and add that") in said
    assert f"failed {folder / 'nav-only.html'}: no article text: the page holds only navigation" in said  # as before
    assert sorted(listed()) == sorted(f"Brief {name}" for name in BRIEFS)


def test_a_page_fetched_cut_short_says_to_fetch_it_again() -> None:
    with pytest.raises(InputError, match="ending mid-sentence.*If it was cut short, ingest it again later"):
        formats.parse_html(BROKEN, "https://news.example/a", url="https://news.example/a")


def test_a_long_unfinished_page_and_a_short_finished_one_are_kept(tmp_path: Path) -> None:
    words = " ".join(["word"] * CUT_SHORT_WORDS)  # enough words: a page cut late is still most of an article
    long_cut = write(tmp_path / "long.html", f"<html><head><title>Long</title></head><body><p>The {words} and th")
    short_done = write(tmp_path / "short.html",
                       "<html><head><title>Short</title></head><body><p>Oats rose sharply at the market today.")
    got = load(tmp_path, long_cut, short_done)
    assert all(isinstance(a, Article) for a in got), got


def test_a_truncated_text_file_is_not_refused_by_the_page_rule(tmp_path: Path) -> None:
    """The rule is the HTML loader's (a download or a save cut short); a .txt is read as before."""
    [a] = load(tmp_path, write(tmp_path / "cut.txt", "Only a fragment of a sto"))
    assert isinstance(a, Article) and not isinstance(a, LoadFailure)
