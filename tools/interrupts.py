"""`kill <pid>` cleans up like Ctrl-C: every `pedidos` command turns SIGTERM into an unwinding exception."""

from __future__ import annotations

import signal
from types import FrameType


def unwind_on_sigterm() -> None:
    """SIGTERM raises SystemExit(143), so every `finally` stops what it started: the drills' processors, the
    lab's cluster, a benchmark's topics. Python's default SIGTERM ends the process on the spot and leaves them
    running. Long-lived commands with a shutdown of their own (a processor, the supervisor) install theirs."""
    signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
