"""Deterministic crash points for the kill demo: the process SIGKILLs itself at a named step.

``PEDIDOS_CRASH_AT=after-produce`` (and ``PEDIDOS_CRASH_AFTER=N`` to let N-1 passes through first) makes the
N-th arrival at that step a hard kill: no commit, no abort, no close, as if the machine lost power (only a
flush first, so what the open transaction produced is really in the broker's log, to be seen aborted).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable

CRASH_POINTS = ("after-consume", "after-produce", "after-send-offsets", "after-commit", "after-db-commit")
PER_RECORD_POINTS = ("after-consume", "after-db-commit")
log = logging.getLogger(__name__)


class CrashPoints:
    def __init__(self, crash_at: str | None, crash_after: int = 1) -> None:
        if crash_at is not None and crash_at not in CRASH_POINTS:
            raise ValueError(f"unknown crash point {crash_at!r}; choose one of {', '.join(CRASH_POINTS)}")
        self.crash_at = crash_at
        self.remaining = crash_after
        # Called just before the kill: the loop flushes, or the open transaction's output could still sit in
        # the client's buffer and a class would see no aborted record for a crash that did interrupt one.
        self.before_kill: Callable[[], object] = lambda: None
        # The per-record points only count arrivals inside a transaction that already produced something,
        # so the kill interrupts real work (at a transaction's first record there is nothing open yet).
        self.mid_transaction: Callable[[], bool] = lambda: True

    def reach(self, point: str) -> None:
        if point != self.crash_at:
            return
        if point in PER_RECORD_POINTS and not self.mid_transaction():
            return
        self.remaining -= 1
        if self.remaining > 0:
            return
        self.before_kill()
        log.warning("crash point reached: SIGKILL", extra={"crash_point": point})
        for handler in logging.getLogger().handlers:
            handler.flush()
        os.kill(os.getpid(), signal.SIGKILL)
