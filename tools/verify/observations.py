"""What the audit saw, as plain data: gathered by snapshot.py (Kafka, PostgreSQL), judged by properties.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from processors.deployment import INPUT_TOPICS

GROUP_INPUTS = INPUT_TOPICS  # the topics each processor group consumes, as the topic table declares them


@dataclass(frozen=True)
class Seen:
    topic: str
    partition: int
    offset: int
    event: dict[str, Any]


@dataclass
class Snapshot:
    events: dict[str, list[Seen]] = field(default_factory=dict)  # read_committed, per topic
    undecodable: Counter[str] = field(default_factory=Counter)  # per topic
    aborted_seen: Counter[str] = field(default_factory=Counter)  # records only read_uncommitted saw
    lag: dict[str, int] = field(default_factory=dict)  # group -> input records past its committed offsets
    committed: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)  # group -> next offsets
    accepted_orders: set[str] = field(default_factory=set)  # acknowledged by the gateway
    stock: list[tuple[str, int, int, int]] = field(
        default_factory=list
    )  # product, available, reserved, by res.
    reservations: dict[str, str] = field(default_factory=dict)  # order_id -> status
    notifications: Counter[str] = field(default_factory=Counter)  # order_id -> rows
    poison: list[tuple[str, int, int]] = field(default_factory=list)  # where the undecodable records are
    dead_lettered: set[tuple[str, int, int]] = field(default_factory=set)  # origins the DLQs hold
    replay_copies: int = 0  # DLQ replays folded into the event they copy (`pedidos dlq replay`)
