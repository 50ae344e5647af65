"""Stock and reservations in PostgreSQL: plain SQL, one function per question or effect."""

from __future__ import annotations

import json

import psycopg


def lock_available(conn: psycopg.Connection, product_ids: list[str]) -> dict[str, int]:
    """Available units per product, rows locked until commit (in id order, so two orders never deadlock)."""
    rows = conn.execute(
        "SELECT product_id, available FROM stock WHERE product_id = ANY(%s) ORDER BY product_id FOR UPDATE",
        (sorted(set(product_ids)),),
    ).fetchall()
    return dict(rows)


def reservation_status(conn: psycopg.Connection, order_id: str) -> str | None:
    row = conn.execute("SELECT status FROM reservations WHERE order_id = %s", (order_id,)).fetchone()
    return row[0] if row else None


def reserve(
    conn: psycopg.Connection, reservation_id: str, order_id: str, items: list[tuple[str, int]]
) -> None:
    for product_id, quantity in items:
        # The WHERE clause is the real guard against overselling; the CHECK constraint is the backstop.
        updated = conn.execute(
            "UPDATE stock SET available = available - %s, reserved = reserved + %s, updated_at = now() "
            "WHERE product_id = %s AND available >= %s",
            (quantity, quantity, product_id, quantity),
        ).rowcount
        if updated != 1:
            raise RuntimeError(f"stock of {product_id} changed under a held lock")
    conn.execute(
        "INSERT INTO reservations (reservation_id, order_id, status, items) VALUES (%s, %s, 'reserved', %s)",
        (reservation_id, order_id, json.dumps([{"product_id": p, "quantity": q} for p, q in items])),
    )


def release(conn: psycopg.Connection, reservation_id: str, order_id: str) -> list[tuple[str, int]]:
    """Release the order's live reservation; with none, record a released one so a late reserve is refused."""
    row = conn.execute(
        "UPDATE reservations SET status = 'released', released_at = now() "
        "WHERE order_id = %s AND status = 'reserved' RETURNING items",
        (order_id,),
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO reservations (reservation_id, order_id, status, items, released_at) "
            "VALUES (%s, %s, 'released', '[]', now()) ON CONFLICT (order_id) DO NOTHING",
            (reservation_id, order_id),
        )
        return []
    items = [(item["product_id"], item["quantity"]) for item in row[0]]
    for product_id, quantity in sorted(items):
        conn.execute(
            "UPDATE stock SET available = available + %s, reserved = reserved - %s, updated_at = now() "
            "WHERE product_id = %s",
            (quantity, quantity, product_id),
        )
    return items
