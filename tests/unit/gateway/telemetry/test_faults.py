import json
from typing import Any

import pytest

from gateway.telemetry import faults as faults_module
from gateway.telemetry.faults import (
    MAX_DRILL_MS,
    BadFault,
    FaultBook,
    RetryBook,
    parse_fault,
    retry_hop,
)
from tools.chaos import faultlog

T0 = 1_800_000_000_000


class FakeProducer:
    """Stands in for confluent_kafka.Producer: keeps what FaultLog would have written to chaos.faults."""

    def __init__(self, _config: dict[str, Any]) -> None:
        self.records: list[tuple[str, bytes, bytes]] = []

    def produce(self, topic: str, key: bytes, value: bytes, on_delivery: Any = None) -> None:
        self.records.append((topic, key, value))

    def poll(self, _timeout: float) -> int:
        return 0


@pytest.fixture
def drill_log(monkeypatch: pytest.MonkeyPatch) -> tuple[faultlog.FaultLog, list[float]]:
    """The drills' own FaultLog, its producer faked and its clocks pinned: the records are the real shape."""
    monkeypatch.setattr(faultlog, "Producer", FakeProducer)
    now = [0.0]
    monkeypatch.setattr(faultlog.time, "time", lambda: T0 / 1000 + now[0])
    return faultlog.FaultLog("unused:9092", "zombie-1", "zombie", clock=lambda: now[0]), now


def book_of(log: faultlog.FaultLog, book: FaultBook | None = None) -> FaultBook:
    book = book or FaultBook()
    for topic, key, value in log.producer.records:  # type: ignore[attr-defined]
        assert topic == faults_module.FAULTS_TOPIC
        book.add(parse_fault(value, key, 0))
    log.producer.records.clear()  # type: ignore[attr-defined]
    return book


def test_a_drill_from_the_real_fault_log_becomes_a_running_drill_with_spans(drill_log):
    log, now = drill_log
    log.drill_event("drill-started", "2 pedidos/s, 60 s")
    now[0] = 10.0
    frozen = log.start("sigstop", "payment-0", "SIGSTOP pid 42")
    now[0] = 12.0
    log.instant("poison", "3 tópicos / topics", "garbage: orders.new")
    now[0] = 25.0
    log.end(frozen, "SIGCONT")
    now[0] = 30.0
    killed = log.start("sigkill", "inventory-0", "SIGKILL pid 43")
    snap = book_of(log).snapshot(T0 + 31_000)
    [drill] = snap["drills"]
    assert drill["status"] == "running" and drill["scenario"] == "zombie"
    assert (drill["started_ms"], drill["faults"], drill["active"]) == (T0, 3, 1)
    spans = {s["kind"]: s for s in snap["faults"]}
    assert (spans["sigstop"]["start_ms"], spans["sigstop"]["end_ms"]) == (T0 + 10_000, T0 + 25_000)
    assert spans["sigstop"]["ended_by"] == "healed" and spans["sigstop"]["detail"].endswith("SIGCONT")
    assert spans["poison"]["end_ms"] == spans["poison"]["start_ms"] == T0 + 12_000  # never healed: instant
    assert spans["sigkill"]["end_ms"] is None and spans["sigkill"]["target"] == "inventory-0"
    assert spans["sigkill"]["id"] == f"zombie-1/{killed.id}"


def test_the_drill_ending_closes_what_was_never_healed(drill_log):
    log, now = drill_log
    log.drill_event("drill-started", "2 pedidos/s, 60 s")
    now[0] = 5.0
    log.start("exit", "payment-0", "saiu sozinho", injected=False)
    now[0] = 60.0
    log.drill_event("drill-ended", "auditoria / audit: ok")
    book = book_of(log)
    [drill] = book.snapshot(T0 + 61_000)["drills"]
    assert (drill["status"], drill["ended_ms"]) == ("ended", T0 + 60_000)
    assert drill["verdict"] == "auditoria / audit: ok"
    [span] = book.snapshot(T0 + 61_000)["faults"]
    assert (span["injected"], span["end_ms"], span["ended_by"]) == (False, T0 + 60_000, "drill-ended")


def test_a_new_drill_means_the_silent_older_one_is_over():
    book = FaultBook()
    book.add(record("old", "drill-started", T0))
    book.add(record("old", "injected", T0 + 1000, fault_id=1, kind="sigkill"))
    book.add(record("new", "drill-started", T0 + 50_000))
    drills = {d["drill_id"]: d for d in book.snapshot(T0 + 60_000)["drills"]}
    assert drills["old"]["status"] == "abandoned" and drills["new"]["status"] == "running"
    [span] = book.snapshot(T0 + 60_000)["faults"]
    assert (span["end_ms"], span["ended_by"]) == (T0 + 50_000, "drill-lost")


def test_a_drill_that_never_ended_gives_up_after_an_hour_and_says_so_once():
    book = FaultBook()
    book.add(record("d", "drill-started", T0))
    book.add(record("d", "injected", T0 + 2000, fault_id=1, kind="sigstop"))
    version = book.version
    book.settle(T0 + MAX_DRILL_MS)
    assert book.version == version  # not yet
    book.settle(T0 + MAX_DRILL_MS + 1)
    assert book.version == version + 1
    book.settle(T0 + MAX_DRILL_MS + 2)
    assert book.version == version + 1
    [drill] = book.snapshot(T0 + MAX_DRILL_MS + 3)["drills"]
    assert drill["status"] == "abandoned" and drill["active"] == 0


def test_since_and_until_keep_what_overlaps_and_an_open_span_lasts_until_now():
    book = FaultBook()
    book.add(record("d", "drill-started", T0))
    book.add(record("d", "injected", T0 + 1000, fault_id=1, kind="sigkill"))
    book.add(record("d", "healed", T0 + 2000, fault_id=1, kind="sigkill"))
    book.add(record("d", "injected", T0 + 10_000, fault_id=2, kind="sigstop"))

    def ids(**window: int) -> list[int]:
        return [s["fault_id"] for s in book.snapshot(T0 + 20_000, **window)["faults"]]

    assert ids() == [1, 2]
    assert ids(since_ms=T0 + 2000) == [1, 2]  # 1 ended exactly then
    assert ids(since_ms=T0 + 2001) == [2]
    assert ids(until_ms=T0 + 9999) == [1]
    assert ids(since_ms=T0 + 19_000, until_ms=T0 + 19_500) == [2]  # still open: overlaps everything after


def test_a_healing_without_its_injection_is_left_out_and_the_drill_start_is_estimated():
    book = FaultBook()
    book.add(record("d", "healed", T0 + 90_000, fault_id=3, kind="sigkill", t_s=90.0))
    snap = book.snapshot(T0 + 91_000)
    assert snap["faults"] == []
    assert snap["drills"][0]["started_ms"] == T0  # at_ms - t_s: its drill-started is older than the feed


def test_old_spans_leave_once_past_the_window_but_the_last_few_stay():
    book = FaultBook(keep=2, window_ms=60_000)
    book.add(record("d", "drill-started", T0))
    for i in range(1, 5):
        book.add(record("d", "injected", T0 + i * 1000, fault_id=i, kind="poison"))
    book.settle(T0 + 30_000)
    assert len(book.snapshot(T0 + 30_000)["faults"]) == 4  # all inside the window
    book.settle(T0 + 10 * 60_000)
    assert [s["fault_id"] for s in book.snapshot(T0 + 10 * 60_000)["faults"]] == [3, 4]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe not json", "JSON"),
        (b"[1, 2]", "objeto"),
        (b'{"drill_id": "d", "phase": "exploded"}', "fase"),
        (b'{"drill_id": "d", "phase": "injected", "fault_id": "1"}', "fault_id"),
        (b'{"phase": "drill-started"}', "drill_id"),
        (b"", "vazio"),
        (None, "vazio"),
    ],
)
def test_anything_but_a_fault_record_is_refused_with_a_reason(value, reason):
    with pytest.raises(BadFault, match=reason):
        parse_fault(value, None, T0)


def test_the_key_and_the_record_timestamp_fill_in_for_missing_fields():
    parsed = parse_fault(json.dumps({"phase": "drill-started", "injected": True}).encode(), b"k-1", T0)
    assert (parsed["drill_id"], parsed["at_ms"], parsed["t_s"]) == ("k-1", T0, None)
    observed = parse_fault(b'{"drill_id": "d", "phase": "observed", "fault_id": 2, "at_ms": 5}', None, T0)
    assert (observed["injected"], observed["at_ms"]) == (False, 5)


def test_a_retry_hop_reads_the_retry_headers_and_when_it_is_due():
    headers = [
        ("correlation-id", b"c-1"),
        ("retry.attempt", b"2"),
        ("retry.first_failed_at", str(T0).encode()),
        ("retry.error_class", b"OperationalError"),
        ("retry.error", b"connection refused"),
        ("retry.origin.topic", b"payments.confirmed"),
        ("retry.origin.partition", b"3"),
        ("retry.origin.offset", b"120"),
    ]
    hop = retry_hop("inventory.retry.30s", 3, 7, T0, b"o-1", headers, "inventory")
    assert hop is not None
    assert (hop["stage"], hop["delay_s"], hop["due_ms"], hop["attempt"]) == ("retry", 30.0, T0 + 30_000, 2)
    assert (hop["error_class"], hop["order_id"], hop["processor"]) == ("OperationalError", "o-1", "inventory")
    assert hop["origin"] == {"topic": "payments.confirmed", "partition": 3, "offset": 120}


def test_a_dead_letter_hop_keeps_its_own_headers_before_the_originals():
    headers = [
        ("dlq.reason", b"retries-exhausted"),
        ("dlq.processor", b"payment"),
        ("dlq.attempt", b"3"),
        ("dlq.origin.topic", b"orders.new"),
        ("dlq.origin.partition", b"1"),
        ("dlq.origin.offset", b"9"),
        ("dlq.reason", b"older-reason"),  # an older dead letter's headers, carried along
    ]
    hop = retry_hop("payments.dlq", 0, 4, T0, b"o-2", headers)
    assert hop is not None
    assert (hop["stage"], hop["error_class"], hop["processor"], hop["due_ms"]) == (
        "dlq",
        "retries-exhausted",
        "payment",
        None,
    )
    assert hop["origin"] == {"topic": "orders.new", "partition": 1, "offset": 9}
    assert retry_hop("orders.new", 0, 1, T0, b"o", []) is None


def test_the_retry_book_keeps_each_orders_hops_in_time_order_and_forgets_old_orders():
    book = RetryBook(max_orders=2, per_order=2, recent=3)
    for i, order in enumerate(["a", "b", "a", "a", "c"]):
        book.add({"order_id": order, "timestamp": T0 - i, "offset": i})
    assert book.for_order("b") == []  # the oldest order left when c came
    assert [h["offset"] for h in book.for_order("a")] == [3, 2]  # newest two, in time order
    assert [h["order_id"] for h in book.newest(10)] == ["a", "a", "c"]


def record(drill_id: str, phase: str, at_ms: int, **fields: Any) -> dict[str, Any]:
    body = {"drill_id": drill_id, "scenario": "s", "phase": phase, "at_ms": at_ms, **fields}
    return parse_fault(json.dumps(body).encode(), None, at_ms)
