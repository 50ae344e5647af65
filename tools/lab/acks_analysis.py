"""What the acks lab counts, from what the producer was told and what the log holds: pure, no Kafka.

The producer numbers its records 0..sent-1 (the number is the key). Each gets at most one delivery report
(acknowledged or failed); reading the whole partition afterwards says which numbers survived, how often, and
in which order. P16 in docs/audit.md §3 defines the three anomalies counted here.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Delivery:
    """One delivery report: ``ok`` is what librdkafka said; ``at_s`` is when, from the start of producing."""

    ok: bool
    at_s: float
    error: str | None = None


@dataclass(frozen=True)
class AcksCounts:
    sent: int  # records handed to the producer
    acked: int  # delivery report without error (with acks=0: "left the client", nothing more)
    failed: int  # delivery report with an error (e.g. message timed out)
    no_report: int  # no report at all: the producer was closed before it could say (should stay 0)
    records_in_log: int  # every record read from the partition, copies included
    distinct_in_log: int
    acked_lost: int  # acknowledged, then absent from the log
    duplicates: int  # extra copies: a number present 3 times counts 2
    unacked_present: int  # in the log although its report was a failure (or missing)
    out_of_order: int  # first copies that appear after a higher number: a retry overtook a later batch
    foreign: int  # records whose key is not one of our numbers (should stay 0)
    longest_ack_gap_s: float  # longest stretch without any successful report: what the producer felt
    lost_examples: tuple[int, ...] = ()
    duplicate_examples: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["lost_examples"] = list(self.lost_examples)
        data["duplicate_examples"] = list(self.duplicate_examples)
        return data


def count(
    sent: int, deliveries: Mapping[int, Delivery], log: Sequence[int], examples: int = 10
) -> AcksCounts:
    """``deliveries`` maps a record number to its report; ``log`` is the partition's keys in offset order."""
    ours = [n for n in log if 0 <= n < sent]
    copies = Counter(ours)
    acked = {n for n, d in deliveries.items() if d.ok and 0 <= n < sent}
    failed = {n for n, d in deliveries.items() if not d.ok and 0 <= n < sent}
    lost = sorted(acked - copies.keys())
    duplicated = sorted(n for n, c in copies.items() if c > 1)
    return AcksCounts(
        sent=sent,
        acked=len(acked),
        failed=len(failed),
        no_report=sent - len(acked) - len(failed),
        records_in_log=len(log),
        distinct_in_log=len(copies),
        acked_lost=len(lost),
        duplicates=sum(c - 1 for c in copies.values()),
        unacked_present=len(copies.keys() - acked),
        out_of_order=_out_of_order(ours),
        foreign=len(log) - len(ours),
        longest_ack_gap_s=_longest_gap(sorted(d.at_s for d in deliveries.values() if d.ok)),
        lost_examples=tuple(lost[:examples]),
        duplicate_examples=tuple(duplicated[:examples]),
    )


def _out_of_order(log: Sequence[int]) -> int:
    seen: set[int] = set()
    highest, inversions = -1, 0
    for n in log:
        if n in seen:
            continue  # a later copy of a number is a duplicate, counted as such
        seen.add(n)
        if n < highest:
            inversions += 1
        highest = max(highest, n)
    return inversions


def _longest_gap(times: Sequence[float]) -> float:
    if len(times) < 2:
        return 0.0
    return max(b - a for a, b in itertools.pairwise(times))
