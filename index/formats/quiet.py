"""A library's own log lines sent to our debug log while we call it (``quiet``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _ToDebug(logging.Handler):
    def __init__(self, name: str, into: logging.Logger) -> None:
        super().__init__()
        self.library, self.into = name, into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.debug("%s %s: %s", self.library, record.levelname.lower(), record.getMessage())


class Quiet:
    """While in use, the log lines of the library logger ``name`` go to ``into``'s debug log, not to
    the user's terminal beside the line that already says what is wrong (pypdf's "EOF marker not
    found", trafilatura's "discarding data: None"). Counted, so that threads parsing at once (feed
    fetches) leave the logger as they found it."""

    def __init__(self, name: str, into: logging.Logger) -> None:
        self.logger = logging.getLogger(name)
        self.handler = _ToDebug(name, into)
        self.lock = threading.Lock()
        self.users = 0
        self.propagate = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.users == 0:
                self.propagate = self.logger.propagate
                self.logger.addHandler(self.handler)
                self.logger.propagate = False
            self.users += 1
        try:
            yield
        finally:
            with self.lock:
                self.users -= 1
                if self.users == 0:
                    self.logger.removeHandler(self.handler)
                    self.logger.propagate = self.propagate
