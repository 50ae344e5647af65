"""Retry partitions held back until their head record is due (retry.py decides when), on the consumer."""

from __future__ import annotations

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, Message, TopicPartition

from processors.runtime.retry import due_at_ms, now_ms


class RetryHolds:
    """Retry partitions paused until their head record is due, each on its own: everything else flows."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        self.held: dict[tuple[str, int], int] = {}  # paused partition -> when its head is due (epoch ms)

    def holding(self, message: Message) -> bool:
        """True when ``message`` must wait: its partition is then paused and rewound to it."""
        key = (message.topic(), message.partition())
        if key in self.held:
            return True  # fetched behind a held head: read again after the resume
        kind, timestamp = message.timestamp()
        if kind == TIMESTAMP_NOT_AVAILABLE:
            return False
        due = due_at_ms(message.topic(), timestamp)
        if due <= now_ms():
            return False
        head = TopicPartition(message.topic(), message.partition(), message.offset())
        self.consumer.pause([head])
        self.consumer.seek(head)
        self.held[key] = due
        return True

    def release_due(self) -> None:
        if not self.held:
            return
        now = now_ms()
        due = [key for key, at in self.held.items() if at <= now]
        if due:
            self.consumer.resume([TopicPartition(t, p) for t, p in due])
            for key in due:
                del self.held[key]

    def wait_s(self, wait: float) -> float:
        """``wait``, shortened so that the next consume() wakes up when the next held record is due."""
        if not self.held:
            return wait
        return min(wait, max(0.0, (min(self.held.values()) - now_ms()) / 1000))

    def forget(self, partitions: list[tuple[str, int]]) -> None:
        # A revoked partition leaves paused; whoever gets it next reads its head again and holds it anew.
        for key in partitions:
            self.held.pop(key, None)
