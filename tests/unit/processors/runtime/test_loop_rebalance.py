"""Rebalances and ticks in EosLoop, called as the consumer would call them, between records.

A revoke commits the open transaction before the partitions leave; a loss aborts it without seeking (another
member may own the partitions already); a tick's outputs open a transaction of their own.
"""

from __future__ import annotations

import dataclasses
import time

from confluent_kafka import OFFSET_BEGINNING, TopicPartition

from processors.runtime.handler import Output
from tests.unit.processors.runtime.fakes import TRANSACTION_CALLS, abortable, record

STEPS = TRANSACTION_CALLS | {"on_revoke", "on_assign", "tick"}


def steps(journal):
    return [entry[0] for entry in journal if entry[0] in STEPS]


def read(loop, *messages):
    """What run() does with a batch, minus the commit: mark the partitions fetched, process each record."""
    loop.batch_fetched = {(m.topic(), m.partition()) for m in messages}
    for message in messages:
        loop._process(message)


def test_on_assign_tells_the_handler(loop, journal):
    loop._on_assign(loop.consumer, [TopicPartition("orders.in", 0), TopicPartition("orders.in", 1)])
    assert journal == [("on_assign", [("orders.in", 0), ("orders.in", 1)])]


def test_a_revoke_commits_the_open_transaction_before_the_handler_lets_go(loop, journal):
    read(loop, record("orders.in", 0, 5), record("payments.in", 1, 8))
    loop._on_revoke(loop.consumer, [TopicPartition("orders.in", 0)])
    assert steps(journal) == [
        "begin_transaction",
        "produce",
        "produce",
        "send_offsets_to_transaction",
        "commit_transaction",
        "on_commit",
        "on_revoke",
    ]
    [(_, offsets, _metadata)] = loop.producer.calls("send_offsets_to_transaction")
    assert offsets == {("orders.in", 0): 6, ("payments.in", 1): 9}  # all current offsets, not just revoked
    assert journal[-1] == ("on_revoke", [("orders.in", 0)])
    assert loop.tx is None


def test_a_revoke_without_a_transaction_only_tells_the_handler(loop, journal):
    loop._on_revoke(loop.consumer, [TopicPartition("orders.in", 0)])
    assert journal == [("on_revoke", [("orders.in", 0)])]


def test_an_abortable_revoke_rewinds_the_partitions_we_keep_but_not_those_leaving(loop, journal):
    # Cooperative rebalancing revokes orders.in[0] only; payments.in[1] stays with us. Its records of the
    # aborted transaction must be read again, or the next commit would skip past them.
    loop.producer.failures["send_offsets_to_transaction"] = [abortable()]
    loop.consumer.committed_offsets = {("orders.in", 0): 5}
    read(loop, record("orders.in", 0, 5), record("payments.in", 1, 8))
    loop._on_revoke(loop.consumer, [TopicPartition("orders.in", 0)])
    assert steps(journal)[-4:] == ["abort_transaction", "seek", "on_abort", "on_revoke"]
    assert loop.consumer.seeks() == {("payments.in", 1): OFFSET_BEGINNING}
    assert loop.tx is None


def test_an_abortable_revoke_of_everything_seeks_nothing(loop, journal):
    loop.producer.failures["send_offsets_to_transaction"] = [abortable()]
    read(loop, record("orders.in", 0, 5), record("payments.in", 1, 8))
    loop._on_revoke(loop.consumer, [TopicPartition("orders.in", 0), TopicPartition("payments.in", 1)])
    assert "abort_transaction" in steps(journal)
    assert loop.consumer.seeks() == {}


def test_a_loss_aborts_without_seeking_or_committing(loop, journal):
    read(loop, record("orders.in", 0, 5), record("payments.in", 1, 8))
    loop._on_lost(loop.consumer, [TopicPartition("orders.in", 0), TopicPartition("payments.in", 1)])
    assert steps(journal) == [
        "begin_transaction",
        "produce",
        "produce",
        "abort_transaction",
        "on_abort",
        "on_revoke",
    ]
    assert loop.consumer.seeks() == {}
    assert loop.tx is None


def test_a_loss_without_a_transaction_aborts_nothing(loop, journal):
    loop._on_lost(loop.consumer, [TopicPartition("orders.in", 0)])
    assert journal == [("on_revoke", [("orders.in", 0)])]


def test_tick_outputs_open_a_transaction_and_commit_without_input_offsets(loop, journal):
    loop.handler.tick_outputs = [Output("timeouts.topic", "order-9", {"expired": True})]
    loop.last_tick = time.monotonic() - loop.config.tick_interval_s - 1
    loop._tick()
    assert loop.tx is not None
    assert steps(journal) == ["tick", "begin_transaction", "produce"]
    assert loop.producer.produced[0]["topic"] == "timeouts.topic"
    loop._finish()
    assert steps(journal)[-2:] == ["commit_transaction", "on_commit"]
    assert loop.producer.calls("send_offsets_to_transaction") == []  # no input was read: nothing to send


def test_a_tick_without_outputs_begins_nothing(loop, journal):
    loop.last_tick = 0.0
    loop.config = dataclasses.replace(loop.config, tick_interval_s=0.0)
    loop._tick()
    assert journal == [("tick",)]
    assert loop.tx is None


def test_a_tick_is_not_called_before_its_interval(loop, journal):
    loop.handler.tick_outputs = [Output("timeouts.topic", "order-9", {"expired": True})]
    loop._tick()  # the fixture just ticked
    assert journal == []
