"""A short version of every failure drill (`pedidos chaos <scenario>`), each ending with a clean audit.

Small and quick on purpose: 10 orders/s for about 12 s, faults shortened (a 4 s database outage, a 3 s broker
outage). Each test checks that the faults were injected, published on `chaos.faults`, and that the report
(JSON and PNG) is there and agrees with itself; the full-length runs (200 orders/s for 5 minutes) are the
same commands with their defaults.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from processors.runtime.calls import CALL_WATCHDOG_S
from processors.settings import Settings
from tools.chaos.faultlog import TOPIC
from tools.chaos.report import build_report
from tools.chaos.runner import DrillOptions, DrillResult, Scenario, run_drill
from tools.chaos.scenarios import (
    BrokerBounce,
    CrashPointsInTurn,
    DbOutage,
    Poison,
    RandomKills,
    RegistryOutage,
    SlowConsumer,
    Zombie,
)
from tools.reports import publish
from tools.seed import run_seed

pytestmark = pytest.mark.slow  # ~7 min: every drill runs traffic through a fault and waits for recovery

SHORT = DrillOptions(rate=10, duration_s=12, warmup_s=3, tail_s=3, settle_s=90)


@pytest.fixture(scope="module", autouse=True)
def seeded(settings):
    run_seed(settings, products=50, customers=200, stock=1000)


def drill(
    settings: Settings, scenario: Scenario, tmp_path: Path, options: DrillOptions = SHORT
) -> DrillResult:
    log_dir = settings.state_dir / "test-logs" / f"drill-{scenario.name}"
    result = run_drill(settings, scenario, options, log_dir, print)
    report = build_report(result, scenario.title)
    path = publish(report, tmp_path, echo=print)
    body = json.loads(path.read_text())
    assert body["kind"] == f"chaos-{scenario.name}"
    assert (tmp_path / f"chaos-{scenario.name}.png").stat().st_size > 0
    # The report agrees with itself: every accepted order counted once, as ended or not.
    orders = body["data"]["orders"]
    assert orders["ended"] + orders["never_ended"] == orders["accepted"] == len(result.accepted)
    assert sum(body["data"]["series"]["per_second"]["accepted"]) <= orders["accepted"]
    assert len(body["data"]["series"]["t_s"]) >= options.duration_s - 1  # sampled once a second
    assert [row[0] for row in body["table"]["rows"]] == [f["id"] for f in body["data"]["faults"]]
    assert_published(settings, result)
    return result


def assert_published(settings: Settings, result: DrillResult) -> None:
    """Every fault of the drill is also on chaos.faults, between the drill's start and end records."""
    consumer = Consumer(
        {"bootstrap.servers": settings.bootstrap_servers, "group.id": f"test-{uuid.uuid4().hex[:8]}"}
    )
    drill_key = result.drill_id.encode()
    try:
        _low, high = consumer.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=10)
        consumer.assign([TopicPartition(TOPIC, 0, 0)])
        mine, read = [], 0
        while read < high:
            batch = consumer.consume(500, timeout=5)
            assert batch, "chaos.faults ended early"
            read = max([read, *(m.offset() + 1 for m in batch if m.error() is None)])
            # Other writers share the topic (the dashboard's tests even write garbage there): only ours count.
            mine += [json.loads(m.value()) for m in batch if m.error() is None and m.key() == drill_key]
    finally:
        consumer.close()
    phases = [r["phase"] for r in mine]
    assert phases[0] == "drill-started" and phases[-1] == "drill-ended"
    injected = {r["fault_id"] for r in mine if r["phase"] in ("injected", "observed")}
    assert injected == {f.id for f in result.faults}


def assert_clean(result: DrillResult, kind: str, at_least: int = 1) -> None:
    problems = [f"{r.id}: {r.violations[:3]}" for r in result.audit_results if not r.ok]
    assert result.audit_results and not problems, problems
    assert not result.errors, result.errors
    assert all(c.ok for c in result.checks), [c for c in result.checks if not c.ok]
    assert len([f for f in result.faults if f.kind == kind and f.injected]) >= at_least
    assert len(result.ended) == len(result.accepted) > 0


def test_random_kills(settings, tmp_path):
    result = drill(settings, RandomKills(every_s=3, restart_after_s=0.5, seed=3), tmp_path)
    assert_clean(result, "sigkill", at_least=2)


def test_crash_points(settings, tmp_path):
    scenario = CrashPointsInTurn(("inventory",), ("after-produce", "after-db-commit"))
    result = drill(settings, scenario, tmp_path)
    assert_clean(result, "crash-point", at_least=2)
    assert result.aborted_records  # after-produce interrupted a transaction that had produced something


@pytest.mark.timeout(240)
def test_zombie(settings, tmp_path):
    scenario = Zombie("payment", "after-produce", pause_s=12)  # past the 10 s session timeout
    result = drill(settings, scenario, tmp_path)
    assert_clean(result, "sigstop")
    # Frozen right after producing: its output was in the log, and it was aborted, never committed.
    assert result.aborted_records.get("payments.requested", 0) > 0


@pytest.mark.timeout(420)
def test_broker_bounce(settings, tmp_path):
    # A processor stuck in a transactional call after the bounce (librdkafka#5456) is restarted by the
    # runtime's watchdog after CALL_WATCHDOG_S: the settle and drain deadlines must outlast it.
    options = DrillOptions(
        rate=10,
        duration_s=12,
        warmup_s=3,
        tail_s=3,
        settle_s=CALL_WATCHDOG_S + 90,
        drain_s=CALL_WATCHDOG_S + 60,
    )
    result = drill(settings, BrokerBounce(("hard", "clean"), down_s=3, gap_s=3), tmp_path, options)
    assert_clean(result, "broker-hard")
    assert any(f.kind == "broker-clean" for f in result.faults)


def test_db_outage(settings, tmp_path):
    result = drill(settings, DbOutage(outage_s=4), tmp_path)
    assert_clean(result, "db-outage")
    # The database processors felt it: failed handlers replayed (abort) or sent on to a retry topic.
    assert result.aborts_by_reason.get("handler-error", 0) + sum(result.retried_by_topic.values()) > 0
    assert not result.dead_lettered_by_reason  # a short outage is over before the retries run out


def test_registry_outage(settings, tmp_path):
    result = drill(settings, RegistryOutage(outage_s=5, cold_restart="payment"), tmp_path)
    assert_clean(result, "registry-outage")


def test_poison(settings, tmp_path):
    result = drill(settings, Poison(), tmp_path)
    assert_clean(result, "poison", at_least=3)


def test_slow_consumer(settings, tmp_path):
    options = DrillOptions(rate=10, duration_s=20, warmup_s=3, tail_s=3, settle_s=120)
    result = drill(settings, SlowConsumer("payment"), tmp_path, options)
    assert_clean(result, "slow")
