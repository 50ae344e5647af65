"""The feed's view of retry records and the topics it follows (no broker: a stand-in Message)."""

from dataclasses import dataclass, field

from gateway.telemetry.faults import FAULTS_TOPIC
from gateway.telemetry.feed import RETRY_TOPICS, WATCHED_TOPICS, event_view


@dataclass
class Msg:
    topic_: str
    key_: bytes | None
    headers_: list[tuple[str, bytes]] = field(default_factory=list)

    def topic(self) -> str:
        return self.topic_

    def partition(self) -> int:
        return 2

    def offset(self) -> int:
        return 40

    def key(self) -> bytes | None:
        return self.key_

    def headers(self) -> list[tuple[str, bytes]]:
        return self.headers_

    def timestamp(self) -> tuple[int, int]:
        return (1, 1_800_000_000_000)


def test_the_feed_follows_every_retry_topic_and_the_fault_log():
    assert {"payments.retry.5s", "payments.retry.30s", "orders.retry.5s", "inventory.retry.30s"} <= set(
        RETRY_TOPICS
    )
    assert set(RETRY_TOPICS) <= set(WATCHED_TOPICS)
    assert FAULTS_TOPIC in WATCHED_TOPICS and "payments.dlq" in WATCHED_TOPICS


def test_a_retry_record_is_a_retry_event_with_its_retry_headers_as_payload():
    message = Msg(
        "payments.retry.5s",
        b"o-7",
        [("correlation-id", b"c-7"), ("retry.attempt", b"1"), ("retry.error_class", b"TimeoutError")],
    )
    event = event_view(message, None, 5)  # type: ignore[arg-type]
    assert (event["event_type"], event["order_id"], event["producer"]) == ("Retry", "o-7", "payment")
    assert event["payload"] == {"retry.attempt": "1", "retry.error_class": "TimeoutError"}
    assert event["correlation_id"] == "c-7"


def test_a_dead_letter_is_still_a_dead_letter():
    message = Msg("orders.dlq", b"o-8", [("dlq.reason", b"not-avro"), ("dlq.processor", b"orchestrator")])
    event = event_view(message, None, 5)  # type: ignore[arg-type]
    assert (event["event_type"], event["producer"]) == ("DeadLetter", "orchestrator")
    assert event["payload"] == {"dlq.reason": "not-avro", "dlq.processor": "orchestrator"}
