"""Rebuild per-key state from a compacted changelog: read chosen partitions to their end, keep the last.

The runtime does the reading (``Changelog``, on assignment) and hands the records to the handler's
``restore``: the changelog is the truth, and a handler never touches Kafka.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from processors.runtime.serde import AvroCodec

log = logging.getLogger("pedidos.runtime")
RESTORE_DEADLINE_S = 120  # longer than a transaction timeout: an open transaction pins the end we wait for


def read_changelog(
    bootstrap: str, codec: AvroCodec, topic: str, partitions: set[int]
) -> dict[int, dict[str, Any]]:
    """The latest committed value of every key in each partition (read_committed, never an aborted write)."""
    if not partitions:
        return {}
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"restore-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions
        }
        latest: dict[int, dict[str, Any]] = {p: {} for p in partitions}
        pending = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, 0) for p in pending])
        deadline = time.monotonic() + RESTORE_DEADLINE_S
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: restore did not reach offsets {ends} in {RESTORE_DEADLINE_S} s")
            for message in consumer.consume(500, timeout=0.5):
                if message.error() is None and message.value() is not None:
                    latest[message.partition()][message.key().decode()] = codec.decode(topic, message.value())
            positions = consumer.position([TopicPartition(topic, p) for p in pending])
            pending -= {tp.partition for tp in positions if tp.offset >= ends[tp.partition]}
        return latest
    finally:
        consumer.close()


class Changelog:
    """A handler's changelog topic, restored into it for each partition number newly assigned to us (nothing
    at all for a handler without one: ``topic`` None)."""

    def __init__(
        self,
        bootstrap: str,
        codec: AvroCodec,
        topic: str | None,
        restore: Callable[[int, dict[str, dict[str, Any]]], None],
    ) -> None:
        self.bootstrap, self.codec, self.topic, self.restore = bootstrap, codec, topic, restore
        self.partitions: set[int] = set()  # restored and still ours

    def assigned(self, partitions: list[tuple[str, int]]) -> None:
        if self.topic is None:
            return
        # The inputs are co-partitioned with the changelog: input partition p of any topic means state p.
        new = {p for _, p in partitions} - self.partitions
        self.partitions |= new
        restored = read_changelog(self.bootstrap, self.codec, self.topic, new)
        for partition, latest in restored.items():
            self.restore(partition, latest)
        keys = sum(len(latest) for latest in restored.values())
        log.info("changelog restored", extra={"topic": self.topic, "partitions": sorted(new), "keys": keys})

    def revoked(self, partitions: list[tuple[str, int]]) -> None:
        self.partitions -= {p for _, p in partitions}
