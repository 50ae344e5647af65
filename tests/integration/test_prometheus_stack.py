"""Prometheus as the session's stack runs it: every component scraped, targets following what runs, broker and
processor metrics queryable through its HTTP API, alerts reaching the gateway's webhook via Alertmanager."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from confluent_kafka import Producer

from processors.settings import Settings
from tools.stack.procs import Child, free_port, wait_until
from tools.stack.prometheus import RULES_SOURCE, Prometheus
from tools.stack.targets import Target, remove_targets, target_file, write_targets

STACK_TARGETS = {
    ("kafka", "kafka-1"),
    ("registry", "registry"),
    ("postgres", "postgres"),
    ("prometheus", "prometheus"),
    ("alertmanager", "alertmanager"),
}


def _targets(settings: Settings) -> dict[tuple[str, str], str]:
    """(job, instance) -> health of every active target."""
    response = httpx.get(f"{settings.prometheus_url}/api/v1/targets", params={"state": "active"}, timeout=5)
    response.raise_for_status()
    return {
        (t["labels"]["job"], t["labels"]["instance"]): t["health"]
        for t in response.json()["data"]["activeTargets"]
    }


def _query(settings: Settings, promql: str) -> list[dict]:
    response = httpx.get(f"{settings.prometheus_url}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


def _all_up(settings: Settings, expected: set[tuple[str, str]]) -> Callable[[], bool]:
    return lambda: all(_targets(settings).get(target) == "up" for target in expected)


@pytest.fixture
def payment_instances(settings: Settings, tmp_path) -> Iterator[Child]:
    """`pedidos processor payment --instances 2` as a user runs it (it lists its instances for Prometheus)."""
    child = Child(
        [sys.executable, "-m", "tools.cli", "processor", "payment", "--instances", "2"],
        tmp_path / "payment.log",
    )
    child.start()
    yield child
    child.stop()


def test_prometheus_scrapes_every_component_of_the_stack(settings: Settings):
    wait_until(_all_up(settings, STACK_TARGETS), timeout_s=60, what=f"{sorted(STACK_TARGETS)} up")
    assert _query(settings, 'up{job="kafka", instance="kafka-1"}')[0]["value"][1] == "1"
    # The exporter reaches our PostgreSQL, not only answers itself.
    assert _query(settings, 'pg_up{job="postgres"}')[0]["value"][1] == "1"


def test_prometheus_loads_the_projects_rule_files_and_evaluates_them_without_error(settings: Settings):
    response = httpx.get(f"{settings.prometheus_url}/api/v1/rules", timeout=5)
    response.raise_for_status()
    groups = response.json()["data"]["groups"]
    assert sorted({Path(group["file"]).name for group in groups}) == sorted(
        path.name for path in RULES_SOURCE.glob("*.yml")
    )
    failing = [rule["name"] for group in groups for rule in group["rules"] if rule["health"] == "err"]
    assert failing == []


def test_a_broker_metric_counts_the_records_produced_to_a_topic(settings: Settings, new_topic):
    topic = new_topic("prometheus")
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
    for n in range(7):
        producer.produce(topic, value=f"record-{n}".encode())
    assert producer.flush(30) == 0
    promql = f'sum(kafka_server_brokertopicmetrics_messagesin_total{{job="kafka", topic="{topic}"}})'

    def counted() -> bool:
        result = _query(settings, promql)
        return bool(result) and float(result[0]["value"][1]) == 7

    wait_until(counted, timeout_s=60, what=f"{promql} == 7")
    latency = _query(settings, 'kafka_network_requestmetrics_totaltime_seconds{request="Produce"}')
    assert {sample["metric"]["quantile"] for sample in latency} == {"0.5", "0.95", "0.99"}


def test_processor_instances_become_targets_while_they_run_and_leave_when_they_stop(
    settings: Settings, payment_instances: Child
):
    expected = {("processors", "payment-0"), ("processors", "payment-1")}
    wait_until(
        _all_up(settings, expected),
        timeout_s=90,
        what="payment-0 and payment-1 up",
        log=payment_instances.log_file,
        alive=lambda: payment_instances.exit_code() is None,
    )
    labels = {
        sample["metric"]["instance"]: sample["metric"]
        for sample in _query(settings, 'up{job="processors", processor="payment"}')
    }
    assert set(labels) >= {"payment-0", "payment-1"}

    # The two instances share the input topics' partitions; each reports how many it holds.
    promql = 'sum(pedidos_assigned_partitions{job="processors", processor="payment"})'

    def assigned() -> bool:
        result = _query(settings, promql)
        return bool(result) and float(result[0]["value"][1]) > 0

    wait_until(assigned, timeout_s=90, what=f"{promql} > 0", log=payment_instances.log_file)

    payment_instances.stop()
    assert payment_instances.exit_code() == 0, payment_instances.log_file.read_text()[-3000:]
    assert not target_file(settings, "processors", "payment").exists()
    wait_until(
        lambda: not expected & set(_targets(settings)),
        timeout_s=30,
        what="payment-0 and payment-1 gone from the targets",
    )


class _Recorder(BaseHTTPRequestHandler):
    """Stands in for an HTTP endpoint: records webhook payloads, answers a scrape."""

    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(b"probe_ready 1\n")

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(host: str, port: int) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer((host, port), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def probe_rule(settings: Settings) -> Iterator[int]:
    """A target that is down (nothing listens on its port) and an alert on it, loaded by a config reload."""
    port = free_port()
    targets = write_targets(settings, [Target("processors", "probe-0", f"{settings.host}:{port}")], "probe")
    rule = Prometheus(settings).home / "rules" / "probe.yml"
    rule.write_text(PROBE_RULE)
    httpx.post(f"{settings.prometheus_url}/-/reload", timeout=10).raise_for_status()
    yield port
    rule.unlink()
    remove_targets(targets)
    httpx.post(f"{settings.prometheus_url}/-/reload", timeout=10).raise_for_status()


PROBE_RULE = """groups:
  - name: probe
    rules:
      - alert: PlumbingProbeDown
        expr: up{job="processors", instance="probe-0"} == 0
        labels:
          severity: info
"""


def test_an_alert_reaches_the_gateway_webhook_through_alertmanager_and_so_does_its_resolution(
    settings: Settings, probe_rule: int
):
    _Recorder.received = []

    def notified(status: str) -> bool:
        return any(
            alert["labels"].get("alertname") == "PlumbingProbeDown" and alert["status"] == status
            for payload in _Recorder.received
            for alert in payload["alerts"]
        )

    with _serving(settings.host, settings.gateway_port):  # the gateway's port: Alertmanager's webhook
        wait_until(lambda: notified("firing"), timeout_s=60, what="PlumbingProbeDown firing at the webhook")
        payload = next(p for p in _Recorder.received if p["status"] == "firing")
        assert payload["version"] == "4" and payload["receiver"] == "gateway"
        with _serving(settings.host, probe_rule):  # the target answers: up == 1, the alert resolves
            wait_until(lambda: notified("resolved"), timeout_s=60, what="PlumbingProbeDown resolved")
