"""The Kafka edge of the DLQ tools: read the DLQ topics and the replay ledger, write a replay transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

from confluent_kafka import IsolationLevel, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec

from gateway.dlq.model import DeadLetter, LedgerEntry, Place
from gateway.telemetry.xray import IncompleteRead, read_ranges
from processors.topics import TOPICS, TOPICS_BY_NAME

DLQ_TOPICS = tuple(t.name for t in TOPICS if t.name.endswith(".dlq"))
LEDGER_TOPIC = "dlq.replays"
# One id for every replay run, CLI or dashboard: a second run fences the first (init_transactions), so two
# runs never both replay what neither saw in the ledger.
TRANSACTIONAL_ID = "dlq-replay"
TIMEOUT_S = 30.0
READ_DEADLINE_S = 60.0


class DlqError(RuntimeError):
    """Kafka or the registry failed; the message is for the operator (pt-BR / en)."""


@contextlib.contextmanager
def kafka_errors() -> Iterator[None]:
    """Any Kafka client failure inside becomes a DlqError the commands and the API know how to report."""
    try:
        yield
    except KafkaException as error:
        raise DlqError(f"Kafka: {error}") from error


def committed_ends(admin: AdminClient, topics: Iterable[str]) -> dict[tuple[str, int], tuple[int, int]]:
    """(first offset, LSO) of every partition of the topics that exist: what read_committed can read now."""
    metadata = admin.list_topics(timeout=TIMEOUT_S).topics
    tps = [TopicPartition(t, p) for t in topics if t in metadata for p in metadata[t].partitions]
    if not tps:
        return {}

    def offsets(spec: OffsetSpec, level: IsolationLevel) -> dict[tuple[str, int], int]:
        futures = admin.list_offsets(
            dict.fromkeys(tps, spec), isolation_level=level, request_timeout=TIMEOUT_S
        )
        return {(tp.topic, tp.partition): f.result(timeout=TIMEOUT_S).offset for tp, f in futures.items()}

    low = offsets(OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED)
    # The LSO: past it lie records of transactions still open, which read_committed cannot return yet.
    lso = offsets(OffsetSpec.latest(), IsolationLevel.READ_COMMITTED)
    return {tp: (low[tp], lso[tp]) for tp in low}


def read_committed(
    bootstrap_servers: str, topics: Iterable[str], deadline_s: float = READ_DEADLINE_S
) -> list[Message]:
    """Every committed record of the topics, from the first offset to the LSO; DlqError if it cannot finish
    (a partial read would make the tools call a dead letter new, or a replayed one pending)."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    try:
        ranges = committed_ends(admin, topics)
    except KafkaException as error:
        raise DlqError(f"broker indisponível / broker unavailable: {error}") from error
    try:
        return read_ranges(
            bootstrap_servers, ranges, "read_committed", deadline_s, group_prefix="dlq-tools", complete=True
        )
    except IncompleteRead as error:
        raise DlqError(str(error)) from error


def read_dead_letters(bootstrap_servers: str) -> list[DeadLetter]:
    return [
        DeadLetter(
            Place(m.topic() or "", m.partition() or 0, m.offset() or 0),
            m.key(),
            m.value() or b"",
            tuple((k, v if isinstance(v, bytes) else str(v or "").encode()) for k, v in m.headers() or []),
            m.timestamp()[1],
        )
        for m in read_committed(bootstrap_servers, DLQ_TOPICS)
    ]


def read_ledger(bootstrap_servers: str) -> dict[str, LedgerEntry]:
    """Replayed originals by place id (a missing ledger topic means nothing was ever replayed)."""
    ledger: dict[str, LedgerEntry] = {}
    for message in read_committed(bootstrap_servers, (LEDGER_TOPIC,)):
        if message.value():
            entry = LedgerEntry.from_json(message.value())
            ledger[entry.origin.id] = entry
    return ledger


def partition_counts(bootstrap_servers: str, topics: Iterable[str]) -> dict[str, int]:
    metadata = AdminClient({"bootstrap.servers": bootstrap_servers}).list_topics(timeout=TIMEOUT_S).topics
    return {t: len(metadata[t].partitions) for t in topics if t in metadata}


def create_ledger_topic(admin: AdminClient, brokers: int) -> None:
    """Created on first use if `pedidos provision` ran before this topic was declared (provisioning creates
    it, as declared in processors/topics.py, and reports any setting that differs)."""
    if LEDGER_TOPIC in admin.list_topics(timeout=TIMEOUT_S).topics:
        return
    ledger = TOPICS_BY_NAME[LEDGER_TOPIC]
    topic = NewTopic(
        ledger.name, ledger.partitions, ledger.effective_replication(brokers), config=ledger.config(brokers)
    )
    try:
        admin.create_topics([topic], request_timeout=TIMEOUT_S)[ledger.name].result()
    except KafkaException as error:
        if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # a concurrent run created it first
            raise


class ReplayWriter:
    """The transactional producer of a replay run. Create it BEFORE reading the ledger: init_transactions()
    fences an older run with the same transactional.id and waits for its transaction to end, so the ledger
    read afterwards holds everything that run replayed."""

    def __init__(self, bootstrap_servers: str, brokers: int) -> None:
        create_ledger_topic(AdminClient({"bootstrap.servers": bootstrap_servers}), brokers)
        self.producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "transactional.id": TRANSACTIONAL_ID,
                "client.id": TRANSACTIONAL_ID,
                "transaction.timeout.ms": 60_000,
                "linger.ms": 5,
            }
        )
        try:
            self.producer.init_transactions(TIMEOUT_S)
        except KafkaException as error:
            raise DlqError(f"init_transactions: {error}") from error

    def write(
        self,
        records: list[tuple[Place, bytes | None, bytes, list[tuple[str, bytes]]]],
        ledger: Callable[[dict[str, Place]], list[LedgerEntry]],
        progress: Callable[[int, int], None],
    ) -> dict[str, Place]:
        """One transaction: every replayed original, then the ledger entries (which name where each copy
        landed, known once the copies are delivered). Nothing becomes visible unless all of it does."""
        copies: dict[str, Place] = {}
        failures: list[str] = []

        def delivered(origin: Place) -> Callable[[object, Message], None]:
            def report(error: object, message: Message) -> None:
                if error is not None:
                    failures.append(f"{origin.id}: {error}")
                else:
                    copies[origin.id] = Place(
                        message.topic() or "", message.partition() or 0, message.offset()
                    )

            return report

        try:
            self.producer.begin_transaction()
            for done, (origin, key, value, headers) in enumerate(records, start=1):
                self._produce(origin.topic, origin.partition, key, value, headers, delivered(origin))
                progress(done, len(records))
            self.producer.flush(TIMEOUT_S)
            if failures or len(copies) != len(records):
                raise DlqError(f"entrega falhou / delivery failed: {failures[:5] or 'timeout'}")
            for entry in ledger(copies):
                self._produce(LEDGER_TOPIC, 0, entry.origin.id.encode(), entry.to_json(), [], None)
            self.producer.commit_transaction(TIMEOUT_S)
        except (KafkaException, DlqError) as error:
            self._abort()
            if isinstance(error, DlqError):
                raise
            raise DlqError(
                f"transação abortada, nada foi reenviado / transaction aborted: {error}"
            ) from error
        return copies

    def _produce(
        self,
        topic: str,
        partition: int,
        key: bytes | None,
        value: bytes,
        headers: list[tuple[str, bytes]],
        on_delivery: Callable[[object, Message], None] | None,
    ) -> None:
        while True:
            try:
                self.producer.produce(
                    topic, value, key, partition=partition, headers=headers, on_delivery=on_delivery
                )
                return
            except BufferError:
                self.producer.poll(0.1)  # the local queue is full: serve deliveries, then try again

    def _abort(self) -> None:
        # Fenced or fatal: the coordinator aborts the transaction at its timeout anyway.
        with contextlib.suppress(KafkaException):
            self.producer.abort_transaction(TIMEOUT_S)
