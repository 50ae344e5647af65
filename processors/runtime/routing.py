"""Where a failing record goes, inside the transaction that moves its input offset on (docs/failures.md).

In place first (a few calls within the transaction's budget), then the next retry topic, then the DLQ; a
permanent error and an undecodable record go to the DLQ at once. Without retry topics (a benchmark stage)
a transient failure aborts the whole transaction instead, to replay it. The records are sent through the
loop's ``send``, so they are part of its transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from confluent_kafka import Message
from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt, stop_any, wait_exponential

from processors.runtime import metrics, retry
from processors.runtime.dlq import dead_letter_headers
from processors.runtime.errors import AbortTransaction
from processors.runtime.handler import InputRecord, Output, PermanentError, TransactionLost
from processors.runtime.records import message_key
from processors.runtime.serde import PoisonPill

log = logging.getLogger("pedidos.runtime")
Send = Callable[[str, str, bytes, list[tuple[str, bytes]]], None]  # topic, key, value, headers


class FailureRouting:
    def __init__(
        self, processor: str, dlq_topic: str, retry_topics: tuple[str, ...], attempts: int, send: Send
    ) -> None:
        self.processor, self.dlq_topic, self.retry_topics = processor, dlq_topic, retry_topics
        self.attempts, self.send = attempts, send

    def in_place(
        self, handle: Callable[[InputRecord], list[Output]], record: InputRecord, deadline: float
    ) -> list[Output]:
        """``handle(record)``, called again on a transient failure while the transaction's budget lasts."""
        attempts = Retrying(
            retry=retry_if_not_exception_type((PermanentError, TransactionLost)),
            stop=stop_any(stop_after_attempt(self.attempts), lambda _state: time.monotonic() >= deadline),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            sleep=lambda seconds: time.sleep(seconds),  # looked up per call: tests replace time.sleep
            reraise=True,
        )
        return attempts(handle, record)

    def failed(self, message: Message, record: InputRecord, error: Exception) -> None:
        """The handler gave up on ``record``: on to the next retry topic, or to the DLQ."""
        if isinstance(error, TransactionLost):
            raise AbortTransaction(f"handler-error: {error}") from error
        permanent = retry.is_permanent(error)
        if not permanent and not self.retry_topics:  # no retry topics (a benchmark stage): replay the batch
            raise AbortTransaction(f"handler-error: {type(error).__name__}") from error
        failure = retry.Failure.first_or_next(
            message.topic(), message.partition(), message.offset(), record.headers, error, now_ms()
        )
        destination = failure.destination(self.dlq_topic, permanent)
        metrics.ERRORS.labels(self.processor, "handler-error").inc()  # routed: no abort counts it (loop.py)
        if destination == self.dlq_topic:
            reason = "permanent-error" if permanent else "retries-exhausted"
            if not permanent:
                log.error("retries exhausted", extra={**_context(record), "error": failure.error})
            detail = failure.error if permanent else f"{failure.error_class}: {failure.error}"
            self.dead_letter(message, reason, detail, failure)
            return
        log.warning(
            "handler failed, retrying later",
            extra={
                **_context(record),
                "retry_topic": destination,
                "attempt": failure.attempt,
                "error": f"{failure.error_class}: {failure.error}",
            },
        )
        # The original bytes and headers, keyed as before: same key, same partition number, so the saga's
        # co-partitioned instances keep owning the order; the previous hop's retry headers are replaced.
        kept = [(k, v) for k, v in message.headers() or [] if k not in retry.RETRY_HEADERS]
        headers = kept + [(k, v.encode()) for k, v in failure.headers().items()]
        self.send(destination, message_key(message) or "", message.value() or b"", headers)
        metrics.RETRIED.labels(self.processor, destination).inc()

    def poison(self, message: Message, pill: PoisonPill) -> None:
        """Bytes no schema reads: straight to the DLQ, they will never decode."""
        metrics.ERRORS.labels(self.processor, "poison").inc()
        self.dead_letter(message, pill.reason, pill.detail)

    def dead_letter(
        self, message: Message, reason: str, detail: str, failure: retry.Failure | None = None
    ) -> None:
        log.warning(
            "dead-lettered",
            extra={
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "reason": reason,
            },
        )
        headers = dead_letter_headers(message, self.processor, reason, detail, failure)
        self.send(self.dlq_topic, message_key(message) or "", message.value() or b"", headers)
        metrics.DEAD_LETTERED.labels(self.processor, reason).inc()


def now_ms() -> int:
    return int(time.time() * 1000)


def _context(record: InputRecord) -> dict[str, object]:
    return {
        "order_id": record.event.get("order_id"),
        "correlation_id": record.event.get("correlation_id"),
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
