"""The stack's monitoring (docs/observability.md): the PostgreSQL exporter, Alertmanager and Prometheus.

They start after the components they watch, Prometheus last, once the stack's target files are written; they
stop first. A `stack up` that finds Prometheus running reloads its config and rules instead of restarting it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from processors.settings import Settings
from tools.stack.alertmanager import Alertmanager
from tools.stack.exporters import PostgresExporter
from tools.stack.managed import ManagedProcess
from tools.stack.procs import wait_until
from tools.stack.prometheus import Prometheus
from tools.stack.targets import remove_targets, stack_targets, target_file, write_targets

Echo = Callable[[str], None]


class MonitoringServer(Protocol):
    """A managed server with an HTTP health check."""

    @property
    def process(self) -> ManagedProcess: ...

    @property
    def address(self) -> str: ...

    def start(self) -> int: ...

    def healthy(self) -> bool: ...


class Monitoring:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres_exporter = PostgresExporter(settings)
        self.alertmanager = Alertmanager(settings)
        self.prometheus = Prometheus(settings)

    @property
    def servers(self) -> list[tuple[str, MonitoringServer]]:
        """In start order, with the names the messages use."""
        return [
            ("PostgreSQL exporter", self.postgres_exporter),
            ("Alertmanager", self.alertmanager),
            ("Prometheus", self.prometheus),
        ]

    def up(self, echo: Echo) -> None:
        write_targets(self.settings, stack_targets(self.settings))
        prometheus_ran = self.prometheus.process.is_running()
        for name, server in self.servers:
            if not server.process.is_running():
                echo(f"  ..  {name} em / on {server.address}")
                server.start()
        for name, server in self.servers:
            wait_until(
                server.healthy,
                timeout_s=self.settings.startup_timeout_s,
                what=name,
                log=server.process.log_file,
                alive=server.process.is_running,
            )
        if prometheus_ran:  # new rules or alert_for since it started: load them without losing its state
            self.prometheus.reload()

    def down(self, echo: Echo) -> None:
        for name, server in reversed(self.servers):
            if server.process.stop():
                echo(f"  ok  {name} parado / stopped")
        remove_targets([target_file(self.settings, t.job) for t in stack_targets(self.settings)])

    def status_order(self) -> list[MonitoringServer]:
        """The rows of `stack status` (named after their processes), in their order."""
        return [self.prometheus, self.alertmanager, self.postgres_exporter]

    def log_files(self) -> dict[str, Path]:
        return {server.process.name: server.process.log_file for server in self.status_order()}
