"""The runtime's metrics against the fake clients: each failure counted once under its class, the commit
duration observed for committed transactions only, and the lag per partition in records and seconds."""

from __future__ import annotations

import time

import pytest
from confluent_kafka import KafkaError, TopicPartition
from prometheus_client import REGISTRY

from processors.runtime.metrics import LagReporter
from tests.unit.processors.runtime.fakes import FakeMessage, abortable, record, retriable

PROC = "test-proc"


def sample(name: str, **labels: str) -> float:
    """One sample of the process-wide registry (0 when absent): tests read deltas, others count too."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def errors(error_class: str) -> float:
    return sample("pedidos_processor_errors_total", processor=PROC, **{"class": error_class})


def commits_observed() -> float:
    return sample("pedidos_transaction_commit_duration_seconds_count", processor=PROC)


def test_a_committed_transaction_observes_its_commit_duration(loop):
    before = commits_observed()
    loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("orders.in", 0, 7)]
    ]
    loop.run()
    assert commits_observed() == before + 1


def test_an_aborted_commit_observes_no_commit_duration_and_counts_one_abortable_error(loop):
    before, abortable_before = commits_observed(), errors("abortable")
    aborted_before = sample("pedidos_transactions_aborted_total", processor=PROC, reason="abortable")
    loop.producer.failures["commit_transaction"] = [abortable()]
    loop.consumer.batches = [[record("orders.in", 0, 5)]]
    loop.run()
    assert commits_observed() == before
    assert errors("abortable") == abortable_before + 1
    assert (
        sample("pedidos_transactions_aborted_total", processor=PROC, reason="abortable") == aborted_before + 1
    )


def _poison(loop, _monkeypatch):
    loop.consumer.batches = [[FakeMessage("orders.in", 0, 5, b"garbage")]]


def _permanent(loop, _monkeypatch):
    loop.consumer.batches = [[record("orders.in", 0, 5, kind="invalid")]]


def _transient_without_retry_topics(loop, _monkeypatch):  # aborts: counted by the abort, once
    loop.consumer.batches = [[record("orders.in", 0, 5, kind="down")]]


def _registry_down_on_decode(loop, monkeypatch):
    monkeypatch.setattr(loop.codec, "decode", _registry_down)
    loop.consumer.batches = [[record("orders.in", 0, 5)]]


def _registry_down_on_encode(loop, monkeypatch):
    monkeypatch.setattr(loop.codec, "encode", _registry_down)
    loop.consumer.batches = [[record("orders.in", 0, 5)]]


def _registry_down(_topic, _value_or_event):
    raise ConnectionError("registry unreachable")


def _retriable_commit(loop, _monkeypatch):
    loop.producer.failures["commit_transaction"] = [retriable()]
    loop.consumer.batches = [[record("orders.in", 0, 5)]]


def _consumer_hiccup(loop, _monkeypatch):
    hiccup = FakeMessage("orders.in", 0, -1, None, error_=KafkaError(KafkaError._TRANSPORT, retriable=True))
    loop.consumer.batches = [[hiccup]]


@pytest.mark.parametrize(
    ("script", "error_class"),
    [
        (_poison, "poison"),
        (_permanent, "handler-error"),
        (_transient_without_retry_topics, "handler-error"),
        (_registry_down_on_decode, "registry"),
        (_registry_down_on_encode, "registry"),
        (_retriable_commit, "retriable"),
        (_consumer_hiccup, "consumer"),
    ],
)
def test_each_failure_counts_once_under_its_class(script, error_class, loop, monkeypatch):
    classes = ("poison", "handler-error", "registry", "retriable", "consumer", "abortable")
    before = {c: errors(c) for c in classes}
    script(loop, monkeypatch)
    loop.run()
    counted = {c: errors(c) - before[c] for c in classes}
    assert counted == {c: (1 if c == error_class else 0) for c in classes}


class LagConsumer:
    """Assigned partitions: (topic, partition) -> (position, high watermark)."""

    def __init__(self, offsets: dict[tuple[str, int], tuple[int, int]]) -> None:
        self.offsets = offsets

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(t, p) for t, p in self.offsets]

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return [
            TopicPartition(tp.topic, tp.partition, self.offsets[(tp.topic, tp.partition)][0])
            for tp in partitions
        ]

    def get_watermark_offsets(self, tp: TopicPartition, cached: bool = False) -> tuple[int, int]:
        return 0, self.offsets[(tp.topic, tp.partition)][1]


def lag(name: str, topic: str, partition: int, group: str = "lag-group") -> float | None:
    labels = {"processor": PROC, "group": group, "topic": topic, "partition": str(partition)}
    return REGISTRY.get_sample_value(f"pedidos_consumer_lag_{name}", labels)


def test_lag_is_zero_records_and_zero_seconds_when_caught_up():
    reporter = LagReporter(PROC, "lag-group", LagConsumer({("lag.caught-up", 0): (40, 40)}))  # type: ignore[arg-type]
    reporter.seen(FakeMessage("lag.caught-up", 0, 39, b"", timestamp_ms=int(time.time() * 1000) - 60_000))
    reporter.update()
    assert lag("records", "lag.caught-up", 0) == 0
    assert (
        lag("seconds", "lag.caught-up", 0) == 0
    )  # an old last record does not make a caught-up consumer late


def test_lag_behind_is_the_records_waiting_and_the_age_of_the_last_record_consumed():
    consumer = LagConsumer({("lag.behind", 0): (7, 10), ("lag.behind", 1): (0, 5)})
    reporter = LagReporter(PROC, "lag-group", consumer)  # type: ignore[arg-type]
    reporter.seen(FakeMessage("lag.behind", 0, 6, b"", timestamp_ms=int(time.time() * 1000) - 5_000))
    reporter.update()
    assert lag("records", "lag.behind", 0) == 3
    assert 5 <= (lag("seconds", "lag.behind", 0) or 0) < 6
    assert lag("records", "lag.behind", 1) == 5
    assert lag("seconds", "lag.behind", 1) is None  # nothing consumed there yet: unknown, not a guess


def test_partitions_that_leave_take_their_lag_series_with_them(loop):
    loop.lag.consumer = LagConsumer({("orders.in", 3): (1, 4)})
    loop.lag.seen(FakeMessage("orders.in", 3, 0, b"", timestamp_ms=int(time.time() * 1000)))
    loop.lag.update()
    assert lag("records", "orders.in", 3, group=PROC) == 3  # the group is the processor's consumer group
    assert lag("seconds", "orders.in", 3, group=PROC) is not None
    loop._on_lost(loop.consumer, [TopicPartition("orders.in", 3)])
    assert lag("records", "orders.in", 3, group=PROC) is None
    assert lag("seconds", "orders.in", 3, group=PROC) is None
