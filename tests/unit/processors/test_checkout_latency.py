"""The orchestrator's checkout-to-terminal histogram: observed when the transaction holding the terminal event
commits, never for one that aborts (its replay emits the event again and is observed then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from processors.events import new_event
from processors.orchestrator.handler import OrchestratorHandler
from processors.orchestrator.saga import Deadlines
from processors.runtime.handler import InputRecord

CHECKOUT_AGO_S = 3.0


def event(topic: str, order_id: str, **payload) -> InputRecord:
    checkout = datetime.now(UTC) - timedelta(seconds=CHECKOUT_AGO_S)
    body = new_event(
        topic,
        order_id=order_id,
        correlation_id="c-1",
        causation_id=None,
        producer="test",
        occurred_at=checkout,
    )
    return InputRecord(topic, 0, 1, order_id, body | payload, {}, b"")


def placed(order_id: str) -> InputRecord:
    items = [{"product_id": "p-0001", "quantity": 1, "unit_price": Decimal("10.00")}]
    return event("orders.new", order_id, customer_id="c-1", items=items, total_amount=Decimal("10.00"))


def confirmed_order(handler: OrchestratorHandler, order_id: str) -> None:
    handler.handle(placed(order_id))
    handler.handle(event("payments.confirmed", order_id, payment_id="pay-1", amount=Decimal("10.00")))
    handler.handle(event("inventory.reserved", order_id, reservation_id="res-1", items=[]))


def observed(outcome: str, part: str = "count") -> float:
    value = REGISTRY.get_sample_value(
        f"pedidos_order_checkout_to_terminal_seconds_{part}", {"outcome": outcome}
    )
    return value or 0.0


def test_a_committed_confirmation_is_observed_once_with_its_time_since_checkout():
    handler = OrchestratorHandler(Deadlines())
    count, total = observed("confirmed"), observed("confirmed", "sum")
    confirmed_order(handler, "o-latency-1")
    assert observed("confirmed") == count  # emitted, not committed yet
    handler.on_commit()
    assert observed("confirmed") == count + 1
    assert observed("confirmed", "sum") - total == pytest.approx(CHECKOUT_AGO_S, abs=1.0)
    handler.on_commit()  # a later transaction without terminal events observes nothing
    assert observed("confirmed") == count + 1


def test_an_aborted_terminal_event_is_not_observed_until_its_replay_commits():
    handler = OrchestratorHandler(Deadlines())
    count = observed("cancelled")
    handler.handle(placed("o-latency-2"))
    handler.handle(event("payments.failed", "o-latency-2", reason="recusado"))
    handler.on_abort()
    assert observed("cancelled") == count
    handler.handle(placed("o-latency-2"))  # the replay
    handler.handle(event("payments.failed", "o-latency-2", reason="recusado"))
    handler.on_commit()
    assert observed("cancelled") == count + 1
