"""One failure drill from start to verdict: processors, load, sampling, the scenario's faults, audit, report.

    processors up -> load at R orders/s -> warm-up -> the scenario injects its faults (each recorded and
    published on chaos.faults) -> load until the duration (and a tail after the last fault) -> every accepted
    order reaches a terminal event (with a deadline) -> the scenario's own checks -> drained -> processors
    stopped -> the audit, scoped to the accepted orders -> the numbers for the report.

A small supervisor restarts a processor that exits by itself (as `make run`'s does), and the drill notes it as
an observed event: a fenced zombie or a crash-looping processor is part of what a drill shows.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient

from processors.deployment import PROCESSORS
from processors.logs import JsonFormatter
from processors.runtime.serde import AvroCodec
from processors.settings import PROJECT_ROOT, Settings
from tools.chaos import analysis
from tools.chaos.analysis import Fault, Sample
from tools.chaos.faultlog import FaultLog
from tools.chaos.probes import Answer, LagSampler, OpenLoopCheckout, TerminalFollower
from tools.saga_harness import ProcessorProcess, stop_processors, wait_assigned, wait_drained
from tools.stack.procs import WaitTimeout, wait_until
from tools.stack.stack import Stack
from tools.text import Text
from tools.verify.observations import Snapshot
from tools.verify.properties import PropertyResult, audit
from tools.verify.snapshot import AUDITED_TOPICS, read_from, take_snapshot

Say = Callable[[str], None]
PRIMING_ORDERS = 5


@dataclass(frozen=True)
class DrillOptions:
    rate: float = 200.0
    duration_s: float = 300.0
    warmup_s: float | None = None  # None: a tenth of the duration, 3 to 20 s
    tail_s: float | None = None  # load kept after the last fault ends; None: like the warm-up
    settle_s: float = 180.0  # deadline for every accepted order to reach its terminal event
    drain_s: float = 90.0  # then for every group to have committed up to the end of its inputs
    seed: int = 7

    @property
    def warmup(self) -> float:
        return self.warmup_s if self.warmup_s is not None else min(20.0, max(3.0, self.duration_s / 10))

    @property
    def tail(self) -> float:
        return self.tail_s if self.tail_s is not None else self.warmup


@dataclass(frozen=True)
class Check:
    """A scenario's own verdict beside the audit (e.g. every poison pill in its DLQ exactly once)."""

    name: str  # "texto pt / text en"
    ok: bool
    detail: str


class Scenario:
    """What a drill injects; the defaults run one instance of every processor and check nothing extra."""

    name = "base"
    title = Text("Drill", "Drill")

    def instances(self) -> dict[str, int]:
        return {name: 1 for name in PROCESSORS}

    def env_for(self, processor: str, instance: int) -> dict[str, str]:
        return {}

    def prepare(self, drill: Drill) -> None:
        """Before the processors start (e.g. note where the DLQs end)."""

    def inject(self, drill: Drill) -> None:
        raise NotImplementedError

    def checks(self, drill: Drill) -> list[Check]:
        return []

    def cleanup(self, drill: Drill) -> None:
        """Always called: put back whatever the scenario took away (a broker, the database)."""

    def options(self) -> dict[str, Any]:
        return {}


@dataclass
class DrillResult:
    drill_id: str
    scenario: str
    options: DrillOptions
    scenario_options: dict[str, Any]
    load_s: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    ended: dict[str, str] = field(default_factory=dict)
    ended_at_s: dict[str, float] = field(default_factory=dict)  # order -> terminal record time (drill clock)
    due_at_s: dict[str, float] = field(default_factory=dict)  # order -> scheduled checkout (drill clock)
    aborted_records: dict[str, int] | None = field(default_factory=dict)  # None: could not be counted
    aborts_by_reason: dict[str, int] = field(default_factory=dict)
    retried_by_topic: dict[str, int] = field(default_factory=dict)  # handler failures sent to a retry topic
    dead_lettered_by_reason: dict[str, int] = field(default_factory=dict)
    fatal_exits: int = 0
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    audit_results: list[PropertyResult] = field(default_factory=list)
    snapshot: Snapshot | None = None
    undelivered_fault_records: int = 0

    @property
    def audit_ok(self) -> bool:
        return bool(self.audit_results) and all(r.ok for r in self.audit_results)

    @property
    def ok(self) -> bool:
        return self.audit_ok and all(c.ok for c in self.checks) and not self.errors


def payment_instances(rate: float, settings: Settings) -> int:
    """Enough payment instances for the load: each waits out the simulated provider's latency one charge at
    a time, and should spend at most 60% of its time doing so (200 orders/s x 5 ms -> 2 instances)."""
    return max(1, math.ceil(rate * settings.payment_latency_ms / 1000 / 0.6))


class Drill:
    """The running drill as a scenario sees it: the clock, the processes, the stack and the fault log."""

    def __init__(
        self, settings: Settings, scenario: Scenario, options: DrillOptions, log_dir: Path, say: Say
    ) -> None:
        self.settings, self.scenario, self.options, self.log_dir, self.say = (
            settings,
            scenario,
            options,
            log_dir,
            say,
        )
        self.stack = Stack(settings)
        self.drill_id = f"{scenario.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        self.t0 = time.monotonic()
        self.wall_t0 = time.time()
        self.faults = FaultLog(settings.bootstrap_servers, self.drill_id, scenario.name, self.clock)
        self.processes: dict[str, ProcessorProcess] = {}
        self.held: set[str] = set()
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self.window_end = options.duration_s - options.tail  # faults should be over by then
        self.admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})

    # -- time -------------------------------------------------------------------------------------------
    def clock(self) -> float:
        return time.monotonic() - self.t0

    def restart_clock(self) -> None:
        self.t0, self.wall_t0 = time.monotonic(), time.time()

    def pause(self, seconds: float) -> None:
        """Let the fault last: an outage's length, the gap between kills (the schedule, not a sync)."""
        self.stopping.wait(max(0.0, seconds))

    def sleep_until(self, t_s: float) -> None:
        self.pause(t_s - self.clock())

    def until(self, condition: Callable[[], Any], timeout_s: float, interval_s: float = 0.1) -> Any:
        """The condition's value once it holds, or None when the deadline passes first (for the scenario
        to report, not to fail the drill)."""
        try:
            return wait_until(condition, timeout_s=timeout_s, what="drill condition", interval_s=interval_s)
        except WaitTimeout:
            return None

    def wall(self, t_s: float) -> datetime:
        return datetime.fromtimestamp(self.wall_t0 + t_s, UTC)

    def at(self, t_s: float) -> str:
        return f"[t={t_s:6.1f}s]"

    # -- processes ----------------------------------------------------------------------------------------
    def start_processes(self) -> None:
        counts = self.scenario.instances()
        counts["payment"] = max(counts["payment"], payment_instances(self.options.rate, self.settings))
        for name, count in counts.items():
            for instance in range(count):
                env = self.scenario.env_for(name, instance)
                process = ProcessorProcess(name, self.log_dir, instance=instance, env=env)
                self.processes[process.key] = process
                process.start()

    @contextlib.contextmanager
    def holding(self, key: str) -> Iterator[ProcessorProcess]:
        """The supervisor leaves this process alone meanwhile (the scenario is killing or arming it)."""
        with self.lock:
            self.held.add(key)
        try:
            yield self.processes[key]
        finally:
            with self.lock:
                self.held.discard(key)

    def start(
        self, key: str, crash_at: str | None = None, crash_after: int = 1, env: dict[str, str] | None = None
    ) -> None:
        """(Re)start a process; crash point and extra env apply to this run only, never to later restarts."""
        self.processes[key].start(crash_at, crash_after, env)

    def signal(self, key: str, sig: int) -> int:
        process = self.processes[key]
        assert process.child is not None
        pid = process.child.send_signal(sig)
        assert pid is not None, f"{key} does not run"
        if sig == signal.SIGKILL:  # reaped before it returns: a restart never meets the dead one
            wait_until(lambda: process.exited() is not None, timeout_s=10, what=f"{key} killed")
        return pid

    def pid(self, key: str) -> int | None:
        return self.processes[key].pid

    def stopped(self, key: str) -> bool:
        """The process is frozen (SIGSTOP)."""
        child = self.processes[key].child
        return child is not None and child.frozen()

    def log_lines(self, key: str) -> list[str]:
        path = self.processes[key].log_file
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def stop_processes(self) -> None:
        stop_processors(self.processes.values())

    # -- the supervisor -----------------------------------------------------------------------------------
    def start_supervisor(self) -> None:
        self.supervisor.start()

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                for key, process in self.processes.items():
                    code = process.exited()
                    if key in self.held or code is None:
                        continue
                    fault = self.faults.start(
                        "exit", key, f"saiu sozinho, código {code} / exited by itself", False
                    )
                    self.say(
                        f"{self.at(fault.start_s)} {key} saiu (código {code}), reiniciado / exited, restarted"
                    )
                    self.start(key)
                    self.faults.end(fault)
            self.stopping.wait(0.5)  # the supervisor's polling period

    def stop_supervisor(self) -> None:
        self.stopping.set()
        if self.supervisor.is_alive():
            self.supervisor.join()


def running_processors(settings: Settings) -> list[int]:
    """Pids of processors already running against this stack (same state directory and Kafka port): a drill
    starting its own with the same transactional ids would fight them, and its audit would be meaningless."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if b"tools.cli" not in argv or b"processor" not in argv:
                continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
        except OSError:
            continue
        theirs = Settings(
            state_dir=env.get(b"PEDIDOS_STATE_DIR", str(PROJECT_ROOT / ".state").encode()).decode(),
            kafka_port=int(env.get(b"PEDIDOS_KAFKA_PORT", b"9092")),
        )
        if (theirs.state_dir.resolve(), theirs.kafka_port) == (
            settings.state_dir.resolve(),
            settings.kafka_port,
        ):
            found.append(int(entry))
    return sorted(found)


def run_drill(
    settings: Settings, scenario: Scenario, options: DrillOptions, log_dir: Path, say: Say
) -> DrillResult:
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()  # this directory only ever holds the last run of this drill
    # The checkout runs in this process: its warnings (503s during an outage) go to a log file of the drill,
    # not between the progress lines.
    checkout_log = logging.FileHandler(log_dir / "checkout.log")
    checkout_log.setFormatter(JsonFormatter("drill-checkout"))
    logging.getLogger().addHandler(checkout_log)
    try:
        return _run(Drill(settings, scenario, options, log_dir, say), settings, scenario, options, say)
    finally:
        logging.getLogger().removeHandler(checkout_log)
        checkout_log.close()


def _run(
    drill: Drill, settings: Settings, scenario: Scenario, options: DrillOptions, say: Say
) -> DrillResult:
    result = DrillResult(drill.drill_id, scenario.name, options, scenario.options())
    starts = _end_offsets(settings, AUDITED_TOPICS)
    scenario.prepare(drill)
    drill.start_processes()
    follower = TerminalFollower(settings)
    follower.start()
    sampler: LagSampler | None = None
    load: OpenLoopCheckout | None = None
    progress = threading.Event()
    primed: list[str] = []
    try:
        wait_assigned(settings)
        load = OpenLoopCheckout(options.rate, drill.clock, options.seed)
        # A few orders end to end before the clock starts: every processor has fetched its schemas and
        # opened its connections, so the warm-up measures the steady state, not the start-up.
        primed = load.checkout.place(PRIMING_ORDERS)
        if drill.until(lambda: not follower.missing(primed), 60, interval_s=0.2) is None:
            raise RuntimeError(f"os pedidos iniciais não terminaram / priming orders never ended: {primed}")
        sampler = LagSampler(settings, drill.clock)
        drill.restart_clock()
        drill.faults.drill_event("drill-started", f"{options.rate:g} pedidos/s, {options.duration_s:g} s")
        sampler.start()
        load.start()
        drill.start_supervisor()
        threading.Thread(
            target=_progress, args=(drill, load, follower, sampler, progress), daemon=True
        ).start()
        say(
            f"{drill.at(0)} carga a {options.rate:g} pedidos/s, falhas a partir de t={options.warmup:g}s "
            f"/ load at {options.rate:g} orders/s, faults from t={options.warmup:g}s"
        )
        drill.sleep_until(options.warmup)
        try:
            scenario.inject(drill)
        except Exception as error:  # a fault that could not be injected or healed: reported, then audited
            result.errors.append(f"inject: {type(error).__name__}: {error}")
            say(f"{drill.at(drill.clock())} ERRO / ERROR: {error}")
        drill.sleep_until(max(options.duration_s, drill.clock() + options.tail))
        load.stop()
        result.load_s = round(drill.clock(), 1)
        result.accepted = primed + load.record.accepted()
        say(
            f"{drill.at(result.load_s)} carga parada: {len(result.accepted)} pedidos aceitos; esperando "
            f"os eventos terminais / load stopped, waiting for every accepted order's terminal event"
        )
        if (
            drill.until(lambda: not follower.missing(result.accepted), options.settle_s, interval_s=0.5)
            is None
        ):
            missing = follower.missing(result.accepted)
            result.errors.append(
                f"{len(missing)} pedidos sem evento terminal após {options.settle_s:g} s / never ended: "
                f"{missing[:5]}"
            )
        result.checks = scenario.checks(drill)
        try:
            wait_drained(settings, timeout_s=options.drain_s)
        except TimeoutError as error:
            result.errors.append(str(error))
    finally:
        progress.set()
        if load is not None and not load.stopping.is_set():
            # Interrupted or failed: a backlog of queued checkouts would take minutes to answer, and
            # nothing will be audited.
            load.stop(cancel_queued=True)
        drill.stop_supervisor()
        drill.stop_processes()
        if sampler is not None:
            sampler.stop()
        follower.stop()
        scenario.cleanup(drill)
    _collect(drill, result, load, follower, sampler)
    result.aborted_records = _aborted_since(settings, starts)
    if result.aborted_records is None:
        result.errors.append(
            "registros abortados não contados: leitura não chegou ao fim / aborted records not counted"
        )
    say("Auditoria exactly-once dos pedidos aceitos / exactly-once audit of the accepted orders...")
    try:
        result.snapshot = take_snapshot(
            settings, AvroCodec(settings.registry_url), scope=set(result.accepted)
        )
        result.audit_results = audit(result.snapshot)
    except Exception as error:  # an open transaction pinning read_committed, a component still down
        result.errors.append(f"audit: {type(error).__name__}: {error}")
    verdict = "ok" if result.ok else "FALHOU / FAILED"
    drill.faults.drill_event("drill-ended", f"auditoria / audit: {verdict}")
    result.undelivered_fault_records = drill.faults.close()
    return result


def _collect(
    drill: Drill,
    result: DrillResult,
    load: OpenLoopCheckout | None,
    follower: TerminalFollower,
    sampler: LagSampler | None,
) -> None:
    result.faults = list(drill.faults.faults)
    result.samples = list(sampler.samples) if sampler else []
    if load is not None:
        with load.record.lock:
            result.answers = list(load.record.answers)
    result.due_at_s = {a.order_id: a.due_s for a in result.answers if a.order_id}
    accepted = set(result.accepted)
    with follower.lock:
        result.ended = {o: t for o, t in follower.ended.items() if o in accepted}
        result.ended_at_s = {
            o: round(at - drill.wall_t0, 3) for o, at in follower.ended_at_wall.items() if o in accepted
        }
    reasons: Counter[str] = Counter()
    retried: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    for key in drill.processes:
        lines = drill.log_lines(key)
        reasons.update(analysis.abort_reasons(lines))
        retried.update(analysis.retries(lines))
        dead.update(analysis.dead_letters(lines))
        result.fatal_exits += analysis.fatal_exits(lines)
    result.aborts_by_reason = dict(reasons)
    result.retried_by_topic = dict(retried)
    result.dead_lettered_by_reason = dict(dead)


def _end_offsets(settings: Settings, topics: tuple[str, ...]) -> dict[tuple[str, int], int]:
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "drill-probe"})
    try:
        ends = {}
        for topic in topics:
            for p in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
                ends[(topic, p)] = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
        return ends
    finally:
        consumer.close()


def _aborted_since(settings: Settings, starts: dict[tuple[str, int], int]) -> dict[str, int] | None:
    """Per topic, the records written during the drill that only read_uncommitted sees (aborted); None when
    the topics could not be read to their end in time (a transaction still open pins read_committed)."""
    try:
        seen = Counter(r[0] for r in read_from(settings.bootstrap_servers, starts, "read_uncommitted"))
        seen.subtract(r[0] for r in read_from(settings.bootstrap_servers, starts, "read_committed"))
    except TimeoutError:
        return None
    return {topic: n for topic, n in sorted(seen.items()) if n}


def _progress(
    drill: Drill,
    load: OpenLoopCheckout,
    follower: TerminalFollower,
    sampler: LagSampler,
    done: threading.Event,
) -> None:
    while not done.wait(5):
        with load.record.lock:
            answers = list(load.record.answers)
        accepted = sum(1 for a in answers if a.status == 202)
        refused = len(answers) - accepted
        with follower.lock:
            ended = len(follower.ended)
        last = sampler.samples[-1].total if sampler.samples else None
        lag = "-" if last is None else str(last)
        drill.say(
            f"{drill.at(drill.clock())} aceitos {accepted}, recusados {refused}, terminados {ended}, "
            f"lag {lag} / accepted, refused, ended, lag"
        )
