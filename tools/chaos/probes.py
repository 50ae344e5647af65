"""What a drill runs beside the processors: open-loop checkout load, a lag sampler and a terminal follower.

Each runs in a thread of the drill's own process and only records; the analysis happens afterwards.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from confluent_kafka import Consumer, TopicPartition

from processors.deployment import INPUT_TOPICS
from processors.settings import Settings
from tools.chaos.analysis import Sample
from tools.saga_harness import TERMINAL_TOPICS, Checkout, note_orders, order_consumer
from tools.traffic import random_order

Clock = Callable[[], float]


@dataclass(frozen=True)
class Answer:
    due_s: float  # when the request was scheduled (drill clock)
    answered_s: float
    status: int  # HTTP status, 0 when the call itself failed
    order_id: str | None


@dataclass
class LoadRecord:
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[str]:
        with self.lock:
            return [a.order_id for a in self.answers if a.status == 202 and a.order_id]


class OpenLoopCheckout:
    """Orders at a fixed rate through the gateway's own checkout code (no HTTP server), whatever the answers.

    Requests leave on schedule; a slow or failing checkout (a broker or the database down) shows up as late
    answers and 503s, not as a lower rate. Each worker thread has its own test client on the shared app.
    """

    def __init__(
        self,
        rate: float,
        clock: Clock,
        seed: int,
        workers: int = 128,
        customers: int = 200,
        products: int = 50,
    ) -> None:
        self.checkout = Checkout(seed=seed, customers=customers, products=products)
        self.rate, self.clock = rate, clock
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="checkout")
        self.local = threading.local()
        self.record = LoadRecord()
        self.stopping = threading.Event()
        self.scheduled = 0
        self.thread = threading.Thread(target=self._schedule, name="load", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, *, cancel_queued: bool = False) -> None:
        """Stop scheduling, then wait for every request already scheduled to be answered; `cancel_queued`
        (an interrupted drill) drops those still waiting for a worker and waits only for the ones sent."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        self.pool.shutdown(wait=True, cancel_futures=cancel_queued)
        self.checkout.close()

    def _schedule(self) -> None:
        started = self.clock()
        while not self.stopping.is_set():
            due = started + self.scheduled / self.rate
            self.stopping.wait(max(0.0, due - self.clock()))  # the schedule itself, not a synchronisation
            if self.stopping.is_set():
                break
            order = random_order(self.checkout.rng, self.checkout.customers, self.checkout.products)
            self.pool.submit(self._post, order, due)
            self.scheduled += 1

    def _post(self, order: dict, due: float) -> None:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = self.checkout.app.test_client()
        try:
            response = client.post("/orders", json=order, headers={"Idempotency-Key": str(uuid.uuid4())})
            status = response.status_code
            order_id = response.get_json()["order_id"] if status == 202 else None
        except Exception:  # the app should always answer; a crash in it still must not stop the load
            status, order_id = 0, None
        with self.record.lock:
            self.record.answers.append(Answer(round(due, 3), round(self.clock(), 3), status, order_id))


class Background:
    """A daemon thread that runs ``_run`` until ``stop``, which then lets ``_close`` release its clients."""

    def __init__(self, name: str) -> None:
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self._close()

    def _run(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class LagSampler(Background):
    """Once a second: every processor group's lag on its input partitions (end offset - committed offset).

    Plain consumers, one per group id, that never join their group (no subscribe, no commit): they only ask
    for the group's committed offsets and the partitions' end offsets. (The AdminClient equivalents,
    asked once a second while a broker restarts, tripped an assertion inside librdkafka 2.16 and aborted
    the whole process.)
    """

    def __init__(self, settings: Settings, clock: Clock, period_s: float = 1.0) -> None:
        self.clock, self.period_s = clock, period_s
        self.probes = {
            group: Consumer(
                {
                    "bootstrap.servers": settings.bootstrap_servers,
                    "group.id": group,
                    "enable.auto.commit": False,
                    # read_uncommitted: do not wait for the group's pending transactional offsets to settle
                    "isolation.level": "read_uncommitted",
                }
            )
            for group in INPUT_TOPICS
        }
        any_probe = next(iter(self.probes.values()))
        metadata = any_probe.list_topics(timeout=10).topics
        self.inputs = {
            group: [TopicPartition(t, p) for t in topics for p in sorted(metadata[t].partitions)]
            for group, topics in INPUT_TOPICS.items()
        }
        self.samples: list[Sample] = []
        super().__init__("lag-sampler")

    def _close(self) -> None:
        for probe in self.probes.values():
            probe.close()

    def _run(self) -> None:
        next_at = self.clock()
        while not self.stopping.is_set():
            t = self.clock()
            self.samples.append(Sample(round(t, 1), self.sample(timeout_s=min(2.0, self.period_s * 2))))
            next_at = max(next_at + self.period_s, self.clock())
            self.stopping.wait(max(0.0, next_at - self.clock()))  # the sampling period

    def sample(self, timeout_s: float = 2.0) -> dict[str, int] | None:
        try:
            ends: dict[tuple[str, int], int] = {}
            lag = {}
            for group, partitions in self.inputs.items():
                probe = self.probes[group]
                for tp in partitions:
                    if (tp.topic, tp.partition) not in ends:
                        ends[(tp.topic, tp.partition)] = probe.get_watermark_offsets(tp, timeout=timeout_s)[1]
                committed = probe.committed(partitions, timeout=timeout_s)
                lag[group] = sum(
                    max(0, ends[(tp.topic, tp.partition)] - max(tp.offset, 0)) for tp in committed
                )
            return lag
        except Exception:  # the cluster is down or busy: a gap in the chart, not a failed drill
            return None


class TerminalFollower(Background):
    """Follows the terminal topics from their current end (read_committed): when each order ended."""

    def __init__(self, settings: Settings) -> None:
        self.ended: dict[str, str] = {}
        self.ended_at_wall: dict[str, float] = {}  # order id -> the terminal record's timestamp (epoch s)
        self.lock = threading.Lock()
        self.consumer = order_consumer(settings, TERMINAL_TOPICS, "drill", from_end=True)
        super().__init__("terminal-follower")

    def _close(self) -> None:
        self.consumer.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            messages = self.consumer.consume(1000, timeout=0.5)
            with self.lock:
                note_orders(messages, self.ended, self.ended_at_wall)

    def missing(self, orders: list[str]) -> list[str]:
        with self.lock:
            return [o for o in orders if o not in self.ended]
