"""UI safety: upload limits and cleanup, no server paths in the page, article brackets that are not
citations, and throttled logins (unit tests with a fake clock, then the real app on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException

from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from rag.types import Answer, Citation, Passage
from tests.ui_helpers import chromium, free_port
from ui import render
from ui.auth import LoginGuard
from ui.chat import OFFLINE, Chat, Session
from ui.feedback import FeedbackLog
from ui.library import Library

LIMIT_MB = 0.01  # 10 KB: big enough for a story, small enough to exceed cheaply
STORY = "Harbour reopens\n\nThe harbour of Zembla reopened on Monday after storm repairs.\n"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- fixtures --------------------------------------------------------------------------------------
@pytest.fixture
def gradio_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Gradio's upload folder for this test (GRADIO_TEMP_DIR is read at each use)."""
    root = tmp_path / "gradio-tmp"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(root))
    return root


@pytest.fixture
def lib(settings: Settings, fake_embedder) -> Library:  # noqa: ANN001
    s = settings.model_copy(update={"max_file_mb": LIMIT_MB})
    return Library(Collection.open(s, embedder=fake_embedder))


def gradio_upload(root: Path, name: str, data: bytes) -> Path:
    """A file where Gradio's /upload route puts one: <upload folder>/<sha256>/<name>."""
    folder = root / hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    return folder / name


def add(lib: Library, *files: Path) -> str:
    """The results panel after the add handler ran to its end."""
    return list(lib.add([str(f) for f in files], "", ""))[-1][0]


def uploads_dir(lib: Library) -> Path:
    return lib.collection.settings.home / "uploads"


def server_paths(lib: Library, gradio_root: Path) -> list[str]:
    home = lib.collection.settings.home
    return [str(home), os.path.realpath(home), str(gradio_root), os.path.realpath(gradio_root), "/tmp/"]


def assert_no_server_path(html: str, lib: Library, gradio_root: Path) -> None:
    leaked = [p for p in server_paths(lib, gradio_root) if p in html]
    assert not leaked, (leaked, html)


# --- 10: uploads -----------------------------------------------------------------------------------
def test_oversized_upload_is_refused_before_copying_and_gradio_temp_is_deleted(lib: Library, gradio_tmp: Path) -> None:
    big = gradio_upload(gradio_tmp, "huge <story>.txt", b"x" * (20 * 1024))
    with pytest.warns(UserWarning, match="over the 0.01 MB upload limit"):
        html = add(lib, big)
    assert "failed" in html and "huge &lt;story&gt;.txt" in html and "RAG_MAX_FILE_MB" in html
    assert not (uploads_dir(lib) / big.name).exists()
    assert not big.exists() and not big.parent.exists()  # Gradio's copy and its per-file folder
    assert lib.collection.db.counts()["articles"] == 0
    assert_no_server_path(html, lib, gradio_tmp)


def test_refused_upload_is_deleted_and_the_earlier_version_is_put_back(lib: Library, gradio_tmp: Path,
                                                                       tmp_path: Path) -> None:
    first = tmp_path / "v1" / "story.txt"
    first.parent.mkdir()
    first.write_text(STORY)
    assert "1 added" in add(lib, first)
    ours = uploads_dir(lib) / "story.txt"
    assert ours.read_text() == STORY and first.exists()  # a caller's own file is never deleted

    empty = gradio_upload(gradio_tmp, "story.txt", b"")  # same name, now refused by the loader
    html = add(lib, empty)
    assert "1 failed" in html and "is empty" in html
    assert ours.read_text() == STORY  # the stored version's file is back in place
    assert not empty.exists()
    junk = gradio_upload(gradio_tmp, "blob.bin", b"\x00\x01")
    assert "unsupported file type" in add(lib, junk)
    assert sorted(p.name for p in uploads_dir(lib).iterdir() if p.is_file()) == ["story.txt"]
    assert not any(p.is_file() for p in uploads_dir(lib).rglob("*") if p.parent != uploads_dir(lib))
    assert_no_server_path(html, lib, gradio_tmp)


def test_added_upload_is_kept_and_gradio_temp_copy_removed(lib: Library, gradio_tmp: Path) -> None:
    up = gradio_upload(gradio_tmp, "story.txt", STORY.encode())
    html = add(lib, up)
    assert "1 added" in html and (uploads_dir(lib) / "story.txt").read_text() == STORY
    assert not up.exists()
    table, _ = lib.listing("")
    assert "Harbour reopens" in table
    assert_no_server_path(html + table, lib, gradio_tmp)


def test_results_and_reasons_name_the_upload_never_a_server_path(lib: Library, gradio_tmp: Path) -> None:
    dump = gradio_upload(gradio_tmp, "dump.jsonl", (
        b'{"title": "Harbour reopens", "text": "The harbour of Zembla reopened on Monday after repairs."}\n'
        b"{not json\n"))
    html = add(lib, dump)
    assert "dump.jsonl#2" in html and "1 added" in html and "1 failed" in html
    assert_no_server_path(html, lib, gradio_tmp)
    assert (uploads_dir(lib) / "dump.jsonl").exists()  # half of it is stored: keep it


def test_store_errors_on_upload_do_not_show_paths(lib: Library, gradio_tmp: Path) -> None:
    uploads_dir(lib).parent.mkdir(parents=True, exist_ok=True)
    uploads_dir(lib).write_text("a file where the uploads folder should be")
    up = gradio_upload(gradio_tmp, "story.txt", STORY.encode())
    with pytest.warns(UserWarning, match="could not be stored"):
        html = add(lib, up)
    assert "story.txt" in html and "could not be stored" in html
    assert_no_server_path(html, lib, gradio_tmp)


def test_pages_show_file_names_not_server_folders() -> None:
    src = "/srv/rag-home/uploads/story.txt"
    p = Passage(1, "a:v:0", "a", "Harbour", src, None, 0.5, "Harbour reopened.", 0, 17)
    a = Answer("Q?", "Harbour reopened. [1]", False, (Citation(1, "a", "Harbour", src, None, "Harbour reopened.", 0, 17),),
               (p,), {})
    html = render.sources_html(a, 0) + render.source_link(src) + render.source_link(src + "#3")
    assert "/srv" not in html and "rag-home" not in html and "story.txt" in html and "story.txt#3" in html


@pytest.mark.slow
def test_real_app_refuses_oversized_uploads_at_the_door(settings: Settings, fake_embedder,  # noqa: ANN001
                                                        gradio_tmp: Path) -> None:
    from ui.app import launch

    s = settings.model_copy(update={"max_file_mb": LIMIT_MB, "ui_port": free_port()})
    rag = RAG(s, collection=Collection.open(s, embedder=fake_embedder), llm=None)
    demo = launch(s, rag, block=False)
    try:
        with httpx.Client(base_url=demo.local_url, trust_env=False) as http:
            r = http.post("gradio_api/upload", files={"files": ("big.txt", b"x" * 20 * 1024, "text/plain")})
            assert r.status_code == 413, r.text
            assert str(gradio_tmp) not in r.text
            ok = http.post("gradio_api/upload", files={"files": ("small.txt", STORY.encode(), "text/plain")})
            assert ok.status_code == 200, ok.text
    finally:
        demo.close()
    assert not [p for p in gradio_tmp.rglob("*") if p.is_file() and p.name == "big.txt"]


# --- 12b: [n] inside article text is not a citation --------------------------------------------------
def _passage(n: int, text: str) -> Passage:
    return Passage(n, f"a{n}:v:0", f"a{n}", f"T{n}", f"https://n.example/{n}", None, 0.5, text, 0, len(text))


def bubble(text: str, *passages: Passage, turn: int = 0) -> str:
    """The chat bubble for an answer ``text`` over ``passages`` (cited: the first)."""
    p = passages[0]
    c = Citation(p.n, p.article_id, p.title, p.source, None, p.text, p.start, p.end)
    return render.answer_html(Answer("Q?", text, False, (c,), passages, {}), turn)


@pytest.mark.parametrize("sentence", [
    "The harbour reopened on Monday, see [2] for the repair costs.",
    "Ten people were killed.[2] Rescue work went on.",
    "Costs [2, 3] rose sharply in the port.",
])
def test_brackets_copied_from_an_article_stay_text_and_our_markers_link(sentence: str) -> None:
    p1, p2, p3 = _passage(1, "Before. " + sentence + " After."), _passage(2, "Other."), _passage(3, "Third.")
    html = bubble(f"{sentence} [1]", p1, p2, p3)
    assert html.count('class="rag-cite"') == 1 and 'href="#src-0-1"' in html
    assert 'href="#src-0-2"' not in html and "[2" in html


def test_answer_markers_still_link_when_the_passages_have_no_brackets() -> None:
    p1, p2 = _passage(1, "Rebels took Khansir. The army will respond."), _passage(2, "Aleppo was quiet.")
    html = bubble("Rebels took Khansir. [1] Aleppo was quiet. [2] Both [1, 2]", p1, p2, turn=4)
    assert html.count('href="#src-4-1"') == 2 and html.count('href="#src-4-2"') == 2
    assert render.with_markers("Khansir [1]", [1], 0) == 'Khansir <a class="rag-cite" href="#src-0-1">[1]</a>'


def test_source_cards_show_article_brackets_as_text() -> None:
    p1 = _passage(1, "The harbour reopened, see [2] for costs.")
    a = Answer("Q?", "The harbour reopened, see [2] for costs. [1]", False,
               (Citation(1, "a1", "T1", p1.source, None, p1.text, 0, len(p1.text)),), (p1, _passage(2, "x")), {})
    sources, bubble = render.sources_html(a, 0), render.answer_html(a, 0)
    assert "rag-cite" not in sources and "see [2] for costs" in sources
    assert bubble.count("rag-cite") == 1


def test_chat_answer_quoting_an_article_bracket_links_only_its_own_marker(settings: Settings, fake_embedder,  # noqa: ANN001
                                                                          tmp_path: Path) -> None:
    coll = Collection.open(settings, embedder=fake_embedder)
    (tmp_path / "a.txt").write_text("Harbour reopens\n\nThe harbour of Zembla reopened on Monday, see [2] for "
                                    "the repair costs. Ships were waiting.\n")
    (tmp_path / "b.txt").write_text("Repair costs\n\nThe harbour repairs in Zembla cost four million crowns, "
                                    "officials said on Monday.\n")
    coll.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    chat = Chat(RAG(settings, collection=coll, llm=None), FeedbackLog(settings.feedback_path))
    steps = list(chat.respond("When did the harbour of Zembla reopen?", Session(), OFFLINE, 5, "", "", ""))
    bubble = steps[-1][1][-1]["content"]
    assert "see [2] for the repair costs" in bubble  # the article's bracket, as text
    assert bubble.count('class="rag-cite"') == 1 and 'href="#src-0-1"' in bubble


# --- 12c: login throttling ---------------------------------------------------------------------------
def guard(clock: Clock, **kw: float) -> LoginGuard:
    return LoginGuard("ann", "s3cret", clock=clock, failure_delay_s=0, **kw)  # type: ignore[arg-type]


def test_only_the_exact_credentials_log_in() -> None:
    g = guard(Clock(), free_failures=100)
    assert g.attempt("ann", "s3cret").ok
    for user, pw in [("ann", "s3cre"), ("ann", "s3cret "), ("Ann", "s3cret"), ("", ""), ("ann", ""), ("bob", "s3cret")]:
        assert not g.attempt(user, pw).ok, (user, pw)
    assert LoginGuard("zoë", "pässwörd", failure_delay_s=0).attempt("zoë", "pässwörd").ok


def test_comparison_is_constant_time_for_both_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth

    calls: list[tuple[bytes, bytes]] = []
    real = ui.auth.hmac.compare_digest
    monkeypatch.setattr(ui.auth.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    guard(Clock()).attempt("bob", "nope")
    assert calls == [(b"bob", b"ann"), (b"nope", b"s3cret")]  # the password is compared even for a wrong name


def test_repeated_failures_lock_the_name_until_the_wait_is_over() -> None:
    clock = Clock()
    g = guard(clock, free_failures=3, base_lock_s=2)
    for _ in range(2):
        assert not g.attempt("ann", "wrong").ok and g.locked_for("ann") == 0
    g.attempt("ann", "wrong")
    locked = g.attempt("ann", "s3cret")  # the right password, but too late
    assert not locked.ok and locked.retry_after_s == pytest.approx(2)
    clock.now += 1.9
    assert not g.attempt("ann", "s3cret").ok
    clock.now += 0.2
    assert g.attempt("ann", "s3cret").ok  # after the wait it works, and the count starts over
    for _ in range(2):
        g.attempt("ann", "wrong")
    assert g.locked_for("ann") == 0


def test_the_wait_doubles_with_each_further_failure_up_to_the_cap() -> None:
    clock = Clock()
    g = guard(clock, free_failures=3, base_lock_s=2, max_lock_s=10)
    waits = []
    for _ in range(6):
        g.attempt("ann", "wrong")
        waits.append(g.locked_for("ann"))
        clock.now += 100  # past every lock, well within forget_s
    assert waits == [0, 0, pytest.approx(2), pytest.approx(4), pytest.approx(8), pytest.approx(10)]


def test_locked_attempts_neither_check_the_password_nor_extend_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth

    clock = Clock()
    g = guard(clock, free_failures=1, base_lock_s=5)
    g.attempt("ann", "wrong")
    checked: list[object] = []
    monkeypatch.setattr(ui.auth.hmac, "compare_digest", lambda a, b: checked.append(a) or False)
    for _ in range(50):
        assert g.attempt("ann", "s3cret").retry_after_s == pytest.approx(5)
    assert checked == []


def test_one_name_locked_leaves_others_free_until_the_global_limit() -> None:
    clock = Clock()
    g = guard(clock, free_failures=2, global_free_failures=6, base_lock_s=4)
    g.attempt("mallory", "a")
    g.attempt("mallory", "b")
    assert g.attempt("mallory", "c").retry_after_s > 0
    assert g.attempt("ann", "s3cret").ok
    for i in range(4):  # a script rotating names: 2 + 4 = 6 failures in all
        g.attempt(f"user{i}", "x")
    refused = g.attempt("ann", "s3cret")
    assert not refused.ok and refused.retry_after_s == pytest.approx(4)
    clock.now += 4.1
    assert g.attempt("ann", "s3cret").ok


def test_failures_are_forgotten_after_a_quiet_while() -> None:
    clock = Clock()
    g = guard(clock, free_failures=3, forget_s=600)
    g.attempt("ann", "x")
    g.attempt("ann", "y")
    clock.now += 601
    g.attempt("ann", "z")
    assert g.attempt("ann", "s3cret").ok


def test_the_table_of_names_stays_bounded() -> None:
    import ui.auth

    g = guard(Clock(), global_free_failures=10**9)
    for i in range(ui.auth._MAX_TRACKED_NAMES + 50):
        g.attempt(f"u{i}", "x")
    assert len(g._names) == ui.auth._MAX_TRACKED_NAMES


def test_gradio_hook_waits_on_failure_and_says_how_long_when_locked() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    g = LoginGuard("ann", "s3cret", clock=Clock(), free_failures=1, base_lock_s=30, failure_delay_s=0.5, sleep=sleep)
    assert asyncio.run(g.check("ann", "wrong")) is False
    assert slept == [0.5]
    with pytest.raises(HTTPException) as info:
        asyncio.run(g.check("ann", "s3cret"))
    assert info.value.status_code == 400 and info.value.detail == "Too many failed logins: try again in 30 s."
    assert slept == [0.5]  # a locked attempt is refused at once: nothing to wait for
    assert inspect.iscoroutinefunction(g.check)  # Gradio awaits it instead of blocking its event loop


@pytest.fixture
def authed_app(settings: Settings, fake_embedder) -> Iterator[tuple[str, Clock]]:  # noqa: ANN001
    from ui.app import launch

    clock = Clock()
    s = settings.model_copy(update={"ui_auth": "ann:s3cret", "ui_port": free_port()})
    rag = RAG(s, collection=Collection.open(s, embedder=fake_embedder), llm=None)
    g = LoginGuard("ann", "s3cret", clock=clock, free_failures=3, base_lock_s=60, failure_delay_s=0)
    demo = launch(s, rag, block=False, login_guard=g)
    try:
        yield demo.local_url, clock
    finally:
        demo.close()


@pytest.mark.slow
def test_real_app_locks_out_repeated_login_failures(authed_app: tuple[str, Clock]) -> None:
    url, clock = authed_app
    with httpx.Client(base_url=url, trust_env=False) as http:
        for _ in range(3):
            r = http.post("login", data={"username": "ann", "password": "guess"})
            assert r.status_code == 400 and r.json()["detail"] == "Incorrect credentials."
        locked = http.post("login", data={"username": "ann", "password": "s3cret"})  # right password, locked out
        assert locked.status_code == 400 and "Too many failed logins: try again in 60 s" in locked.json()["detail"]
        assert http.get("config").status_code == 401
        clock.now += 61
        assert http.post("login", data={"username": "ann", "password": "s3cret"}).status_code == 200
        assert http.get("config").status_code == 200


@pytest.mark.slow
def test_launch_throttles_logins_by_default(settings: Settings, fake_embedder) -> None:  # noqa: ANN001
    from ui.app import launch

    s = settings.model_copy(update={"ui_auth": "ann:s3cret", "ui_port": free_port()})
    demo = launch(s, RAG(s, collection=Collection.open(s, embedder=fake_embedder), llm=None), block=False)
    try:
        assert "pause" in (demo.auth_message or "")  # the login page says why a right password may wait
        with httpx.Client(base_url=demo.local_url, trust_env=False, timeout=30) as http:
            for _ in range(LoginGuard("a", "b").free_failures):  # each one answered after the failure delay
                assert http.post("login", data={"username": "ann", "password": "guess"}).status_code == 400
            locked = http.post("login", data={"username": "ann", "password": "s3cret"})
            assert locked.status_code == 400 and "Too many failed logins" in locked.json()["detail"]
    finally:
        demo.close()


# --- in a real browser ---------------------------------------------------------------------------------
@pytest.fixture
def browser_page(settings: Settings, fake_embedder, gradio_tmp: Path) -> Iterator[tuple[object, Settings]]:  # noqa: ANN001
    from ui.app import launch

    with chromium() as b:
        s = settings.model_copy(update={"max_file_mb": LIMIT_MB, "ui_port": free_port()})
        demo = launch(s, RAG(s, collection=Collection.open(s, embedder=fake_embedder), llm=None), block=False)
        try:
            pg = b.new_page(viewport={"width": 1440, "height": 960})
            pg.goto(demo.local_url)
            pg.get_by_role("tab", name="Collection").click()
            yield pg, s
        finally:
            demo.close()


@pytest.mark.browser
@pytest.mark.slow
def test_browser_upload_over_the_limit_is_refused_and_nothing_shows_a_server_path(
        browser_page: tuple[object, Settings], tmp_path: Path, gradio_tmp: Path) -> None:
    pg, s = browser_page
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 20 * 1024)
    pg.set_input_files("#rag-upload input[type=file]", str(big))  # type: ignore[attr-defined]
    # Gradio's page checks max_file_size before sending (the server's 413 is the test above)
    pg.wait_for_function(  # type: ignore[attr-defined]
        "document.body.innerText.includes('exceed the maximum allowed size')", timeout=20_000)
    assert "big.txt" in pg.inner_text("body")  # type: ignore[attr-defined]
    assert not [p for p in gradio_tmp.rglob("*") if p.is_file()]
    assert not (s.home / "uploads" / "big.txt").exists()

    empty = tmp_path / "empty story.txt"  # (Gradio strips <>" from upload names itself)
    empty.write_bytes(b"   \n\n   \n")
    pg.reload()  # type: ignore[attr-defined]
    pg.get_by_role("tab", name="Collection").click()  # type: ignore[attr-defined]
    pg.set_input_files("#rag-upload input[type=file]", str(empty))  # type: ignore[attr-defined]
    pg.wait_for_selector("#rag-upload :text('story')")  # type: ignore[attr-defined]
    pg.click("#rag-add")  # type: ignore[attr-defined]
    pg.wait_for_function("document.querySelector('#rag-ingest').innerText.includes('failed')",  # type: ignore[attr-defined]
                         timeout=60_000)
    pg.wait_for_function("!document.querySelector('#rag-upload a[href*=\"file=\"]')")  # type: ignore[attr-defined]
    assert "empty story.txt" in pg.inner_text("#rag-ingest")  # type: ignore[attr-defined]
    page_html = pg.content()  # type: ignore[attr-defined]
    for path in (str(s.home), os.path.realpath(s.home), str(gradio_tmp), str(tmp_path)):
        assert path not in page_html
    assert not (s.home / "uploads" / empty.name).exists() and not [p for p in gradio_tmp.rglob("*") if p.is_file()]


# --- messages: escaped, and without the data directory's path ------------------------------------------
def test_two_uploads_with_one_name_do_not_overwrite_each_other(lib: Library, gradio_tmp: Path) -> None:
    a = gradio_upload(gradio_tmp, "story.txt", STORY.encode())
    b = gradio_upload(gradio_tmp, "story.txt", STORY.replace("Monday", "Friday").encode())
    with pytest.warns(UserWarning, match="same name"):
        html = add(lib, a, b)
    assert "1 added" in html and "1 failed" in html and "same name" in html
    assert (uploads_dir(lib) / "story.txt").read_text() == STORY and not a.exists() and not b.exists()


def test_toasts_show_markup_as_text(settings: Settings, fake_embedder) -> None:  # noqa: ANN001
    chat = Chat(RAG(settings, collection=Collection.open(settings, embedder=fake_embedder), llm=None),
                FeedbackLog(settings.feedback_path))
    with pytest.warns(UserWarning) as caught:
        list(chat.respond("Which town?", Session(), OFFLINE, 5, "", '<img src="https://t.example/p.gif">', ""))
    message = str(caught[0].message)
    assert "Published from" in message and "<img" not in message and "&lt;img" in message


def test_store_errors_in_the_page_hide_the_data_directory(settings: Settings, fake_embedder,  # noqa: ANN001
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.errors import StoreError

    coll = Collection.open(settings, embedder=fake_embedder)
    chat = Chat(RAG(settings, collection=coll, llm=None), FeedbackLog(settings.feedback_path))
    broken = StoreError(f"{settings.home / 'articles.sqlite3'} is damaged; run `rag reindex`")

    def fail(*a: object, **k: object) -> None:
        raise broken

    monkeypatch.setattr(chat.rag, "stream", fail)
    monkeypatch.setattr(coll.db, "list_articles", fail)
    with pytest.warns(UserWarning) as caught:
        steps = list(chat.respond("Which town?", Session(), OFFLINE, 5, "", "", ""))
        table, _ = Library(coll).listing("")
    shown = steps[-1][1][-1]["content"] + table + " ".join(str(w.message) for w in caught)
    assert "$RAG_HOME/articles.sqlite3 is damaged" in shown and str(settings.home) not in shown


@pytest.mark.browser
@pytest.mark.slow
def test_browser_toasts_show_markup_as_text(browser_page: tuple[object, Settings]) -> None:
    pg, _ = browser_page
    pg.get_by_role("tab", name="Chat").click()  # type: ignore[attr-defined]
    pg.get_by_label("Published from").fill('<img id="rag-probe" src="x">')  # type: ignore[attr-defined]
    pg.fill("#rag-question textarea", "Which town did the rebels capture?")  # type: ignore[attr-defined]
    pg.click("#rag-ask")  # type: ignore[attr-defined]
    toast = pg.locator("[data-testid='toast-body']").first  # type: ignore[attr-defined]
    toast.wait_for(timeout=20_000)
    assert '<img id="rag-probe" src="x">' in toast.inner_text()
    assert pg.locator("#rag-probe").count() == 0  # type: ignore[attr-defined]
