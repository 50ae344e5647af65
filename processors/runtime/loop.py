"""The consume-transform-produce loop with Kafka transactions (EOS v2), shared by every processor.

The commit protocol, per transaction:
  1. consume records (read_committed, auto-commit off) and begin the transaction lazily at the first one;
  2. decode each record (undecodable -> its bytes go to the DLQ topic, inside this transaction), hand it to
     the handler and produce the handler's outputs;
  3. once ``batch_size`` records or ``commit_interval_s`` have gone by: flush, commit the handler's database
     work (``prepare_commit``), then
     ``send_offsets_to_transaction(next offsets, consumer_group_metadata())`` with fresh group metadata;
  4. ``commit_transaction()``: outputs and input offsets become visible together, or not at all.
     A retriable commit error means "call commit again", never "abort": the outcome is still unknown;
  5. an abortable error anywhere: ``abort_transaction()``, seek the partitions read in this transaction
     back to their committed offsets, tell the handler to drop the transaction's state, and go on;
  6. a fatal error (fenced by a newer instance with our transactional.id): exit at once, touching nothing.
     The supervisor restarts us; ``init_transactions()`` then aborts whatever we left open.

At-least-once mode (``RuntimeConfig.guarantee``, for `pedidos bench pipeline` only) keeps the same loop with
an idempotent, non-transactional producer: no begin/commit, and step 3-4 becomes "flush, check every output
was delivered, commit the input offsets synchronously". An abort can only rewind: what was already produced
stays, so the replay duplicates it. That difference is what the benchmark measures exactly-once against.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    TIMESTAMP_NOT_AVAILABLE,
    Consumer,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from tenacity import Retrying, retry_if_not_exception_type, stop_after_attempt, stop_any, wait_exponential

from processors.runtime import metrics, retry
from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.crash import CrashPoints
from processors.runtime.dlq import dead_letter_headers
from processors.runtime.errors import Action, classify
from processors.runtime.handler import (
    CONSUMED_AT_HEADER,
    Handler,
    InputRecord,
    Output,
    PermanentError,
    TransactionLost,
)
from processors.runtime.serde import AvroCodec, PoisonPill

log = logging.getLogger("pedidos.runtime")
CALL_WATCHDOG_S = 60  # twice the 30 s every transactional call is given, for all its retries together
# Records per consume() call: a transaction spans several calls even when a backlog could fill it in one,
# so the loop polls (and the after-consume crash point lands mid-transaction) as often under load as without.
CONSUME_CHUNK = 100


class AbortTransaction(Exception):
    """Raised inside the loop to take the abort path (step 5) with a reason."""


class EosLoop:
    def __init__(self, handler: Handler, config: RuntimeConfig, codec: AvroCodec, crash: CrashPoints) -> None:
        self.handler, self.config, self.codec, self.crash = handler, config, codec, crash
        self.exactly_once = config.exactly_once
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
        self.failed_deliveries = 0  # since the last commit; only at-least-once needs to look
        self.retry_topics = retry.retry_topics(handler.dlq_topic) if config.retry_topics else ()
        self.held: dict[tuple[str, int], int] = {}  # paused retry partitions -> when their head is due (ms)
        self.in_place_deadline = 0.0  # in-place retries stop here, for the whole transaction

    # -- lifecycle -----------------------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if self.exactly_once:
            self._retrying(self.producer.init_transactions, 30)
            log.info("transactions ready", extra={"transactional_id": self.config.transactional_id})
        self.consumer.subscribe(
            [*self.handler.input_topics, *self.retry_topics],
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_lost,
        )
        while self.running:
            self._release_due()
            messages = self.consumer.consume(min(self._room(), CONSUME_CHUNK), timeout=self._wait_s())
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
        wait = min(0.5, self.config.tick_interval_s)
        if self.in_transaction:
            left = self.config.commit_interval_s - (time.monotonic() - self.transaction_started)
            wait = max(0.0, min(left, 0.5))
        if self.held:  # wake up when the next held retry record is due
            wait = min(wait, max(0.0, (min(self.held.values()) - _now_ms()) / 1000))
        return wait

    def _begin(self) -> None:
        if not self.in_transaction:
            if self.exactly_once:  # at-least-once: "in_transaction" only means a batch is open
                self._retrying(self.producer.begin_transaction)
            self.in_transaction = True
            self.transaction_started = time.monotonic()
            self.transaction_records = 0
            self.transaction_outputs = 0
            self.in_place_deadline = time.monotonic() + self.config.in_place_retry_budget_s

    def _process(self, message: Message) -> None:
        if message.error():
            action = classify(KafkaException(message.error()))
            if action is Action.CRASH:
                _crash(f"consumer error: {message.error()}")
            log.warning("consumer error", extra={"error": str(message.error())})
            return
        if self._holding(message):
            return
        self._begin()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        metrics.CONSUMED.labels(self.name, topic).inc()
        self.next_offsets[(topic, partition)] = offset + 1
        self.transaction_records += 1
        retried_from = _headers(message).get(retry.ORIGIN_TOPIC) if retry.delay_of(topic) else None
        try:
            event = self.codec.decode(retried_from or topic, message.value())
        except PoisonPill as pill:
            self._dead_letter(message, pill.reason, pill.detail)
            return
        except Exception as error:  # the registry is unreachable for a schema id not cached yet
            raise AbortTransaction(f"registry: {type(error).__name__}") from error
        # When this service took the record: the dashboard splits each step into time waiting in the broker
        # (input's timestamp -> consumed) and time in the service (consumed -> output's timestamp).
        headers = {**_headers(message), CONSUMED_AT_HEADER: str(int(time.time() * 1000))}
        record = InputRecord(topic, partition, offset, _key(message), event, headers, message.value() or b"")
        started = time.perf_counter()
        try:
            outputs = self._handle(record)
        except TransactionLost as error:
            raise AbortTransaction(f"handler-error: {error}") from error
        except Exception as error:
            self._route_failure(message, record, error)
            return
        finally:
            metrics.HANDLER_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        for output in outputs:
            self._produce(output, record.headers)

    def _handle(self, record: InputRecord) -> list[Output]:
        """The handler, retried in place on a transient failure while the transaction's budget lasts."""
        attempts = Retrying(
            retry=retry_if_not_exception_type((PermanentError, TransactionLost)),
            stop=stop_any(
                stop_after_attempt(self.config.in_place_attempts),
                lambda _state: time.monotonic() >= self.in_place_deadline,
            ),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            sleep=lambda seconds: time.sleep(seconds),  # looked up per call: tests replace time.sleep
            reraise=True,
        )
        return attempts(self.handler.handle, record, self.crash)

    def _route_failure(self, message: Message, record: InputRecord, error: Exception) -> None:
        """Inside the transaction: on to the next retry topic, or to the DLQ; the input offset moves on."""
        permanent = retry.is_permanent(error)
        if not permanent and not self.retry_topics:  # no retry topics (a benchmark stage): replay the batch
            raise AbortTransaction(f"handler-error: {type(error).__name__}") from error
        failure = retry.Failure.first_or_next(
            message.topic(), message.partition(), message.offset(), record.headers, error, _now_ms()
        )
        destination = failure.destination(self.handler.dlq_topic, permanent)
        if destination == self.handler.dlq_topic:
            reason = "permanent-error" if permanent else "retries-exhausted"
            if not permanent:
                log.error("retries exhausted", extra={**_context(record), "error": failure.error})
            detail = failure.error if permanent else f"{failure.error_class}: {failure.error}"
            self._dead_letter(message, reason, detail, failure)
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
        self._send(destination, _key(message) or "", message.value() or b"", headers)
        metrics.RETRIED.labels(self.name, destination).inc()

    # -- retry topics: hold a partition until its head record is due -----------------------------------
    def _holding(self, message: Message) -> bool:
        key = (message.topic(), message.partition())
        if key in self.held:
            return True  # fetched behind a held head: read again after the resume
        kind, timestamp = message.timestamp()
        if kind == TIMESTAMP_NOT_AVAILABLE:
            return False
        due = retry.due_at_ms(message.topic(), timestamp)
        if due <= _now_ms():
            return False
        # Pause only this partition and rewind it to the head: every other partition and topic keeps flowing.
        head = TopicPartition(message.topic(), message.partition(), message.offset())
        self.consumer.pause([head])
        self.consumer.seek(head)
        self.held[key] = due
        return True

    def _release_due(self) -> None:
        if not self.held:
            return
        now = _now_ms()
        due = [key for key, at in self.held.items() if at <= now]
        if due:
            self.consumer.resume([TopicPartition(t, p) for t, p in due])
            for key in due:
                del self.held[key]

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
                    topic, key=key, value=value, headers=headers, on_delivery=self._delivered
                )
                break
            except BufferError:
                self.producer.poll(0.1)  # local queue full: serve deliveries, then try again
            except KafkaException as error:
                self._on_kafka_error(error, "produce")
        metrics.PRODUCED.labels(self.name, topic).inc()
        self.transaction_outputs += 1

    def _dead_letter(
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
        headers = dead_letter_headers(message, self.name, reason, detail, failure)
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
        try:  # the database's share first: if it fails, the Kafka transaction can still be aborted
            self.handler.prepare_commit(self.crash)
        except Exception as error:
            raise AbortTransaction(f"handler-error: prepare-commit {type(error).__name__}") from error
        offsets = [TopicPartition(t, p, o) for (t, p), o in self.next_offsets.items()]
        if self.exactly_once:
            if offsets:
                # Fresh metadata each time: it carries the group generation, which changes on every rebalance.
                metadata = self.consumer.consumer_group_metadata()
                self._retrying(self.producer.send_offsets_to_transaction, offsets, metadata, 30)
            self.crash.reach("after-send-offsets")
            self._retrying(self.producer.commit_transaction, 30)
        else:
            self._commit_offsets(offsets)
        metrics.TRANSACTION_SECONDS.labels(self.name).observe(time.monotonic() - self.transaction_started)
        metrics.COMMITTED.labels(self.name).inc()
        self.in_transaction = False
        self.next_offsets.clear()
        self.fetched.clear()
        self.handler.on_commit()
        self.crash.reach("after-commit")

    def _commit_offsets(self, offsets: list[TopicPartition]) -> None:
        """At-least-once commit: the input offsets move on only past outputs the broker has acknowledged."""
        # flush() returns with records still queued when its timeout runs out, and a failed delivery only
        # reaches the callback; committing past either would lose those outputs. Replay the batch instead.
        if len(self.producer) or self.failed_deliveries:
            raise AbortTransaction(
                f"undelivered: {len(self.producer)} queued, {self.failed_deliveries} failed deliveries"
            )

        def commit_offsets() -> list[TopicPartition] | None:
            # Synchronous: when it returns, a restart resumes after these records, not before them.
            return self.consumer.commit(offsets=offsets, asynchronous=False)

        if offsets:
            rejected = [tp for tp in self._retrying(commit_offsets) or [] if tp.error]
            if rejected:  # e.g. the partition moved in a rebalance: its next owner reads the records again
                raise AbortTransaction(f"offset-commit: {rejected[0].topic}[{rejected[0].partition}]")
        self.failed_deliveries = 0

    # -- steps 5-6: abort and rewind, or crash -------------------------------------------------------------
    def _abort(
        self, reason: str, rewind: bool = True, leaving: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        log.warning("aborting transaction", extra={"reason": reason})
        # At-least-once has no transaction to abort: what the batch produced stays, and the rewind below
        # makes it be produced again (duplicates, never loss).
        if self.in_transaction and self.exactly_once:
            self._retrying(self.producer.abort_transaction, 30)
        self.failed_deliveries = 0
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

    def _delivered(self, error: object, message: Message) -> None:
        _delivery_report(error, message)
        if error is not None:
            self.failed_deliveries += 1  # exactly-once hears of it from commit_transaction() instead

    def _retrying(self, call: Callable[..., Any], *args: Any) -> Any:
        name = getattr(call, "__name__", "call")
        # After a broker restart librdkafka can wait forever inside a transactional call, ignoring its
        # timeout (confluentinc/librdkafka#5456), or time out on every call with its request stuck in the
        # coordinator's queue ("retry call to resume", seen in the full-length broker-bounce drill). One
        # watchdog over all the calls: past it, exit, and the restart's init_transactions() fences and
        # resolves what was left open.
        watchdog = threading.Timer(CALL_WATCHDOG_S, _crash, args=(f"{name} hung for {CALL_WATCHDOG_S} s",))
        watchdog.daemon = True
        watchdog.start()
        try:
            while True:
                try:
                    return call(*args)
                except KafkaException as error:
                    self._on_kafka_error(error, name)
        finally:
            watchdog.cancel()

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
        self._forget_held(partitions)
        self.handler.on_revoke([(tp.topic, tp.partition) for tp in partitions])
        metrics.ASSIGNED.labels(self.name).set(0)

    def _on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.warning("partitions lost", extra={"partitions": _names(partitions)})
        if self.in_transaction:
            self._abort("partitions-lost", rewind=False)  # another member may own them already
        self._forget_held(partitions)
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

    def _forget_held(self, partitions: list[TopicPartition]) -> None:
        # A revoked partition leaves paused; whoever gets it next reads its head again and holds it anew.
        for tp in partitions:
            self.held.pop((tp.topic, tp.partition), None)


def _now_ms() -> int:
    return int(time.time() * 1000)


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
