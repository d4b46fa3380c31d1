"""Waits that a Ctrl-C can end, and worker threads that leave Ctrl-C to the main thread.

CPython runs signal handlers in the main thread only, and a blocking wait there (``Queue.get``,
``Lock.acquire``, ``Event.wait`` with a long timeout) ends early only when the kernel delivered
the signal to the main thread itself. The kernel may pick another thread of the process (one
fetching a page from a slow server, say): the handler then runs only when the main thread's wait
ends for another reason. That is how a second Ctrl-C of `rag watch` waited 100 s for a slow
server in CI (tests/test_waits.py reproduces the delivery with ``signal.pthread_kill``).

So the main thread waits in short slices (``get``, ``acquire``, ``wait``), and the threads we start
block SIGINT and SIGTERM (``leave_signals_to_main``), so the kernel hands those to the main thread
whenever it can (threads started by libraries, Chroma's or torch's, are not ours to change). A
process started from such a thread would inherit the blocked signals: none of ours starts one.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from typing import TypeVar

T = TypeVar("T")

#: The longest a main-thread wait goes without letting a pending signal handler run. Short enough
#: that Ctrl-C feels immediate, long enough to cost nothing (5 wake-ups a second).
SLICE = 0.2

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def get(q: queue.Queue[T]) -> T:
    """``q.get()``, woken every ``SLICE`` so a Ctrl-C is handled while it waits."""
    while True:
        try:
            return q.get(timeout=SLICE)
        except queue.Empty:
            continue


def acquire(lock: threading.Lock) -> None:
    """``lock.acquire()``, woken every ``SLICE`` (see ``get``)."""
    while not lock.acquire(timeout=SLICE):
        pass


def wait(event: threading.Event, timeout: float | None = None) -> bool:
    """``event.wait(timeout)``, woken every ``SLICE`` (see ``get``); True when the event is set."""
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = SLICE if end is None else min(SLICE, end - time.monotonic())
        if left <= 0:
            return event.is_set()
        if event.wait(left):
            return True


def leave_signals_to_main() -> None:
    """Block SIGINT and SIGTERM in the calling thread (a worker we start): the kernel then delivers
    them to the main thread, whose handler runs at once. Does nothing in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
