"""One order's story: its events ordered, placed on the lane of the service that produced them, timed and
narrated in pt-BR and English. Pure functions over plain dicts (rows of ``order_events``), no I/O.
"""

from __future__ import annotations

from typing import Any

LANES = ("gateway", "payment", "inventory", "orchestrator", "notification")

# event_type -> (pt, en); {ms} is the step's total time, the rest come from the event's payload
NARRATION: dict[str, tuple[str, str]] = {
    "OrderPlaced": (
        "Pedido recebido no checkout: {items} item(ns), total R$ {total_amount}.",
        "Order accepted at checkout: {items} item(s), total R$ {total_amount}.",
    ),
    "PaymentRequested": ("Cobrança de R$ {amount} solicitada.", "Charge of R$ {amount} requested."),
    "PaymentConfirmed": ("Pagamento aprovado em {ms} ms.", "Payment approved in {ms} ms."),
    "PaymentFailed": ("Pagamento recusado ({reason}) em {ms} ms.", "Payment declined ({reason}) in {ms} ms."),
    "StockReserved": ("Estoque reservado em {ms} ms.", "Stock reserved in {ms} ms."),
    "StockReservationFailed": (
        "Estoque insuficiente ({reason}): a saga vai compensar.",
        "Not enough stock ({reason}): the saga will compensate.",
    ),
    "RefundRequested": ("Estorno de R$ {amount} solicitado.", "Refund of R$ {amount} requested."),
    "PaymentRefunded": ("Pagamento estornado em {ms} ms.", "Payment refunded in {ms} ms."),
    "StockReleaseRequested": ("Liberação da reserva solicitada.", "Stock release requested."),
    "StockReleased": ("Reserva de estoque liberada.", "Stock reservation released."),
    "OrderConfirmed": ("Pedido confirmado e pronto para envio.", "Order confirmed, ready to ship."),
    "OrderCancelled": ("Pedido cancelado: {reason}.", "Order cancelled: {reason}."),
    "NotificationSent": (
        "Cliente avisado por {channel}: pedido {order_status}.",
        "Customer notified by {channel}: order {order_status}.",
    ),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def narrate(event_type: str, payload: dict[str, Any], step_ms: int | None) -> dict[str, str]:
    pt, en = NARRATION.get(event_type, ("{event_type}", "{event_type}"))
    values = _Blank(payload, event_type=event_type, ms="?" if step_ms is None else step_ms)
    if isinstance(payload.get("items"), list):
        values["items"] = len(payload["items"])
    return {"pt": pt.format_map(values), "en": en.format_map(values)}


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
                "narration": narrate(row["event_type"], payload, step_ms),
            }
        )
    return timeline
