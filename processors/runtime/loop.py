"""The consume-transform-produce loop with Kafka transactions (EOS v2), shared by every processor.

The protocol, per transaction (the numbers mark the steps in the code below):
  1. consume at most CONSUME_CHUNK records (read_committed, auto-commit off);
  2. begin the transaction lazily, at the first record that is processed (or a tick with outputs);
  3. process: decode each record (undecodable -> its bytes go to the DLQ, inside this transaction) and hand
     it to the handler; a failing record is routed (routing.py: in place, retry topic, DLQ);
  4. produce the handler's outputs;
  once ``batch_size`` records or ``commit_interval_s`` have gone by:
  5. flush;
  6. database prepare: the handler commits its work outside Kafka (``prepare_commit``);
  7. send the next offsets with fresh group metadata (``consumer_group_metadata()``);
  8. commit: outputs and input offsets become visible together, or not at all. A retriable commit error
     means "call commit again", never "abort": the outcome is still unknown;
  9. abort and rewind, on an abortable error anywhere: ``abort_transaction()``, seek every partition
     consume() advanced back to its committed offset, tell the handler to drop the transaction's state;
 10. fatal exit (fenced by a newer instance with our transactional.id): exit at once, touching nothing. The
     supervisor restarts us; ``init_transactions()`` then aborts whatever we left open.

Steps 2, 7, 8 and 9 are the commit strategy's (commit.py): at-least-once, for `pedidos bench pipeline`
only, runs the same protocol without a Kafka transaction. The Kafka clients are passed in (clients.py
builds them), and a caller that measures the loop plugs in through ``LoopHooks``.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import UTC, datetime

from confluent_kafka import Consumer, Message, Producer, TopicPartition

from processors.runtime import metrics, retry
from processors.runtime.calls import PROCESS_WATCHDOG, CallWatchdog, KafkaCalls
from processors.runtime.changelog import Changelog
from processors.runtime.clients import RuntimeConfig
from processors.runtime.commit import commit_strategy, rewind_to_committed
from processors.runtime.crash import CrashPoints
from processors.runtime.errors import AbortTransaction
from processors.runtime.handler import Handler, Output
from processors.runtime.holds import RetryHolds
from processors.runtime.records import input_record
from processors.runtime.routing import FailureRouting
from processors.runtime.serde import AvroCodec, PoisonPill
from processors.runtime.transaction import LoopHooks, Partition, Transaction

log = logging.getLogger("pedidos.runtime")
# Records per consume() call: a transaction spans several calls even when a backlog could fill it in one,
# so the loop polls (and the after-consume crash point lands mid-transaction) as often under load as without.
CONSUME_CHUNK = 100


class EosLoop:
    def __init__(
        self,
        handler: Handler,
        config: RuntimeConfig,
        codec: AvroCodec,
        producer: Producer,
        consumer: Consumer,
        crash: CrashPoints | None = None,
        hooks: LoopHooks | None = None,
        watchdog: CallWatchdog | None = None,
    ) -> None:
        self.handler, self.config, self.codec = handler, config, codec
        self.producer, self.consumer, self.hooks = producer, consumer, hooks or LoopHooks()
        self.crash = crash or CrashPoints(None)
        self.crash.before_kill = lambda: self.producer.flush(10)
        self.crash.mid_transaction = lambda: self.tx is not None and self.tx.outputs > 0
        self.name = handler.name
        self.calls = KafkaCalls(watchdog or PROCESS_WATCHDOG, handler.name)
        self.strategy = commit_strategy(config, producer, consumer, self.calls, self.crash)
        retry_topics = retry.retry_topics(handler.dlq_topic) if config.retry_topics else ()
        self.routing = FailureRouting(
            handler.name, handler.dlq_topic, retry_topics, config.in_place_attempts, self._send
        )
        self.holds = RetryHolds(consumer)
        self.lag = metrics.LagReporter(handler.name, config.processor, consumer)  # group.id: clients.py
        self.changelog = Changelog(config.bootstrap_servers, codec, handler.changelog_topic, handler.restore)
        self.topics = [*handler.input_topics, *retry_topics]
        self.tx: Transaction | None = None
        self.batch_fetched: set[Partition] = set()  # partitions the last consume() advanced
        self.running = True
        self.last_tick = 0.0

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.strategy.start()
        self.consumer.subscribe(
            self.topics, on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost
        )
        while self.running:
            self.holds.release_due()
            room = self.config.batch_size - (self.tx.records if self.tx else 0)
            # 1. consume
            messages = self.consumer.consume(min(max(1, room), CONSUME_CHUNK), timeout=self._wait_s())
            records = [m for m in messages if not m.error()]
            self.batch_fetched = {(m.topic(), m.partition()) for m in records}
            if self.tx:
                self.tx.fetched |= self.batch_fetched
            if messages:
                self.hooks.consumed(len(records))
                self.crash.reach("after-consume")
            try:
                for message in messages:
                    self._process(message)
                self._tick()
            except AbortTransaction as reason:
                self._abort(str(reason))
            if self.tx and self.tx.due(self.config.batch_size, self.config.commit_interval_s):
                self._finish()
            self.producer.poll(0)
            self.lag.update()
        self._finish()  # SIGTERM: finish the open transaction
        self.consumer.close()
        log.info("stopped cleanly")
        return 0

    def _stop(self, signum: int, _frame: object) -> None:
        log.info("stop requested", extra={"signal": signum})
        self.running = False

    def _wait_s(self) -> float:
        wait = min(0.5, self.config.tick_interval_s)
        if self.tx:
            left = self.config.commit_interval_s - (time.monotonic() - self.tx.started)
            wait = max(0.0, min(left, 0.5))
        return self.holds.wait_s(wait)

    # 2. begin lazily
    def _begin(self) -> Transaction:
        if self.tx is None:
            self.strategy.begin()
            deadline = time.monotonic() + self.config.in_place_retry_budget_s
            self.tx = Transaction(deadline, set(self.batch_fetched))
        return self.tx

    # 3. process
    def _process(self, message: Message) -> None:
        if message.error():
            self.calls.consumer_error(
                message.error()
            )  # 10. fatal exit, like every fatal error of a call (calls.py)
            return
        if self.holds.holding(message):
            return
        tx = self._begin()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        metrics.CONSUMED.labels(self.name, topic).inc()
        self.lag.seen(message)
        tx.next_offsets[(topic, partition)] = offset + 1
        tx.records += 1
        try:
            record = input_record(message, self.codec)
        except PoisonPill as pill:
            self.routing.poison(message, pill)
            return
        started = time.perf_counter()
        try:
            outputs = self.routing.in_place(self.handler.handle, record, tx.in_place_deadline)
        except Exception as error:
            self.routing.failed(message, record, error)
            return
        finally:
            metrics.HANDLER_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        for output in outputs:
            self._produce(output, record.headers)

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
        if outputs:  # the saga's deadlines: a transaction of their own when nothing else opened one
            self._begin()
            for output in outputs:
                self._produce(output, {})

    # 4. produce
    def _produce(self, output: Output, inherited: dict[str, str]) -> None:
        try:
            value = (
                self.codec.encode(output.topic, output.event) if output.encoded is None else output.encoded
            )
        except Exception as error:  # registry unreachable: nothing was produced for it, retry the transaction
            raise AbortTransaction(f"registry: encode {error}") from error
        self._send(output.topic, output.key, value, output.wire_headers(inherited))

    def _send(self, topic: str, key: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        self.calls.produce(self.producer, topic, key, value, headers, self.strategy.delivered)
        metrics.PRODUCED.labels(self.name, topic).inc()
        if self.tx:
            self.tx.outputs += 1

    def _finish(self, leaving: frozenset[Partition] = frozenset()) -> None:
        """Commit the open transaction, or abort it (step 9) when any step of the commit fails."""
        if self.tx:
            try:
                self._commit(self.tx)
            except AbortTransaction as reason:
                self._abort(str(reason), leaving=leaving)

    def _commit(self, tx: Transaction) -> None:
        started = time.perf_counter()
        # 5. flush
        self.calls.run(self.producer.flush, 30)
        self.crash.reach("after-produce")
        # 6. database prepare: first, so that if it fails the Kafka transaction can still be aborted
        try:
            database_committed = self.handler.prepare_commit()
        except Exception as error:
            raise AbortTransaction(f"handler-error: prepare-commit {type(error).__name__}") from error
        if database_committed:
            self.crash.reach("after-db-commit")
        # 7. send offsets with fresh group metadata, 8. commit
        self.strategy.commit([TopicPartition(t, p, o) for (t, p), o in tx.next_offsets.items()])
        metrics.TRANSACTION_SECONDS.labels(self.name).observe(time.monotonic() - tx.started)
        metrics.COMMITTED.labels(self.name).inc()
        self.tx = None
        self.handler.on_commit()
        if self.hooks.committed(started, tx.next_offsets, tx.records):
            self.running = False
        self.crash.reach("after-commit")

    # 9. abort and rewind
    def _abort(self, reason: str, rewind: bool = True, leaving: frozenset[Partition] = frozenset()) -> None:
        log.warning("aborting transaction", extra={"reason": reason})
        tx, self.tx = self.tx, None
        if tx:
            self.strategy.abort()  # 10. exits for a restart when the abort itself fails
        metrics.count_abort(self.name, reason)
        self.hooks.aborted(reason)
        # Every partition consume() advanced, processed or not: a batch cut short by the abort left some
        # records fetched but unprocessed, and they must be read again too.
        if rewind and tx:
            rewind_to_committed(self.consumer, (tx.fetched | set(tx.next_offsets)) - leaving)
        self.handler.on_abort()
        if reason.startswith(("handler-error", "registry")):
            time.sleep(1.0)  # back off before replaying against a dependency that just failed

    # -- rebalances -------------------------------------------------------------------------------------
    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"partitions": _names(partitions)})
        assigned = [(tp.topic, tp.partition) for tp in partitions]
        self.changelog.assigned(assigned)  # before any record of these partitions is handled
        self.handler.on_assign(assigned)
        # Only now: a handler restoring its state (the saga's) is not ready to consume before it returns.
        metrics.ASSIGNED.labels(self.name).set(len(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions revoked", extra={"partitions": _names(partitions)})
        # A cooperative rebalance revokes only some partitions: if the commit fails, rewind those we keep, or
        # the next commit skips their aborted records; the revoked ones are leaving us, nothing to seek there.
        self._finish(leaving=frozenset((tp.topic, tp.partition) for tp in partitions))
        self._let_go(partitions)
        metrics.ASSIGNED.labels(self.name).set(0)

    def _on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.warning("partitions lost", extra={"partitions": _names(partitions)})
        if self.tx:
            self._abort("partitions-lost", rewind=False)  # another member may own them already
        self._let_go(partitions)

    def _let_go(self, partitions: list[TopicPartition]) -> None:
        gone = [(tp.topic, tp.partition) for tp in partitions]
        self.holds.forget(gone)
        self.lag.forget(gone)
        self.changelog.revoked(gone)
        self.handler.on_revoke(gone)


def _names(partitions: list[TopicPartition]) -> list[str]:
    return [f"{tp.topic}[{tp.partition}]" for tp in partitions]
