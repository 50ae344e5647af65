"""The two commit strategies on their own: what each does at begin, commit and abort, against the fakes."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, TopicPartition

from processors.runtime.calls import CallWatchdog, KafkaCalls
from processors.runtime.clients import RuntimeConfig
from processors.runtime.commit import AtLeastOnce, ExactlyOnce, commit_strategy
from processors.runtime.crash import CrashPoints
from processors.runtime.errors import AbortTransaction
from tests.unit.processors.runtime.conftest import NO_BROKER
from tests.unit.processors.runtime.fakes import (
    AloConsumer,
    AloProducer,
    FakeConsumer,
    FakeMessageStub,
    FakeProducer,
    GroupMetadata,
    Journal,
)

OFFSETS = [TopicPartition("orders.in", 0, 7)]


def calls() -> KafkaCalls:
    return KafkaCalls(CallWatchdog(60, on_hang=lambda _reason: None), "test-proc")


def test_the_guarantee_picks_the_strategy():
    journal: Journal = []
    producer, consumer = FakeProducer(journal), FakeConsumer(journal)
    eos = RuntimeConfig(NO_BROKER, "p")
    alo = RuntimeConfig(NO_BROKER, "p", guarantee="at_least_once")
    crash = CrashPoints(None)
    assert isinstance(commit_strategy(eos, producer, consumer, calls(), crash), ExactlyOnce)  # type: ignore[arg-type]
    assert isinstance(commit_strategy(alo, producer, consumer, calls(), crash), AtLeastOnce)  # type: ignore[arg-type]


def test_exactly_once_sends_offsets_with_fresh_metadata_then_commits():
    journal: Journal = []
    producer, consumer = FakeProducer(journal), FakeConsumer(journal)
    reached: list[str] = []
    crash = CrashPoints(None)
    crash.reach = reached.append  # type: ignore[method-assign]
    strategy = ExactlyOnce(RuntimeConfig(NO_BROKER, "p"), producer, consumer, calls(), crash)  # type: ignore[arg-type]
    strategy.begin()
    strategy.commit(OFFSETS)
    strategy.commit([])  # a tick's transaction: no input, no offsets to send
    assert journal == [
        ("begin_transaction",),
        ("send_offsets_to_transaction", {("orders.in", 0): 7}, GroupMetadata(1)),
        ("commit_transaction",),
        ("commit_transaction",),
    ]
    assert reached == ["after-send-offsets", "after-send-offsets"]


def test_at_least_once_makes_no_transactional_call_and_commits_offsets_synchronously():
    journal: Journal = []
    strategy = AtLeastOnce(AloProducer(journal), AloConsumer(journal), calls())  # type: ignore[arg-type]
    strategy.start()
    strategy.begin()
    strategy.commit(OFFSETS)
    strategy.abort()
    assert journal == [("commit", {("orders.in", 0): 7})]


def test_at_least_once_refuses_to_commit_past_a_failed_delivery_until_the_abort():
    journal: Journal = []
    strategy = AtLeastOnce(AloProducer(journal), AloConsumer(journal), calls())  # type: ignore[arg-type]
    strategy.delivered(None, FakeMessageStub())  # type: ignore[arg-type]
    strategy.delivered(KafkaError(KafkaError._MSG_TIMED_OUT), FakeMessageStub())  # type: ignore[arg-type]
    with pytest.raises(AbortTransaction, match="1 failed deliveries"):
        strategy.commit(OFFSETS)
    strategy.abort()  # the rewind replays the batch: the next commit starts clean
    strategy.commit(OFFSETS)
    assert journal == [("commit", {("orders.in", 0): 7})]


def test_at_least_once_refuses_to_commit_with_outputs_still_queued():
    journal: Journal = []
    producer = AloProducer(journal)
    producer.queued_after_flush = 3
    strategy = AtLeastOnce(producer, AloConsumer(journal), calls())  # type: ignore[arg-type]
    with pytest.raises(AbortTransaction, match="undelivered: 3 queued"):
        strategy.commit(OFFSETS)
    assert journal == []
