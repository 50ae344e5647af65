"""Metrics of a processor instance (docs/conventions.md §1: ``pedidos_`` prefix, base units, no order ids)."""

from __future__ import annotations

import re
import time

from confluent_kafka import Consumer
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
ASSIGNED = Gauge("pedidos_assigned_partitions", "Partitions this instance consumes", ["processor"])
LAG = Gauge(
    "pedidos_consumer_lag_records", "High watermark minus position", ["processor", "topic", "partition"]
)


class LagReporter:
    """Sets ``LAG`` per assigned partition, at most every ``every_s``, from cached watermarks."""

    def __init__(self, processor: str, consumer: Consumer, every_s: float = 2.0) -> None:
        self.processor, self.consumer, self.every_s = processor, consumer, every_s
        self.last_update = 0.0

    def update(self) -> None:
        if time.monotonic() - self.last_update < self.every_s:
            return
        self.last_update = time.monotonic()
        assignment = self.consumer.assignment()
        for tp in self.consumer.position(assignment) if assignment else []:
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if tp.offset >= 0 and high >= 0:
                LAG.labels(self.processor, tp.topic, str(tp.partition)).set(max(0, high - tp.offset))


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
