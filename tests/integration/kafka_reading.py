"""Read a topic to its end with a deadline, never with a sleep: the end is the high watermark."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, Message, TopicPartition


def read_to_end(
    bootstrap: str, topic: str, isolation: str = "read_committed", timeout_s: float = 30
) -> list[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-reader-{uuid.uuid4().hex[:8]}",
            "isolation.level": isolation,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        assignment = [TopicPartition(topic, p, 0) for p in partitions]
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions
        }
        consumer.assign(assignment)
        records: list[Message] = []
        deadline = time.monotonic() + timeout_s
        while not _reached(consumer, topic, ends):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: did not reach the end offsets {ends} in {timeout_s} s")
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                records.append(message)
        return records
    finally:
        consumer.close()


def _reached(consumer: Consumer, topic: str, ends: dict[int, int]) -> bool:
    positions = consumer.position([TopicPartition(topic, p) for p in ends])
    return all(ends[tp.partition] == 0 or tp.offset >= ends[tp.partition] for tp in positions)
