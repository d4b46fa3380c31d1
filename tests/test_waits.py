"""Ctrl-C reaches a main thread that waits, whichever thread the kernel delivers it to (``index.waits``).

CI once saw `rag watch`'s second Ctrl-C handled only after a slow server answered, 100 s later
(tests/test_feeds_newuser.py): the main thread blocked in ``Queue.get()`` while the signal went to
the thread fetching the page. ``signal.pthread_kill`` delivers it to a chosen thread, so these tests
reproduce that delivery on every run instead of once in a while under load."""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable

import pytest

from index import waits
from index.pipeline import _Stage


def _handler_saw_release(wait: Callable[[], object], release: Callable[[], None], *, after: float,
                         interrupt: bool) -> list[bool]:
    """Run ``wait`` in the main thread while a bystander thread, sitting in a blocking call, gets
    SIGINT (as the kernel may choose). ``release`` ends the wait ``after`` seconds later whatever
    happens (so a failure is a failed assertion, not a hung suite). Returns, per run of the SIGINT
    handler, whether the release had come by then; with ``interrupt`` the handler raises
    KeyboardInterrupt, which is what ends a wait before its release."""
    seen: list[bool] = []
    released = threading.Event()
    done = threading.Event()

    def handler(_signum: int, _frame: object) -> None:
        seen.append(released.is_set())
        if interrupt and not released.is_set():
            raise KeyboardInterrupt

    bystander = threading.Thread(target=lambda: done.wait(120), daemon=True)
    bystander.start()

    def kick() -> None:
        signal.pthread_kill(bystander.ident, signal.SIGINT)  # type: ignore[arg-type]
        if not done.wait(after):
            released.set()
            release()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        threading.Timer(0.3, kick).start()
        try:
            wait()
        except KeyboardInterrupt:
            pass
        while not seen and not released.is_set():  # a wait that ended otherwise: let the kick land
            done.wait(0.05)
    finally:
        done.set()
        signal.signal(signal.SIGINT, previous)
    return seen


def test_a_plain_queue_get_is_not_interrupted_by_a_signal_delivered_to_another_thread() -> None:
    """The premise: without slices the handler runs only once the wait is over (the item came)."""
    q: queue.Queue[int] = queue.Queue()
    assert _handler_saw_release(q.get, lambda: q.put(1), after=1.0, interrupt=False) == [True]


@pytest.mark.parametrize("kind", ["get", "acquire", "wait", "wait-timeout"])
def test_a_sliced_wait_is_interrupted_by_a_signal_delivered_to_another_thread(kind: str) -> None:
    q: queue.Queue[int] = queue.Queue()
    lock = threading.Lock()
    lock.acquire()
    event = threading.Event()
    wait, release = {
        "get": (lambda: waits.get(q), lambda: q.put(1)),
        "acquire": (lambda: waits.acquire(lock), lock.release),
        "wait": (lambda: waits.wait(event), event.set),
        "wait-timeout": (lambda: waits.wait(event, 3600), event.set),
    }[kind]
    assert _handler_saw_release(wait, release, after=30.0, interrupt=True) == [False]


def test_wait_returns_whether_the_event_was_set() -> None:
    event = threading.Event()
    assert waits.wait(event, 0.05) is False
    assert waits.wait(event, 0) is False
    event.set()
    assert waits.wait(event, 0) is True and waits.wait(event) is True


def test_the_pipeline_threads_leave_ctrl_c_to_the_main_thread() -> None:
    masks: list[set[signal.Signals]] = []
    stage = _Stage(lambda: masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])), "probe")
    stage.start()
    stage.join()
    assert {signal.SIGINT, signal.SIGTERM} <= masks[0]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the main thread's own is untouched
    waits.leave_signals_to_main()  # in the main thread: nothing blocked
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_the_feed_fetch_pool_leaves_ctrl_c_to_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import load
    from index.feeds import FeedItem

    monkeypatch.setattr(load, "load_feed_item",
                        lambda item, settings: iter([signal.pthread_sigmask(signal.SIG_BLOCK, [])]))
    items = [FeedItem(link=f"https://example.org/{n}", key=str(n), stamp="1") for n in range(3)]
    results = list(load.load_feed_items(items, settings=None, workers=2))  # type: ignore[arg-type]
    assert len(results) == 3 and all(signal.SIGINT in masks[0] for _, masks in results)
