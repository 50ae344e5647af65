"""Where a record goes when its handler keeps failing: in place, 5 s later, 30 s later, then the DLQ.

A transient failure (database or registry away, a timeout) is first retried in place, a few times within a
short budget. If it still fails, the record is written - inside the same transaction that commits its input
offset - to `<service>.retry.5s`, then on its next failure to `<service>.retry.30s`, and after that to
`<service>.dlq`. The processor consumes its own retry topics and holds each one's head record back until it is
due (its timestamp + the topic's delay), pausing only that partition, so nothing else waits.

A permanent failure (invalid business data) skips the retries: retrying cannot make it valid.

This module decides, without touching Kafka; holds.py pauses the retry partitions on the loop's consumer
and the loop's failure routing (routing.py) does the producing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from processors.runtime.handler import PermanentError

# Delays of the retry topics, in the order a failing record visits them (the topic names carry them too).
RETRY_DELAYS_S: tuple[int, ...] = (5, 30)

ATTEMPT = "retry.attempt"
FIRST_FAILED_AT = "retry.first_failed_at"
ERROR_CLASS = "retry.error_class"
ERROR = "retry.error"
ORIGIN_TOPIC = "retry.origin.topic"
ORIGIN_PARTITION = "retry.origin.partition"
ORIGIN_OFFSET = "retry.origin.offset"
RETRY_HEADERS = (ATTEMPT, FIRST_FAILED_AT, ERROR_CLASS, ERROR, ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET)


def service_of(dlq_topic: str) -> str:
    """`payments.dlq` -> `payments`: the retry topics share the DLQ's prefix (processors/topics.py)."""
    return dlq_topic.removesuffix(".dlq")


def retry_topics(dlq_topic: str) -> tuple[str, ...]:
    service = service_of(dlq_topic)
    return tuple(f"{service}.retry.{delay}s" for delay in RETRY_DELAYS_S)


def delay_of(topic: str) -> float | None:
    """The delay a retry topic imposes, or None for any other topic."""
    prefix, _, suffix = topic.rpartition(".retry.")
    if not prefix or not suffix.endswith("s") or not suffix[:-1].isdigit():
        return None
    return float(suffix[:-1])


def is_permanent(error: BaseException) -> bool:
    return isinstance(error, PermanentError)


@dataclass(frozen=True)
class Failure:
    """A record that failed: where it first came from and how many times it has failed so far."""

    origin_topic: str
    origin_partition: int
    origin_offset: int
    attempt: int  # failures so far, counting this one
    first_failed_at_ms: int
    error_class: str
    error: str

    @classmethod
    def first_or_next(
        cls,
        topic: str,
        partition: int,
        offset: int,
        headers: dict[str, str],
        error: BaseException,
        now_ms: int,
    ) -> Failure:
        """A new failure of a record read from `topic`; a record read from a retry topic keeps its origin."""
        if ATTEMPT in headers and delay_of(topic) is not None:
            return cls(
                headers[ORIGIN_TOPIC],
                int(headers[ORIGIN_PARTITION]),
                int(headers[ORIGIN_OFFSET]),
                int(headers[ATTEMPT]) + 1,
                int(headers[FIRST_FAILED_AT]),
                type(error).__name__,
                str(error)[:500],
            )
        return cls(topic, partition, offset, 1, now_ms, type(error).__name__, str(error)[:500])

    def destination(self, dlq_topic: str, permanent: bool) -> str:
        """The next retry topic, or the DLQ once the retries are spent (or pointless)."""
        stages = retry_topics(dlq_topic)
        if permanent or self.attempt > len(stages):
            return dlq_topic
        return stages[self.attempt - 1]

    def headers(self) -> dict[str, str]:
        return {
            ATTEMPT: str(self.attempt),
            FIRST_FAILED_AT: str(self.first_failed_at_ms),
            ERROR_CLASS: self.error_class,
            ERROR: self.error,
            ORIGIN_TOPIC: self.origin_topic,
            ORIGIN_PARTITION: str(self.origin_partition),
            ORIGIN_OFFSET: str(self.origin_offset),
        }


def due_at_ms(topic: str, timestamp_ms: int) -> int:
    """When a record of a retry topic may be processed: its write time plus the topic's delay."""
    delay = delay_of(topic)
    return timestamp_ms if delay is None else timestamp_ms + int(delay * 1000)


def now_ms() -> int:
    return int(time.time() * 1000)
