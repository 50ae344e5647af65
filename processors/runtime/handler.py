"""The contract between the EOS loop and a processor: records in, outputs out, nothing else.

A handler never touches Kafka. It receives decoded input, returns the records to produce, and is told when
the transaction holding them committed or aborted, so in-memory state can follow the transaction. A handler
with state in a compacted changelog topic names it (``changelog_topic``); the runtime reads it when
partitions are assigned and hands the latest value of every key to ``restore``. Crash points are the
runtime's: a handler never sees them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from processors.events import new_event


class PermanentError(Exception):
    """The input is valid Avro but can never be processed (invalid business data): dead-letter it."""


class TransactionLost(Exception):
    """Side effects of earlier records in this transaction are gone (the database dropped them): abort it."""


# Header carried by every output: epoch ms at which the service consumed the input that caused it.
CONSUMED_AT_HEADER = "pedidos-consumed-at"
# What an output inherits from its input's headers: the trace, and when the service took the input.
PROPAGATED_HEADERS = ("correlation-id", "traceparent", CONSUMED_AT_HEADER)


@dataclass(frozen=True)
class InputRecord:
    topic: str
    partition: int
    offset: int
    key: str | None
    event: dict[str, Any]
    headers: dict[str, str]
    value: bytes  # the original bytes, for dead-lettering an event the domain rejects


@dataclass(frozen=True)
class Output:
    """A record to produce in the current transaction: an event to encode, or bytes stored earlier."""

    topic: str
    key: str
    event: dict[str, Any] | None = None
    encoded: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def wire_headers(self, inherited: dict[str, str]) -> list[tuple[str, bytes]]:
        """The headers to send: the input's propagated ones, then this output's own."""
        kept = {k: v for k, v in inherited.items() if k in PROPAGATED_HEADERS}
        return [(k, v.encode()) for k, v in {**kept, **self.headers}.items()]


class Handler(Protocol):
    name: str  # consumer group and transactional.id prefix
    input_topics: tuple[str, ...]
    dlq_topic: str
    assignment_strategy: str  # "range" (the saga needs it: co-partitioned inputs), or "cooperative-sticky"
    changelog_topic: str | None  # read by the runtime on assignment, partition by partition, into restore()

    def handle(self, record: InputRecord) -> list[Output]: ...

    def restore(self, partition: int, latest: dict[str, dict[str, Any]]) -> None:
        """The latest committed value of every key in ``partition`` of ``changelog_topic``, read on assignment
        before any record of that partition is handled."""

    def on_assign(self, partitions: list[tuple[str, int]]) -> None: ...

    def on_revoke(self, partitions: list[tuple[str, int]]) -> None: ...

    def prepare_commit(self) -> bool:
        """Make the transaction's side effects outside Kafka durable, just before the Kafka commit; True when
        something was committed there (the runtime's after-db-commit crash point follows)."""
        ...

    def on_commit(self) -> None: ...

    def on_abort(self) -> None: ...

    def tick(self, now: datetime) -> list[Output]: ...


class StatelessHandler:
    """Defaults for handlers that keep no in-memory state between records."""

    # Per topic, each instance a share of every input: cooperative-sticky balances only the partition count,
    # and left a second payment instance holding nothing but retry topics while the first did all the work.
    assignment_strategy = "range"
    changelog_topic: str | None = None

    def restore(self, partition: int, latest: dict[str, dict[str, Any]]) -> None:
        pass

    def on_assign(self, partitions: list[tuple[str, int]]) -> None:
        pass

    def on_revoke(self, partitions: list[tuple[str, int]]) -> None:
        pass

    def prepare_commit(self) -> bool:
        return False

    def on_commit(self) -> None:
        pass

    def on_abort(self) -> None:
        pass

    def tick(self, now: datetime) -> list[Output]:
        return []


def follow_up(topic: str, cause: dict[str, Any], producer: str, **payload: Any) -> Output:
    """An output event caused by ``cause``: same order and correlation, ``causation_id`` = its event id."""
    event = new_event(
        topic,
        order_id=cause["order_id"],
        correlation_id=cause["correlation_id"],
        causation_id=cause["event_id"],
        producer=producer,
        **payload,
    )
    return Output(topic, cause["order_id"], event)
