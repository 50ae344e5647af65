"""The drills' fault hooks in the runtime: freeze (SIGSTOP) at a crash point once, and a slow poll once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from processors.runtime.crash import CRASH_SIGNAL_ENV, SLOW_MS_ENV, CrashPoints

REPO = Path(__file__).resolve().parents[2]

# Reaches after-produce three times; the second arrival freezes the process (crash_after=2).
SNIPPET = textwrap.dedent(
    """
    from processors.runtime.crash import CrashPoints

    points = CrashPoints("after-produce", crash_after=2)
    for arrival in range(1, 4):
        print(f"arriving {arrival}", flush=True)
        points.reach("after-produce")
        print(f"survived {arrival}", flush=True)
    """
)


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(") ", 1)[1][0]


def test_with_the_stop_signal_the_process_freezes_once_and_carries_on_after_sigcont():
    child = subprocess.Popen(
        [sys.executable, "-c", SNIPPET],
        cwd=REPO,
        env={**os.environ, CRASH_SIGNAL_ENV: "STOP"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while _state(child.pid) != "T":
            assert child.poll() is None, "exited instead of freezing"
            assert time.monotonic() < deadline, "never froze"
            time.sleep(0.05)  # between probes of the child's state, under the deadline
        os.kill(child.pid, signal.SIGCONT)
        out, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGCONT)
            child.kill()
    assert child.returncode == 0
    # Frozen at the second arrival, then every later arrival passes: a zombie only freezes once.
    assert out.splitlines() == [
        "arriving 1",
        "survived 1",
        "arriving 2",
        "survived 2",
        "arriving 3",
        "survived 3",
    ]


def test_an_unknown_crash_signal_is_refused():
    with pytest.raises(ValueError, match="unknown crash signal"):
        CrashPoints(None, crash_signal="HUP")


def test_the_slow_fault_sleeps_once_at_its_point_and_only_inside_an_open_transaction():
    naps: list[float] = []
    points = CrashPoints(None, slow_ms=1500, slow_at="after-consume")
    points.sleep = naps.append
    open_transaction = False
    points.mid_transaction = lambda: open_transaction
    points.reach("after-consume")  # nothing open yet: not now
    points.reach("after-produce")  # another point: never
    open_transaction = True
    points.reach("after-consume")
    points.reach("after-consume")  # once only
    assert naps == [1.5]


def test_the_slow_fault_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv(SLOW_MS_ENV, "250")
    points = CrashPoints(None)
    assert (points.slow_ms, points.slow_at) == (250, "after-consume")
    monkeypatch.delenv(SLOW_MS_ENV)
    assert CrashPoints(None).slow_ms == 0
