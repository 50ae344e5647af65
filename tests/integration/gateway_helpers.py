"""Helpers of the gateway and projector tests: offsets, reading what was produced since, free ports."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, Message, TopicPartition


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-reader-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = _consumer(bootstrap)
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions
        }
    finally:
        consumer.close()


def read_since(bootstrap: str, topic: str, since: dict[int, int], timeout_s: float = 30) -> list[Message]:
    """Every record written to `topic` after the offsets `since`, up to the current end (no sleep)."""
    ends = end_offsets(bootstrap, topic)
    wanted = {p: (since.get(p, 0), end) for p, end in ends.items() if end > since.get(p, 0)}
    if not wanted:
        return []
    consumer = _consumer(bootstrap)
    try:
        consumer.assign([TopicPartition(topic, p, start) for p, (start, _) in wanted.items()])
        records: list[Message] = []
        deadline = time.monotonic() + timeout_s
        while True:
            positions = consumer.position([TopicPartition(topic, p) for p in wanted])
            if all(tp.offset >= wanted[tp.partition][1] for tp in positions):
                return records
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: did not reach {ends} in {timeout_s} s")
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                records.append(message)
    finally:
        consumer.close()
