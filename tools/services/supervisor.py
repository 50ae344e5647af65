"""A small supervisor: keeps every service process running, restarting one that exits.

It plays the part of a container restart policy (``restart: unless-stopped``): a processor that crashes at a
crash point or exits on a fatal Kafka error comes back with the same transactional.id, which is what fences
its zombie and aborts the transaction it left open. Restarts back off from 1 s to 10 s. Its own metrics
(served by `services supervise`) count the restarts and say which service runs, for the "service down" alerts.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import Counter, Gauge

from tools.stack.procs import Child, stop_all

log = logging.getLogger("pedidos.supervisor")

RESTARTS = Counter(
    "pedidos_supervisor_restarts", "Restarts of a supervised service after it exited", ["service"]
)
RUNNING = Gauge(
    "pedidos_supervisor_service_running", "1 while a supervised service's process runs", ["service"]
)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: Child | None = None
    restarts: int = 0
    started_at: float = 0.0
    next_start: float = 0.0
    backoff_s: float = 1.0


class Supervisor:
    def __init__(self, services: list[Service], log_dir: Path, status_file: Path) -> None:
        self.services, self.log_dir, self.status_file = services, log_dir, status_file
        self.running = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        while self.running:
            now = time.monotonic()
            for service in self.services:
                self._watch(service, now)
            self._write_status()
            time.sleep(0.2)  # the supervisor's own polling period, not a synchronisation
        self._stop_all()
        self.status_file.unlink(missing_ok=True)
        return 0

    def _watch(self, service: Service, now: float) -> None:
        running = service.process is not None and service.process.exit_code() is None
        RUNNING.labels(service.name).set(1 if running else 0)
        if running:
            if now - service.started_at > 30:
                service.backoff_s = 1.0  # it ran long enough: the next crash restarts quickly again
            return
        if service.process is not None:
            code = service.process.exit_code()
            log.warning(
                "service exited, restarting",
                extra={"service": service.name, "exit_code": code, "backoff_s": service.backoff_s},
            )
            service.process = None
            service.restarts += 1
            RESTARTS.labels(service.name).inc()
            service.next_start = now + service.backoff_s
            service.backoff_s = min(service.backoff_s * 2, 10.0)
        if now >= service.next_start:
            self._start(service, now)

    def _start(self, service: Service, now: float) -> None:
        service.process = Child(service.argv, self.log_dir / f"{service.name}.log", env=service.env)
        pid = service.process.start()
        service.started_at = now
        log.info("service started", extra={"service": service.name, "pid": pid})

    def _stop(self, _signum: int, _frame: object) -> None:
        self.running = False

    def _stop_all(self) -> None:
        # SIGTERM: processors finish or abort their open transaction
        stop_all((s.process for s in self.services if s.process is not None), timeout_s=30)

    def _write_status(self) -> None:
        status = [
            {
                "name": s.name,
                "pid": s.process.pid if s.process else None,
                "restarts": s.restarts,
            }
            for s in self.services
        ]
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(self.status_file)
