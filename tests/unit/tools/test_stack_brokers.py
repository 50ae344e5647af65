"""The cluster size sticks to the state dir; clusters of other sizes or state dirs never share a process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from processors.settings import KAFKA_BROKERS_FILE, Settings, get_settings
from tools.stack.commands import stack
from tools.stack.kafka import KafkaNode, process_name
from tools.stack.managed import ManagedProcess, state_scope
from tools.stack.procs import StackError, free_port
from tools.stack.stack import cluster_conflict, require_kafka

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_the_size_last_started_is_the_default(tmp_path, default_settings_env):
    assert Settings(state_dir=tmp_path).kafka_brokers == 1
    (tmp_path / KAFKA_BROKERS_FILE).write_text("3\n")
    settings = Settings(state_dir=tmp_path)
    assert settings.kafka_brokers == 3
    assert settings.bootstrap_servers == "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"


def test_an_explicit_environment_variable_wins_over_the_record(tmp_path, monkeypatch):
    (tmp_path / KAFKA_BROKERS_FILE).write_text("3\n")
    monkeypatch.setenv("PEDIDOS_KAFKA_BROKERS", "1")
    assert Settings(state_dir=tmp_path).kafka_brokers == 1


def test_a_corrupt_record_is_refused_not_guessed(tmp_path, monkeypatch):
    monkeypatch.delenv("PEDIDOS_KAFKA_BROKERS", raising=False)
    (tmp_path / KAFKA_BROKERS_FILE).write_text("7\n")
    with pytest.raises(ValueError, match="kafka_brokers"):
        Settings(state_dir=tmp_path)


@pytest.mark.parametrize(
    ("requested", "running", "conflict"), [(3, set(), False), (3, {3}, False), (3, {1}, True), (1, {3}, True)]
)
def test_switching_size_while_another_cluster_runs_is_refused(requested, running, conflict):
    message = cluster_conflict(requested, running)
    assert (message is not None) == conflict
    if conflict:
        assert "pedidos stack down" in message and f"--brokers {requested}" in message


def test_node_names_differ_between_cluster_sizes(tmp_path):
    assert process_name(1, 1) == "kafka-1"  # unchanged: the log file the README documents
    assert process_name(3, 1) == "kafka-3n-1"
    one = KafkaNode(Settings(state_dir=tmp_path, kafka_brokers=1), 1).process
    three = KafkaNode(Settings(state_dir=tmp_path, kafka_brokers=3), 1).process
    assert one.pid_file != three.pid_file and one.marker != three.marker


def test_markers_differ_between_state_dirs(tmp_path):
    a = KafkaNode(Settings(state_dir=tmp_path / "a", kafka_brokers=3), 2).process
    b = KafkaNode(Settings(state_dir=tmp_path / "b", kafka_brokers=3), 2).process
    assert a.marker != b.marker
    assert a.marker == f"-Dpedidos.component=kafka-3n-2@{state_scope(tmp_path / 'a')}"


def test_a_process_of_another_state_dir_is_not_ours_even_with_our_pid_file(tmp_path):
    theirs = ManagedProcess("kafka-3n-1", tmp_path / "b" / "run", tmp_path / "b" / "logs", scope="bbbb")
    ours = ManagedProcess("kafka-3n-1", tmp_path / "a" / "run", tmp_path / "a" / "logs", scope="aaaa")
    pid = theirs.start([*SLEEPER, theirs.marker])
    try:
        ours.run_dir.mkdir(parents=True)
        ours.pid_file.write_text(f"{pid}\n")  # a stale pid file meeting a recycled pid
        assert ours.pid() is None
        assert theirs.pid() == pid
    finally:
        theirs.stop(timeout_s=10)


def test_a_process_started_before_scoped_markers_is_still_recognised(tmp_path):
    legacy = ManagedProcess("kafka-1", tmp_path / "run", tmp_path / "logs")
    scoped = ManagedProcess("kafka-1", tmp_path / "run", tmp_path / "logs", scope=state_scope(tmp_path))
    pid = legacy.start([*SLEEPER, legacy.marker])
    try:
        assert scoped.pid() == pid
    finally:
        assert scoped.stop(timeout_s=10) is True
    assert subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0


def test_stack_status_follows_the_recorded_size_without_a_flag(tmp_path, monkeypatch, default_settings_env):
    monkeypatch.setenv("PEDIDOS_STATE_DIR", str(tmp_path))
    (tmp_path / KAFKA_BROKERS_FILE).write_text("3\n")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(stack, ["status", "--json"])
    finally:
        get_settings.cache_clear()
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == [
        "postgres",
        "kafka-1",
        "kafka-2",
        "kafka-3",
        "registry",
        "prometheus",
        "alertmanager",
        "postgres-exporter",
    ]
    assert [r["address"] for r in rows[1:4]] == ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"]
    assert result.exit_code == 1  # nothing of this state dir runs


def test_a_bench_is_told_which_broker_is_down_before_it_starts(tmp_path):
    port = free_port()  # nothing listens there
    settings = Settings(state_dir=tmp_path, kafka_port=port, kafka_brokers=1)
    with pytest.raises(StackError, match=f"127.0.0.1:{port}: rode / run `pedidos stack up`"):
        require_kafka(settings)
