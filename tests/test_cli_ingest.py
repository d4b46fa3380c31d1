"""`rag ingest`, `rag reindex` and `rag stats` as a user meets them when something is in the way:
another process writing, Ctrl-C, a Chroma server lost mid-ingest, chunk settings changed, a feed
longer than RAG_FEED_MAX_ITEMS, a site's front page given instead of its feed.

The commands run in-process (CliRunner) on a real store with the HashEmbedder standing in for the
model (tests/test_cli_commands.py runs the model in a child process); the Ctrl-C tests run `rag
ingest` as a child process and send it SIGINT. Feeds and pages are served on 127.0.0.1
(tests/test_feeds.py's FeedSite)."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.collection
from index.collection import Collection
from index.pipeline import Indexer
from index.types import IngestReport, ItemResult
from rag.cli import app
from rag.settings import Settings
from tests.corpus import write_corpus
from tests.fakes import HashEmbedder
from tests.test_feeds import FeedSite, serve_news, site  # noqa: F401
from tests.test_feeds_newuser import HOME, _read_until, _rest, cli_process, two_item_feed  # noqa: F401


class Batched(HashEmbedder):
    batch_size = 4


class DiesAt(Batched):
    """Ctrl-C on model batch ``n`` (counted from 0)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __call__(self, texts):  # noqa: ANN001, ANN204
        if len(self.calls) == self.n:
            raise KeyboardInterrupt
        return super().__call__(texts)


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """RAG_HOME and friends set for the CLI; ``use(embedder)`` picks what the commands embed with."""
    for key, value in (("RAG_HOME", str(settings.home)), ("RAG_COLLECTION", settings.collection),
                       ("RAG_CHUNK_TOKENS", "40"), ("COLUMNS", "300")):
        monkeypatch.setenv(key, value)
    use(monkeypatch, HashEmbedder())
    return settings.model_copy(update={"chunk_tokens": 40})


def use(monkeypatch: pytest.MonkeyPatch, embedder: HashEmbedder) -> None:
    monkeypatch.setattr(index.collection, "make_embedder", lambda _s: embedder)


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_busy_store_is_refused_before_the_progress_bar_with_a_generic_message(env: Settings, tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 3)
    with Collection.open(env, embedder=HashEmbedder()) as other:
        lock = other.indexer._locked()  # another process writing (a `rag ui` storing an upload, say)
        try:
            for args in (("ingest", str(tmp_path / "news")), ("reindex",), ("remove", "abc")):
                result = run(*args)
                out = flat(result.output)
                assert result.exit_code == 75, (args, result.output)  # busy: EX_TEMPFAIL (README, Exit codes)
                assert f"another rag process is writing to RAG_HOME {env.home}" in out, out
                assert "ingest.lock" not in out and "delete" not in out  # the lock ends with its process
                assert "0/3" not in out and "0/0" not in out  # no empty progress bar first
        finally:
            lock.release()
    assert run("ingest", str(tmp_path / "news")).exit_code == 0


def test_ctrl_c_during_ingest_says_what_was_stored_and_how_to_continue(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Indexer, "batch_chunks", 2)  # one article per batch
    monkeypatch.setattr(Indexer, "first_batch_chunks", 2)
    write_corpus(tmp_path / "news", 6)
    use(monkeypatch, DiesAt(2))  # the second article's batch (the first one's 7 chunks are 2 model batches)
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 130, result.output
    out = flat(result.output)
    assert "interrupted: 1 article stored by this run (1 added, 0 updated), each complete; run the same command " \
           "again to continue" in out, out
    use(monkeypatch, HashEmbedder())
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 0 and flat(result.output).count("unchanged") >= 1
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        assert coll.db.counts()["articles"] == 6 == len(coll.db.list_articles())


def test_ctrl_c_during_reindex_and_the_resumed_run_report_this_runs_work(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Indexer, "batch_chunks", 1000)
    write_corpus(tmp_path / "news", 4)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        total = coll.db.counts()["chunks"]
    use(monkeypatch, DiesAt(2))
    result = run("reindex")
    assert result.exit_code == 130, result.output
    assert f"interrupted: 8 of {total} chunks re-embedded (8 by this run), each stored; run `rag reindex` again " \
           "to resume" in flat(result.output)
    use(monkeypatch, Batched())
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert (f"re-embedded {total - 8} chunks with fake:hash-64 (resumed: 8 were re-embedded by an earlier run); "
            f"{total} chunks stored") in flat(result.output)


def test_changed_chunk_settings_are_named_by_ingest_and_stats_and_applied_by_reindex(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "80")
    notice = "stored articles were chunked with 40 tokens, RAG_CHUNK_TOKENS is 80: run `rag reindex`"
    result = run("stats")
    assert result.exit_code == 0 and f"warning: {notice}" in flat(result.output), result.output
    result = run("ingest", str(tmp_path / "news"))
    out = flat(result.output)
    assert result.exit_code == 0 and out.count(notice) == 1 and out.index(notice) < out.index("ingest report")
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert ("re-chunked 3 articles from the stored texts (40 tokens, 1 sentence of overlap -> 80 tokens, "
            "1 sentence of overlap)") in flat(result.output)
    result = run("stats")
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_failures_that_share_a_reason_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli.ingest import print_report

    gone = "not stored: the Chroma server at http://127.0.0.1:8000 failed (ConnectError: refused); check it is running"
    items = [ItemResult(f"/news/a{i}.txt", "failed", reason=gone) for i in range(178)]
    items += [ItemResult("/news/bad.bin", "failed", reason="looks like a binary file"),
              ItemResult("/news/ok.txt", "added")]
    print_report(IngestReport(tuple(items), 1.0))
    err = flat(capsys.readouterr().err)
    assert err.count(gone) == 1
    assert f"failed 178 items (/news/a0.txt, /news/a1.txt, /news/a2.txt and 175 more): {gone}" in err
    assert "failed /news/bad.bin: looks like a binary file" in err


def test_re_embedding_missing_vectors_shows_its_own_progress(env: Settings, tmp_path: Path) -> None:
    """After a crash (or an emptied server collection) ingest first re-embeds what Chroma lacks: a
    bar of its own, not `0/N` articles for minutes."""
    write_corpus(tmp_path / "news", 3)
    assert run("ingest", str(tmp_path / "news")).exit_code == 0
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        ids = coll.db.chunk_ids()
        coll.vectors.delete(ids)
    result = run("ingest", str(tmp_path / "news"))
    assert result.exit_code == 0, result.output
    assert "re-embed missing" in result.output and f"{len(ids)}/{len(ids)}" in result.output


def report_counts(output: str) -> dict[str, int]:
    """The numbers of the ingest report's table."""
    row = re.search(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│", output)
    assert row, output
    return dict(zip(("added", "updated", "unchanged", "duplicate", "removed", "failed"), map(int, row.groups())))


# --- feeds and pages ------------------------------------------------------------------------------

def test_a_feed_longer_than_feed_max_items_is_a_notice_not_a_failure(
    env: Settings, site: FeedSite, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    serve_news(site)
    feed = two_item_feed(site, "/feed.xml")
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.setenv("RAG_FEED_MAX_ITEMS", "1")
    result = run("ingest", feed)
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert f"notice: {feed}: ingested the newest 1 of 2 items (1 older left out); raise RAG_FEED_MAX_ITEMS to take more" in out
    assert report_counts(result.output) == {"added": 1, "updated": 0, "unchanged": 0, "duplicate": 0,
                                            "removed": 0, "failed": 0}
    assert f"failed {feed}" not in out and not site.requests("/news/bridge")
    failed = run("ingest", feed, site.base + "/missing.xml")  # beside a real failure: exit code 1 for it alone
    assert failed.exit_code == 1 and report_counts(failed.output)["failed"] == 1, failed.output
    assert "ingested the newest 1 of 2 items" in flat(failed.output) and "HTTP 404" in failed.output


def test_a_front_page_is_stored_with_a_hint_naming_the_feed_it_advertises(
    env: Settings, site: FeedSite, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """`rag ingest https://site/` stored the home page as an article without a word: it still
    stores it (it may be what was meant), and names the feed that holds the site's articles and
    the commands that take them. Only a front page: an article page advertises its site's feed too."""
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    serve_news(site)
    feed = two_item_feed(site)
    home = site.put("/", HOME)
    result = run("ingest", home)
    assert result.exit_code == 0, result.output
    assert report_counts(result.output)["added"] == 1
    assert (f"hint: {home} is a site's front page and advertises the feed {feed}; for the site's articles use "
            f"`rag ingest {feed}` (once) or `rag watch {feed}` (kept current)") in flat(result.output)
    assert len(site.requests("/")) == 1 and not site.requests("/feeds/top.xml")  # read from the page fetched once

    article = site.put("/news/aleppo", HOME.replace("<title>", '<meta property="og:type" content="article"><title>'))
    plain = run("ingest", article)
    assert plain.exit_code == 0 and "hint" not in plain.output, plain.output

    hostile = "/feeds/top[/bold].xml?\x1b]0;pwned\x07"
    site.put("/", HOME.replace("/feeds/top.xml", hostile).replace("updated daily", "updated hourly"))
    shown = run("ingest", home)
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output and "\x07" not in shown.output
    assert f"the feed {site.base}/feeds/top[/bold].xml?\\x1b]0;pwned\\x07;" in flat(shown.output)


def test_the_report_carries_the_notices_for_the_ui_and_the_rest_api(
    env: Settings, site: FeedSite, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """The cap and the front-page hint reached the CLI alone (a callback it passed): the chat UI's
    Collection tab and POST /v1/articles, which read the report, got neither."""
    from rag.service import report_dict
    from ui.render import ingest_html

    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.setenv("RAG_FEED_MAX_ITEMS", "1")
    serve_news(site)
    feed = two_item_feed(site, "/feed.xml")
    home = site.put("/", HOME.replace("/feeds/top.xml", "/feed.xml?<b>&amp;x"))
    with Collection.open(Settings(), embedder=HashEmbedder()) as coll:
        report = coll.ingest([feed, home])
    assert report.notices == (f"{feed}: ingested the newest 1 of 2 items (1 older left out); raise RAG_FEED_MAX_ITEMS to take more",
                              f"{home} is a front page that advertises the feed {feed}?<b>&x; "
                              "ingest the feed for its articles"), report.notices
    assert not report.failed and report.count("added") == 2
    assert report_dict(report)["notices"] == list(report.notices)
    page = ingest_html(report.items, 2, 2, notices=report.notices)
    assert "ingested the newest 1 of 2 items" in page and "<b>" not in page and "?&lt;b&gt;&amp;x" in page


# --- Ctrl-C in a real process ----------------------------------------------------------------------

_GATED_INGEST = '''
import os, time
import index.collection, index.db
from index.pipeline import Indexer
from tests.fakes import HashEmbedder

committed = []
put_article = index.db.ArticleDB.put_article


def counted(self, article, chunks):
    old = put_article(self, article, chunks)
    committed.append(article.title)
    return old


class Gated(HashEmbedder):
    """Stops in Story 3's batch, once the three articles before it are stored, until GATE exists."""
    batch_size = 4

    def __call__(self, texts):
        gate = os.environ["GATE"]
        if any(t.startswith("Story 3:") for t in texts) and not os.path.exists(gate):
            while len(committed) < 3:
                time.sleep(0.01)
            print("embedding Story 3: waiting at the gate", flush=True)
            while not os.path.exists(gate):
                time.sleep(0.05)
        return super().__call__(texts)


index.db.ArticleDB.put_article = counted
Indexer.first_batch_chunks = Indexer.batch_chunks = 1  # one article per pipeline batch
index.collection.make_embedder = lambda _settings: Gated()
from rag.cli import main
main()
'''


def _stats(cli_process, env: dict[str, str]) -> tuple[dict, str]:  # noqa: ANN001, F811
    """What `rag stats` says: its counts, and all it printed."""
    out = _rest(cli_process(_GATED_INGEST, "stats", env=env))
    counts, _ = json.JSONDecoder().raw_decode(out[out.index("{"):])
    return counts, out


# SIGTERM (``systemctl stop``, ``docker stop``) stops as Ctrl-C does: it killed the ingest at once, with no
# report (new user 11)
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_first_ctrl_c_stores_the_batch_being_embedded_and_the_same_command_goes_on(
    cli_process, tmp_path: Path, stop: signal.Signals  # noqa: ANN001, F811
) -> None:
    write_corpus(tmp_path / "news", 12)
    gate = tmp_path / "gate"
    env = {"RAG_CHUNK_TOKENS": "40", "GATE": str(gate)}
    proc = cli_process(_GATED_INGEST, "ingest", str(tmp_path / "news"), env=env)
    _read_until(proc, "waiting at the gate")
    proc.send_signal(stop)
    _read_until(proc, "stopping: the batch being embedded is stored first; Ctrl-C again stops at once")
    gate.touch()
    out = flat(_rest(proc))
    assert proc.returncode == 130, out
    assert "Traceback" not in out
    # Story 0-2 were stored before the Ctrl-C and Story 3 was being embedded: stored too, nothing after it
    assert report_counts(out) == {"added": 4, "updated": 0, "unchanged": 0, "duplicate": 0, "removed": 0,
                                  "failed": 0}
    assert ("interrupted: 4 articles stored by this run (4 added, 0 updated), each complete; run the same "
            "command again to continue (articles already stored are skipped)") in out
    assert "4/12 stopped" in out  # the bar keeps the total found: not a finished-looking "4/4"
    counts, said = _stats(cli_process, env)
    assert counts["articles"] == 4 and counts["chunks"] == counts["vectors"] == counts["lexical"], said
    assert "warning" not in said
    again = _rest(cli_process(_GATED_INGEST, "ingest", str(tmp_path / "news"), env=env))
    assert report_counts(again) == {"added": 8, "updated": 0, "unchanged": 4, "duplicate": 0, "removed": 0,
                                    "failed": 0}


def test_second_ctrl_c_stops_at_once_and_what_is_stored_stays_whole(
    cli_process, tmp_path: Path  # noqa: ANN001, F811
) -> None:
    """The batch being embedded never finishes (the gate stays shut): the second Ctrl-C does not
    wait for it. The three articles stored before stay, with their vectors, and nothing else."""
    write_corpus(tmp_path / "news", 12)
    env = {"RAG_CHUNK_TOKENS": "40", "GATE": str(tmp_path / "gate")}
    proc = cli_process(_GATED_INGEST, "ingest", str(tmp_path / "news"), env=env)
    _read_until(proc, "waiting at the gate")
    proc.send_signal(signal.SIGINT)
    _read_until(proc, "Ctrl-C again stops at once")
    proc.send_signal(signal.SIGINT)
    out = flat(_rest(proc))
    assert proc.returncode == 130, out
    assert "Traceback" not in out
    assert ("stopped at once: 3 articles stored by this run (3 added, 0 updated), each complete; run the same "
            "command again to continue (articles already stored are skipped)") in out
    counts, said = _stats(cli_process, env)
    assert counts["articles"] == 3 and counts["chunks"] == counts["vectors"] == counts["lexical"], said
    assert "warning" not in said
    (tmp_path / "gate").touch()
    again = _rest(cli_process(_GATED_INGEST, "ingest", str(tmp_path / "news"), env=env))
    assert report_counts(again) == {"added": 9, "updated": 0, "unchanged": 3, "duplicate": 0, "removed": 0,
                                    "failed": 0}
