"""Dead letters and their replay against the real stack, with the four processors running as real processes.

Each test works on its own order ids and replays only those (``Selection(orders=...)``): the DLQ topics are
shared with whatever ran before.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from confluent_kafka import Consumer, Message, Producer, TopicPartition

from gateway.dlq.kafka_io import LEDGER_TOPIC, read_dead_letters
from gateway.dlq.model import REPLAY_FROM, Action, DeadLetter, Selection
from gateway.dlq.replay import run_replay
from processors.events import new_event
from processors.runtime.dlq import dead_letter_headers
from processors.runtime.serde import AvroCodec
from processors.settings import Settings
from tests.integration.e2e import assert_audit_clean, audit_now, running_processors, watcher
from tools.cli import main
from tools.saga_harness import place_orders, wait_assigned, wait_drained
from tools.seed import run_seed
from tools.stack.procs import wait_until

UNKNOWN_SCHEMA_ID = 2**31 - 7  # far beyond anything the registry hands out


@pytest.fixture(scope="module")
def processors(settings: Settings) -> Iterator[None]:
    run_seed(settings, products=50, customers=200, stock=1000)
    log_dir = settings.state_dir / "test-logs" / "dlq-replay"
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
    with running_processors(settings, log_dir, env=env) as running:
        wait_assigned(settings)
        yield
        assert all(p.exited() is None for p in running.values()), "a processor died"


@pytest.fixture(scope="module")
def codec(settings: Settings) -> AvroCodec:
    return AvroCodec(settings.registry_url)


def produce(
    settings: Settings,
    topic: str,
    key: str,
    value: bytes,
    headers: list[tuple[str, bytes]] | None = None,
    partition: int | None = None,
) -> Message:
    """One record, acknowledged; returns its delivery report (topic, partition, offset)."""
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers, "enable.idempotence": True})
    delivered: list[Message] = []
    extra = {} if partition is None else {"partition": partition}
    producer.produce(
        topic, value, key, headers=headers or [], on_delivery=lambda _e, m: delivered.append(m), **extra
    )
    producer.flush(10)
    assert delivered and delivered[0].error() is None, delivered
    return delivered[0]


def dead_letters_of(settings: Settings, order_id: str, count: int, timeout_s: float = 30) -> list[DeadLetter]:
    def found() -> list[DeadLetter] | None:
        letters = [x for x in read_dead_letters(settings.bootstrap_servers) if x.order_id == order_id]
        return letters if len(letters) >= count else None

    return wait_until(found, timeout_s=timeout_s, what=f"{count} dead letters of {order_id}")


def end_offset(settings: Settings, topic: str, partition: int = 0) -> int:
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "dlq-test-probe"})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)[1]
    finally:
        consumer.close()


def records_of(settings: Settings, order_id: str, topics: tuple[str, ...]) -> list[Message]:
    """Every committed record of the order on these topics (keys are order ids on the order flow)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": f"dlq-test-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        ends = {}
        for topic in topics:
            for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
                ends[(topic, p)] = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
        consumer.assign([TopicPartition(t, p, 0) for (t, p), end in ends.items() if end > 0])
        found: list[Message] = []
        pending = {tp for tp, end in ends.items() if end > 0}

        def drained() -> bool:
            for m in consumer.consume(1000, timeout=0.2):
                if m.error() is None and m.key() == order_id.encode():
                    found.append(m)
            positions = consumer.position([TopicPartition(t, p) for t, p in pending])
            pending.difference_update(
                (tp.topic, tp.partition) for tp in positions if tp.offset >= ends[(tp.topic, tp.partition)]
            )
            return not pending

        wait_until(drained, timeout_s=60, what=f"reading {topics}")
        return found
    finally:
        consumer.close()


def header(letter: DeadLetter, name: str) -> str | None:
    return letter.header(name)


def test_each_poison_kind_reaches_its_dlq_and_is_not_replayed_blindly(settings, processors, codec):
    garbage, unknown, incompatible = (f"poison-{kind}-{uuid.uuid4()}" for kind in ("garbage", "id", "schema"))
    confirmed_id = codec.registry.get_latest_version("orders.confirmed-value").schema_id
    trace = [("correlation-id", b"poison-test")]
    sent = {
        garbage: produce(settings, "orders.new", garbage, b"garbage \x01\x02\x03", trace),
        unknown: produce(
            settings,
            "inventory.release-requested",
            unknown,
            b"\x00" + struct.pack(">I", UNKNOWN_SCHEMA_ID) + b"x",
        ),
        incompatible: produce(
            settings,
            "orders.confirmed",
            incompatible,
            b"\x00" + struct.pack(">I", confirmed_id) + b"\xff\xff\xff",
        ),
    }
    expected = {
        # orders.new has two processors: each dead-letters the pill into its own DLQ
        garbage: {("payments.dlq", "payment", "not-avro"), ("orders.dlq", "orchestrator", "not-avro")},
        unknown: {("inventory.dlq", "inventory", "unknown-schema-id")},
        incompatible: {("notifications.dlq", "notification", "undecodable")},
    }
    for order_id, wanted in expected.items():
        letters = dead_letters_of(settings, order_id, len(wanted))
        assert {(x.place.topic, x.processor, x.reason) for x in letters} == wanted
        origin = sent[order_id]
        for letter in letters:
            assert letter.origin is not None
            assert (letter.origin.topic, letter.origin.partition, letter.origin.offset) == (
                origin.topic(),
                origin.partition(),
                origin.offset(),
            )
            assert letter.value == origin.value()  # the original bytes, untouched
            assert header(letter, "dlq.failed_at") and header(letter, "dlq.attempt") == "1"
    assert header(dead_letters_of(settings, garbage, 2)[0], "correlation-id") == "poison-test"

    # The loops went on: an order placed after the pills goes all the way through.
    with watcher(settings) as watching:
        [order] = place_orders(1)
        assert watching.wait_for([order], timeout_s=60) == {order: "orders.confirmed"}

    # Undecodable bytes stay undecodable: a replay skips them, and writes nothing.
    ledger_end = end_offset(settings, LEDGER_TOPIC)
    report = run_replay(settings, Selection(orders=frozenset(expected)), dry_run=False, codec=codec)
    assert report.counts()[Action.INVALID] == 4 and report.published == 0
    assert {p.note.split(":")[0] for p in report.planned} == {"not-avro", "unknown-schema-id", "undecodable"}
    assert end_offset(settings, LEDGER_TOPIC) == ledger_end
    wait_drained(settings)
    _snapshot, results = audit_now(settings, scope={order})
    assert_audit_clean(results)  # P15 included: every pill sits in a DLQ
    assert next(r for r in results if r.id == "P15").info["dead-lettered poison"] >= 3


def test_an_illegal_event_for_the_saga_is_dead_lettered_and_a_failed_replay_is_not_retried(
    settings, processors, codec, tmp_path
):
    order_id = f"dlq-illegal-{uuid.uuid4()}"
    refund = new_event(
        "payments.refunded",
        order_id=order_id,
        correlation_id=order_id,
        causation_id=str(uuid.uuid4()),
        producer="test",
        payment_id="pay-x",
        refund_id="ref-x",
        amount=Decimal("10.00"),
    )
    produce(settings, "payments.refunded", order_id, codec.encode("payments.refunded", refund))
    [letter] = dead_letters_of(settings, order_id, 1)
    assert (letter.place.topic, letter.processor, letter.reason) == (
        "orders.dlq",
        "orchestrator",
        "illegal-transition",
    )
    assert "sem saga" in letter.detail

    first = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=False, codec=codec)
    assert (first.counts()[Action.REPLAY], first.published) == (1, 1)
    # The saga still has nothing to refund: the copy is dead-lettered again, marked as a replay.
    letters = dead_letters_of(settings, order_id, 2)
    again = next(x for x in letters if x.replay_of)
    assert again.replay_of == letter.id and header(again, REPLAY_FROM) == letter.id
    assert again.origin is not None and again.origin.id == first.copies[letter.origin.id]

    ledger_end, copy_end = (
        end_offset(settings, LEDGER_TOPIC),
        end_offset(settings, "payments.refunded", again.origin.partition),
    )
    second = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=False, codec=codec)
    assert second.counts() == {Action.ALREADY: 1, Action.FAILED_AGAIN: 1}
    assert second.published == 0
    assert end_offset(settings, LEDGER_TOPIC) == ledger_end
    assert end_offset(settings, "payments.refunded", again.origin.partition) == copy_end
    _check_the_commands_report_it(order_id, letter, again, tmp_path)


def _check_the_commands_report_it(order_id: str, letter: DeadLetter, again: DeadLetter, out: Path) -> None:
    """`pedidos dlq list` and `pedidos dlq replay --dry-run`: exit 0, a table, JSON and PNG that agree."""
    runner = CliRunner()
    listed = runner.invoke(main, ["dlq", "list", "--order", order_id, "--out", str(out)])
    assert listed.exit_code == 0, listed.output
    body = json.loads((out / "dlq-list.json").read_text())
    assert body["data"]["counts_by_reason"] == {"illegal-transition": 2}
    rows = {r["dead_letter"]: r for r in body["data"]["records"]}
    assert rows[letter.id]["replayed"]["copy"] == again.origin.id
    assert rows[again.id]["replay_of"] == letter.id and rows[again.id]["replayed"] is None
    assert body["table"]["rows"][-1] == ["total", 2, 1, 1]
    assert (out / "dlq-list.png").stat().st_size > 0
    assert letter.id in listed.output and "falhou de novo" in listed.output

    dry = runner.invoke(main, ["dlq", "replay", "--order", order_id, "--dry-run", "--out", str(out)])
    assert dry.exit_code == 0, dry.output
    body = json.loads((out / "dlq-replay-dry-run.json").read_text())
    assert body["data"]["counts"] == {
        "replay": 0,
        "already-replayed": 1,
        "still-invalid": 0,
        "failed-again": 1,
        "no-origin": 0,
    }
    assert body["table"]["rows"] == [["illegal-transition", 0, 1, 0, 1, 0], ["total", 0, 1, 0, 1, 0]]
    assert (out / "dlq-replay-dry-run.png").stat().st_size > 0
    assert "já reenviado" in dry.output and "falhou de novo" in dry.output


def test_a_dead_letter_that_can_now_succeed_takes_effect_once_and_a_second_run_changes_nothing(
    settings, processors, codec, new_topic
):
    """A checkout the payment step dead-lettered (say, its provider refused the call as malformed, since
    fixed): its original never took effect anywhere. The dead letter is written as the runtime writes one."""
    order_id = f"dlq-retry-{uuid.uuid4()}"
    placed = new_event(
        "orders.new",
        order_id=order_id,
        correlation_id=order_id,
        causation_id=None,
        producer="gateway",
        customer_id="c-0001",
        items=[{"product_id": "p-0001", "quantity": 1, "unit_price": Decimal("10.00")}],
        total_amount=Decimal("10.00"),
    )
    value = codec.encode("orders.new", placed)
    # The partition the gateway's producer would have chosen for this key: the same default partitioner.
    partition = produce(settings, new_topic("dlq-partitioner", partitions=6), order_id, b"").partition()
    origin = ("orders.new", partition, end_offset(settings, "orders.new", partition))
    headers = [
        ("dlq.reason", b"permanent-error"),
        ("dlq.detail", b"provedor recusou / provider refused"),
        ("dlq.processor", b"payment"),
        ("dlq.origin.topic", origin[0].encode()),
        ("dlq.origin.partition", str(origin[1]).encode()),
        ("dlq.origin.offset", str(origin[2]).encode()),
        ("dlq.failed_at", b"2026-01-01T00:00:00+00:00"),
        ("dlq.attempt", b"1"),
        ("correlation-id", order_id.encode()),
    ]
    produce(settings, "payments.dlq", order_id, value, headers)

    dry = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=True, codec=codec)
    assert (dry.counts()[Action.REPLAY], dry.published) == (1, 0)
    with watcher(settings) as watching:
        first = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=False, codec=codec)
        assert (first.counts()[Action.REPLAY], first.published) == (1, 1)
        assert watching.wait_for([order_id], timeout_s=60) == {order_id: "orders.confirmed"}
    wait_drained(settings)

    ledger_end, origin_end = end_offset(settings, LEDGER_TOPIC), end_offset(settings, "orders.new", partition)
    second = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=False, codec=codec)
    assert second.counts() == {Action.ALREADY: 1} and second.published == 0
    assert (end_offset(settings, LEDGER_TOPIC), end_offset(settings, "orders.new", partition)) == (
        ledger_end,
        origin_end,
    )

    snapshot, results = audit_now(settings, scope={order_id})
    assert_audit_clean(results)
    for topic in (
        "orders.new",
        "payments.requested",
        "payments.confirmed",
        "inventory.reserved",
        "orders.confirmed",
    ):
        assert len(snapshot.events[topic]) == 1, topic
    assert snapshot.notifications[order_id] == 1 and snapshot.reservations[order_id] == "reserved"


def test_replaying_events_that_already_took_effect_changes_nothing(settings, processors, codec):
    with watcher(settings) as watching:
        [order_id] = place_orders(1)
        assert watching.wait_for([order_id], timeout_s=60) == {order_id: "orders.confirmed"}
    wait_drained(settings)
    outputs = (
        "payments.requested",
        "payments.confirmed",
        "inventory.reserved",
        "orders.confirmed",
        "notifications.events",
        "saga.state",
    )
    before = sorted((m.topic(), m.partition(), m.offset()) for m in records_of(settings, order_id, outputs))
    effects_before = _effects(settings, order_id)

    # Dead letters of originals that were in fact processed, one per processor that consumes them, written
    # with the runtime's own header code from the real records.
    owners = {"orders.new": ("payments.dlq", "payment"), "payments.confirmed": ("inventory.dlq", "inventory")}
    owners["orders.confirmed"] = ("notifications.dlq", "notification")
    for message in records_of(settings, order_id, tuple(owners)):
        dlq, processor = owners[message.topic()]
        headers = dead_letter_headers(message, processor, "permanent-error", "teste: o efeito já aconteceu")
        produce(settings, dlq, order_id, message.value(), headers)
    dead_letters_of(settings, order_id, 3)

    report = run_replay(settings, Selection(orders=frozenset({order_id})), dry_run=False, codec=codec)
    assert (report.counts()[Action.REPLAY], report.published) == (3, 3)
    wait_drained(
        settings
    )  # every processor read the copies (the orchestrator too: orders.new, payments.confirmed)

    # Two of the outputs are origins too (payments.confirmed, orders.confirmed): they hold a copy now.
    copies = {tuple(place.rsplit("/", 2)) for place in report.copies.values()}
    after = sorted((m.topic(), m.partition(), m.offset()) for m in records_of(settings, order_id, outputs))
    assert [
        x for x in after if (x[0], str(x[1]), str(x[2])) not in copies
    ] == before  # no output, no saga change
    assert _effects(settings, order_id) == effects_before
    assert not [
        x for x in read_dead_letters(settings.bootstrap_servers) if x.order_id == order_id and x.replay_of
    ]
    snapshot, results = audit_now(settings, scope={order_id})
    assert_audit_clean(results)
    assert snapshot.replay_copies >= 3


def _effects(settings: Settings, order_id: str) -> tuple:
    """The order's side effects in PostgreSQL: claims per processor, its reservation, its notification."""
    with psycopg.connect(settings.database_url) as conn:
        claims = conn.execute(
            "SELECT consumer, count(*) FROM processed_events WHERE order_id = %s GROUP BY 1 ORDER BY 1",
            (order_id,),
        ).fetchall()
        reservation = conn.execute(
            "SELECT status, items FROM reservations WHERE order_id = %s", (order_id,)
        ).fetchall()
        notified = conn.execute(
            "SELECT count(*) FROM notifications WHERE order_id = %s", (order_id,)
        ).fetchone()
    return claims, reservation, notified


def test_the_dashboard_endpoint_answers_the_same_report_as_the_cli_code(settings, codec):
    from gateway.app import close_app, create_app

    app = create_app()
    try:
        client = app.test_client()
        bad = client.post("/api/dlq/replay", json={"reason": 3})
        assert bad.status_code == 400
        assert {f["field"] for f in bad.get_json()["fields"]} == {"reason", "dry_run"}
        response = client.post("/api/dlq/replay", json={"topic": "orders.dlq", "dry_run": True})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
    finally:
        close_app(app)
    direct = run_replay(settings, Selection(topics=frozenset({"orders.dlq"})), dry_run=True, codec=codec)
    expected = direct.as_dict()
    assert body["dry_run"] is True and body["published"] == 0
    assert body["selection"] == expected["selection"]
    assert (body["selected"], body["counts"]) == (expected["selected"], expected["counts"])
    assert body["selected"] >= 1  # the earlier tests left dead letters in orders.dlq
