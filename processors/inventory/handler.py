"""Inventory: reserves stock when a payment is confirmed, releases it when the saga compensates.

The reservation lives in PostgreSQL, outside Kafka's transaction, so each input is processed effectively once
through the inbox (processors/runtime/inbox.py): effect, input event id and output bytes in one DB commit.
"""

from __future__ import annotations

import logging

import psycopg

from processors.inventory import store
from processors.inventory.stock import Reserve, decide_reservation, reservation_id_for
from processors.logs import order_fields
from processors.runtime.handler import InputRecord, Output, PermanentError, follow_up
from processors.runtime.inbox import Database, InboxHandler, process_once
from processors.runtime.serde import AvroCodec

NAME = "inventory"
WAREHOUSE = "CD-SP-01"
log = logging.getLogger("pedidos.inventory")


class InventoryHandler(InboxHandler):
    name = NAME
    input_topics = ("payments.confirmed", "inventory.release-requested")
    dlq_topic = "inventory.dlq"

    def __init__(self, db: Database, codec: AvroCodec) -> None:
        self.db, self.codec = db, codec

    def handle(self, record: InputRecord) -> list[Output]:
        event = record.event
        if event["event_type"] == "PaymentConfirmed":
            if not event.get("items"):
                raise PermanentError("PaymentConfirmed without items (a v1 event): nothing to reserve")
            return process_once(
                self.db, NAME, record, self.codec, lambda conn: _logged(self._reserve(conn, event), record)
            )
        if event["event_type"] == "StockReleaseRequested":
            return process_once(
                self.db, NAME, record, self.codec, lambda conn: _logged(self._release(conn, event), record)
            )
        raise PermanentError(f"inventory does not handle {event['event_type']}")

    def _reserve(self, conn: psycopg.Connection, event: dict) -> Output:
        order_id = event["order_id"]
        requested = [(item["product_id"], item["quantity"]) for item in event["items"]]
        reservation_id = reservation_id_for(order_id)
        if store.reservation_status(conn, order_id) == "released":
            # The saga gave up on this order (timeout) before the payment got here: reserve nothing.
            return follow_up(
                "inventory.failed", event, NAME, reason="order_already_released", missing_items=[]
            )
        decision = decide_reservation(requested, store.lock_available(conn, [p for p, _ in requested]))
        if isinstance(decision, Reserve):
            store.reserve(conn, reservation_id, order_id, decision.items)
            items = [{"product_id": p, "quantity": q} for p, q in decision.items]
            return follow_up(
                "inventory.reserved",
                event,
                NAME,
                reservation_id=reservation_id,
                items=items,
                warehouse=WAREHOUSE,
            )
        missing = [
            {"product_id": m.product_id, "requested": m.requested, "available": m.available}
            for m in decision.missing
        ]
        return follow_up("inventory.failed", event, NAME, reason=decision.reason, missing_items=missing)

    def _release(self, conn: psycopg.Connection, event: dict) -> Output:
        order_id = event["order_id"]
        reservation_id = event.get("reservation_id") or reservation_id_for(order_id)
        items = store.release(conn, reservation_id, order_id)
        # A null reservation id says nothing was reserved, so nothing came back (the schema's meaning).
        return follow_up(
            "inventory.released",
            event,
            NAME,
            reservation_id=reservation_id if items else None,
            items=[{"product_id": p, "quantity": q} for p, q in items],
        )


_OUTCOME_MESSAGES = {
    "inventory.reserved": "estoque reservado / stock reserved",
    "inventory.failed": "estoque não reservado / stock not reserved",
    "inventory.released": "estoque liberado / stock released",
}


def _logged(output: Output, record: InputRecord) -> Output:
    """The effect's outcome on the order's timeline (logged inside the inbox's transaction: a replay of this
    record after an abort logs it again, as it does it again)."""
    event = output.event or {}
    log.info(
        _OUTCOME_MESSAGES[output.topic],
        extra={
            **order_fields(record.event),
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            **{key: event[key] for key in ("reservation_id", "reason") if event.get(key)},
        },
    )
    return output
