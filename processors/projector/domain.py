"""What an event means for the read model: pure functions, no Kafka or database imports.

The status rule is a merge, not a sequence: of two status marks the one with the higher precedence wins
(terminal beats non-terminal, then the newer ``occurred_at``, then the later step of the flow). Such a merge
is commutative and idempotent, so events may be projected in any order, replayed, or arrive from topics read
in parallel, and the status never regresses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# The flow's steps, in order; the index breaks ties between marks with the same occurred_at.
STEPS = (
    "unknown",
    "created",
    "payment_pending",
    "paid",
    "payment_failed",
    "stock_reserved",
    "stock_failed",
    "refund_pending",
    "release_pending",
    "refunded",
    "stock_released",
    "confirmed",
    "cancelled",
)
TERMINAL = frozenset({"confirmed", "cancelled"})
STATUS_BY_EVENT_TYPE = {
    "OrderPlaced": "created",
    "PaymentRequested": "payment_pending",
    "PaymentConfirmed": "paid",
    "PaymentFailed": "payment_failed",
    "StockReserved": "stock_reserved",
    "StockReservationFailed": "stock_failed",
    "RefundRequested": "refund_pending",
    "StockReleaseRequested": "release_pending",
    "PaymentRefunded": "refunded",
    "StockReleased": "stock_released",
    "OrderConfirmed": "confirmed",
    "OrderCancelled": "cancelled",
}
ENVELOPE_COLUMNS = ("event_id", "event_type", "order_id", "occurred_at")  # stored as columns, not in payload
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RecordPlace:
    """Where an event was read, and the two instants that time its step (see sql/008_dashboard.sql)."""

    topic: str
    partition: int
    offset: int
    record_ts: datetime | None = None
    consumed_at: datetime | None = None


def epoch_ms(value: int | str | None) -> datetime | None:
    """A Kafka timestamp or header in epoch milliseconds as a datetime; None when absent or not a number."""
    try:
        millis = int(value) if value is not None else 0
    except ValueError:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC) if millis > 0 else None


@dataclass(frozen=True)
class StatusMark:
    status: str
    at: datetime

    def precedence(self) -> tuple[bool, datetime, int]:
        step = STEPS.index(self.status) if self.status in STEPS else 0
        return (self.status in TERMINAL, self.at, step)


UNKNOWN = StatusMark("unknown", EPOCH)


@dataclass(frozen=True)
class OrderFacts:
    """Columns of ``orders`` an event can fill in; None means "this event does not say"."""

    customer_id: str | None
    total_amount: Decimal | None
    correlation_id: str | None
    placed_at: datetime | None  # occurred_at of OrderPlaced: the order's creation time


def status_mark(event: dict[str, Any]) -> StatusMark:
    """The status this event implies. A notification is only sent for a terminal order, and carries it."""
    event_type = event["event_type"]
    status = STATUS_BY_EVENT_TYPE.get(event_type)
    if event_type == "NotificationSent" and event.get("order_status") in TERMINAL:
        status = event["order_status"]
    return UNKNOWN if status is None else StatusMark(status, event["occurred_at"])


def merge(current: StatusMark | None, candidate: StatusMark) -> StatusMark:
    if current is None or candidate.precedence() > current.precedence():
        return candidate
    return current


def order_facts(event: dict[str, Any]) -> OrderFacts:
    return OrderFacts(
        customer_id=event.get("customer_id"),
        total_amount=event.get("total_amount"),
        correlation_id=event.get("correlation_id"),
        placed_at=event["occurred_at"] if event["event_type"] == "OrderPlaced" else None,
    )


def payload(event: dict[str, Any]) -> dict[str, Any]:
    """The event minus its envelope columns, JSON-ready: money as strings (exact), times as ISO 8601."""
    return {key: _jsonable(value) for key, value in event.items() if key not in ENVELOPE_COLUMNS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value
