"""X-ray of one partition (API.md `/api/xray`): the same offsets read twice, committed and uncommitted.

What one reader returns and the other does not is the transaction story: aborted writes, writes of still open
transactions, and the commit/abort markers that occupy offsets but are returned to no application.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient

from gateway.telemetry.cluster import TIMEOUT_S, partition_offsets

DEADLINE_S = 5.0
MAX_LIMIT = 1000
CONSUME_BATCH = 1000


class NotFound(ValueError):
    """An unknown topic or partition (HTTP 404); a plain ValueError is a malformed request (HTTP 400)."""


class IncompleteRead(RuntimeError):
    """A reader asked for every record of its ranges could not return them all (deadline, fatal error)."""


def read_ranges(
    bootstrap_servers: str,
    ranges: dict[tuple[str, int], tuple[int, int]],
    isolation: str,
    deadline_s: float = DEADLINE_S,
    *,
    group_prefix: str = "telemetry-xray",
    complete: bool = False,
) -> list[Message]:
    """Records of each partition in [start, end), by an assign()ed consumer that never commits.

    Stops when every position reached its end or at the deadline (an open transaction can hold a
    read_committed reader back: callers give it the LSO as end, so the deadline is only a safety net).
    With ``complete``, for callers that must not act on part of the records (the DLQ tools), the deadline
    and a fatal consumer error raise IncompleteRead instead.
    """
    pending = {tp: (start, end) for tp, (start, end) in ranges.items() if end > start}
    if not pending:
        return []
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": f"{group_prefix}-{uuid.uuid4().hex[:8]}",  # unique and unused: nothing is committed
            "enable.auto.commit": False,
            "isolation.level": isolation,
            # A start that retention removed meanwhile: read what is left rather than jump to the end.
            "auto.offset.reset": "earliest",
        }
    )
    records: list[Message] = []
    try:
        consumer.assign([TopicPartition(t, p, start) for (t, p), (start, _) in pending.items()])
        deadline = time.monotonic() + deadline_s
        while pending:
            if time.monotonic() > deadline:
                if complete:
                    raise IncompleteRead(
                        f"leitura incompleta após {deadline_s:.0f} s / incomplete read: {sorted(pending)}"
                    )
                break
            for message in consumer.consume(CONSUME_BATCH, timeout=0.2):
                error = message.error()
                if error is None:
                    if message.offset() < ranges[_key(message)][1]:
                        records.append(message)
                elif complete and error.fatal():
                    raise IncompleteRead(f"erro do consumidor / consumer error: {error}")
            # The position moves past aborted records and markers too, so it tells when a range is done.
            positions = consumer.position([TopicPartition(t, p) for t, p in pending])
            pending = {
                (tp.topic, tp.partition): pending[(tp.topic, tp.partition)]
                for tp in positions
                if tp.offset < pending[(tp.topic, tp.partition)][1]
            }
    finally:
        consumer.close()
    return records


def _key(message: Message) -> tuple[str, int]:
    return (message.topic() or "", message.partition() or 0)


def text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def partition_bounds(bootstrap_servers: str, topic: str, partition: int) -> tuple[int, int, int]:
    """(low, high, lso) of one partition; NotFound when the topic or the partition does not exist."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    metadata = admin.list_topics(timeout=TIMEOUT_S).topics
    if topic not in metadata or metadata[topic].error is not None:
        raise NotFound(f"tópico desconhecido / unknown topic: {topic!r}")
    if partition not in metadata[topic].partitions:
        count = len(metadata[topic].partitions)
        raise NotFound(f"{topic!r}: partição desconhecida / unknown partition {partition} (0..{count - 1})")
    errors: list[str] = []
    offsets = partition_offsets(admin, [topic], errors)
    if (topic, partition) not in offsets:
        raise RuntimeError(f"offsets de / of {topic}[{partition}] indisponíveis / unavailable: {errors}")
    return offsets[(topic, partition)]


def read_xray(bootstrap_servers: str, topic: str, partition: int, limit: int = 50) -> dict[str, Any]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit deve estar entre / must be between 1 and {MAX_LIMIT}, not {limit}")
    low, high, lso = partition_bounds(bootstrap_servers, topic, partition)
    start = max(low, high - limit)
    key = (topic, partition)
    with ThreadPoolExecutor(2) as pool:  # both readers in parallel, under one deadline
        # read_committed cannot pass the LSO: asking it for more would only wait out the deadline.
        reads = [
            pool.submit(read_ranges, bootstrap_servers, {key: (start, end)}, isolation)
            for end, isolation in ((min(high, lso), "read_committed"), (high, "read_uncommitted"))
        ]
        committed, uncommitted = ({m.offset(): m for m in read.result()} for read in reads)
    records = []
    for offset in sorted(committed.keys() | uncommitted.keys()):
        message = committed[offset] if offset in committed else uncommitted[offset]
        state = "committed" if offset in committed else "aborted" if offset < lso else "open"
        records.append(
            {
                "offset": offset,
                "key": text(message.key()),
                "timestamp": message.timestamp()[1],
                "committed": offset in committed,
                "state": state,
            }
        )
    # Offsets neither reader returned hold control records (on compacted topics also removed records).
    markers = [o for o in range(start, high) if o not in committed and o not in uncommitted]
    return {
        "topic": topic,
        "partition": partition,
        "low": low,
        "high": high,
        "lso": lso,
        "records": records,
        "markers": markers,
    }
