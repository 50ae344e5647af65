"""Blocking Kafka calls of the loop: classified (docs/failures.md), retried, and watched by ONE thread.

After a broker restart librdkafka can wait forever inside a transactional call, ignoring its timeout
(confluentinc/librdkafka#5456), or time out on every call with its request stuck in the coordinator's queue
("retry call to resume", seen in the full-length broker-bounce drill). So one watchdog covers each call
with all its retries together: past ``CALL_WATCHDOG_S`` the process exits, and the restart's
``init_transactions()`` fences and resolves what was left open.

The watchdog is a single daemon thread for the process that looks at the call in progress once a second;
the loop makes about 40 transactional calls a second at the 100 ms commit interval, and a timer thread per
call cost more than the calls it watched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from processors.runtime import errors, metrics
from processors.runtime.errors import AbortTransaction, Action, classify

log = logging.getLogger("pedidos.runtime")
CALL_WATCHDOG_S = 60  # twice the 30 s every transactional call is given, for all its retries together


class CallWatchdog:
    """Exits the process (``on_hang``) when one watched call, retries included, outlasts ``limit_s``."""

    def __init__(
        self,
        limit_s: float = CALL_WATCHDOG_S,
        clock: Callable[[], float] = time.monotonic,
        on_hang: Callable[[str], object] | None = None,
    ) -> None:
        self.limit_s, self.clock = limit_s, clock
        self.on_hang = on_hang or (lambda reason: errors.exit_for_restart(reason))
        self.check_every_s = min(1.0, limit_s / 4)
        self._lock = threading.Lock()
        self._watched: tuple[str, float] | None = None  # the call in progress and its deadline
        self._thread: threading.Thread | None = None

    @contextmanager
    def watching(self, name: str) -> Iterator[None]:
        with self._lock:
            outermost = self._watched is None  # a call made inside a watched one shares its deadline
            if outermost:
                self._watched = (name, self.clock() + self.limit_s)
            if self._thread is None:  # started by the first call: a loop that never runs costs no thread
                self._thread = threading.Thread(target=self._watch, name="call-watchdog", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            if outermost:
                with self._lock:
                    self._watched = None

    def check(self) -> None:
        """What the thread does every ``check_every_s``: fire once if the call in progress is overdue."""
        with self._lock:
            watched = self._watched
            if watched is None or self.clock() < watched[1]:
                return
            self._watched = None
        self.on_hang(f"{watched[0]} hung for {self.limit_s} s")

    def _watch(self) -> None:
        pause = threading.Event()  # never set: wait() is an interruptible sleep that tests do not replace
        while True:
            pause.wait(self.check_every_s)
            self.check()


PROCESS_WATCHDOG = CallWatchdog()  # the process's one watchdog; its thread starts with the first call


class KafkaCalls:
    """Runs a client call until it succeeds: a retriable error calls again, an abortable one raises
    AbortTransaction, anything else exits for a restart."""

    def __init__(self, watchdog: CallWatchdog, processor: str) -> None:
        self.watchdog, self.processor = watchdog, processor

    def run(self, call: Callable[..., Any], *args: Any) -> Any:
        name = getattr(call, "__name__", "call")
        with self.watchdog.watching(name):
            while True:
                try:
                    return call(*args)
                except KafkaException as error:
                    self.on_kafka_error(error, name)

    def produce(
        self,
        producer: Producer,
        topic: str,
        key: str,
        value: bytes,
        headers: list[tuple[str, bytes]],
        on_delivery: Callable[[object, Message], None],
    ) -> None:
        """Not watched: it only queues, and waits for nothing but room in the local queue."""
        while True:
            try:
                producer.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
                return
            except BufferError:
                producer.poll(0.1)  # local queue full: serve deliveries, then try again
            except KafkaException as error:
                self.on_kafka_error(error, "produce")

    def on_kafka_error(self, error: KafkaException, where: str) -> None:
        """Returns when the call should be made again; raises or exits otherwise."""
        action = classify(error)
        if action is Action.RETRY:
            metrics.ERRORS.labels(self.processor, "retriable").inc()
            log.info("retriable error, calling again", extra={"where": where, "error": str(error)})
            time.sleep(0.2)
            return
        if action is Action.ABORT:  # counted with the abort it causes (loop.py)
            raise AbortTransaction(f"abortable: {where}: {error}") from error
        errors.exit_for_restart(f"fatal error in {where}: {error}")

    def consumer_error(self, error: KafkaError) -> None:
        """An error consume() returned in place of a record: logged and skipped, or fatal."""
        if classify(KafkaException(error)) is Action.CRASH:
            errors.exit_for_restart(f"consumer error: {error}")
        metrics.ERRORS.labels(self.processor, "consumer").inc()
        log.warning("consumer error", extra={"error": str(error)})
