"""The gateway's one telemetry consumer: every domain topic, read_committed, into the hub and the indicators.

One consumer for the whole gateway process, never one per browser tab. It starts a few minutes back (by
timestamp) so a freshly started dashboard already has recent events and indicators. A second thread, the
ticker, sends the periodic messages (stats, cluster state, indicators): the admin calls behind the cluster
state never delay the consumer.
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
from gateway.telemetry.hub import Hub
from gateway.telemetry.indicators import Indicators
from processors.events import EVENT_TYPES
from processors.runtime.serde import AvroCodec, PoisonPill
from processors.settings import Settings
from processors.topics import TOPICS

log = logging.getLogger("pedidos.telemetry")
DLQ_TOPICS = tuple(t.name for t in TOPICS if t.name.endswith(".dlq"))
WATCHED_TOPICS = (*EVENT_TYPES, *DLQ_TOPICS)
RECENT = 2000
TIMESTAMPS_PER_PARTITION = 20_000
HISTORY_POINTS = 300  # 10 minutes at one point per 2 s


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


def event_view(message: Message, decoded: dict[str, Any] | None, seen_at_ms: int) -> dict[str, Any]:
    event = plain(decoded or {})
    headers = {k: v.decode(errors="replace") for k, v in message.headers() or [] if isinstance(v, bytes)}
    return {
        "topic": message.topic(),
        "partition": message.partition(),
        "offset": message.offset(),
        "order_id": (message.key() or b"").decode(errors="replace") or None,
        "event_type": event.get("event_type") or ("DeadLetter" if message.topic().endswith(".dlq") else None),
        "event_id": event.get("event_id"),
        "correlation_id": event.get("correlation_id") or headers.get("correlation-id"),
        "causation_id": event.get("causation_id"),
        "producer": event.get("producer") or headers.get("dlq.processor"),
        "timestamp": message.timestamp()[1],
        "occurred_at": event.get("occurred_at"),
        "seen_at": seen_at_ms,
        "payload": event if decoded else {k: v for k, v in headers.items() if k.startswith("dlq.")},
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
        since_ms = int((time.time() - self.replay_s) * 1000)
        wanted = []
        for topic in self.topics:
            metadata = consumer.list_topics(topic, timeout=10).topics[topic]
            wanted += [TopicPartition(topic, p, since_ms) for p in metadata.partitions]
        return [
            TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_END)
            for tp in consumer.offsets_for_times(wanted, timeout=10)
        ]

    def _take(self, message: Message) -> None:
        try:
            decoded = self.codec.decode(message.topic(), message.value()) if message.value() else None
        except PoisonPill:
            decoded = None  # a dead letter's bytes may be the very reason it is there
        event = event_view(message, decoded, int(time.time() * 1000))
        with self._lock:
            self.recent.append(event)
            self.indicators.observe(event["topic"], event["order_id"], event["timestamp"])
            self._per_second[event["topic"]] += 1
            seen = self._offsets.setdefault((event["topic"], event["partition"]), [])
            seen.append((event["offset"], event["timestamp"]))
            if len(seen) > 2 * TIMESTAMPS_PER_PARTITION:
                del seen[:TIMESTAMPS_PER_PARTITION]
        if event["timestamp"] >= self.live_since_ms:
            self.hub.publish(event)  # the replayed minutes feed the snapshots, not the live stream

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
            if second % 2 == 0:
                self._send_cluster_and_indicators()

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
