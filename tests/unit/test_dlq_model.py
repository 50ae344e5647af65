"""The DLQ tools' pure logic: reading a dead letter's headers, choosing what to replay, counting a run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.dlq.model import (
    REPLAY_FROM,
    Action,
    DeadLetter,
    LedgerEntry,
    Place,
    ReplayReport,
    Selection,
    counts_by_reason,
    format_age,
    original_headers,
    parse_place,
    plan,
    reason_rows,
    replay_headers,
)
from processors.runtime.dlq import dead_letter_headers
from tests.unit.processors.runtime.fakes import FakeMessage

ORIGINAL_HEADERS = [("correlation-id", b"c-1"), ("traceparent", b"00-abc-01")]
PARTITIONS = {"orders.new": 6, "payments.confirmed": 6}


def letter(
    offset: int = 0,
    reason: str = "permanent-error",
    origin: tuple[str, int, int] = ("orders.new", 2, 40),
    key: bytes | None = b"o-1",
    extra: list[tuple[str, bytes]] | None = None,
    dlq: str = "payments.dlq",
) -> DeadLetter:
    """A dead letter with exactly the headers the runtime writes (processors/runtime/dlq.py)."""
    message = FakeMessage(*origin, b"\x00bytes", key_=key, headers_=ORIGINAL_HEADERS + (extra or []))
    headers = dead_letter_headers(message, "payment", reason, "detalhe")
    return DeadLetter(Place(dlq, 0, offset), key, b"\x00bytes", tuple(headers), 1_000_000)


def valid(_letter: DeadLetter, _origin: Place) -> str | None:
    return None


def test_the_runtime_headers_are_read_back():
    x = letter(reason="not-avro")
    assert (x.reason, x.detail, x.processor, x.order_id) == ("not-avro", "detalhe", "payment", "o-1")
    assert x.origin == Place("orders.new", 2, 40)
    assert x.id == "payments.dlq/0/0" and x.replay_of is None
    assert x.age_s(1_004_500) == 4.5


def test_the_first_header_wins_over_older_ones_in_the_original():
    x = letter(reason="permanent-error", extra=[("dlq.reason", b"older")])
    assert x.reason == "permanent-error"


def test_a_record_that_went_through_the_retry_topics_points_at_its_first_origin():
    retry = [
        ("retry.origin.topic", b"orders.new"),
        ("retry.origin.partition", b"5"),
        ("retry.origin.offset", b"9"),
    ]
    x = letter(origin=("payments.retry.30s", 1, 3), extra=retry)
    assert x.origin == Place("orders.new", 5, 9)


def test_a_dead_letter_without_usable_origin_headers_has_no_origin():
    x = DeadLetter(Place("orders.dlq", 0, 1), b"o", b"", (("dlq.origin.topic", b"orders.new"),), 0)
    assert x.origin is None
    bad = (("dlq.origin.topic", b"orders.new"), ("dlq.origin.partition", b"x"), ("dlq.origin.offset", b"1"))
    y = DeadLetter(Place("orders.dlq", 0, 1), b"o", b"", bad, 0)
    assert y.origin is None


def test_replay_headers_are_the_original_ones_plus_the_replay_marks():
    x = letter(extra=[("retry.attempt", b"2"), ("pedidos-consumed-at", b"1"), ("dlq.replay.id", b"old")])
    assert original_headers(x) == ORIGINAL_HEADERS
    at = datetime(2026, 1, 2, tzinfo=UTC)
    headers = dict(replay_headers(x, Place("orders.new", 2, 40), "run-1", at))
    assert headers["correlation-id"] == b"c-1"
    assert headers[REPLAY_FROM] == b"payments.dlq/0/0"
    assert headers["dlq.replay.origin"] == b"orders.new/2/40"
    assert headers["dlq.replay.id"] == b"run-1"
    assert headers["dlq.replay.at"] == at.isoformat().encode()
    assert not any(k in headers for k in ("dlq.reason", "retry.attempt", "pedidos-consumed-at"))


def test_selection_by_reason_topic_of_either_side_and_order():
    x = letter(reason="not-avro")
    assert Selection().matches(x)
    assert Selection(reasons=frozenset({"not-avro"})).matches(x)
    assert not Selection(reasons=frozenset({"permanent-error"})).matches(x)
    assert Selection(topics=frozenset({"payments.dlq"})).matches(x)
    assert Selection(topics=frozenset({"orders.new"})).matches(x)
    assert not Selection(topics=frozenset({"inventory.dlq"})).matches(x)
    assert not Selection(orders=frozenset({"o-2"})).matches(x)


def test_plan_replays_what_decodes_and_was_never_replayed():
    planned = plan([letter(0), letter(1, origin=("orders.new", 2, 41))], set(), valid, PARTITIONS)
    assert [p.action for p in planned] == [Action.REPLAY, Action.REPLAY]


def test_plan_never_replays_an_original_twice_even_forced():
    planned = plan([letter(0)], {"orders.new/2/40"}, valid, PARTITIONS, force=True)
    assert [(p.action, p.note) for p in planned] == [(Action.ALREADY, "orders.new/2/40")]


def test_plan_skips_still_invalid_bytes_unless_forced():
    def broken(_letter: DeadLetter, _origin: Place) -> str:
        return "not-avro: no magic byte"

    assert plan([letter()], set(), broken, PARTITIONS)[0].action is Action.INVALID
    assert plan([letter()], set(), broken, PARTITIONS)[0].note == "not-avro: no magic byte"
    assert plan([letter()], set(), broken, PARTITIONS, force=True)[0].action is Action.REPLAY


def test_plan_skips_a_replay_that_failed_again_unless_forced():
    again = letter(7, origin=("orders.new", 2, 90), extra=[(REPLAY_FROM, b"payments.dlq/0/0")])
    assert again.replay_of == "payments.dlq/0/0"
    assert plan([again], set(), valid, PARTITIONS)[0].action is Action.FAILED_AGAIN
    assert plan([again], set(), valid, PARTITIONS, force=True)[0].action is Action.REPLAY


@pytest.mark.parametrize("origin", [("saga.state", 0, 1), ("orders.new", 6, 1), ("orders.new", -1, 1)])
def test_plan_refuses_origins_no_processor_reads(origin):
    assert plan([letter(origin=origin)], set(), valid, PARTITIONS)[0].action is Action.NO_ORIGIN


def test_one_original_held_by_two_dlqs_is_replayed_once_and_both_count_as_replayed():
    by_payment = letter(3, dlq="payments.dlq")
    by_orchestrator = letter(5, dlq="orders.dlq")
    planned = plan([by_payment, by_orchestrator], set(), valid, PARTITIONS)
    assert [p.action for p in planned] == [Action.REPLAY, Action.REPLAY]
    assert {p.note for p in planned} == {"orders.new/2/40"}


def test_the_report_counts_per_reason_and_action():
    report = ReplayReport("r", dry_run=True, forced=False, selection=Selection())
    report.planned = plan(
        [
            letter(0),
            letter(1, origin=("orders.new", 1, 1)),
            letter(2, "not-avro", origin=("orders.new", 1, 2)),
        ],
        {"orders.new/1/1"},
        valid,
        PARTITIONS,
    )
    body = report.as_dict()
    assert body["counts"] == {
        "replay": 2,
        "already-replayed": 1,
        "still-invalid": 0,
        "failed-again": 0,
        "no-origin": 0,
    }
    assert body["by_reason"]["permanent-error"]["already-replayed"] == 1
    assert body["by_reason"]["not-avro"]["replay"] == 1
    assert reason_rows(report)[-1] == ["total", 2, 1, 0, 0, 0]
    assert body["selected"] == 3 and body["records"][0]["dead_letter"] == "payments.dlq/0/0"


def test_ledger_entries_round_trip_and_places_parse_back():
    entry = LedgerEntry(
        Place("orders.new", 2, 40), Place("orders.new", 2, 99), "r", "2026-01-02T00:00:00+00:00", ("a/0/1",)
    )
    assert LedgerEntry.from_json(entry.to_json()) == entry
    assert parse_place("payments.refund-requested/3/12") == Place("payments.refund-requested", 3, 12)
    assert entry.summary() == {
        "copy": "orders.new/2/99",
        "replay_id": "r",
        "replayed_at": "2026-01-02T00:00:00+00:00",
    }
    assert LedgerEntry(entry.origin, None, "r", "t", ()).summary()["copy"] is None


def test_counts_and_ages_for_the_list():
    assert counts_by_reason([letter(0), letter(1, "not-avro"), letter(2)]) == {
        "permanent-error": 2,
        "not-avro": 1,
    }
    assert [format_age(s) for s in (5, 125, 7300, 200000)] == ["5s", "2m", "2h", "2d"]
