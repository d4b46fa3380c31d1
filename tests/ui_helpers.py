"""Helpers for the UI tests that run a real server: a seeded collection and the app on a free port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from rag.types import Draft, Passage

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTION = "Which town did the rebels capture south of Aleppo?"
CHROMIUM = "/usr/bin/chromium"
#: a one-article collection the chat tests ask ``SEED_QUESTION`` of (``khansir_collection``)
ARTICLE = (
    "Rebels take Khansir\n\n"
    "Rebels said on Sunday they had captured the town of Khansir south of Aleppo city. "
    "The army said it would counter-attack within days. "
    "Residents of Aleppo stayed at home while shops remained closed.\n"
)


def khansir_collection(settings: Settings, embedder: object, folder: Path) -> Collection:
    """A collection holding ``ARTICLE`` (written into ``folder``)."""
    c = Collection.open(settings, embedder=embedder)  # type: ignore[arg-type]
    f = folder / "khansir.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    assert c.ingest([str(f)]).count("added") == 1
    return c


@contextmanager
def chromium() -> Iterator[object]:
    """Headless Debian chromium through playwright; the test is skipped when it is not installed."""
    import os

    import pytest

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            yield b
        finally:
            b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seeded_rag(home: Path, embedder: object) -> RAG:
    """A fresh collection holding the seed article (real embedder), answering offline."""
    settings = Settings(home=home, collection="uitest")
    coll = Collection.open(settings, embedder=embedder)  # type: ignore[arg-type]
    report = coll.ingest(sorted(str(p) for p in (ROOT / "seeds").glob("*.txt")))
    assert report.count("added") >= 1, report
    return RAG(settings, collection=coll, llm=None)


@contextmanager
def serving(rag: RAG) -> Iterator[str]:
    """The UI for ``rag`` on 127.0.0.1:<free port>; yields its URL and closes it afterwards."""
    from ui.app import launch

    demo = launch(rag.settings, rag, host="127.0.0.1", port=free_port(), block=False)
    try:
        yield demo.local_url.rstrip("/")
    finally:
        demo.close()


def open_page(browser, url: str) -> object:  # noqa: ANN001 - a Playwright browser and page
    """A new desktop-sized page of the chat UI at ``url``, once its question box is there."""
    pg = browser.new_page(viewport={"width": 1440, "height": 960})
    pg.goto(url + "/")
    pg.wait_for_selector("#rag-question textarea")
    return pg


def stage_upload(pg, path: Path, shown: str | None = None) -> None:  # noqa: ANN001
    """Put ``path`` in the Collection tab's upload box and wait until the box lists it (``shown``: the
    text it lists, by default the file name). The upload is sent as soon as the file is set; under
    load its name took over Playwright's default 30 s to show (a test timed out once in four runs
    beside other jobs), and over a minute with four jobs on the two cores (twice on Nov 27), so the wait
    is two minutes: a bound on a hang, not a speed target."""
    pg.set_input_files("#rag-upload input[type=file]", str(path))
    pg.wait_for_selector(f"#rag-upload :text('{shown or path.name}')", timeout=120_000)


def ask_in_page(pg, question: str, turn: int) -> None:  # noqa: ANN001
    """Ask ``question`` with the Ask button and wait for its answer (turn ``turn``'s first source)."""
    pg.fill("#rag-question textarea", question)
    pg.click("#rag-ask")
    pg.wait_for_selector(f"#rag-sources #src-{turn}-1", timeout=60_000)
    pg.wait_for_function("!document.querySelector('#rag-chat .rag-pending')")


class GatedLLM:
    """Streams its first piece, then waits for ``gate`` before the rest (an LLM in mid-answer)."""

    name = "llm:gated"
    model = "gated"

    def __init__(self, pieces: Sequence[str]) -> None:
        self.pieces = list(pieces)
        self.gate = threading.Event()
        self.ended = threading.Event()  # the stream finished or was closed

    def stream(self, question: str, passages: Sequence[Passage], *, history=(), as_of=None) -> Iterator[str | Draft]:  # noqa: ANN001
        try:
            yield self.pieces[0]
            self.gate.wait(timeout=60)
            yield from self.pieces[1:]
            yield Draft("".join(self.pieces), False)
        finally:
            self.ended.set()

    def rewrite(self, history, follow_up: str) -> str:  # noqa: ANN001
        return follow_up
