"""Metrics of a processor instance (docs/conventions.md §1: ``pedidos_`` prefix, base units, no order ids)."""

from __future__ import annotations

import re
import time

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, Message
from prometheus_client import Counter, Gauge, Histogram, start_http_server

CONSUMED = Counter("pedidos_records_consumed_total", "Records consumed", ["processor", "topic"])
PRODUCED = Counter(
    "pedidos_records_produced_total", "Records produced in transactions", ["processor", "topic"]
)
COMMITTED = Counter("pedidos_transactions_committed_total", "Transactions committed", ["processor"])
ABORTED = Counter("pedidos_transactions_aborted_total", "Transactions aborted", ["processor", "reason"])
DEAD_LETTERED = Counter(
    "pedidos_records_dead_lettered_total", "Records sent to the DLQ", ["processor", "reason"]
)
RETRIED = Counter("pedidos_records_retried_total", "Records sent to a retry topic", ["processor", "topic"])
TRANSACTION_SECONDS = Histogram(
    "pedidos_transaction_duration_seconds",
    "From the first record of a transaction to its commit",
    ["processor"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HANDLER_SECONDS = Histogram(
    "pedidos_handler_duration_seconds",
    "Time the handler spent on one record",
    ["processor"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
COMMIT_SECONDS = Histogram(
    "pedidos_transaction_commit_duration_seconds",
    "send_offsets_to_transaction plus commit_transaction of one committed transaction",
    ["processor"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
# The classes are listed in docs/metrics.md: every abort counts under its reason (handler-error, registry,
# abortable, partitions-lost...), and the failures handled without one under handler-error, poison,
# retriable and consumer. A fatal error is not counted: the process exits before any scrape could see it.
ERRORS = Counter(
    "pedidos_processor_errors_total", "Failures the runtime handled, by class", ["processor", "class"]
)
ASSIGNED = Gauge("pedidos_assigned_partitions", "Partitions this instance consumes", ["processor"])
PARTITION_LABELS = ["processor", "group", "topic", "partition"]
LAG = Gauge("pedidos_consumer_lag_records", "High watermark minus position", PARTITION_LABELS)
LAG_SECONDS = Gauge(
    "pedidos_consumer_lag_seconds",
    "0 when caught up, else the age of the last record consumed from the partition",
    PARTITION_LABELS,
)


def count_abort(processor: str, reason: str) -> None:
    """An aborted transaction, counted by its reason's prefix, which is also its error class."""
    cause = reason.split(":")[0]
    ABORTED.labels(processor, cause).inc()
    ERRORS.labels(processor, cause).inc()


class LagReporter:
    """Sets ``LAG`` and ``LAG_SECONDS`` per assigned partition, at most every ``every_s``, from cached
    watermarks and the timestamps of the records consumed (``seen``)."""

    def __init__(self, processor: str, group: str, consumer: Consumer, every_s: float = 2.0) -> None:
        self.processor, self.group, self.consumer, self.every_s = processor, group, consumer, every_s
        self.last_update = 0.0
        self.last_timestamp_ms: dict[tuple[str, int], int] = {}

    def seen(self, message: Message) -> None:
        kind, timestamp_ms = message.timestamp()
        if kind != TIMESTAMP_NOT_AVAILABLE:
            self.last_timestamp_ms[(message.topic(), message.partition())] = timestamp_ms

    def update(self) -> None:
        if time.monotonic() - self.last_update < self.every_s:
            return
        self.last_update = time.monotonic()
        assignment = self.consumer.assignment()
        for tp in self.consumer.position(assignment) if assignment else []:
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if tp.offset >= 0 and high >= 0:
                self._set(tp.topic, tp.partition, max(0, high - tp.offset))

    def _set(self, topic: str, partition: int, lag: int) -> None:
        labels = (self.processor, self.group, topic, str(partition))
        LAG.labels(*labels).set(lag)
        last = self.last_timestamp_ms.get((topic, partition))
        if lag == 0:
            LAG_SECONDS.labels(*labels).set(0)
        elif (
            last is not None
        ):  # nothing consumed from it yet: its age is unknown, no sample rather than a guess
            LAG_SECONDS.labels(*labels).set(max(0.0, time.time() - last / 1000))

    def forget(self, partitions: list[tuple[str, int]]) -> None:
        """Partitions gone to another member: their series go too, or two instances would report one lag."""
        for topic, partition in partitions:
            self.last_timestamp_ms.pop((topic, partition), None)
            for gauge in (LAG, LAG_SECONDS):
                gauge.remove(self.processor, self.group, topic, str(partition))  # absent: nothing to do


def serve_metrics(port: int) -> None:
    start_http_server(port, addr="127.0.0.1")


_SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)")


def sample_totals(text: str) -> dict[str, float]:
    """A scrape, read back: every sample summed per name across labels (one number per processor)."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match is None:  # comments (# HELP/# TYPE) and blank lines
            continue
        try:
            value = float(match.group(3))
        except ValueError:
            continue
        totals[match.group(1)] = totals.get(match.group(1), 0.0) + value
    return totals
