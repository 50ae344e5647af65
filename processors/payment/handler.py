"""Payment: charges each new order (simulated provider) and refunds on the saga's request.

The decision is a pure function of the order id, so a transaction replayed after a crash charges the same way;
the charge and its events become visible together because they are written in one Kafka transaction.
Each input's event id is claimed in PostgreSQL (processed_events, consumer "payment"): a copy of an event that
already took effect (a DLQ replay of an order already charged or refunded) is ignored, not charged twice.
"""

from __future__ import annotations

import logging
import time

from processors.logs import order_fields
from processors.payment.simulation import Approved, PaymentSimulation, payment_id_for, refund_id_for
from processors.runtime.handler import InputRecord, Output, PermanentError, follow_up
from processors.runtime.inbox import Database, InboxHandler, claim_event

NAME = "payment"
log = logging.getLogger("pedidos.payment")


class PaymentHandler(InboxHandler):
    name = NAME
    input_topics = ("orders.new", "payments.refund-requested")
    dlq_topic = "payments.dlq"

    def __init__(self, simulation: PaymentSimulation, db: Database) -> None:
        self.simulation, self.db = simulation, db

    def handle(self, record: InputRecord) -> list[Output]:
        event = record.event
        if event["event_type"] == "OrderPlaced":
            outputs = self._charge(event)
        elif event["event_type"] == "RefundRequested":
            outputs = [
                follow_up(
                    "payments.refunded",
                    event,
                    NAME,
                    payment_id=event["payment_id"],
                    refund_id=refund_id_for(event["order_id"]),
                    amount=event["amount"],
                )
            ]
        else:
            raise PermanentError(f"payment does not handle {event['event_type']}")
        # Claimed last, when nothing can fail any more, and without storing the outputs: a re-reading of this
        # record after an aborted transaction recomputes the same decision.
        if not claim_event(self.db, NAME, record):
            log.info("event already took effect: ignored", extra=_where(record))
            return []
        outcome = outputs[-1].event or {}
        log.info(_OUTCOME_MESSAGES[outputs[-1].topic], extra={**_where(record), **_outcome_fields(outcome)})
        return outputs

    def _charge(self, order: dict) -> list[Output]:
        order_id, amount = order["order_id"], order["total_amount"]
        payment_id = payment_id_for(order_id)
        time.sleep(self.simulation.latency_s(order_id))  # the provider's round trip, inside the transaction
        decision = self.simulation.decide(order_id, amount)
        requested = follow_up("payments.requested", order, NAME, payment_id=payment_id, amount=amount)
        if isinstance(decision, Approved):
            outcome = follow_up(
                "payments.confirmed",
                order,
                NAME,
                payment_id=payment_id,
                amount=amount,
                authorization_code=decision.authorization_code,
                items=order["items"],
            )
        else:
            outcome = follow_up(
                "payments.failed", order, NAME, payment_id=payment_id, amount=amount, reason=decision.reason
            )
        return [requested, outcome]


_OUTCOME_MESSAGES = {
    "payments.confirmed": "pagamento aprovado / payment approved",
    "payments.failed": "pagamento recusado / payment declined",
    "payments.refunded": "pagamento estornado / payment refunded",
}


def _outcome_fields(outcome: dict) -> dict[str, object]:
    keys = ("payment_id", "refund_id", "amount", "reason")
    return {key: str(outcome[key]) for key in keys if outcome.get(key) is not None}


def _where(record: InputRecord) -> dict[str, object]:
    return {
        **order_fields(record.event),
        "event_id": str(record.event["event_id"]),
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
