"""A stop request that reaches a model call running on another thread.

Closing a generator stops it only at its next ``yield``; a model that reads its prompt for 20 s and
more on a small CPU yields nothing all that while, so a stopped answer kept the CPU, and the model,
until its first word. The code that can be stopped (the chat's answer stream, ``ui.background``)
runs the call inside :func:`stoppable` with an event it sets on Stop; a model call that can give up
part-way (the in-process llama.cpp answerer, between two steps of its computation) reads the event
with :func:`requested` where it starts. Nothing else needs to know: without :func:`stoppable`,
:func:`requested` is None and a call runs to its end as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_STOP: ContextVar[threading.Event | None] = ContextVar("rag_stop", default=None)


@contextmanager
def stoppable(stop: threading.Event) -> Iterator[threading.Event]:
    """Calls made (on this thread) inside the block can be stopped by setting ``stop``."""
    token = _STOP.set(stop)
    try:
        yield stop
    finally:
        _STOP.reset(token)


def requested() -> threading.Event | None:
    """The event that stops the current call when set, or None when nothing can stop it."""
    return _STOP.get()
