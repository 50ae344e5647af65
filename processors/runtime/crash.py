"""Deterministic crash points for the kill demo: the process SIGKILLs itself at a named step.

``PEDIDOS_CRASH_AT=after-produce`` (and ``PEDIDOS_CRASH_AFTER=N`` to let N-1 passes through first) makes the
N-th arrival at that step a hard kill: no commit, no abort, no close, as if the machine lost power (only a
flush first, so what the open transaction produced is really in the broker's log, to be seen aborted).

The failure drills (`pedidos chaos <scenario>`) add two faults of the same kind, read from the environment
of the one process a drill starts with them (they are drill knobs, not settings anyone tunes):
- ``PEDIDOS_CRASH_SIGNAL=STOP``: at the crash point the process freezes (SIGSTOP) instead of dying, once;
  after a SIGCONT it carries on as if nothing happened - the zombie of the ``zombie`` drill;
- ``PEDIDOS_FAULT_SLOW_MS=N`` (at ``PEDIDOS_FAULT_SLOW_AT``, by default after-consume): once, with a
  transaction open, the process stops polling for N ms - a handler slower than ``max.poll.interval.ms``.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable

CRASH_POINTS = ("after-consume", "after-produce", "after-send-offsets", "after-commit", "after-db-commit")
PER_RECORD_POINTS = ("after-consume",)
CRASH_SIGNAL_ENV = "PEDIDOS_CRASH_SIGNAL"
SLOW_MS_ENV = "PEDIDOS_FAULT_SLOW_MS"
SLOW_AT_ENV = "PEDIDOS_FAULT_SLOW_AT"
CRASH_SIGNALS = {"KILL": signal.SIGKILL, "STOP": signal.SIGSTOP}
log = logging.getLogger(__name__)


class CrashPoints:
    def __init__(
        self,
        crash_at: str | None,
        crash_after: int = 1,
        *,
        crash_signal: str | None = None,
        slow_ms: int | None = None,
        slow_at: str | None = None,
    ) -> None:
        if crash_at is not None and crash_at not in CRASH_POINTS:
            raise ValueError(f"unknown crash point {crash_at!r}; choose one of {', '.join(CRASH_POINTS)}")
        self.crash_at = crash_at
        self.remaining = crash_after
        signal_name = (crash_signal or os.environ.get(CRASH_SIGNAL_ENV) or "KILL").upper()
        if signal_name not in CRASH_SIGNALS:
            raise ValueError(
                f"unknown crash signal {signal_name!r}; choose one of {', '.join(CRASH_SIGNALS)}"
            )
        self.signal = CRASH_SIGNALS[signal_name]
        self.slow_ms = slow_ms if slow_ms is not None else int(os.environ.get(SLOW_MS_ENV) or 0)
        self.slow_at = slow_at or os.environ.get(SLOW_AT_ENV) or "after-consume"
        if self.slow_at not in CRASH_POINTS:
            raise ValueError(f"unknown slow point {self.slow_at!r}; choose one of {', '.join(CRASH_POINTS)}")
        # Called just before the kill: the loop flushes, or the open transaction's output could still sit in
        # the client's buffer and a class would see no aborted record for a crash that did interrupt one.
        self.before_kill: Callable[[], object] = lambda: None
        # The per-record points only count arrivals inside a transaction that already produced something,
        # so the kill interrupts real work (at a transaction's first record there is nothing open yet).
        self.mid_transaction: Callable[[], bool] = lambda: True
        self.sleep: Callable[[float], None] = time.sleep  # the slow fault itself; replaceable in tests

    def reach(self, point: str) -> None:
        self._maybe_slow(point)
        if point != self.crash_at:
            return
        if point in PER_RECORD_POINTS and not self.mid_transaction():
            return
        self.remaining -= 1
        if self.remaining > 0:
            return
        self.before_kill()
        if self.signal == signal.SIGSTOP:
            self.crash_at = None  # freeze once: after SIGCONT this is an ordinary (if late) instance
            log.warning("crash point reached: SIGSTOP", extra={"crash_point": point})
            _flush_logs()
            os.kill(os.getpid(), signal.SIGSTOP)
            log.warning("resumed after SIGSTOP", extra={"crash_point": point})
            return
        log.warning("crash point reached: SIGKILL", extra={"crash_point": point})
        _flush_logs()
        os.kill(os.getpid(), signal.SIGKILL)

    def _maybe_slow(self, point: str) -> None:
        if self.slow_ms <= 0 or point != self.slow_at:
            return
        if point in PER_RECORD_POINTS and not self.mid_transaction():
            return  # slow with a transaction open, as a stuck handler would be
        slow_ms, self.slow_ms = self.slow_ms, 0  # once
        log.warning("fault injected: slow processing", extra={"fault_slow_ms": slow_ms, "point": point})
        _flush_logs()
        self.sleep(slow_ms / 1000)
        log.warning("fault over: processing resumes", extra={"fault_slow_ms": slow_ms, "point": point})


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
