"""Dead-letter headers: why and where from, next to the record's own headers."""

from __future__ import annotations

from datetime import datetime

from processors.runtime.dlq import dead_letter_headers
from tests.unit.processors.runtime.fakes import FakeMessage


def _message(headers):
    return FakeMessage("orders.in", 3, 42, b"\x00garbage", key_=b"order-7", headers_=headers)


def test_headers_say_why_and_where_the_record_came_from():
    headers = dead_letter_headers(_message(None), "payment", "not-avro", "no magic byte")
    by_name = dict(headers)
    assert by_name["dlq.reason"] == b"not-avro"
    assert by_name["dlq.detail"] == b"no magic byte"
    assert by_name["dlq.processor"] == b"payment"
    assert by_name["dlq.origin.topic"] == b"orders.in"
    assert by_name["dlq.origin.partition"] == b"3"
    assert by_name["dlq.origin.offset"] == b"42"
    assert by_name["dlq.attempt"] == b"1"
    assert datetime.fromisoformat(by_name["dlq.failed_at"].decode()).tzinfo is not None
    assert all(isinstance(value, bytes) for _name, value in headers)


def test_the_detail_is_cut_to_500_characters():
    by_name = dict(dead_letter_headers(_message(None), "payment", "undecodable", "x" * 2000))
    assert by_name["dlq.detail"] == b"x" * 500


def test_the_original_headers_follow_unchanged_and_in_order():
    original = [("correlation-id", b"c-1"), ("traceparent", "00-abc-01"), ("correlation-id", b"dup")]
    headers = dead_letter_headers(_message(original), "payment", "permanent-error", "bad quantity")
    assert headers[-3:] == [
        ("correlation-id", b"c-1"),
        ("traceparent", b"00-abc-01"),
        ("correlation-id", b"dup"),
    ]
    assert [name for name, _ in headers[:-3]] == [
        "dlq.reason",
        "dlq.detail",
        "dlq.processor",
        "dlq.origin.topic",
        "dlq.origin.partition",
        "dlq.origin.offset",
        "dlq.failed_at",
        "dlq.attempt",
    ]
