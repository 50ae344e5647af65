"""One order's story: its events ordered, placed on the lane of the service that produced them, and timed.
Pure functions over plain dicts (rows of ``order_events``), no I/O.

The facts only: what each step says (pt-BR and English) is written once, in the dashboard's catalogue
(ui/src/locales/story.ts), from the event type, its payload and ``step_ms``.
"""

from __future__ import annotations

from typing import Any

LANES = ("gateway", "payment", "inventory", "orchestrator", "notification")


def lane_of(producer: str | None) -> str:
    """The service lane: the event's ``producer`` field (a service name), gateway when unknown."""
    return producer if producer in LANES else "gateway"


def build_timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows``: the order's events with topic, partition, offset, event_type, event_id, occurred_at (ms),
    record_ts (ms or None), consumed_at (ms or None) and payload (with causation_id and producer)."""
    ordered = sorted(rows, key=lambda r: (r["record_ts"] or r["occurred_at"], r["occurred_at"]))
    by_id = {str(r["event_id"]): r for r in ordered}
    timeline = []
    for row in ordered:
        payload = row["payload"]
        cause = by_id.get(str(payload.get("causation_id")))
        produced = row["record_ts"] or row["occurred_at"]
        consumed = row["consumed_at"]
        cause_ts = (cause["record_ts"] or cause["occurred_at"]) if cause else None
        broker_ms = consumed - cause_ts if consumed is not None and cause_ts is not None else None
        service_ms = produced - consumed if consumed is not None else None
        step_ms = produced - cause_ts if cause_ts is not None else None
        timeline.append(
            {
                "topic": row["topic"],
                "partition": row["partition"],
                "offset": row["offset"],
                "order_id": row["order_id"],
                "event_type": row["event_type"],
                "event_id": str(row["event_id"]),
                "correlation_id": payload.get("correlation_id"),
                "causation_id": payload.get("causation_id"),
                "producer": payload.get("producer"),
                "timestamp": produced,
                "occurred_at": row["occurred_at"],
                "payload": payload,
                "lane": lane_of(payload.get("producer")),
                "transaction": "committed",
                "broker_ms": None if broker_ms is None else max(0, broker_ms),
                "service_ms": None if service_ms is None else max(0, service_ms),
                "step_ms": step_ms,
            }
        )
    return timeline
