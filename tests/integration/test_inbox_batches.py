"""The inbox's batch transaction against the real PostgreSQL: one commit per batch, savepoints per record."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from processors.runtime.handler import InputRecord, TransactionLost
from processors.runtime.inbox import Database, claim_event
from processors.settings import Settings

CONSUMER = "inbox-test"


def reading(offset: int) -> InputRecord:
    event = {"event_id": str(uuid.uuid4()), "order_id": f"o-{uuid.uuid4().hex[:8]}"}
    return InputRecord("orders.new", 0, offset, event["order_id"], event, {}, b"")


def claimed(settings: Settings, records: list[InputRecord]) -> set[str]:
    ids = [str(r.event["event_id"]) for r in records]
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT event_id FROM processed_events WHERE consumer = %s AND event_id = ANY(%s)",
            (CONSUMER, ids),
        ).fetchall()
    return {str(row[0]) for row in rows}


@pytest.fixture
def db(settings: Settings):
    database = Database(settings.database_url)
    yield database
    database.rollback()
    if database._conn is not None:
        database._conn.close()


def test_a_batch_is_invisible_until_its_commit_and_then_whole(settings: Settings, db: Database) -> None:
    batch = [reading(i) for i in range(3)]
    for record in batch:
        assert claim_event(db, CONSUMER, record)
    assert claimed(settings, batch) == set()  # another session sees nothing before the commit
    assert db.commit() is True
    assert claimed(settings, batch) == {str(r.event["event_id"]) for r in batch}
    assert db.commit() is False  # nothing open any more


def test_a_failing_record_rolls_back_to_its_savepoint_only(settings: Settings, db: Database) -> None:
    first, failing, last = reading(0), reading(1), reading(2)
    assert claim_event(db, CONSUMER, first)
    with pytest.raises(psycopg.errors.DivisionByZero), db.record() as conn:
        conn.execute(
            "INSERT INTO processed_events (consumer, event_id, order_id) VALUES (%s, %s, %s)",
            (CONSUMER, str(failing.event["event_id"]), failing.event["order_id"]),
        )
        conn.execute("SELECT 1 / 0")
    assert claim_event(db, CONSUMER, last)
    db.commit()
    assert claimed(settings, [first, failing, last]) == {
        str(first.event["event_id"]),
        str(last.event["event_id"]),
    }


def test_a_connection_lost_mid_batch_loses_the_batch_and_says_so(settings: Settings, db: Database) -> None:
    first = reading(0)
    assert claim_event(db, CONSUMER, first)
    pid = db.connection().info.backend_pid
    with psycopg.connect(settings.database_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(TransactionLost):
        claim_event(db, CONSUMER, reading(1))
    db.rollback()  # the loop aborts the Kafka transaction; the next batch starts on a new connection
    replay = reading(0)
    assert claim_event(db, CONSUMER, replay)
    db.commit()
    assert claimed(settings, [first, replay]) == {str(replay.event["event_id"])}


def test_a_lost_connection_at_the_first_record_is_an_ordinary_transient_error(
    settings: Settings, db: Database
) -> None:
    pid = db.connection().info.backend_pid
    with psycopg.connect(settings.database_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError):  # nothing earlier to lose: retried in place, then later
        claim_event(db, CONSUMER, reading(0))
    record = reading(0)
    assert claim_event(db, CONSUMER, record)  # reconnected
    db.commit()
    assert claimed(settings, [record]) == {str(record.event["event_id"])}
