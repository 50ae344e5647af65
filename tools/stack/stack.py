"""The stack as a whole: which components exist, in which order they start, how healthy they are."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from processors.settings import Settings
from tools.stack.kafka import KafkaNode
from tools.stack.postgres import Postgres
from tools.stack.procs import StackError, resident_memory_mb, wait_until
from tools.stack.registry import Registry

Echo = Callable[[str], None]


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

    def up(self, echo: Echo) -> dict[str, float]:
        """Start whatever is not running and wait until everything is healthy; returns seconds per step."""
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
        for node in self.kafka:
            wait_until(
                node.healthy,
                timeout_s=timeout,
                what=f"Kafka node {node.node_id}",
                log=node.process.log_file,
                alive=node.process.is_running,
            )
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
        return timings

    def down(self, echo: Echo) -> None:
        """Stop, in reverse order, only the processes this stack started (pid files + markers)."""
        if self.registry.process.stop():
            echo("  ok  Apicurio Registry parado / stopped")
        # Every node gets SIGTERM first so controllers do not wait for a quorum that is already leaving.
        for node in self.kafka:
            if node.process.stop():
                echo(f"  ok  Kafka node {node.node_id} parado / stopped")
        if self.postgres.stop():
            echo("  ok  PostgreSQL parado / stopped")

    def status(self) -> list[ComponentStatus]:
        rows = []
        pg_pid = self.postgres.pid()
        rows.append(_status("postgres", self.postgres.address, pg_pid, self.postgres.healthy))
        for node in self.kafka:
            rows.append(_status(f"kafka-{node.node_id}", node.address, node.process.pid(), node.healthy))
        rows.append(
            _status("registry", self.registry.address, self.registry.process.pid(), self.registry.healthy)
        )
        return rows

    def log_files(self) -> dict[str, object]:
        files = {"postgres": self.postgres.log_file, "registry": self.registry.process.log_file}
        files.update({f"kafka-{n.node_id}": n.process.log_file for n in self.kafka})
        return files


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
