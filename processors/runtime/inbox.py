"""Effectively-once side effects in PostgreSQL, next to a Kafka transaction (research note, Pattern A).

In ONE database transaction: claim the input event id, apply the effect, and store the output record's bytes.
If the process dies after the database commit but before the Kafka commit, the input is replayed: the claim
finds the stored output and re-emits exactly those bytes, and the effect is not applied a second time.

The claim also records where the input was read (topic, partition, offset). The same event id read again at
the SAME place is that replay after an aborted transaction: re-emit. Read at ANOTHER place it is a copy of an
event that already took effect (a DLQ replay re-publishes the original to its partition, after it): the first
reading's output is committed already, or sits in this same transaction, so nothing is emitted again.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from processors.runtime.crash import CrashPoints
from processors.runtime.handler import InputRecord, Output
from processors.runtime.serde import AvroCodec


class Database:
    """One connection per processor instance, reopened after the database went away."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection | None = None

    def connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self.url, connect_timeout=5)
        return self._conn


def process_once(
    db: Database,
    consumer: str,
    record: InputRecord,
    codec: AvroCodec,
    crash: CrashPoints,
    apply_effect: Callable[[psycopg.Connection], Output | None],
) -> list[Output]:
    conn = db.connection()
    event_id = str(record.event["event_id"])
    with conn.transaction():
        if not _claim(conn, consumer, record):
            topic, key, value, *source = conn.execute(
                "SELECT output_topic, output_key, output_value, source_topic, source_partition, "
                "source_offset FROM processed_events WHERE consumer = %s AND event_id = %s",
                (consumer, event_id),
            ).fetchone()
            if not _same_reading(source, record):
                return []  # a copy of an event that already took effect: its output is out already
            # a replay after an aborted transaction: the effect is in, re-emit what it produced then
            return [Output(topic, key, encoded=bytes(value))] if topic else []
        output = apply_effect(conn)
        if output is None:
            return []
        encoded = codec.encode(output.topic, output.event)
        conn.execute(
            "UPDATE processed_events SET output_topic = %s, output_key = %s, output_value = %s "
            "WHERE consumer = %s AND event_id = %s",
            (output.topic, output.key, encoded, consumer, event_id),
        )
    crash.reach("after-db-commit")
    return [Output(output.topic, output.key, encoded=encoded, headers=output.headers)]


def claim_event(db: Database, consumer: str, record: InputRecord) -> bool:
    """Claim an input whose outputs are recomputed, not stored (a pure decision): False for a copy of an
    event that already took effect elsewhere in the log, True for a first or repeated reading of this record.

    Call it once the outputs are computed and nothing can fail any more: a claim made for a record that then
    fails (and is retried from another topic) would turn that retry into a "copy".
    """
    conn = db.connection()
    with conn.transaction():
        if _claim(conn, consumer, record):
            return True
        source = conn.execute(
            "SELECT source_topic, source_partition, source_offset FROM processed_events "
            "WHERE consumer = %s AND event_id = %s",
            (consumer, str(record.event["event_id"])),
        ).fetchone()
    return _same_reading(list(source), record)


def _claim(conn: psycopg.Connection, consumer: str, record: InputRecord) -> bool:
    claimed = conn.execute(
        "INSERT INTO processed_events (consumer, event_id, order_id, source_topic, source_partition, "
        "source_offset) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING event_id",
        (
            consumer,
            str(record.event["event_id"]),
            record.event["order_id"],
            record.topic,
            record.partition,
            record.offset,
        ),
    ).fetchone()
    return claimed is not None


def _same_reading(source: list, record: InputRecord) -> bool:
    """Claimed at this very record, or before sources were recorded (migration 009): keep re-emitting then."""
    topic, partition, offset = source
    return topic is None or (topic, partition, offset) == (record.topic, record.partition, record.offset)
