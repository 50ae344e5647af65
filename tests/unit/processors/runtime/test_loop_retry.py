"""Retry topics in EosLoop: a failing record moves on (5 s, 30 s, DLQ) inside the transaction that commits its
input offset, and a retry partition whose head is not due yet is paused alone while the rest keeps flowing."""

from __future__ import annotations

import time

import pytest
from confluent_kafka import TopicPartition

from tests.unit.processors.runtime.fakes import record


def names(journal, *wanted):
    return [entry[0] for entry in journal if entry[0] in wanted]


@pytest.fixture
def loop(make_loop):
    return make_loop(config_fields={"retry_topics": True})


def now_ms() -> int:
    return int(time.time() * 1000)


def test_a_failure_that_clears_in_place_needs_no_retry_topic(loop, journal):
    loop.consumer.batches = [[record("orders.in", 0, 5, "transient")]]
    loop.run()
    assert names(journal, "handle", "abort_transaction") == ["handle", "handle"]
    assert [p["topic"] for p in loop.producer.produced] == ["out.topic"]


def test_a_record_still_failing_goes_to_the_5s_topic_and_the_batch_goes_on(loop, journal, sleeps):
    loop.consumer.batches = [[record("orders.in", 0, 5, "down"), record("orders.in", 0, 6)]]
    loop.run()
    assert (
        names(journal, "handle").count("handle") == 1 + 3
    )  # three calls in place for offset 5, then offset 6
    assert sleeps and max(sleeps) <= 0.5  # short backoffs in place, not the 1 s replay backoff
    retried, ok = loop.producer.produced
    assert (retried["topic"], retried["key"], ok["topic"]) == ("test-proc.retry.5s", "order-1", "out.topic")
    assert retried["value"] == record("orders.in", 0, 5, "down").value()
    headers = dict(retried["headers"])
    assert headers["retry.attempt"] == b"1" and headers["retry.error_class"] == b"ConnectionError"
    assert (headers["retry.origin.topic"], headers["retry.origin.offset"]) == (b"orders.in", b"5")
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 0): 7}  # the failed record's offset moved on with its retry copy
    assert names(journal, "abort_transaction") == []


def test_a_retry_record_that_fails_again_goes_to_30s_then_the_dlq_with_its_first_origin(loop, journal):
    first = {
        "retry.attempt": "1",
        "retry.first_failed_at": "1000",
        "retry.error_class": "ConnectionError",
        "retry.error": "database went away",
        "retry.origin.topic": "orders.in",
        "retry.origin.partition": "0",
        "retry.origin.offset": "5",
    }
    due = now_ms() - 60_000
    from_5s = record("test-proc.retry.5s", 1, 3, "down", **first)
    from_5s.timestamp_ms = due
    second = {**first, "retry.attempt": "2"}
    from_30s = record("test-proc.retry.30s", 2, 8, "down", **second)
    from_30s.timestamp_ms = due
    loop.consumer.batches = [[from_5s, from_30s]]
    loop.run()
    to_30s, to_dlq = loop.producer.produced
    assert to_30s["topic"] == "test-proc.retry.30s"
    assert dict(to_30s["headers"])["retry.attempt"] == b"2"
    assert [k for k, _ in to_30s["headers"]].count("retry.attempt") == 1  # replaced, not piled up
    dead = dict(to_dlq["headers"])
    assert to_dlq["topic"] == "test-proc.dlq" and dead["dlq.reason"] == b"retries-exhausted"
    assert (dead["dlq.origin.topic"], dead["dlq.origin.offset"], dead["dlq.attempt"]) == (
        b"orders.in",
        b"5",
        b"3",
    )


def test_a_retry_head_not_yet_due_pauses_only_its_partition(loop, journal):
    early = record("test-proc.retry.5s", 1, 3, "ok")
    early.timestamp_ms = now_ms()  # due in 5 s
    behind = record("test-proc.retry.5s", 1, 4, "ok")
    behind.timestamp_ms = now_ms()
    loop.consumer.batches = [[early, record("orders.in", 0, 5), behind]]
    loop.run()
    assert ("pause", [("test-proc.retry.5s", 1)]) in journal
    assert loop.consumer.seeks()[("test-proc.retry.5s", 1)] == 3  # read the head again once it is due
    assert [entry[1:] for entry in journal if entry[0] == "handle"] == [("orders.in", 0, 5)]
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 0): 6}  # nothing of the held partition is committed
    assert loop.holds.held[("test-proc.retry.5s", 1)] >= now_ms() + 4000
    assert 0 < loop._wait_s() <= 5  # the next consume() wakes up in time for the due record


def test_a_held_partition_resumes_when_due_and_is_forgotten_on_revoke(loop, journal):
    loop.holds.held = {("test-proc.retry.5s", 1): now_ms() - 1, ("test-proc.retry.30s", 0): now_ms() + 60_000}
    loop.holds.release_due()
    assert ("resume", [("test-proc.retry.5s", 1)]) in journal
    assert list(loop.holds.held) == [("test-proc.retry.30s", 0)]
    loop._on_revoke(loop.consumer, [TopicPartition("test-proc.retry.30s", 0)])
    assert loop.holds.held == {}


def test_the_loop_subscribes_to_its_retry_topics(loop, journal):
    loop.consumer.batches = []
    loop.run()
    [(_, topics)] = [entry for entry in journal if entry[0] == "subscribe"]
    assert topics == ("orders.in", "payments.in", "test-proc.retry.5s", "test-proc.retry.30s")
