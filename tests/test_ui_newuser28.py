"""The UI as a twenty-eighth new user (a UI-first news editor who uploaded 163 messy files) met it:

* item 1: the Collection tab's article list showed no story groups (near-copies grouped at ingest, which
  `rag list` shows in its story column): each grouped article names its story and the other versions;
* item 2: the Timeline left out the stories about its topic whose articles carry no date without a word:
  it says how many, which, and how to give them a date;
* item 3: an upload named ``<b>bold</b> story.txt`` was listed as "bboldb story.txt" (Gradio sanitises
  the name of its copy): the user's name is kept (``FileData.orig_name``), escaped on the page, and
  stored under ``uploads/`` as a name that can only name a file there;
* item 4: the ingest's progress and results sit right under Add (they were under the watched-feeds
  block; the browser half is in tests/test_ui_newuser28_browser.py).

Handlers and renderers are called directly over a small real collection (the fake embedder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import gradio as gr
import pytest
from gradio.data_classes import FileData, ListFiles
from gradio_client.utils import strip_invalid_filename_characters

from index.collection import Collection
from index.types import Article
from rag.api import RAG
from rag.settings import Settings
from ui import render
from ui.app import build_app
from ui.library import Library
from ui.timeline import Timeline
from ui.uploads import without_temp_leak
from tests.test_ui_timeline import CLOSES  # the Timeline tests' story of the harbour

DATED = [
    Article(source="https://coast.example/zembla-closes", title="Zembla harbour closes", text=CLOSES,
            published=date(2024, 11, 26)),
    # the same story from another outlet: grouped with the one above at ingest
    Article(source="https://wire.example/zembla", title="Storm <i>shuts</i> Zembla port", text="ZEMBLA (Wire) - " + CLOSES,
            published=date(2024, 11, 27)),
    Article(source="https://coast.example/zembla-reopens", title="Zembla harbour reopens",
            text="The harbour of Zembla reopened on Sunday, five days after the storm. The first ferry arrived "
                 "at noon.", published=date(2024, 12, 1)),
    Article(source="https://sport.example/cup", title="Football results",
            text="The home team won the cup final on Saturday with two late goals.", published=date(2024, 11, 30)),
]
UNDATED = [  # about the topic, stored without a date (a folder of plain text files with no date line)
    Article(source="/srv/in/<b>wreck</b>.txt", title="Zembla harbour <i>divers</i> find wreck",
            text="Divers working in the Zembla harbour found the wreck of an old trawler under the pier. "
                 "The council will decide what to do with it."),
    Article(source="/srv/in/fees.txt", title="Zembla harbour fees rise",
            text="Mooring fees in the Zembla harbour will rise next year, the harbour master said."),
    # an undated copy of a story the timeline tells by its dated versions: on the timeline already
    Article(source="/srv/in/closes-copy.txt", title="Zembla harbour shut (copy)", text="COPY - " + CLOSES),
]
AS_OF = "2024-12-01"


class Progress:
    """Stands in for gr.Progress."""

    def __call__(self, *args: object, **kwargs: object) -> None:
        pass


@pytest.fixture
def coll(settings: Settings, fake_embedder) -> Iterator[Collection]:  # noqa: ANN001
    with Collection.open(settings, embedder=fake_embedder) as c:
        yield c


# --- item 1: story groups in the article list -----------------------------------------------------------
def test_the_article_list_shows_each_story_group_with_its_other_versions(coll: Collection) -> None:
    report = coll.ingest_articles(DATED)
    assert report.summary()["grouped"] == 1, report.summary()
    # an exact copy at another address: one more source of its article ("+1 more" in `rag list`)
    copy = Article(source="https://mirror.example/zembla-reopens", title="Zembla harbour reopens",
                   text=DATED[2].text, published=date(2024, 12, 1))
    assert coll.ingest_articles([copy]).summary()["duplicate"] == 1
    arts = {a.title: a for a in coll.db.list_articles()}
    closes, shuts = arts["Zembla harbour closes"], arts["Storm <i>shuts</i> Zembla port"]
    assert closes.story_id == shuts.story_id and closes.story_size == 2  # what `rag list` shows as "x2"

    html, _ = Library(coll).listing()

    def row(title: str) -> str:  # an article's row, by the title it starts with
        (found,) = [r for r in html.split("<tr>") if r.startswith(f"<td class='rag-fit'>") and
                    re.search(r"<td class='rag-text'>" + re.escape(title), r)]
        return found

    row_closes, row_shuts = row("Zembla harbour closes"), row("Storm &lt;i&gt;shuts")
    story = f"story <code>{closes.story_id[:8]}</code>: 2 versions"  # the id `rag list`'s story column shows
    assert story in row_closes and story in row_shuts
    # each names the other version (title escaped, its source, its date), never itself
    assert "also: “Storm &lt;i&gt;shuts&lt;/i&gt; Zembla port”" in row_closes and "wire.example/zembla" in row_closes
    assert "2024-11-27" in row_closes
    assert "also: “Zembla harbour closes”" in row_shuts and "coast.example/zembla-closes</a> · 2024-11-26" in row_shuts
    # an article alone in its story has no story line; one with an exact copy says "+1 more", as `rag list` does
    assert "rag-story" not in row("Football")
    reopens = row("Zembla harbour reopens")
    assert "rag-story" not in reopens and "+1 more" in reopens
    assert "<i>" not in html


# --- item 2: the Timeline's undated stories -------------------------------------------------------------
def test_the_timeline_says_which_stories_it_leaves_out_for_want_of_a_date(coll: Collection) -> None:
    assert coll.ingest_articles(DATED + UNDATED).summary()["added"] == len(DATED + UNDATED)
    steps = list(Timeline(RAG(coll.settings, collection=coll, llm=None)).run(
        "Zembla harbour", "7d", "", "", False, AS_OF))
    html = steps[-1]
    # the dated events are listed as before ...
    assert re.findall(r'<time datetime="([\d-]+)">', html) == ["2024-11-26", "2024-12-01"]
    # ... and the undated stories about the topic are said: how many, which, and how to date them
    notice = re.search(r'<div class="rag-notice rag-undated">.*?</div>', html, re.S)
    assert notice, html
    said = notice.group(0)
    assert "2 stories about “Zembla harbour” are not on this timeline" in said and "no publication date" in said
    assert "“Zembla harbour &lt;i&gt;divers&lt;/i&gt; find wreck”" in said and "&lt;b&gt;wreck&lt;/b&gt;.txt" in said
    assert "“Zembla harbour fees rise”" in said
    assert "<code>date YYYY-MM-DD</code>" in said and "Chat tab" in said
    # the undated copy of a story the timeline tells is not "left out"
    assert "(copy)" not in said
    assert "<i>" not in html and "<b>wreck" not in html
    # the events come first, at once; the undated stories join them when read
    assert "rag-undated" not in steps[-2] and "<time" in steps[-2]


def test_an_empty_period_names_the_undated_stories_and_how_to_date_them(coll: Collection) -> None:
    assert coll.ingest_articles([DATED[3], *UNDATED[:2]]).summary()["added"] == 3  # no dated Zembla story
    html = list(Timeline(RAG(coll.settings, collection=coll, llm=None)).run(
        "Zembla harbour", "7d", "", "", False, AS_OF))[-1]
    # the brief's own count, as before, then which they are and how to give them a date
    assert "2 articles about “Zembla harbour” carry no publication date" in html and "Chat tab" in html
    assert "“Zembla harbour fees rise”" in html and "<code>date YYYY-MM-DD</code>" in html
    assert "<time" not in html


# --- item 3: an upload keeps the name the user gave it --------------------------------------------------
def _uploaded(tmp_path: Path, names: list[str]) -> list[object]:
    """The upload box's value for files of these names, as Gradio hands it to the handler: each file in
    Gradio's folder under the name Gradio gives its copy (stripped of ``<>:"|?*``...), the user's name
    in ``orig_name``."""
    box = without_temp_leak(gr.File(file_count="multiple", type="filepath"))
    data = []
    for i, name in enumerate(names):
        sanitised = strip_invalid_filename_characters(Path(name).name)  # as gradio.route_utils names its copy
        copy = tmp_path / "gradio" / str(i) / (sanitised if sanitised not in (".", "..") else "file.txt")
        copy.parent.mkdir(parents=True)
        copy.write_text(f"Dunmarrow ferry {i}\n\nThe Dunmarrow ferry sailed on day {i} of the month.\n")
        data.append(FileData(path=str(copy), orig_name=name))
    return box.preprocess(ListFiles(root=data))


def test_an_upload_is_listed_and_stored_under_the_name_the_user_gave_it(coll: Collection, tmp_path: Path) -> None:
    bold, odd = "<b>bold</b> story.txt", 'why? "now" | a:b <i>.txt'
    lib = Library(coll)
    steps = list(lib.add(_uploaded(tmp_path, [bold, odd]), "", "", progress=Progress()))
    results, articles, _ = steps[-1]
    assert "2/2 items · 2 added" in results
    # the results name each file as the user did (escaped), not as Gradio's copy ("bboldb story.txt")
    assert "&lt;b&gt;bold&lt;/b&gt; story.txt" in results
    assert "why? &quot;now&quot; | a:b &lt;i&gt;.txt" in results
    # stored under uploads/ with the user's name; a "/" (no file name can hold one) replaced, and said
    uploads = coll.settings.home / render.UPLOADS
    assert sorted(p.name for p in uploads.iterdir()) == sorted(["<b>bold<_b> story.txt", odd])
    assert "is stored as “&lt;b&gt;bold&lt;_b&gt; story.txt”" in results
    # the collection names the file as the page's results do, and as `rag list` names the stored file
    assert "why? &quot;now&quot; | a:b &lt;i&gt;.txt" in articles
    assert sorted(render.file_name(a.source) for a in coll.db.list_articles()) == sorted(p.name for p in uploads.iterdir())
    assert "<b>" not in results + articles and "<i>" not in results + articles


def test_a_given_name_cannot_reach_outside_the_uploads_folder(coll: Collection, tmp_path: Path) -> None:
    names = ["../../escape <i>.txt", "..", "line\nbreak <x>.txt", "C:\\fakepath\\win <y>.txt"]
    steps = list(Library(coll).add(_uploaded(tmp_path, names), "", "", progress=Progress()))
    uploads = coll.settings.home / render.UPLOADS
    stored = sorted(p.name for p in uploads.iterdir())
    # every copy is a file of uploads/ itself, named as given with separators and control characters replaced;
    # ".." names no file: Gradio's name for its copy instead
    assert stored == sorted([".._.._escape <i>.txt", "file.txt", "line_break <x>.txt", "C:_fakepath_win <y>.txt"]), stored
    assert all((uploads / n).resolve().parent == uploads.resolve() for n in stored)
    assert not list(coll.settings.home.parent.glob("escape*")) and not list(tmp_path.glob("escape*"))
    assert "4/4 items" in steps[-1][0]
    from ui.uploads import stored_name  # (imported here: the tests above run on a ui.uploads without it)

    assert stored_name("..", "fallback.txt") == "fallback.txt" and stored_name(".replaced", "r.txt") == "r.txt"


# --- item 4: the ingest's progress right under Add ------------------------------------------------------
def _ids(node: dict, blocks: dict[int, dict]) -> Iterator[str]:
    """The elem_ids of the page's layout, in the order the page shows them."""
    elem = blocks.get(node["id"], {}).get("props", {}).get("elem_id")
    if elem:
        yield elem
    for child in node.get("children", ()):
        yield from _ids(child, blocks)


def test_the_results_and_their_progress_sit_right_under_add(coll: Collection) -> None:
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    config = demo.get_config_file()
    blocks = {c["id"]: c for c in config["components"]}
    order = list(_ids(config["layout"], blocks))
    column = order[order.index("rag-upload"): order.index("rag-feeds-box") + 1]
    # upload box, Add, then at once the results Gradio draws the progress over; the feeds block after them
    assert [e for e in column if e in ("rag-upload", "rag-add", "rag-ingest", "rag-feeds-box")] == \
        ["rag-upload", "rag-add", "rag-ingest", "rag-feeds-box"], column
    assert column.index("rag-ingest") == column.index("rag-add") + 1, column
    # the list of chosen files scrolls inside a box of bounded height, not down the page
    (upload,) = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "rag-upload"]
    assert upload["props"]["height"] and upload["props"]["height"] <= 400
