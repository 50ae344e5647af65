from processors.runtime.handler import PermanentError
from processors.runtime.retry import (
    ATTEMPT,
    Failure,
    delay_of,
    due_at_ms,
    is_permanent,
    retry_topics,
)


def test_retry_topics_follow_the_dlq_prefix() -> None:
    assert retry_topics("payments.dlq") == ("payments.retry.5s", "payments.retry.30s")
    assert delay_of("payments.retry.30s") == 30.0
    assert delay_of("payments.requested") is None
    assert delay_of("x.retry.soon") is None


def test_a_failing_record_visits_5s_then_30s_then_the_dlq() -> None:
    error = TimeoutError("db away")
    first = Failure.first_or_next("orders.new", 2, 41, {}, error, now_ms=1000)
    assert (first.attempt, first.destination("payments.dlq", permanent=False)) == (1, "payments.retry.5s")
    second = Failure.first_or_next("payments.retry.5s", 0, 7, first.headers(), error, now_ms=9000)
    assert (second.attempt, second.destination("payments.dlq", False)) == (2, "payments.retry.30s")
    third = Failure.first_or_next("payments.retry.30s", 0, 3, second.headers(), error, now_ms=50_000)
    assert (third.attempt, third.destination("payments.dlq", False)) == (3, "payments.dlq")
    # The origin and the first failure time survive every hop: the DLQ says where the record really came from.
    assert (third.origin_topic, third.origin_partition, third.origin_offset) == ("orders.new", 2, 41)
    assert third.first_failed_at_ms == 1000
    assert third.headers()[ATTEMPT] == "3" and third.error_class == "TimeoutError"


def test_a_permanent_failure_goes_straight_to_the_dlq() -> None:
    error = PermanentError("no items")
    assert is_permanent(error) and not is_permanent(TimeoutError())
    failure = Failure.first_or_next("payments.confirmed", 0, 1, {}, error, now_ms=0)
    assert failure.destination("inventory.dlq", permanent=True) == "inventory.dlq"


def test_headers_on_an_origin_topic_do_not_count_as_earlier_attempts() -> None:
    # A replayed dead letter keeps its old retry headers but arrives on its origin topic: a fresh start.
    stale = {ATTEMPT: "3", "retry.origin.topic": "orders.new"}
    assert Failure.first_or_next("orders.new", 0, 9, stale, ValueError("x"), now_ms=5).attempt == 1


def test_a_retry_record_is_due_after_its_topic_delay() -> None:
    assert due_at_ms("payments.retry.5s", 10_000) == 15_000
    assert due_at_ms("orders.new", 10_000) == 10_000
