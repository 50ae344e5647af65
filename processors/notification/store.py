"""Notifications in PostgreSQL: plain SQL, one function per effect."""

from __future__ import annotations

import psycopg


def insert_notification(
    conn: psycopg.Connection,
    notification_id: str,
    order_id: str,
    event_id: str,
    customer_id: str,
    channel: str,
    message: str,
    order_status: str,
) -> bool:
    """Record the order's one notification; False when the order already has one (UNIQUE on order_id)."""
    inserted = conn.execute(
        "INSERT INTO notifications (notification_id, order_id, event_id, customer_id, channel, message, "
        "order_status) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (order_id) DO NOTHING",
        (notification_id, order_id, event_id, customer_id, channel, message, order_status),
    ).rowcount
    return inserted == 1
