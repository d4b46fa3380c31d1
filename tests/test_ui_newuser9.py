"""The UI as a ninth new user (a newsroom editor, /tmp/newuser9/report.md) met it:

* item 9: uploading a 40-article JSONL showed "0/1 articles" over the previous feed result, then "1 items
  · 1 added" beside a bar saying "8 articles" with no total, and "40/40" only at the end. The previous
  result goes at once, the dump's records are counted (``ui.progress``), and a burst of results is shown
  when it is over;
* item 10: at 800 px the Timeline's "Summarise each day with the LLM (local (Qwen2.5-Coder-1.5B))" was
  clipped at the page's edge;
* item 13: source cards and the remove picker named five BBC articles "009.txt" alike: a local file is
  named by its folder and name ("business/009.txt"), escaped.

Handlers and renderers are called directly (the fake embedder); the clipped label is measured in Debian
Chromium against a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import ui.chat
from index.collection import Collection
from index.types import ItemResult
from rag.api import RAG
from rag.settings import Settings
from rag.types import Answer, Citation, Passage
from tests.fakes import HashEmbedder
from tests.ui_helpers import chromium, serving, stage_upload
from ui import render
from ui.app import build_app
from ui.library import Library
from ui.progress import Expected, expected

STORY = "The {what} in Dunmarrow harbour was discussed by the council on Tuesday, day {i} of the month."


@pytest.fixture
def coll(settings: Settings, fake_embedder) -> Iterator[Collection]:  # noqa: ANN001
    with Collection.open(settings, embedder=fake_embedder) as c:
        yield c


class Progress:
    """Stands in for gr.Progress: records each call's (done, total) and words."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, dict]] = []

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.calls.append((args[0] if args else None, kwargs))


def _jsonl(path: Path, n: int) -> Path:
    path.write_text("\n".join(json.dumps({"title": f"Ferry story {i}", "url": f"https://news.example/ferry/{i}",
                                          "text": STORY.format(what="ferry", i=i)}) for i in range(n)),
                    encoding="utf-8")
    return path


def _summary(html: str) -> str:
    """The results' first line ("8/40 items · 8 added")."""
    return re.sub(r"<[^>]+>", "", html.split("</p>", 1)[0])


# --- item 9: the ingest's progress ------------------------------------------------------------------------
def test_a_dump_upload_is_counted_against_its_records_from_the_first_step(coll: Collection, tmp_path: Path) -> None:
    dump = _jsonl(tmp_path / "rtqa40.jsonl", 40)
    progress = Progress()
    steps = list(Library(coll).add([str(dump)], "", "", progress))
    first, *running, last = [s[0] for s in steps]
    # the first step replaces whatever the results showed before (a feed's poll): nothing of its rows
    assert "<tbody></tbody>" in first and "rtqa40.jsonl" in _summary(first), first
    assert _summary(steps[1][0]).startswith("0/40 items"), steps[1][0]
    # while it runs, every count has the dump's 40 records as its total (it was "0/1", then none)
    for html in running[1:]:
        assert re.match(r"\d+/40 items · ", _summary(html)), _summary(html)
    counted = [call for call, kw in progress.calls if kw.get("desc") != progress.calls[0][1]["desc"]]
    assert counted and all(isinstance(c, tuple) and c[1] == 40 for c in counted), progress.calls
    # (assertion widened when the page began saying how many were near-copies of a story already stored, as the
    # CLI does: new user 20; this dump's records include such copies)
    assert re.fullmatch(r"40/40 items · 40 added(?: \(\d+ grouped with a story already stored\))?", _summary(last)), \
        _summary(last)


def test_the_count_is_what_the_ingest_reports(coll: Collection, tmp_path: Path) -> None:
    """Blank lines, a broken line and an eval case read as the ingest reads them: 3 articles, 1 failure."""
    lines = [json.dumps({"title": f"Ferry {i}", "text": STORY.format(what="ferry", i=i)}) for i in range(3)]
    lines[1:1] = ["", "{not json", json.dumps({"question": "Who won?", "answer": "Ann", "article": "a.txt"})]
    dump = tmp_path / "mixed.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_text(STORY.format(what="bridge", i=1), encoding="utf-8")
    expect = expected([str(dump), str(story)], coll.settings, refused=1)
    assert expect == Expected(1 + 4 + 1, True)
    assert len(coll.ingest([str(dump), str(story)]).items) + 1 == expect.items


def test_a_url_makes_the_total_a_floor_and_says_so(coll: Collection, tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY.format(what="bridge", i=1), encoding="utf-8")
    expect = expected([str(story), "https://news.example/feed.xml"], coll.settings)
    assert expect == Expected(2, False) and expect.total(0) is None  # a feed is many items: no bar total
    assert expect.counted(0) == "0 of at least 2 items" and expect.counted(7) == "7 items so far"
    assert Expected(1, False).counted(0) == "0 of at least 1 item"  # never "0/1"
    assert Expected(40, True).total(41) is None  # more than counted (the file changed): no false total


def test_results_that_come_in_a_burst_are_shown_when_the_burst_is_over(coll: Collection, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    files = []
    for i in range(5):
        (f := tmp_path / f"s{i}.txt").write_text(STORY.format(what="pier", i=i), encoding="utf-8")
        files.append(f)
    gate = threading.Event()

    def ingest(inputs, *, progress, **kw):  # noqa: ANN001, ANN202 - three items at once, then a long batch
        for path in inputs[:3]:
            progress(ItemResult(path, "added", title=Path(path).stem, chunks=1))
        gate.wait(30)
        for path in inputs[3:]:
            progress(ItemResult(path, "added", title=Path(path).stem, chunks=1))
        return type("Report", (), {"notices": ()})()

    monkeypatch.setattr(coll, "ingest", ingest)
    steps = Library(coll).add([str(f) for f in files], "", "", Progress())
    opens = threading.Timer(5, gate.set)  # the next batch is done in 5 s
    opens.start()
    try:
        # the first result is shown at once, the two right after it once the burst is over: before
        # the next item comes (the list waited for it, showing "1/5" while three were stored)
        shown = []
        for step in steps:
            shown.append(_summary(step[0]))
            if shown[-1].startswith("3/5"):
                break
        assert not gate.is_set() and shown[-1] == "3/5 items · 3 added", shown
    finally:
        gate.set()
        opens.cancel()
    assert shown[0] == "0/5 items · working…"  # the first step: the old results gone
    assert _summary(list(steps)[-1][0]) == "5/5 items · 5 added"


class SlowEmbedder(HashEmbedder):
    """The hash embedder, a model batch taking 0.4 s: an ingest long enough to watch in the page."""

    def __call__(self, texts):  # noqa: ANN001, ANN204
        time.sleep(0.4)
        return super().__call__(texts)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_shows_the_new_ingest_with_its_total_under_its_bar(settings: Settings, tmp_path: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with Collection.open(settings, embedder=SlowEmbedder()) as c, serving(RAG(settings, collection=c, llm=None)) as url, \
            chromium() as browser:
        c.indexer.first_batch_chunks = c.indexer.batch_chunks = 4  # many small batches: a bar to watch
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(url + "/")
        pg.wait_for_selector("#rag-question textarea")
        pg.get_by_role("tab", name="Collection").click()
        # a result to replace: a line of the URL box that is no URL
        pg.fill("textarea[placeholder^='https://example.org/story.html']", "old-result-words")
        pg.click("#rag-add")
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('old-result-words')")
        pg.wait_for_function("!document.querySelector(\"textarea[placeholder^='https://example.org/story.html']\").value")
        dump = _jsonl(tmp_path / "rtqa40.jsonl", 40)
        stage_upload(pg, dump)
        pg.click("#rag-add")
        try:  # the results' own count (not the bar's words) while the bar is there
            pg.wait_for_function("""() => { const e = document.querySelector('#rag-ingest');
                const head = e.querySelector('.rag-ingest > p');
                return head && /^[1-9]\\d*\\/40 items · /.test(head.innerText)
                       && e.querySelector('.wrap.full:not(.hide) .progress-bar'); }""", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail("no count of 40 under way: " + pg.inner_text("#rag-ingest")[:300])
        shown = pg.evaluate("""() => { const e = document.querySelector('#rag-ingest');
            const bar = Math.max(...[...e.querySelectorAll('.wrap.full *')].map(n => n.getBoundingClientRect())
                                  .filter(r => r.height > 0).map(r => r.bottom));
            const head = e.querySelector('.rag-ingest > p');
            return {text: e.innerText, bar, head: head.getBoundingClientRect().top, summary: head.innerText}; }""")
        assert "old-result-words" not in shown["text"], shown  # the previous result went at once
        assert re.match(r"\d+/40 items · \d+ added", shown["summary"]), shown
        assert shown["head"] >= shown["bar"], shown  # the results' count below the bar, not under its words
        pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('40/40 items · 40 added')",
                             timeout=60_000)


# --- item 10: the Timeline's LLM checkbox -------------------------------------------------------------------
def test_the_summary_checkbox_names_the_model_once(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: "local (Qwen2.5-Coder-1.5B)")
    demo = build_app(RAG(coll.settings, collection=coll, llm=None))
    (box,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rag-tl-llm"]
    assert box.label == "Summarise each day with local (Qwen2.5-Coder-1.5B)"  # was "the LLM (local (...))"


@pytest.mark.browser
@pytest.mark.slow
def test_the_summary_checkbox_fits_its_box_at_800_px(coll: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui.chat, "local_model_label", lambda rag: "local (Qwen2.5-Coder-1.5B)")
    with serving(RAG(coll.settings, collection=coll, llm=None)) as url, chromium() as browser:
        for width in (800, 1400):
            pg = browser.new_page(viewport={"width": width, "height": 900})
            pg.goto(url + "/")
            pg.wait_for_selector("#rag-question textarea")
            pg.get_by_role("tab", name="Timeline").click()
            pg.wait_for_selector("#rag-tl-llm .label-text")
            # every piece of its text inside the checkbox's box, and the box inside the page's column
            # (at 800 px the label ran 16 px past both: "Summari", "(loca")
            out = pg.evaluate("""() => {
              const box = document.querySelector('#rag-tl-llm'), b = box.getBoundingClientRect();
              const col = box.closest('.tabitem').getBoundingClientRect();
              const texts = [...box.querySelectorAll('.label-text, .info-text')].map(e => {
                const r = e.getBoundingClientRect();
                return [e.textContent.trim(), r.left >= b.left - 1 && r.right <= b.right + 1, e.scrollWidth <= e.clientWidth];
              });
              return {texts, inColumn: b.right <= col.right + 1, width: b.width};
            }""")
            assert out["inColumn"] and out["width"] >= 150, (width, out)
            assert [t for t, *_ in out["texts"]][0] == "Summarise each day with local (Qwen2.5-Coder-1.5B)"
            assert all(inside and fits for _, inside, fits in out["texts"]), (width, out)
            pg.close()


# --- item 13: files of the same name in different folders --------------------------------------------------
def test_a_local_file_is_named_by_its_folder_and_name() -> None:
    assert render.source_text("/srv/bbc/business/009.txt") == "business/009.txt"
    assert render.source_text("/srv/bbc/politics/009.txt") == "politics/009.txt"
    assert render.source_text("/srv/dumps/rtqa.jsonl#12") == "dumps/rtqa.jsonl#12"
    assert render.source_text("/home/rag/uploads/report.pdf") == "report.pdf"  # an upload: as uploaded
    assert render.source_text("009.txt") == "009.txt"
    url = "https://www.bbc.co.uk/news/business/009"
    assert render.source_text(url) == "www.bbc.co.uk/news/business/009"  # URLs as before
    assert render.source_link(url).startswith(f'<a href="{url}"')
    # a folder's name is the file system's, not ours: escaped
    odd = '/srv/<img src=x onerror="alert(1)">/009.txt'
    html = render.source_link(odd)
    assert "<img" not in html and '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;/009.txt' in html, html


def test_source_cards_tell_files_of_one_name_apart() -> None:
    passages = tuple(Passage(n, f"a{n}:v:0", f"a{n}", f"Story {n}", f"/srv/bbc/{desk}/009.txt", None, 0.5,
                             "Profits rose.", 0, 13) for n, desk in enumerate(("business", "politics"), 1))
    cites = (Citation(1, "a1", "Story 1", passages[0].source, None, "Profits rose.", 0, 13),)
    html = render.sources_html(Answer("Q?", "Profits rose. [1]", False, cites, passages, {}), 0)
    assert "business/009.txt" in html and "politics/009.txt" in html and "/srv" not in html and "bbc/" not in html


def test_the_remove_picker_tells_files_of_one_name_apart(coll: Collection, tmp_path: Path) -> None:
    desks = ("business", "politics", "tech")
    for desk in desks:
        (tmp_path / "bbc" / desk).mkdir(parents=True)
        (tmp_path / "bbc" / desk / "009.txt").write_text(STORY.format(what=desk + " desk", i=9), encoding="utf-8")
    assert coll.ingest([str(tmp_path / "bbc")]).count("added") == 3
    lib = Library(coll)
    labels = [label for label, _ in lib.listing("")[1]["choices"]]
    assert sorted(d for d in desks for label in labels if f" — {d}/009.txt · " in label) == sorted(desks), labels
    assert not any(str(tmp_path) in label or "bbc/" in label for label in labels)  # one folder, no more
    (aid,) = [a.id for a in coll.db.list_articles() if a.source.endswith("politics/009.txt")]
    assert lib.targets("politics/009.txt") == ([aid], "politics/009.txt")  # typed as the picker shows it
    assert "Remove 1 article from politics/009.txt" in lib.confirm_remove("politics/009.txt")[0]
    assert len(lib.targets("009.txt")[0]) == 3  # the bare name still finds them (and the question says 3)
