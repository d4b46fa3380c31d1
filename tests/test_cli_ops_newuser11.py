"""`rag` as a newsroom's operations engineer scripts it (new user 11): exit codes a cron job or a
service manager can act on, `rag list --json`, `rag remove FOLDER`, one `rag watch` per data
directory, and a second Ctrl-C during a watch round.

- One code per outcome, for every command: 130 when Ctrl-C or SIGTERM stopped it (`rag watch`
  exited 0, `rag reindex` died of SIGTERM with no word), 75 when another rag process holds RAG_HOME
  (`rag ingest` gave 2, as a bad setting does, and `rag watch --once` 1), 2 for a usage or setting
  error.
- `rag list --json`: one JSON document with every article's fields and the counts (a table at 80
  columns cut sources to ``http:/…ry.html``); the table still shows control characters escaped.
- `rag remove FOLDER` removes what `rag ingest FOLDER` stored, listing it; a folder with nothing
  stored under it is refused with the way on.
- A second `rag watch` on one data directory is refused naming the running one's pid (exit 75); a
  watcher killed with ``kill -9`` is taken over.
- A second Ctrl-C during a round keeps what was stored, names the items not stored, keeps no
  ETag/Last-Modified, and the next round fetches them.

The signal and watcher tests run `rag` as real child processes (``cli_process`` of
tests/test_feeds_newuser.py) with the HashEmbedder standing in for the model; the others run the
`rag` app in this process on a real store (``env`` of tests/test_cli_ingest.py). Feeds are served on
127.0.0.1 (tests/test_feeds.py's FeedSite).
"""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import pytest

from index.collection import Collection
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_cli_ingest import env, flat, run  # noqa: F401
from tests.test_feeds import FeedSite, page_html, rss, serve_news, site  # noqa: F401
from tests.test_feeds_newuser import _read_until, _rest, _wait_for, cli_process  # noqa: F401

# `rag` itself (rag.cli.main, with its Ctrl-C and SIGTERM handling) in a child process, embedding with
# the HashEmbedder. GATE (a path): from its third model batch on, the embedder waits until the file
# exists, saying so once. ONE_ARTICLE_BATCHES: each article is embedded and stored as soon as it is read.
_RAG = '''
import os, time
import index.collection
from index.pipeline import Indexer
from tests.fakes import HashEmbedder


class Gated(HashEmbedder):
    batch_size = 4

    def __call__(self, texts):
        gate = os.environ.get("GATE")
        if gate and len(self.calls) >= 2 and not os.path.exists(gate):
            print("embedding: waiting at the gate", flush=True)
            while not os.path.exists(gate):
                time.sleep(0.05)
        return super().__call__(texts)


if os.environ.get("ONE_ARTICLE_BATCHES"):
    Indexer.first_batch_chunks = Indexer.batch_chunks = 1
index.collection.make_embedder = lambda _settings: Gated()
from rag.cli import main
main()
'''

STOPS = [signal.SIGINT, signal.SIGTERM]
STOP_IDS = ["ctrl-c", "sigterm"]


def _feed(site: FeedSite) -> str:  # noqa: F811
    serve_news(site)
    return site.put("/feed.xml", rss([
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge"},
    ]), "application/rss+xml")


# --- 1. exit codes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("stop", STOPS, ids=STOP_IDS)
def test_a_stopped_watch_exits_130_like_ingest_and_reindex(
        site: FeedSite, cli_process, stop: signal.Signals) -> None:  # noqa: ANN001, F811
    """`rag watch --every` stopped between rounds (the way a service manager stops it) exited 0."""
    proc = cli_process(_RAG, "watch", _feed(site), "--every", "1h")
    _read_until(proc, "next round at")
    proc.send_signal(stop)
    out = _rest(proc)
    assert proc.returncode == 130, out
    assert "stopped after 1 round(s); what was ingested is kept" in out and "Traceback" not in out


@pytest.mark.parametrize("stop", STOPS, ids=STOP_IDS)
def test_a_stopped_reindex_exits_130_and_says_how_to_resume(
        cli_process, tmp_path: Path, stop: signal.Signals) -> None:  # noqa: ANN001, F811
    """SIGTERM killed `rag reindex` at once (exit 143, no word) while Ctrl-C said where it stopped."""
    write_corpus(tmp_path / "news", 4)
    tokens = {"RAG_CHUNK_TOKENS": "40"}
    assert _rest(ingest := cli_process(_RAG, "ingest", str(tmp_path / "news"), env=tokens)) and ingest.returncode == 0
    proc = cli_process(_RAG, "reindex", env=tokens | {"GATE": str(tmp_path / "gate")})
    _read_until(proc, "waiting at the gate")
    proc.send_signal(stop)
    out = flat(_rest(proc))
    assert proc.returncode == 130, out
    assert re.search(r"interrupted: 8 of \d+ chunks re-embedded \(8 by this run\), each stored; run `rag reindex` "
                     r"again to resume", out), out
    assert "Traceback" not in out


def test_a_busy_store_exits_75_for_every_command_that_takes_the_write_lock(
        env: Settings, site: FeedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Busy is "try again later", apart from 2 (a bad argument or setting); `rag watch --once` gave 1."""
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    write_corpus(tmp_path / "news", 2)
    url = _feed(site)
    with Collection.open(env, embedder=HashEmbedder()) as other:
        lock = other.indexer._locked()  # another process writing (a `rag ui` storing an upload, say)
        try:
            for args in (("ingest", str(tmp_path / "news")), ("reindex",), ("remove", "abc"), ("up", "--no-chat"),
                         ("watch", url, "--once")):
                result = run(*args)
                assert result.exit_code == 75, (args, result.output)
                assert f"another rag process is writing to RAG_HOME {env.home}" in flat(result.output), result.output
        finally:
            lock.release()
    assert run("watch", url, "--every", "5s").exit_code == 2  # a usage error stays 2
    again = run("watch", "--once")  # the busy round kept no validators: the items are read now
    assert again.exit_code == 0 and "2 added" in again.output, again.output


def test_rag_help_ends_with_the_exit_codes() -> None:
    text = flat(run("--help").output)
    assert "Exit codes: 0 done; 1 done, but an item failed" in text
    assert "75 busy: another rag process is writing to RAG_HOME" in text and "130 stopped by Ctrl-C or SIGTERM" in text


# --- 2. rag list --json ----------------------------------------------------------------------------

def test_list_json_is_one_document_with_every_field_and_the_counts(
        env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # where the table cut sources to "/tmp/n…ket.txt"
    empty = run("list", "--json")
    assert empty.exit_code == 0 and json.loads(empty.stdout) == {
        "articles": [], "total": 0, "chunks": 0, "search": None, "limit": 50, "offset": 0, "next_offset": None,
        "collection": {"articles": 0, "chunks": 0}}
    assert "note:" in empty.stderr  # what to do next, on stderr: stdout is the document alone
    deep = tmp_path / "a-rather-long-folder-name-for-the-newsroom-archive" / "2024" / "december"
    deep.mkdir(parents=True)
    market = deep / "market\x1b]0;owned\x07.txt"  # a file name holding a terminal title sequence
    market.write_text("Market reopens\n\nThe Kelso farmers market reopened on Saturday, chaired by Isla Dunbar.\n",
                      encoding="utf-8")
    (deep / "ferry.txt").write_text("Ferry resumes\n\nThe island ferry resumed sailing on Friday after the storms.\n",
                                    encoding="utf-8")
    (tmp_path / "copy.txt").write_text((deep / "ferry.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert run("ingest", str(deep), str(tmp_path / "copy.txt")).exit_code == 0
    got = run("list", "--json")
    assert got.exit_code == 0, got.output
    doc = json.loads(got.stdout)
    by_title = {a["title"]: a for a in doc["articles"]}
    assert set(by_title) == {"Market reopens", "Ferry resumes"}
    assert by_title["Market reopens"]["source"] == str(market.resolve())  # as stored; JSON-escaped on stdout
    ferry = by_title["Ferry resumes"]
    assert ferry["source"] == str((deep / "ferry.txt").resolve())  # whole, not cut to the terminal
    assert sorted(ferry["sources"]) == sorted(str(f.resolve()) for f in (deep / "ferry.txt", tmp_path / "copy.txt"))
    assert set(ferry) >= {"id", "title", "source", "url", "author", "published", "n_chunks", "sources", "story_id",
                          "story_size"}
    assert len(ferry["id"]) == 16 and ferry["n_chunks"] >= 1
    assert (doc["total"], doc["collection"]["articles"], doc["next_offset"]) == (2, 2, None)
    assert "\x1b" not in got.stdout  # a terminal reading it runs no sequence
    page = json.loads(run("list", "--json", "--limit", "1").stdout)
    assert (len(page["articles"]), page["total"], page["next_offset"]) == (1, 2, 1)
    found = json.loads(run("list", "ferry", "--json").stdout)
    assert [a["title"] for a in found["articles"]] == ["Ferry resumes"] and found["search"] == "ferry"
    monkeypatch.setenv("COLUMNS", "300")  # the whole source in the table
    table = run("list", "market")  # the table form: escaped as before
    assert "\\x1b]0;owned\\x07" in table.stdout and "\x1b" not in table.stdout, table.stdout


# --- 3. rag remove FOLDER ------------------------------------------------------------------------------

def test_remove_a_folder_removes_what_ingest_stored_from_it(
        env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    news = tmp_path / "data" / "bbc2"
    write_corpus(news, 3)
    write_corpus(news / "sport", 1, start=3)
    write_corpus(tmp_path / "data" / "bbc22", 1, start=4)  # a sibling whose name starts the same: kept
    copy = tmp_path / "keep" / "copy.txt"  # the same text as a file under the folder: that article stays
    copy.parent.mkdir()
    copy.write_text((news / "a0000.txt").read_text(encoding="utf-8"), encoding="utf-8")
    dump = news / "wire.jsonl"  # a dump in the folder: its records are stored by their url
    dump.write_text(json.dumps({"title": "Wire story", "url": "https://wire.example/a", "text": "The wire said the "
                               "harbour reopened on Monday after a week of repairs to its walls."}) + "\n",
                    encoding="utf-8")
    assert run("ingest", str(tmp_path / "data"), str(copy)).exit_code == 0
    monkeypatch.chdir(tmp_path)  # given as `rag ingest` took it: a relative path
    res = run("remove", "data/bbc2")
    assert res.exit_code == 0, res.output
    out = flat(res.stderr)
    root = str(news.resolve())
    for name in ("a0001.txt", "a0002.txt", "sport/a0003.txt"):
        assert f"removed: {root}/{name} (under {root})" in out, out
    assert f"removed: {root}/a0000.txt (under {root}; this source only: the article stays, also ingested from " \
           f"{copy.resolve()}" in out
    assert f"removed: https://wire.example/a (a record of {dump.resolve()}, under {root})" in out
    assert "data/bbc2: 5 sources under it removed" in out
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        left = {a.source for a in coll.db.list_articles(None, 50, 0)}
    assert left == {str(copy.resolve()), str((tmp_path / "data" / "bbc22" / "a0004.txt").resolve())}
    again = run("remove", "data/bbc2")  # nothing under it now: refused, with the way on
    assert again.exit_code == 1
    assert (f"failed: data/bbc2 (no stored article came from a file under this folder ({root}, the path `rag ingest` "
            "stores): removed already, or ingested from another path; `rag list WORD` shows the stored sources") \
        in flat(again.stderr)


def test_remove_a_folder_gone_from_disk_and_a_plain_unknown_ref_as_before(env: Settings, tmp_path: Path) -> None:
    import shutil

    write_corpus(tmp_path / "gone", 2)
    assert run("ingest", str(tmp_path / "gone")).exit_code == 0
    shutil.rmtree(tmp_path / "gone")  # what is stored under its path is what goes
    res = run("remove", str(tmp_path / "gone"))
    assert res.exit_code == 0 and "2 sources under it removed" in flat(res.stderr), res.output
    plain = run("remove", "nosuchthing")
    assert plain.exit_code == 1 and "no such article id or source; see `rag list`" in flat(plain.stderr)


# --- 4. one rag watch per data directory ---------------------------------------------------------------

def test_a_second_watcher_is_refused_naming_the_running_one_and_a_killed_one_is_taken_over(
        site: FeedSite, cli_process) -> None:  # noqa: ANN001, F811
    url = _feed(site)
    first = cli_process(_RAG, "watch", url, "--every", "1h")
    _read_until(first, "next round at")
    polled = len(site.requests("/feed.xml"))
    for args in (("--once",), (url, "--every", "30m")):
        second = cli_process(_RAG, "watch", *args)
        out = flat(_rest(second))
        assert second.returncode == 75, out
        assert (f"error: another `rag watch` (pid {first.pid}, since " in out
                and "is polling the watched feeds of RAG_HOME" in out and f"`kill {first.pid}`" in out), out
    assert len(site.requests("/feed.xml")) == polled  # neither polled the feed
    listed = cli_process(_RAG, "watch", "--list", "--json")  # reading the list takes no turn
    assert json.loads(_rest(listed))[0]["url"] == url and listed.returncode == 0
    first.kill()  # kill -9: its pid stays in watch.pid, its lock does not
    first.wait(timeout=30)
    after = cli_process(_RAG, "watch", "--once")
    out = flat(_rest(after))
    assert after.returncode == 0, out
    assert f"note: the last `rag watch` here (pid {first.pid}) ended without stopping cleanly (killed?); this one " \
           "takes over" in out
    assert "not modified" in out
    clean = cli_process(_RAG, "watch", "--once")
    assert "takes over" not in _rest(clean) and clean.returncode == 0  # a clean exit leaves no pid behind


# --- 5. a second Ctrl-C during a watch round ---------------------------------------------------------

def test_a_second_ctrl_c_keeps_what_was_stored_names_what_was_not_and_the_next_round_fetches_it(
        site: FeedSite, cli_process) -> None:  # noqa: ANN001, F811
    """The storm page is stored as soon as it is read; the ferry page hangs (a slow server), and the
    bridge page, fetched beside it, waits behind it. A second Ctrl-C: the storm article stays, the
    two others are named as not stored, no ETag is kept, and the next round stores them."""
    serve_news(site)
    site.put("/news/slow", page_html("Ferry service resumes", "Ferries to the islands resumed on Friday after a "
                                     "week of storms.\n\nThe operator added two sailings."))
    site.routes["/news/slow"].delay = 100.0
    url = site.put("/feed.xml", rss([
        {"title": "Storm floods coast", "link": site.base + "/news/storm", "guid": "storm"},
        {"title": "Ferry service resumes", "link": site.base + "/news/slow", "guid": "slow"},
        {"title": "Bridge closed", "link": site.base + "/news/bridge", "guid": "bridge"},
    ]), "application/rss+xml")
    proc = cli_process(_RAG, "watch", url, "--every", "1h",
                       env={"ONE_ARTICLE_BATCHES": "1", "RAG_FETCH_TIMEOUT": "300"})
    _read_until(proc, "Storm floods coast")
    _wait_for(lambda: "/news/slow" in site.received and "/news/bridge" in site.received)
    proc.send_signal(signal.SIGINT)
    _read_until(proc, "stopping after the current article")
    proc.send_signal(signal.SIGINT)
    out = flat(_rest(proc))
    assert proc.returncode == 130, out
    assert "Traceback" not in out
    # (assertions changed when a round began storing each page as it is fetched, 4ad48f1: the bridge page, fetched
    # beside the hung one, no longer waits behind it, so it is stored unless the second Ctrl-C comes first)
    bridge = "added Bridge closed" in out
    assert "added Storm floods coast" in out and f"{1 + bridge} added" in out, out
    left = "1 item (Ferry service resumes); the next round fetches it again" if bridge else \
        "2 items (Ferry service resumes; Bridge closed); the next round fetches them again"
    assert f"not stored: {left}" in out, out
    assert "stopped at once: the articles stored and the feed state recorded before are kept" in out
    [feed] = json.loads(_rest(cli_process(_RAG, "watch", "--list", "--json")))
    assert (feed["items_added"], feed["items_known"]) == (1 + bridge, 1 + bridge)
    site.routes["/news/slow"].delay = 0.0
    hits = len(site.hits)
    rest = cli_process(_RAG, "watch", "--once")
    out = flat(_rest(rest))
    assert rest.returncode == 0 and f"{2 - bridge} added" in out, out
    assert [h.status for h in site.hits[hits:] if h.path == "/feed.xml"] == [200]  # no validators were kept
    assert len(site.requests("/news/storm")) == 1  # what was stored is not fetched again
