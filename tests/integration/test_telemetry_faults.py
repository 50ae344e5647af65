"""Drill faults and retry hops on the dashboard's API, against the real broker.

The fault records are written by the drills' own FaultLog to the real `chaos.faults`; a garbage record goes
in among them. The retry record goes to a retry topic of this test's own (`<name>.retry.5s`), with headers
built by the runtime's own Failure, so no processor ever consumes it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from simple_websocket import Client as WebSocketClient

from gateway.telemetry.faults import FAULTS_TOPIC
from processors.runtime.retry import Failure
from processors.settings import Settings
from tests.integration.environment import settings_env
from tests.integration.servers import serving_gateway
from tools.chaos.faultlog import FaultLog
from tools.stack.procs import wait_until


@pytest.fixture
def retry_topic(admin: AdminClient, settings: Settings) -> Iterator[str]:
    name = f"faultstest-{uuid.uuid4().hex[:8]}.retry.5s"
    admin.create_topics([NewTopic(name, 1, settings.kafka_brokers)])[name].result(30)
    yield name
    admin.delete_topics([name])


@pytest.fixture
def gateway_url(retry_topic: str) -> Iterator[str]:
    """A gateway whose feed follows only the fault log and this test's retry topic (the order flow's minutes
    of replay would only slow it down here)."""
    with settings_env(PEDIDOS_TELEMETRY_TOPICS=f"{FAULTS_TOPIC},{retry_topic}"), serving_gateway() as url:
        yield url


def next_faults(ws: WebSocketClient, drill_id: str, ready, deadline_s: float = 30) -> dict:
    """The first `faults` message whose view of this drill satisfies `ready`."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        message = json.loads(ws.receive(timeout=1) or "{}")
        if message.get("type") == "faults":
            mine = [f for f in message["faults"] if f["drill_id"] == drill_id]
            drills = [d for d in message["drills"] if d["drill_id"] == drill_id]
            if drills and ready(drills[0], mine):
                return message
    raise AssertionError(f"no faults message for {drill_id} in {deadline_s} s")


def test_faults_and_retries_reach_the_api_and_the_websocket(settings, retry_topic, gateway_url, caplog):
    caplog.set_level(logging.WARNING, logger="pedidos.telemetry")
    drill_id = f"teste-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    log = FaultLog(settings.bootstrap_servers, drill_id, "teste", clock=lambda: time.monotonic() - started)
    garbage = Producer({"bootstrap.servers": settings.bootstrap_servers})
    ws = WebSocketClient.connect(gateway_url.replace("http", "ws") + "/ws")
    try:
        since_ms = int(time.time() * 1000)
        log.drill_event("drill-started", "teste de integração / integration test")
        frozen = log.start("sigstop", "payment-0", "SIGSTOP pid 1")
        garbage.produce(FAULTS_TOPIC, key=drill_id.encode(), value=b"\x00 nem JSON / not JSON")
        garbage.flush(30)
        log.end(frozen, "SIGCONT")
        log.start("sigkill", "inventory-0", "SIGKILL pid 2")
        assert log.close() == 0

        order_id = f"o-{uuid.uuid4().hex[:12]}"
        failure = Failure("orders.new", 4, 321, 1, since_ms, "OperationalError", "connection refused")
        producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
        headers = [(k, v.encode()) for k, v in failure.headers().items()]
        original = b"\x00\x00\x00\x00\x01avro"  # a retry record's value is the original's bytes, untouched
        producer.produce(retry_topic, key=order_id.encode(), value=original, headers=headers)
        producer.flush(30)

        # Live: the WebSocket tells of the healed fault and the one still open, the drill still running.
        message = next_faults(ws, drill_id, lambda drill, mine: len(mine) == 2)
        drill = next(d for d in message["drills"] if d["drill_id"] == drill_id)
        assert (drill["status"], drill["scenario"]) == ("running", "teste")
        assert (drill["faults"], drill["active"]) == (2, 1)
        spans = {f["kind"]: f for f in message["faults"] if f["drill_id"] == drill_id}
        assert spans["sigstop"]["ended_by"] == "healed" and spans["sigstop"]["target"] == "payment-0"
        assert spans["sigstop"]["start_ms"] <= spans["sigstop"]["end_ms"] <= int(time.time() * 1000)
        assert spans["sigstop"]["start_ms"] >= since_ms
        assert spans["sigkill"]["end_ms"] is None

        # The garbage record was skipped with a log line, and the records after it were still read.
        assert any("chaos.faults" in r.getMessage() for r in caplog.records)

        body = httpx.get(f"{gateway_url}/api/faults", params={"since_ms": since_ms}).json()
        assert body["skipped"] >= 1
        assert {f["id"] for f in body["faults"] if f["drill_id"] == drill_id} == {
            f"{drill_id}/{frozen.id}",
            f"{drill_id}/{frozen.id + 1}",
        }
        before = httpx.get(f"{gateway_url}/api/faults", params={"until_ms": since_ms - 1}).json()
        assert drill_id not in {f["drill_id"] for f in before["faults"]}

        def hops() -> list[dict]:
            params = {"order_id": order_id, "since_ms": since_ms}
            return httpx.get(f"{gateway_url}/api/faults", params=params).json()["retries"]

        [hop] = wait_until(hops, timeout_s=20, what="the retry record on /api/faults")
        assert (hop["topic"], hop["stage"], hop["attempt"], hop["error_class"]) == (
            retry_topic,
            "retry",
            1,
            "OperationalError",
        )
        assert hop["due_ms"] == hop["timestamp"] + 5000
        assert hop["origin"] == {"topic": "orders.new", "partition": 4, "offset": 321}
        recent = httpx.get(f"{gateway_url}/api/events/recent", params={"limit": 50}).json()["events"]
        assert any(e["order_id"] == order_id and e["event_type"] == "Retry" for e in recent)

        bad = httpx.get(f"{gateway_url}/api/faults", params={"since_ms": 10, "until_ms": 5})
        assert bad.status_code == 400 and [f["field"] for f in bad.json()["fields"]] == ["until_ms"]
        assert httpx.get(f"{gateway_url}/api/faults", params={"since_ms": "x"}).status_code == 400
    finally:
        # Whatever happened, the drill ends: no dashboard is left showing a drill that is not running.
        log.drill_event("drill-ended", "teste encerrado / test over")
        log.close()

    message = next_faults(ws, drill_id, lambda drill, _: drill["status"] == "ended")
    ws.close()
    [still_open] = [f for f in message["faults"] if f["drill_id"] == drill_id and f["kind"] == "sigkill"]
    assert still_open["ended_by"] == "drill-ended" and still_open["end_ms"] is not None
