"""Client settings for a transactional processor, one comment per setting that matters for exactly-once."""

from __future__ import annotations

from dataclasses import dataclass

from confluent_kafka import Consumer, Producer


@dataclass(frozen=True)
class RuntimeConfig:
    bootstrap_servers: str
    processor: str
    instance: int = 0
    batch_size: int = 100
    commit_interval_s: float = 0.1
    transaction_timeout_ms: int = 20_000
    session_timeout_ms: int = 10_000
    tick_interval_s: float = 1.0

    @property
    def transactional_id(self) -> str:
        # Stable per instance: a restarted `payment-0` fences its zombie predecessor at init_transactions().
        return f"{self.processor}-{self.instance}"


def make_producer(config: RuntimeConfig) -> Producer:
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
            # Offsets are committed only inside our transactions, with the records they produced.
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": assignment_strategy,
            # A dead instance's partitions move after 10 s instead of the 45 s default: visible in a class.
            "session.timeout.ms": config.session_timeout_ms,
        }
    )
