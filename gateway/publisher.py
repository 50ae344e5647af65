"""The gateway's one producer per process, and "produce, then wait for the broker's ack, with a deadline".

Request threads share the producer; a background thread serves its delivery reports (``poll``), and each
request waits on its own event until its report arrives or the deadline passes. Only a delivery report without
error means the broker has the record on all in-sync replicas: that is when the gateway may answer 202.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import cast

from confluent_kafka import KafkaError, KafkaException, Message, Producer

log = logging.getLogger("pedidos.gateway")

# The delivery report normally arrives right at `message.timeout.ms`; waiting a little longer means we almost
# always learn the definite outcome instead of guessing.
REPORT_GRACE_S = 0.5


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time (or refused): the order was not accepted."""


@dataclass(frozen=True)
class Delivery:
    topic: str
    partition: int
    offset: int


def producer_config(bootstrap_servers: str, ack_timeout_s: float) -> dict[str, object]:
    return {
        "bootstrap.servers": bootstrap_servers,
        "client.id": "gateway",
        # The broker deduplicates this producer's own retries (producer id + sequence numbers), and keeps
        # per-partition order even with retries in flight.
        "enable.idempotence": True,
        # Ack only once every in-sync replica has the record: a 202 survives the loss of the leader.
        "acks": "all",
        # Wait up to 5 ms to batch concurrent checkouts into one request.
        "linger.ms": 5,
        # Give up at our own deadline, so a record we answered 503 for is not delivered minutes later
        # (which, with the client's retry, would put the order on orders.new twice).
        "message.timeout.ms": max(int(ack_timeout_s * 1000), 10),
    }


class OrderPublisher:
    def __init__(self, bootstrap_servers: str, ack_timeout_s: float) -> None:
        self.ack_timeout_s = ack_timeout_s
        self._producer = Producer(producer_config(bootstrap_servers, ack_timeout_s))
        self._stopping = threading.Event()
        self._poller = threading.Thread(target=self._serve_reports, name="gateway-producer", daemon=True)
        self._poller.start()

    def publish(self, topic: str, key: str, value: bytes, headers: list[tuple[str, bytes]]) -> Delivery:
        """Produces one record and returns once the broker acknowledged it; else ``BrokerUnavailable``."""
        reported = threading.Event()
        outcome: dict[str, object] = {}

        def on_delivery(error: KafkaError | None, message: Message) -> None:
            outcome["error"], outcome["message"] = error, message
            reported.set()

        try:
            self._producer.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
        except (BufferError, KafkaException) as error:  # local queue full, or a fatal producer error
            raise BrokerUnavailable(f"produce refused: {error}") from error
        if not reported.wait(self.ack_timeout_s + REPORT_GRACE_S):
            raise BrokerUnavailable(f"no delivery report within {self.ack_timeout_s} s")
        error = outcome["error"]
        if error is not None:
            raise BrokerUnavailable(f"delivery failed: {error}")
        message = cast(Message, outcome["message"])
        return Delivery(topic, message.partition(), message.offset())

    def _serve_reports(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.1)

    def close(self, timeout_s: float = 5.0) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._poller.join()
        remaining = self._producer.flush(timeout_s)
        if remaining:  # their requests got (or get) a 503: drop them rather than deliver them late
            log.warning("producer closed with undelivered records", extra={"undelivered": remaining})
            self._producer.purge()
        self._producer.close()
