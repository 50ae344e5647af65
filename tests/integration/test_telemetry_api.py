"""The dashboard's API on a real HTTP server: the WebSocket stream, the order timeline, bad input, traffic."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from simple_websocket import Client as WebSocketClient

from gateway.app import close_app, create_app
from gateway.errors import ApiError
from gateway.telemetry.api import telemetry
from tests.integration.e2e import projecting, running_processors
from tests.integration.servers import serving_gateway
from tools.seed import run_seed
from tools.stack.procs import wait_until
from tools.traffic import TrafficResult, follow_control

ORDER = {"customer_id": "c-0001", "items": [{"product_id": "p-0001", "quantity": 1}]}


@pytest.fixture(scope="module")
def base_url(settings) -> Iterator[str]:
    run_seed(settings, products=50, customers=200, stock=1000)
    with serving_gateway() as url:
        yield url


def place(base_url: str) -> str:
    response = httpx.post(f"{base_url}/orders", json=ORDER, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 202, response.text
    return response.json()["order_id"]


def test_the_websocket_streams_a_placed_order_as_it_is_committed(base_url):
    ws = WebSocketClient.connect(base_url.replace("http", "ws") + "/ws")
    try:
        order_id = place(base_url)
        deadline = time.monotonic() + 30
        seen: list[dict] = []
        kinds: set[str] = set()
        while not any(e["order_id"] == order_id for e in seen) or "stats" not in kinds:
            assert time.monotonic() < deadline, f"no event for {order_id} on /ws; got {kinds}"
            message = json.loads(ws.receive(timeout=1) or "{}")
            kinds.add(message.get("type", ""))
            seen += message.get("events", [])
    finally:
        ws.close()
    [placed] = [e for e in seen if e["order_id"] == order_id]
    assert (placed["topic"], placed["event_type"], placed["producer"]) == (
        "orders.new",
        "OrderPlaced",
        "gateway",
    )
    assert placed["seen_at"] >= placed["timestamp"] > 0
    # The snapshot a reconnecting tab loads: the newest events the feed took (it may still be replaying the
    # last minutes of a busy topic, so this order's event may already have scrolled out of it).
    recent = httpx.get(f"{base_url}/api/events/recent", params={"limit": 50}).json()["events"]
    assert 0 < len(recent) <= 50
    assert all({"topic", "partition", "offset", "order_id", "timestamp"} <= e.keys() for e in recent)


def test_an_order_timeline_tells_the_whole_saga_with_broker_and_service_times(settings, base_url, tmp_path):
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
    with projecting(settings), running_processors(settings, tmp_path, env=env):
        order_id = place(base_url)

        def terminal():
            body = httpx.get(f"{base_url}/api/orders/{order_id}").json()
            types = [e["event_type"] for e in body.get("timeline", [])]
            return body if "OrderConfirmed" in types and "NotificationSent" in types else None

        body = wait_until(terminal, timeout_s=120, what=f"order {order_id} confirmed and notified")
    timeline = body["timeline"]
    assert body["order"]["status"] == "confirmed"
    assert timeline[0]["event_type"] == "OrderPlaced"
    lanes = {e["event_type"]: e["lane"] for e in timeline}
    assert lanes["PaymentConfirmed"] == "payment" and lanes["StockReserved"] == "inventory"
    assert lanes["OrderConfirmed"] == "orchestrator" and lanes["NotificationSent"] == "notification"
    paid = next(e for e in timeline if e["event_type"] == "PaymentConfirmed")
    assert paid["broker_ms"] is not None and paid["service_ms"] is not None
    # The step's whole time, that the dashboard tells as "Pagamento aprovado em N ms." (the browser test).
    assert paid["step_ms"] is not None and paid["step_ms"] >= paid["service_ms"]
    listed = httpx.get(f"{base_url}/api/orders", params={"q": order_id[:8], "status": "confirmed"}).json()
    assert order_id in [o["order_id"] for o in listed["orders"]]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("PUT", "/api/traffic", {"rate": 500}, 400, "rate"),
        ("PUT", "/api/traffic", {"rate": "fast"}, 400, "rate"),
        ("GET", "/api/events/recent?limit=abc", None, 400, "limit"),
        ("GET", "/api/orders/no-such-order", None, 404, "order_id"),
        ("GET", "/api/xray?topic=no.such.topic&partition=0", None, 404, "topic"),
        ("GET", "/api/xray", None, 400, "topic"),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_field(base_url, method, path, body, status, field):
    response = httpx.request(method, base_url + path, json=body)
    assert response.status_code == status, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]


def test_the_traffic_generator_follows_the_rate_set_on_the_dashboard(settings, base_url):
    assert httpx.put(f"{base_url}/api/traffic", json={"rate": 20}).json() == {"rate": 20.0}
    assert httpx.get(f"{base_url}/api/traffic").json() == {"rate": 20.0}
    stop = threading.Event()
    result = TrafficResult()
    generator = threading.Thread(
        target=follow_control, args=(base_url, settings.database_url, stop.is_set, result), daemon=True
    )
    generator.start()
    try:
        wait_until(
            lambda: len(result.accepted) >= 10, timeout_s=20, what="the generator to place orders at 20/s"
        )
        httpx.put(f"{base_url}/api/traffic", json={"rate": 0})
    finally:
        stop.set()
        generator.join(timeout=15)
    assert not generator.is_alive()
    assert result.failed == 0 and not result.rejected


def test_a_closed_gateway_never_starts_a_feed_for_a_late_tab():
    app = create_app()
    close_app(app)
    with pytest.raises(ApiError) as refused:
        telemetry(app)  # what a WebSocket arriving during shutdown calls
    assert refused.value.status == 503
    assert "telemetry" not in app.extensions
