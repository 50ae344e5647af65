"""The consume-transform-produce loop with Kafka transactions (EOS v2), shared by every processor.

The commit protocol, per transaction:
  1. consume records (read_committed, auto-commit off) and begin the transaction lazily at the first one;
  2. decode each record (undecodable -> its bytes go to the DLQ topic, inside this transaction), hand it to
     the handler and produce the handler's outputs;
  3. once ``batch_size`` records or ``commit_interval_s`` have gone by: flush, then
     ``send_offsets_to_transaction(next offsets, consumer_group_metadata())`` with fresh group metadata;
  4. ``commit_transaction()``: outputs and input offsets become visible together, or not at all.
     A retriable commit error means "call commit again", never "abort": the outcome is still unknown;
  5. an abortable error anywhere: ``abort_transaction()``, seek the partitions read in this transaction
     back to their committed offsets, tell the handler to drop the transaction's state, and go on;
  6. a fatal error (fenced by a newer instance with our transactional.id): exit at once, touching nothing.
     The supervisor restarts us; ``init_transactions()`` then aborts whatever we left open.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Message, Producer, TopicPartition

from processors.runtime import metrics
from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.crash import CrashPoints
from processors.runtime.dlq import dead_letter_headers
from processors.runtime.errors import Action, classify
from processors.runtime.handler import CONSUMED_AT_HEADER, Handler, InputRecord, Output, PermanentError
from processors.runtime.serde import AvroCodec, PoisonPill

log = logging.getLogger("pedidos.runtime")


class AbortTransaction(Exception):
    """Raised inside the loop to take the abort path (step 5) with a reason."""


class EosLoop:
    def __init__(self, handler: Handler, config: RuntimeConfig, codec: AvroCodec, crash: CrashPoints) -> None:
        self.handler, self.config, self.codec, self.crash = handler, config, codec, crash
        crash.before_kill = lambda: self.producer.flush(10)
        crash.mid_transaction = lambda: self.in_transaction and self.transaction_outputs > 0
        self.name = handler.name
        self.producer: Producer = make_producer(config)
        self.consumer: Consumer = make_consumer(config, handler.assignment_strategy)
        self.running = True
        self.in_transaction = False
        self.transaction_started = 0.0
        self.transaction_records = 0
        self.transaction_outputs = 0
        self.next_offsets: dict[tuple[str, int], int] = {}  # partitions processed in this transaction
        self.fetched: set[tuple[str, int]] = set()  # partitions consume() advanced in this transaction
        self.last_tick = 0.0
        self.last_lag_update = 0.0

    # -- lifecycle -----------------------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self._retrying(self.producer.init_transactions, 30)
        log.info("transactions ready", extra={"transactional_id": self.config.transactional_id})
        self.consumer.subscribe(
            list(self.handler.input_topics),
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_lost,
        )
        while self.running:
            messages = self.consumer.consume(self._room(), timeout=self._wait_s())
            if messages:
                self.fetched.update((m.topic(), m.partition()) for m in messages if not m.error())
                self.crash.reach("after-consume")
            try:
                for message in messages:
                    self._process(message)
                self._tick()
                if self._commit_due():
                    self._commit()
            except AbortTransaction as reason:
                self._abort(str(reason))
            self.producer.poll(0)
            self._update_lag()
        if self.in_transaction:
            try:
                self._commit()
            except AbortTransaction as reason:
                self._abort(str(reason))
        self.consumer.close()
        log.info("stopped cleanly")
        return 0

    def _stop(self, signum: int, _frame: object) -> None:
        log.info("stop requested", extra={"signal": signum})
        self.running = False

    # -- steps 1-2: consume, transform, produce --------------------------------------------------------
    def _room(self) -> int:
        return max(1, self.config.batch_size - self.transaction_records)

    def _wait_s(self) -> float:
        if not self.in_transaction:
            return min(0.5, self.config.tick_interval_s)
        left = self.config.commit_interval_s - (time.monotonic() - self.transaction_started)
        return max(0.0, min(left, 0.5))

    def _begin(self) -> None:
        if not self.in_transaction:
            self._retrying(self.producer.begin_transaction)
            self.in_transaction = True
            self.transaction_started = time.monotonic()
            self.transaction_records = 0
            self.transaction_outputs = 0

    def _process(self, message: Message) -> None:
        if message.error():
            action = classify(KafkaException(message.error()))
            if action is Action.CRASH:
                _crash(f"consumer error: {message.error()}")
            log.warning("consumer error", extra={"error": str(message.error())})
            return
        self._begin()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        metrics.CONSUMED.labels(self.name, topic).inc()
        self.next_offsets[(topic, partition)] = offset + 1
        self.transaction_records += 1
        try:
            event = self.codec.decode(topic, message.value())
        except PoisonPill as pill:
            self._dead_letter(message, pill.reason, pill.detail)
            return
        # When this service took the record: the dashboard splits each step into time waiting in the broker
        # (input's timestamp -> consumed) and time in the service (consumed -> output's timestamp).
        headers = {**_headers(message), CONSUMED_AT_HEADER: str(int(time.time() * 1000))}
        record = InputRecord(topic, partition, offset, _key(message), event, headers, message.value() or b"")
        started = time.perf_counter()
        try:
            outputs = self.handler.handle(record, self.crash)
        except PermanentError as error:
            self._dead_letter(message, "permanent-error", str(error))
            return
        except Exception as error:  # a transient failure (database, registry): retry the whole transaction
            log.exception("handler failed", extra=_context(record))
            raise AbortTransaction(f"handler-error: {type(error).__name__}") from error
        finally:
            metrics.HANDLER_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        for output in outputs:
            self._produce(output, record.headers)

    def _produce(self, output: Output, inherited: dict[str, str]) -> None:
        try:
            value = (
                output.encoded
                if output.encoded is not None
                else self.codec.encode(output.topic, output.event)
            )
        except Exception as error:  # registry unreachable: nothing was produced for it, retry the transaction
            raise AbortTransaction(f"serialization: {error}") from error
        headers = {
            **{
                k: v
                for k, v in inherited.items()
                if k in ("correlation-id", "traceparent", CONSUMED_AT_HEADER)
            },
            **output.headers,
        }
        self._send(output.topic, output.key, value, [(k, v.encode()) for k, v in headers.items()])

    def _send(self, topic: str, key: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        while True:
            try:
                self.producer.produce(
                    topic, key=key, value=value, headers=headers, on_delivery=_delivery_report
                )
                break
            except BufferError:
                self.producer.poll(0.1)  # local queue full: serve deliveries, then try again
            except KafkaException as error:
                self._on_kafka_error(error, "produce")
        metrics.PRODUCED.labels(self.name, topic).inc()
        self.transaction_outputs += 1

    def _dead_letter(self, message: Message, reason: str, detail: str) -> None:
        log.warning(
            "dead-lettered",
            extra={
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "reason": reason,
            },
        )
        headers = dead_letter_headers(message, self.name, reason, detail)
        self._send(self.handler.dlq_topic, _key(message) or "", message.value() or b"", headers)
        metrics.DEAD_LETTERED.labels(self.name, reason).inc()

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self.last_tick < self.config.tick_interval_s:
            return
        self.last_tick = now
        try:
            outputs = self.handler.tick(datetime.now(UTC))
        except Exception as error:  # like a handler failure: drop this transaction's work, try again
            log.exception("tick failed")
            raise AbortTransaction(f"handler-error: tick {type(error).__name__}") from error
        if outputs:
            self._begin()
            for output in outputs:
                self._produce(output, {})

    # -- steps 3-4: send offsets, commit ---------------------------------------------------------------
    def _commit_due(self) -> bool:
        if not self.in_transaction:
            return False
        elapsed = time.monotonic() - self.transaction_started
        return self.transaction_records >= self.config.batch_size or elapsed >= self.config.commit_interval_s

    def _commit(self) -> None:
        self._retrying(self.producer.flush, 30)
        self.crash.reach("after-produce")
        offsets = [TopicPartition(t, p, o) for (t, p), o in self.next_offsets.items()]
        if offsets:
            # Fresh metadata each time: it carries the group generation, which changes on every rebalance.
            metadata = self.consumer.consumer_group_metadata()
            self._retrying(self.producer.send_offsets_to_transaction, offsets, metadata, 30)
        self.crash.reach("after-send-offsets")
        self._retrying(self.producer.commit_transaction, 30)
        metrics.TRANSACTION_SECONDS.labels(self.name).observe(time.monotonic() - self.transaction_started)
        metrics.COMMITTED.labels(self.name).inc()
        self.in_transaction = False
        self.next_offsets.clear()
        self.fetched.clear()
        self.handler.on_commit()
        self.crash.reach("after-commit")

    # -- steps 5-6: abort and rewind, or crash -------------------------------------------------------------
    def _abort(
        self, reason: str, rewind: bool = True, leaving: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        log.warning("aborting transaction", extra={"reason": reason})
        if self.in_transaction:
            self._retrying(self.producer.abort_transaction, 30)
        metrics.ABORTED.labels(self.name, reason.split(":")[0]).inc()
        # Every partition consume() advanced, processed or not: a batch cut short by the abort left some
        # records fetched but unprocessed, and they must be read again too.
        touched = (self.fetched | set(self.next_offsets)) - leaving
        if rewind and touched:
            partitions = [TopicPartition(t, p) for t, p in touched]
            for tp in self.consumer.committed(partitions, timeout=10):
                self.consumer.seek(
                    TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING)
                )
        self.in_transaction = False
        self.next_offsets.clear()
        self.fetched.clear()
        self.handler.on_abort()
        if reason.startswith(("handler-error", "serialization")):
            time.sleep(1.0)  # back off before replaying against a dependency that just failed

    def _retrying(self, call: Callable[..., Any], *args: Any) -> Any:
        while True:
            try:
                return call(*args)
            except KafkaException as error:
                self._on_kafka_error(error, getattr(call, "__name__", "call"))

    def _on_kafka_error(self, error: KafkaException, where: str) -> None:
        action = classify(error)
        if action is Action.RETRY:
            log.info("retriable error, calling again", extra={"where": where, "error": str(error)})
            time.sleep(0.2)
            return
        if action is Action.ABORT:
            raise AbortTransaction(f"abortable: {where}: {error}") from error
        _crash(f"fatal error in {where}: {error}")

    # -- rebalances ------------------------------------------------------------------------------------------
    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"partitions": _names(partitions)})
        self.handler.on_assign([(tp.topic, tp.partition) for tp in partitions])
        # Only now: a handler restoring its state (the saga's) is not ready to consume before it returns.
        metrics.ASSIGNED.labels(self.name).set(len(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions revoked", extra={"partitions": _names(partitions)})
        if self.in_transaction:
            try:
                self._commit()
            except AbortTransaction as reason:
                # A cooperative rebalance revokes only some partitions: rewind those we keep, or the next
                # commit skips their aborted records; the revoked ones are leaving us, nothing to seek there.
                leaving = frozenset((tp.topic, tp.partition) for tp in partitions)
                self._abort(str(reason), leaving=leaving)
        self.handler.on_revoke([(tp.topic, tp.partition) for tp in partitions])
        metrics.ASSIGNED.labels(self.name).set(0)

    def _on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.warning("partitions lost", extra={"partitions": _names(partitions)})
        if self.in_transaction:
            self._abort("partitions-lost", rewind=False)  # another member may own them already
        self.handler.on_revoke([(tp.topic, tp.partition) for tp in partitions])

    def _update_lag(self) -> None:
        if time.monotonic() - self.last_lag_update < 2:
            return
        self.last_lag_update = time.monotonic()
        assignment = self.consumer.assignment()
        for tp in self.consumer.position(assignment) if assignment else []:
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if tp.offset >= 0 and high >= 0:
                metrics.LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(0, high - tp.offset))


def _crash(reason: str) -> None:
    log.critical("fatal: exiting for a restart with the same transactional.id", extra={"reason": reason})
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(1)


def _delivery_report(error: object, message: Message) -> None:
    # The commit reports a failed delivery as an abortable error; logging it here is enough.
    if error is not None:
        log.warning("delivery failed", extra={"topic": message.topic(), "error": str(error)})


def _key(message: Message) -> str | None:
    key = message.key()
    return key.decode() if isinstance(key, bytes) else key


def _headers(message: Message) -> dict[str, str]:
    return {
        k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v))
        for k, v in message.headers() or []
    }


def _names(partitions: list[TopicPartition]) -> list[str]:
    return [f"{tp.topic}[{tp.partition}]" for tp in partitions]


def _context(record: InputRecord) -> dict[str, object]:
    return {
        "order_id": record.event.get("order_id"),
        "correlation_id": record.event.get("correlation_id"),
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
