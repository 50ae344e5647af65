"""The order saga end to end: processors as real processes, the gateway's code, the real stack, the audit."""

from __future__ import annotations

import pytest

from tests.integration.e2e import assert_audit_clean, audit_now, running_processors, set_stock, watcher
from tools.saga_harness import place_orders, wait_drained
from tools.seed import run_seed


@pytest.fixture(scope="module", autouse=True)
def seeded(settings):
    run_seed(settings, products=50, customers=200, stock=1000)


@pytest.fixture
def log_dir(settings, request):
    return settings.state_dir / "test-logs" / request.node.name


def _run(settings, log_dir, count, *, env=None, **order_args):
    with watcher(settings) as watching, running_processors(settings, log_dir, env=env):
        orders = place_orders(count, **order_args)
        outcomes = watching.wait_for(orders, timeout_s=120)
        wait_drained(settings)
    snapshot, results = audit_now(settings, scope=set(orders))
    assert_audit_clean(results)
    return orders, outcomes, snapshot


def test_one_order_happy_path_is_confirmed_and_notified(settings, log_dir):
    orders, outcomes, snapshot = _run(settings, log_dir, 1, env={"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"})
    assert outcomes == {orders[0]: "orders.confirmed"}
    assert snapshot.notifications[orders[0]] == 1
    assert snapshot.reservations[orders[0]] == "reserved"


def test_payment_failure_cancels_the_order(settings, log_dir):
    orders, outcomes, snapshot = _run(settings, log_dir, 3, env={"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "1"})
    assert set(outcomes.values()) == {"orders.cancelled"}
    cancelled = {s.event["order_id"]: s.event for s in snapshot.events["orders.cancelled"]}
    assert all(cancelled[o]["reason"] == "payment_failed" and not cancelled[o]["refunded"] for o in orders)
    assert snapshot.events["payments.refunded"] == []


def test_insufficient_stock_refunds_then_cancels(settings, log_dir):
    for n in range(1, 21):
        set_stock(settings, f"p-{n:04d}", 0)
    try:
        orders, outcomes, snapshot = _run(
            settings, log_dir, 2, env={"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
        )
    finally:
        for n in range(1, 21):
            set_stock(settings, f"p-{n:04d}", 1000)
    assert set(outcomes.values()) == {"orders.cancelled"}
    cancelled = {s.event["order_id"]: s.event for s in snapshot.events["orders.cancelled"]}
    assert all(cancelled[o]["reason"] == "out_of_stock" and cancelled[o]["refunded"] for o in orders)
    assert {s.event["order_id"] for s in snapshot.events["payments.refunded"]} == set(orders)


def test_stock_deadline_expiry_compensates(settings, log_dir):
    """Inventory is down: the stock step's deadline passes, the saga refunds and asks for a release."""
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0", "PEDIDOS_SAGA_STOCK_TIMEOUT_S": "2"}
    with (
        watcher(settings) as watching,
        watcher(settings, "inventory.release-requested") as releases,
        running_processors(settings, log_dir, env=env) as processes,
    ):
        processes["inventory"].stop()
        orders = place_orders(2)
        releases.wait_for(orders, timeout_s=60)  # the deadline passed and the saga compensates
        processes["inventory"].start()  # the release needs an answer from inventory
        outcomes = watching.wait_for(orders, timeout_s=120)
        wait_drained(settings)
    snapshot, results = audit_now(settings, scope=set(orders))
    assert_audit_clean(results)
    assert set(outcomes.values()) == {"orders.cancelled"}
    cancelled = {s.event["order_id"]: s.event for s in snapshot.events["orders.cancelled"]}
    assert all(cancelled[o]["reason"] == "timeout" and cancelled[o]["refunded"] for o in orders), cancelled


def test_five_hundred_orders_with_20_percent_payment_failures_audit_clean(settings, log_dir):
    _orders, outcomes, snapshot = _run(
        settings, log_dir, 500, env={"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0.2"}, rate=100
    )
    cancelled = sum(1 for o in outcomes.values() if o == "orders.cancelled")
    assert 0.12 * 500 < cancelled < 0.28 * 500
    assert len(snapshot.events["orders.new"]) == 500
