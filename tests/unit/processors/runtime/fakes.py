"""Hand-written fakes for the EOS loop: a producer, a consumer, a codec and a handler that write one journal.

Every fake appends ``(call, *details)`` to the same list, so a test can read the whole transaction as it
happened, in order, across collaborators.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from confluent_kafka import (
    OFFSET_INVALID,
    TIMESTAMP_CREATE_TIME,
    KafkaError,
    KafkaException,
    TopicPartition,
)

from processors.runtime.handler import InputRecord, Output, PermanentError, TransactionLost
from processors.runtime.serde import PoisonPill

Journal = list[tuple[Any, ...]]

# The journal entries of the transaction and of the handler's hooks on its end; a test module adds the other
# calls it follows (flush and prepare_commit, rebalances, ticks) and filters the journal down to them.
TRANSACTION_CALLS = frozenset(
    {
        "begin_transaction",
        "produce",
        "send_offsets_to_transaction",
        "commit_transaction",
        "abort_transaction",
        "seek",
        "on_commit",
        "on_abort",
    }
)


def kafka_exception(code: int, **flags: bool) -> KafkaException:
    """A real client error, as librdkafka raises it: ``KafkaException(KafkaError(code, ...))``."""
    return KafkaException(KafkaError(code, f"test error {code}", **flags))


def retriable(code: int = KafkaError._TIMED_OUT) -> KafkaException:
    return kafka_exception(code, retriable=True)


def abortable(code: int = KafkaError.ILLEGAL_GENERATION) -> KafkaException:
    return kafka_exception(code, txn_requires_abort=True)


def fatal(code: int = KafkaError._FENCED) -> KafkaException:
    return kafka_exception(code, fatal=True)


@dataclass
class FakeMessage:
    topic_: str
    partition_: int
    offset_: int
    value_: bytes | None
    key_: bytes | None = b"order-1"
    headers_: list[tuple[str, bytes]] | None = None
    error_: KafkaError | None = None
    timestamp_ms: int = 0  # CreateTime; a retry-topic record is due this plus the topic's delay

    def topic(self) -> str:
        return self.topic_

    def partition(self) -> int:
        return self.partition_

    def offset(self) -> int:
        return self.offset_

    def key(self) -> bytes | None:
        return self.key_

    def value(self) -> bytes | None:
        return self.value_

    def headers(self) -> list[tuple[str, bytes]] | None:
        return self.headers_

    def error(self) -> KafkaError | None:
        return self.error_

    def timestamp(self) -> tuple[int, int]:
        return (TIMESTAMP_CREATE_TIME, self.timestamp_ms)


def record(topic: str, partition: int, offset: int, kind: str = "ok", **headers: str) -> FakeMessage:
    """An input record whose ``kind`` tells the fake handler what to do with it."""
    value = json.dumps({"kind": kind, "offset": offset}).encode()
    return FakeMessage(
        topic, partition, offset, value, headers_=[(k, v.encode()) for k, v in headers.items()]
    )


class FakeProducer:
    """A transactional producer; ``failures[call]`` lists the exceptions its next calls raise, in order."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.failures: dict[str, list[BaseException]] = {}
        self.produced: list[dict[str, Any]] = []

    def _call(self, name: str, *details: Any) -> None:
        self.journal.append((name, *details))
        pending = self.failures.get(name)
        if pending:
            raise pending.pop(0)

    def calls(self, name: str) -> list[tuple[Any, ...]]:
        return [entry for entry in self.journal if entry[0] == name]

    def init_transactions(self, timeout: float | None = None) -> None:
        self._call("init_transactions")

    def begin_transaction(self) -> None:
        self._call("begin_transaction")

    def produce(
        self, topic: str, key: str, value: bytes, headers: list[tuple[str, bytes]], on_delivery
    ) -> None:
        self._call("produce", topic, key)
        self.produced.append({"topic": topic, "key": key, "value": value, "headers": headers})

    def flush(self, timeout: float | None = None) -> int:
        self._call("flush")
        return 0

    def send_offsets_to_transaction(
        self, offsets: list[TopicPartition], metadata: object, timeout=None
    ) -> None:
        self._call(
            "send_offsets_to_transaction", {(tp.topic, tp.partition): tp.offset for tp in offsets}, metadata
        )

    def commit_transaction(self, timeout: float | None = None) -> None:
        self._call("commit_transaction")

    def abort_transaction(self, timeout: float | None = None) -> None:
        self._call("abort_transaction")

    def poll(self, timeout: float | None = None) -> int:
        return 0


@dataclass(frozen=True, eq=True)
class GroupMetadata:
    """What ``consumer_group_metadata()`` returns: a new object per call, numbered by the call."""

    generation: int


class FakeConsumer:
    """Serves scripted batches from ``consume()``, then stops the loop; knows committed offsets."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.batches: list[list[FakeMessage]] = []
        self.committed_offsets: dict[tuple[str, int], int] = {}
        self.generation = 0
        self.loop: Any = None  # set by the test fixture: consume() stops it when the script runs out
        self.asked: list[int] = []  # num_messages of each consume() call that served a batch
        self.closed = False

    def seeks(self) -> dict[tuple[str, int], int]:
        return {entry[1]: entry[2] for entry in self.journal if entry[0] == "seek"}

    def subscribe(self, topics: list[str], on_assign=None, on_revoke=None, on_lost=None) -> None:
        self.journal.append(("subscribe", tuple(topics)))

    def consume(self, num_messages: int = 1, timeout: float = -1) -> list[FakeMessage]:
        if not self.batches:
            self.loop.running = False
            return []
        batch = self.batches.pop(0)
        self.asked.append(num_messages)
        self.journal.append(("consume", [(m.topic(), m.partition(), m.offset()) for m in batch]))
        return batch

    def consumer_group_metadata(self) -> GroupMetadata:
        self.generation += 1
        return GroupMetadata(self.generation)

    def committed(self, partitions: Iterable[TopicPartition], timeout: float = -1) -> list[TopicPartition]:
        return [
            TopicPartition(
                tp.topic, tp.partition, self.committed_offsets.get((tp.topic, tp.partition), OFFSET_INVALID)
            )
            for tp in partitions
        ]

    def seek(self, partition: TopicPartition) -> None:
        self.journal.append(("seek", (partition.topic, partition.partition), partition.offset))

    def pause(self, partitions: list[TopicPartition]) -> None:
        self.journal.append(("pause", [(tp.topic, tp.partition) for tp in partitions]))

    def resume(self, partitions: list[TopicPartition]) -> None:
        self.journal.append(("resume", [(tp.topic, tp.partition) for tp in partitions]))

    def assignment(self) -> list[TopicPartition]:
        return []

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return partitions

    def get_watermark_offsets(self, partition: TopicPartition, cached: bool = False) -> tuple[int, int]:
        return (0, 0)

    def close(self) -> None:
        self.closed = True
        self.journal.append(("close",))


class FakeCodec:
    """JSON instead of Avro; a value starting with ``garbage`` is a poison pill, like bad bytes."""

    def decode(self, topic: str, value: bytes | None) -> dict[str, Any]:
        if not value or value.startswith(b"garbage"):
            raise PoisonPill("not-avro", "the value does not start with the registry's magic byte 0")
        return json.loads(value)

    def encode(self, topic: str, event: dict[str, Any]) -> bytes:
        return json.dumps(event, sort_keys=True).encode()


@dataclass
class FakeHandler:
    """Implements the Handler protocol. ``kind`` "ok" emits one output, "transient" fails (once per offset,
    like a database that comes back), "down" always fails, "invalid" raises PermanentError."""

    journal: Journal
    name: str = "test-proc"
    input_topics: tuple[str, ...] = ("orders.in", "payments.in")
    dlq_topic: str = "test-proc.dlq"
    assignment_strategy: str = "cooperative-sticky"
    tick_outputs: list[Output] = field(default_factory=list)
    failed: set[tuple[str, int, int]] = field(default_factory=set)
    prepare_fails: bool = False  # the next prepare_commit raises, as a database commit that failed
    database_commits: bool = False  # prepare_commit says it committed database work

    changelog_topic: str | None = None

    def handle(self, record: InputRecord) -> list[Output]:
        self.journal.append(("handle", record.topic, record.partition, record.offset))
        kind = record.event["kind"]
        where = (record.topic, record.partition, record.offset)
        if kind == "transient" and where not in self.failed:
            self.failed.add(where)
            raise ConnectionError("database went away")
        if kind == "down":
            raise ConnectionError("database still away")
        if kind == "invalid":
            raise PermanentError("quantity must be positive")
        if kind == "lost":
            raise TransactionLost("database connection lost mid-batch")
        return [Output("out.topic", record.key or "", {"from_offset": record.offset})]

    def on_assign(self, partitions: list[tuple[str, int]]) -> None:
        self.journal.append(("on_assign", partitions))

    def on_revoke(self, partitions: list[tuple[str, int]]) -> None:
        self.journal.append(("on_revoke", partitions))

    def restore(self, partition: int, latest: dict[str, Any]) -> None:
        self.journal.append(("restore", partition, sorted(latest)))

    def prepare_commit(self) -> bool:
        self.journal.append(("prepare_commit",))
        if self.prepare_fails:
            self.prepare_fails = False
            raise ConnectionError("database went away at commit")
        return self.database_commits

    def on_commit(self) -> None:
        self.journal.append(("on_commit",))

    def on_abort(self) -> None:
        self.journal.append(("on_abort",))

    def tick(self, now: datetime) -> list[Output]:
        self.journal.append(("tick",))
        outputs, self.tick_outputs = self.tick_outputs, []
        return outputs


# -- at-least-once (the benchmark's mode): what librdkafka's queue holds, and synchronous offset commits --
class AloProducer(FakeProducer):
    """Knows what librdkafka's queue still holds after flush(), and can fail deliveries of chosen keys."""

    def __init__(self, journal: Journal) -> None:
        super().__init__(journal)
        self.queued_after_flush = 0
        self.failing_offsets: set[int] = set()
        self.callbacks: list = []

    def produce(self, topic, key, value, headers, on_delivery) -> None:
        super().produce(topic, key, value, headers, on_delivery)
        self.callbacks.append((on_delivery, value))

    def flush(self, timeout: float | None = None) -> int:
        super().flush(timeout)
        for on_delivery, value in self.callbacks:  # deliveries are reported during flush()
            failed = any(f'"from_offset": {o}' in value.decode() for o in self.failing_offsets)
            on_delivery(KafkaError(KafkaError._MSG_TIMED_OUT) if failed else None, FakeMessageStub())
        self.callbacks.clear()
        return self.queued_after_flush

    def __len__(self) -> int:
        return self.queued_after_flush


class FakeMessageStub:
    def topic(self) -> str:
        return "out.topic"


@dataclass
class CommitResult:
    """A TopicPartition as commit() returns it (the real one's ``error`` cannot be set from Python)."""

    topic: str
    partition: int
    offset: int
    error: KafkaError | None


class AloConsumer(FakeConsumer):
    """Adds the synchronous offset commit an at-least-once loop calls."""

    def __init__(self, journal: Journal) -> None:
        super().__init__(journal)
        self.commit_failures: list[BaseException] = []
        self.rejected_partitions: set[tuple[str, int]] = set()

    def commit(self, offsets: list[TopicPartition], asynchronous: bool = True) -> list[CommitResult]:
        assert asynchronous is False  # a restart must resume after what this commit covers
        self.journal.append(("commit", {(tp.topic, tp.partition): tp.offset for tp in offsets}))
        if self.commit_failures:
            raise self.commit_failures.pop(0)
        results = []
        for tp in offsets:
            rejected = (tp.topic, tp.partition) in self.rejected_partitions
            if not rejected:
                self.committed_offsets[(tp.topic, tp.partition)] = tp.offset
            error = KafkaError(KafkaError.REBALANCE_IN_PROGRESS) if rejected else None
            results.append(CommitResult(tp.topic, tp.partition, tp.offset, error))
        return results
