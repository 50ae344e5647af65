"""The dashboard's readers against the real broker: cluster snapshot, partition x-ray, dead letters.

Other sessions may use the same stack at the same time: every write goes to a fresh topic or carries a
unique key, and nothing asserts on shared state beyond invariants that hold whatever else is running.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka import Producer

from gateway.telemetry.cluster import DOMAIN_TOPICS, ClusterReader
from gateway.telemetry.dlq import read_dead_letters
from gateway.telemetry.xray import NotFound, read_xray
from processors.deployment import PROCESSORS
from processors.topics import TOPICS_BY_NAME
from tools.stack.procs import wait_until


def test_snapshot_has_every_domain_topic_and_processor_group(settings):
    snapshot = ClusterReader(settings).snapshot()

    assert snapshot["errors"] == []
    assert [t["name"] for t in snapshot["topics"]] == list(DOMAIN_TOPICS)
    for topic in snapshot["topics"]:
        partitions = topic["partitions"]
        assert [p["partition"] for p in partitions] == list(range(TOPICS_BY_NAME[topic["name"]].partitions))
        for p in partitions:
            assert 0 <= p["low"] <= p["lso"] <= p["high"], (topic["name"], p)
    groups = {g["group"]: g for g in snapshot["groups"]}
    assert set(PROCESSORS) <= groups.keys()
    for group in groups.values():
        assert isinstance(group["state"], str)
        for p in group["partitions"]:
            assert p["lag"] >= 0 and p["lag_seconds"] >= 0
            assert p["topic"] in DOMAIN_TOPICS
    assert [p["name"] for p in snapshot["processors"]] == list(PROCESSORS)
    assert all(isinstance(p["up"], bool) for p in snapshot["processors"])
    assert isinstance(snapshot["rebalances"], list)


def test_snapshot_with_the_broker_unreachable_reports_errors_instead_of_raising(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind((settings.host, 0))
        port = probe.getsockname()[1]
    unreachable = settings.model_copy(update={"kafka_port": port})

    snapshot = ClusterReader(unreachable).snapshot()

    assert snapshot["errors"]
    assert snapshot["groups"] == []
    assert all(t["partitions"] == [] for t in snapshot["topics"])
    assert len(snapshot["processors"]) == len(PROCESSORS)


def _transactional(settings) -> Producer:
    producer = Producer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "transactional.id": f"test-xray-{uuid.uuid4().hex[:8]}",
        }
    )
    producer.init_transactions(30)
    return producer


def _xray_when(
    bootstrap: str, topic: str, ready: Callable[[dict[str, Any]], bool], what: str
) -> dict[str, Any]:
    """The x-ray once `ready` holds for it: the broker's offsets move a moment after the client's call."""

    def attempt() -> dict[str, Any] | None:
        xray = read_xray(bootstrap, topic, 0)
        return xray if ready(xray) else None

    return wait_until(attempt, timeout_s=20, what=what)


def _states(xray: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["state"] for r in xray["records"]}


def test_xray_tells_committed_aborted_and_open_records_and_markers(settings, new_topic):
    topic = new_topic("xray")
    bootstrap = settings.bootstrap_servers
    producer = _transactional(settings)
    producer.begin_transaction()
    for key in ("c0", "c1", "c2"):  # offsets 0-2, commit marker at 3
        producer.produce(topic, key=key, value=b"committed")
    producer.commit_transaction(30)
    producer.begin_transaction()
    for key in ("a0", "a1"):  # offsets 4-5, abort marker at 6
        producer.produce(topic, key=key, value=b"aborted")
    assert producer.flush(30) == 0  # written to the log: else the abort just drops them unsent
    producer.abort_transaction(30)
    producer.begin_transaction()
    producer.produce(topic, key="o0", value=b"open")  # offset 7, its transaction left open for now
    assert producer.flush(30) == 0
    try:
        xray = _xray_when(bootstrap, topic, lambda x: x["high"] == 8, "high = 8")
        assert (xray["low"], xray["lso"], xray["high"]) == (0, 7, 8)
        assert _states(xray) == {
            "c0": "committed",
            "c1": "committed",
            "c2": "committed",
            "a0": "aborted",
            "a1": "aborted",
            "o0": "open",
        }
        assert [r["offset"] for r in xray["records"]] == [0, 1, 2, 4, 5, 7]
        assert [r["committed"] for r in xray["records"]] == [True] * 3 + [False] * 3
        assert xray["markers"] == [3, 6]
        assert all(isinstance(r["timestamp"], int) and r["timestamp"] > 0 for r in xray["records"])
    finally:
        producer.abort_transaction(30)

    after = _xray_when(bootstrap, topic, lambda x: x["lso"] == x["high"] == 9, "the abort marker is written")
    assert _states(after)["o0"] == "aborted"
    assert after["markers"] == [3, 6, 8]

    last_two = read_xray(bootstrap, topic, 0, limit=2)  # offsets 7 (record) and 8 (marker) only
    assert [r["offset"] for r in last_two["records"]] == [7]
    assert last_two["markers"] == [8]


def test_xray_rejects_unknown_topics_partitions_and_limits(settings, new_topic):
    topic = new_topic("xray-invalid")
    with pytest.raises(NotFound, match="unknown topic"):
        read_xray(settings.bootstrap_servers, f"no-such-topic-{uuid.uuid4().hex[:8]}", 0)
    with pytest.raises(NotFound, match="unknown partition"):
        read_xray(settings.bootstrap_servers, topic, 5)
    with pytest.raises(ValueError, match="limit"):
        read_xray(settings.bootstrap_servers, topic, 0, limit=0)
    empty = read_xray(settings.bootstrap_servers, topic, 0)
    assert (empty["records"], empty["markers"], empty["high"]) == ([], [], 0)


def test_dead_letters_are_read_back_with_their_headers(settings):
    order_id = f"test-dlq-{uuid.uuid4()}"
    headers = {
        "dlq.reason": "poison-pill",
        "dlq.detail": "unknown magic byte",
        "dlq.processor": "payment",
        "dlq.origin.topic": "orders.new",
        "dlq.origin.partition": "4",
        "dlq.origin.offset": "1234",
        "dlq.attempt": "1",
    }
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers, "enable.idempotence": True})
    producer.produce("payments.dlq", key=order_id, value=b"\x00garbage", headers=list(headers.items()))
    assert producer.flush(30) == 0

    def ours() -> list[dict[str, Any]]:
        return [r for r in read_dead_letters(settings.bootstrap_servers) if r["order_id"] == order_id]

    [record] = wait_until(ours, timeout_s=20, what=f"dead letter {order_id}")
    assert record["topic"] == "payments.dlq"
    assert (record["reason"], record["detail"], record["processor"]) == (
        "poison-pill",
        "unknown magic byte",
        "payment",
    )
    assert record["origin"] == {"topic": "orders.new", "partition": 4, "offset": 1234}
    assert isinstance(record["offset"], int) and record["timestamp"] > 0
    newest_first = [r["timestamp"] for r in read_dead_letters(settings.bootstrap_servers, limit=20)]
    assert newest_first == sorted(newest_first, reverse=True)
