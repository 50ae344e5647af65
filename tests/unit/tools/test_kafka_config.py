from dataclasses import dataclass
from pathlib import Path

import pytest

from processors.settings import Settings
from tools.lab.cluster import LabCluster
from tools.stack.kafka import KafkaNode, random_cluster_id, wait_nodes_healthy
from tools.stack.procs import StackError


def _properties(brokers: int, node_id: int, tmp_path) -> dict[str, str]:
    node = KafkaNode(Settings(state_dir=tmp_path, kafka_brokers=brokers), node_id)
    lines = [line for line in node.server_properties().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_single_node_has_what_transactions_need(tmp_path, default_settings_env):
    props = _properties(1, 1, tmp_path)
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9192"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9192"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["min.insync.replicas"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["log.cleaner.dedupe.buffer.size"] == str(32 * 1024 * 1024)


def test_three_nodes_replicate_three_ways_with_min_isr_two(tmp_path, default_settings_env):
    props = _properties(3, 2, tmp_path)
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9093"
    assert props["transaction.state.log.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert props["unclean.leader.election.enable"] == "false"
    assert props["log.dirs"].startswith(str(tmp_path / "kafka-3n" / "node-2"))


def test_the_lab_cluster_checks_for_unclean_elections_every_second(tmp_path):
    lab = LabCluster(Settings(state_dir=tmp_path))
    props = dict(lab.nodes[3].overrides)
    assert props["unclean.leader.election.interval.ms"] == "1000"
    assert "unclean.leader.election.interval.ms=1000" in lab.nodes[3].server_properties()


@dataclass
class _FakeProcess:
    log_file: Path
    running: bool = True

    def is_running(self) -> bool:
        return self.running


@dataclass
class _FakeNode:
    node_id: int
    process: _FakeProcess
    up: bool = False

    def healthy(self) -> bool:
        return self.up


def _nodes(tmp_path) -> list[_FakeNode]:
    nodes = []
    for n in (1, 2, 3):
        log = tmp_path / f"kafka-{n}.log"
        log.write_text(f"log line of node {n}\n")
        nodes.append(_FakeNode(n, _FakeProcess(log)))
    return nodes


def test_a_node_that_died_is_named_with_its_own_log_not_the_first_node_waited_for(tmp_path):
    nodes = _nodes(tmp_path)
    nodes[2].process.running = False
    with pytest.raises(StackError, match=r"(?s)node 3: the process exited.*log line of node 3") as raised:
        wait_nodes_healthy(nodes, timeout_s=60)
    assert "node 1" not in str(raised.value)


def test_the_deadline_names_every_node_still_down(tmp_path):
    nodes = _nodes(tmp_path)
    nodes[0].up = True
    with pytest.raises(StackError, match=r"(?s)node\(s\) 2, 3 after 0.3 s.*node 2.*node 3") as raised:
        wait_nodes_healthy(nodes, timeout_s=0.3)
    assert "log line of node 1" not in str(raised.value)


def test_healthy_nodes_return_at_once(tmp_path):
    nodes = _nodes(tmp_path)
    for node in nodes:
        node.up = True
    wait_nodes_healthy(nodes, timeout_s=0)


def test_cluster_ids_never_start_with_a_dash_the_storage_tool_would_read_as_an_option():
    ids = [random_cluster_id() for _ in range(5000)]  # a leading '-' would come 1 time in 64
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert len(set(ids)) == len(ids)
