"""EosLoop's commit protocol against fakes: call order, offsets, group metadata, retries, crashes.

``run()`` is driven by a fake consumer that serves scripted batches and then stops the loop; batch_size is 3,
so three records make a commit due, and whatever is still open at the stop is committed on the way out.
"""

from __future__ import annotations

import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer

from processors.runtime import errors
from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.handler import CONSUMED_AT_HEADER
from tests.unit.processors.runtime.conftest import NO_BROKER, Crashed
from tests.unit.processors.runtime.fakes import (
    TRANSACTION_CALLS,
    GroupMetadata,
    abortable,
    fatal,
    kafka_exception,
    record,
    retriable,
)

PROTOCOL = TRANSACTION_CALLS | {"flush", "prepare_commit"}

COMMITTED_BATCH_OF_THREE = [
    "begin_transaction",
    "produce",
    "produce",
    "produce",
    "flush",
    "prepare_commit",
    "send_offsets_to_transaction",
    "commit_transaction",
    "on_commit",
]


def protocol(journal):
    """The transaction-relevant calls only (no consume, handle, subscribe)."""
    return [entry for entry in journal if entry[0] in PROTOCOL]


def test_the_real_clients_are_built_without_a_broker():
    started = time.monotonic()
    config = RuntimeConfig(NO_BROKER, "test-proc")
    producer, consumer = make_producer(config), make_consumer(config, "range")
    assert isinstance(producer, Producer)
    assert isinstance(consumer, Consumer)
    assert time.monotonic() - started < 2  # nothing waited for a connection
    consumer.close()


def test_a_full_batch_is_committed_in_protocol_order(loop, journal):
    loop.consumer.batches = [
        [record("orders.in", 0, 5), record("orders.in", 0, 6), record("payments.in", 2, 40)],
    ]
    assert loop.run() == 0
    assert journal[:2] == [("init_transactions",), ("subscribe", ("orders.in", "payments.in"))]
    assert protocol(journal) == [
        ("begin_transaction",),  # once, lazily, at the first record
        ("produce", "out.topic", "order-1"),
        ("produce", "out.topic", "order-1"),
        ("produce", "out.topic", "order-1"),
        ("flush",),
        ("prepare_commit",),  # the handler's database work commits before the Kafka transaction
        # next offsets = last processed + 1, per partition; metadata fetched at this very moment
        ("send_offsets_to_transaction", {("orders.in", 0): 7, ("payments.in", 2): 41}, GroupMetadata(1)),
        ("commit_transaction",),
        ("on_commit",),
    ]
    assert journal[-1] == ("close",)
    assert loop.tx is None


def test_no_transaction_is_begun_without_records(loop, journal):
    loop.consumer.batches = [[], []]
    loop.run()
    assert protocol(journal) == []


def test_outputs_are_encoded_and_inherit_only_tracing_headers_plus_when_consumed(loop):
    upstream = {"correlation-id": "c-1", "traceparent": "00-t-01", "other": "x", CONSUMED_AT_HEADER: "1"}
    loop.consumer.batches = [[record("orders.in", 0, 5, **upstream)]]
    before = int(time.time() * 1000)
    loop.run()
    [produced] = loop.producer.produced
    assert produced["value"] == b'{"from_offset": 5}'
    headers = dict(produced["headers"])
    assert headers.keys() == {"correlation-id", "traceparent", CONSUMED_AT_HEADER}
    assert (headers["correlation-id"], headers["traceparent"]) == (b"c-1", b"00-t-01")
    # this service's consumption time, not the one upstream stamped
    assert before <= int(headers[CONSUMED_AT_HEADER]) <= int(time.time() * 1000)


def test_group_metadata_is_fetched_fresh_for_every_commit(loop, journal):
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)], [record("orders.in", 0, 3)]]
    loop.consumer.generation = 10  # a rebalance before the first commit
    loop.run()
    sent = loop.producer.calls("send_offsets_to_transaction")
    assert [(offsets, metadata) for _, offsets, metadata in sent] == [
        ({("orders.in", 0): 3}, GroupMetadata(11)),
        ({("orders.in", 0): 4}, GroupMetadata(12)),
    ]
    assert len(loop.producer.calls("begin_transaction")) == 2


def test_a_retriable_commit_error_calls_commit_again_never_abort(loop, journal, sleeps):
    loop.producer.failures["commit_transaction"] = [retriable(), retriable(KafkaError._TRANSPORT)]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    loop.run()
    assert [entry[0] for entry in protocol(journal)][-5:] == [
        "send_offsets_to_transaction",  # sent once: only the commit is called again
        "commit_transaction",
        "commit_transaction",
        "commit_transaction",
        "on_commit",
    ]
    assert loop.producer.calls("abort_transaction") == []
    assert sleeps == [0.2, 0.2]


def test_a_retriable_send_offsets_error_resends_the_identical_offsets_and_metadata(loop):
    loop.producer.failures["send_offsets_to_transaction"] = [retriable(KafkaError.COORDINATOR_NOT_AVAILABLE)]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    loop.run()
    first, second = loop.producer.calls("send_offsets_to_transaction")
    assert first[1] == second[1] == {("orders.in", 0): 3}
    assert first[2] is second[2]  # the same metadata object: the call is retriable but not resumable
    assert loop.consumer.generation == 1
    assert len(loop.producer.calls("commit_transaction")) == 1


def test_an_abortable_send_offsets_error_aborts_and_rewinds_every_partition_read(loop, journal):
    loop.producer.failures["send_offsets_to_transaction"] = [abortable()]
    loop.consumer.committed_offsets = {("orders.in", 0): 5}  # payments.in[2] has no committed offset yet
    batch = [record("orders.in", 0, 5), record("orders.in", 0, 6), record("payments.in", 2, 40)]
    loop.consumer.batches = [batch, batch]  # the rewind makes consume() serve the same records again
    loop.run()
    steps = protocol(journal)
    assert steps[4:8] == [
        ("flush",),
        ("prepare_commit",),  # the handler's database work commits before the Kafka transaction
        ("send_offsets_to_transaction", {("orders.in", 0): 7, ("payments.in", 2): 41}, GroupMetadata(1)),
        ("abort_transaction",),
    ]
    # every partition of the transaction goes back to its committed offset, or to the beginning without one
    assert sorted(steps[8:10]) == [
        ("seek", ("orders.in", 0), 5),
        ("seek", ("payments.in", 2), OFFSET_BEGINNING),
    ]
    assert steps[10] == ("on_abort",)
    # the replay runs in a new, lazily begun transaction
    assert [entry[0] for entry in steps[11:]] == COMMITTED_BATCH_OF_THREE
    assert loop.producer.calls("commit_transaction") == [("commit_transaction",)]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("commit_transaction", fatal()),
        ("send_offsets_to_transaction", fatal(KafkaError._FATAL)),
        # fenced, though flagged retriable: retrying would never succeed, crash at once
        ("send_offsets_to_transaction", kafka_exception(KafkaError.PRODUCER_FENCED, retriable=True)),
        ("commit_transaction", kafka_exception(KafkaError.INVALID_PRODUCER_EPOCH, txn_requires_abort=True)),
        ("produce", fatal()),
        ("commit_transaction", kafka_exception(KafkaError._STATE)),  # unclassified
    ],
)
def test_a_fatal_error_exits_without_aborting_or_touching_anything(loop, journal, crashes, call, error):
    loop.producer.failures[call] = [error]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    with pytest.raises(Crashed):
        loop.run()
    assert journal[-1][0] == call  # the failing call was the last thing the loop did
    assert loop.producer.calls("abort_transaction") == []
    assert len(loop.producer.calls(call)) == 1
    assert len(crashes) == 1
    assert f"in {call}:" in crashes[0]


def test_a_fatal_abort_exits_without_rewinding(loop, journal):
    loop.producer.failures["send_offsets_to_transaction"] = [abortable()]
    loop.producer.failures["abort_transaction"] = [fatal()]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    with pytest.raises(Crashed):
        loop.run()
    assert journal[-1] == ("abort_transaction",)
    assert loop.consumer.seeks() == {}


def test_the_real_crash_is_an_immediate_process_exit(monkeypatch):
    # No loop fixture here, so exit_for_restart is the real one; only os._exit is replaced.
    exits: list[int] = []

    def exit_now(code: int) -> None:
        exits.append(code)
        raise Crashed(code)

    monkeypatch.setattr(errors.os, "_exit", exit_now)
    with pytest.raises(Crashed):
        errors.exit_for_restart("fenced")
    assert exits == [1]


def test_an_abortable_error_from_the_abort_itself_exits_for_a_restart_without_rewinding(
    loop, journal, crashes
):
    # abort_transaction() asking for an abort has no way out but a restart: init_transactions() then aborts
    # what is open, and nothing was committed, so the records are read again by the restarted instance.
    loop.producer.failures["send_offsets_to_transaction"] = [abortable()]
    loop.producer.failures["abort_transaction"] = [abortable()]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    with pytest.raises(Crashed):
        loop.run()
    assert journal[-1] == ("abort_transaction",)
    assert len(loop.producer.calls("abort_transaction")) == 1
    assert loop.consumer.seeks() == {}
    assert crashes and crashes[0].startswith("abort_transaction failed: abortable: abort_transaction:")


def test_the_database_crash_point_is_reached_right_after_a_database_commit(make_loop, journal):
    loop = make_loop(database_commits=True)
    reached: list[str] = []
    loop.crash.reach = reached.append  # type: ignore[method-assign]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    loop.run()
    assert reached == [
        "after-consume",
        "after-produce",
        "after-db-commit",
        "after-send-offsets",
        "after-commit",
    ]


def test_without_a_database_commit_there_is_no_database_crash_point(loop):
    reached: list[str] = []
    loop.crash.reach = reached.append  # type: ignore[method-assign]
    loop.consumer.batches = [[record("orders.in", 0, i) for i in range(3)]]
    loop.run()
    assert "after-db-commit" not in reached


def test_a_failed_database_commit_aborts_the_kafka_transaction_before_its_offsets_are_sent(loop, journal):
    loop.handler.prepare_fails = True
    batch = [record("orders.in", 0, i) for i in range(3)]
    loop.consumer.batches = [batch, batch]
    loop.run()
    steps = [entry[0] for entry in protocol(journal)]
    # no offsets were sent: abort, rewind, and the records are read again
    assert steps[:6] == COMMITTED_BATCH_OF_THREE[:6]
    assert steps[6:] == ["abort_transaction", "seek", "on_abort", *COMMITTED_BATCH_OF_THREE]


def test_a_lost_database_transaction_aborts_the_whole_kafka_transaction_without_retrying(loop, journal):
    loop.consumer.batches = [[record("orders.in", 0, 0), record("orders.in", 0, 1, kind="lost")]]
    loop.run()
    handled = [entry for entry in journal if entry[0] == "handle"]
    assert handled == [("handle", "orders.in", 0, 0), ("handle", "orders.in", 0, 1)]  # no retry in place
    steps = [entry[0] for entry in protocol(journal)]
    assert "abort_transaction" in steps and "commit_transaction" not in steps
    assert not [entry for entry in journal if entry[0] == "produce" and "retry" in entry[1]]


def test_a_backlog_fills_a_transaction_over_several_consume_calls(make_loop, journal):
    loop = make_loop(batch_size=250)
    backlog = [record("orders.in", 0, i) for i in range(250)]
    loop.consumer.batches = [backlog[:100], backlog[100:200], backlog[200:]]
    loop.run()
    assert loop.consumer.asked == [100, 100, 50]  # never more than a chunk, then what the batch has room for
    assert [entry[0] for entry in protocol(journal)].count("commit_transaction") == 1
