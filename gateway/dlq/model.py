"""Dead letters and their replay as plain data: what a DLQ record says, which to replay, what a run did.

No Kafka or database here (gateway/dlq/kafka_io.py reads and writes); everything below is unit-tested.

A dead letter (processors/runtime/dlq.py) is the original record's bytes, untouched, with ``dlq.*`` headers in
front of the original headers. A replay re-publishes those bytes and original headers to the origin topic and
partition, plus ``dlq.replay.*`` headers, so the owning processor sees it again through its normal path.
One original may sit in several DLQs (a poison pill in orders.new is dead-lettered by payment AND by the
orchestrator): it is replayed once, and the ledger (topic ``dlq.replays``) is keyed by the original's place.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

REASON = "dlq.reason"
DETAIL = "dlq.detail"
PROCESSOR = "dlq.processor"
ORIGIN_TOPIC = "dlq.origin.topic"
ORIGIN_PARTITION = "dlq.origin.partition"
ORIGIN_OFFSET = "dlq.origin.offset"
FAILED_AT = "dlq.failed_at"
ATTEMPT = "dlq.attempt"
RUNTIME_HEADERS = (
    REASON,
    DETAIL,
    PROCESSOR,
    ORIGIN_TOPIC,
    ORIGIN_PARTITION,
    ORIGIN_OFFSET,
    FAILED_AT,
    ATTEMPT,
)

REPLAY_PREFIX = "dlq.replay."
REPLAY_FROM = "dlq.replay.from"  # the dead letter replayed: "<dlq topic>/<partition>/<offset>"
REPLAY_ORIGIN = "dlq.replay.origin"  # the original's place: "<topic>/<partition>/<offset>"
REPLAY_ID = "dlq.replay.id"  # one id per replay run
REPLAY_AT = "dlq.replay.at"
# Bookkeeping of other stages that must not travel back with the original: the retry stages' headers and the
# consumed-at stamp the runtime puts on every output (a replayed record is consumed anew).
DROPPED_PREFIXES = ("retry.",)
DROPPED_HEADERS = ("pedidos-consumed-at",)

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, order=True)
class Place:
    """Where a record sits in the log."""

    topic: str
    partition: int
    offset: int

    @property
    def id(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"


@dataclass(frozen=True)
class DeadLetter:
    place: Place  # in the DLQ topic
    key: bytes | None
    value: bytes
    headers: Headers
    timestamp_ms: int

    def header(self, name: str) -> str | None:
        """The first header of that name: the runtime writes its own before the original's (which may hold
        older ``dlq.*`` ones, from a dead letter that was replayed and failed again)."""
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def id(self) -> str:
        return self.place.id

    @property
    def reason(self) -> str:
        return self.header(REASON) or "?"

    @property
    def detail(self) -> str:
        return self.header(DETAIL) or ""

    @property
    def processor(self) -> str:
        return self.header(PROCESSOR) or "?"

    @property
    def order_id(self) -> str | None:
        return self.key.decode(errors="replace") if self.key else None

    @property
    def origin(self) -> Place | None:
        """The original's place; a record that went through the retry topics points at where it came from."""
        topic = self.header(ORIGIN_TOPIC)
        names = (ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET)
        if topic and ".retry." in topic and self.header("retry.origin.topic"):
            names = ("retry.origin.topic", "retry.origin.partition", "retry.origin.offset")
        topic, partition, offset = (self.header(n) for n in names)
        if not topic or partition is None or offset is None:
            return None
        try:
            return Place(topic, int(partition), int(offset))
        except ValueError:
            return None

    @property
    def replay_of(self) -> str | None:
        """Set when this dead letter is a replayed copy that failed again: the dead letter it came from."""
        return self.header(REPLAY_FROM)

    def age_s(self, now_ms: int) -> float:
        return max(0.0, (now_ms - self.timestamp_ms) / 1000)


def original_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """The headers the original carried: without the runtime's dead-letter headers (their first occurrence),
    earlier replay headers, retry bookkeeping and the consumed-at stamp."""
    seen: set[str] = set()
    kept = []
    for name, value in letter.headers:
        if name in RUNTIME_HEADERS and name not in seen:
            seen.add(name)
            continue
        if name.startswith(REPLAY_PREFIX) or name.startswith(DROPPED_PREFIXES) or name in DROPPED_HEADERS:
            continue
        kept.append((name, value))
    return kept


def replay_headers(
    letter: DeadLetter, origin: Place, replay_id: str, at: datetime
) -> list[tuple[str, bytes]]:
    return [
        *original_headers(letter),
        (REPLAY_FROM, letter.id.encode()),
        (REPLAY_ORIGIN, origin.id.encode()),
        (REPLAY_ID, replay_id.encode()),
        (REPLAY_AT, at.isoformat().encode()),
    ]


@dataclass(frozen=True)
class Selection:
    """Which dead letters: by reason, by topic (the DLQ's or the origin's), by order id. Empty: all."""

    reasons: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    orders: frozenset[str] = frozenset()

    def matches(self, letter: DeadLetter) -> bool:
        origin = letter.origin
        topics = {letter.place.topic, origin.topic if origin else ""}
        return (
            (not self.reasons or letter.reason in self.reasons)
            and (not self.topics or bool(topics & self.topics))
            and (not self.orders or letter.order_id in self.orders)
        )

    def as_dict(self) -> dict[str, list[str]]:
        return {"reasons": sorted(self.reasons), "topics": sorted(self.topics), "orders": sorted(self.orders)}


class Action(enum.Enum):
    REPLAY = "replay"
    ALREADY = "already-replayed"
    INVALID = "still-invalid"
    FAILED_AGAIN = "failed-again"
    NO_ORIGIN = "no-origin"


# What each action means, pt-BR first: the report's column titles and the notes of skipped records.
ACTION_TEXT = {
    Action.REPLAY: "reenviado / replayed",
    Action.ALREADY: "já reenviado / already replayed",
    Action.INVALID: "ainda inválido / still invalid",
    Action.FAILED_AGAIN: "falhou de novo após replay / failed again after a replay",
    Action.NO_ORIGIN: "sem origem reenviável / no origin to replay to",
}


ACTION_SHORT = {
    Action.REPLAY: "reenviados / replayed",
    Action.ALREADY: "já reenviados / already",
    Action.INVALID: "inválidos / invalid",
    Action.FAILED_AGAIN: "falharam de novo / failed again",
    Action.NO_ORIGIN: "sem origem / no origin",
}


@dataclass(frozen=True)
class Planned:
    letter: DeadLetter
    action: Action
    note: str = ""  # why it is skipped (the decoder's complaint, the missing origin)


def plan(
    letters: Iterable[DeadLetter],
    replayed: set[str],
    invalid: Callable[[DeadLetter, Place], str | None],
    partitions: dict[str, int],
    force: bool = False,
) -> list[Planned]:
    """Decide each dead letter's fate, in log order.

    ``replayed``: ids of originals the ledger says were replayed (never replayed twice, even with ``force``);
    ``invalid(letter, origin)``: why its bytes still cannot be decoded for the origin topic, or None;
    ``partitions``: the topics a replay may write to (those the processors consume), with their partitions;
    ``force``: replay still-invalid records and replays that failed again too.
    """
    planned: list[Planned] = []
    in_this_run: set[str] = set()
    for letter in sorted(letters, key=lambda x: x.place):
        origin = letter.origin
        if origin is None or not 0 <= origin.partition < partitions.get(origin.topic, 0):
            where = origin.id if origin else "-"
            planned.append(Planned(letter, Action.NO_ORIGIN, f"origem / origin: {where}"))
        elif origin.id in replayed or origin.id in in_this_run:
            planned.append(Planned(letter, Action.ALREADY, origin.id))
        elif letter.replay_of and not force:
            planned.append(Planned(letter, Action.FAILED_AGAIN, f"replay de / of {letter.replay_of}"))
        elif not force and (problem := invalid(letter, origin)):
            planned.append(Planned(letter, Action.INVALID, problem))
        else:
            in_this_run.add(origin.id)
            planned.append(Planned(letter, Action.REPLAY, origin.id))
    # Dead letters sharing an original that this run replays count as replayed with it, not as skipped.
    return [
        Planned(p.letter, Action.REPLAY, p.note)
        if p.action is Action.ALREADY and p.note in in_this_run and p.note not in replayed
        else p
        for p in planned
    ]


@dataclass(frozen=True)
class LedgerEntry:
    """One replayed original, as the ledger topic keeps it (key: the original's place id)."""

    origin: Place
    copy: Place | None  # where the replayed copy landed
    replay_id: str
    replayed_at: str
    dead_letters: tuple[str, ...]
    forced: bool = False

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "origin": self.origin.id,
                "copy": self.copy.id if self.copy else None,
                "replay_id": self.replay_id,
                "replayed_at": self.replayed_at,
                "dead_letters": list(self.dead_letters),
                "forced": self.forced,
            }
        ).encode()

    def summary(self) -> dict[str, str | None]:
        """What the list (CLI and dashboard) says about a replayed dead letter."""
        return {
            "copy": self.copy.id if self.copy else None,
            "replay_id": self.replay_id,
            "replayed_at": self.replayed_at,
        }

    @classmethod
    def from_json(cls, value: bytes) -> LedgerEntry:
        body = json.loads(value)
        return cls(
            parse_place(body["origin"]),
            parse_place(body["copy"]) if body.get("copy") else None,
            body["replay_id"],
            body["replayed_at"],
            tuple(body.get("dead_letters", ())),
            bool(body.get("forced", False)),
        )


def parse_place(text: str) -> Place:
    """Inverse of Place.id; topic names never hold a '/' (Kafka allows only [a-zA-Z0-9._-])."""
    topic, partition, offset = text.rsplit("/", 2)
    return Place(topic, int(partition), int(offset))


@dataclass
class ReplayReport:
    """What a replay run did (or, dry, would do): per dead letter, then counted per reason and per action."""

    replay_id: str
    dry_run: bool
    forced: bool
    selection: Selection
    planned: list[Planned] = field(default_factory=list)
    published: int = 0  # originals written back (one may cover several dead letters)
    copies: dict[str, str] = field(default_factory=dict)  # original place id -> copy place id

    def counts(self) -> Counter[Action]:
        return Counter(p.action for p in self.planned)

    def by_reason(self) -> dict[str, Counter[Action]]:
        table: dict[str, Counter[Action]] = {}
        for p in self.planned:
            table.setdefault(p.letter.reason, Counter())[p.action] += 1
        return dict(sorted(table.items()))

    def as_dict(self) -> dict:
        counts = self.counts()
        return {
            "replay_id": self.replay_id,
            "dry_run": self.dry_run,
            "forced": self.forced,
            "selection": self.selection.as_dict(),
            "selected": len(self.planned),
            "published": self.published,
            "counts": {a.value: counts[a] for a in Action},
            "by_reason": {r: {a.value: c[a] for a in Action} for r, c in self.by_reason().items()},
            "records": [
                {
                    "dead_letter": p.letter.id,
                    "order_id": p.letter.order_id,
                    "reason": p.letter.reason,
                    "origin": p.letter.origin.id if p.letter.origin else None,
                    "action": p.action.value,
                    "note": p.note,
                    "copy": self.copies.get(p.note) if p.action is Action.REPLAY else None,
                }
                for p in self.planned
            ],
        }


def reason_rows(report: ReplayReport) -> list[list[str | int]]:
    """One row per reason, one column per action, and a total row."""
    rows: list[list[str | int]] = [
        [reason, *(counts[a] for a in Action)] for reason, counts in report.by_reason().items()
    ]
    total = report.counts()
    rows.append(["total", *(total[a] for a in Action)])
    return rows


def counts_by_reason(letters: Sequence[DeadLetter]) -> dict[str, int]:
    return dict(Counter(x.reason for x in letters).most_common())


def format_age(seconds: float) -> str:
    """Compact age: 42s, 7m, 3h, 2d."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
