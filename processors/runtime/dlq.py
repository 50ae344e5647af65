"""Dead letters: the original bytes, untouched, with headers saying where they came from and why."""

from __future__ import annotations

from datetime import UTC, datetime

from confluent_kafka import Message


def dead_letter_headers(
    message: Message, processor: str, reason: str, detail: str
) -> list[tuple[str, bytes]]:
    headers = [
        ("dlq.reason", reason),
        ("dlq.detail", detail[:500]),
        ("dlq.processor", processor),
        ("dlq.origin.topic", message.topic() or ""),
        ("dlq.origin.partition", str(message.partition())),
        ("dlq.origin.offset", str(message.offset())),
        ("dlq.failed_at", datetime.now(UTC).isoformat()),
        ("dlq.attempt", "1"),
    ]
    original = [(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in (message.headers() or [])]
    return [(k, v.encode()) for k, v in headers] + original
