"""The order saga as a pure state machine: every transition, deadlines, duplicates and out-of-order arrivals.

Events are built with ``processors.events.new_event`` so they have the real Avro shapes. The last tests run
the saga against a small simulated world (payment and inventory acting on its commands, topics read in any
order, a clock, restarts from the changelog) and check the invariants docs/audit.md checks.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import fastavro
import pytest

from processors.events import new_event
from processors.inventory.stock import Reserve, decide_reservation
from processors.orchestrator.saga import (
    CancelOrder,
    ConfirmOrder,
    DeadLetter,
    Deadlines,
    OrderItem,
    RequestRefund,
    RequestRelease,
    SagaState,
    on_deadline,
    transition,
)
from processors.schemas import latest_schema

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
D = Deadlines()
ORDER, PAY, RES = "o-1", "pay-1", "res-1"
ITEMS = [
    {"product_id": "p-cafe", "quantity": 2, "unit_price": Decimal("19.90")},
    {"product_id": "p-xicara", "quantity": 1, "unit_price": Decimal("20.00")},
]
TOTAL = Decimal("59.80")


def ev(topic: str, order_id: str = ORDER, **payload):
    return new_event(
        topic,
        order_id=order_id,
        correlation_id="c-1",
        causation_id=None,
        producer="test",
        occurred_at=T0,
        **payload,
    )


def placed(order_id: str = ORDER, items=ITEMS, total=TOTAL):
    return ev("orders.new", order_id, customer_id="cli-1", items=items, total_amount=total, currency="BRL")


def paid(order_id: str = ORDER, payment_id: str = PAY):
    return ev(
        "payments.confirmed", order_id, payment_id=payment_id, amount=TOTAL, authorization_code="K7QX2M"
    )


def declined(order_id: str = ORDER):
    return ev("payments.failed", order_id, payment_id=PAY, amount=TOTAL, reason="declined")


def reserved(order_id: str = ORDER, reservation_id: str = RES):
    items = [{"product_id": "p-cafe", "quantity": 2}, {"product_id": "p-xicara", "quantity": 1}]
    return ev(
        "inventory.reserved", order_id, reservation_id=reservation_id, items=items, warehouse="CD-SP-01"
    )


def no_stock(order_id: str = ORDER, reason: str = "out_of_stock"):
    missing = [{"product_id": "p-cafe", "requested": 2, "available": 1}]
    return ev("inventory.failed", order_id, reason=reason, missing_items=missing)


def refunded(order_id: str = ORDER, payment_id: str = PAY):
    return ev("payments.refunded", order_id, payment_id=payment_id, refund_id="ref-1", amount=TOTAL)


def released(order_id: str = ORDER, reservation_id: str | None = RES, items: list | None = None):
    items = [{"product_id": "p-cafe", "quantity": 2}] if items is None else items
    return ev("inventory.released", order_id, reservation_id=reservation_id, items=items)


def distinct(event):
    """The same event type with another id: what a buggy producer would emit (ids are per order and type)."""
    return {**event, "event_id": uuid.uuid4()}


def run(*events, state: SagaState | None = None, now: datetime = T0):
    """Apply events in order; return the final state and every command, in order."""
    commands = []
    for event in events:
        state, emitted = transition(state, event, now, D)
        commands += emitted
    return state, commands


# --- SagaState and its Avro record -------------------------------------------------------------------------


def full_state() -> SagaState:
    state, _ = run(placed(), paid(), reserved())
    return state


def test_record_has_exactly_the_avro_fields_and_shapes():
    schema = json.loads(latest_schema("saga.state"))
    record = full_state().to_record()
    assert list(record) == [field["name"] for field in schema["fields"]]
    assert record["items"] == ITEMS
    assert isinstance(record["compensations"], list)
    assert record["total_amount"] == TOTAL


def test_record_round_trips_through_the_avro_schema():
    schema = fastavro.parse_schema(json.loads(latest_schema("saga.state")))
    state, _ = run(placed(), paid())
    state, _ = on_deadline(state, T0 + timedelta(minutes=1), D)  # compensations and a null deadline
    for candidate in (full_state(), state, run(placed())[0], run(paid())[0]):
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, schema, candidate.to_record())
        buffer.seek(0)
        decoded = fastavro.schemaless_reader(buffer, schema)
        assert SagaState.from_record(decoded) == candidate


def test_from_record_accepts_a_uuid_event_id_and_missing_optionals():
    record = full_state().to_record()
    record["last_event_id"] = uuid.UUID(record["last_event_id"])
    del record["payment_id"], record["compensations"], record["placed_at"]  # placed_at: a v1 record
    state = SagaState.from_record(record)
    assert isinstance(state.last_event_id, str)
    assert state.payment_id is None and state.compensations == () and state.placed_at is None
    assert state.items[0] == OrderItem("p-cafe", 2, Decimal("19.90"))


def test_the_checkout_time_comes_from_order_placed_whenever_it_arrives():
    checkout = T0 - timedelta(seconds=3)
    placed_earlier = {**placed(), "occurred_at": checkout}
    assert run(paid())[0].placed_at is None  # no checkout seen yet
    assert run(placed_earlier, paid())[0].placed_at == checkout
    assert run(paid(), placed_earlier, reserved())[0].placed_at == checkout


# --- the happy path and its out-of-order variants ----------------------------------------------------------


def test_happy_path_moves_step_by_step():
    state, commands = transition(None, placed(), T0, D)
    assert (state.status, commands) == ("payment_pending", [])
    assert state.step_deadline == T0 + D.payment_timeout
    assert (state.customer_id, state.correlation_id, state.total_amount) == ("cli-1", "c-1", TOTAL)
    assert state.items == (
        OrderItem("p-cafe", 2, Decimal("19.90")),
        OrderItem("p-xicara", 1, Decimal("20.00")),
    )

    later = T0 + timedelta(seconds=5)
    state, commands = transition(state, paid(), later, D)
    assert (state.status, state.payment_id, commands) == ("paid", PAY, [])
    assert state.step_deadline == later + D.stock_timeout

    state, commands = transition(state, reserved(), later, D)
    assert (state.status, state.reservation_id, commands) == ("confirmed", RES, [ConfirmOrder()])
    assert state.step_deadline is None


def test_every_transition_bumps_version_and_records_the_event():
    state = None
    for version, (event, when) in enumerate(zip((placed(), paid(), reserved()), (1, 2, 3), strict=True), 1):
        state, _ = transition(state, event, T0 + timedelta(seconds=when), D)
        assert state.version == version
        assert state.last_event_id == str(event["event_id"])
        assert state.updated_at == T0 + timedelta(seconds=when)


def test_stock_reserved_before_payment_confirmed_confirms_when_payment_arrives():
    state, commands = run(placed(), reserved())
    assert (state.status, state.reservation_id, commands) == ("payment_pending", RES, [])
    state, commands = transition(state, paid(), T0, D)
    assert (state.status, commands) == ("confirmed", [ConfirmOrder()])


def test_events_before_order_placed_are_kept_until_it_arrives():
    state, commands = run(paid(), reserved())
    assert (state.status, state.payment_id, state.reservation_id, commands) == ("created", PAY, RES, [])
    assert state.step_deadline is None  # nothing to time out before the order is known
    assert on_deadline(state, T0 + timedelta(hours=1), D) == (state, [])
    state, commands = transition(state, placed(), T0, D)
    assert (state.status, commands) == ("confirmed", [ConfirmOrder()])
    assert (state.customer_id, state.total_amount, len(state.items)) == ("cli-1", TOTAL, 2)


@pytest.mark.parametrize("order", list(itertools.permutations(["placed", "paid", "reserved"])))
def test_any_arrival_order_of_the_happy_path_confirms_once(order):
    events = {"placed": placed(), "paid": paid(), "reserved": reserved()}
    state, commands = run(*(events[name] for name in order))
    assert (state.status, commands) == ("confirmed", [ConfirmOrder()])


# --- failures and compensations ----------------------------------------------------------------------------


def test_payment_failed_cancels_without_compensation():
    state, commands = run(placed(), declined())
    assert (state.status, commands) == ("cancelled", [CancelOrder("payment_failed", False, False)])
    assert state.step_deadline is None


def test_payment_failed_before_order_placed_cancels_when_the_order_arrives():
    state, commands = run(declined(), placed())
    assert (state.status, commands) == ("cancelled", [CancelOrder("payment_failed")])


def test_out_of_stock_refunds_then_cancels():
    state, commands = run(placed(), paid(), no_stock())
    assert (state.status, commands) == ("compensating", [RequestRefund(PAY, TOTAL, "out_of_stock")])
    assert state.step_deadline is None and "refund" in state.compensations
    state, commands = transition(state, refunded(), T0, D)
    assert (state.status, commands) == (
        "cancelled",
        [CancelOrder("out_of_stock", refunded=True, released=False)],
    )


def test_out_of_stock_before_payment_confirmed_refunds_when_the_payment_arrives():
    state, commands = run(placed(), no_stock())
    assert (state.status, commands) == ("payment_pending", [])
    state, commands = transition(state, paid(), T0, D)
    assert (state.status, commands) == ("compensating", [RequestRefund(PAY, TOTAL, "out_of_stock")])


@pytest.mark.parametrize(
    ("items", "total"),
    [([], Decimal(0)), (ITEMS, Decimal("1.00")), ([{**ITEMS[0], "quantity": 0}], Decimal(0))],
)
def test_an_invalid_order_is_cancelled_at_once(items, total):
    state, commands = run(placed(items=items, total=total))
    assert (state.status, commands) == ("cancelled", [CancelOrder("invalid_order")])


def test_an_invalid_order_already_charged_is_refunded_before_it_is_cancelled():
    state, commands = run(paid(), placed(total=Decimal("1.00")))
    assert (state.status, commands) == (
        "compensating",
        [RequestRefund(PAY, Decimal("1.00"), "invalid_order")],
    )
    state, commands = transition(state, refunded(), T0, D)
    assert commands == [CancelOrder("invalid_order", refunded=True)]


# --- deadlines ---------------------------------------------------------------------------------------------


def test_on_deadline_does_nothing_before_the_deadline_or_without_one():
    pending, _ = run(placed())
    assert on_deadline(pending, T0 + D.payment_timeout - timedelta(milliseconds=1), D) == (pending, [])
    assert on_deadline(None, T0, D) == (None, [])
    confirmed = full_state()
    assert on_deadline(confirmed, T0 + timedelta(days=1), D) == (confirmed, [])
    expired_but_terminal = replace(confirmed, step_deadline=T0)
    assert on_deadline(expired_but_terminal, T0 + timedelta(days=1), D) == (expired_but_terminal, [])


def test_payment_timeout_cancels_and_a_late_payment_is_refunded():
    state, _ = run(placed())
    at = T0 + D.payment_timeout
    state, commands = on_deadline(state, at, D)
    assert (state.status, commands) == ("cancelled", [CancelOrder("timeout", False, False)])
    assert (state.version, state.updated_at, state.step_deadline) == (2, at, None)
    assert state.last_event_id == str(placed()["event_id"])  # the causation of deadline commands

    state, commands = transition(state, paid(), at, D)
    assert (state.status, commands) == ("cancelled", [RequestRefund(PAY, TOTAL, "timeout")])
    assert "refund" in state.compensations
    state, commands = transition(state, reserved(), at, D)  # inventory acted on that payment too
    assert (state.status, commands) == ("cancelled", [RequestRelease(RES, "timeout")])
    state, commands = run(refunded(), released(), state=state)
    assert (state.status, commands) == ("cancelled", [])
    assert {"refund", "release", "refunded", "released"} <= set(state.compensations)


def test_a_no_after_a_timeout_cancellation_is_ignored():
    cancelled, _ = on_deadline(run(placed())[0], T0 + D.payment_timeout, D)
    for late in (declined(), no_stock(reason="order_already_released")):
        assert transition(cancelled, late, T0, D) == (cancelled, [])


def test_stock_timeout_asks_refund_and_release_then_cancels_when_both_are_done():
    state, _ = run(placed(), paid())
    state, commands = on_deadline(state, T0 + D.stock_timeout, D)
    assert state.status == "compensating"
    assert sorted(map(repr, commands)) == sorted(
        map(repr, [RequestRefund(PAY, TOTAL, "timeout"), RequestRelease(None, "timeout")])
    )
    after_refund, commands = transition(state, refunded(), T0, D)
    assert (after_refund.status, commands) == ("compensating", [])  # the release is not answered yet
    nothing_reserved = released(reservation_id=None, items=[])
    state, commands = transition(after_refund, nothing_reserved, T0, D)
    assert (state.status, commands) == ("cancelled", [CancelOrder("timeout", refunded=True, released=False)])


def test_stock_timeout_answers_in_the_other_order_and_a_reservation_that_was_in_flight():
    state, _ = run(placed(), paid())
    state, _ = on_deadline(state, T0 + D.stock_timeout, D)
    state, commands = transition(state, reserved(), T0, D)  # reserved before inventory read the release
    assert (state.status, commands) == ("compensating", [])  # the release is already asked for
    # Inventory echoes the request's null reservation id, but returns the items.
    state, commands = run(released(reservation_id=None), refunded(), state=state)
    assert (state.status, commands) == ("cancelled", [CancelOrder("timeout", refunded=True, released=True)])


def test_a_blocked_reservation_after_a_stock_timeout_is_not_a_contradiction():
    state, _ = run(placed(), paid())
    state, _ = on_deadline(state, T0 + D.stock_timeout, D)
    state, commands = run(
        released(reservation_id=None, items=[]), no_stock(reason="order_already_released"), state=state
    )
    assert (state.status, commands) == ("compensating", [])
    state, commands = transition(state, refunded(), T0, D)
    assert commands == [CancelOrder("timeout", refunded=True, released=False)]  # the earliest cause wins


def test_payment_timeout_with_stock_already_reserved_compensates_before_cancelling():
    # The reserve proves a payment the saga has not read yet: cancelling now would report nothing compensated.
    state, _ = run(placed(), reserved())
    state, commands = on_deadline(state, T0 + D.payment_timeout, D)
    assert (state.status, commands) == ("compensating", [RequestRelease(RES, "timeout")])
    state, commands = transition(state, paid(), T0, D)
    assert commands == [RequestRefund(PAY, TOTAL, "timeout")]
    state, commands = run(released(), refunded(), state=state)
    assert (state.status, commands) == ("cancelled", [CancelOrder("timeout", refunded=True, released=True)])


# --- duplicates --------------------------------------------------------------------------------------------

FLOWS = {
    "confirmed": [placed(), paid(), reserved()],
    "payment_failed": [placed(), declined()],
    "out_of_stock": [placed(), paid(), no_stock(), refunded()],
    "early_arrivals": [reserved(), paid(), placed()],
}


@pytest.mark.parametrize("flow", FLOWS)
def test_an_immediate_redelivery_changes_nothing(flow):
    state = None
    for event in FLOWS[flow]:
        state, _ = transition(state, event, T0, D)
        assert transition(state, event, T0 + timedelta(seconds=1), D) == (state, [])


@pytest.mark.parametrize("flow", FLOWS)
def test_a_later_redelivery_of_any_earlier_event_changes_nothing(flow):
    state, _ = run(*FLOWS[flow])
    for event in FLOWS[flow]:
        assert transition(state, event, T0 + timedelta(seconds=1), D) == (state, [])


def test_the_payment_timeout_flow_is_idempotent_too():
    state, _ = on_deadline(run(placed())[0], T0 + D.payment_timeout, D)
    state, _ = run(paid(), reserved(), released(), refunded(), state=state)
    for event in (placed(), paid(), reserved(), released(), refunded()):
        assert transition(state, event, T0, D) == (state, [])


def test_payment_requested_is_informational():
    assert transition(None, ev("payments.requested", payment_id=PAY, amount=TOTAL), T0, D) == (None, [])
    state, _ = run(placed())
    assert transition(state, ev("payments.requested", payment_id=PAY, amount=TOTAL), T0, D) == (state, [])


# --- events that cannot be explained -----------------------------------------------------------------------


@pytest.mark.parametrize("answer", [refunded(), released()])
def test_an_answer_to_a_command_never_issued_with_no_saga_is_dead_lettered(answer):
    state, commands = transition(None, answer, T0, D)
    assert state is None
    assert len(commands) == 1 and isinstance(commands[0], DeadLetter) and "sem saga" in commands[0].reason


def test_an_event_type_the_saga_does_not_handle_is_dead_lettered_without_touching_the_saga():
    event = ev(
        "orders.confirmed", customer_id="cli-1", total_amount=TOTAL, payment_id=PAY, reservation_id=RES
    )
    assert transition(None, event, T0, D)[1] == [
        DeadLetter("tipo de evento que a saga não trata: OrderConfirmed")
    ]
    state, _ = run(placed())
    assert transition(state, event, T0, D)[0] is state


def test_an_event_of_another_order_is_a_programming_error():
    state, _ = run(placed())
    with pytest.raises(ValueError, match="o-2"):
        transition(state, paid(order_id="o-2"), T0, D)


CONTRADICTIONS = {
    "declined after paid": ([placed(), paid()], declined()),
    "second payment": ([placed(), paid()], distinct(paid(payment_id="pay-2"))),
    "paid after declined (before order)": ([declined()], paid()),
    "stock for a declined payment": ([declined()], reserved()),
    "second reservation": ([placed(), reserved()], distinct(reserved(reservation_id="res-2"))),
    "reserved after out of stock": ([placed(), paid(), no_stock()], reserved()),
    "out of stock after reserved": ([placed(), reserved()], no_stock()),
    "refund never asked": ([placed(), paid()], refunded()),
    "release never asked": ([placed(), paid()], released()),
    "refund of another payment": ([placed(), paid(), no_stock()], refunded(payment_id="pay-9")),
}


@pytest.mark.parametrize("case", CONTRADICTIONS)
def test_a_contradiction_parks_a_running_saga_in_dlq(case):
    before, event = CONTRADICTIONS[case]
    state, _ = run(*before)
    assert not state.terminal
    state, commands = transition(state, event, T0, D)
    assert state.status == "dlq" and state.step_deadline is None
    assert len(commands) == 1 and isinstance(commands[0], DeadLetter)
    assert state.last_event_id == str(event["event_id"])
    assert transition(state, event, T0, D) == (state, [])  # and its redelivery is a duplicate


def test_a_contradiction_after_the_end_is_dead_lettered_but_the_outcome_stands():
    confirmed = full_state()
    for event in (declined(), refunded(), released(), no_stock(), paid(payment_id="pay-2")):
        state, commands = transition(confirmed, event, T0, D)
        assert state.status == "confirmed" and state.version == confirmed.version + 1
        assert len(commands) == 1 and isinstance(commands[0], DeadLetter)


def test_everything_after_dlq_is_parked_too():
    state, _ = run(placed(), paid(), declined())
    assert state.status == "dlq"
    for event in (reserved(), refunded(), placed()):
        version = state.version
        state, commands = transition(state, event, T0, D)
        assert state.status == "dlq" and state.version == version + 1
        assert commands == [DeadLetter(f"{event['event_type']} para uma saga em dlq")]
    assert on_deadline(state, T0 + timedelta(days=1), D) == (state, [])


# --- properties over many arrival orders -------------------------------------------------------------------

TERMINAL_COMMANDS = (ConfirmOrder, CancelOrder)


def settle(events: list[dict]) -> tuple[SagaState, list]:
    """Deliver ``events`` in order, then the answers payment and inventory give to the saga's commands."""
    state, commands, queue = None, [], list(events)
    while queue:
        state, emitted = transition(state, queue.pop(0), T0, D)
        commands += emitted
        for command in emitted:
            if isinstance(command, RequestRefund):
                queue.append(refunded())
            elif isinstance(command, RequestRelease):
                queue.append(released(reservation_id=command.reservation_id))
    return state, commands


SCENARIOS = {
    "confirmed": ([placed(), paid(), reserved()], "confirmed", None),
    "out_of_stock": ([placed(), paid(), no_stock()], "cancelled", CancelOrder("out_of_stock", True, False)),
    "payment_failed": ([placed(), declined()], "cancelled", CancelOrder("payment_failed", False, False)),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_arrival_order_with_duplicates_gives_one_terminal_command(scenario):
    events, status, cancel = SCENARIOS[scenario]
    for order in itertools.permutations(events + events[:2]):  # the first two arrive twice
        state, commands = settle(list(order))
        terminal = [c for c in commands if isinstance(c, TERMINAL_COMMANDS)]
        assert state.status == status and len(terminal) == 1, order
        assert cancel is None or terminal == [cancel]
        assert not any(isinstance(c, DeadLetter) for c in commands)


class World:
    """Payment and inventory acting on the saga's commands, topics read in any order, a clock, restarts.

    Each actor handles its inputs whenever the random schedule picks it, as the real processors do; the saga
    reads whatever was produced in any order (Kafka orders nothing across topics) and sometimes twice.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.payment = self.rng.choice(["approve", "approve", "decline", "silent"])
        self.stock = {"p-cafe": self.rng.choice([1, 2, 10]), "p-xicara": self.rng.choice([0, 5, 5])}
        self.slowness = self.rng.choice([0.05, 0.3, 0.6])  # how often time passes between two actions
        self.initial_stock = dict(self.stock)
        self.clock, self.state, self.commands = T0, None, []
        self.inbox, self.read = [placed()], []  # produced and not yet read by the saga / already read
        self.to_charge, self.to_reserve = self.payment != "silent", False
        self.refunds, self.releases = [], []  # commands waiting for payment / inventory
        self.charged = self.refunded = Decimal(0)
        self.reservation: list[tuple[str, int]] | None = None
        self.released_items = 0
        self.blocked = False  # a release before the reserve refuses a late reserve (sql/002_inventory.sql)

    def actions(self) -> list:
        actions = [self.read_one] * bool(self.inbox) + [self.charge] * self.to_charge
        actions += [self.reserve] * self.to_reserve + [self.refund] * bool(self.refunds)
        return actions + [self.release] * bool(self.releases)

    def run(self) -> None:
        for _ in range(500):
            actions = self.actions()
            waiting = (
                self.state is not None and not self.state.terminal and self.state.step_deadline is not None
            )
            if not actions and not waiting:
                return
            roll = self.rng.random()
            if not actions or roll < self.slowness:
                self.tick(jump=not actions)
            elif roll < self.slowness + 0.05 and self.read:
                self.apply(*transition(self.state, self.rng.choice(self.read), self.clock, D))
            elif roll < self.slowness + 0.1 and self.state is not None:
                self.state = SagaState.from_record(self.state.to_record())  # a restart restores the changelog
            else:
                self.rng.choice(actions)()
        raise AssertionError("the saga never settled")

    def apply(self, state, commands) -> None:
        self.state = state
        for command in commands:
            if isinstance(command, CancelOrder):  # it reports compensations already done, and only those
                assert command.refunded == (self.refunded > 0)
                assert command.released == (self.released_items > 0)
            self.refunds += [command] * isinstance(command, RequestRefund)
            self.releases += [command] * isinstance(command, RequestRelease)
        self.commands += commands

    def tick(self, jump: bool) -> None:
        deadline = self.state.step_deadline if self.state and self.state.step_deadline else self.clock
        self.clock = (
            max(self.clock, deadline) if jump else self.clock + timedelta(seconds=self.rng.uniform(0, 20))
        )
        self.apply(*on_deadline(self.state, self.clock, D))

    def read_one(self) -> None:
        event = self.inbox.pop(self.rng.randrange(len(self.inbox)))
        self.read.append(event)
        self.apply(*transition(self.state, event, self.clock, D))

    def charge(self) -> None:
        self.to_charge = False
        self.inbox.append(ev("payments.requested", payment_id=PAY, amount=TOTAL))
        if self.payment == "approve":
            self.charged, self.to_reserve = TOTAL, True
            self.inbox.append(paid())
        else:
            self.inbox.append(declined())

    def reserve(self) -> None:
        self.to_reserve = False
        if self.blocked:
            self.inbox.append(no_stock(reason="order_already_released"))
            return
        decision = decide_reservation([(i["product_id"], i["quantity"]) for i in ITEMS], self.stock)
        if isinstance(decision, Reserve):
            self.stock.update(decision.remaining)
            assert min(self.stock.values()) >= 0
            self.reservation = list(decision.items)
            self.inbox.append(reserved())
        else:
            self.inbox.append(no_stock())

    def release(self) -> None:
        command = self.releases.pop(0)
        items, self.reservation = self.reservation or [], None
        self.blocked = not items
        for product_id, quantity in items:
            self.stock[product_id] += quantity
        self.released_items += sum(quantity for _, quantity in items)
        wire = [{"product_id": p, "quantity": q} for p, q in items]
        self.inbox.append(released(reservation_id=command.reservation_id, items=wire))

    def refund(self) -> None:
        command = self.refunds.pop(0)
        assert command.payment_id == PAY and self.charged == command.amount
        self.refunded += command.amount
        self.inbox.append(refunded())


WORLDS = 2000


def check_world(seed: int) -> tuple[str, ...]:
    """Run one world and assert the audit's invariants; return its ending and ledger, to measure coverage."""
    world = World(seed)
    world.run()
    commands, state = world.commands, world.state
    terminal = [c for c in commands if isinstance(c, TERMINAL_COMMANDS)]
    assert len(terminal) == 1, commands
    assert not any(isinstance(c, DeadLetter) for c in commands), commands
    assert sum(isinstance(c, RequestRefund) for c in commands) <= 1
    assert sum(isinstance(c, RequestRelease) for c in commands) <= 1
    if state.status == "confirmed":
        assert terminal == [ConfirmOrder()]
        assert (world.charged, world.refunded, world.released_items) == (TOTAL, 0, 0)
        assert world.reservation is not None
    else:
        assert state.status == "cancelled" and isinstance(terminal[0], CancelOrder)
        assert world.charged == world.refunded  # money taken for a cancelled order is given back
        assert world.reservation is None and world.stock == world.initial_stock
    return (state.status, getattr(terminal[0], "reason", ""), *sorted(state.compensations))


def test_in_any_world_each_order_ends_once_and_keeps_neither_money_nor_stock_it_should_not():
    outcomes = set()
    for seed in range(WORLDS):
        try:
            outcomes.add(check_world(seed))
        except AssertionError as error:
            raise AssertionError(f"world seed={seed}: {error}") from error
    # The worlds must reach every ending, or the invariants above would be checked on too little.
    reasons = {outcome[:2] for outcome in outcomes}
    assert {("confirmed", ""), ("cancelled", "payment_failed"), ("cancelled", "out_of_stock")} <= reasons
    assert ("cancelled", "timeout") in reasons
    assert any("released" in outcome for outcome in outcomes)  # a reserve undone after a timeout
    assert any("released_nothing" in outcome for outcome in outcomes)  # a release that beat the reserve
