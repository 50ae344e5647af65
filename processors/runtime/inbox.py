"""Effectively-once side effects in PostgreSQL, next to a Kafka transaction (research note, Pattern A).

In ONE database transaction: claim the input event id, apply the effect, and store the output record's bytes.
If the process dies after the database commit but before the Kafka commit, the input is replayed: the claim
finds the stored output and re-emits exactly those bytes, and the effect is not applied a second time.
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
        claimed = conn.execute(
            "INSERT INTO processed_events (consumer, event_id, order_id) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING event_id",
            (consumer, event_id, record.event["order_id"]),
        ).fetchone()
        if claimed is None:  # a replay: the effect is already in, re-emit what it produced then
            topic, key, value = conn.execute(
                "SELECT output_topic, output_key, output_value FROM processed_events "
                "WHERE consumer = %s AND event_id = %s",
                (consumer, event_id),
            ).fetchone()
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
