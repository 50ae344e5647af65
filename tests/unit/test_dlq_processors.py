"""What the processors and the audit do with dead letters and their replays, without a broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from confluent_kafka.schema_registry import Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError

from gateway.dlq.model import DeadLetter as Letter
from gateway.dlq.model import LedgerEntry, Place
from processors.events import new_event
from processors.orchestrator.handler import OrchestratorHandler, saga_dead_letter_headers
from processors.orchestrator.saga import PARKED, DeadLetter, Deadlines, transition
from processors.payment import handler as payment
from processors.payment.simulation import PaymentSimulation
from processors.runtime.dlq import dead_letter_headers
from processors.runtime.handler import CONSUMED_AT_HEADER, InputRecord
from processors.runtime.inbox import _same_reading
from processors.runtime.serde import AvroCodec, PoisonPill
from tests.unit.processors.runtime.fakes import FakeMessage
from tools.verify import snapshot as audit_snapshot
from tools.verify.observations import Seen, Snapshot
from tools.verify.properties import duplicates, schemas_valid

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def placed(order_id: str = "o-1") -> dict:
    return new_event(
        "orders.new",
        order_id=order_id,
        correlation_id="c-1",
        causation_id=None,
        producer="gateway",
        customer_id="c-0001",
        items=[{"product_id": "p-0001", "quantity": 1, "unit_price": Decimal("10.00")}],
        total_amount=Decimal("10.00"),
    )


def input_record(event: dict, offset: int = 40, headers: dict | None = None) -> InputRecord:
    return InputRecord("orders.new", 2, offset, event["order_id"], event, headers or {}, b"\x00orig")


# -- the inbox: the same event id read twice -----------------------------------------------------------------
def test_the_inbox_re_emits_only_for_the_same_record_read_again():
    record = input_record(placed(), offset=40)
    assert _same_reading(["orders.new", 2, 40], record)  # the replay after an aborted transaction
    assert not _same_reading(["orders.new", 2, 77], record)  # a DLQ replay's copy: the effect is in
    assert not _same_reading(["orders.retry.5s", 0, 40], record)
    assert _same_reading([None, None, None], record)  # claimed before sources were recorded (migration 009)


# -- payment: a copy of an order already charged changes nothing ----------------------------------------
@pytest.mark.parametrize(("first_reading", "produced"), [(True, 2), (False, 0)])
def test_payment_charges_only_what_it_claims(monkeypatch, first_reading, produced):
    claims = []

    def claim(db, consumer, record):
        claims.append((consumer, record.offset))
        return first_reading

    monkeypatch.setattr(payment, "claim_event", claim)
    handler = payment.PaymentHandler(PaymentSimulation(0.0, 0.0), db=None)
    outputs = handler.handle(input_record(placed()))
    assert len(outputs) == produced
    assert claims == [("payment", 40)]


# -- the orchestrator's dead letters: the runtime's headers, a code to count by ------------------------------
def test_the_saga_dead_letters_with_the_runtime_headers_and_the_original_ones():
    record = input_record(placed(), headers={"correlation-id": "c-1", CONSUMED_AT_HEADER: "1"})
    headers = saga_dead_letter_headers(DeadLetter("pagamento recusado depois de confirmado"), record)
    assert headers["dlq.reason"] == "illegal-transition"
    assert headers["dlq.detail"] == "pagamento recusado depois de confirmado"
    assert (headers["dlq.origin.topic"], headers["dlq.origin.partition"], headers["dlq.origin.offset"]) == (
        "orders.new",
        "2",
        "40",
    )
    assert headers["dlq.processor"] == "orchestrator" and headers["dlq.attempt"] == "1"
    assert headers["correlation-id"] == "c-1" and CONSUMED_AT_HEADER not in headers
    parked = saga_dead_letter_headers(DeadLetter(f"PaymentConfirmed {PARKED}"), None)
    assert parked["dlq.reason"] == "saga-parked" and "dlq.origin.topic" not in parked
    # one builder: the same dlq.* headers, in the same order, as the runtime's own dead letters
    runtime = dead_letter_headers(FakeMessage("orders.new", 2, 40, b""), "orchestrator", "r", "d")
    assert [k for k in headers if k.startswith("dlq.")] == [k for k, _ in runtime]


def test_the_saga_ignores_a_copy_of_every_event_it_already_applied():
    event = placed()
    state, commands = transition(None, event, NOW, Deadlines())
    assert commands == [] and state is not None
    again, commands = transition(state, {**event, "event_id": uuid.uuid4()}, NOW, Deadlines())
    assert (again, commands) == (state, [])  # the fact (placed) is known: nothing happens


# -- the decoder: a payload the writer's schema cannot read is a poison pill, the registry away is not ----
class FakeRegistry:
    """Answers get_schema(id) with one writer schema, or raises the given error."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def get_schema(self, schema_id: int) -> Schema:
        if self.error:
            raise self.error
        return Schema(json.dumps(ORDER_ID_SCHEMA), "AVRO")


ORDER_ID_SCHEMA = {"type": "record", "name": "T", "fields": [{"name": "order_id", "type": "string"}]}


def test_a_payload_that_fits_its_writer_schema_decodes():
    codec = AvroCodec("http://127.0.0.1:1")
    codec.registry = FakeRegistry()
    assert codec.decode("orders.new", b"\x00\x00\x00\x00\x0a" + b"\x06abc") == {"order_id": "abc"}


@pytest.mark.parametrize("payload", [b"\x06a", b"\x7f", b""])  # string longer than the bytes, bad length
def test_a_payload_that_does_not_fit_its_schema_is_undecodable(payload):
    codec = AvroCodec("http://127.0.0.1:1")
    codec.registry = FakeRegistry()
    with pytest.raises(PoisonPill) as pill:
        codec.decode("orders.new", b"\x00\x00\x00\x00\x0a" + payload)
    assert pill.value.reason == "undecodable"


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), SchemaRegistryError(503, 50301, "unavailable"), ConnectionError()],
)
def test_a_registry_failure_stays_transient(error):
    codec = AvroCodec("http://127.0.0.1:1")
    codec.registry = FakeRegistry(error)
    with pytest.raises(type(error)):
        codec.decode("orders.new", b"\x00\x00\x00\x00\x0a\xff")


def test_an_unknown_schema_id_is_a_poison_pill():
    codec = AvroCodec("http://127.0.0.1:1")
    codec.registry = FakeRegistry(SchemaRegistryError(404, 40403, "Schema 999 not found"))
    with pytest.raises(PoisonPill) as pill:
        codec.decode("orders.new", b"\x00\x00\x00\x03\xe7\xff")
    assert pill.value.reason == "unknown-schema-id"


# -- the audit: a replayed copy is the same event; a poison pill in a DLQ is accounted for ------------------
def _with_dlq_state(monkeypatch, copies: list[Place], origins: list[Place]) -> None:
    ledger = {
        f"o{i}": LedgerEntry(Place("orders.new", 2, 40), c, "r", NOW.isoformat(), ())
        for i, c in enumerate(copies)
    }
    monkeypatch.setattr(audit_snapshot, "read_ledger", lambda _bootstrap: ledger)
    letters = [
        Letter(Place("payments.dlq", 0, i), b"o", b"", _origin_headers(o), 0) for i, o in enumerate(origins)
    ]
    monkeypatch.setattr(audit_snapshot, "read_dead_letters", lambda _bootstrap: letters)


def _origin_headers(place: Place) -> tuple[tuple[str, bytes], ...]:
    return (
        ("dlq.origin.topic", place.topic.encode()),
        ("dlq.origin.partition", str(place.partition).encode()),
        ("dlq.origin.offset", str(place.offset).encode()),
    )


class FakeSettings:
    bootstrap_servers = "unused"


def test_a_replayed_copy_is_folded_into_its_original_but_a_real_duplicate_is_not(monkeypatch):
    event = placed()
    snapshot = Snapshot(
        events={
            "orders.new": [Seen("orders.new", 2, 40, event), Seen("orders.new", 2, 90, event)],
            "payments.requested": [Seen("payments.requested", 2, n, placed("o-2")) for n in (5, 6)],
        }
    )
    _with_dlq_state(monkeypatch, copies=[Place("orders.new", 2, 90)], origins=[])
    audit_snapshot._fold_replays(FakeSettings(), snapshot)
    assert [x.offset for x in snapshot.events["orders.new"]] == [40]
    assert snapshot.replay_copies == 1
    assert any("payments.requested" in v for v in duplicates(snapshot).violations)
    assert not any("orders.new" in v for v in duplicates(snapshot).violations)


def test_a_copy_whose_original_never_decoded_stands_for_the_event(monkeypatch):
    snapshot = Snapshot(events={"orders.new": [Seen("orders.new", 2, 90, placed())]})
    _with_dlq_state(monkeypatch, copies=[Place("orders.new", 2, 90)], origins=[])
    audit_snapshot._fold_replays(FakeSettings(), snapshot)
    assert len(snapshot.events["orders.new"]) == 1 and snapshot.replay_copies == 0


def test_poison_is_a_violation_only_when_no_dlq_holds_it(monkeypatch):
    snapshot = Snapshot(poison=[("orders.new", 1, 7), ("orders.new", 1, 8)])
    snapshot.undecodable["orders.new"] = 2
    _with_dlq_state(monkeypatch, copies=[], origins=[Place("orders.new", 1, 7)])
    audit_snapshot._fold_replays(FakeSettings(), snapshot)
    result = schemas_valid(snapshot)
    assert result.violations == ["orders.new: 1 registros ilegíveis fora de qualquer DLQ"]
    assert result.info["dead-lettered poison"] == 1


# -- the orchestrator's state: restored by the runtime from saga.state, forgotten with its partition ---------
def test_the_orchestrator_takes_its_restored_states_and_drops_them_on_revoke():
    handler = OrchestratorHandler(Deadlines())
    assert handler.changelog_topic == "saga.state"
    state, _commands = transition(None, placed("o-7"), NOW, Deadlines())
    assert state is not None
    handler.restore(3, {"o-7": state.to_record()})
    assert handler.states["o-7"] == state and handler.partition_of["o-7"] == 3
    handler.on_revoke([("orders.new", 3)])
    assert handler.states == {} and handler.partition_of == {}
