"""The arithmetic of a drill, with no Kafka or database: faults, lag samples, recovery, per-second series.

Definitions the report states (and the tests pin down):
- lag of a processor group: over its input partitions, log end offset minus the group's committed offset
  (transaction markers take offsets too, so a caught-up group shows a few records, never zero);
- baseline: the highest total lag (all groups) sampled in the last seconds of the warm-up, before the
  scenario starts injecting;
- a fault ends when its cause is removed: the killed process restarted, SIGCONT sent, the broker, database or
  registry healthy again (an instantaneous fault - poison - ends where it starts);
- recovery time: from a fault's end to the first sample from which the total lag stays at or under the
  level it had when the fault began (never below the baseline) for HOLD_S seconds, or until the next fault
  begins or the load stops if that comes sooner; None when that never happened in that window. "Stays", not
  "touches": an outage that holds the input back (checkouts wait while PostgreSQL is down) leaves little lag
  at its end and a backlog that arrives just after, and the fault is only over once that backlog is worked
  off. The level at the fault's start, not the warm-up's, keeps a load the machine cannot keep up with (the
  lag grows anyway) from hiding every recovery.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Fault:
    id: int
    kind: str  # sigkill, crash-point, sigstop, broker-hard, broker-clean, db-outage, ..., or exit (observed)
    target: str  # payment-0, kafka-1, postgres, registry, orders.new, ...
    detail: str
    start_s: float  # seconds since the load started
    end_s: float | None = None
    injected: bool = True  # False: something the drill saw happen (a process exiting), not something it did
    recovery_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Sample:
    t_s: float
    lag: dict[str, int] | None  # group -> lag; None when the cluster did not answer

    @property
    def total(self) -> int | None:
        return None if self.lag is None else sum(self.lag.values())


@dataclass
class Peak:
    lag: int = 0
    at_s: float | None = None
    by_group: dict[str, int] = field(default_factory=dict)


HOLD_S = 10.0  # the lag on this machine swings by a few hundred records from second to second


def baseline_lag(samples: Sequence[Sample], warmup_s: float, window_s: float = 10) -> int:
    """Highest total lag in the `window_s` before the warm-up ends (0 with no such sample)."""
    end = warmup_s
    totals = [s.total for s in samples if end - window_s <= s.t_s < end and s.total is not None]
    return max(totals, default=0)


def recovery_seconds(
    samples: Sequence[Sample], end_s: float, level: int, until_s: float, hold_s: float = HOLD_S
) -> float | None:
    """Seconds from ``end_s`` to the first sample before ``until_s`` from which every sample for ``hold_s``
    (but not at or past ``until_s``) is at or under ``level``, gaps skipped; None if there is none."""
    window = [(s.t_s, s.total) for s in samples if end_s <= s.t_s < until_s and s.total is not None]
    for i, (start_s, _) in enumerate(window):
        if all(total <= level for t_s, total in window[i:] if t_s < start_s + hold_s):
            return round(start_s - end_s, 1)
    return None


def lag_at(samples: Sequence[Sample], t_s: float) -> int | None:
    """The total lag of the last sample before ``t_s``."""
    level = None
    for sample in samples:
        if sample.t_s >= t_s:
            break
        if sample.total is not None:
            level = sample.total
    return level


def fill_recoveries(faults: Sequence[Fault], samples: Sequence[Sample], baseline: int, load_s: float) -> None:
    """Each injected fault's recovery, watched until the next injected fault that begins after it ended (one
    inside it, like the cold restart during a registry outage, is part of it) or the load stops."""
    injected = [f for f in faults if f.injected]
    for fault in injected:
        end = fault.end_s if fault.end_s is not None else fault.start_s
        until = min([load_s, *(f.start_s for f in injected if f is not fault and f.start_s >= end)])
        level = max(baseline, lag_at(samples, fault.start_s) or 0)
        fault.recovery_s = recovery_seconds(samples, end, level, until)


def peak_lag(samples: Sequence[Sample]) -> Peak:
    peak = Peak()
    for sample in samples:
        if sample.lag is None:
            continue
        if sample.total is not None and sample.total > peak.lag:
            peak.lag, peak.at_s = sample.total, sample.t_s
        for group, lag in sample.lag.items():
            peak.by_group[group] = max(peak.by_group.get(group, 0), lag)
    return peak


def per_second(times_s: Iterable[float], seconds: int) -> list[int]:
    """How many of the instants fell in each whole second 0..seconds-1 (later ones are dropped)."""
    counts = Counter(int(t) for t in times_s if 0 <= t < seconds)
    return [counts.get(i, 0) for i in range(seconds)]


def lag_series(samples: Sequence[Sample], groups: Sequence[str]) -> dict[str, list[int | None]]:
    """Per group and in total, one value per sample (None where the cluster did not answer)."""
    series: dict[str, list[int | None]] = {g: [] for g in groups}
    series["total"] = []
    for sample in samples:
        for group in groups:
            series[group].append(None if sample.lag is None else sample.lag.get(group))
        series["total"].append(sample.total)
    return series


def abort_reasons(log_lines: Iterable[str]) -> Counter[str]:
    """Transactions a processor aborted itself, by reason (JSON log lines; anything else is ignored)."""
    reasons: Counter[str] = Counter()
    for line in _json_lines(log_lines):
        if line.get("msg") == "aborting transaction":
            reasons[str(line.get("reason", "?")).split(":")[0]] += 1
    return reasons


def retries(log_lines: Iterable[str]) -> Counter[str]:
    """Records a processor sent on to a retry topic (by topic) after its handler failed."""
    return Counter(
        str(line.get("retry_topic", "?"))
        for line in _json_lines(log_lines)
        if line.get("msg") == "handler failed, retrying later"
    )


def dead_letters(log_lines: Iterable[str]) -> Counter[str]:
    """Records a processor dead-lettered, by reason (not-avro, retries-exhausted, ...)."""
    return Counter(
        str(line.get("reason", "?")) for line in _json_lines(log_lines) if line.get("msg") == "dead-lettered"
    )


def fatal_exits(log_lines: Iterable[str]) -> int:
    return sum(1 for line in _json_lines(log_lines) if line.get("level") == "critical")


def first_after(log_lines: Iterable[str], after: datetime, messages: Sequence[str]) -> dict[str, Any] | None:
    """The first log line at or after `after` whose message starts with one of `messages`."""
    for line in _json_lines(log_lines):
        try:
            at = datetime.fromisoformat(str(line.get("ts")))
        except ValueError:
            continue
        if at >= after and str(line.get("msg", "")).startswith(tuple(messages)):
            return line
    return None


def _json_lines(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for line in lines:
        if not line.startswith("{"):
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            yield parsed


def java_string_hash(text: str) -> int:
    """Java's String.hashCode (UTF-16 code units, 32-bit overflow): how Kafka places an id on a partition."""
    h = 0
    for unit in text.encode("utf-16-be").hex(" ", 2).split():
        h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def coordinator_partition(key: str, partitions: int) -> int:
    """The partition of `__transaction_state` (or `__consumer_offsets`) that holds this transactional id
    (or group): Kafka's `Utils.abs(key.hashCode()) % partitions`; its leader is the coordinator."""
    h = java_string_hash(key)
    return (0 if h == -(1 << 31) else abs(h)) % partitions
