"""A throwaway 3-node Kafka cluster for a lab: its own state dir, its own ports, gone when the lab ends.

It never touches the running stack: the nodes live under ``<state>/lab-acks`` with the ``lab_*`` ports, and
their pid files and markers are scoped to that directory. Everything here is the edge (processes, sockets);
the lab's counting is elsewhere and pure.
"""

from __future__ import annotations

import fcntl
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from confluent_kafka.admin import AdminClient

from processors.settings import Settings
from tools.stack.kafka import KafkaNode, silent_logger, wait_nodes_healthy
from tools.stack.procs import StackError, port_in_use, terminate

NODES = (1, 2, 3)
Echo = Callable[[str], None]


@dataclass(frozen=True)
class PartitionState:
    leader: int  # -1: no leader (offline)
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


class LabCluster:
    def __init__(self, settings: Settings, name: str = "lab-acks") -> None:
        session_ms = settings.lab_broker_session_timeout_ms
        self.settings = settings.model_copy(
            update={
                "state_dir": settings.state_dir / name,
                "kafka_brokers": len(NODES),
                "kafka_port": settings.lab_kafka_port,
                "kafka_controller_port": settings.lab_kafka_controller_port,
                "kafka_heap": settings.lab_kafka_heap,
            }
        )
        overrides = (
            ("broker.session.timeout.ms", str(session_ms)),
            # Heartbeats well inside the session: one late heartbeat on a busy machine must not fence a node.
            ("broker.heartbeat.interval.ms", str(min(2000, session_ms // 4))),
            # A KRaft controller elects an unclean leader for a leaderless partition either when a replica
            # comes back at the right moment or from a periodic check, every 5 minutes by default: the
            # unclean scenario would wait for that check whenever the timing misses. Once a second bounds it.
            ("unclean.leader.election.interval.ms", "1000"),
        )
        self.nodes = {n: KafkaNode(self.settings, n, overrides, exports_metrics=False) for n in NODES}
        self._admin: AdminClient | None = None
        self._lock: IO[str] | None = None

    @property
    def root(self) -> Path:
        return self.settings.state_dir

    @property
    def bootstrap_servers(self) -> str:
        return self.settings.bootstrap_servers

    @property
    def session_timeout_s(self) -> float:
        return int(dict(self.nodes[1].overrides)["broker.session.timeout.ms"]) / 1000

    @contextmanager
    def running(self, echo: Echo) -> Iterator[LabCluster]:
        """Start a fresh cluster; stop it and delete its data however the block ends (Ctrl-C included)."""
        self._take_lock()
        try:
            self._stop_all()  # leftovers of a lab that was killed before it could clean up
            shutil.rmtree(self.nodes[1].cluster_dir, ignore_errors=True)
            shutil.rmtree(self.root / "logs", ignore_errors=True)  # the logs kept are the last run's
            self.start(echo)
            yield self
        finally:
            self._stop_all()
            shutil.rmtree(self.nodes[1].cluster_dir, ignore_errors=True)
            self._release_lock()

    def start(self, echo: Echo) -> None:
        busy = [
            p
            for n in self.nodes.values()
            for p in (n.port, n.controller_port)
            if port_in_use(n.settings.host, p)
        ]
        if busy:
            raise StackError(
                f"porta(s) em uso / port(s) in use: {', '.join(map(str, busy))}; escolha outras / pick "
                "others with PEDIDOS_LAB_KAFKA_PORT and PEDIDOS_LAB_KAFKA_CONTROLLER_PORT"
            )
        for node in self.nodes.values():
            echo(f"  ..  nó / node {node.node_id} em / on {node.address}")
            node.start()
        wait_nodes_healthy(list(self.nodes.values()), self.settings.startup_timeout_s, "lab Kafka")

    def kill(self, node_id: int) -> None:
        """SIGKILL: no controlled shutdown, no flush, the way a machine dies."""
        process = self.nodes[node_id].process
        pid = process.pid()
        if pid is None:
            raise StackError(f"lab node {node_id} is not running")
        terminate(pid, what=f"lab node {node_id}", timeout_s=30, sig=signal.SIGKILL)

    def restart(self, node_id: int) -> None:
        self.nodes[node_id].start()

    def is_running(self, node_id: int) -> bool:
        return self.nodes[node_id].process.is_running()

    def admin(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient(
                {"bootstrap.servers": self.bootstrap_servers, "log_level": 0, "logger": silent_logger()}
            )
        return self._admin

    def partition(self, topic: str, timeout_s: float = 5) -> PartitionState | None:
        """Leader, replicas and ISR of partition 0 as the cluster reports them; None if it cannot answer."""
        try:
            metadata = self.admin().list_topics(topic=topic, timeout=timeout_s)
        except Exception:  # a node just died or is starting: the caller polls again
            return None
        found = metadata.topics.get(topic)
        if found is None or found.error is not None or 0 not in found.partitions:
            return None
        p = found.partitions[0]
        return PartitionState(p.leader, tuple(p.replicas), tuple(sorted(p.isrs)))

    def _stop_all(self) -> None:
        # The data is deleted right after, so there is nothing for a graceful shutdown to protect.
        for node in self.nodes.values():
            node.process.stop(timeout_s=15, sig=signal.SIGKILL)
        self._admin = None

    def _take_lock(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        lock = (self.root / "lab.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            lock.close()
            raise StackError(
                f"outro lab já está rodando em / another lab is running in {self.root}"
            ) from error
        self._lock = lock

    def _release_lock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
