"""The order saga end to end: processors as real processes, the gateway's code, the real stack, the audit."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from processors.deployment import metrics_port
from tests.integration.e2e import assert_audit_clean, audit_now, running_processors, set_stock, watcher
from tools.saga_harness import place_orders, wait_drained
from tools.seed import run_seed
from tools.stack.procs import wait_until


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


def _scrape(settings, processor: str) -> dict[tuple[str, frozenset], float]:
    """One scrape of instance 0 of ``processor``: (sample name, its labels) -> value."""
    text = httpx.get(f"http://{settings.host}:{metrics_port(settings, processor, 0)}/metrics", timeout=5).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _lag(samples: dict[tuple[str, frozenset], float], unit: str) -> list[tuple[dict, float]]:
    return [
        (dict(labels), v) for (name, labels), v in samples.items() if name == f"pedidos_consumer_lag_{unit}"
    ]


def test_a_real_run_exposes_end_to_end_latency_commit_time_and_caught_up_lag(settings, log_dir):
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
    with watcher(settings) as watching, running_processors(settings, log_dir, env=env):
        orders = place_orders(3, seed=13)
        assert set(watching.wait_for(orders, timeout_s=120).values()) == {"orders.confirmed"}
        wait_drained(settings)

        def caught_up() -> dict | None:
            samples = _scrape(settings, "orchestrator")
            lags = _lag(samples, "records") + _lag(samples, "seconds")
            return samples if lags and all(value == 0 for _labels, value in lags) else None

        samples = wait_until(caught_up, timeout_s=30, what="orchestrator lag 0 in records and seconds")
    orchestrator = frozenset({("processor", "orchestrator")})
    # Once per order, on the commit of its confirmation (this test's orchestrator process saw only these).
    assert (
        samples[("pedidos_order_checkout_to_terminal_seconds_count", frozenset({("outcome", "confirmed")}))]
        == 3
    )
    # Every committed transaction observed its commit duration.
    committed = samples[("pedidos_transactions_committed_total", orchestrator)]
    assert committed >= 1
    assert samples[("pedidos_transaction_commit_duration_seconds_count", orchestrator)] == committed
    assert {labels["group"] for labels, _v in _lag(samples, "records")} == {"orchestrator"}
    assert {labels["topic"] for labels, _v in _lag(samples, "seconds")} >= {"orders.new"}
