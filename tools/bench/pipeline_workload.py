"""What `pedidos bench pipeline` pushes through its stage: an order-like Avro record of about 1 KiB and the
transform applied to it, the same function for our runtime and for Quix Streams; and how each stage times
itself (DrainMeasurements).

Standard library only: the Quix stage runs in its own virtualenv (its confluent-kafka pin differs from ours)
and loads this file by path, so the two stages cannot drift apart in what they compute or how they measure.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

# An OrderPlaced-like record with amounts in cents (no decimal logical type: the bench measures the
# pipeline, not Decimal arithmetic) and a note that brings the encoded value to about 1 KiB.
SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "BenchOrder",
    "namespace": "br.pedidos.bench",
    "doc": "Pedido de benchmark (~1 KiB) / benchmark order (~1 KiB): `pedidos bench pipeline`.",
    "fields": [
        {"name": "event_id", "type": "string"},
        {"name": "event_type", "type": "string"},
        {"name": "order_id", "type": "string"},
        {"name": "seq", "type": "long"},
        {"name": "created_at_ms", "type": "long", "doc": "= the input record's CreateTime"},
        {"name": "causation_id", "type": ["null", "string"], "default": None},
        {"name": "producer", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {
            "name": "items",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "BenchItem",
                    "fields": [
                        {"name": "product_id", "type": "string"},
                        {"name": "quantity", "type": "int"},
                        {"name": "unit_price_cents", "type": "long"},
                    ],
                },
            },
        },
        {"name": "total_cents", "type": "long", "doc": "0 on input; the stage prices the order"},
        {"name": "currency", "type": "string", "default": "BRL"},
        {"name": "note", "type": "string"},
    ],
}
# One serialisation of the schema for both stages: the registry looks schemas up by their text.
SCHEMA_JSON = json.dumps(SCHEMA)

PLACED, PRICED = "OrderPlaced", "OrderPriced"
STAGE_PRODUCER = "bench-pipeline"
NAMESPACE = uuid.UUID("0b6f3c9e-2d41-4f7a-9c51-7e0d2a8b4c13")
NOTE_CHARS = 900  # encoded value (5-byte registry header included) ~1 KiB; a unit test holds it there
_NOTE = ("Entregar na portaria; conferir os itens e o troco; cliente prefere contato por mensagem. " * 12)[
    :NOTE_CHARS
]


def order_id(seq: int) -> str:
    return f"o-{seq:09d}"


def seq_of(key: str) -> int:
    return int(key[2:])


def make_order(seq: int, created_at_ms: int) -> dict[str, Any]:
    """The seq-th input record, deterministic but for its creation time."""
    lines = 1 + seq % 3
    return {
        "event_id": str(uuid.uuid5(NAMESPACE, f"{seq}/{PLACED}")),
        "event_type": PLACED,
        "order_id": order_id(seq),
        "seq": seq,
        "created_at_ms": created_at_ms,
        "causation_id": None,
        "producer": "bench-prefill",
        "customer_id": f"c-{seq % 50 + 1:04d}",
        "items": [
            {
                "product_id": f"p-{(seq + i) % 20 + 1:04d}",
                "quantity": 1 + (seq + i) % 3,
                "unit_price_cents": 990 + 100 * ((seq * 7 + i) % 40),
            }
            for i in range(lines)
        ],
        "total_cents": 0,
        "currency": "BRL",
        "note": _NOTE,
    }


def expected_total(event: dict[str, Any]) -> int:
    return sum(item["quantity"] * item["unit_price_cents"] for item in event["items"])


def price(event: dict[str, Any]) -> dict[str, Any]:
    """The stage's transform: price the order. Deterministic, so a replayed record gives the same output
    (same event_id), which is what lets the verifier tell a duplicate from a distinct record."""
    return {
        **event,
        "event_id": str(uuid.uuid5(NAMESPACE, f"{event['event_id']}/{PRICED}")),
        "event_type": PRICED,
        "causation_id": event["event_id"],
        "producer": STAGE_PRODUCER,
        "total_cents": expected_total(event),
    }


def priced_correctly(output: dict[str, Any]) -> bool:
    """What the verifier checks on a decoded sample of the output."""
    return (
        output["event_type"] == PRICED
        and output["total_cents"] == expected_total(output)
        and output["total_cents"] > 0
        and output["causation_id"] == str(uuid.uuid5(NAMESPACE, f"{output['seq']}/{PLACED}"))
    )


class DrainMeasurements:
    """Timing of one stage's drain, kept the same way by both stages: the first record seen, each commit
    step (wall time and records), and whether the committed offsets now cover the pre-filled input.

    A plain class, not a dataclass: the Quix stage loads this module by path, outside sys.modules, where
    dataclasses cannot resolve the module's annotations.
    """

    def __init__(self, end_offsets: dict[tuple[str, int], int]) -> None:
        self.end_offsets = end_offsets
        self.committed: dict[tuple[str, int], int] = {}
        self.first_record_s: float | None = None
        self.first_record_cpu_s = 0.0
        self.last_commit_s = 0.0
        self.last_commit_cpu_s = 0.0
        self.commit_s: list[float] = []
        self.commit_records: list[int] = []
        self.drained = False

    def record_seen(self) -> None:
        if self.first_record_s is None:
            self.first_record_s, self.first_record_cpu_s = time.perf_counter(), time.process_time()

    def committed_step(self, started: float, offsets: dict[tuple[str, int], int], records: int) -> None:
        """A commit step that began at ``started`` (perf_counter) and committed ``offsets`` (the next offset
        to read, per partition) after ``records`` records."""
        self.last_commit_s, self.last_commit_cpu_s = time.perf_counter(), time.process_time()
        self.commit_s.append(self.last_commit_s - started)
        self.commit_records.append(records)
        self.committed.update(offsets)
        self.drained = all(self.committed.get(tp, 0) >= end for tp, end in self.end_offsets.items())

    def result(self, implementation: str, client: dict[str, str], aborts: int) -> dict[str, Any]:
        """The figures the stage writes to its result file (read back by `pedidos bench pipeline`)."""
        first = self.first_record_s or self.last_commit_s
        return {
            "implementation": implementation,
            "client": client,
            "drain_s": self.last_commit_s - first,
            "cpu_s": self.last_commit_cpu_s - self.first_record_cpu_s,
            "commit_s": self.commit_s,
            "commit_records": self.commit_records,
            "records_processed": sum(self.commit_records),
            "aborts": aborts,
        }
