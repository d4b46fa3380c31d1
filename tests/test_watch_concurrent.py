"""A `rag watch` round fetches its feed documents a few at a time (``Watcher.poll_all``), and does
everything else one feed after another, in the order of the round.

Each feed is on a server of its own, a real threaded http.server on 127.0.0.1 (as in
tests/test_feeds.py) that logs every request as it arrives and as it is answered, in one log shared
by the servers, and answers conditional requests with 304. A feed's answer can be held back by a
``threading.Event`` the test sets: "was feed B asked for before feed A answered?" is read from the
order of that log, never from the clock (``HOLD`` only keeps a wrong implementation from hanging the
test). A real store (embedded Chroma) and the counting HashEmbedder, as tests/test_watch.py uses.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from index.collection import Collection
from index.fetch import abort_fetches
from index.types import ItemResult
from index.watch import PollInterrupted, PollResult, Watcher
from tests.fakes import HashEmbedder
from tests.test_feeds import Hit, _Server, page_html, rss  # _Server ignores a connection a test aborted mid-answer
from tests.test_watch import coll, watcher  # noqa: F401 - fixtures

#: Seconds a held answer waits at most for its event. Not a timing assertion: only a bound, so that
#: an implementation fetching one feed after another fails the test (the log's order) instead of
#: hanging it. Set well above the time the right implementation needs on a loaded machine.
HOLD = 20.0
#: Seconds the test waits at most for a request it expects (a guard as ``HOLD`` is).
GUARD = 20.0

TEXTS = {
    "a": "A storm hit the northern coast on Sunday, flooding roads in three towns.\n\n"
         "Officials opened shelters for 400 residents and closed two schools.",
    "b": "The old bridge closed for repairs on Monday after inspectors found cracks.\n\n"
         "Traffic was diverted through the centre of town for the whole week.",
    "c": "The city library reopened on Tuesday after a year of renovation work.\n\n"
         "Visitors found a new reading room and a larger children's section.",
}


@dataclass
class Log:
    """What the servers saw, in order: ("asked" | "answered", server name, path, status or None)."""

    events: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def add(self, event: str, name: str, path: str, status: int | None = None) -> None:
        with self.changed:
            self.events.append((event, name, path, status))
            self.changed.notify_all()

    def wait_for(self, event: str, name: str, path: str) -> bool:
        """Wait (at most ``GUARD``) until the log holds ``event`` for ``name``'s ``path``."""
        with self.changed:
            return self.changed.wait_for(lambda: self.index(event, name, path) is not None, timeout=GUARD)

    def index(self, event: str, name: str, path: str) -> int | None:
        return next((i for i, e in enumerate(self.events) if e[:3] == (event, name, path)), None)


@dataclass
class Server:
    """One site: routes (editable while running), requests received, answers held back on demand."""

    name: str
    log: Log
    base: str = ""
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)  # path -> (status, type, body)
    holds: dict[str, threading.Event] = field(default_factory=dict)  # path -> answered once set
    hits: list[Hit] = field(default_factory=list)

    def put(self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8", status: int = 200) -> str:
        self.routes[path] = (status, ctype, body.encode() if isinstance(body, str) else body)
        return self.base + path

    def hold(self, path: str) -> threading.Event:
        """Answer ``path`` only once the event returned is set (or after ``HOLD``)."""
        self.holds[path] = threading.Event()
        return self.holds[path]

    def requests(self, path: str) -> list[Hit]:
        with self.log.lock:
            return [h for h in self.hits if h.path == path]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            path = self.path.split("?")[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.log.add("asked", server.name, path)
            held = server.holds.get(path)
            if held is not None:
                held.wait(HOLD)
            status, ctype, body = server.routes.get(path, (404, "text/plain", b"not here"))
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            fresh = status == 200 and headers.get("if-none-match") == etag
            if fresh:
                status = 304
            with server.log.lock:
                server.hits.append(Hit(path, headers, status))
            try:
                self.send_response(status)
                if status == 200:
                    self.send_header("ETag", etag)
                if status != 304:
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            finally:
                server.log.add("answered", server.name, path, status)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler



@pytest.fixture
def servers() -> Iterator[Callable[[str], Server]]:
    """``servers(name)``: a new site on its own port; all of them log into one ``Log``."""
    log = Log()
    running: list[tuple[_Server, Server]] = []

    def start(name: str) -> Server:
        server = Server(name, log)
        http = _Server(("127.0.0.1", 0), _handler(server))
        server.base = f"http://127.0.0.1:{http.server_address[1]}"
        threading.Thread(target=http.serve_forever, daemon=True).start()
        running.append((http, server))
        return server

    yield start
    for http, server in running:
        for held in server.holds.values():
            held.set()  # a held answer a failing test left waiting
        http.shutdown()
        http.server_close()


def news_site(server: Server, *, items: int = 1) -> str:
    """``server``'s feed at /feed.xml listing ``items`` article pages of its own; the feed's URL."""
    listed = []
    for n in range(items):
        title = f"{server.name.upper()} story {n}"
        server.put(f"/news/{n}", page_html(title, TEXTS[server.name] + f"\n\nIt is story {n} of {server.name}."))
        listed.append({"title": title, "link": f"{server.base}/news/{n}", "guid": f"{server.name}-{n}"})
    return server.put("/feed.xml", rss(listed, title=f"News {server.name.upper()}"), "application/rss+xml")


def feed_threads() -> list[threading.Thread]:
    """The threads of a round's fetching ahead still alive (``poll_all`` names them watch-feed)."""
    return [t for t in threading.enumerate() if t.name.startswith("watch-feed") and t.is_alive()]


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then let go): a connection to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_later_feeds_are_asked_for_while_the_first_one_is_still_answering(
        servers: Callable[[str], Server], watcher: Watcher) -> None:
    a, b, c = servers("a"), servers("b"), servers("c")
    urls = [news_site(a), news_site(b), news_site(c)]
    release = a.hold("/feed.xml")
    got: list[list[PollResult]] = []
    failure: list[BaseException] = []

    def round_() -> None:
        try:
            got.append(watcher.poll_all(urls))
        except BaseException as exc:  # noqa: BLE001 - said by the test below
            failure.append(exc)

    poller = threading.Thread(target=round_)
    poller.start()
    try:
        # the round asks for b's and c's feeds while a's server still holds its answer back; fetched
        # one after another, b's would come only after a's answer (after HOLD)
        asked = [a.log.wait_for("asked", n, "/feed.xml") for n in ("b", "c")]
    finally:
        release.set()
        poller.join(HOLD + 60)
    assert not poller.is_alive() and not failure, failure
    assert all(asked), a.log.events
    answered_a = a.log.index("answered", "a", "/feed.xml")
    assert answered_a is not None
    assert a.log.index("asked", "b", "/feed.xml") < answered_a, a.log.events
    assert a.log.index("asked", "c", "/feed.xml") < answered_a, a.log.events
    [results] = got
    assert [(r.url, r.status, r.requests) for r in results] == [(u, "ingested", 1) for u in urls]
    for server in (a, b, c):  # each feed asked for once, its item once
        assert [h.path for h in server.hits] == ["/feed.xml", "/news/0"]
    assert not feed_threads()


def test_results_and_on_result_keep_the_order_of_the_round(
        servers: Callable[[str], Server], watcher: Watcher) -> None:
    """a's document comes last (held until b's and c's were answered); the round still reads,
    ingests and reports a, then b, then c, as listed."""
    a, b, c = servers("a"), servers("b"), servers("c")
    urls = [news_site(a, items=2), news_site(b, items=2), news_site(c, items=2)]
    release = a.hold("/feed.xml")

    def release_after_b_and_c() -> None:
        if a.log.wait_for("answered", "b", "/feed.xml") and a.log.wait_for("answered", "c", "/feed.xml"):
            release.set()

    threading.Thread(target=release_after_b_and_c, daemon=True).start()
    reported: list[str] = []
    items: list[str] = []
    results = watcher.poll_all(urls, progress=lambda r: items.append(r.item),
                               on_result=lambda r: reported.append(r.url))
    # the documents did come in another order than the round's (else the test proves nothing)
    answers = [e[1] for e in a.log.events if e[0] == "answered" and e[2] == "/feed.xml"]
    assert answers[-1] == "a", a.log.events
    assert [r.url for r in results] == urls
    assert reported == urls
    assert [r.status for r in results] == ["ingested"] * 3
    # each feed's items are ingested in its turn: all of a's, then b's, then c's
    assert [i.split("/news/")[0] for i in items] == [a.base] * 2 + [b.base] * 2 + [c.base] * 2, items


def test_unchanged_feeds_cost_one_conditional_request_each_and_no_embedding(
        servers: Callable[[str], Server], watcher: Watcher, coll: Collection, fake_embedder: HashEmbedder) -> None:
    sites = [servers("a"), servers("b"), servers("c")]
    urls = [news_site(s) for s in sites]
    first = watcher.poll_all(urls)
    assert [r.status for r in first] == ["ingested"] * 3
    texts, chunks = sum(fake_embedder.calls), coll.stats()["chunks"]
    seen = [len(s.hits) for s in sites]

    again = watcher.poll_all(urls)
    assert [(r.url, r.status, r.requests, r.fetched_items) for r in again] == [
        (u, "not_modified", 1, 0) for u in urls]
    for site, before in zip(sites, seen):
        [request] = site.hits[before:]  # one request, for the feed, conditional, answered 304
        assert (request.path, request.status) == ("/feed.xml", 304)
        assert request.headers["if-none-match"].startswith('"')
    assert sum(fake_embedder.calls) == texts and coll.stats()["chunks"] == chunks
    assert not feed_threads()


def test_a_stop_during_the_first_feed_leaves_the_later_feeds_for_the_next_round(
        servers: Callable[[str], Server], watcher: Watcher, coll: Collection) -> None:
    """b's and c's documents have come when the stop is set during a's ingest: they are not read,
    and nothing is recorded for them, so the next round asks for them in full. b lists no item: read
    after the stop, its validators would be kept (a 304 next round)."""
    a, b, c = servers("a"), servers("b"), servers("c")
    url_a, url_c = news_site(a), news_site(c)
    url_b = b.put("/feed.xml", rss([], title="News B"), "application/rss+xml")
    urls = [url_a, url_b, url_c]
    for url in urls:
        watcher.state.add(url)
    stop = threading.Event()
    came_first: list[bool] = []

    def progress(r: ItemResult) -> None:  # a's article is stored: b's and c's documents came by now
        came_first.append(all(a.log.wait_for("answered", n, "/feed.xml") for n in ("b", "c")))
        stop.set()

    reported: list[PollResult] = []
    results = watcher.poll_all(urls, progress=progress, stop=stop, on_result=reported.append)
    assert came_first == [True], a.log.events
    assert [(r.url, r.status) for r in results] == [(url_a, "ingested")]
    assert reported == results
    assert not feed_threads()
    assert not c.requests("/news/0")  # c's item is not fetched, nor stored
    assert coll.db.by_source(c.base + "/news/0") is None
    polled = {f.url: f.last_polled for f in watcher.state.feeds()}
    assert polled[url_a] and polled[url_b] is None and polled[url_c] is None
    assert watcher.state.validators(url_b) == (None, None) and watcher.state.validators(url_c) == (None, None)

    seen = {s.name: len(s.hits) for s in (a, b, c)}
    after = watcher.poll_all(urls)
    assert [(r.url, r.status) for r in after] == [(url_a, "not_modified"), (url_b, "unchanged"),
                                                  (url_c, "ingested")]
    for server in (b, c):  # asked for in full again: no validators were kept
        feed = server.hits[seen[server.name]]
        assert (feed.path, feed.status) == ("/feed.xml", 200) and "if-none-match" not in feed.headers
    assert coll.db.by_source(c.base + "/news/0") is not None


def test_failing_feeds_do_not_stop_the_others(servers: Callable[[str], Server], watcher: Watcher) -> None:
    down = servers("b")
    good = servers("c")
    refused = f"http://127.0.0.1:{closed_port()}/feed.xml"
    broken = down.put("/feed.xml", b"internal error", "text/plain", status=500)
    fine = news_site(good)
    results = watcher.poll_all([refused, broken, fine])
    assert [(r.url, r.status) for r in results] == [(refused, "failed"), (broken, "failed"), (fine, "ingested")]
    assert "could not connect" in (results[0].error or "")
    assert "HTTP 500" in (results[1].error or "")
    assert results[2].report is not None and results[2].report.summary()["added"] == 1
    errors = {f.url: f.last_error for f in watcher.state.feeds()}
    assert errors[refused] and errors[broken] and errors[fine] is None
    assert not feed_threads()


def test_an_interrupted_round_leaves_no_fetch_running(servers: Callable[[str], Server], watcher: Watcher) -> None:
    """A second Ctrl-C during a's ingest (`rag watch` stops the fetches in flight, then raises) while
    c's server holds its answer: the round raises PollInterrupted with a's result, and none of its
    fetching threads is left; c is not read."""
    a, b, c = servers("a"), servers("b"), servers("c")
    urls = [news_site(a), news_site(b), news_site(c)]
    c.hold("/feed.xml")  # set by the fixture at the end: never answered during the round

    def ctrl_c_twice(r: ItemResult) -> None:
        assert a.log.wait_for("asked", "c", "/feed.xml")  # c's fetch is in flight
        abort_fetches()  # what `rag watch`'s second Ctrl-C does before it raises (rag.cli.output.CtrlC)
        raise KeyboardInterrupt

    reported: list[PollResult] = []
    with pytest.raises(PollInterrupted) as stopped:
        watcher.poll_all(urls, progress=ctrl_c_twice, stop=threading.Event(), on_result=reported.append)
    assert not feed_threads()  # the fetch of c was waited for (it failed at once), not left running
    assert [r.url for r in reported] == [urls[0]] and stopped.value.result.url == urls[0]
    assert not c.requests("/feed.xml")  # never answered
    polled = {f.url: f.last_polled for f in watcher.state.feeds()}
    assert polled.get(urls[1]) is None and polled.get(urls[2]) is None


def test_a_page_and_the_feed_it_advertises_in_one_round(servers: Callable[[str], Server], watcher: Watcher) -> None:
    """The page is replaced by its feed, which is then polled; the feed listed after it is answered 304,
    as when the round fetched one feed after another (its document fetched ahead was asked for before
    the feed had validators, so it is asked for again)."""
    a = servers("a")
    feed = news_site(a)
    page = a.put("/", b'<!doctype html><html><head><title>Site</title>'
                      b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
                      b"<body><p>Front page</p></body></html>", "text/html")
    urls = [page, feed]
    results = watcher.poll_all(urls)
    assert [(r.url, r.status, r.found_at) for r in results] == [(feed, "ingested", page), (feed, "not_modified", None)]
    assert urls == [feed, feed]  # the page replaced by its feed for the next round
    assert watcher.state.urls() == [feed]
    assert a.requests("/feed.xml")[-1].status == 304
