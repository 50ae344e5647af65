"""The `Cluster` snapshot of the dashboard (API.md): offsets, consumer groups, processor metrics, rebalances.

Pure parts (Prometheus parsing, lag, rebalance diffing) are plain functions so they are tested without a
broker; `ClusterReader` does the I/O, each part under a timeout, and reports failures instead of raising.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from confluent_kafka import ConsumerGroupTopicPartitions, IsolationLevel, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from processors.deployment import INPUT_TOPICS, PROCESSORS, metrics_port
from processors.events import EVENT_TYPES
from processors.runtime.metrics import sample_totals
from processors.settings import Settings
from processors.topics import TOPICS

DLQ_TOPICS = tuple(t.name for t in TOPICS if t.name.endswith(".dlq"))
DOMAIN_TOPICS = (*EVENT_TYPES, *DLQ_TOPICS)
PROJECTOR_TOPICS = tuple(EVENT_TYPES)  # the projector reads every order-flow topic
TIMEOUT_S = 5.0
HISTORY = 50
METRICS = {  # row field -> Prometheus metric of processors/runtime/metrics.py, summed over its labels
    "assigned": "pedidos_assigned_partitions",
    "committed": "pedidos_transactions_committed_total",
    "aborted": "pedidos_transactions_aborted_total",
    "consumed": "pedidos_records_consumed_total",
    "produced": "pedidos_records_produced_total",
    "dead_lettered": "pedidos_records_dead_lettered_total",
}
Offsets = dict[tuple[str, int], tuple[int, int, int]]  # (topic, partition) -> (low, high, lso)
Assignment = dict[str, frozenset[str]]  # member -> its "topic[p]" partitions


def processor_row(name: str, instance: int, metrics: dict[str, float] | None) -> dict[str, Any]:
    """`metrics` None means the endpoint did not answer: the instance is down, its counters unknown (0)."""
    values = metrics or {}
    counters = {field: int(values.get(metric, 0.0)) for field, metric in METRICS.items()}
    return {"name": name, "instance": instance, "up": metrics is not None, **counters}


def partition_lag(committed: int | None, low: int, lso: int) -> tuple[int, int]:
    """(effective committed position, lag). No commit, or one below the log start (retention deleted those
    records), means the group starts at the low watermark (auto.offset.reset=earliest)."""
    position = low if committed is None or committed < low else committed
    return position, max(0, lso - position)


def lag_seconds(lag: int, committed_timestamp_ms: float | None, now_ms: float) -> float:
    """Age of the oldest record the group has not consumed; 0 when nothing waits or its time is unknown
    (the committed offset may be a transaction marker, which has no record the caller could have seen)."""
    if lag <= 0 or committed_timestamp_ms is None:
        return 0.0
    return max(0.0, (now_ms - committed_timestamp_ms) / 1000)


def group_partitions(
    committed: dict[tuple[str, int], int | None],
    offsets: Offsets,
    timestamp_at: Callable[[str, int, int], float | None],
    now_ms: int,
) -> list[dict[str, Any]]:
    """One row per partition the group reads (those we have offsets for), its position, lag and age."""
    rows = []
    for (topic, partition), (low, _high, lso) in sorted(offsets.items()):
        if (topic, partition) in committed:
            position, lag = partition_lag(committed[(topic, partition)], low, lso)
            seconds = lag_seconds(lag, timestamp_at(topic, partition, position), now_ms)
            row = {"topic": topic, "partition": partition, "committed": position, "lag": lag}
            rows.append({**row, "lag_seconds": round(seconds, 3)})
    return rows


def diff_assignments(
    group: str, before: Assignment | None, after: Assignment, at_ms: int
) -> dict[str, Any] | None:
    """A rebalance record when a group's members or their partitions changed between two snapshots."""
    if before is None or before == after:  # first sight of the group is a baseline, not a rebalance
        return None
    joined, left = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    reasons = [f"membro entrou / member joined: {', '.join(joined)}"] if joined else []
    reasons += [f"membro saiu / member left: {', '.join(left)}"] if left else []
    if not reasons:
        reasons = ["partições reatribuídas / partitions reassigned"]
    return {"at": at_ms, "group": group, "members": sorted(after), "reason": "; ".join(reasons)}


def partition_offsets(admin: AdminClient, topics: Iterable[str], errors: list[str]) -> Offsets:
    """low, high and LSO of every partition of the topics: three batched ListOffsets requests. Topics or
    partitions that fail are left out and described in ``errors``."""
    metadata = admin.list_topics(timeout=TIMEOUT_S).topics
    tps = []
    for topic in topics:
        if topic not in metadata or metadata[topic].error is not None:
            errors.append(f"tópico ausente / missing topic: {topic}")
            continue
        tps += [TopicPartition(topic, p) for p in metadata[topic].partitions]
    if not tps:
        return {}
    low = _list_offsets(admin, tps, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED, errors)
    high = _list_offsets(admin, tps, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED, errors)
    lso = _list_offsets(admin, tps, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED, errors)
    return {k: (low[k], high[k], lso[k]) for k in low.keys() & high.keys() & lso.keys()}


def _list_offsets(
    admin: AdminClient, tps: list[TopicPartition], spec: OffsetSpec, level: IsolationLevel, errors: list[str]
) -> dict[tuple[str, int], int]:
    futures = admin.list_offsets(dict.fromkeys(tps, spec), isolation_level=level, request_timeout=TIMEOUT_S)
    found: dict[tuple[str, int], int] = {}
    for tp, future in futures.items():
        try:
            found[(tp.topic, tp.partition)] = future.result(timeout=TIMEOUT_S).offset
        except Exception as exc:
            errors.append(f"list_offsets {tp.topic}[{tp.partition}]: {exc}")
    return found


class ClusterReader:
    """Owns one AdminClient; `timestamp_at(topic, partition, offset)` gives a record's timestamp in epoch ms
    (the gateway's telemetry consumer has seen the records), or None when unknown."""

    def __init__(
        self, settings: Settings, timestamp_at: Callable[[str, int, int], float | None] = lambda *_: None
    ) -> None:
        self.settings, self.timestamp_at = settings, timestamp_at
        self.admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
        self._assignments: dict[str, Assignment] = {}
        self._rebalances: deque[dict[str, Any]] = deque(maxlen=HISTORY)
        self._lock = threading.Lock()  # snapshot() may be called from more than one thread

    def snapshot(self) -> dict[str, Any]:
        now_ms = int(time.time() * 1000)
        errors: list[str] = []
        offsets: Offsets = {}
        try:
            offsets = partition_offsets(self.admin, DOMAIN_TOPICS, errors)
        except Exception as exc:  # broker down: the rest of the snapshot still has value
            errors.append(f"offsets: {exc}")
        topics = [
            {
                "name": topic,
                "partitions": [
                    {"partition": p, "low": o[0], "high": o[1], "lso": o[2]}
                    for (t, p), o in sorted(offsets.items())
                    if t == topic
                ],
            }
            for topic in DOMAIN_TOPICS
        ]
        # Without offsets the broker is unreachable: asking it about groups would only wait out more timeouts.
        groups = self._groups(offsets, now_ms, errors) if offsets else []
        with self._lock:
            rebalances = list(self._rebalances)
        return {
            "at": now_ms,
            "topics": topics,
            "groups": groups,
            "processors": self._processors(),
            "rebalances": rebalances,
            "errors": errors,
        }

    def _groups(self, offsets: Offsets, now_ms: int, errors: list[str]) -> list[dict[str, Any]]:
        inputs = {**INPUT_TOPICS, self.settings.projector_group: PROJECTOR_TOPICS}
        try:
            described = self.admin.describe_consumer_groups(list(inputs), request_timeout=TIMEOUT_S)
        except Exception as exc:
            errors.append(f"describe_consumer_groups: {exc}")
            return []
        rows = []
        for group, topics in inputs.items():
            try:
                description = described[group].result(timeout=TIMEOUT_S)
                request = [TopicPartition(t, p) for (t, p) in sorted(offsets) if t in topics]
                committed = {
                    (tp.topic, tp.partition): tp.offset if tp.offset >= 0 else None
                    for tp in self.admin.list_consumer_group_offsets(
                        [ConsumerGroupTopicPartitions(group, request)], request_timeout=TIMEOUT_S
                    )[group]
                    .result(timeout=TIMEOUT_S)
                    .topic_partitions
                }
            except Exception as exc:
                errors.append(f"group {group}: {exc}")
                continue
            state = description.state.name
            if group not in PROCESSORS and state == "DEAD" and all(c is None for c in committed.values()):
                continue  # the projector has never run against this cluster
            members = {
                m.group_instance_id or m.client_id: frozenset(
                    f"{tp.topic}[{tp.partition}]" for tp in m.assignment.topic_partitions
                )
                for m in description.members
            }
            self._record_rebalance(group, members, now_ms)
            rows.append(
                {
                    "group": group,
                    "state": state,
                    "members": [{"member": m, "partitions": sorted(members[m])} for m in sorted(members)],
                    "partitions": group_partitions(committed, offsets, self.timestamp_at, now_ms),
                }
            )
        return rows

    def _record_rebalance(self, group: str, members: Assignment, now_ms: int) -> None:
        with self._lock:
            change = diff_assignments(group, self._assignments.get(group), members, now_ms)
            self._assignments[group] = members
            if change is not None:
                self._rebalances.append(change)

    def _processors(self) -> list[dict[str, Any]]:
        # In parallel: a stopped (SIGSTOP) instance costs its 1 s timeout once, not once per processor.
        with ThreadPoolExecutor(len(PROCESSORS)) as pool:
            return list(pool.map(self._scrape, PROCESSORS))

    def _scrape(self, name: str) -> dict[str, Any]:
        url = f"http://{self.settings.host}:{metrics_port(self.settings, name, 0)}/metrics"
        try:
            response = httpx.get(url, timeout=1.0)
            response.raise_for_status()
        except httpx.HTTPError:
            return processor_row(name, 0, None)
        return processor_row(name, 0, sample_totals(response.text))
