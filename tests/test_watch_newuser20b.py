"""A slow item in a `rag watch` round, as new user 20 found it (/tmp/newuser20/report.md, item 3).

1. A page fetched in under a second was stored only after a slow item of the same round hit
   RAG_FETCH_TIMEOUT: the round stored its pages in feed order, and the ingest held a page it had
   read until more came. Pages are now stored as they are fetched, whatever the feed's order.
2. A first Ctrl-C waited out the slow fetch (18 s) and a second one dropped the page fetched
   before; the page fetched is stored by then, and neither Ctrl-C waits for the slow page.
3. The round's line counts every item the feed listed as new or changed, whatever became of them.

A real http.server on 127.0.0.1 (tests/test_feeds.py's FeedSite) whose slow page sleeps, a real
store (embedded Chroma), the HashEmbedder standing in for the model; `rag watch` runs as its own
process for the Ctrl-C tests, which get real SIGINTs.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.collection import Collection
from index.feeds import FeedItem
from index.fetch import abort_fetches
from index.types import ItemResult
from index.watch import PollResult, Watcher
from rag.cli.watch import _describe
from tests.fakes import HashEmbedder
from tests.test_feeds import FeedSite, local_settings, page_html, rss, site  # noqa: F401
from tests.test_feeds_newuser import _read_until, _rest, _wait_for, cli_process, watch_process  # noqa: F401
from tests.test_watch import cli  # noqa: F401

PARVO = "How do dogs get parvo?"
SLOW = "Slow story"


def parvo_and_slow_feed(site: FeedSite, slow_delay: float) -> str:
    """The report's round: the slow item listed first (a feed's order decided when it was stored),
    then a new item whose page answers at once."""
    site.put("/slow.html", page_html(SLOW, "The slow page takes its time.\n\nIt answers long after the others."))
    site.routes["/slow.html"].delay = slow_delay
    site.put("/item53.html", page_html(PARVO, "Parvovirus spreads through contact with infected dogs and their "
                                              "faeces.\n\nPuppies under four months are most at risk, vets say."))
    return site.put("/w/feed.xml", rss([
        {"title": SLOW, "link": site.base + "/slow.html", "guid": "slow"},
        {"title": PARVO, "link": site.base + "/item53.html", "guid": "item53"},
    ]), "application/rss+xml")


@pytest.fixture(params=[8.0])
def watcher_with_timeout(request: pytest.FixtureRequest, tmp_path: Path,
                         fake_embedder: HashEmbedder) -> Iterator[Watcher]:
    """A watcher on a real store whose fetches give up after 8 s (RAG_FETCH_TIMEOUT; a test may set another)."""
    with Collection.open(local_settings(tmp_path, fetch_timeout=request.param), embedder=fake_embedder) as coll:
        watcher = Watcher(coll)
        yield watcher
        watcher.state.close()
    abort_fetches()  # a page a stopped round left in flight: not waited for at exit (`rag watch` does the same)


# --- 1. a page is stored as soon as it is fetched ---------------------------------------------------

def test_a_page_fetched_at_once_is_stored_while_the_slow_one_is_still_fetched(
        site: FeedSite, watcher_with_timeout: Watcher) -> None:  # noqa: F811
    url = parvo_and_slow_feed(site, slow_delay=60.0)  # answered long after the fetch gives up (8 s)
    order: list[tuple[str, str, bool]] = []  # (status, title, whether the slow page was asked for by then)

    def progress(r: ItemResult) -> None:  # "added" comes once the article is committed
        order.append((r.status, r.title or r.item, "/slow.html" in site.received))

    result = watcher_with_timeout.poll(url, progress=progress)
    # the quick page was stored while the slow one was being fetched, which then timed out
    assert [(s, t) for s, t, _ in order] == [("added", PARVO), ("failed", f"{site.base}/slow.html")], order
    assert order[0][2]  # its request had gone out before the quick page was stored
    failed = [r for r in result.report.items if r.status == "failed"]
    assert len(failed) == 1 and "took longer than 8s" in failed[0].reason
    assert watcher_with_timeout.collection.db.by_source(site.base + "/item53.html") is not None
    assert (result.fetched_items, result.listed, result.not_stored) == (2, 2, ())
    assert "2 item(s) listed as new or changed in the feed; fetched: 1 added, 1 failed" in _describe(result)


# --- 2. a first Ctrl-C does not wait for the slow page, and keeps the page fetched -------------------

@pytest.mark.parametrize("watcher_with_timeout", [40.0], indirect=True)
def test_a_stop_keeps_the_page_fetched_and_does_not_wait_out_the_slow_one(
        site: FeedSite, watcher_with_timeout: Watcher) -> None:  # noqa: F811
    url = parvo_and_slow_feed(site, slow_delay=90.0)
    stop = threading.Event()
    stored = threading.Event()

    def progress(r: ItemResult) -> None:
        if r.status == "added":
            stored.set()

    def ctrl_c() -> None:  # `rag watch`'s first Ctrl-C, a few seconds into the round (the report's 4 s)
        stored.wait(120)
        stop.set()

    threading.Thread(target=ctrl_c, daemon=True).start()
    started = time.monotonic()
    result = watcher_with_timeout.poll(url, progress=progress, stop=stop)
    # not a speed target: the slow fetch would have ended at its timeout (40 s, far above what storing the quick
    # page takes on a loaded machine), the page at 90 s; the round ended before either
    assert time.monotonic() - started < 35
    assert not site.requests("/slow.html")  # never answered: the round did not wait for it
    assert result.report is not None and result.report.summary()["added"] == 1
    assert [i.title for i in result.not_stored] == [SLOW]
    assert (result.fetched_items, result.listed) == (1, 2)
    line = _describe(result)
    assert "2 item(s) listed as new or changed in the feed; fetched: 1 added" in line, line
    assert "not stored: 1 item (Slow story); the next round fetches it again" in line, line
    [feed] = watcher_with_timeout.state.feeds()
    assert (feed.items_added, feed.items_known) == (1, 1)  # the slow item is due again, not known


# --- 2 and 3, as the user did it: `rag watch` stopped by one Ctrl-C, or by two ------------------------

@pytest.mark.parametrize("presses", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_ctrl_c_keeps_the_page_fetched_and_counts_both_items(
        site: FeedSite, watch_process, cli, presses: int) -> None:  # noqa: ANN001, F811
    """The report's rounds: "not stored: 2 items (Slow story; How do dogs get parvo? …)" and "0 item(s)
    listed" after two Ctrl-Cs; the parvo page dropped and 18 s waited after one."""
    url = parvo_and_slow_feed(site, slow_delay=100.0)  # answered long after the process should be gone
    proc = watch_process(url, "--every", "1h", env={"RAG_FETCH_TIMEOUT": "300"})
    _read_until(proc, f"added     {PARVO}")  # stored while the slow page is still being fetched
    assert "/slow.html" in site.received and not site.requests("/slow.html")
    proc.send_signal(signal.SIGINT)
    if presses == 2:
        _read_until(proc, "stopping after the current article")
        proc.send_signal(signal.SIGINT)
    out = _rest(proc)
    assert not site.requests("/slow.html"), out  # the process ended before the slow server answered
    assert proc.returncode == 130 and "Traceback" not in out, out
    flat = " ".join(out.split())
    assert "2 item(s) listed as new or changed in the feed; fetched: 1 added" in flat, out
    assert "not stored: 1 item (Slow story); the next round fetches it again" in flat, out
    [feed] = json.loads(cli("--list", "--json").stdout)
    assert (feed["items_added"], feed["items_known"]) == (1, 1) and feed["last_polled"], feed
    site.routes["/slow.html"].delay = 0.0
    rest = cli("--once")  # the next run fetches the slow item again, and only it
    assert rest.exit_code == 0 and "1 item(s) listed as new or changed in the feed; fetched: 1 added" in rest.output, \
        rest.output


def test_the_listed_count_holds_whatever_became_of_the_items() -> None:
    """``listed`` is the items taken up this round: settled, and not stored (neither the skipped ones)."""
    left = tuple(FeedItem(f"https://e.org/{k}", k, "s", title=k) for k in ("a", "b"))
    for fetched, not_stored in ((0, left), (1, left[:1]), (2, ())):
        result = PollResult("https://e.org/feed.xml", "ingested", 1, fetched, None, not_stored=not_stored, skipped=3)
        assert result.listed == 2
        assert "2 item(s) listed as new or changed in the feed" in _describe(result)
