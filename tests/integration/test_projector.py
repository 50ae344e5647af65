"""The read-model projector on the real stack: offsets stored with the data (docs/architecture.md §6.2).

The events here are made up (no checkout behind them, duplicates and out-of-order arrivals on purpose), so
they never go to the order flow's real topics, where the processors and the exactly-once audit would take
them for real orders. Each test produces them to its own topics, one per real topic it needs, named
``projector-test.<real topic>.<random>``, created for the test and deleted after it, and runs the projector on
those topics only. The values are encoded with the real topic's schema (subject ``<real topic>-value``); the
projector decodes by schema id and derives everything from the event itself (its ``event_type``), never from
the topic name, which it only records in ``order_events.topic``.

Each test also uses its own consumer group, whose offsets rows are deleted afterwards, as are the read-model
rows of the test's orders. Loops run until the read model shows what the test produced, with a deadline, never
with a sleep.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import psycopg
import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from prometheus_client import REGISTRY

from gateway.app import close_app, create_app
from processors.deployment import metrics_port
from processors.events import new_event
from processors.projector.projector import Projector
from processors.runtime.serde import AvroCodec
from processors.topics import TOPICS
from tools.stack.procs import wait_until


class _AnyTime:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, datetime)


ANY_TIME = _AnyTime()
PARTITIONS = {spec.name: spec.partitions for spec in TOPICS}
ITEMS = [{"product_id": "p-0001", "quantity": 2, "unit_price": Decimal("19.90")}]
TOTAL = Decimal("39.80")


@pytest.fixture(scope="module")
def codec(settings):
    return AvroCodec(settings.registry_url)


@pytest.fixture
def group(settings, admin):
    name = f"projector-test-{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("DELETE FROM consumer_offsets WHERE consumer_group = %s", (name,))
    # The offsets committed to Kafka for monitoring: the group is empty by now (projectors closed first).
    for future in admin.delete_consumer_groups([name], request_timeout=10).values():
        try:
            future.result()
        except KafkaException as error:  # a group that never committed does not exist: nothing to delete
            if error.args[0].code() != KafkaError.GROUP_ID_NOT_FOUND:
                raise


class OwnTopics(dict[str, str]):
    """Real topic name -> this test's own topic standing in for it, created on first use."""

    def __init__(self, new_topic: Callable[..., str]) -> None:
        super().__init__()
        self._new_topic = new_topic

    def __missing__(self, real: str) -> str:
        # As many partitions as the real topic: keys spread the same way.
        self[real] = self._new_topic(f"projector-test.{real}", partitions=PARTITIONS[real])
        return self[real]


@pytest.fixture
def topics(settings, new_topic):
    """This test's topics (deleted after it by `new_topic`), then the read-model rows of what it produced."""
    ours = OwnTopics(new_topic)
    yield ours
    if ours:
        with psycopg.connect(settings.database_url) as conn:
            conn.execute(
                """DELETE FROM orders WHERE order_id IN
                     (SELECT order_id FROM order_events WHERE topic = ANY(%(t)s))""",
                {"t": list(ours.values())},
            )
            conn.execute("DELETE FROM order_events WHERE topic = ANY(%s)", (list(ours.values()),))


@pytest.fixture
def produce(settings, codec, topics):
    """Produces one event synchronously to the test's stand-in for ``topic`` (a real topic name), encoded
    with the real topic's schema; returns (partition, offset) from the delivery report."""
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers, "enable.idempotence": True})

    def send(topic: str, event: dict, partition: int | None = None) -> tuple[int, int]:
        reports = []
        extra = {} if partition is None else {"partition": partition}
        producer.produce(
            topics[topic],
            key=event["order_id"],
            value=codec.encode(topic, event),
            on_delivery=lambda error, message: reports.append((error, message)),
            **extra,
        )
        producer.flush(10)
        [(error, message)] = reports
        assert error is None, error
        return message.partition(), message.offset()

    return send


@pytest.fixture
def projectors(settings, codec, topics):
    """Projectors on the test's topics only (those created so far): closed before the topics are deleted."""
    opened: list[Projector] = []

    def start(group: str) -> Projector:
        assert topics, "produce first: a projector reads the test's topics, created by `produce`"
        projector = Projector(
            settings.bootstrap_servers,
            settings.database_url,
            codec,
            group=group,
            topics=tuple(topics.values()),
            poll_timeout_s=0.2,
        )
        opened.append(projector)
        return projector

    yield start
    for projector in opened:
        if not projector.closed:
            projector.close()


def story(order_id: str, t0: datetime) -> dict[str, dict]:
    """One confirmed order's events, each caused by the one before, one second apart."""
    common = {"order_id": order_id, "correlation_id": f"corr-{order_id}", "producer": "test"}
    placed = new_event(
        "orders.new",
        **common,
        causation_id=None,
        occurred_at=t0,
        customer_id="c-0001",
        items=ITEMS,
        total_amount=TOTAL,
        currency="BRL",
    )
    payment = {"payment_id": f"pay-{order_id}", "amount": TOTAL}
    requested = new_event(
        "payments.requested",
        **common,
        causation_id=placed["event_id"],
        occurred_at=t0 + timedelta(seconds=1),
        **payment,
    )
    paid = new_event(
        "payments.confirmed",
        **common,
        causation_id=requested["event_id"],
        occurred_at=t0 + timedelta(seconds=2),
        authorization_code="K7QX2M",
        items=ITEMS,  # v2 of the schema carries the items; v1 ignores the field
        **payment,
    )
    reserved = new_event(
        "inventory.reserved",
        **common,
        causation_id=paid["event_id"],
        occurred_at=t0 + timedelta(seconds=3),
        reservation_id=f"res-{order_id}",
        items=[{"product_id": "p-0001", "quantity": 2}],
        warehouse="CD-SP-01",
    )
    confirmed = new_event(
        "orders.confirmed",
        **common,
        causation_id=reserved["event_id"],
        occurred_at=t0 + timedelta(seconds=4),
        customer_id="c-0001",
        total_amount=TOTAL,
        payment_id=f"pay-{order_id}",
        reservation_id=f"res-{order_id}",
    )
    notified = new_event(
        "notifications.events",
        **common,
        causation_id=confirmed["event_id"],
        occurred_at=t0 + timedelta(seconds=5),
        notification_id=f"not-{order_id}",
        customer_id="c-0001",
        channel="email",
        template="order_confirmed",
        message="Seu pedido foi confirmado!",
        order_status="confirmed",
    )
    return {
        "orders.new": placed,
        "payments.requested": requested,
        "payments.confirmed": paid,
        "inventory.reserved": reserved,
        "orders.confirmed": confirmed,
        "notifications.events": notified,
    }


def read_model(settings, order_id: str) -> tuple[tuple | None, list[str]]:
    with psycopg.connect(settings.database_url) as conn:
        order = conn.execute(
            """SELECT status, customer_id, total_amount, correlation_id, created_at
               FROM orders WHERE order_id = %s""",
            (order_id,),
        ).fetchone()
        events = [
            t for (t,) in conn.execute("SELECT event_type FROM order_events WHERE order_id = %s", (order_id,))
        ]
    return order, events


def stored_offsets(settings, group: str) -> dict[tuple[str, int], int]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer_group = %s", (group,)
        )
        return {(topic, partition): offset for topic, partition, offset in rows}


def project_until(projector: Projector, done: Callable[[], bool], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, f"read model not there after {timeout_s} s: {projector.stats}"
        projector.poll_batch()


def new_order_id() -> str:
    return f"proj-{uuid.uuid4()}"


def test_the_projector_tells_the_orders_story_whatever_the_arrival_order(
    settings, group, topics, produce, projectors
):
    order_id, t0 = new_order_id(), datetime.now(UTC).replace(microsecond=0)
    events = story(order_id, t0)
    delivered = {}
    # The terminal event first, the checkout last: the status must still end confirmed, never regress.
    for topic in reversed(list(events)):
        delivered[topic] = produce(topic, events[topic])

    ours = {e["event_type"] for e in events.values()}
    projector = projectors(group)
    project_until(projector, lambda: ours <= set(read_model(settings, order_id)[1]))

    order, event_types = read_model(settings, order_id)
    assert order == ("confirmed", "c-0001", TOTAL, f"corr-{order_id}", t0)
    # Each event recorded once: event ids deduplicate.
    assert len(event_types) == len(set(event_types))
    offsets = stored_offsets(settings, group)
    for topic, (partition, offset) in delivered.items():
        assert offsets[(topics[topic], partition)] >= offset + 1, topic
    # Its lag, as the runtime's processors report theirs: 0 records and 0 seconds once caught up.
    lag = {"processor": "projector", "group": group, "topic": topics["orders.new"]}
    lag["partition"] = str(delivered["orders.new"][0])
    wait_until(
        lambda: (
            projector.poll_batch() >= 0
            and REGISTRY.get_sample_value("pedidos_consumer_lag_records", lag) == 0
            and REGISTRY.get_sample_value("pedidos_consumer_lag_seconds", lag) == 0
        ),
        timeout_s=30,
        what=f"projector lag 0 for {lag}",
    )

    app = create_app({"TESTING": True})
    try:
        body = app.test_client().get(f"/orders/{order_id}").json
    finally:
        close_app(app)
    assert (body["status"], body["total_amount"], body["customer_id"]) == ("confirmed", "39.80", "c-0001")
    listed = [e["event_type"] for e in body["events"] if e["event_type"] in ours]
    assert listed == [e["event_type"] for e in events.values()]  # in occurred_at order
    placed = body["events"][0]
    assert placed["topic"] == topics["orders.new"]
    assert placed["payload"]["items"] == [{"product_id": "p-0001", "quantity": 2, "unit_price": "19.90"}]


def notification(order_id: str) -> dict:
    """A NotificationSent for a made-up order."""
    return story(order_id, datetime.now(UTC))["notifications.events"]


def test_a_restarted_projector_resumes_from_postgresql_and_duplicates_nothing(
    settings, group, produce, projectors
):
    a, b, c = (notification(new_order_id()) for _ in range(3))
    produce("notifications.events", a)
    produce("notifications.events", b)

    first = projectors(group)
    project_until(first, lambda: all(read_model(settings, e["order_id"])[1] for e in (a, b)))
    first.close()
    before_restart = stored_offsets(settings, group)
    assert before_restart

    produce("notifications.events", a)  # the same event again, as a producer retry would write it
    produce("notifications.events", c)
    second = projectors(group)
    project_until(
        second, lambda: bool(read_model(settings, c["order_id"])[1]) and second.stats.duplicates >= 1
    )

    for event in (a, b, c):
        assert read_model(settings, event["order_id"]) == (
            ("confirmed", "c-0001", None, event["correlation_id"], ANY_TIME),
            ["NotificationSent"],
        )
    # It started where the first one stopped, as stored in PostgreSQL: nothing before was read again.
    assert second.stats.first_offsets
    for tp, first_offset in second.stats.first_offsets.items():
        assert first_offset >= before_restart.get(tp, 0), tp
    after = stored_offsets(settings, group)
    assert all(after[tp] >= offset for tp, offset in before_restart.items())


def test_a_consumer_that_lost_its_partition_cannot_write(settings, group, topics, produce, projectors):
    """Compare-and-set on consumer_offsets: if another owner moved the offset, our batch is rolled back."""
    first, fenced, later = (notification(new_order_id()) for _ in range(3))
    partition, _ = produce("notifications.events", first)
    projector = projectors(group)
    project_until(projector, lambda: bool(read_model(settings, first["order_id"])[1]))

    _, fenced_offset = produce("notifications.events", fenced, partition=partition)
    with psycopg.connect(settings.database_url) as conn:  # the partition's new owner projected `fenced`
        conn.execute(
            """UPDATE consumer_offsets SET next_offset = %s
               WHERE consumer_group = %s AND topic = %s AND partition = %s""",
            (fenced_offset + 1, group, topics["notifications.events"], partition),
        )
    produce("notifications.events", later, partition=partition)
    project_until(projector, lambda: bool(read_model(settings, later["order_id"])[1]))

    assert read_model(settings, fenced["order_id"]) == (None, [])
    assert stored_offsets(settings, group)[(topics["notifications.events"], partition)] > fenced_offset + 1


def test_sigterm_stops_the_projector_cleanly(settings, group):
    # `python -m processors.projector` always reads the real topics: it only reads them, produces nothing.
    env = {**os.environ, "PEDIDOS_PROJECTOR_GROUP": group, "PEDIDOS_PROJECTOR_POLL_TIMEOUT_S": "0.2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "processors.projector"], env=env, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    assigned = threading.Event()

    def read_logs() -> None:
        for line in process.stderr:
            lines.append(line)
            if "partitions assigned" in line:
                assigned.set()

    reader = threading.Thread(target=read_logs, daemon=True)
    reader.start()
    try:
        assert assigned.wait(60), "".join(lines)
        # It serves its metrics on its own port, for Prometheus' `projector` job.
        url = f"http://{settings.host}:{metrics_port(settings, 'projector')}/metrics"
        assert "pedidos_projector_batch_duration_seconds_count" in httpx.get(url, timeout=5).text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
    assert process.returncode == 0, "".join(lines)
    assert any('"projector stopped"' in line for line in lines), "".join(lines)
