"""Retry topics against the real broker: a failing record waits its delay in `<service>.retry.5s`, paused on
its own partition, while the records behind it on the input keep flowing."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from processors.settings import Settings
from tools.stack.procs import wait_until


@pytest.fixture
def service(admin: AdminClient, settings: Settings) -> Iterator[str]:
    name = f"retrytest-{uuid.uuid4().hex[:8]}"
    topics = [f"{name}.in", f"{name}.out", f"{name}.retry.5s", f"{name}.retry.30s", f"{name}.dlq"]
    futures = admin.create_topics([NewTopic(t, 2, settings.kafka_brokers) for t in topics])
    for future in futures.values():
        future.result(30)
    yield name
    admin.delete_topics(topics)


@pytest.fixture
def stage(service: str, settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    log = (settings.state_dir / "logs" / f"{service}.log").open("wb")
    argv = [sys.executable, "-m", "tests.integration.retry_stage", service, f"{service}.in", f"{service}.out"]
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    yield process
    process.terminate()
    process.wait(30)
    log.close()


def test_a_failed_record_is_processed_after_its_delay_while_others_keep_flowing(settings, service, stage):
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers, "enable.idempotence": True})
    # Every key on one partition: the flaky record is the head the others would queue behind without retries.
    for n in range(6):
        producer.produce(f"{service}.in", key="same-order", value=json.dumps({"n": n, "flaky": n == 0}))
    producer.flush(30)

    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": f"{service}-reader",
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([f"{service}.out", f"{service}.retry.5s"])
    seen: dict[str, list[tuple[dict, int, dict]]] = {f"{service}.out": [], f"{service}.retry.5s": []}

    def outputs_complete() -> bool:
        for message in consumer.consume(50, timeout=0.5):
            if not message.error():
                headers = {k: v.decode() for k, v in message.headers() or []}
                seen[message.topic()].append((json.loads(message.value()), message.timestamp()[1], headers))
        return len(seen[f"{service}.out"]) == 6

    try:
        wait_until(outputs_complete, timeout_s=60, what="all six records processed")
    finally:
        consumer.close()
    assert stage.poll() is None, "the stage died"
    out = seen[f"{service}.out"]
    assert [event["n"] for event, _, _ in out] == [1, 2, 3, 4, 5, 0]  # the others did not wait for it
    [(retried, retried_at, headers)] = seen[f"{service}.retry.5s"]
    assert retried["n"] == 0 and headers["retry.attempt"] == "1"
    assert (
        headers["retry.origin.topic"] == f"{service}.in" and headers["retry.error_class"] == "ConnectionError"
    )
    flaky_event, flaky_at, _ = out[-1]
    assert flaky_event["read_from"] == f"{service}.retry.5s"
    assert flaky_at - retried_at >= 5000  # held back for the topic's delay...
    assert flaky_at - retried_at < 15_000  # ...and not much longer
    last_other_at = out[-2][1]
    assert last_other_at < retried_at + 5000  # the rest flowed during the wait
