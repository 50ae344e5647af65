"""Dead letters: the original bytes, untouched, with headers saying where they came from and why."""

from __future__ import annotations

from datetime import UTC, datetime

from confluent_kafka import Message

from processors.runtime.retry import Failure


def dead_letter_headers(
    message: Message, processor: str, reason: str, detail: str, failure: Failure | None = None
) -> list[tuple[str, bytes]]:
    """With ``failure`` (a record back from the retry topics), the origin is where it first came from."""
    headers = [
        ("dlq.reason", reason),
        ("dlq.detail", detail[:500]),
        ("dlq.processor", processor),
        ("dlq.origin.topic", failure.origin_topic if failure else message.topic() or ""),
        ("dlq.origin.partition", str(failure.origin_partition if failure else message.partition())),
        ("dlq.origin.offset", str(failure.origin_offset if failure else message.offset())),
        ("dlq.failed_at", datetime.now(UTC).isoformat()),
        ("dlq.attempt", str(failure.attempt if failure else 1)),
    ]
    original = [(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in (message.headers() or [])]
    return [(k, v.encode()) for k, v in headers] + original
