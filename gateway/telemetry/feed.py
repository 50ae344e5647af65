"""The gateway's one telemetry consumer: every domain topic, read_committed, into the hub and the indicators.

One consumer for the whole gateway process, never one per browser tab. It starts a few minutes back (by
timestamp) so a freshly started dashboard already has recent events and indicators. A second thread, the
ticker, sends the periodic messages (stats, cluster state, indicators, faults): the admin calls behind the
cluster state never delay the consumer.

Besides the order flow it follows the retry topics and the DLQs (their values are the original bytes of a
failing record, told apart by headers) and `chaos.faults`, the drills' JSON fault log (faults.py).
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
import uuid
from collections import Counter, deque
from datetime import datetime
from decimal import Decimal
from typing import Any

from confluent_kafka import OFFSET_END, Consumer, Message, TopicPartition

from gateway.telemetry.cluster import ClusterReader
from gateway.telemetry.faults import FAULTS_TOPIC, BadFault, FaultBook, RetryBook, parse_fault, retry_hop
from gateway.telemetry.hub import Hub
from gateway.telemetry.indicators import Indicators
from processors.events import EVENT_TYPES
from processors.runtime import retry
from processors.runtime.serde import AvroCodec, PoisonPill
from processors.settings import Settings
from processors.topics import TOPICS

log = logging.getLogger("pedidos.telemetry")
DLQ_TOPICS = tuple(t.name for t in TOPICS if t.name.endswith(".dlq"))
RETRY_TOPICS = tuple(t.name for t in TOPICS if retry.delay_of(t.name) is not None)
# A retry topic says nothing of who wrote it: the table does (the DLQ's headers name the processor).
WRITER = {t.name: t.producers[0] for t in TOPICS if t.producers}
WATCHED_TOPICS = (*EVENT_TYPES, *RETRY_TOPICS, *DLQ_TOPICS, FAULTS_TOPIC)
RECENT = 2000
TIMESTAMPS_PER_PARTITION = 20_000
HISTORY_POINTS = 300  # 10 minutes at one point per 2 s
HISTORY_MS = HISTORY_POINTS * 2000
# The fault log is tiny and a drill lasts minutes: read it further back than the rest, so a gateway started
# in the middle of a drill still knows the drill is on and what it broke.
FAULTS_REPLAY_S = 30 * 60


def plain(value: Any) -> Any:
    """JSON-ready: times as epoch ms, money as exact strings, ids as text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def to_json(message: Any) -> str:
    return json.dumps(plain(message), ensure_ascii=False, separators=(",", ":"))


def is_retry_topic(topic: str) -> bool:
    return retry.delay_of(topic) is not None


def event_view(message: Message, decoded: dict[str, Any] | None, seen_at_ms: int) -> dict[str, Any]:
    event = plain(decoded or {})
    headers = {k: v.decode(errors="replace") for k, v in message.headers() or [] if isinstance(v, bytes)}
    topic = message.topic() or ""
    kind = "dlq." if topic.endswith(".dlq") else "retry." if is_retry_topic(topic) else None
    return {
        "topic": topic,
        "partition": message.partition(),
        "offset": message.offset(),
        "order_id": (message.key() or b"").decode(errors="replace") or None,
        "event_type": event.get("event_type") or {"dlq.": "DeadLetter", "retry.": "Retry"}.get(kind or ""),
        "event_id": event.get("event_id"),
        "correlation_id": event.get("correlation_id") or headers.get("correlation-id"),
        "causation_id": event.get("causation_id"),
        "producer": event.get("producer") or headers.get("dlq.processor") or (kind and WRITER.get(topic)),
        "timestamp": message.timestamp()[1],
        "occurred_at": event.get("occurred_at"),
        "seen_at": seen_at_ms,
        "payload": event if decoded else {k: v for k, v in headers.items() if k.startswith(kind or "dlq.")},
    }


class TelemetryFeed:
    def __init__(self, settings: Settings, hub: Hub, replay_s: int = 300) -> None:
        self.settings = settings
        self.hub = hub
        self.replay_s = replay_s
        self.topics = tuple(t for t in settings.telemetry_topics.split(",") if t) or WATCHED_TOPICS
        self.codec = AvroCodec(settings.registry_url)
        self.indicators = Indicators(window_s=replay_s)
        self.recent: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self.history: deque[dict[str, Any]] = deque(maxlen=HISTORY_POINTS)
        self.faults = FaultBook(window_ms=HISTORY_MS)
        self.retries = RetryBook()
        self.bad_faults = 0  # records on chaos.faults that were not fault records, skipped
        self._faults_sent = -1
        self.cluster = ClusterReader(settings, timestamp_at=self.timestamp_at)
        self.last_cluster: dict[str, Any] | None = None
        self.live_since_ms = int(time.time() * 1000) - 1000
        self._offsets: dict[tuple[str, int], list[tuple[int, int]]] = {}  # partition -> [(offset, ts ms)]
        self._per_second: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._consume, name="telemetry-consumer", daemon=True),
            threading.Thread(target=self._tick, name="telemetry-ticker", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        self.hub.close_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)

    # -- snapshots for the HTTP API ------------------------------------------------------------------
    def recent_events(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.recent)[-limit:]

    def indicators_snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.indicators.snapshot(int(time.time() * 1000))

    def faults_snapshot(
        self, since_ms: int | None = None, until_ms: int | None = None, order_id: str | None = None
    ) -> dict[str, Any]:
        """Drills and fault spans overlapping [since, until]; the order's retry hops, or the newest ones."""
        with self._lock:
            body = self.faults.snapshot(int(time.time() * 1000), since_ms, until_ms)
            body["retries"] = self.retries.for_order(order_id) if order_id else self.retries.newest(100)
            body["skipped"] = self.bad_faults
            return body

    def timestamp_at(self, topic: str, partition: int, offset: int) -> float | None:
        """Epoch ms of the first record at or after ``offset`` that this feed has seen, if any."""
        with self._lock:
            seen = self._offsets.get((topic, partition), [])
            index = bisect.bisect_left(seen, (offset, -1))
            return seen[index][1] if index < len(seen) else None

    def records_in(self, topic: str, partition: int, start: int, end: int) -> int | None:
        """Records (not transaction markers) in [start, end), if this feed has seen that whole stretch."""
        with self._lock:
            seen = self._offsets.get((topic, partition), [])
            if not seen or seen[0][0] > start:
                return None
            return bisect.bisect_left(seen, (end, -1)) - bisect.bisect_left(seen, (start, -1))

    # -- the consumer thread -------------------------------------------------------------------------
    def _consume(self) -> None:
        consumer = Consumer(
            {
                "bootstrap.servers": self.settings.bootstrap_servers,
                "group.id": f"telemetry-{uuid.uuid4().hex[:8]}",  # assign() only: the group never commits
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "client.id": "gateway-telemetry",
            }
        )
        try:
            consumer.assign(self._start_positions(consumer))
            while not self.stop.is_set():
                for message in consumer.consume(500, timeout=0.2):
                    if message.error() is None:
                        self._take(message)
        except Exception:  # the dashboard goes quiet, the checkout keeps working
            log.exception("telemetry consumer stopped")
        finally:
            consumer.close()

    def _start_positions(self, consumer: Consumer) -> list[TopicPartition]:
        now = time.time()
        wanted = []
        for topic in self.topics:
            replay_s = max(self.replay_s, FAULTS_REPLAY_S) if topic == FAULTS_TOPIC else self.replay_s
            metadata = consumer.list_topics(topic, timeout=10).topics[topic]
            wanted += [TopicPartition(topic, p, int((now - replay_s) * 1000)) for p in metadata.partitions]
        return [
            TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_END)
            for tp in consumer.offsets_for_times(wanted, timeout=10)
        ]

    def _take(self, message: Message) -> None:
        topic = message.topic() or ""
        if topic == FAULTS_TOPIC:
            self._take_fault(message)
            return
        try:
            # A retry record's bytes are the original's (decodable, but its story is in the headers).
            wanted = message.value() and not is_retry_topic(topic)
            decoded = self.codec.decode(topic, message.value()) if wanted else None
        except PoisonPill:
            decoded = None  # a dead letter's bytes may be the very reason it is there
        event = event_view(message, decoded, int(time.time() * 1000))
        hop = retry_hop(
            topic,
            event["partition"],
            event["offset"],
            event["timestamp"],
            message.key(),
            message.headers(),
            WRITER.get(topic),
        )
        with self._lock:
            if hop is not None:
                self.retries.add(hop)
            self.recent.append(event)
            self.indicators.observe(event["topic"], event["order_id"], event["timestamp"])
            self._per_second[event["topic"]] += 1
            seen = self._offsets.setdefault((event["topic"], event["partition"]), [])
            seen.append((event["offset"], event["timestamp"]))
            if len(seen) > 2 * TIMESTAMPS_PER_PARTITION:
                del seen[:TIMESTAMPS_PER_PARTITION]
        if event["timestamp"] >= self.live_since_ms:
            self.hub.publish(event)  # the replayed minutes feed the snapshots, not the live stream

    def _take_fault(self, message: Message) -> None:
        """JSON, never Avro; anything else on the topic is logged and skipped, never the end of the feed."""
        try:
            record = parse_fault(message.value(), message.key(), message.timestamp()[1])
        except BadFault as error:
            with self._lock:
                self.bad_faults += 1
            log.warning(
                "chaos.faults: registro ignorado / record skipped at offset %s: %s", message.offset(), error
            )
            return
        with self._lock:
            self.faults.add(record)

    # -- the ticker thread ---------------------------------------------------------------------------
    def _tick(self) -> None:
        second = 0
        while not self.stop.wait(1.0):
            second += 1
            with self._lock:
                rates, self._per_second = dict(self._per_second), Counter()
            self.hub.broadcast(
                {
                    "type": "stats",
                    "at": int(time.time() * 1000),
                    "rates": rates,
                    "clients": self.hub.client_count,
                    "dropped_total": self.hub.dropped_total,
                }
            )
            self._send_faults()
            if second % 2 == 0:
                self._send_cluster_and_indicators()

    def _send_faults(self) -> None:
        """The last ten minutes of faults (the lag chart's span), only when something in them changed: each
        message replaces the last, so one lost on a slow tab costs nothing."""
        now_ms = int(time.time() * 1000)
        with self._lock:
            self.faults.settle(now_ms)
            if self.faults.version == self._faults_sent:
                return
            self._faults_sent = self.faults.version
            body = self.faults.snapshot(now_ms, since_ms=now_ms - HISTORY_MS)
        self.hub.broadcast({"type": "faults", **body})

    def _send_cluster_and_indicators(self) -> None:
        try:
            cluster = self.cluster.snapshot()
        except Exception:
            if not self.stop.is_set():  # at interpreter exit its thread pool refuses work: nothing to report
                log.exception("cluster snapshot failed")
            return
        groups = cluster.get("groups", [])
        lso = {
            (t["name"], p["partition"]): p["lso"] for t in cluster.get("topics", []) for p in t["partitions"]
        }
        for group in groups:
            for row in group["partitions"]:
                # A commit marker takes an offset too: LSO - committed is 1 on a fully processed partition.
                # Where this feed saw every record of the stretch, count records, not offsets.
                end = lso.get((row["topic"], row["partition"]))
                if row["lag"] > 0 and end is not None:
                    records = self.records_in(row["topic"], row["partition"], row["committed"], end)
                    row["lag"] = row["lag"] if records is None else records
        self.last_cluster = cluster
        self.history.append(
            {
                "at": cluster.get("at"),
                "lag": {g["group"]: sum(p["lag"] for p in g["partitions"]) for g in groups},
                "lag_seconds": {
                    g["group"]: max((p["lag_seconds"] for p in g["partitions"]), default=0.0) for g in groups
                },
            }
        )
        self.hub.broadcast({"type": "cluster", **cluster})
        self.hub.broadcast({"type": "indicators", **self.indicators_snapshot()})
