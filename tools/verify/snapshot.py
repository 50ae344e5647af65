"""What the audit looks at, gathered once: every topic read to its end, committed offsets, the database."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

import psycopg
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from gateway.dlq.kafka_io import read_dead_letters, read_ledger
from processors.events import EVENT_TYPES
from processors.runtime.serde import AvroCodec, PoisonPill
from processors.settings import Settings
from tools.verify.observations import GROUP_INPUTS, Seen, Snapshot

AUDITED_TOPICS = tuple(EVENT_TYPES)  # every event topic of the order flow


def take_snapshot(
    settings: Settings, codec: AvroCodec, timeout_s: float = 90, scope: set[str] | None = None
) -> Snapshot:
    """Everything, or with ``scope`` only those orders' events and rows (stock and offsets stay global)."""
    snapshot = Snapshot()
    committed = read_topics(settings.bootstrap_servers, AUDITED_TOPICS, "read_committed", timeout_s)
    uncommitted = read_topics(settings.bootstrap_servers, AUDITED_TOPICS, "read_uncommitted", timeout_s)
    for topic in AUDITED_TOPICS:
        snapshot.events[topic] = []
        snapshot.aborted_seen[topic] = sum(1 for r in uncommitted if r[0] == topic)
    for topic, partition, offset, value in committed:
        snapshot.aborted_seen[topic] -= 1
        try:
            event = codec.decode(topic, value)
        except PoisonPill:
            snapshot.undecodable[topic] += 1
            snapshot.poison.append((topic, partition, offset))
            continue
        snapshot.events[topic].append(Seen(topic, partition, offset, event))
    _fold_replays(settings, snapshot)
    snapshot.committed = committed_offsets(settings)
    snapshot.lag = group_lag(settings, snapshot.committed)
    _read_database(settings, snapshot)
    if scope is not None:
        restrict(snapshot, scope)
    return snapshot


def _fold_replays(settings: Settings, snapshot: Snapshot) -> None:
    """A DLQ replay re-publishes an original, event id and all: the copy is the same event delivered again,
    not a duplicate (the processors ignore a copy of an event that already took effect). Keep one record per
    event id: the original, or the first copy when the original never decoded or never existed."""
    copies = {
        (e.copy.topic, e.copy.partition, e.copy.offset)
        for e in read_ledger(settings.bootstrap_servers).values()
        if e.copy
    }
    snapshot.dead_lettered = {
        (x.origin.topic, x.origin.partition, x.origin.offset)
        for x in read_dead_letters(settings.bootstrap_servers)
        if x.origin
    }
    if not copies:
        return
    for topic, seen in snapshot.events.items():
        kept = [x for x in seen if (x.topic, x.partition, x.offset) not in copies]  # real duplicates stay
        ids = {str(x.event["event_id"]) for x in kept}
        for x in sorted(
            (x for x in seen if (x.topic, x.partition, x.offset) in copies), key=lambda x: x.offset
        ):
            if str(x.event["event_id"]) in ids:
                snapshot.replay_copies += 1
                continue
            ids.add(str(x.event["event_id"]))
            kept.append(x)
        snapshot.events[topic] = kept


def restrict(snapshot: Snapshot, scope: set[str]) -> None:
    """Keep only these orders' events and rows (stock, offsets and aborted counts stay global)."""
    snapshot.events = {
        t: [x for x in seen if x.event["order_id"] in scope] for t, seen in snapshot.events.items()
    }
    snapshot.accepted_orders &= scope
    snapshot.reservations = {o: st for o, st in snapshot.reservations.items() if o in scope}
    snapshot.notifications = Counter({o: n for o, n in snapshot.notifications.items() if o in scope})


def settled_orders(snapshot: Snapshot, placed_before: datetime) -> set[str]:
    """Orders placed before the cut-off: old enough that every saga deadline has passed for them."""
    return {
        x.event["order_id"]
        for x in snapshot.events.get("orders.new", [])
        if x.event["occurred_at"] < placed_before
    }


def aborted_records(settings: Settings, topics: tuple[str, ...], timeout_s: float = 90) -> dict[str, int]:
    """Per topic, how many records only a read_uncommitted reader sees: the writes of aborted transactions."""
    counts = Counter(
        r[0] for r in read_topics(settings.bootstrap_servers, topics, "read_uncommitted", timeout_s)
    )
    counts.subtract(
        r[0] for r in read_topics(settings.bootstrap_servers, topics, "read_committed", timeout_s)
    )
    return {topic: counts[topic] for topic in topics}


def read_topics(
    bootstrap: str, topics: tuple[str, ...], isolation: str, timeout_s: float = 90
) -> list[tuple[str, int, int, bytes]]:
    """Every record of the topics, from the beginning to their current end, in one consumer."""
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "audit-probe"})
    try:
        starts = dict.fromkeys(partitions_of(probe, topics), 0)
    finally:
        probe.close()
    return read_from(bootstrap, starts, isolation, timeout_s)


def read_from(
    bootstrap: str,
    starts: dict[tuple[str, int], int],
    isolation: str = "read_committed",
    timeout_s: float = 90,
    ends: dict[tuple[str, int], int] | None = None,
) -> list[tuple[str, int, int, bytes]]:
    """Every record from each partition's start offset up to ``ends`` (default: its high watermark now)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"audit-{uuid.uuid4().hex[:8]}",
            "isolation.level": isolation,
            "enable.auto.commit": False,
        }
    )
    try:
        known = ends or {}
        ends = {
            **end_offsets(consumer, [tp for tp in starts if tp not in known]),
            **{tp: known[tp] for tp in starts if tp in known},
        }
        pending = {tp for tp, end in ends.items() if end > starts[tp]}
        consumer.assign([TopicPartition(t, p, starts[(t, p)]) for t, p in pending])
        records: list[tuple[str, int, int, bytes]] = []
        deadline = time.monotonic() + timeout_s
        while pending:
            if time.monotonic() > deadline:
                # An open transaction pins read_committed below the end: report it instead of guessing.
                raise TimeoutError(f"{isolation}: end offsets {ends} not reached in {timeout_s:.0f} s")
            for message in consumer.consume(1000, timeout=0.5):
                if message.error() is None and message.offset() < ends[message.topic(), message.partition()]:
                    records.append(
                        (message.topic(), message.partition(), message.offset(), message.value() or b"")
                    )
            positions = consumer.position([TopicPartition(t, p) for t, p in pending])
            pending -= {
                (tp.topic, tp.partition) for tp in positions if tp.offset >= ends[(tp.topic, tp.partition)]
            }
        return records
    finally:
        consumer.close()


def partitions_of(consumer: Consumer, topics: Iterable[str]) -> list[tuple[str, int]]:
    return [(t, p) for t in topics for p in consumer.list_topics(t, timeout=10).topics[t].partitions]


def end_offsets(consumer: Consumer, partitions: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    return {tp: consumer.get_watermark_offsets(TopicPartition(*tp), timeout=10)[1] for tp in partitions}


def input_end_offsets(settings: Settings) -> dict[tuple[str, int], int]:
    """Where every processor input partition ends now: records past this are someone else's traffic."""
    probe = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "audit-probe"})
    try:
        inputs = {t for topics in GROUP_INPUTS.values() for t in topics}
        return end_offsets(probe, partitions_of(probe, inputs))
    finally:
        probe.close()


def committed_offsets(settings: Settings) -> dict[str, dict[tuple[str, int], int]]:
    """Each processor group's committed offsets (the next record to read) on each of its input partitions."""
    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    probe = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "audit-probe"})
    committed: dict[str, dict[tuple[str, int], int]] = {}
    try:
        for group, topics in GROUP_INPUTS.items():
            partitions = [TopicPartition(t, p) for t, p in partitions_of(probe, topics)]
            result = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group, partitions)])[
                group
            ]
            committed[group] = {
                (tp.topic, tp.partition): max(tp.offset, 0) for tp in result.result().topic_partitions
            }
    finally:
        probe.close()
    return committed


def group_lag(
    settings: Settings,
    committed: dict[str, dict[tuple[str, int], int]] | None = None,
    until: dict[tuple[str, int], int] | None = None,
) -> dict[str, int]:
    """Per processor group: input records past its committed offsets (0 = drained), up to ``until``.

    Counted by reading, not by subtracting offsets: the commit marker that ends a transaction takes an offset
    of its own, so a fully processed partition still ends one offset past its committed position.
    """
    committed = committed or committed_offsets(settings)
    return {
        group: len(read_from(settings.bootstrap_servers, starts, timeout_s=30, ends=until))
        for group, starts in committed.items()
    }


def _read_database(settings: Settings, snapshot: Snapshot) -> None:
    with psycopg.connect(settings.database_url) as conn:
        snapshot.accepted_orders = {
            row[0]
            for row in conn.execute("SELECT order_id FROM idempotency_keys WHERE acknowledged_at IS NOT NULL")
        }
        snapshot.stock = [
            tuple(row)
            for row in conn.execute(
                "SELECT product_id, available, reserved, reserved_by_reservations "
                "FROM stock_reservation_check"
            )
        ]
        snapshot.reservations = dict(conn.execute("SELECT order_id, status FROM reservations").fetchall())
        snapshot.notifications = Counter(row[0] for row in conn.execute("SELECT order_id FROM notifications"))
