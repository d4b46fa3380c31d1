"""Who a message is worded for, and what the CLI leaves behind on a fresh RAG_HOME:

1. The library worded its hints for the CLI (`rag ingest --allow-shrink ...`, "ingest again with
   --prune", `rag ingest PATH_OR_URL` and "the UI's Collection tab" for an empty collection, `rag ask`
   for an undated one), and REST and the UI showed them as they were. The library says what happened
   in words for no surface (``said``, ``rag.notices.EMPTY``, ``rag.brief.EMPTY``/``UNDATED``) and in
   a word (``ItemResult.code``); the CLI, REST and the UI each add their own way on.
2. `rag reindex`, `rag watch --list` and `rag watch --remove` on a fresh RAG_HOME created the store
   (or the watch state) to find nothing: they say so and create nothing.
3. `rag watch`'s and `rag serve`'s messages (and reindex's, and an ingest's notes) were cut at 80
   columns in a pipe: one whole line each, as every message `say` prints.
4. `rag brief` showed each event's whole first line bold, not only its date (``print_hanging``).
5. POST /v1/articles (``Writer.ingest``) listed refused files and URLs first, out of the order sent.
"""

from __future__ import annotations

import io
import json
import re
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

import index.collection
import rag.cli.output
from index.collection import Collection
from index.types import IngestReport, ItemResult
from rag.cli import app
from rag.cli.empty import EMPTY as CLI_EMPTY
from rag.errors import StoreError
from rag.settings import Settings
from tests.corpus import article_text, write_corpus
from tests.fakes import HashEmbedder

SURFACE_WORDS = re.compile(r"`|\brag (?:ingest|remove|ask|reindex)\b|--(?:allow-shrink|prune)\b|Collection tab")
STUB = "Page not found\n\nSorry, the page you were looking for does not exist or has moved. Error 404."


def long_text(i: int = 1) -> str:
    title, body = article_text(i, sentences=50)  # ~600 words
    return f"{title}\n\n{body}\n"


@pytest.fixture
def coll(settings: Settings, fake_embedder: HashEmbedder) -> Iterator[Collection]:
    with Collection.open(settings, embedder=fake_embedder) as c:
        yield c


from tests.test_cli_newuser3 import env  # noqa: E402, F401 - the CLI's environment over a tmp home (a fixture)


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def shrunk(coll: Collection, tmp_path: Path) -> ItemResult:
    """The failure of a file overwritten by an error page, whose stored version is kept."""
    f = tmp_path / "news" / "with spaces.txt"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(long_text(), encoding="utf-8")
    assert coll.ingest([str(f)]).summary()["added"] == 1
    f.write_text(STUB, encoding="utf-8")
    [item] = coll.ingest([str(f)]).items
    assert isinstance(item, ItemResult) and item.code == "shrunk", item  # was a Refused: a coded refusal
    return item


# --- 1. the library says what happened; each surface says what to do --------------------------------------

def test_a_shrunk_article_is_refused_with_a_code_and_neutral_words(coll: Collection, tmp_path: Path) -> None:
    item = shrunk(coll, tmp_path)
    source = str((tmp_path / "news" / "with spaces.txt").resolve())
    assert (item.status, item.code, item.item, item.given) == ("failed", "shrunk", source, source)
    assert item.article_id == coll.db.by_source(source).id  # the stored article, kept
    assert re.match(r"the new version holds \d+ words against \d+ stored \(a paywall, error or cookie page\?\); "
                    r"the stored version is kept$", item.said), item.said
    assert not SURFACE_WORDS.search(item.said)


def test_a_shrunk_record_of_a_dump_is_ingested_again_by_its_dump(coll: Collection, tmp_path: Path) -> None:
    dump = tmp_path / "news.jsonl"
    record = {"title": "Harbour reopens", "text": long_text().split("\n\n", 1)[1]}
    dump.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert coll.ingest([str(dump)]).summary()["added"] == 1
    dump.write_text(json.dumps(record | {"text": STUB}) + "\n", encoding="utf-8")
    [item] = coll.ingest([str(dump)]).items
    assert isinstance(item, ItemResult) and item.code == "shrunk"
    assert item.item.startswith(f"{dump.resolve()}#") and item.given == str(dump.resolve())


def test_each_surface_words_its_own_way_to_replace_a_shrunk_article(coll: Collection, tmp_path: Path) -> None:
    from rag.cli.ingest import ingest_reason
    from rag.service import report_dict
    from ui.render import ingest_html

    item = shrunk(coll, tmp_path)
    source = item.item
    cli = ingest_reason(item)
    assert cli == (f"{item.said}; to replace it anyway: `rag ingest --allow-shrink '{source}'`, "
                   f"or `rag remove '{source}'` and ingest it again")
    [rest] = report_dict(IngestReport((item,), 0.1))["items"]
    assert rest["reason"] == (f"{item.said}; to replace it anyway: DELETE /v1/articles/{item.article_id}, "
                              "then send it again")
    assert set(rest) == {"item", "status", "article_id", "title", "chunks", "reason"}  # the shape it always had
    page = ingest_html([item])
    assert "Remove an article" in page and "rag ingest" not in page and "allow-shrink" not in page


def test_the_cli_report_names_its_commands_for_a_shrunk_article(env: Settings, tmp_path: Path) -> None:
    f = tmp_path / "story.txt"
    f.write_text(long_text(), encoding="utf-8")
    assert run("ingest", str(f)).exit_code == 0
    f.write_text(STUB, encoding="utf-8")
    res = run("ingest", str(f))
    assert res.exit_code == 1
    assert f"or `rag remove {f.resolve()}` and ingest it again" in " ".join(res.stderr.split())
    assert f"`rag ingest --allow-shrink {f.resolve()}`" in " ".join(res.stderr.split())


def test_prune_after_a_store_failure_says_so_without_naming_a_flag(coll: Collection, tmp_path: Path) -> None:
    from rag.cli.ingest import ingest_reason

    write_corpus(tmp_path / "news", 2)
    coll.indexer._store_failure = StoreError("the Chroma server at http://127.0.0.1:9 is down")  # noqa: SLF001
    [item] = coll.indexer._prune([str(tmp_path / "news")], set())  # noqa: SLF001
    assert isinstance(item, ItemResult) and (item.item, item.status, item.code) == ("--prune", "failed", "prune_skipped")
    assert item.reason == item.said == ("skipped: the vector store failed (the Chroma server at http://127.0.0.1:9 "
                                        "is down), so nothing was removed")
    assert ingest_reason(item) == f"{item.said}; run the same `rag ingest --prune` again once the vector store answers"


def test_an_empty_collection_is_said_for_no_surface_and_each_words_how_to_add(
        coll: Collection, env: Settings) -> None:
    from rag.cli.empty import worded
    from rag.notices import EMPTY
    from ui.render import EMPTY_COLLECTION, page_text

    assert coll.health() == [EMPTY] and not SURFACE_WORDS.search(EMPTY)
    assert worded(EMPTY) == CLI_EMPTY  # the CLI: `rag ingest PATH_OR_URL`
    assert page_text(EMPTY) == page_text(EMPTY_COLLECTION)  # the page: its Collection tab
    coll.close()
    # an existing, empty collection: `rag ask` and `rag stats` word it as the CLI does for a fresh home
    res = run("ask", "--json", "--offline", "Which town did the rebels capture?")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notices"] == [CLI_EMPTY]
    res = run("stats")
    assert res.exit_code == 0 and f"warning: {CLI_EMPTY}" in res.stderr.splitlines(), res.stderr


def test_a_brief_says_empty_and_undated_for_no_surface_and_each_words_them() -> None:
    from rag import brief
    from rag.cli.brief import BRIEF_EMPTY, UNDATED, brief_notice
    from ui import render

    for said in (brief.EMPTY, brief.UNDATED):
        assert not re.search(r"\brag \w+|Collection tab|Chat tab", said), said
    assert brief_notice(brief.EMPTY) == BRIEF_EMPTY == f"The {CLI_EMPTY[4:]}."
    assert brief_notice(brief.UNDATED) == UNDATED and "`rag ask`" in UNDATED
    assert brief_notice("No article is dated in that period.") == "No article is dated in that period."
    assert render.page_text(brief.UNDATED) == render.UNDATED and "Chat tab" in render.UNDATED
    assert render.page_text(brief.EMPTY) == render.esc(render.EMPTY_COLLECTION)


def test_a_brief_of_an_empty_collection_names_the_cli_command(coll: Collection, env: Settings) -> None:
    coll.close()  # exists, holds nothing: the library's notice, in the CLI's words
    res = run("brief", "--json", "Aleppo", "--since", "2024-11-01", "--until", "2024-11-30")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notice"] == f"The {CLI_EMPTY[4:]}."


# --- 2. writing commands that need stored data create nothing on a fresh RAG_HOME ------------------------

def test_reindex_on_a_fresh_home_says_the_collection_is_empty_and_creates_nothing(
        env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(_settings: object) -> None:
        raise AssertionError("the embedding model was loaded to reindex nothing")

    monkeypatch.setattr(index.collection, "make_embedder", no_model)
    res = run("reindex")
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [f"note: nothing to reindex; {CLI_EMPTY}"]
    assert not env.home.exists()


@pytest.mark.parametrize("args", [["--list"], ["--list", "--json"], ["--remove", "https://example.org/feed.xml"],
                                  ["--once"]])
def test_watch_on_a_fresh_home_creates_nothing(args: list[str], env: Settings) -> None:
    res = run("watch", *args)
    assert not env.home.exists(), res.output
    if args == ["--list", "--json"]:
        assert res.exit_code == 0 and json.loads(res.stdout) == []
    elif args == ["--list"]:
        assert res.exit_code == 0 and "no feeds are watched" in res.stderr
    elif args[0] == "--remove":
        assert res.exit_code == 1 and "not watched: https://example.org/feed.xml" in res.stderr
    else:
        assert res.exit_code == 2 and "no feeds are watched yet" in res.stderr


# --- 3. messages are whole lines in a pipe ------------------------------------------------------------------

LONG_URL = "https://news.example.org/" + "/".join(f"section-{i}" for i in range(12)) + "/feed.xml"


def test_watch_messages_are_whole_lines_in_a_pipe(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.watch import open_state

    monkeypatch.setattr(rag.cli.output.console, "_width", 40)
    with open_state(env) as state:
        state.add(LONG_URL)
    res = run("watch", "--remove", LONG_URL, "--remove", LONG_URL + "2")
    assert res.exit_code == 1, res.output
    assert res.stderr.splitlines() == [
        f"stopped watching {LONG_URL} (its articles stay; `rag remove` removes them)",
        f"not watched: {LONG_URL}2 (see `rag watch --list`)"]


class _State:
    """``index.watch.WatchState`` as ``rag watch`` uses it: one feed, never read."""

    def urls(self) -> list[str]:
        return [LONG_URL]

    def add(self, url: str) -> str:
        return url

    def ever_read(self, _url: str) -> bool:
        return False

    def close(self) -> None:
        pass


def test_a_poll_says_each_item_and_feed_in_whole_lines_in_a_pipe(env: Settings,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import index.watch
    from index.watch import PollResult

    reason = "the page took longer than RAG_FETCH_TIMEOUT (20 s) to answer; it is tried again next round"

    class Polls:
        def __init__(self, _coll: object) -> None:
            self.state = _State()

        def poll_all(self, _urls: object, *, progress, on_result, stop) -> None:  # noqa: ANN001
            progress(ItemResult(LONG_URL + "/a", "failed", title="A title long enough to pass forty columns",
                                reason=reason))
            on_result(PollResult(LONG_URL, "failed", 1, 0, error=f"{LONG_URL}: is a malformed Atom feed (line 3)"))

    monkeypatch.setattr(index.watch, "Watcher", Polls)
    monkeypatch.setattr(rag.cli.output.console, "_width", 40)
    res = run("watch", "--once", LONG_URL)
    assert res.exit_code == 1, res.output
    assert re.fullmatch(r"round 1 \(\d\d:\d\d:\d\d\)", res.stderr.splitlines()[0]), res.stderr
    assert res.stderr.splitlines()[1:] == [
        "  failed    A title long enough to pass forty columns", " " * 12 + reason,
        f"{LONG_URL}: failed: it is a malformed Atom feed (line 3)",
        f"still watched, but it has never answered as a feed: {LONG_URL} is polled again every round; "
        f"`rag watch --remove {LONG_URL}` stops watching it"]


def test_server_banners_are_whole_lines_in_a_pipe(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.serve
    import ui.app

    monkeypatch.setattr(rag.cli.output.console, "_width", 40)
    url = "http://127.0.0.1:8080" + "/p" * 30
    monkeypatch.setattr(rag.serve, "serve", lambda _s, host, port, ui, ready: ready(url))
    res = run("serve", "--ui")
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [f"REST API: {url}/v1  (schema: {url}/openapi.json)",
                                       f"chat UI: {url}/ui/  (Ctrl-C stops it)"]
    demo = types.SimpleNamespace(local_url=url + "/", block_thread=lambda: None)
    monkeypatch.setattr(ui.app, "launch", lambda *_a, **_k: demo)
    res = run("ui")
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [f"chat UI: {url}/  (Ctrl-C stops it)"]


def test_reindex_says_what_it_did_in_whole_lines_in_a_pipe(env: Settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    monkeypatch.setattr(rag.cli.output.console, "_width", 40)
    res = run("reindex")
    assert res.exit_code == 0, res.output
    [line] = [x for x in res.stderr.splitlines() if x.startswith("re-embedded")]
    assert re.fullmatch(r"re-embedded \d+ chunks with fake:hash-64; \d+ chunks stored", line), res.stderr


# --- 4. a styled lead styles itself only ------------------------------------------------------------------

def _terminal(width: int = 60) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, color_system="standard", width=width, emoji=False), buf


def test_print_hanging_styles_its_lead_only() -> None:
    from rag.cli.output import print_hanging

    console, buf = _terminal()
    print_hanging(Text("2024-11-28  ", style="bold"), "The harbour of Zembla closed on Thursday after a storm "
                  "damaged the pier, officials said.", to=console)
    first = buf.getvalue().splitlines()[0]
    assert first.startswith("\x1b[1m2024-11-28  \x1b[0mThe harbour"), repr(first)  # bold ends with the date
    assert "\x1b[1m" not in first[len("\x1b[1m2024-11-28  \x1b[0m"):], repr(first)


def test_rag_brief_shows_only_the_date_bold(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.brief import Event
    from rag.cli.brief import _print_event
    from rag.types import Citation

    console, buf = _terminal(80)
    monkeypatch.setattr(rag.cli.output, "out", console)
    cite = Citation(n=1, article_id="a1", title="Harbour closes", source="https://news.example.org/harbour",
                    published="2024-11-28", quote="The harbour of Zembla closed on Thursday.", start=0, end=40)
    _print_event(Event("2024-11-28", cite))
    lines = buf.getvalue().splitlines()
    assert lines[0] == "\x1b[1m2024-11-28  \x1b[0mThe harbour of Zembla closed on Thursday.", lines
    assert "\x1b[1m" not in lines[1], lines


# --- 5. the REST ingest report keeps the order things were sent in ------------------------------------------

def test_writer_reports_refused_files_and_urls_where_they_were_sent(settings: Settings,
                                                                     fake_embedder: HashEmbedder) -> None:
    from rag.service import Writer

    with Collection.open(settings, embedder=fake_embedder) as c:
        writer = Writer(types.SimpleNamespace(settings=settings, collection=c))
        files = [("a.txt", io.BytesIO(long_text(1).encode())), (".hidden", io.BytesIO(b"x")),
                 ("b.txt", io.BytesIO(long_text(2).encode()))]
        report = writer.ingest(["ftp://example.org/story", "https://127.0.0.1:9/story", "mailto:x@example.org"], files)
    assert [(i["item"], i["status"]) for i in report["items"]] == [
        ("a.txt", "added"), ("'.hidden'", "failed"), ("b.txt", "added"), ("ftp://example.org/story", "failed"),
        ("https://127.0.0.1:9/story", "failed"), ("mailto:x@example.org", "failed")]


def test_in_given_order_keeps_a_dump_s_records_and_a_feed_s_articles_under_their_input() -> None:
    from rag.service import in_given_order

    bad = ItemResult("nope", "failed", reason="not an http(s) URL")
    got = in_given_order(["d.jsonl", bad, "https://u:pw@site.example/feed", "d.jsonl"], [
        ItemResult("d.jsonl#1", "added"), ItemResult("d.jsonl#2", "added"),
        ItemResult("https://site.example/feed", "failed"),  # named without its password
        ItemResult("https://site.example/a", "added"),  # a feed's article: under its feed
        ItemResult("d.jsonl#1", "unchanged")])
    assert [r.item for r in got] == ["d.jsonl#1", "d.jsonl#2", "nope", "https://site.example/feed",
                                     "https://site.example/a", "d.jsonl#1"]


@pytest.mark.parametrize("name", ["rag.service", "rag.notices", "rag.cli.empty", "ui.render"])
def test_the_docstring_examples_hold(name: str) -> None:
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(name)).failed == 0
