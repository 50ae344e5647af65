"""The newest dead letters (API.md `/api/dlq`): the `*.dlq` topics read back, their `dlq.*` headers decoded.

processors/runtime/dlq.py writes them: the original bytes untouched, the reason and origin in headers.
"""

from __future__ import annotations

from typing import Any

from confluent_kafka import Message
from confluent_kafka.admin import AdminClient

from gateway.telemetry.cluster import DLQ_TOPICS, partition_offsets
from gateway.telemetry.xray import read_ranges, text

MAX_LIMIT = 1000


def read_dead_letters(bootstrap_servers: str, limit: int = 100) -> list[dict[str, Any]]:
    """The last ``limit`` committed records across the DLQ topics, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit deve estar entre / must be between 1 and {MAX_LIMIT}, not {limit}")
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    errors: list[str] = []
    offsets = partition_offsets(admin, DLQ_TOPICS, errors)
    if not offsets and errors:
        raise RuntimeError(f"DLQ indisponível / unavailable: {errors}")
    # Dead letters are written in transactions, so markers (and aborted writes) share the offsets: a window
    # of 2 x limit offsets usually holds `limit` records; a partition that came up short is read wider.
    span = 2 * limit
    messages: dict[tuple[str, int], list[Message]] = {}
    todo = set(offsets)
    while todo:
        # read_committed ends at the LSO: past it the records belong to transactions still open.
        ranges = {tp: (max(low, lso - span), lso) for tp, (low, _high, lso) in offsets.items() if tp in todo}
        for tp in todo:
            messages[tp] = []
        for message in read_ranges(bootstrap_servers, ranges, "read_committed"):
            messages[(message.topic() or "", message.partition() or 0)].append(message)
        todo = {tp for tp in todo if len(messages[tp]) < limit and ranges[tp][0] > offsets[tp][0]}
        span *= 4
    newest = sorted(
        (m for found in messages.values() for m in found),
        key=lambda m: (m.timestamp()[1], m.offset()),
        reverse=True,
    )
    return [dead_letter(m) for m in newest[:limit]]


def dead_letter(message: Message) -> dict[str, Any]:
    headers: dict[str, str | None] = {}
    for name, value in message.headers() or []:
        # The first wins: the original record's own headers follow, and may hold older dlq.* ones.
        if name.startswith("dlq."):
            headers.setdefault(name, text(value))
    return {
        "topic": message.topic(),
        "partition": message.partition(),
        "offset": message.offset(),
        "order_id": text(message.key()),
        "reason": headers.get("dlq.reason"),
        "detail": headers.get("dlq.detail"),
        "processor": headers.get("dlq.processor"),
        "origin": {
            "topic": headers.get("dlq.origin.topic"),
            "partition": _int(headers.get("dlq.origin.partition")),
            "offset": _int(headers.get("dlq.origin.offset")),
        },
        "timestamp": message.timestamp()[1],
    }


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
