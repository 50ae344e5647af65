"""How a batch of the loop becomes durable: a Kafka transaction (every processor), or, for `pedidos bench
pipeline` only, at-least-once with an idempotent producer and synchronous offset commits.

Both have the same four steps, so the loop runs one protocol and the difference stays here:
- exactly-once: begin, then send the input offsets to the transaction with fresh group metadata and commit;
  an abort discards what the transaction produced;
- at-least-once: nothing to begin; the input offsets are committed once every output is acknowledged; an
  abort can only rewind, so what the batch produced stays and the replay duplicates it. That difference is
  what the benchmark measures exactly-once against.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, Producer, TopicPartition

from processors.runtime import errors, metrics
from processors.runtime.calls import KafkaCalls
from processors.runtime.clients import RuntimeConfig
from processors.runtime.crash import CrashPoints
from processors.runtime.errors import AbortTransaction

log = logging.getLogger("pedidos.runtime")


class CommitStrategy(Protocol):
    def start(self) -> None: ...

    def begin(self) -> None: ...

    def commit(self, offsets: list[TopicPartition]) -> None:
        """Raises AbortTransaction when the batch must be aborted instead."""

    def abort(self) -> None: ...

    def delivered(self, error: object, message: Message) -> None:
        """The delivery report of one output (error None: acknowledged)."""


class ExactlyOnce:
    def __init__(
        self,
        config: RuntimeConfig,
        producer: Producer,
        consumer: Consumer,
        calls: KafkaCalls,
        crash: CrashPoints,
    ) -> None:
        self.config, self.producer, self.consumer, self.calls, self.crash = (
            config,
            producer,
            consumer,
            calls,
            crash,
        )

    def start(self) -> None:
        self.calls.run(self.producer.init_transactions, 30)
        log.info("transactions ready", extra={"transactional_id": self.config.transactional_id})

    def begin(self) -> None:
        self.calls.run(self.producer.begin_transaction)

    def commit(self, offsets: list[TopicPartition]) -> None:
        started = time.perf_counter()
        if offsets:
            # Fresh metadata each time: it carries the group generation, which changes on every rebalance.
            metadata = self.consumer.consumer_group_metadata()
            self.calls.run(self.producer.send_offsets_to_transaction, offsets, metadata, 30)
        self.crash.reach("after-send-offsets")
        # A retriable error here means "call commit again", never "abort": the outcome is still unknown.
        self.calls.run(self.producer.commit_transaction, 30)
        metrics.COMMIT_SECONDS.labels(self.config.processor).observe(time.perf_counter() - started)

    def abort(self) -> None:
        try:
            self.calls.run(self.producer.abort_transaction, 30)
        except AbortTransaction as error:
            # abort_transaction() itself asking for an abort leaves the producer in a state the transactional
            # API gives no way out of: calling it again would ask again. A restart is the way out that is
            # known to be safe: init_transactions() with our transactional.id aborts whatever is still open,
            # and the input offsets were never committed, so the records are read again.
            errors.exit_for_restart(f"abort_transaction failed: {error}")

    def delivered(self, error: object, message: Message) -> None:
        # A failed delivery fails commit_transaction() as an abortable error; logging it here is enough.
        _log_failed(error, message)


class AtLeastOnce:
    def __init__(self, producer: Producer, consumer: Consumer, calls: KafkaCalls) -> None:
        self.producer, self.consumer, self.calls = producer, consumer, calls
        self.failed_deliveries = 0  # since the last commit or abort

    def start(self) -> None:
        pass

    def begin(self) -> None:
        pass

    def commit(self, offsets: list[TopicPartition]) -> None:
        """The input offsets move on only past outputs the broker has acknowledged."""
        # flush() returns with records still queued when its timeout runs out, and a failed delivery only
        # reaches the callback; committing past either would lose those outputs. Replay the batch instead.
        if len(self.producer) or self.failed_deliveries:
            raise AbortTransaction(
                f"undelivered: {len(self.producer)} queued, {self.failed_deliveries} failed deliveries"
            )

        def commit_offsets() -> list[TopicPartition] | None:
            # Synchronous: when it returns, a restart resumes after these records, not before them.
            return self.consumer.commit(offsets=offsets, asynchronous=False)

        if offsets:
            rejected = [tp for tp in self.calls.run(commit_offsets) or [] if tp.error]
            if rejected:  # e.g. the partition moved in a rebalance: its next owner reads the records again
                raise AbortTransaction(f"offset-commit: {rejected[0].topic}[{rejected[0].partition}]")
        self.failed_deliveries = 0

    def abort(self) -> None:
        self.failed_deliveries = 0  # what the batch produced stays; the rewind makes it be produced again

    def delivered(self, error: object, message: Message) -> None:
        _log_failed(error, message)
        if error is not None:
            self.failed_deliveries += 1


def commit_strategy(
    config: RuntimeConfig, producer: Producer, consumer: Consumer, calls: KafkaCalls, crash: CrashPoints
) -> CommitStrategy:
    if config.exactly_once:
        return ExactlyOnce(config, producer, consumer, calls, crash)
    return AtLeastOnce(producer, consumer, calls)


def _log_failed(error: object, message: Message) -> None:
    if error is not None:
        log.warning("delivery failed", extra={"topic": message.topic(), "error": str(error)})


def rewind_to_committed(consumer: Consumer, partitions: set[tuple[str, int]]) -> None:
    """Seek ``partitions`` back to their committed offsets (the beginning where none is): the rewind."""
    if partitions:
        for tp in consumer.committed([TopicPartition(t, p) for t, p in partitions], timeout=10):
            offset = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
            consumer.seek(TopicPartition(tp.topic, tp.partition, offset))
