"""Basic-auth login for the UI with brute-force throttling (Gradio's ``auth=`` hook).

Gradio's own ``auth=(user, password)`` lets a script try passwords as fast as the server answers.
:class:`LoginGuard` is the callable we pass instead. It compares with ``hmac.compare_digest``
(username and password both, so timing says nothing about either) and counts failures:

* per username: after ``free_failures`` wrong tries the name is locked for ``base_lock_s`` seconds,
  doubling with every further failure (capped at ``max_lock_s``); a successful login clears the count;
* globally: the same with higher numbers, for a script that rotates usernames.

While a name (or everything) is locked every attempt is refused without checking the password, so
a locked-out guess learns nothing; the refusal says how long to wait.
Locked attempts do not extend the lock. Counts are forgotten after ``forget_s`` without failures.
Each failure also waits ``failure_delay_s`` before answering, on the event loop (Gradio awaits a
coroutine hook), so no server thread sleeps.

>>> guard = LoginGuard("ann", "s3cret", failure_delay_s=0)
>>> guard.attempt("ann", "s3cret").ok
True
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException

log = logging.getLogger(__name__)

_MAX_TRACKED_NAMES = 4096  # usernames are attacker-chosen: bound the table


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retry_after_s: float = 0.0  # > 0: locked, the credentials were not checked


@dataclass
class _Count:
    failures: int = 0
    last_failure: float = float("-inf")
    locked_until: float = float("-inf")


class LoginGuard:
    """The ``auth`` hook for ``gr.Blocks.launch`` (pass ``guard.check``): constant-time check plus lockout."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        free_failures: int = 5,
        global_free_failures: int = 30,
        base_lock_s: float = 2.0,
        max_lock_s: float = 900.0,
        forget_s: float = 3600.0,
        failure_delay_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._user = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self.free_failures = free_failures
        self.global_free_failures = global_free_failures
        self.base_lock_s = base_lock_s
        self.max_lock_s = max_lock_s
        self.forget_s = forget_s
        self.failure_delay_s = failure_delay_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._names: OrderedDict[str, _Count] = OrderedDict()
        self._global = _Count()

    # --- the decision (synchronous, deterministic with an injected clock) -------------------
    def attempt(self, username: str, password: str) -> Verdict:
        """Check one login and update the counters."""
        now = self._clock()
        with self._lock:
            mine = self._names.get(username) or _Count()
            wait = max(self._global.locked_until, mine.locked_until) - now
            if wait > 0:
                return Verdict(False, wait)
            # both compared, no short-circuit: the time taken does not reveal which one was wrong
            user_ok = hmac.compare_digest(username.encode("utf-8"), self._user)
            password_ok = hmac.compare_digest(password.encode("utf-8"), self._password)
            if user_ok and password_ok:
                self._names.pop(username, None)
                return Verdict(True)
            self._fail(mine, now, self.free_failures)
            self._fail(self._global, now, self.global_free_failures)
            self._names[username] = mine
            self._names.move_to_end(username)
            while len(self._names) > _MAX_TRACKED_NAMES:
                self._names.popitem(last=False)
        if mine.locked_until > now or self._global.locked_until > now:
            log.warning("UI login: %d failures for %r (%d in all); locked for %.0f s", mine.failures, username,
                        self._global.failures, max(mine.locked_until, self._global.locked_until) - now)
        return Verdict(False)

    def locked_for(self, username: str) -> float:
        """Seconds until ``username`` may try again (0: now); changes nothing."""
        with self._lock:
            mine = self._names.get(username) or _Count()
            return max(0.0, max(self._global.locked_until, mine.locked_until) - self._clock())

    def _fail(self, count: _Count, now: float, free: int) -> None:
        if now - count.last_failure > self.forget_s:
            count.failures = 0
        count.failures += 1
        count.last_failure = now
        if count.failures >= free:
            count.locked_until = now + min(self.max_lock_s, self.base_lock_s * 2 ** (count.failures - free))

    # --- the Gradio hook ---------------------------------------------------------------------
    async def check(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` hook (a coroutine, so the failure delay does not hold a thread).

        A locked-out attempt raises a 400 whose detail says how long to wait (scripts read it). It stays
        a 400, not a 429: Gradio's login page shows its "incorrect credentials" line only for a 400 and
        nothing at all for other codes; the page's ``auth_message`` explains the lockout instead."""
        verdict = self.attempt(username, password)
        if verdict.ok:
            return True
        if verdict.retry_after_s > 0:
            secs = max(1, round(verdict.retry_after_s))
            raise HTTPException(status_code=400, detail=f"Too many failed logins: try again in {secs} s.")
        if self.failure_delay_s > 0:
            await self._sleep(self.failure_delay_s)
        return False


LOGIN_MESSAGE = ("<p>After several wrong passwords, logins under that name pause for a while "
                 "(longer with each further failure).</p>")
