"""The newest dead letters (API.md `/api/dlq`): the `*.dlq` topics read back, their `dlq.*` headers decoded;
and their replay (`POST /api/dlq/replay`), the very code of `pedidos dlq replay` (gateway/dlq/replay.py).

processors/runtime/dlq.py writes them: the original bytes untouched, the reason and origin in headers.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from confluent_kafka import Message
from confluent_kafka.admin import AdminClient

from gateway.dlq.kafka_io import DlqError, read_ledger
from gateway.dlq.model import REPLAY_FROM, LedgerEntry, Selection
from gateway.dlq.replay import run_replay
from gateway.telemetry.cluster import DLQ_TOPICS, partition_offsets
from gateway.telemetry.xray import read_ranges, text
from processors.settings import Settings

MAX_LIMIT = 1000
log = logging.getLogger("pedidos.gateway.dlq")
# One replay at a time per gateway process; across processes the replay's transactional.id fences the older.
_replaying = threading.Lock()


class ReplayBusy(RuntimeError):
    """Another replay is running in this gateway."""


def replay_dead_letters(
    settings: Settings, reason: str | None, topic: str | None, dry_run: bool
) -> dict[str, Any]:
    """`pedidos dlq replay [--reason R] [--topic T] [--dry-run]`, answered as its report's JSON."""
    if not _replaying.acquire(blocking=False):
        raise ReplayBusy("um replay já está em andamento / a replay is already running")
    try:
        selection = Selection(
            frozenset([reason] if reason else []), frozenset([topic] if topic else []), frozenset()
        )
        report = run_replay(settings, selection, dry_run, progress=lambda m: log.info("dlq replay: %s", m))
        return report.as_dict()
    finally:
        _replaying.release()


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
    try:
        ledger = read_ledger(bootstrap_servers)
    except DlqError as error:  # the list still has value without the replay marks
        log.warning("replay ledger unreadable: %s", error)
        ledger = {}
    return [dead_letter(m, ledger) for m in newest[:limit]]


def dead_letter(message: Message, ledger: dict[str, LedgerEntry] | None = None) -> dict[str, Any]:
    headers: dict[str, str | None] = {}
    for name, value in message.headers() or []:
        # The first wins: the original record's own headers follow, and may hold older dlq.* ones.
        if name.startswith("dlq."):
            headers.setdefault(name, text(value))
    origin = {
        "topic": headers.get("dlq.origin.topic"),
        "partition": _int(headers.get("dlq.origin.partition")),
        "offset": _int(headers.get("dlq.origin.offset")),
    }
    entry = (ledger or {}).get(f"{origin['topic']}/{origin['partition']}/{origin['offset']}")
    return {
        "topic": message.topic(),
        "partition": message.partition(),
        "offset": message.offset(),
        "order_id": text(message.key()),
        "reason": headers.get("dlq.reason"),
        "detail": headers.get("dlq.detail"),
        "processor": headers.get("dlq.processor"),
        "origin": origin,
        "timestamp": message.timestamp()[1],
        # This dead letter is a replayed copy that failed again: the dead letter it was replayed from.
        "replay_of": headers.get(REPLAY_FROM),
        "replayed": None if entry is None else entry.summary(),
    }


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
