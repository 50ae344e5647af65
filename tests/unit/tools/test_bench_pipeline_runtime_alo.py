"""The runtime's at-least-once mode (used by `pedidos bench pipeline` only), against the runtime's fakes:
no transaction calls at all, a flush before a synchronous offset commit, and an abort that can only rewind.
Also the bench stage's measuring hooks on the loop: when it stops, what it times, how much it consumes."""

from __future__ import annotations

import signal
import time

import pytest
from confluent_kafka import KafkaError, KafkaException

from processors.runtime import errors
from processors.runtime.clients import RuntimeConfig, make_producer
from processors.runtime.commit import AtLeastOnce
from processors.runtime.loop import CONSUME_CHUNK, EosLoop
from tests.unit.processors.runtime.fakes import (
    AloConsumer,
    AloProducer,
    FakeCodec,
    FakeConsumer,
    FakeHandler,
    FakeProducer,
    Journal,
    kafka_exception,
    record,
    retriable,
)
from tools.bench.pipeline_stage import UNBOUNDED_BATCH, StageMeasurements

NO_BROKER = "127.0.0.1:1"  # nothing listens there: the real clients are built, never connected
TRANSACTIONAL = {
    "init_transactions",
    "begin_transaction",
    "send_offsets_to_transaction",
    "commit_transaction",
}


class Crashed(Exception):
    pass


@pytest.fixture
def journal() -> Journal:
    return []


@pytest.fixture
def alo_loop(journal: Journal, monkeypatch: pytest.MonkeyPatch):
    def crash(reason: str) -> None:
        raise Crashed(reason)

    monkeypatch.setattr(errors, "exit_for_restart", crash)
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    config = RuntimeConfig(
        NO_BROKER,
        "test-proc",
        batch_size=3,
        commit_interval_s=3600,
        tick_interval_s=3600,
        guarantee="at_least_once",
    )
    consumer = AloConsumer(journal)
    loop = EosLoop(FakeHandler(journal), config, FakeCodec(), AloProducer(journal), consumer)  # type: ignore[arg-type]
    consumer.loop = loop
    loop.last_tick = time.monotonic()
    yield loop
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def calls(journal: Journal, *names: str) -> list[tuple]:
    return [entry for entry in journal if entry[0] in names]


def test_the_guarantee_is_exactly_once_unless_asked_and_a_typo_is_refused():
    assert RuntimeConfig(NO_BROKER, "p").exactly_once
    assert not RuntimeConfig(NO_BROKER, "p", guarantee="at_least_once").exactly_once
    with pytest.raises(ValueError, match="guarantee"):
        RuntimeConfig(NO_BROKER, "p", guarantee="at-least-once")  # type: ignore[arg-type]


def test_only_the_exactly_once_producer_is_transactional():
    # A transactional producer refuses to produce outside a transaction; the at-least-once one just queues.
    make_producer(RuntimeConfig(NO_BROKER, "p", guarantee="at_least_once")).produce("t", b"v")
    with pytest.raises(KafkaException, match="state"):
        make_producer(RuntimeConfig(NO_BROKER, "p")).produce("t", b"v")


def test_a_batch_is_flushed_then_its_offsets_committed_synchronously_without_transactions(alo_loop, journal):
    alo_loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("payments.in", 2, 9)]
    ]
    assert alo_loop.run() == 0
    assert not calls(journal, *TRANSACTIONAL, "abort_transaction")
    assert calls(journal, "produce", "flush", "commit", "on_commit") == [
        ("produce", "out.topic", "order-1"),
        ("produce", "out.topic", "order-1"),
        ("produce", "out.topic", "order-1"),
        ("flush",),  # every output acknowledged before the input offsets move on
        ("commit", {("orders.in", 0): 7, ("payments.in", 2): 10}),
        ("on_commit",),
    ]


def test_a_failed_delivery_rewinds_instead_of_committing_past_the_lost_output(alo_loop, journal):
    alo_loop.consumer.committed_offsets = {("orders.in", 0): 5}
    alo_loop.producer.failing_offsets = {6}
    alo_loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("orders.in", 0, 7)]
    ]
    alo_loop.run()
    assert not calls(journal, "commit", "abort_transaction", *TRANSACTIONAL)
    assert alo_loop.consumer.seeks() == {("orders.in", 0): 5}  # read again: the outputs of 5 and 7 duplicate
    assert calls(journal, "on_abort") == [("on_abort",)]
    assert isinstance(alo_loop.strategy, AtLeastOnce)
    assert alo_loop.strategy.failed_deliveries == 0  # the next batch starts clean


def test_records_still_queued_after_the_flush_rewind_too(alo_loop, journal):
    alo_loop.producer.queued_after_flush = 2
    alo_loop.consumer.batches = [
        [record("orders.in", 1, 0), record("orders.in", 1, 1), record("orders.in", 1, 2)]
    ]
    alo_loop.run()
    assert not calls(journal, "commit")
    assert alo_loop.consumer.seeks() == {("orders.in", 1): -2}  # nothing committed yet: OFFSET_BEGINNING


def test_a_retriable_commit_error_is_retried_and_a_rejected_partition_is_replayed(alo_loop, journal):
    alo_loop.consumer.commit_failures = [retriable(KafkaError._TIMED_OUT)]
    alo_loop.consumer.rejected_partitions = {("payments.in", 2)}
    alo_loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("payments.in", 2, 9)]
    ]
    alo_loop.run()
    assert len(calls(journal, "commit")) == 2  # the same commit, called again
    assert alo_loop.consumer.committed_offsets == {("orders.in", 0): 7}
    assert calls(journal, "on_abort") == [("on_abort",)]
    assert alo_loop.consumer.seeks()[("payments.in", 2)] == -2  # its record will be read and produced again


def test_a_fatal_commit_error_crashes_like_any_other(alo_loop):
    alo_loop.consumer.commit_failures = [kafka_exception(KafkaError._FENCED, fatal=True)]
    alo_loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("orders.in", 0, 7)]
    ]
    with pytest.raises(Crashed):
        alo_loop.run()


def test_the_bench_stage_stops_once_its_commits_cover_the_input_and_times_each_commit(journal, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    config = RuntimeConfig(
        NO_BROKER, "bench-pipeline-t", batch_size=2, commit_interval_s=3600, tick_interval_s=3600
    )
    ends = {("orders.in", 0): 3, ("orders.in", 1): 1, ("orders.in", 2): 0}  # partition 2 holds nothing
    measurements = StageMeasurements(ends)
    consumer = FakeConsumer(journal)
    loop = EosLoop(
        FakeHandler(journal),
        config,
        FakeCodec(),
        FakeProducer(journal),
        consumer,
        hooks=measurements,  # type: ignore[arg-type]
    )
    consumer.loop = loop
    loop.last_tick = time.monotonic()
    consumer.batches = [
        [record("orders.in", 0, 0), record("orders.in", 0, 1)],
        [record("orders.in", 0, 2), record("orders.in", 1, 0)],
        [record("orders.in", 1, 1)],  # never consumed: the input was covered by the commit before
    ]
    try:
        loop.run()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert consumer.asked == [2, 2]  # the batch's room, when it is below the consume cap
    assert len(calls(journal, "commit_transaction")) == 2
    assert consumer.batches == [[record("orders.in", 1, 1)]]
    result = measurements.result()
    assert result["records_processed"] == 4 and result["commit_records"] == [2, 2]
    assert len(result["commit_s"]) == 2 and result["drain_s"] >= sum(result["commit_s"]) > 0
    assert result["aborts"] == 0 and result["cpu_s"] >= 0
    assert result["consume_chunk"] == CONSUME_CHUNK


def test_the_bench_stage_asks_consume_for_at_most_a_chunk_so_the_interval_decides(journal):
    config = RuntimeConfig(NO_BROKER, "bench-pipeline-t", batch_size=UNBOUNDED_BATCH, tick_interval_s=3600)
    consumer = FakeConsumer(journal)
    loop = EosLoop(FakeHandler(journal), config, FakeCodec(), FakeProducer(journal), consumer)  # type: ignore[arg-type]
    consumer.loop = loop
    loop.last_tick = time.monotonic()
    consumer.batches = [[record("orders.in", 0, 0)]]
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        loop.run()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert consumer.asked == [CONSUME_CHUNK]


def test_the_bench_stage_counts_aborts_and_starts_its_clock_at_the_first_record():
    measurements = StageMeasurements({("orders.in", 0): 1})
    measurements.consumed(0)  # an empty consume() or only errors: the drain has not started
    assert measurements.drain.first_record_s is None
    measurements.consumed(3)
    assert measurements.drain.first_record_s is not None
    measurements.aborted("handler-error: ConnectionError")
    assert measurements.aborts == 1
    assert measurements.committed(time.perf_counter(), {("orders.in", 0): 1}, 1) is True  # covered: stop
