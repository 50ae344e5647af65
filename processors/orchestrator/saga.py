"""The order saga as pure code: ``transition(state, event) -> (state, commands)`` (docs/architecture.md §7).

The orchestrator reads seven topics and Kafka orders nothing across topics, so an event can arrive before the
one that caused it (inventory.reserved before payments.confirmed, payments.* before orders.new). The saga thus
records *facts* and derives its next step from all the facts known so far, never from one expected sequence:

    created --OrderPlaced--> payment_pending --payment--> paid --stock--> confirmed
    payment_pending --failed | invalid | deadline--> cancelled       (via compensating if money moved)
    paid --out of stock | deadline--> compensating --refund (+ release) done--> cancelled
    any non-terminal --contradiction--> dlq

Facts live in the saga.state record itself, so a restart restores them: ``payment_id`` (payment confirmed),
``reservation_id`` (stock reserved) and the ``compensations`` ledger, the schema's only list, which holds the
compensations asked for, their results, and the facts that have no field of their own.
Idempotence: an event id is derived from (order_id, event_type), so a redelivery is the same type again, and
each type sets its own fact once: an event whose fact is already known changes nothing.
One terminal command per order: ConfirmOrder/CancelOrder are emitted only when the status enters a terminal
status, and no transition leaves one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

CREATED, PAYMENT_PENDING, PAID, COMPENSATING = "created", "payment_pending", "paid", "compensating"
CONFIRMED, CANCELLED, DLQ = "confirmed", "cancelled", "dlq"
TERMINAL = frozenset({CONFIRMED, CANCELLED, DLQ})

# The ledger (SagaState.compensations): the compensations asked for, so none is asked twice, their results,
REFUND, RELEASE, REFUNDED, RELEASED = "refund", "release", "refunded", "released"
RELEASED_NOTHING = "released_nothing"
# and the facts with no field of their own. Each is a cause; the earliest one is OrderCancelled.reason.
INVALID_ORDER, PAYMENT_FAILED = "invalid_order", "payment_failed"
TIMEOUT, STOCK_FAILED = "timeout", "stock_failed"
CAUSES = {f: f for f in (INVALID_ORDER, PAYMENT_FAILED, TIMEOUT)} | {STOCK_FAILED: "out_of_stock"}
# The fact an event records when no id field does (PaymentConfirmed and StockReserved set an id).
FACT_OF = dict(PaymentFailed=PAYMENT_FAILED, PaymentRefunded=REFUNDED, StockReservationFailed=STOCK_FAILED)
ANSWERS = frozenset({"PaymentRefunded", "StockReleased"})  # to the saga's own commands
HANDLED = ANSWERS | set(FACT_OF) | {"OrderPlaced", "PaymentConfirmed", "StockReserved"}
INFORMATIONAL = frozenset({"PaymentRequested"})  # tells the story, decides nothing
PARKED = "para uma saga em dlq"  # the end of a DeadLetter reason for an event parked behind a dlq saga


@dataclass(frozen=True)
class Deadlines:
    payment_timeout: timedelta = timedelta(seconds=30)
    stock_timeout: timedelta = timedelta(seconds=30)


@dataclass(frozen=True)
class OrderItem:
    product_id: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, kw_only=True)
class SagaState:
    """One order's saga, field for field the newest saga.state record (defaults: a saga not yet placed)."""

    order_id: str
    status: str = CREATED
    customer_id: str = ""
    correlation_id: str = ""
    total_amount: Decimal = Decimal(0)
    items: tuple[OrderItem, ...] = ()
    payment_id: str | None = None
    reservation_id: str | None = None
    step_deadline: datetime | None = None
    compensations: tuple[str, ...] = ()
    last_event_id: str = ""
    version: int = 0
    updated_at: datetime
    # The checkout (OrderPlaced.occurred_at), where the order's end-to-end latency starts.
    placed_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def has(self, fact: str) -> bool:
        return fact in self.compensations

    def to_record(self) -> dict[str, Any]:
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**record, "items": [asdict(i) for i in self.items], "compensations": list(self.compensations)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SagaState:
        values = {f.name: record[f.name] for f in fields(cls) if f.name in record}
        values["items"], values["total_amount"] = _items(record["items"]), Decimal(record["total_amount"])
        values["compensations"] = tuple(values.get("compensations") or ())
        values["last_event_id"] = str(record["last_event_id"])  # the Avro decoder may hand back a uuid.UUID
        return cls(**values)


@dataclass(frozen=True)
class ConfirmOrder:
    pass


@dataclass(frozen=True)
class CancelOrder:
    reason: str
    refunded: bool = False
    released: bool = False


@dataclass(frozen=True)
class RequestRefund:
    payment_id: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class RequestRelease:
    reservation_id: str | None  # None: not known yet; inventory resolves it by order id
    reason: str


@dataclass(frozen=True)
class DeadLetter:
    reason: str  # pt-BR: an operator reads it in the DLQ headers


Command = ConfirmOrder | CancelOrder | RequestRefund | RequestRelease | DeadLetter
Step = tuple[SagaState | None, list[Command]]


def transition(
    state: SagaState | None, event: Mapping[str, Any], now: datetime, deadlines: Deadlines
) -> Step:
    kind, event_id = event["event_type"], str(event["event_id"])
    if state is not None and state.order_id != event["order_id"]:
        raise ValueError(f"evento do pedido {event['order_id']} aplicado à saga do pedido {state.order_id}")
    if kind in INFORMATIONAL or (state is not None and event_id == state.last_event_id):
        return state, []
    if kind not in HANDLED:
        return state, [DeadLetter(f"tipo de evento que a saga não trata: {kind}")]
    if state is None and kind in ANSWERS:
        return None, [DeadLetter(f"{kind} para um pedido sem saga: resposta a um comando nunca emitido")]
    if state is None:  # explained by cross-topic reordering: keep the fact until OrderPlaced is read
        state = SagaState(order_id=event["order_id"], correlation_id=event["correlation_id"], updated_at=now)
    elif state.status == DLQ:  # like a poisoned key: park what follows too, to be replayed in order
        return _touch(state, event_id, now), [DeadLetter(f"{kind} {PARKED}")]
    if _known(state, event):
        return state, []
    problem = _contradiction(state, event)
    if problem:
        parked = state if state.terminal else replace(state, status=DLQ, step_deadline=None)
        return _touch(parked, event_id, now), [DeadLetter(problem)]
    if state.terminal and kind in {"PaymentFailed", "StockReservationFailed"}:
        return state, []  # a "no" after the end needs no compensation
    state, commands = _advance(_record(state, event, now, deadlines), now, deadlines)
    return _touch(state, event_id, now), commands


def on_deadline(state: SagaState | None, now: datetime, deadlines: Deadlines) -> Step:
    """Act on an expired step deadline; the causation of its commands is ``state.last_event_id``."""
    if state is None or state.terminal or state.step_deadline is None or state.step_deadline > now:
        return state, []
    state, commands = _with(state, TIMEOUT), []
    if state.status == PAID:  # the stock answer may be in flight; a release before the reserve blocks it
        state, commands = _with(state, RELEASE), [RequestRelease(state.reservation_id, _cause(state))]
    state, more = _advance(state, now, deadlines)
    return replace(state, version=state.version + 1, updated_at=now), commands + more


def _known(state: SagaState, event: Mapping[str, Any]) -> bool:
    """The event's fact is already recorded: a duplicate (or, for a reserve seen in a release, old news)."""
    kind = event["event_type"]
    if kind == "OrderPlaced":
        return state.status != CREATED
    if kind == "PaymentConfirmed":
        return state.payment_id == event["payment_id"]
    if kind == "StockReserved":
        return state.reservation_id == event["reservation_id"]
    if kind == "StockReleased":
        return state.has(RELEASED) or state.has(RELEASED_NOTHING)
    return state.has(FACT_OF[kind])


def _contradiction(state: SagaState, event: Mapping[str, Any]) -> str | None:
    """Facts that cannot both be true: a bug upstream that no compensation can settle."""
    kind, payment_id, reservation_id = event["event_type"], state.payment_id, state.reservation_id
    if kind == "PaymentConfirmed" and (payment_id is not None or state.has(PAYMENT_FAILED)):
        return f"pagamento {event['payment_id']} confirmado, mas o pedido já tinha {payment_id or 'recusa'}"
    if kind == "PaymentFailed" and _money_moved(state):
        return "pagamento recusado depois de confirmado"
    if kind in {"StockReserved", "StockReservationFailed"} and state.has(PAYMENT_FAILED):
        return "estoque movimentado para um pagamento recusado"
    if kind == "StockReserved" and (reservation_id is not None or state.has(STOCK_FAILED)):
        return f"reserva {event['reservation_id']} contradiz o estoque já registrado"
    if kind == "StockReservationFailed" and reservation_id is not None:
        return f"falta de estoque depois da reserva {reservation_id}"
    if kind == "PaymentRefunded" and (not state.has(REFUND) or event["payment_id"] != payment_id):
        return f"estorno do pagamento {event['payment_id']} que a saga não pediu"
    if kind == "StockReleased" and not state.has(RELEASE):
        return "liberação de estoque que a saga não pediu"
    released = event.get("reservation_id") if kind == "StockReleased" else None
    if released is not None and reservation_id is not None and released != reservation_id:
        return f"liberada a reserva {released}, mas a do pedido é {reservation_id}"
    return None


def _record(state: SagaState, event: Mapping[str, Any], now: datetime, deadlines: Deadlines) -> SagaState:
    kind = event["event_type"]
    if kind == "OrderPlaced":
        items, total = _items(event["items"]), Decimal(event["total_amount"])
        state = replace(
            state,
            status=PAYMENT_PENDING,
            customer_id=event["customer_id"],
            items=items,
            correlation_id=event["correlation_id"],
            total_amount=total,
            placed_at=event["occurred_at"],
            step_deadline=now + deadlines.payment_timeout,
        )
        valid = bool(items) and all(i.quantity > 0 and i.unit_price >= 0 for i in items)
        valid = valid and total == sum(i.quantity * i.unit_price for i in items)
        return state if valid else _with(state, INVALID_ORDER)
    if kind == "PaymentConfirmed":
        return replace(state, payment_id=event["payment_id"])
    if kind == "StockReserved":
        return replace(state, reservation_id=event["reservation_id"])
    if kind == "StockReleased":  # inventory may echo the request's null id: its items tell what came back
        returned = event.get("reservation_id") is not None or bool(event.get("items"))
        state = replace(state, reservation_id=state.reservation_id or event.get("reservation_id"))
        return _with(state, RELEASED if returned else RELEASED_NOTHING)
    return _with(state, FACT_OF[kind])


def _advance(state: SagaState, now: datetime, deadlines: Deadlines) -> tuple[SagaState, list[Command]]:
    """Move forward as far as the known facts allow, issuing the commands each move calls for."""
    commands: list[Command] = []
    if state.status == PAYMENT_PENDING:
        if state.has(INVALID_ORDER) or state.has(PAYMENT_FAILED) or state.has(TIMEOUT):
            state, commands = _give_up(state)
        elif state.payment_id is not None:
            state = replace(state, status=PAID, step_deadline=now + deadlines.stock_timeout)
    if state.status == PAID and state.reservation_id is not None:
        state, commands = replace(state, status=CONFIRMED, step_deadline=None), [ConfirmOrder()]
    elif state.status == PAID and (state.has(STOCK_FAILED) or state.has(TIMEOUT)):
        state, commands = _give_up(state)
    if state.status in {COMPENSATING, CANCELLED}:  # after the end too: money or stock landing late is undone
        if state.payment_id is not None and not state.has(REFUND):
            state = _with(state, REFUND)
            commands.append(RequestRefund(state.payment_id, state.total_amount, _cause(state)))
        if state.reservation_id is not None and not state.has(RELEASE):
            state = _with(state, RELEASE)
            commands.append(RequestRelease(state.reservation_id, _cause(state)))
    refund_done = not _money_moved(state) or state.has(REFUNDED)
    release_done = not state.has(RELEASE) or state.has(RELEASED) or state.has(RELEASED_NOTHING)
    if state.status == COMPENSATING and refund_done and release_done:
        state = replace(state, status=CANCELLED)
        commands.append(CancelOrder(_cause(state), state.has(REFUNDED), state.has(RELEASED)))
    return state, commands


def _give_up(state: SagaState) -> tuple[SagaState, list[Command]]:
    """Cancel at once if no effect is known, else compensate first: OrderCancelled reports them done."""
    if _money_moved(state):
        return replace(state, status=COMPENSATING, step_deadline=None), []
    return replace(state, status=CANCELLED, step_deadline=None), [CancelOrder(_cause(state))]


def _money_moved(state: SagaState) -> bool:
    # Inventory acts only on payments.confirmed, so any stock answer proves a payment, even one not yet read.
    return state.payment_id is not None or state.reservation_id is not None or state.has(STOCK_FAILED)


def _cause(state: SagaState) -> str:
    return next((CAUSES[fact] for fact in state.compensations if fact in CAUSES), "timeout")


def _items(raw: list[Mapping[str, Any]]) -> tuple[OrderItem, ...]:
    return tuple(OrderItem(i["product_id"], int(i["quantity"]), Decimal(i["unit_price"])) for i in raw)


def _with(state: SagaState, fact: str) -> SagaState:
    return state if state.has(fact) else replace(state, compensations=(*state.compensations, fact))


def _touch(state: SagaState, event_id: str, now: datetime) -> SagaState:
    return replace(state, last_event_id=event_id, version=state.version + 1, updated_at=now)
