"""The projector loop: Kafka (read_committed) -> PostgreSQL, offsets stored with the data.

Per batch:
1. consume up to ``batch_size`` records;
2. decode each (Avro via the registry); an undecodable record is logged and skipped, its offset advances;
3. in ONE database transaction: insert each event into ``order_events`` (a known event_id means it was
   projected before, with its effect on ``orders``, so it is skipped), merge it into ``orders``, and
   compare-and-set each partition's ``consumer_offsets.next_offset`` from the value we started from;
4. commit. If anything fails (database error, or a compare-and-set finds another owner), roll back and seek
   the batch's partitions back to the offsets stored in PostgreSQL: the batch is replayed, nothing applied
   twice.
On assignment the consumer seeks to the stored offsets (the beginning when none). Kafka's committed offsets
are written after the database commit for monitoring only (lag in Kafka tools); nothing reads them back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import psycopg
from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition
from prometheus_client import Counter, Histogram

from processors.events import EVENT_TYPES
from processors.projector import domain, store
from processors.runtime.handler import CONSUMED_AT_HEADER
from processors.runtime.metrics import LagReporter
from processors.runtime.serde import AvroCodec, PoisonPill

log = logging.getLogger("pedidos.projector")
ORDER_FLOW_TOPICS = tuple(EVENT_TYPES)  # every event topic, requests included: they are part of the story

PROJECTED = Counter("pedidos_projector_events_total", "Events projected into the read model", ["topic"])
POISON = Counter("pedidos_projector_poison_records_total", "Undecodable records skipped", ["topic", "reason"])
REWINDS = Counter("pedidos_projector_rewinds_total", "Batches rolled back and replayed", ["reason"])
BATCH_SECONDS = Histogram(
    "pedidos_projector_batch_duration_seconds",
    "One batch's database transaction",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


class LostPartition(Exception):
    """A compare-and-set on consumer_offsets failed: another consumer owns the partition now."""


@dataclass
class ProjectorStats:
    projected: int = 0
    duplicates: int = 0
    poison: int = 0
    first_offsets: dict[tuple[str, int], int] = field(default_factory=dict)  # first offset read per partition


def consumer_config(bootstrap_servers: str, group: str) -> dict[str, object]:
    return {
        "bootstrap.servers": bootstrap_servers,
        "group.id": group,
        "client.id": group,
        # Never project what an aborted (or still open) transaction wrote.
        "isolation.level": "read_committed",
        # The position that counts is consumer_offsets in PostgreSQL, written with the data.
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
    }


class Projector:
    def __init__(
        self,
        bootstrap_servers: str,
        database_url: str,
        codec: AvroCodec,
        group: str = "projector",
        topics: tuple[str, ...] = ORDER_FLOW_TOPICS,
        batch_size: int = 500,
        poll_timeout_s: float = 0.5,
    ) -> None:
        self.group, self.topics, self.codec = group, topics, codec
        self.batch_size, self.poll_timeout_s = batch_size, poll_timeout_s
        self.database_url = database_url
        self.stats = ProjectorStats()
        self.closed = False
        self._db: psycopg.Connection | None = None
        self._expected: dict[tuple[str, int], int | None] = {}  # stored next_offset per assigned partition
        self._consumer = Consumer(consumer_config(bootstrap_servers, group))
        self.lag = LagReporter("projector", group, self._consumer)
        self._consumer.subscribe(list(topics), on_assign=self._on_assign, on_revoke=self._on_revoke)

    # -- loop ----------------------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        log.info("projector started", extra={"group": self.group, "topics": list(self.topics)})
        while not stop.is_set():
            if self.poll_batch() < 0:
                stop.wait(1.0)  # rolled back (database down, partition lost): back off, then replay
        self.close()

    def poll_batch(self) -> int:
        """Projects one batch; returns the number of records consumed, or -1 after a rollback."""
        records = [m for m in self._consumer.consume(self.batch_size, self.poll_timeout_s) if self._ok(m)]
        for message in records:
            self.lag.seen(message)
        self.lag.update()
        if not records:
            return 0
        decoded = [(m, event) for m in records if (event := self._decode(m)) is not None]
        positions: dict[tuple[str, int], int] = {}
        for m in records:
            tp = (m.topic(), m.partition())
            positions[tp] = max(positions.get(tp, 0), m.offset() + 1)
            self.stats.first_offsets.setdefault(tp, m.offset())
        started = time.monotonic()
        try:
            with self._connection().transaction() as tx:
                # Sorted by order id: concurrent projectors lock `orders` rows in one order: no deadlock.
                applied = [
                    (message, event, status)
                    for message, event in sorted(decoded, key=lambda item: item[1]["order_id"])
                    if (status := self._project(tx.connection, message, event)) is not None
                ]
                for (topic, partition), next_offset in positions.items():
                    expected = self._expected.get((topic, partition))
                    if not store.save_offset(
                        tx.connection, self.group, topic, partition, next_offset, expected
                    ):
                        raise LostPartition(f"{topic}[{partition}] stored offset is not {expected}")
        except (LostPartition, psycopg.Error) as error:
            self._rewind(error, list(positions))
            return -1
        BATCH_SECONDS.observe(time.monotonic() - started)
        self._expected.update(positions)
        self._consumer.commit(
            offsets=[TopicPartition(t, p, o) for (t, p), o in positions.items()], asynchronous=True
        )
        self._report(applied, len(decoded))
        return len(records)

    def _project(self, conn: psycopg.Connection, message: Message, event: dict) -> str | None:
        """Inserts the event and merges it into its order; the order's status, or None if seen before."""
        consumed_at = dict(message.headers() or []).get(CONSUMED_AT_HEADER)
        where = domain.RecordPlace(
            message.topic(),
            message.partition(),
            message.offset(),
            record_ts=domain.epoch_ms(message.timestamp()[1]),
            consumed_at=domain.epoch_ms(consumed_at.decode() if consumed_at else None),
        )
        if not store.insert_event(conn, event, where, payload=domain.payload(event)):
            return None
        return store.apply_to_order(
            conn, event["order_id"], domain.status_mark(event), domain.order_facts(event)
        )

    def _report(self, applied: list[tuple[Message, dict, str]], decoded: int) -> None:
        self.stats.projected += len(applied)
        self.stats.duplicates += decoded - len(applied)
        for message, event, status in applied:
            PROJECTED.labels(message.topic()).inc()
            log.info(
                "%s %s[%d]@%d -> %s",
                event["event_type"],
                message.topic(),
                message.partition(),
                message.offset(),
                status,
                extra={
                    "order_id": event["order_id"],
                    "correlation_id": event.get("correlation_id"),
                    "topic": message.topic(),
                    "partition": message.partition(),
                    "offset": message.offset(),
                    "status": status,
                },
            )

    # -- records -------------------------------------------------------------------------------------------

    def _ok(self, message: Message) -> bool:
        if message.error() is not None:
            log.warning("consumer error", extra={"error": str(message.error())})
            return False
        return True

    def _decode(self, message: Message) -> dict | None:
        try:
            return self.codec.decode(message.topic(), message.value())
        except PoisonPill as pill:
            # The read model has no DLQ of its own: the record is logged and skipped, its offset advances.
            self.stats.poison += 1
            POISON.labels(message.topic(), pill.reason).inc()
            log.error(
                "undecodable record skipped %s[%d]@%d",
                message.topic(),
                message.partition(),
                message.offset(),
                extra={"reason": pill.reason, "detail": pill.detail},
            )
            return None

    # -- offsets and rebalances ----------------------------------------------------------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        stored = store.load_offsets(self._connection(), self.group)
        for tp in partitions:
            self._expected[(tp.topic, tp.partition)] = stored.get((tp.topic, tp.partition))
            tp.offset = stored.get((tp.topic, tp.partition), OFFSET_BEGINNING)
        consumer.assign(partitions)
        log.info("partitions assigned", extra={"partitions": _summary(partitions)})

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Nothing to finish: every batch is committed (or rolled back) before the next poll.
        for tp in partitions:
            self._expected.pop((tp.topic, tp.partition), None)
        self.lag.forget([(tp.topic, tp.partition) for tp in partitions])
        consumer.unassign()

    def _rewind(self, error: Exception, partitions: list[tuple[str, int]]) -> None:
        """Seeks the batch's partitions back to the offsets stored with the data, so the batch is replayed."""
        REWINDS.labels(type(error).__name__).inc()
        log.warning("batch rolled back, replaying from stored offsets", extra={"reason": str(error)})
        if isinstance(error, psycopg.OperationalError):
            self._close_db()  # our in-memory offsets are what we last committed; reconnect on the next batch
        else:
            stored = store.load_offsets(self._connection(), self.group)
            self._expected.update({tp: stored.get(tp) for tp in partitions})
        for topic, partition in partitions:
            offset = self._expected.get((topic, partition))
            self._consumer.seek(
                TopicPartition(topic, partition, OFFSET_BEGINNING if offset is None else offset)
            )

    # -- resources -----------------------------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection:
        if self._db is None or self._db.closed:
            self._db = psycopg.connect(self.database_url, autocommit=True)
        return self._db

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._consumer.close()
        self._close_db()
        log.info("projector stopped", extra={"group": self.group})


def _summary(partitions: list[TopicPartition]) -> dict[str, list[int]]:
    """{"orders.new": [0, 1, 2], ...}: one short log field instead of one entry per partition."""
    by_topic: dict[str, list[int]] = {}
    for tp in partitions:
        by_topic.setdefault(tp.topic, []).append(tp.partition)
    return {topic: sorted(numbers) for topic, numbers in sorted(by_topic.items())}
