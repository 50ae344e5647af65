"""Waiting on a condition with a deadline: the only way these tests synchronise with the system."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(condition: Callable[[], Any], timeout_s: float = 20, what: str = "condition") -> Any:
    """Polls until the condition returns something truthy, which it returns; fails at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout_s} s")
        time.sleep(0.1)  # between probes, under the deadline
