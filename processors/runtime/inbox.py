"""Effectively-once PostgreSQL side effects beside a Kafka transaction (docs/architecture.md §6.1, Pattern A).

In ONE database transaction: claim the input event id, apply the effect, and store the output record's bytes.
If the process dies after the database commit but before the Kafka commit, the input is replayed: the claim
finds the stored output and re-emits exactly those bytes, and the effect is not applied a second time.

One database transaction spans a whole Kafka transaction, each record's work in a savepoint of its own, and
commits just before the Kafka commit (``Database.commit``, from the loop through ``prepare_commit``): one WAL
flush per batch instead of one per record, which is what lets the database-backed processors keep up. A
record that fails rolls back to its savepoint only; a connection lost mid-batch takes the batch's earlier
effects with it, so the Kafka transaction must go too (``TransactionLost``).

The claim also records where the input was read (topic, partition, offset). The same event id read again at
the SAME place is that replay after an aborted transaction: re-emit. Read at ANOTHER place it is a copy of an
event that already took effect (a DLQ replay re-publishes the original to its partition, after it): the first
reading's output is committed already, or sits in this same transaction, so nothing is emitted again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.pq import TransactionStatus

from processors.runtime.handler import InputRecord, Output, StatelessHandler, TransactionLost
from processors.runtime.serde import AvroCodec


class Database:
    """One connection per processor instance, reopened after the database went away.

    ``lock_timeout_ms`` bounds how long a record waits for a row another instance holds in its batch (a
    rebalance hand-over, a zombie): past it the record fails like any transient error. A session idle inside
    a transaction for ``idle_timeout_ms`` (a frozen zombie's) is ended by the server, releasing its locks.
    """

    def __init__(self, url: str, lock_timeout_ms: int = 5000, idle_timeout_ms: int = 20_000) -> None:
        self.url = url
        self.options = (
            f"-c lock_timeout={lock_timeout_ms} -c idle_in_transaction_session_timeout={idle_timeout_ms}"
        )
        self._conn: psycopg.Connection | None = None
        self.pending = False  # earlier records of this batch have uncommitted work on the connection

    def connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            # autocommit: BEGIN and COMMIT are ours to send, one pair per batch
            self._conn = psycopg.connect(self.url, connect_timeout=5, autocommit=True, options=self.options)
        return self._conn

    @contextmanager
    def record(self) -> Iterator[psycopg.Connection]:
        """One record's work, in a savepoint of the batch's transaction (begun by its first record)."""
        if self.pending and (self._conn is None or self._conn.closed or self._conn.broken):
            raise TransactionLost("database connection lost, and with it this batch's earlier effects")
        conn = self.connection()
        try:
            if conn.info.transaction_status == TransactionStatus.IDLE:
                conn.execute("BEGIN")
            with conn.transaction():  # a savepoint, the batch's transaction being open
                yield conn
        except psycopg.Error as error:
            if self.pending and (conn.closed or conn.broken):
                raise TransactionLost("database connection lost mid-batch") from error
            raise
        self.pending = True

    def commit(self) -> bool:
        """Commit the batch's transaction; True when there was one. Raises when the commit failed."""
        conn, self.pending = self._conn, False
        if conn is None or conn.closed or conn.info.transaction_status == TransactionStatus.IDLE:
            return False
        conn.commit()
        return True

    def rollback(self) -> None:
        conn, self.pending = self._conn, False
        if conn is not None and not conn.closed and not conn.broken:
            try:
                conn.rollback()
            except psycopg.Error:
                conn.close()  # reopened on next use; the server drops the transaction with the session


class InboxHandler(StatelessHandler):
    """A handler whose effects go to PostgreSQL through the inbox: one database transaction per batch."""

    db: Database

    def prepare_commit(self) -> bool:
        return self.db.commit()

    def on_abort(self) -> None:
        self.db.rollback()


def process_once(
    db: Database,
    consumer: str,
    record: InputRecord,
    codec: AvroCodec,
    apply_effect: Callable[[psycopg.Connection], Output | None],
) -> list[Output]:
    event_id = str(record.event["event_id"])
    with db.record() as conn:
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
    return [Output(output.topic, output.key, encoded=encoded, headers=output.headers)]


def claim_event(db: Database, consumer: str, record: InputRecord) -> bool:
    """Claim an input whose outputs are recomputed, not stored (a pure decision): False for a copy of an
    event that already took effect elsewhere in the log, True for a first or repeated reading of this record.

    Call it once the outputs are computed and nothing can fail any more: a claim made for a record that then
    fails (and is retried from another topic) would turn that retry into a "copy".
    """
    with db.record() as conn:
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
