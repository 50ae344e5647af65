"""Per-record failures in EosLoop: transient ones abort and replay, permanent ones and poison pills are
dead-lettered inside the same transaction, so the batch goes on and each bad record is consumed once."""

from __future__ import annotations

import pytest
from confluent_kafka import OFFSET_BEGINNING, KafkaError

from tests.unit.processors.runtime.conftest import Crashed
from tests.unit.processors.runtime.fakes import FakeMessage, record


def names(journal, *wanted):
    return [entry[0] for entry in journal if entry[0] in wanted]


def test_without_retry_topics_a_transient_error_aborts_and_rewinds_even_the_unprocessed_partitions(
    make_loop, journal, sleeps
):
    loop = make_loop(config_fields={"in_place_attempts": 1})  # no second call in place: straight to the abort
    loop.consumer.committed_offsets = {("orders.in", 0): 5}
    # The handler fails at orders.in[0]@6; payments.in[3]@9 was fetched in the same batch but never processed.
    first = [record("orders.in", 0, 5), record("orders.in", 0, 6, "transient"), record("payments.in", 3, 9)]
    loop.consumer.batches = [first, first]
    loop.run()
    assert loop.consumer.seeks() == {("orders.in", 0): 5, ("payments.in", 3): OFFSET_BEGINNING}
    assert names(journal, "handle", "abort_transaction", "on_abort", "commit_transaction") == [
        "handle",
        "handle",
        "abort_transaction",
        "on_abort",
        "handle",  # the replay: all three records again, and this time the database answers
        "handle",
        "handle",
        "commit_transaction",
    ]
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 0): 7, ("payments.in", 3): 10}
    assert 1.0 in sleeps  # backs off before replaying against the dependency that just failed


def test_a_permanent_error_dead_letters_the_original_bytes_in_the_same_transaction(loop, journal):
    bad = record("orders.in", 0, 6, "invalid", **{"correlation-id": "c-6"})
    loop.consumer.batches = [[record("orders.in", 0, 5), bad, record("orders.in", 0, 7)]]
    loop.run()
    produced = loop.producer.produced
    assert [p["topic"] for p in produced] == [
        "out.topic",
        "test-proc.dlq",
        "out.topic",
    ]  # and processing went on
    dead = produced[1]
    assert dead["value"] == bad.value() and dead["key"] == "order-1"
    headers = dict(dead["headers"])
    assert headers["dlq.reason"] == b"permanent-error"
    assert headers["dlq.detail"] == b"quantity must be positive"
    assert headers["dlq.processor"] == b"test-proc"
    assert (headers["dlq.origin.topic"], headers["dlq.origin.offset"]) == (b"orders.in", b"6")
    assert headers["correlation-id"] == b"c-6"
    # one transaction holds the outputs, the dead letter and the offset past the bad record
    assert names(journal, "begin_transaction", "produce", "commit_transaction", "abort_transaction") == [
        "begin_transaction",
        "produce",
        "produce",
        "produce",
        "commit_transaction",
    ]
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 0): 8}


def test_a_poison_pill_is_dead_lettered_without_reaching_the_handler(loop, journal):
    pill = FakeMessage("orders.in", 1, 3, b"garbage\x01\x02", key_=None)
    loop.consumer.batches = [[pill, record("orders.in", 1, 4)]]
    loop.run()
    assert [entry[1:] for entry in journal if entry[0] == "handle"] == [("orders.in", 1, 4)]
    dead = loop.producer.produced[0]
    assert (dead["topic"], dead["key"], dead["value"]) == ("test-proc.dlq", "", b"garbage\x01\x02")
    assert dict(dead["headers"])["dlq.reason"] == b"not-avro"
    assert names(journal, "begin_transaction", "commit_transaction", "abort_transaction") == [
        "begin_transaction",
        "commit_transaction",
    ]
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 1): 5}


@pytest.mark.parametrize("call", ["decode", "encode"])
def test_a_registry_outage_aborts_and_backs_off_before_the_replay(call, loop, journal, sleeps, monkeypatch):
    def registry_down(topic, value_or_event):
        raise ConnectionError("registry unreachable")

    monkeypatch.setattr(loop.codec, call, registry_down)
    loop.consumer.batches = [[record("orders.in", 0, 5)]]
    loop.run()
    assert names(journal, "produce", "abort_transaction", "on_abort", "commit_transaction") == [
        "abort_transaction",
        "on_abort",
    ]
    assert 1.0 in sleeps  # no hot loop of aborts against a registry that is down


def test_a_retriable_consumer_error_is_skipped(loop, journal):
    hiccup = FakeMessage("orders.in", 0, -1, None, error_=KafkaError(KafkaError._TRANSPORT, retriable=True))
    loop._process(hiccup)
    assert loop.tx is None
    assert journal == []


def test_a_fatal_consumer_error_crashes(loop, journal):
    broken = FakeMessage("orders.in", 0, -1, None, error_=KafkaError(KafkaError._FATAL, fatal=True))
    with pytest.raises(Crashed):
        loop._process(broken)
    assert journal == []
