"""Orchestrator: runs each order's saga and writes its state to ``saga.state`` in the same transaction.

The saga itself is pure (saga.py). This handler keeps the states of its partitions in memory, separating what
the open transaction changed (``pending``) from what is committed, so an abort simply forgets ``pending``.
On assignment the runtime reads the compacted ``saga.state`` topic back into it (``restore``): the changelog
is the truth.

A copy of an event that already took effect (a DLQ replay) changes nothing: event ids are derived from
(order id, event type) and the saga records each type's fact once, so the saga state already holds it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from processors.logs import order_fields
from processors.orchestrator.saga import (
    PARKED,
    CancelOrder,
    Command,
    ConfirmOrder,
    DeadLetter,
    Deadlines,
    RequestRefund,
    RequestRelease,
    SagaState,
    on_deadline,
    transition,
)
from processors.orchestrator.terminal_latency import TerminalLatency
from processors.runtime.dlq import dead_letter_fields
from processors.runtime.handler import CONSUMED_AT_HEADER, InputRecord, Output, StatelessHandler, follow_up

NAME = "orchestrator"
STATE_TOPIC = "saga.state"
log = logging.getLogger("pedidos.orchestrator")


class OrchestratorHandler(StatelessHandler):
    name = NAME
    input_topics = (
        "orders.new",
        "payments.confirmed",
        "payments.failed",
        "payments.refunded",
        "inventory.reserved",
        "inventory.failed",
        "inventory.released",
    )
    dlq_topic = "orders.dlq"
    # Range assignment gives one instance partition p of EVERY input topic (they are co-partitioned by order
    # id), so all of an order's events meet in the same instance; cooperative-sticky would scatter them.
    assignment_strategy = "range"
    changelog_topic = STATE_TOPIC

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines
        self.states: dict[str, SagaState] = {}
        self.pending: dict[str, SagaState] = {}
        self.partition_of: dict[str, int] = {}
        self.latency = TerminalLatency()

    def handle(self, record: InputRecord) -> list[Output]:
        order_id = record.event["order_id"]
        self.partition_of.setdefault(order_id, record.partition)
        state, commands = transition(self._state(order_id), record.event, datetime.now(UTC), self.deadlines)
        return self._apply(order_id, record.event, state, commands, record)

    def tick(self, now: datetime) -> list[Output]:
        outputs: list[Output] = []
        for order_id, state in list({**self.states, **self.pending}.items()):
            if state.step_deadline is None or state.step_deadline > now:
                continue
            new_state, commands = on_deadline(state, now, self.deadlines)
            cause = {
                "order_id": order_id,
                "correlation_id": state.correlation_id,
                "event_id": state.last_event_id,
            }
            outputs += self._apply(order_id, cause, new_state, commands, None)
        return outputs

    def _state(self, order_id: str) -> SagaState | None:
        return self.pending.get(order_id) or self.states.get(order_id)

    def _apply(
        self,
        order_id: str,
        cause: dict[str, Any],
        state: SagaState | None,
        commands: list[Command],
        record: InputRecord | None,
    ) -> list[Output]:
        outputs = [self._output(command, cause, state, record) for command in commands]
        before = self._state(order_id)
        if state is not None and (before is None or state.status != before.status or commands):
            log.info(
                "saga %s -> %s",
                before.status if before else "-",
                state.status,
                extra={
                    **order_fields(cause),
                    "event_type": cause.get("event_type", "deadline"),
                    "commands": [type(command).__name__ for command in commands],
                },
            )
        if state is not None and state != before:
            self.pending[order_id] = state
            outputs.append(Output(STATE_TOPIC, order_id, state.to_record()))
        return outputs

    def _output(
        self, command: Command, cause: dict[str, Any], state: SagaState | None, record: InputRecord | None
    ) -> Output:
        if isinstance(command, DeadLetter):
            log.warning("saga dead-letter", extra={**order_fields(cause), "reason": command.reason})
            return Output(
                self.dlq_topic,
                cause["order_id"],
                encoded=record.value if record else b"",
                headers=saga_dead_letter_headers(command, record),
            )
        if state is None:
            raise ValueError(f"{type(command).__name__} without saga state for {cause['order_id']}")
        if isinstance(command, ConfirmOrder):
            self.latency.ended(state.status, state.placed_at)
            return follow_up(
                "orders.confirmed",
                cause,
                NAME,
                customer_id=state.customer_id,
                total_amount=state.total_amount,
                payment_id=state.payment_id,
                reservation_id=state.reservation_id,
            )
        if isinstance(command, CancelOrder):
            self.latency.ended(state.status, state.placed_at)
            return follow_up(
                "orders.cancelled",
                cause,
                NAME,
                customer_id=state.customer_id,
                reason=command.reason,
                refunded=command.refunded,
                released=command.released,
            )
        if isinstance(command, RequestRefund):
            return follow_up(
                "payments.refund-requested",
                cause,
                NAME,
                payment_id=command.payment_id,
                amount=command.amount,
                reason=command.reason,
            )
        if isinstance(command, RequestRelease):
            return follow_up(
                "inventory.release-requested",
                cause,
                NAME,
                reservation_id=command.reservation_id,
                reason=command.reason,
            )
        raise TypeError(f"unknown saga command {command!r}")

    def on_commit(self) -> None:
        self.states.update(self.pending)
        self.pending.clear()
        self.latency.committed()

    def on_abort(self) -> None:
        self.pending.clear()
        self.latency.aborted()

    def restore(self, partition: int, latest: dict[str, dict[str, Any]]) -> None:
        # The saga's state goes to its changelog inside the Kafka transaction itself: nothing to prepare at
        # commit, and what the runtime reads back here is exactly what committed.
        for order_id, record in latest.items():
            self.states[order_id] = SagaState.from_record(record)
            self.partition_of[order_id] = partition

    def on_revoke(self, partitions: list[tuple[str, int]]) -> None:
        gone = {p for _, p in partitions}
        for order_id in [o for o, p in self.partition_of.items() if p in gone]:
            self.states.pop(order_id, None)
            self.pending.pop(order_id, None)
            self.partition_of.pop(order_id)


def saga_dead_letter_headers(command: DeadLetter, record: InputRecord | None) -> dict[str, str]:
    """The runtime's dead-letter headers (processors/runtime/dlq.py): a short reason code to count by, the
    saga's sentence as the detail, the origin, then the original headers, which a replay sends back."""
    reason = "saga-parked" if command.reason.endswith(PARKED) else "illegal-transition"
    origin = (record.topic, record.partition, record.offset) if record else None
    headers = dead_letter_fields(NAME, reason, command.reason, origin)
    if record is None:
        return headers
    # The loop stamps its own consumed-at on every output; the input's copy of it is not an original header.
    original = {k: v for k, v in record.headers.items() if k != CONSUMED_AT_HEADER and k not in headers}
    return headers | original
