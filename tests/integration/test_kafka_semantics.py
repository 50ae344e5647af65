"""The broker is a real Kafka: idempotent producers and transactions behave as Kafka specifies."""

from __future__ import annotations

import uuid

from confluent_kafka import Producer

from tests.integration.kafka_reading import read_to_end


def _delivered(producer: Producer) -> None:
    assert producer.flush(30) == 0, "records still undelivered after 30 s"


def test_idempotent_producer_records_arrive_once(settings, new_topic):
    topic = new_topic("idempotent", partitions=3)
    errors: list[object] = []
    producer = Producer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            # Many in-flight batches with retries is where duplicates come from without idempotence.
            "max.in.flight.requests.per.connection": 5,
            "linger.ms": 5,
        }
    )
    keys = [f"order-{i}" for i in range(2_000)]
    for key in keys:
        producer.produce(topic, key=key, value=key.encode(), on_delivery=lambda e, _m: e and errors.append(e))
        producer.poll(0)
    _delivered(producer)

    records = read_to_end(settings.bootstrap_servers, topic)
    assert errors == []
    assert sorted(m.key().decode() for m in records) == sorted(keys)  # each exactly once


def _transactional(settings) -> Producer:
    producer = Producer(
        {"bootstrap.servers": settings.bootstrap_servers, "transactional.id": f"test-{uuid.uuid4().hex[:8]}"}
    )
    producer.init_transactions(30)
    return producer


def test_aborted_transaction_is_invisible_to_read_committed_only(settings, new_topic):
    topic = new_topic("aborted")
    producer = _transactional(settings)
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, key=str(i), value=b"aborted")
    producer.flush(30)  # the records are in the log, only the abort marker is missing
    producer.abort_transaction(30)

    assert read_to_end(settings.bootstrap_servers, topic, "read_committed") == []
    uncommitted = read_to_end(settings.bootstrap_servers, topic, "read_uncommitted")
    assert [m.value() for m in uncommitted] == [b"aborted"] * 10


def test_committed_transaction_is_visible_to_both_isolation_levels(settings, new_topic):
    topic = new_topic("committed")
    producer = _transactional(settings)
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, key=str(i), value=f"committed-{i}".encode())
    producer.commit_transaction(30)

    expected = [f"committed-{i}".encode() for i in range(10)]
    for isolation in ("read_committed", "read_uncommitted"):
        assert [m.value() for m in read_to_end(settings.bootstrap_servers, topic, isolation)] == expected
