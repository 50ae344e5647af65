"""The gateway's PostgreSQL access: named functions, plain SQL.

Connections come from the app's pool in autocommit mode, so a ``with conn.transaction():`` block is exactly
one database transaction and a lone SELECT holds no transaction open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row

from gateway.pricing import CatalogueEntry


@dataclass(frozen=True)
class StoredKey:
    order_id: str
    request_hash: str
    correlation_id: str | None
    acknowledged_at: datetime | None


def load_catalogue(conn: Connection, product_ids: Iterable[str]) -> dict[str, CatalogueEntry]:
    rows = conn.execute(
        "SELECT product_id, price, active FROM products WHERE product_id = ANY(%s)", (list(product_ids),)
    )
    return {pid: CatalogueEntry(pid, price, active) for pid, price, active in rows}


def customer_exists(conn: Connection, customer_id: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM customers WHERE customer_id = %s", (customer_id,)).fetchone() is not None
    )


def claim_key(conn: Connection, key: str, order_id: str, request_hash: str, correlation_id: str) -> None:
    """Stores the key before anything is produced; a key that exists already is left as it is."""
    conn.execute(
        """INSERT INTO idempotency_keys (idempotency_key, order_id, request_hash, correlation_id)
           VALUES (%s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING""",
        (key, order_id, request_hash, correlation_id),
    )


def lock_key(conn: Connection, key: str) -> StoredKey | None:
    """Row lock until the transaction ends: a concurrent request with the same key waits for our outcome."""
    row = conn.execute(
        """SELECT order_id, request_hash, correlation_id, acknowledged_at
           FROM idempotency_keys WHERE idempotency_key = %s FOR UPDATE""",
        (key,),
    ).fetchone()
    return None if row is None else StoredKey(*row)


def mark_acknowledged(conn: Connection, key: str) -> None:
    conn.execute("UPDATE idempotency_keys SET acknowledged_at = now() WHERE idempotency_key = %s", (key,))


def find_order(conn: Connection, order_id: str) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT order_id, status, customer_id, total_amount, correlation_id,
                      status_changed_at, created_at, updated_at
               FROM orders WHERE order_id = %s""",
            (order_id,),
        ).fetchone()


def order_events(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT event_id, event_type, topic, partition, "offset", occurred_at, recorded_at, payload
               FROM order_events WHERE order_id = %s ORDER BY occurred_at, recorded_at""",
            (order_id,),
        ).fetchall()


def accepted_not_projected(conn: Connection, order_id: str) -> dict[str, Any] | None:
    """An order the broker acknowledged (keyed checkout) that the projector has not shown yet."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT order_id, correlation_id, created_at, acknowledged_at FROM idempotency_keys
               WHERE order_id = %s AND acknowledged_at IS NOT NULL""",
            (order_id,),
        ).fetchone()
