"""Run a slow generator on a thread of its own, so the handler that streams it stays stoppable.

Gradio stops a streaming handler (Stop, ``cancels=``) by closing its generator, which Python allows
only while the generator is suspended at a ``yield``; while it runs (``next`` blocked in a model
that reads its prompt for 20 s and more on a small CPU) the close fails with "generator already
executing", and Gradio retries it. Measured with a model that thinks 6 s before its first word
(tests/test_ui_local_stop.py): Stop pressed while it thought showed "Stopped", and then Ask and Enter
did nothing (the page still took the stopped answer for running) until New chat or a reload (new
user 28, with the local model, 3 times of 3). :func:`polled` runs the source on a worker thread and
hands its items over through a queue; while none comes it yields :data:`IDLE` every ``every``
seconds, so the handler is suspended at a ``yield`` many times a second and closes at once. The
close sets the worker's stop event, which the source reads through :mod:`rag.cancel` (the local
model gives up between two steps of its computation, its prompt half read); the worker stops before
the source's next item and closes the source on its own thread, which frees what the source holds
(the local model's lock: the next question does not wait for the stopped answer).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from rag.cancel import stoppable

T = TypeVar("T")

IDLE: Any = object()  # nothing new yet: the consumer may yield (and so be stopped) and wait on
_END = object()


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def polled(source: Callable[[], Iterable[T]], *, every: float = 0.2, name: str = "ui-stream") -> Iterator[T]:
    """The items of ``source()``, made and read on a worker thread, with :data:`IDLE` in between
    whenever ``every`` seconds pass without one. An exception of the source is raised here, in the
    consumer. Closing this generator (or its being collected) stops the worker at the source's next
    item, and the worker closes the source (its ``finally`` blocks run on the worker's thread)."""
    items: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        with stoppable(stop):  # a model call that can give up part-way reads it (rag.cancel)
            _drain(source, items, stop)

    threading.Thread(target=work, name=name, daemon=True).start()
    try:
        while True:
            try:
                item = items.get(timeout=every)
            except queue.Empty:
                yield IDLE
                continue
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()


def _drain(source: Callable[[], Iterable[T]], items: queue.Queue[Any], stop: threading.Event) -> None:
    """The worker: ``source()``'s items into ``items`` until it ends or ``stop`` is set, then
    :data:`_END`; an exception goes to the consumer. The source is closed here, on its own thread."""
    it: Iterator[T] | None = None
    try:
        it = iter(source())
        for item in it:
            if stop.is_set():
                break
            items.put(item)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
        items.put(_Raised(exc))
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
        items.put(_END)
