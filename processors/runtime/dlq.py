"""Dead letters: the original bytes, untouched, with headers saying where they came from and why.

One builder for every dead letter: the runtime's (a poison pill, a failing record) and a handler's own (the
saga parking an event it cannot apply), so the DLQ tools read one format.
"""

from __future__ import annotations

from datetime import UTC, datetime

from confluent_kafka import Message

from processors.runtime.retry import Failure


def dead_letter_fields(
    processor: str, reason: str, detail: str, origin: tuple[str, int, int] | None, attempt: int = 1
) -> dict[str, str]:
    """The ``dlq.*`` headers; ``origin`` (topic, partition, offset) is None for a letter no input caused."""
    fields = {"dlq.reason": reason, "dlq.detail": detail[:500], "dlq.processor": processor}
    if origin is not None:
        topic, partition, offset = origin
        fields |= {
            "dlq.origin.topic": topic,
            "dlq.origin.partition": str(partition),
            "dlq.origin.offset": str(offset),
        }
    return fields | {"dlq.failed_at": datetime.now(UTC).isoformat(), "dlq.attempt": str(attempt)}


def dead_letter_headers(
    message: Message, processor: str, reason: str, detail: str, failure: Failure | None = None
) -> list[tuple[str, bytes]]:
    """With ``failure`` (a record back from the retry topics), the origin is where it first came from."""
    origin = (
        (failure.origin_topic, failure.origin_partition, failure.origin_offset)
        if failure
        else (message.topic() or "", message.partition(), message.offset())
    )
    fields = dead_letter_fields(processor, reason, detail, origin, failure.attempt if failure else 1)
    original = [(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in (message.headers() or [])]
    return [(k, v.encode()) for k, v in fields.items()] + original
