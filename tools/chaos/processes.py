"""Faults on the processor processes: SIGKILL at random, crash points in turn, a zombie, a slow consumer.

Failures of docs/failures.md §1: random-kills F1 · crash-points F1/F2/F15 · zombie F6 (F7 with a
pause past the transaction timeout) · slow-consumer F8.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from confluent_kafka.admin import AdminClient

from processors.deployment import INPUT_TOPICS, PROCESSORS
from processors.runtime.clients import RuntimeConfig
from processors.runtime.crash import CRASH_SIGNAL_ENV, SLOW_AT_ENV, SLOW_MS_ENV
from processors.settings import Settings
from tools.chaos import analysis
from tools.chaos.kill import CRASH_AFTER, VICTIM_ENV, crash_points_of
from tools.chaos.runner import Check, Drill, Scenario
from tools.saga_harness import wait_assigned
from tools.text import Text

SESSION_TIMEOUT_MS = RuntimeConfig("", "").session_timeout_ms
LIBRDKAFKA_MAX_POLL_INTERVAL_MS = 300_000  # librdkafka's default, when the runtime does not set one
BROKER_MAX_TRANSACTION_TIMEOUT_MS = 900_000  # transaction.max.timeout.ms, the broker's default
# How a frozen or slowed instance shows, in its own log, that it did not just carry on.
GAVE_UP = ("aborting transaction", "partitions lost", "fatal", "consumer error")


class RandomKills(Scenario):
    name = "random-kills"
    title = Text(
        "SIGKILL em instâncias aleatórias dos processadores, reiniciadas em seguida",
        "SIGKILL on random processor instances, restarted right after",
    )

    def __init__(
        self, every_s: float = 5.0, restart_after_s: float = 1.0, instances: int = 1, seed: int = 1
    ) -> None:
        self.every_s, self.restart_after_s, self.count, self.seed = every_s, restart_after_s, instances, seed

    def instances(self) -> dict[str, int]:
        return {name: self.count for name in PROCESSORS}

    def options(self) -> dict[str, Any]:
        return {"every_s": self.every_s, "restart_after_s": self.restart_after_s, "instances": self.count}

    def inject(self, drill: Drill) -> None:
        rng = random.Random(self.seed)
        while drill.clock() < drill.window_end:
            started = drill.clock()
            key = rng.choice(sorted(drill.processes))
            with drill.holding(key):
                if drill.pid(key) is None:  # the supervisor is bringing it back already
                    continue
                pid = drill.signal(key, signal.SIGKILL)
                fault = drill.faults.start("sigkill", key, f"SIGKILL pid {pid}")
                drill.say(f"{drill.at(fault.start_s)} SIGKILL {key} (pid {pid})")
                drill.pause(self.restart_after_s)
                drill.start(key)
                drill.faults.end(fault, "reiniciado / restarted")
            drill.sleep_until(started + self.every_s)


class CrashPointsInTurn(Scenario):
    name = "crash-points"
    title = Text(
        "Cada processador em cada ponto de crash, um por vez, sob carga",
        "Every processor at every crash point in turn, under load",
    )

    def __init__(
        self, processors: Sequence[str] = PROCESSORS, points: Sequence[str] = (), timeout_s: float = 30
    ) -> None:
        self.cases = [
            (name, point)
            for name in processors
            for point in crash_points_of(name)
            if not points or point in points
        ]
        self.timeout_s = timeout_s

    def options(self) -> dict[str, Any]:
        return {"cases": [f"{n}@{p}" for n, p in self.cases], "timeout_s": self.timeout_s}

    def inject(self, drill: Drill) -> None:
        for name, point in self.cases:
            key = f"{name}-0"
            nth = CRASH_AFTER[point]
            with drill.holding(key) as process:
                armed = drill.clock()
                process.stop()  # a clean restart arms the crash point: SIGTERM, commit or abort, leave
                drill.start(key, crash_at=point, crash_after=nth, env=VICTIM_ENV)
                crashed = drill.until(lambda p=process: p.exited() is not None, self.timeout_s)
                if crashed is None:
                    fault = drill.faults.start(
                        "crash-point", key, f"{point}: não alcançado / not reached", False
                    )
                    process.stop()
                else:
                    fault = drill.faults.start(
                        "crash-point",
                        key,
                        f"{point}, {nth}ª chegada / arrival {nth}, código / exit {process.exited()}, "
                        f"armado / armed t={armed:.1f}s",
                    )
                drill.say(f"{drill.at(fault.start_s)} {key} morreu em / died at {point}")
                drill.start(key)
                drill.faults.end(fault, "reiniciado / restarted")
            wait_assigned(drill.settings, (name,), timeout_s=60)

    def checks(self, drill: Drill) -> list[Check]:
        missed = [
            f"{f.target} {f.detail}"
            for f in drill.faults.faults
            if f.kind == "crash-point" and not f.injected
        ]
        return [
            Check(
                "todo ponto de crash alcançado / every crash point reached",
                not missed,
                "; ".join(missed) or f"{len(self.cases)} casos / cases",
            )
        ]


class Zombie(Scenario):
    name = "zombie"
    title = Text(
        "Zumbi: um processador congelado (SIGSTOP) além do session timeout, outra instância assume",
        "Zombie: a processor frozen (SIGSTOP) past its session timeout while another instance takes over",
    )
    STOP_POINTS = ("after-produce", "after-consume", "now")

    def __init__(
        self, processor: str = "payment", at: str = "after-produce", pause_s: float | None = None
    ) -> None:
        if at not in self.STOP_POINTS:
            raise ValueError(f"zombie stops at one of {self.STOP_POINTS}, not {at!r}")
        self.processor, self.at_point = processor, at
        self.pause_s = pause_s if pause_s is not None else SESSION_TIMEOUT_MS / 1000 + 5
        self.zombie, self.heir = f"{processor}-0", f"{processor}-1"
        self.members_before: dict[str, int] = {}
        self.members_frozen: dict[str, int] = {}
        self.resumed_at: datetime | None = None
        self.outcome: dict[str, Any] | None = None

    def instances(self) -> dict[str, int]:
        return {name: 2 if name == self.processor else 1 for name in PROCESSORS}

    def options(self) -> dict[str, Any]:
        return {
            "processor": self.processor,
            "at": self.at_point,
            "pause_s": self.pause_s,
            "session_timeout_ms": SESSION_TIMEOUT_MS,
        }

    def inject(self, drill: Drill) -> None:
        drill.until(lambda: len(_members(drill.admin, self.processor)) == 2, 60)
        self.members_before = _members(drill.admin, self.processor)
        # The zombie is whichever instance holds the busiest input (the assignor may leave the other with the
        # idle retry topics only): frozen there, it surely has a transaction open with output in it.
        busiest = INPUT_TOPICS[self.processor][0]
        owners = _members(drill.admin, self.processor, topic=busiest)
        self.zombie = max(sorted(owners), key=lambda member: owners[member])
        self.heir = next(m for m in sorted(self.members_before) if m != self.zombie)
        zombie = self.zombie
        with drill.holding(zombie) as process:
            if self.at_point == "now":
                pid = drill.signal(zombie, signal.SIGSTOP)
                detail = f"SIGSTOP pid {pid}"
            else:
                process.stop()  # a clean restart arms the freeze; static membership gives its partitions back
                drill.start(
                    zombie,
                    crash_at=self.at_point,
                    crash_after=CRASH_AFTER[self.at_point],
                    env={CRASH_SIGNAL_ENV: "STOP"},
                )
                if not drill.until(lambda: drill.stopped(zombie), 60):
                    raise RuntimeError(f"{zombie} nunca chegou a / never reached {self.at_point}")
                detail = (
                    f"congelou-se em / froze itself at {self.at_point} (transação aberta / transaction open)"
                )
            fault = drill.faults.start("sigstop", zombie, detail)
            drill.say(f"{drill.at(fault.start_s)} {zombie} congelado / frozen ({detail}), {self.pause_s:g} s")
            drill.sleep_until(fault.start_s + self.pause_s)
            self.members_frozen = _members(drill.admin, self.processor)
            self.resumed_at = datetime.now(UTC)
            drill.signal(zombie, signal.SIGCONT)
            drill.faults.end(fault, f"SIGCONT; grupo / group {self.members_before} -> {self.members_frozen}")
            drill.say(f"{drill.at(drill.clock())} SIGCONT {zombie}: grupo / group {self.members_frozen}")
            self.outcome = drill.until(
                lambda: analysis.first_after(drill.log_lines(zombie), self.resumed_at, GAVE_UP), 30
            )

    def checks(self, drill: Drill) -> list[Check]:
        zombie, heir = self.zombie, self.heir
        took_over = zombie not in self.members_frozen and self.members_frozen.get(
            heir, 0
        ) > self.members_before.get(heir, 0)
        outcome = self.outcome or {}
        ended = " ".join(str(outcome.get(k, "")) for k in ("msg", "reason", "error")).strip()
        return [
            Check(
                f"{heir} assumiu as partições do zumbi {zombie} / took over the zombie's partitions",
                took_over,
                f"antes / before {self.members_before}, congelado / frozen {self.members_frozen}",
            ),
            Check(
                "a transação do zumbi não confirmou: abortou ou foi cercada / the zombie's transaction was "
                "aborted or fenced, never committed",
                bool(outcome),
                ended or "nenhum abort registrado em 30 s / no abort logged within 30 s",
            ),
        ]


class SlowConsumer(Scenario):
    name = "slow-consumer"
    title = Text(
        "Um processador mais lento que max.poll.interval.ms", "A processor slower than max.poll.interval.ms"
    )

    def __init__(
        self, processor: str = "payment", max_poll_ms: int | None = None, slow_ms: int | None = None
    ) -> None:
        self.processor = processor
        self.configurable = max_poll_interval_configurable()
        self.max_poll_ms = (
            (max_poll_ms or SESSION_TIMEOUT_MS) if self.configurable else LIBRDKAFKA_MAX_POLL_INTERVAL_MS
        )
        self.slow_ms = slow_ms or self.max_poll_ms + 5_000
        # The transaction outlives the slowness, so what ends it is the group (F8), not the timeout (F7).
        self.transaction_timeout_ms = min(self.slow_ms + 30_000, BROKER_MAX_TRANSACTION_TIMEOUT_MS)
        self.resumed_at: datetime | None = None
        self.outcome: dict[str, Any] | None = None

    def options(self) -> dict[str, Any]:
        return {
            "processor": self.processor,
            "max_poll_interval_ms": self.max_poll_ms,
            "max_poll_interval_configurable": self.configurable,
            "slow_ms": self.slow_ms,
            "transaction_timeout_ms": self.transaction_timeout_ms,
        }

    def inject(self, drill: Drill) -> None:
        key = f"{self.processor}-0"
        env = {
            **VICTIM_ENV,  # a payment that keeps up never polls twice in a 100 ms transaction
            SLOW_MS_ENV: str(self.slow_ms),
            SLOW_AT_ENV: "after-consume",
            "PEDIDOS_TRANSACTION_TIMEOUT_MS": str(self.transaction_timeout_ms),
        }
        if self.configurable:
            env["PEDIDOS_MAX_POLL_INTERVAL_MS"] = str(self.max_poll_ms)
        with drill.holding(key) as process:
            process.stop()
            drill.start(key, env=env)
            line = drill.until(lambda: _logged(drill, key, "fault injected: slow processing"), 60)
            if line is None:
                raise RuntimeError(f"{key} nunca ficou lento / never slowed down")
            began = datetime.fromisoformat(line["ts"]).timestamp() - drill.wall_t0
            fault = drill.faults.start(
                "slow",
                key,
                f"{self.slow_ms} ms sem poll / without polling, max.poll.interval.ms {self.max_poll_ms}",
            )
            fault.start_s = round(began, 1)
            drill.say(f"{drill.at(fault.start_s)} {key} lento por / slow for {self.slow_ms / 1000:g} s")
            over = drill.until(
                lambda: _logged(drill, key, "fault over"), self.slow_ms / 1000 + 30, interval_s=0.5
            )
            self.resumed_at = datetime.fromisoformat(over["ts"]) if over else datetime.now(UTC)
            drill.faults.end(fault, "voltou a processar / processing again")
            fault.end_s = round(self.resumed_at.timestamp() - drill.wall_t0, 1)
            self.outcome = drill.until(
                lambda: analysis.first_after(drill.log_lines(key), self.resumed_at, GAVE_UP), 30
            )

    def checks(self, drill: Drill) -> list[Check]:
        outcome = self.outcome or {}
        ended = " ".join(str(outcome.get(k, "")) for k in ("msg", "reason", "error")).strip()
        return [
            Check(
                "a instância lenta saiu do grupo e abortou (ou saiu) / the slow instance left the group and "
                "aborted (or exited)",
                bool(outcome),
                ended or "nenhum abort registrado em 30 s / no abort logged within 30 s",
            )
        ]


def max_poll_interval_configurable() -> bool:
    """Whether the processors read `PEDIDOS_MAX_POLL_INTERVAL_MS` (a settings field the runtime passes on)."""
    return "max_poll_interval_ms" in Settings.model_fields


def _members(admin: AdminClient, group: str, topic: str | None = None) -> dict[str, int]:
    """group.instance.id -> partitions assigned (of `topic`, or all), for the group's current members."""
    try:
        description = admin.describe_consumer_groups([group], request_timeout=5)[group].result()
    except Exception:
        return {}
    return {
        m.group_instance_id or m.member_id: sum(
            1 for tp in m.assignment.topic_partitions if topic is None or tp.topic == topic
        )
        for m in description.members
    }


def _logged(drill: Drill, key: str, message: str) -> dict[str, Any] | None:
    return analysis.first_after(drill.log_lines(key), drill.wall(0), (message,))
