"""Client settings for a transactional processor, one comment per setting that matters for exactly-once.

``guarantee="at_least_once"`` exists only so benchmarks can measure what the transactions cost
(`pedidos bench pipeline`); every processor runs exactly-once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from confluent_kafka import Consumer, Producer

Guarantee = Literal["exactly_once", "at_least_once"]


@dataclass(frozen=True)
class RuntimeConfig:
    bootstrap_servers: str
    processor: str
    instance: int = 0
    batch_size: int = 100
    commit_interval_s: float = 0.1
    transaction_timeout_ms: int = 20_000
    session_timeout_ms: int = 10_000
    max_poll_interval_ms: int = 300_000  # librdkafka's default; the slow-consumer drill lowers it
    tick_interval_s: float = 1.0
    guarantee: Guarantee = "exactly_once"
    # Failing records move on to `<service>.retry.5s`/`.retry.30s`/`.dlq` (processors/runtime/retry.py);
    # without retry topics (a benchmark stage) a transient failure replays the whole transaction instead.
    retry_topics: bool = False
    in_place_attempts: int = 3  # handler calls per record before it goes to a retry topic
    in_place_retry_budget_s: float = 2.0  # per transaction: an outage must not hold a transaction open long

    def __post_init__(self) -> None:
        # A typo must not quietly turn a processor into an at-least-once one.
        if self.guarantee not in get_args(Guarantee):
            raise ValueError(f"guarantee must be one of {get_args(Guarantee)}, not {self.guarantee!r}")

    @property
    def exactly_once(self) -> bool:
        return self.guarantee == "exactly_once"

    @property
    def transactional_id(self) -> str:
        # Stable per instance: a restarted `payment-0` fences its zombie predecessor at init_transactions().
        return f"{self.processor}-{self.instance}"


def make_producer(config: RuntimeConfig) -> Producer:
    if not config.exactly_once:
        return Producer(
            {
                "bootstrap.servers": config.bootstrap_servers,
                "client.id": config.transactional_id,
                # At-least-once: no transactional.id, but still idempotent (acks=all, no reordering or
                # duplicates from the client's own retries), so the only duplicates left are the replays
                # after an uncommitted batch: the cost being measured against exactly-once.
                "enable.idempotence": True,
                "linger.ms": 5,
            }
        )
    return Producer(
        {
            "bootstrap.servers": config.bootstrap_servers,
            "transactional.id": config.transactional_id,
            "client.id": config.transactional_id,
            # Bounds how long a crashed instance's open transaction pins the LSO; short for teaching demos.
            "transaction.timeout.ms": config.transaction_timeout_ms,
            "linger.ms": 5,
            # acks, retries and max.in.flight are left alone: transactions imply the idempotent producer.
        }
    )


def make_consumer(config: RuntimeConfig, assignment_strategy: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": config.bootstrap_servers,
            "group.id": config.processor,
            "client.id": config.transactional_id,
            # Static membership: a restarted instance takes its partitions back at once, without waiting for
            # the session timeout of the member it replaces (and fences that member if it still runs).
            "group.instance.id": config.transactional_id,
            # Never read what an aborted (or still open) transaction wrote.
            "isolation.level": "read_committed",
            # Offsets are committed only inside our transactions, with the records they produced
            # (at-least-once: by the loop, synchronously, once those records are delivered).
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": assignment_strategy,
            # A dead instance's partitions move after 10 s instead of the 45 s default: visible in a class.
            "session.timeout.ms": config.session_timeout_ms,
            # A process that stops polling longer than this leaves the group, and its next offset commit in a
            # transaction fails as abortable (a newer generation owns the partitions): abort, rewind, rejoin.
            "max.poll.interval.ms": config.max_poll_interval_ms,
        }
    )
