"""The projector's PostgreSQL access: named functions, plain SQL, called inside one transaction per batch."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from processors.projector.domain import EPOCH, OrderFacts, RecordPlace, StatusMark, merge


def load_offsets(conn: Connection, group: str) -> dict[tuple[str, int], int]:
    rows = conn.execute(
        "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer_group = %s", (group,)
    )
    return {(topic, partition): offset for topic, partition, offset in rows}


def save_offset(
    conn: Connection, group: str, topic: str, partition: int, next_offset: int, expected: int | None
) -> bool:
    """Compare-and-set: False when the stored offset is not the one we started from, i.e. another consumer
    (the partition's new owner after a rebalance) moved it; the caller must roll back."""
    if expected is None:
        cursor = conn.execute(
            """INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset)
               VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING""",
            (group, topic, partition, next_offset),
        )
    else:
        cursor = conn.execute(
            """UPDATE consumer_offsets SET next_offset = %s, updated_at = now()
               WHERE consumer_group = %s AND topic = %s AND partition = %s AND next_offset = %s""",
            (next_offset, group, topic, partition, expected),
        )
    return cursor.rowcount == 1


def insert_event(
    conn: Connection,
    event: dict[str, Any],
    where: RecordPlace,
    payload: dict[str, Any],
) -> bool:
    """True if the event is new; False if it was projected before (its effect on `orders` too)."""
    cursor = conn.execute(
        """INSERT INTO order_events (event_id, order_id, event_type, topic, partition, "offset",
                                     occurred_at, payload, record_ts, consumed_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING""",
        (
            uuid.UUID(str(event["event_id"])),
            event["order_id"],
            event["event_type"],
            where.topic,
            where.partition,
            where.offset,
            event["occurred_at"],
            Jsonb(payload),
            where.record_ts,
            where.consumed_at,
        ),
    )
    return cursor.rowcount == 1


def apply_to_order(conn: Connection, order_id: str, mark: StatusMark, facts: OrderFacts) -> str:
    """Creates the order row or merges the event into it; returns the resulting status."""
    inserted = conn.execute(
        """INSERT INTO orders (order_id, customer_id, status, total_amount, correlation_id, status_changed_at,
                               created_at)
           VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, now()))
           ON CONFLICT (order_id) DO NOTHING RETURNING status""",
        (
            order_id,
            facts.customer_id,
            mark.status,
            facts.total_amount,
            facts.correlation_id,
            mark.at,
            facts.placed_at,
        ),
    ).fetchone()
    if inserted is not None:
        return mark.status
    status, changed_at = conn.execute(
        "SELECT status, status_changed_at FROM orders WHERE order_id = %s FOR UPDATE", (order_id,)
    ).fetchone()
    merged = merge(StatusMark(status, changed_at or EPOCH), mark)
    conn.execute(
        """UPDATE orders SET status = %s, status_changed_at = %s,
                  customer_id = coalesce(customer_id, %s), total_amount = coalesce(total_amount, %s),
                  correlation_id = coalesce(correlation_id, %s), created_at = coalesce(%s, created_at),
                  updated_at = now()
           WHERE order_id = %s""",
        (
            merged.status,
            merged.at,
            facts.customer_id,
            facts.total_amount,
            facts.correlation_id,
            facts.placed_at,
            order_id,
        ),
    )
    return merged.status
