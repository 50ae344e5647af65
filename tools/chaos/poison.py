"""The three poison pills of `pedidos chaos poison`, and where each must end up (no Kafka here).

Every pill carries ``POISON_MARKER``, so whoever reads a DLQ can tell a drill's pill from a real one. A pill
in an input topic must reach, exactly once, the dead-letter topic of every processor that consumes that
topic, with the reason the runtime gives that kind of record.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

POISON_MARKER = b"pedidos-chaos-poison"
KINDS = ("garbage", "unknown-schema-id", "incompatible")
EXPECTED_REASON = {
    "garbage": "not-avro",
    "unknown-schema-id": "unknown-schema-id",
    "incompatible": "undecodable",
}
# Far above any id a registry issues for this project's handful of schemas.
UNKNOWN_SCHEMA_ID = 2_000_000_000
# An Avro long of -2**63 as the first field's length: no reader can read that many bytes.
UNREADABLE_BODY = b"\xff" * 9 + b"\x01"


def payload(kind: str, schema_id: int | None = None) -> bytes:
    """The bytes of one pill. `incompatible` needs the topic's real schema id: the framing is right, the
    body does not decode against that schema."""
    if kind == "garbage":
        return b"\x13\x37 " + POISON_MARKER + b" not avro at all"
    if kind == "unknown-schema-id":
        return b"\x00" + struct.pack(">I", UNKNOWN_SCHEMA_ID) + POISON_MARKER
    if kind == "incompatible":
        if schema_id is None:
            raise ValueError("incompatible poison needs the topic's schema id")
        return b"\x00" + struct.pack(">I", schema_id) + UNREADABLE_BODY + POISON_MARKER
    raise ValueError(f"unknown poison kind {kind!r}; choose one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Pill:
    kind: str
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    processor: str
    reason: str
    origin_topic: str
    origin_partition: int
    origin_offset: int


@dataclass(frozen=True)
class Expectation:
    pill: Pill
    processor: str
    dlq_topic: str
    found: int  # dead letters of this pill by this processor: exactly 1 is right
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.found == 1 and self.reasons == (EXPECTED_REASON[self.pill.kind],)


def expectations(
    pills: Sequence[Pill],
    letters: Iterable[DeadLetter],
    consumers: dict[str, tuple[str, ...]],
    dlq_of: dict[str, str],
) -> list[Expectation]:
    """For every pill and every processor consuming its topic: what reached that processor's DLQ."""
    letters = list(letters)
    result = []
    for pill in pills:
        for processor in consumers.get(pill.topic, ()):
            mine = [
                d
                for d in letters
                if d.dlq_topic == dlq_of[processor]
                and (d.origin_topic, d.origin_partition, d.origin_offset)
                == (pill.topic, pill.partition, pill.offset)
            ]
            result.append(
                Expectation(pill, processor, dlq_of[processor], len(mine), tuple(d.reason for d in mine))
            )
    return result
