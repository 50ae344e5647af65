"""Payment: charges each new order (simulated provider) and refunds on the saga's request.

The decision is a pure function of the order id, so a transaction replayed after a crash charges the same way;
the charge and its events become visible together because they are written in one Kafka transaction.
"""

from __future__ import annotations

import time

from processors.payment.simulation import Approved, PaymentSimulation, payment_id_for, refund_id_for
from processors.runtime.crash import CrashPoints
from processors.runtime.handler import InputRecord, Output, PermanentError, StatelessHandler, follow_up

NAME = "payment"


class PaymentHandler(StatelessHandler):
    name = NAME
    input_topics = ("orders.new", "payments.refund-requested")
    dlq_topic = "payments.dlq"

    def __init__(self, simulation: PaymentSimulation) -> None:
        self.simulation = simulation

    def handle(self, record: InputRecord, crash: CrashPoints) -> list[Output]:
        event = record.event
        if event["event_type"] == "OrderPlaced":
            return self._charge(event)
        if event["event_type"] == "RefundRequested":
            return [
                follow_up(
                    "payments.refunded",
                    event,
                    NAME,
                    payment_id=event["payment_id"],
                    refund_id=refund_id_for(event["order_id"]),
                    amount=event["amount"],
                )
            ]
        raise PermanentError(f"payment does not handle {event['event_type']}")

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
