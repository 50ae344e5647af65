"""The event envelope every topic shares (docs/architecture.md §4), and deterministic event ids.

An event id is derived from the order and the event type, so a replayed transaction produces the same id:
the audit can then tell a duplicate (same id twice) from a legitimately distinct event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

EVENT_NAMESPACE = uuid.UUID("6f1c4a52-3b0e-4c55-9d0a-5e7a6c1f2b90")

# topic -> Avro record name (= event_type)
EVENT_TYPES = {
    "orders.new": "OrderPlaced",
    "payments.requested": "PaymentRequested",
    "payments.confirmed": "PaymentConfirmed",
    "payments.failed": "PaymentFailed",
    "payments.refund-requested": "RefundRequested",
    "payments.refunded": "PaymentRefunded",
    "inventory.reserved": "StockReserved",
    "inventory.failed": "StockReservationFailed",
    "inventory.release-requested": "StockReleaseRequested",
    "inventory.released": "StockReleased",
    "orders.confirmed": "OrderConfirmed",
    "orders.cancelled": "OrderCancelled",
    "notifications.events": "NotificationSent",
}


def event_id_for(order_id: str, event_type: str) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"{order_id}/{event_type}")


def now() -> datetime:
    return datetime.now(UTC)


def new_event(
    topic: str,
    *,
    order_id: str,
    correlation_id: str,
    causation_id: str | uuid.UUID | None,
    producer: str,
    occurred_at: datetime | None = None,
    **payload: Any,
) -> dict[str, Any]:
    event_type = EVENT_TYPES[topic]
    return {
        "event_id": event_id_for(order_id, event_type),
        "event_type": event_type,
        "occurred_at": occurred_at or now(),
        "order_id": order_id,
        "correlation_id": correlation_id,
        "causation_id": None if causation_id is None else str(causation_id),
        "producer": producer,
        **payload,
    }
