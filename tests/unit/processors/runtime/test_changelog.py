"""The runtime restores a handler's changelog on assignment: only partition numbers new to it, before any of
their records is handled, and forgets them on revoke so that a later assignment reads them again."""

from __future__ import annotations

from confluent_kafka import TopicPartition

from processors.runtime import changelog


def test_the_runtime_reads_the_changelog_of_new_partitions_into_the_handler_before_on_assign(
    make_loop, journal, monkeypatch
):
    reads: list[tuple[str, set[int]]] = []

    def read(bootstrap, codec, topic, partitions):
        reads.append((topic, set(partitions)))
        return {p: {f"order-{p}": {"step": "x"}} for p in partitions}

    monkeypatch.setattr(changelog, "read_changelog", read)
    loop = make_loop(changelog_topic="test.state")
    loop._on_assign(loop.consumer, [TopicPartition("orders.in", 0), TopicPartition("payments.in", 0)])
    loop._on_assign(loop.consumer, [TopicPartition("orders.in", 1)])  # partition 0 is already restored
    assert reads == [("test.state", {0}), ("test.state", {1})]
    assert [entry[0] for entry in journal] == ["restore", "on_assign", "restore", "on_assign"]
    assert journal[0] == ("restore", 0, ["order-0"])
    loop._on_revoke(loop.consumer, [TopicPartition("orders.in", 0), TopicPartition("payments.in", 0)])
    loop._on_assign(loop.consumer, [TopicPartition("orders.in", 0)])
    assert reads[-1] == ("test.state", {0})  # ours again: read again, others may have changed it


def test_a_handler_without_a_changelog_reads_nothing(loop, journal, monkeypatch):
    monkeypatch.setattr(changelog, "read_changelog", lambda *_args: (_ for _ in ()).throw(AssertionError))
    loop._on_assign(loop.consumer, [TopicPartition("orders.in", 0)])
    assert journal == [("on_assign", [("orders.in", 0)])]
