"""Deterministic crash points for the kill demo: the process SIGKILLs itself at a named step.

``PEDIDOS_CRASH_AT=after-produce`` (and ``PEDIDOS_CRASH_AFTER=N`` to let N-1 passes through first) makes the
N-th arrival at that step a hard kill: no flush, no abort, no close, exactly as if the machine lost power.
"""

from __future__ import annotations

import logging
import os
import signal

CRASH_POINTS = ("after-consume", "after-produce", "after-send-offsets", "after-commit", "after-db-commit")
log = logging.getLogger(__name__)


class CrashPoints:
    def __init__(self, crash_at: str | None, crash_after: int = 1) -> None:
        if crash_at is not None and crash_at not in CRASH_POINTS:
            raise ValueError(f"unknown crash point {crash_at!r}; choose one of {', '.join(CRASH_POINTS)}")
        self.crash_at = crash_at
        self.remaining = crash_after

    def reach(self, point: str) -> None:
        if point != self.crash_at:
            return
        self.remaining -= 1
        if self.remaining > 0:
            return
        log.warning("crash point reached: SIGKILL", extra={"crash_point": point})
        for handler in logging.getLogger().handlers:
            handler.flush()
        os.kill(os.getpid(), signal.SIGKILL)
