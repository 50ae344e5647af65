"""`pedidos stack logs --order`: one order followed through the real gateway (gunicorn), the four processors
and the stack's own logs, after a real saga."""

from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from tests.integration.e2e import running_processors, watcher
from tests.integration.environment import PEDIDOS
from tools.seed import run_seed
from tools.stack.procs import Child, free_port, wait_until

PROCESSORS = {"payment-0", "inventory-0", "orchestrator-0", "notification-0"}


@pytest.fixture(scope="module", autouse=True)
def seeded(settings):
    run_seed(settings, products=50, customers=200, stock=1000)


@pytest.fixture
def gateway_url(settings):
    """`pedidos gateway` (gunicorn) writing into the stack's logs dir, as `pedidos services up` runs it."""
    port = free_port()
    gateway = Child([PEDIDOS, "gateway", "--port", str(port)], settings.state_dir / "logs" / "gateway.log")
    gateway.start()
    url = f"http://{settings.host}:{port}"
    try:
        wait_until(
            lambda: _answers(f"{url}/health"),
            timeout_s=60,
            what="gateway",
            log=gateway.log_file,
            alive=lambda: gateway.pid is not None,
        )
        yield url
    finally:
        gateway.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _order_logs(order_id: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PEDIDOS, "stack", "logs", "--order", order_id, *flags],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=60,
    )


def test_one_order_is_followed_from_the_gateway_to_its_notification(settings, gateway_url):
    logs = settings.state_dir / "logs"
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
    with (
        watcher(settings, "notifications.events") as notified,
        running_processors(settings, logs, env=env),
    ):
        response = httpx.post(
            f"{gateway_url}/orders",
            json={"customer_id": "c-0002", "items": [{"product_id": "p-0003", "quantity": 1}]},
            timeout=30,
        )
        assert response.status_code == 202, response.text
        order_id, correlation_id = response.json()["order_id"], response.json()["correlation_id"]
        notified.wait_for([order_id], timeout_s=120)  # its notification committed: every step logged

    readable, raw = _order_logs(order_id), _order_logs(order_id, "--json")

    assert readable.returncode == 0, readable.stderr
    lines = [json.loads(line) for line in raw.stdout.splitlines()]
    components = {line.get("service") for line in lines}
    assert {"gateway", *PROCESSORS} <= components, components
    assert all(
        line.get("order_id") == order_id or line.get("correlation_id") == correlation_id for line in lines
    )
    messages = [line["msg"] for line in lines]
    assert any(m.startswith("pedido aceito") for m in messages)
    assert "POST /orders 202" in messages  # gunicorn's access line, found by its correlation id
    assert "pagamento aprovado / payment approved" in messages
    assert "estoque reservado / stock reserved" in messages
    assert any(m.endswith("-> confirmed") for m in messages)  # the saga's last step
    assert "cliente notificado / customer notified" in messages
    times = [line["ts"] for line in lines]
    assert times == sorted(times)  # every one of these writes ts the same way: text order is time order
    assert f"correlation_id {correlation_id}" in readable.stdout
    for component in {"gateway", *PROCESSORS}:
        assert f"  {component} " in readable.stdout


def test_an_order_no_log_mentions_is_an_error(settings):
    result = _order_logs("00000000-0000-5000-8000-00000000dead")

    assert result.returncode == 1
    assert "nenhuma linha de log" in result.stderr and "no log line" in result.stderr
