"""Run the processors as real processes, place orders through the real gateway code, wait for orders to end.

Shared by the kill demo (`pedidos chaos kill`) and the end-to-end tests, so both exercise exactly what a user
runs: the same command line, the same transactional ids, the same checkout validation and producer.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from confluent_kafka import Consumer, Message, TopicPartition

from processors.deployment import PROCESSORS, metrics_port
from processors.runtime.metrics import sample_totals
from processors.settings import Settings, get_settings
from tools.stack.procs import Child, stop_all, wait_until
from tools.stack.targets import processor_target, remove_targets, target_file, write_targets
from tools.traffic import random_order
from tools.verify.snapshot import group_lag, input_end_offsets

TERMINAL_TOPICS = ("orders.confirmed", "orders.cancelled")
TARGETS_WRITER = "harness"  # <state>/prometheus/targets/processors.harness.json


@dataclass
class ProcessorProcess:
    """One instance of a processor, run as `pedidos processor NAME --instance N` with its own log file.

    ``env`` is given to every run; a crash point and extra env given to ``start`` apply to that run only,
    so a restart after the crash is a normal instance with the same transactional.id.
    """

    name: str
    log_dir: Path
    instance: int = 0
    env: dict[str, str] = field(default_factory=dict)
    child: Child | None = None

    @property
    def key(self) -> str:
        return f"{self.name}-{self.instance}"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.key}.log"

    def start(
        self, crash_at: str | None = None, crash_after: int = 1, env: dict[str, str] | None = None
    ) -> int:
        argv = [sys.executable, "-m", "tools.cli", "processor", self.name, "--instance", str(self.instance)]
        if crash_at:
            argv += ["--crash-at", crash_at, "--crash-after", str(crash_after)]
        self.child = Child(argv, self.log_file, env={**self.env, **(env or {})})
        return self.child.start()

    @property
    def pid(self) -> int | None:
        return None if self.child is None else self.child.pid

    def exited(self) -> int | None:
        return None if self.child is None else self.child.exit_code()

    def stop(self, timeout_s: float = 30) -> None:
        if self.child is not None:
            self.child.stop(timeout_s)


def start_processors(
    log_dir: Path,
    crash: dict[str, tuple[str, int]] | None = None,
    env: dict[str, str] | None = None,
    env_for: dict[str, dict[str, str]] | None = None,
) -> dict[str, ProcessorProcess]:
    """One instance of every processor. ``crash`` maps a name to (crash point, crash after) for its first
    run; ``env`` is given to every processor, ``env_for`` to the one it names."""
    crash, env_for = crash or {}, env_for or {}
    settings = get_settings()
    # Prometheus scrapes them like `make run`'s: a death shows as up == 0 (the kill demo's alert).
    write_targets(
        settings, [processor_target(settings, name, 0) for name in PROCESSORS], writer=TARGETS_WRITER
    )
    running = {}
    for name in PROCESSORS:
        point, after = crash.get(name, (None, 1))
        running[name] = ProcessorProcess(name, log_dir, env={**(env or {}), **env_for.get(name, {})})
        running[name].start(crash_at=point, crash_after=after)
    return running


def stop_processors(processes: Iterable[ProcessorProcess]) -> None:
    """SIGTERM to all at once, so their clean shutdowns (commit or abort) overlap; SIGKILL past 30 s."""
    stop_all(p.child for p in processes if p.child is not None)
    remove_targets([target_file(get_settings(), "processors", TARGETS_WRITER)])


class Checkout:
    """Places orders through the gateway's own code (validation, idempotency, producer), without HTTP."""

    def __init__(self, seed: int = 7, customers: int = 50, products: int = 20) -> None:
        from gateway.app import create_app  # the gateway's Flask app, without its HTTP server

        self.app = create_app()
        self.client = self.app.test_client()
        self.rng = random.Random(seed)
        self.customers, self.products = customers, products

    def place(self, count: int, rate: float | None = None) -> list[str]:
        accepted = []
        started = time.monotonic()
        for i in range(count):
            if rate:
                time.sleep(
                    max(0.0, started + i / rate - time.monotonic())
                )  # the schedule, not a synchronisation
            response = self.client.post(
                "/orders",
                json=random_order(self.rng, self.customers, self.products),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            if response.status_code != 202:
                raise RuntimeError(f"checkout refused: {response.status_code} {response.get_json()}")
            accepted.append(response.get_json()["order_id"])
        return accepted

    def close(self) -> None:
        from gateway.app import close_app

        close_app(self.app)  # its producer and pool; left open they outlive the stack and flood the log

    def __enter__(self) -> Checkout:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def place_orders(
    count: int, *, seed: int = 7, rate: float | None = None, customers: int = 50, products: int = 20
) -> list[str]:
    """Check out ``count`` orders at ``rate`` per second (all at once without one)."""
    with Checkout(seed, customers, products) as checkout:
        return checkout.place(count, rate)


def order_consumer(
    settings: Settings, topics: tuple[str, ...], name: str, *, from_end: bool = False
) -> Consumer:
    """A read_committed consumer assigned every partition of ``topics``, from their start or their current
    end. It joins no group: ``name`` only tags its group id."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": f"{name}-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    partitions = []
    for topic in topics:
        for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
            start = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] if from_end else 0
            partitions.append(TopicPartition(topic, p, start))
    consumer.assign(partitions)
    return consumer


def note_orders(messages: list[Message], topic_of: dict[str, str], time_of: dict[str, float]) -> None:
    """For each order keyed record: the topic it showed up on, and its timestamp (s, set by its producer)."""
    for message in messages:
        if message.error() is None and message.key():
            order = message.key().decode()
            topic_of[order] = message.topic()
            time_of[order] = message.timestamp()[1] / 1000


class OrderWatcher:
    """Follows topics (by default the terminal ones), read_committed, noting where each order showed up."""

    def __init__(self, settings: Settings, topics: tuple[str, ...] = TERMINAL_TOPICS) -> None:
        self.ended: dict[str, str] = {}
        self.ended_at: dict[str, float] = {}  # order id -> the record's timestamp (s), set by its producer
        self.consumer = order_consumer(settings, topics, "wait")

    def wait_for(
        self, order_ids: list[str], timeout_s: float, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, str]:
        """Block until every order appeared on a watched topic; WaitTimeout names some that did not."""
        reported_at = 0.0

        def missing() -> list[str]:
            return [o for o in order_ids if o not in self.ended]

        def all_ended() -> bool:
            nonlocal reported_at
            waiting = missing()
            if progress and (not waiting or time.monotonic() - reported_at > 1):
                progress(len(order_ids) - len(waiting), len(order_ids))
                reported_at = time.monotonic()
            if waiting:
                self._consume()  # waits up to half a second for records: the pace of this wait
            return not waiting

        wait_until(
            all_ended,
            timeout_s=timeout_s,
            what=lambda: f"{len(missing())} orders to end (pedidos sem evento terminal): {missing()[:5]}",
            interval_s=0,
        )
        return {o: self.ended[o] for o in order_ids}

    def _consume(self) -> None:
        note_orders(self.consumer.consume(1000, timeout=0.5), self.ended, self.ended_at)

    def close(self) -> None:
        self.consumer.close()


DRAIN_ROUNDS = 12  # order -> payment -> saga -> stock -> saga -> notification, plus compensations


def wait_drained(settings: Settings, timeout_s: float = 60) -> None:
    """Wait until every processor group committed past what its inputs held, round after round.

    A round waits for the records present when it began; processing them writes the next hop's records,
    which the next round waits for. It ends when a round leaves the inputs exactly as they were (quiet), or
    after DRAIN_ROUNDS, which outlast the saga's longest chain of hops: whatever still arrives then is other
    traffic (the dashboard's generator), which must not keep a load test or a drill waiting forever.
    """
    until = input_end_offsets(settings)
    rounds = 0
    lag: dict[str, int] = {}

    def quiet() -> bool:
        nonlocal until, rounds, lag
        while not any((lag := group_lag(settings, until=until)).values()):
            rounds += 1
            ends = input_end_offsets(settings)
            if ends == until or rounds == DRAIN_ROUNDS:
                return True
            until = ends
        return False

    wait_until(quiet, timeout_s=timeout_s, what=lambda: f"the processors to drain (não drenaram), lag {lag}")


def wait_assigned(settings: Settings, names: tuple[str, ...] = PROCESSORS, timeout_s: float = 60) -> None:
    """Wait until every processor's instance 0 reports partitions assigned on its metrics endpoint.

    The group's own state cannot tell: with static membership a stopped instance stays a member (holding
    its assignment) until its session times out, while its successor is still starting.
    """
    waiting = set(names)

    def all_assigned() -> bool:
        waiting.difference_update([name for name in waiting if _assigned_partitions(settings, name)])
        return not waiting

    wait_until(
        all_assigned,
        timeout_s=timeout_s,
        what=lambda: f"partitions assigned to {sorted(waiting)} (sem partições)",
        interval_s=0.2,
    )


def _assigned_partitions(settings: Settings, name: str) -> int:
    url = f"http://{settings.host}:{metrics_port(settings, name, 0)}/metrics"
    try:
        text = httpx.get(url, timeout=2).text
    except httpx.HTTPError:
        return 0
    return int(sample_totals(text).get("pedidos_assigned_partitions", 0))
