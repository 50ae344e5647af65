"""CPU seconds (user + system, all threads) of this process, of a child, and of the broker(s)."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Sequence

from tools.bench.producer_cases import cpu_seconds_from_stat

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def self_cpu_s() -> float:
    """This process, librdkafka's threads included (microsecond resolution)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_s(pid: int) -> float | None:
    """Any process we may read /proc of (10 ms resolution); None once it is gone. An exited but unreaped
    child still answers, with its final figures."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return cpu_seconds_from_stat(f.read(), TICKS_PER_S)
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def sampler(pids: Sequence[int] | None) -> Callable[[], float | None]:
    """Summed CPU of a fixed set of processes (the broker nodes); None when a pid is unknown or gone."""

    def sample() -> float | None:
        if not pids:
            return None
        values = [process_cpu_s(pid) for pid in pids]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    return sample


def delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before
