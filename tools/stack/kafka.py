"""Apache Kafka in KRaft mode from its Maven Central jars: one node by default, three for the acks lab.

Every node is a combined broker+controller on loopback. The settings a small cluster needs for transactions
(replication of the transaction state log and offsets topic no larger than the cluster) are derived from the
node count, so the same code serves the single node and the three-node lab.
"""

from __future__ import annotations

import base64
import logging
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from processors.settings import Settings
from tools.stack.dist import Distributions, find_java
from tools.stack.managed import ManagedProcess, stack_process
from tools.stack.procs import StackError, log_tail, wait_until

TEMPLATES = Path(__file__).parent / "templates"
# Which broker MBeans the JMX exporter agent turns into Prometheus metrics (docs/observability.md).
JMX_RULES = Path(__file__).parents[1] / "observability" / "jmx" / "kafka-broker.yml"


@dataclass(frozen=True)
class KafkaNode:
    settings: Settings
    node_id: int  # 1-based
    # Overrides of server.properties for a special-purpose cluster (the acks lab's failure detection).
    overrides: tuple[tuple[str, str], ...] = ()
    # The stack's nodes serve /metrics through the JMX exporter agent; throwaway clusters (the acks lab) do
    # not, so their nodes never compete for the stack's metrics ports.
    exports_metrics: bool = True

    @property
    def cluster_dir(self) -> Path:
        # One directory per cluster size: a 1-node and a 3-node cluster have different quorums.
        return self.settings.state_dir / f"kafka-{self.settings.kafka_brokers}n"

    @property
    def node_dir(self) -> Path:
        return self.cluster_dir / f"node-{self.node_id}"

    @property
    def port(self) -> int:
        return self.settings.kafka_port + self.node_id - 1

    @property
    def controller_port(self) -> int:
        return self.settings.kafka_controller_port + self.node_id - 1

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.port}"

    @property
    def metrics_port(self) -> int:
        return self.settings.kafka_metrics_port + self.node_id - 1

    @property
    def process(self) -> ManagedProcess:
        return stack_process(self.settings.state_dir, process_name(self.settings.kafka_brokers, self.node_id))

    def server_properties(self) -> str:
        s, brokers = self.settings, self.settings.kafka_brokers
        replication, min_isr = min(3, brokers), min(2, brokers)
        voters = ",".join(f"{i}@{s.host}:{s.kafka_controller_port + i - 1}" for i in range(1, brokers + 1))
        lines = [
            "process.roles=broker,controller",
            f"node.id={self.node_id}",
            f"controller.quorum.voters={voters}",
            f"listeners=PLAINTEXT://{self.address},CONTROLLER://{s.host}:{self.controller_port}",
            f"advertised.listeners=PLAINTEXT://{self.address}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"log.dirs={self.node_dir / 'data'}",
            # Transactions need the transaction state log and offsets topic creatable on this cluster.
            f"offsets.topic.replication.factor={replication}",
            f"transaction.state.log.replication.factor={replication}",
            f"transaction.state.log.min.isr={min_isr}",
            f"default.replication.factor={replication}",
            f"min.insync.replicas={min_isr}",
            # Fewer internal partitions than the default 50: a laptop-sized cluster starts faster.
            "offsets.topic.num.partitions=10",
            "transaction.state.log.num.partitions=10",
            # A group forms at once instead of waiting 3 s for more members: tests and demos start fast.
            "group.initial.rebalance.delay.ms=0",
            "unclean.leader.election.enable=false",
            # Every topic is declared in code and provisioned; a typo must fail, not create a topic.
            "auto.create.topics.enable=false",
            "num.partitions=3",
            # The log cleaner takes its dedupe buffer (128 MB by default) from the heap when the node starts:
            # half of a 256 MB heap, enough to kill a node at startup. 32 MB still maps over a million keys
            # per cleaning, far more than the compacted topics here hold.
            "log.cleaner.dedupe.buffer.size=33554432",
        ]
        properties = dict(line.split("=", 1) for line in lines)
        properties.update(self.overrides)
        return "\n".join([*(f"{key}={value}" for key, value in properties.items()), ""])

    def java_command(
        self, main_class: str, *args: str, heap: str | None = None, agents: Sequence[str] = ()
    ) -> list[str]:
        dist = Distributions(self.settings.dist_dir)
        heap = heap or self.settings.kafka_heap
        return [
            find_java(17),
            f"-Xmx{heap}",
            "-Xms128m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            # A JVM out of heap can lose a thread and live on without its listeners: exit, so the wait that
            # started the node, or whoever watches it, sees a dead node instead of a silent one.
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={TEMPLATES / 'log4j2.properties'}",
            self.process.marker,
            *agents,
            "-cp",
            f"{dist.kafka_libs}/*",
            main_class,
            *args,
        ]

    def prepare(self) -> None:
        """Write the node's configuration and format its storage, once."""
        self.node_dir.mkdir(parents=True, exist_ok=True)
        config = self.node_dir / "server.properties"
        config.write_text(self.server_properties())
        if (self.node_dir / "data" / "meta.properties").exists():
            return
        cmd = self.java_command(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            _cluster_id(self.cluster_dir),
            "-c",
            str(config),
            "--ignore-formatted",
            heap="256m",
        )
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(
                f"kafka-{self.node_id}: formatting storage failed\n{result.stdout}{result.stderr}"
            )

    def metrics_agent(self) -> list[str]:
        """The JVM option that serves this node's metrics (none for a node that exports none)."""
        if not self.exports_metrics:
            return []
        jar = Distributions(self.settings.dist_dir).jmx_agent_jar
        return [f"-javaagent:{jar}={self.settings.host}:{self.metrics_port}:{JMX_RULES}"]

    def start(self) -> int:
        self.prepare()
        config = str(self.node_dir / "server.properties")
        return self.process.start(self.java_command("kafka.Kafka", config, agents=self.metrics_agent()))

    def healthy(self) -> bool:
        """The node answers a metadata request and the cluster it reports includes this node."""
        try:
            admin = AdminClient(
                {
                    "bootstrap.servers": self.address,
                    "socket.timeout.ms": 2000,
                    "log_level": 0,
                    "logger": silent_logger(),
                }
            )
            metadata = admin.list_topics(timeout=2)
        except Exception:
            return False
        return self.node_id in metadata.brokers and len(metadata.brokers) == self.settings.kafka_brokers


def wait_nodes_healthy(nodes: Sequence[KafkaNode], timeout_s: float, label: str = "Kafka") -> None:
    """Wait until every node is healthy, watching all of them at once.

    A node counts as healthy only when the others are up too, so a wait on one node at a time would blame
    node 1 for node 3's death; this names the node that died or is still down, and shows its log.
    """
    pending = list(nodes)
    pending_logs = [node.process.log_file for node in pending]  # read at the deadline: the nodes still down

    def all_healthy() -> bool:
        nonlocal pending
        for node in pending:
            if not node.process.is_running():
                raise StackError(
                    f"{label} node {node.node_id}: the process exited while starting."
                    f"{log_tail(node.process.log_file)}"
                )
        pending = [node for node in pending if not node.healthy()]
        pending_logs[:] = [node.process.log_file for node in pending]
        return not pending

    wait_until(
        all_healthy,
        timeout_s=timeout_s,
        what=lambda: f"{label} node(s) {', '.join(str(node.node_id) for node in pending)}",
        log=pending_logs,
    )


def process_name(brokers: int, node_id: int) -> str:
    """Pid-file, log and marker name of a node: ``kafka-1`` alone, ``kafka-3n-1``.. in a 3-node cluster.

    Different cluster sizes never share a pid file; the single node keeps the name it always had.
    """
    return f"kafka-{node_id}" if brokers == 1 else f"kafka-{brokers}n-{node_id}"


def _cluster_id(cluster_dir: Path) -> str:
    path = cluster_dir / "cluster.id"
    if not path.exists():
        cluster_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(random_cluster_id())
    return path.read_text().strip()


def random_cluster_id() -> str:
    """The same as `kafka-storage random-uuid`: 16 random bytes, URL-safe base64, no padding, and never a
    leading '-', which the storage tool's argument parser would take for an option (1 id in 64)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def silent_logger() -> logging.Logger:
    # librdkafka logs every refused connection while the broker boots; the wait reports failures itself.
    logger = logging.getLogger("pedidos.stack.kafka-probe")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger
