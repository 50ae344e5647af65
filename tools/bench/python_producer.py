"""One timed run of our client (confluent-kafka) on one case, shaped like ProducerPerformance's own loop.

Same shape as the Java tool, so the pair compares clients rather than harnesses: the producer is built (and
transactions initialised) before the clock starts; a closed loop produces as fast as the buffer allows; each
record has a delivery callback; a transaction commits once it is older than T ms (or holds N records); the
clock stops once every delivery report is in. The first `warmup` records are left out of the steady-state
figures, as `--warmup-records` does in Java.
"""

from __future__ import annotations

import time
import uuid
from array import array
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from tools.bench.cpu import delta, self_cpu_s
from tools.bench.producer_cases import MIB, Case, per_million, python_config
from tools.load.command import percentile

BUFFER_FULL_WAIT_S = 0.005  # poll() wait when the buffer is full: delivery reports free room


class DeliveryLog:
    """Counts delivery reports and keeps the latency of each, without a per-record object of our own."""

    def __init__(self) -> None:
        self.ok = 0
        self.failed = 0
        self.first_error: str | None = None
        self.warmup_latencies_s = array("d")
        self.steady_latencies_s = array("d")

    def _record(self, err: KafkaError | None, msg: Message, into: array) -> None:
        if err is not None:
            self.failed += 1
            self.first_error = self.first_error or str(err)
            return
        self.ok += 1
        latency = msg.latency()  # produce() -> this report being served, measured by librdkafka
        if latency is not None:
            into.append(latency)

    def warmup(self, err: KafkaError | None, msg: Message) -> None:
        self._record(err, msg, self.warmup_latencies_s)

    def steady(self, err: KafkaError | None, msg: Message) -> None:
        self._record(err, msg, self.steady_latencies_s)


def run_python(
    case: Case,
    bootstrap: str,
    topic: str,
    records: int,
    warmup: int,
    value: bytes,
    broker_cpu: Callable[[], float | None],
    timeout_s: float,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "client.id": "bench-producer-python",
        **python_config(case),
    }
    if case.transactional:
        config["transactional.id"] = f"bench-producer-{uuid.uuid4().hex[:12]}"
    producer = Producer(config)
    startup_started = time.perf_counter()
    primer_records = 0
    if case.transactional:
        producer.init_transactions(timeout_s)
    elif case.idempotent:
        # librdkafka's idempotent producer gets its producer id about 0.5 s after start (a timer; measured
        # here), Java's within a round trip. One record sent before the clock keeps that start-up cost, which
        # a long-lived producer pays once, out of a throughput figure; it is reported as startup_s.
        producer.produce(topic, value)
        if producer.flush(timeout_s):
            raise TimeoutError(f"{topic}: primeiro registro não entregue / first record not delivered")
        primer_records = 1
    startup_s = time.perf_counter() - startup_started
    log = DeliveryLog()
    txn_s = case.txn_ms / 1000 if case.txn_ms is not None else None
    txn_size = case.txn_messages
    transactions = 0
    in_txn = 0
    txn_started = 0.0
    deadline = time.monotonic() + timeout_s

    cpu_before, broker_before = self_cpu_s(), broker_cpu()
    started = steady_started = time.perf_counter()
    for i in range(records):
        if i == warmup:
            steady_started = time.perf_counter()
        if case.transactional and in_txn == 0:
            producer.begin_transaction()
            txn_started = time.perf_counter()
        callback = log.steady if i >= warmup else log.warmup
        while True:
            try:
                producer.produce(topic, value, on_delivery=callback)
                break
            except BufferError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{topic}: buffer still full after {timeout_s:.0f} s") from None
                producer.poll(BUFFER_FULL_WAIT_S)
        # Serve delivery reports at once, as the Java client's I/O thread runs its callbacks at once: the
        # latency of a report is taken when it is served.
        producer.poll(0)
        in_txn += 1
        if (txn_s is not None and time.perf_counter() - txn_started >= txn_s) or (
            txn_size is not None and in_txn >= txn_size
        ):
            producer.commit_transaction(timeout_s)
            transactions += 1
            in_txn = 0
    enqueued = time.perf_counter()
    if case.transactional and in_txn:
        producer.commit_transaction(timeout_s)
        transactions += 1
    left = producer.flush(max(1.0, deadline - time.monotonic()))
    ended = time.perf_counter()
    cpu_s, broker_cpu_s = self_cpu_s() - cpu_before, delta(broker_before, broker_cpu())

    steady_records = records - warmup
    steady_s = ended - steady_started
    latencies = list(log.steady_latencies_s)
    ok = log.ok == records and log.failed == 0 and left == 0
    error = None
    if not ok:
        error = (
            f"entregues / delivered {log.ok}/{records}, falhas / failed {log.failed}, "
            f"na fila / still queued {left}: {log.first_error}"
        )
    return {
        "ok": ok,
        "error": error,
        "records": records,
        "delivered": log.ok,
        "failed": log.failed,
        "warmup_records": warmup,
        "records_per_s": steady_records / steady_s,
        "mb_per_s": steady_records * len(value) / steady_s / MIB,
        "latency_ms": {
            "p50": _ms(percentile(latencies, 50)),
            "p99": _ms(percentile(latencies, 99)),
            "max": _ms(max(latencies)) if latencies else None,
            "samples": len(latencies),
        },
        "total": {
            "seconds": ended - started,
            "records_per_s": records / (ended - started),
            "enqueue_per_s": records / (enqueued - started),  # produce() calls alone, before the flush
        },
        "transactions": transactions,
        "primer_records": primer_records,
        "startup_s": startup_s,
        "cpu_s": cpu_s,
        "cpu_s_per_million": per_million(cpu_s, records),
        "broker_cpu_s": broker_cpu_s,
        "broker_cpu_s_per_million": per_million(broker_cpu_s, records),
    }


def _ms(seconds: float) -> float | None:
    return None if seconds != seconds else round(seconds * 1000, 3)  # NaN (no samples) -> None
