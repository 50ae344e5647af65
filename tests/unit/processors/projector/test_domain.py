import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from processors.projector.domain import UNKNOWN, StatusMark, merge, order_facts, payload, status_mark

T0 = datetime(2026, 5, 17, 12, 0, tzinfo=UTC)


def event(event_type, seconds=0, **fields):
    return {
        "event_id": uuid.uuid4(),
        "event_type": event_type,
        "occurred_at": T0 + timedelta(seconds=seconds),
        "order_id": "o-1",
        "correlation_id": "c-1",
        "causation_id": None,
        "producer": "test",
        **fields,
    }


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("OrderPlaced", "created"),
        ("PaymentRequested", "payment_pending"),
        ("PaymentConfirmed", "paid"),
        ("PaymentFailed", "payment_failed"),
        ("StockReserved", "stock_reserved"),
        ("StockReservationFailed", "stock_failed"),
        ("OrderConfirmed", "confirmed"),
        ("OrderCancelled", "cancelled"),
    ],
)
def test_status_follows_the_event_type(event_type, status):
    assert status_mark(event(event_type)).status == status


def test_a_notification_carries_the_terminal_status():
    assert status_mark(event("NotificationSent", order_status="cancelled")).status == "cancelled"
    assert status_mark(event("NotificationSent", order_status="weird")) == UNKNOWN


def test_terminal_wins_even_over_a_newer_event():
    confirmed = StatusMark("confirmed", T0)
    late_payment = StatusMark("paid", T0 + timedelta(seconds=5))
    assert merge(confirmed, late_payment) == confirmed
    assert merge(late_payment, confirmed) == confirmed


def test_the_newer_event_wins_between_non_terminal_ones():
    assert merge(StatusMark("paid", T0 + timedelta(seconds=1)), StatusMark("created", T0)).status == "paid"
    assert merge(StatusMark("created", T0), StatusMark("paid", T0 + timedelta(seconds=1))).status == "paid"


def test_a_tie_goes_to_the_later_step():
    assert merge(StatusMark("paid", T0), StatusMark("payment_pending", T0)).status == "paid"


def test_any_arrival_order_gives_the_same_status():
    marks = [
        status_mark(event("OrderPlaced", 0)),
        status_mark(event("PaymentRequested", 1)),
        status_mark(event("PaymentConfirmed", 2)),
        status_mark(event("StockReserved", 3)),
        status_mark(event("OrderConfirmed", 4)),
        status_mark(event("NotificationSent", 5, order_status="confirmed")),
    ]
    results = set()
    for order in itertools.permutations(marks):
        current = None
        for mark in order:
            current = merge(current, mark)
        results.add(current.status)
    assert results == {"confirmed"}


def test_facts_and_payload():
    placed = event(
        "OrderPlaced",
        customer_id="c-0001",
        items=[{"product_id": "p-0001", "quantity": 2, "unit_price": Decimal("9.90")}],
        total_amount=Decimal("19.80"),
        currency="BRL",
    )
    facts = order_facts(placed)
    assert (facts.customer_id, facts.total_amount, facts.placed_at) == ("c-0001", Decimal("19.80"), T0)
    assert order_facts(event("PaymentConfirmed")).placed_at is None
    body = payload(placed)
    assert "event_id" not in body and "occurred_at" not in body
    assert body["items"] == [{"product_id": "p-0001", "quantity": 2, "unit_price": "9.90"}]
    assert body["total_amount"] == "19.80"
