"""Prometheus as the session's stack runs it: every component scraped, targets following what runs, broker and
processor metrics queryable through its HTTP API."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka import Producer

from processors.settings import Settings
from tools.stack.procs import Child, wait_until
from tools.stack.prometheus import RULES_SOURCE
from tools.stack.targets import target_file

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
