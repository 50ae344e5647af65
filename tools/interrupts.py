"""`kill <pid>` cleans up like Ctrl-C for the commands that start processes or clusters of their own."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Inside: SIGTERM raises SystemExit(143), so every `finally` stops what it started (Python's default
    SIGTERM ends the process on the spot and leaves children and clusters running)."""
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
