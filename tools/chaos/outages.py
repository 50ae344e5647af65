"""Faults on the stack under the processors: broker restarts, PostgreSQL and registry outages.

Failures of docs/failures.md §1: broker-bounce F9/F10/F11 · db-outage F14 · registry-outage F16.
Components are stopped and started through tools/stack, and always put back (`cleanup`) even on failure.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

from tools.chaos import analysis
from tools.chaos.runner import Drill, Scenario
from tools.stack.kafka import KafkaNode
from tools.stack.procs import StackError, wait_until
from tools.text import Text


class BrokerBounce(Scenario):
    name = "broker-bounce"
    title = Text(
        "Restart duro e limpo de cada broker, um por vez, inclusive o coordenador de transações",
        "Hard and clean restart of each broker, one at a time, the transaction coordinator included",
    )

    def __init__(
        self,
        modes: Sequence[str] = ("hard", "clean"),
        down_s: float = 10,
        gap_s: float = 10,
        coordinator_of: str = "orchestrator-0",
    ) -> None:
        self.modes, self.down_s, self.gap_s, self.coordinator_of = tuple(modes), down_s, gap_s, coordinator_of
        self.coordinator: int | None = None
        self.cluster_id: str | None = None

    def options(self) -> dict[str, Any]:
        return {
            "modes": list(self.modes),
            "down_s": self.down_s,
            "gap_s": self.gap_s,
            "coordinator_of": self.coordinator_of,
            "coordinator": self.coordinator,
        }

    def inject(self, drill: Drill) -> None:
        self.coordinator = transaction_coordinator(drill.admin, self.coordinator_of)
        self.cluster_id = drill.admin.list_topics(timeout=10).cluster_id
        risky = [n.port for n in drill.stack.kafka if in_ephemeral_range(n.port)]
        if risky:
            drill.say(
                f"AVISO: portas {risky} na faixa efêmera do kernel; com o broker fora, um cliente pode se "
                f"autoconectar nela e impedir o restart / WARNING: ports in the kernel's ephemeral range"
            )
        nodes = sorted(drill.stack.kafka, key=lambda n: n.node_id != self.coordinator)
        for node in nodes:
            role = (
                f"coordenador de transações de / transaction coordinator of {self.coordinator_of}"
                if node.node_id == self.coordinator
                else "broker"
            )
            for mode in self.modes:
                sig = signal.SIGKILL if mode == "hard" else signal.SIGTERM
                fault = drill.faults.start(f"broker-{mode}", f"kafka-{node.node_id}", f"{sig.name}, {role}")
                drill.say(f"{drill.at(fault.start_s)} kafka-{node.node_id}: {sig.name} ({mode}) - {role}")
                node.process.stop(sig=sig, timeout_s=60)
                drill.pause(self.down_s)
                _start_broker(drill, node)
                found = drill.admin.list_topics(timeout=10).cluster_id
                if found != self.cluster_id:  # another cluster took the port while ours was down
                    raise RuntimeError(
                        f"cluster {found} em / on {node.address}, esperado / expected {self.cluster_id}"
                    )
                drill.faults.end(fault, "de volta e saudável / back and healthy")
                drill.say(f"{drill.at(drill.clock())} kafka-{node.node_id} de volta / back")
                drill.pause(self.gap_s)

    def cleanup(self, drill: Drill) -> None:
        for node in drill.stack.kafka:
            if not node.process.is_running():
                _start_broker(drill, node, attempts=3)


class DbOutage(Scenario):
    name = "db-outage"
    title = Text("PostgreSQL parado e religado sob carga", "PostgreSQL stopped and started again under load")

    def __init__(self, outage_s: float = 30) -> None:
        self.outage_s = outage_s

    def options(self) -> dict[str, Any]:
        return {"outage_s": self.outage_s}

    def inject(self, drill: Drill) -> None:
        postgres = drill.stack.postgres
        fault = drill.faults.start("db-outage", "postgres", f"pg_ctl stop -m fast, {self.outage_s:g} s")
        drill.say(f"{drill.at(fault.start_s)} PostgreSQL parado / stopped por / for {self.outage_s:g} s")
        postgres.stop()
        drill.pause(self.outage_s)
        self._start(drill)
        drill.faults.end(fault, "de volta / back")
        drill.say(f"{drill.at(drill.clock())} PostgreSQL de volta / back")

    def _start(self, drill: Drill) -> None:
        s = drill.settings
        drill.stack.postgres.start()
        wait_until(drill.stack.postgres.healthy, timeout_s=s.startup_timeout_s, what="PostgreSQL")
        # The registry keeps its schemas in this database: it must find it again too.
        wait_until(drill.stack.registry.healthy, timeout_s=s.startup_timeout_s, what="Apicurio Registry")

    def cleanup(self, drill: Drill) -> None:
        if not drill.stack.postgres.is_running():
            self._start(drill)


class RegistryOutage(Scenario):
    name = "registry-outage"
    title = Text(
        "Registro de schemas parado e religado sob carga",
        "Schema registry stopped and started again under load",
    )

    def __init__(self, outage_s: float = 30, cold_restart: str | None = "payment") -> None:
        self.outage_s, self.cold_restart = outage_s, cold_restart

    def options(self) -> dict[str, Any]:
        return {"outage_s": self.outage_s, "cold_restart": self.cold_restart}

    def inject(self, drill: Drill) -> None:
        registry = drill.stack.registry
        fault = drill.faults.start("registry-outage", "registry", f"SIGTERM, {self.outage_s:g} s")
        drill.say(f"{drill.at(fault.start_s)} registry parado / stopped por / for {self.outage_s:g} s")
        registry.process.stop()
        if self.cold_restart:
            key = f"{self.cold_restart}-0"
            with drill.holding(key) as process:
                restart = drill.faults.start(
                    "cold-restart",
                    key,
                    "restart limpo sem schemas em cache / clean restart, empty schema cache",
                )
                process.stop()
                drill.start(key)
                drill.faults.end(restart)
        drill.pause(self.outage_s)
        self._start(drill)
        drill.faults.end(fault, "de volta / back")
        drill.say(f"{drill.at(drill.clock())} registry de volta / back")

    def _start(self, drill: Drill) -> None:
        drill.stack.registry.start()
        wait_until(drill.stack.registry.healthy, timeout_s=drill.settings.startup_timeout_s, what="registry")

    def cleanup(self, drill: Drill) -> None:
        if not drill.stack.registry.process.is_running():
            self._start(drill)


def transaction_coordinator(admin: AdminClient, transactional_id: str) -> int | None:
    """The broker leading the `__transaction_state` partition of this transactional id."""
    metadata = admin.list_topics(timeout=10)
    topic = metadata.topics.get("__transaction_state")
    if topic is None or not topic.partitions:
        return None
    partition = analysis.coordinator_partition(transactional_id, len(topic.partitions))
    return topic.partitions[partition].leader


def in_ephemeral_range(port: int) -> bool:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return False
    return low <= port <= high


def _start_broker(drill: Drill, node: KafkaNode, attempts: int = 1) -> None:
    """Start a broker once its port can be bound again (a socket left on it must close first)."""
    for attempt in range(1, attempts + 1):
        wait_until(lambda: _bindable(drill.settings.host, node.port), timeout_s=90, what=f"porta {node.port}")
        node.start()
        try:
            _wait_broker(drill, node)
            return
        except StackError:
            if attempt == attempts:
                raise


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_broker(drill: Drill, node: KafkaNode) -> None:
    s = drill.settings
    wait_until(
        node.healthy,
        timeout_s=s.startup_timeout_s,
        what=f"kafka-{node.node_id}",
        alive=node.process.is_running,
    )
    if s.kafka_brokers > 1:

        def replicated() -> bool:
            topics = drill.admin.list_topics(timeout=5).topics.values()
            return all(len(p.isrs) >= len(p.replicas) for t in topics for p in t.partitions.values())

        wait_until(replicated, timeout_s=s.startup_timeout_s, what="ISR completo / full ISR", interval_s=1)
