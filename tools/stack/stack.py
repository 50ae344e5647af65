"""The stack as a whole: which components exist, in which order they start, how healthy they are."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from processors.settings import KAFKA_BROKERS_FILE, Settings
from tools.stack.kafka import KafkaNode, wait_nodes_healthy
from tools.stack.managed import resident_memory_mb
from tools.stack.monitoring import Monitoring
from tools.stack.postgres import Postgres
from tools.stack.procs import StackError, wait_until
from tools.stack.registry import Registry

Echo = Callable[[str], None]
MAX_BROKERS = 3  # what `--brokers` and PEDIDOS_KAFKA_BROKERS accept


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    pid: int | None
    healthy: bool
    memory_mb: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "address": self.address,
            "pid": self.pid,
            "healthy": self.healthy,
            "memory_mb": None if self.memory_mb is None else round(self.memory_mb, 1),
        }


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = Postgres(settings)
        self.kafka = [KafkaNode(settings, n) for n in range(1, settings.kafka_brokers + 1)]
        self.registry = Registry(settings)
        self.monitoring = Monitoring(settings)

    def up(self, echo: Echo) -> dict[str, float]:
        """Start whatever is not running and wait until everything is healthy; returns seconds per step."""
        conflict = cluster_conflict(self.settings.kafka_brokers, self.running_cluster_sizes())
        if conflict:
            raise StackError(conflict)
        # Later commands (provision, processors, status, down) default to this size: no flag to repeat.
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        (self.settings.state_dir / KAFKA_BROKERS_FILE).write_text(f"{self.settings.kafka_brokers}\n")
        timeout = self.settings.startup_timeout_s
        timings: dict[str, float] = {}
        started = time.monotonic()
        if not self.postgres.is_running():
            echo(f"  ..  PostgreSQL em / on {self.postgres.address}")
            self.postgres.start()
        wait_until(self.postgres.healthy, timeout_s=timeout, what="PostgreSQL", log=self.postgres.log_file)
        timings["postgres"] = time.monotonic() - started
        echo(f"  ok  PostgreSQL ({timings['postgres']:.1f} s)")

        # All nodes start before any is awaited: a 3-node quorum needs two voters up to elect a leader.
        for node in self.kafka:
            if not node.process.is_running():
                echo(f"  ..  Kafka node {node.node_id} em / on {node.address}")
                node.start()
        wait_nodes_healthy(self.kafka, timeout)
        timings["kafka"] = time.monotonic() - started
        echo(f"  ok  Kafka, {len(self.kafka)} node(s) ({timings['kafka']:.1f} s)")

        if not self.registry.process.is_running():
            echo(f"  ..  Apicurio Registry em / on {self.registry.address}")
            self.registry.start()
        wait_until(
            self.registry.healthy,
            timeout_s=timeout,
            what="Apicurio Registry",
            log=self.registry.process.log_file,
            alive=self.registry.process.is_running,
        )
        timings["registry"] = time.monotonic() - started
        echo(f"  ok  Apicurio Registry ({timings['registry']:.1f} s)")
        self.monitoring.up(echo)
        timings["monitoring"] = time.monotonic() - started
        echo(f"  ok  Prometheus {self.settings.prometheus_url}, Alertmanager ({timings['monitoring']:.1f} s)")
        return timings

    def down(self, echo: Echo) -> None:
        """Stop, in reverse order, only the processes this stack started (pid files + markers)."""
        self.monitoring.down(echo)
        if self.registry.process.stop():
            echo("  ok  Apicurio Registry parado / stopped")
        # Every node of ours, whatever the cluster size, so a size switch never leaves a broker behind.
        # Every node gets SIGTERM before any is awaited: the last node of a quorum that is already leaving
        # would otherwise wait for controllers that are gone.
        signalled = [node for node in self._all_nodes() if node.process.send_signal(signal.SIGTERM)]
        for node in signalled:
            node.process.stop()  # waits for the exit (SIGKILL after the deadline); may have exited already
            echo(f"  ok  Kafka node {node.node_id} parado / stopped ({node.process.name})")
        if self.postgres.stop():
            echo("  ok  PostgreSQL parado / stopped")

    def _all_nodes(self) -> list[KafkaNode]:
        nodes = []
        for size in range(1, MAX_BROKERS + 1):
            sized = self.settings.model_copy(update={"kafka_brokers": size})
            nodes += [KafkaNode(sized, n) for n in range(1, size + 1)]
        return nodes

    def running_cluster_sizes(self) -> set[int]:
        """Sizes of the Kafka clusters with a node of ours running in this state dir."""
        return {n.settings.kafka_brokers for n in self._all_nodes() if n.process.pid() is not None}

    def status(self) -> list[ComponentStatus]:
        rows = []
        pg_pid = self.postgres.pid()
        rows.append(_status("postgres", self.postgres.address, pg_pid, self.postgres.healthy))
        for node in self.kafka:
            rows.append(_status(f"kafka-{node.node_id}", node.address, node.process.pid(), node.healthy))
        rows.append(
            _status("registry", self.registry.address, self.registry.process.pid(), self.registry.healthy)
        )
        for server in self.monitoring.status_order():
            rows.append(_status(server.process.name, server.address, server.process.pid(), server.healthy))
        return rows

    def log_files(self) -> dict[str, object]:
        files = {"postgres": self.postgres.log_file, "registry": self.registry.process.log_file}
        files.update({f"kafka-{n.node_id}": n.process.log_file for n in self.kafka})
        files.update(self.monitoring.log_files())
        return files


def cluster_conflict(requested: int, running_sizes: set[int]) -> str | None:
    """Why a cluster of ``requested`` nodes cannot start next to what runs, or None when it can.

    Two sizes share ports and the other components, and a 1-node cluster cannot grow into a 3-node quorum.
    """
    others = sorted(running_sizes - {requested})
    if not others:
        return None
    return (
        f"Um cluster Kafka de {others[0]} nó(s) já está no ar; rode `pedidos stack down` antes de subir "
        f"`pedidos stack up --brokers {requested}` / a {others[0]}-node Kafka cluster is running: "
        f"run `pedidos stack down` first, then `pedidos stack up --brokers {requested}`."
    )


def _status(name: str, address: str, pid: int | None, healthy: Callable[[], bool]) -> ComponentStatus:
    return ComponentStatus(
        name, address, pid, pid is not None and healthy(), resident_memory_mb(pid) if pid else None
    )


def require_healthy(stack: Stack) -> None:
    sick = [row.name for row in stack.status() if not row.healthy]
    if sick:
        raise StackError(
            f"Componentes fora do ar / components down: {', '.join(sick)}. Run `pedidos stack up`."
        )


def require_kafka(settings: Settings) -> list[int] | None:
    """StackError naming every broker that does not answer; else the broker pids, to sample their CPU (None
    when a broker runs but not from this state dir: its pid is unknown)."""
    nodes = [KafkaNode(settings, n) for n in range(1, settings.kafka_brokers + 1)]
    down = [node.address for node in nodes if not node.healthy()]
    if down:
        raise StackError(
            f"Kafka fora do ar / Kafka is down at {', '.join(down)}: rode / run `pedidos stack up`"
        )
    pids = [node.process.pid() for node in nodes]
    return None if any(pid is None for pid in pids) else [pid for pid in pids if pid is not None]
