"""Crash points: a hard SIGKILL at the N-th arrival at a named step, and nowhere else."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from processors.runtime.crash import CRASH_POINTS, CrashPoints

REPO = Path(__file__).resolve().parents[4]

# Prints a marker before and after each arrival: stdout shows exactly which arrival killed the process.
SNIPPET = textwrap.dedent(
    """
    import sys
    from processors.runtime.crash import CRASH_POINTS, CrashPoints

    target = sys.argv[1]
    points = CrashPoints(target, crash_after=int(sys.argv[2]))
    for arrival in range(1, 6):
        for other in CRASH_POINTS:
            if other != target:
                points.reach(other)  # never fires, never counts
        print(f"arriving {arrival}", flush=True)
        points.reach(target)
        print(f"survived {arrival}", flush=True)
    print("never crashed", flush=True)
    """
)


def _run(crash_at: str, crash_after: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SNIPPET, crash_at, str(crash_after)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unknown_point_is_refused():
    with pytest.raises(ValueError, match="unknown crash point 'after-lunch'"):
        CrashPoints("after-lunch")


def test_no_crash_point_never_fires():
    points = CrashPoints(None)
    for point in (*CRASH_POINTS, "anything"):
        for _ in range(5):
            points.reach(point)


def test_other_points_never_fire_nor_count():
    points = CrashPoints("after-commit", crash_after=2)
    for point in CRASH_POINTS:
        if point != "after-commit":
            for _ in range(5):
                points.reach(point)
    assert points.remaining == 2
    points.reach("after-commit")  # the first of two arrivals: survives
    assert points.remaining == 1


def test_the_first_arrival_is_a_sigkill_by_default():
    result = _run("after-produce", 1)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert result.stdout.splitlines() == ["arriving 1"]


def test_with_crash_after_three_it_survives_two_arrivals_and_dies_at_the_third():
    result = _run("after-send-offsets", 3)
    assert result.returncode == -9, result.stderr
    assert result.stdout.splitlines() == [
        "arriving 1",
        "survived 1",
        "arriving 2",
        "survived 2",
        "arriving 3",
    ]
