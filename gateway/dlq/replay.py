"""`pedidos dlq list|replay` and `POST /api/dlq/replay` share this: read, select, plan, write.

Safe to run twice at two levels:
- the tool: every replayed original is recorded in ``dlq.replays`` in the same Kafka transaction as its copy,
  so a later run skips it ("already replayed"); a copy that failed again comes back as a new dead letter
  marked ``dlq.replay.from`` and is skipped too unless forced (replaying it unchanged fails the same way);
- the processors: effects are keyed by event id, so a copy of an event that already took effect changes
  nothing (processors/runtime/inbox.py for payment, inventory and notification; the saga's facts).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.dlq.kafka_io import (
    DlqError,
    ReplayWriter,
    kafka_errors,
    partition_counts,
    read_dead_letters,
    read_ledger,
)
from gateway.dlq.model import (
    Action,
    DeadLetter,
    LedgerEntry,
    Place,
    Planned,
    ReplayReport,
    Selection,
    plan,
    replay_headers,
)
from processors.deployment import INPUT_TOPICS
from processors.events import EVENT_TYPES
from processors.runtime.serde import AvroCodec, PoisonPill
from processors.settings import Settings

# Where a replay may write: the topics some processor consumes (a copy elsewhere would reach nobody).
REPLAYABLE_TOPICS = tuple(sorted({t for topics in INPUT_TOPICS.values() for t in topics}))

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class Listed:
    letter: DeadLetter
    replayed: LedgerEntry | None


def list_dead_letters(settings: Settings, selection: Selection, progress: Progress = _quiet) -> list[Listed]:
    progress("lendo as DLQs e o registro de replays / reading the DLQs and the replay ledger...")
    with kafka_errors():
        letters = [x for x in read_dead_letters(settings.bootstrap_servers) if selection.matches(x)]
        ledger = read_ledger(settings.bootstrap_servers)
    progress(f"{len(letters)} dead letters selecionados / selected")
    return [Listed(x, ledger.get(x.origin.id) if x.origin else None) for x in letters]


def still_invalid(codec: AvroCodec) -> Callable[[DeadLetter, Place], str | None]:
    """Why a dead letter's bytes would be dead-lettered again by the decoder, or None if they decode now."""

    def check(letter: DeadLetter, origin: Place) -> str | None:
        try:
            event = codec.decode(origin.topic, letter.value)
        except PoisonPill as pill:
            return f"{pill.reason}: {pill.detail[:120]}"
        except Exception as error:  # the registry is away: no verdict is possible, stop the run
            raise DlqError(f"registry indisponível / registry unavailable: {error}") from error
        expected = EVENT_TYPES.get(origin.topic)
        if expected and event.get("event_type") != expected:
            return f"{event.get('event_type')} não é um evento de / is not an event of {origin.topic}"
        return None

    return check


def run_replay(
    settings: Settings,
    selection: Selection,
    dry_run: bool,
    force: bool = False,
    progress: Progress = _quiet,
    codec: AvroCodec | None = None,
) -> ReplayReport:
    """Replay the selected dead letters (or, with ``dry_run``, only say what would happen)."""
    with kafka_errors():
        return _replay(settings, selection, dry_run, force, progress, codec)


def _replay(
    settings: Settings,
    selection: Selection,
    dry_run: bool,
    force: bool,
    progress: Progress,
    codec: AvroCodec | None,
) -> ReplayReport:
    report = ReplayReport(uuid.uuid4().hex, dry_run, force, selection)
    progress("lendo as DLQs / reading the DLQs...")
    letters = [x for x in read_dead_letters(settings.bootstrap_servers) if selection.matches(x)]
    progress(f"{len(letters)} dead letters selecionados / selected")
    # A real run fences any other run first, and only then reads the ledger: see ReplayWriter.
    writer = (
        None if dry_run or not letters else ReplayWriter(settings.bootstrap_servers, settings.kafka_brokers)
    )
    ledger = read_ledger(settings.bootstrap_servers)
    partitions = partition_counts(settings.bootstrap_servers, REPLAYABLE_TOPICS)
    checker = still_invalid(codec or AvroCodec(settings.registry_url))
    report.planned = plan(letters, set(ledger), checker, partitions, force)
    todo = _originals(report.planned)
    progress(f"{len(todo)} originais a reenviar / originals to replay" + (" (simulação / dry run)" * dry_run))
    if writer is None or not todo:
        return report
    now = datetime.now(UTC)
    records = [
        (origin, letter.key or None, letter.value, replay_headers(letter, origin, report.replay_id, now))
        for origin, (letter, _covered) in todo.items()
    ]

    def entries(copies: dict[str, Place]) -> list[LedgerEntry]:
        return [
            LedgerEntry(origin, copies.get(origin.id), report.replay_id, now.isoformat(), covered, force)
            for origin, (_letter, covered) in todo.items()
        ]

    last = [0.0]

    def tick(done: int, total: int) -> None:
        if done == total or time.monotonic() - last[0] > 1:
            last[0] = time.monotonic()
            progress(f"  reenviados / replayed {done}/{total}")

    copies = writer.write(records, entries, tick)
    report.published = len(copies)
    report.copies = {origin: place.id for origin, place in copies.items()}
    progress(f"transação confirmada / transaction committed: {len(copies)} registros / records")
    return report


def _originals(planned: list[Planned]) -> dict[Place, tuple[DeadLetter, tuple[str, ...]]]:
    """Each original to replay once: the first dead letter holding it, and every selected one it covers."""
    todo: dict[Place, tuple[DeadLetter, tuple[str, ...]]] = {}
    for p in planned:
        if p.action is Action.REPLAY and p.letter.origin is not None:
            first, covered = todo.get(p.letter.origin, (p.letter, ()))
            todo[p.letter.origin] = (first, (*covered, p.letter.id))
    return todo
