"""Notification: one message per finished order, recorded in PostgreSQL and announced on a topic.

The notification row (one per order, by a UNIQUE constraint) and the produced event are tied to the input
event id through the inbox, so a replay after a crash neither notifies twice nor loses the event.
"""

from __future__ import annotations

import logging
import uuid

import psycopg

from processors.logs import order_fields
from processors.notification import store
from processors.notification.messages import cancelled_message, confirmed_message
from processors.runtime.handler import InputRecord, Output, PermanentError, follow_up
from processors.runtime.inbox import Database, InboxHandler, process_once
from processors.runtime.serde import AvroCodec

NAME = "notification"
log = logging.getLogger("pedidos.notification")
CHANNEL = "email"


class NotificationHandler(InboxHandler):
    name = NAME
    input_topics = ("orders.confirmed", "orders.cancelled")
    dlq_topic = "notifications.dlq"

    def __init__(self, db: Database, codec: AvroCodec) -> None:
        self.db, self.codec = db, codec

    def handle(self, record: InputRecord) -> list[Output]:
        if record.event["event_type"] not in ("OrderConfirmed", "OrderCancelled"):
            raise PermanentError(f"notification does not handle {record.event['event_type']}")
        return process_once(self.db, NAME, record, self.codec, lambda conn: self._notify(conn, record.event))

    def _notify(self, conn: psycopg.Connection, event: dict) -> Output | None:
        order_id = event["order_id"]
        if event["event_type"] == "OrderConfirmed":
            status, template = "confirmed", "pedido-confirmado"
            message = confirmed_message(order_id, event["total_amount"])
        else:
            status, template = "cancelled", "pedido-cancelado"
            message = cancelled_message(order_id, event["reason"], event["refunded"])
        notification_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"notification/{order_id}"))
        inserted = store.insert_notification(
            conn,
            notification_id,
            order_id,
            str(event["event_id"]),
            event["customer_id"],
            CHANNEL,
            message,
            status,
        )
        if not inserted:
            # A second terminal event for one order would be a saga bug; the audit reports it, we never
            # notify twice.
            log.error("order already notified", extra=order_fields(event))
            return None
        log.info(
            "cliente notificado / customer notified",
            extra={**order_fields(event), "order_status": status, "channel": CHANNEL},
        )
        return follow_up(
            "notifications.events",
            event,
            NAME,
            notification_id=notification_id,
            customer_id=event["customer_id"],
            channel=CHANNEL,
            template=template,
            message=message,
            order_status=status,
        )
