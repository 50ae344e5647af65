"""The monitoring stack's generated configuration: Prometheus' jobs and rules, Alertmanager's receiver, the
exporter's connection, the brokers' JMX agent, and the target files that follow what runs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from processors.settings import Settings
from tools.stack import dist
from tools.stack.alertmanager import Alertmanager
from tools.stack.dist import Distributions
from tools.stack.exporters import PostgresExporter
from tools.stack.kafka import JMX_RULES, KafkaNode
from tools.stack.managed import ManagedProcess
from tools.stack.procs import StackError
from tools.stack.prometheus import Prometheus, rule_copy
from tools.stack.targets import (
    processor_target,
    remove_targets,
    service_targets,
    stack_targets,
    target_file,
    write_targets,
)

RULES = """groups:
  - name: pedidos
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: ServiceDown
        expr: up == 0
        for: 2m  # long enough to ride out a restart
        labels:
          severity: critical
      - alert: LagHigh
        expr: pedidos_consumer_lag_records > 1000
        for: 5m
"""


def _settings(tmp_path, **values) -> Settings:
    return Settings(state_dir=tmp_path / "state", **values)


def test_alert_for_replaces_every_alerts_for_and_keeps_the_rest(tmp_path):
    copied = rule_copy(RULES, "10s")
    assert copied.count("for: 10s") == 2 and "2m" not in copied and "5m" not in copied
    assert "for: 10s  # long enough to ride out a restart" in copied
    assert copied.replace("for: 10s", "") == RULES.replace("for: 2m", "").replace("for: 5m", "")
    assert rule_copy(RULES, None) == RULES


def test_prometheus_config_has_one_file_sd_job_per_kind_of_target(tmp_path):
    settings = _settings(tmp_path, prometheus_scrape_interval_s=7, alertmanager_port=9999)
    config = Prometheus(settings).config()
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {
        "processors",
        "projector",
        "gateway",
        "supervisor",
        "kafka",
        "registry",
        "postgres",
        "prometheus",
        "alertmanager",
    }
    assert {name for name, job in jobs.items() if job["honor_labels"]} == {
        "processors",
        "projector",
        "gateway",
        "supervisor",
    }
    targets = settings.state_dir / "prometheus" / "targets"
    assert jobs["kafka"]["file_sd_configs"][0]["files"] == [
        str(targets / "kafka.json"),
        str(targets / "kafka.*.json"),
    ]
    assert config["global"]["scrape_interval"] == "7s"
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9999"]


def test_rule_copies_follow_alert_for_and_a_missing_rules_dir_gives_none(tmp_path):
    source = tmp_path / "rules"
    source.mkdir()
    (source / "alerts.yml").write_text(RULES)
    prometheus = Prometheus(_settings(tmp_path, alert_for="3s"))
    prometheus.write_config(source)
    copy = prometheus.home / "rules" / "alerts.yml"
    assert copy.read_text() == rule_copy(RULES, "3s")

    prometheus.write_config(tmp_path / "absent")  # the rules are another part's; none yet is no error
    assert list((prometheus.home / "rules").iterdir()) == []


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian prometheus) not installed")
def test_promtool_accepts_the_generated_config_and_rules(tmp_path):
    source = tmp_path / "rules"
    source.mkdir()
    (source / "alerts.yml").write_text(RULES)
    prometheus = Prometheus(_settings(tmp_path, alert_for="10s"))
    config = prometheus.write_config(source)
    result = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 rules found" in result.stdout + result.stderr


def test_prometheus_runs_with_lifecycle_json_logs_retention_and_its_own_port(tmp_path):
    settings = _settings(tmp_path, prometheus_port=9876, prometheus_retention="2d")
    command = Prometheus(settings).command()
    assert "--web.enable-lifecycle" in command and "--log.format=json" in command
    assert "--rules.alert.resend-delay=5s" in command
    assert "--web.listen-address=127.0.0.1:9876" in command
    assert "--storage.tsdb.retention.time=2d" in command
    assert f"--storage.tsdb.path={settings.state_dir / 'prometheus' / 'data'}" in command


def test_alertmanager_sends_every_alert_and_its_resolution_to_the_gateway(tmp_path):
    alertmanager = Alertmanager(_settings(tmp_path, gateway_port=8123, alertmanager_port=9111))
    config = alertmanager.config()
    (receiver,) = config["receivers"]
    assert receiver["webhook_configs"] == [
        {"url": "http://127.0.0.1:8123/api/alerts/webhook", "send_resolved": True}
    ]
    assert config["route"]["receiver"] == receiver["name"]
    assert config["route"]["group_wait"] == "1s"
    command = alertmanager.command()
    assert "--cluster.listen-address=" in command and "--log.format=json" in command
    assert "--web.listen-address=127.0.0.1:9111" in command
    assert json.loads(alertmanager.write_config().read_text()) == config


def test_the_exporter_gets_its_password_from_the_environment_not_the_command_line(tmp_path):
    exporter = PostgresExporter(_settings(tmp_path, postgres_port=5999, postgres_exporter_port=9222))
    assert exporter.data_source() == "postgresql://pedidos:pedidos@127.0.0.1:5999/pedidos?sslmode=disable"
    assert not any("pedidos@" in arg for arg in exporter.command())
    assert "--web.listen-address=127.0.0.1:9222" in exporter.command()


def test_each_stack_node_serves_metrics_on_its_own_port_and_lab_nodes_on_none(tmp_path):
    settings = _settings(tmp_path, kafka_brokers=3, kafka_metrics_port=9500)
    agent = KafkaNode(settings, 2).metrics_agent()
    assert len(agent) == 1 and agent[0].startswith("-javaagent:")
    assert agent[0].endswith(f"jmx_prometheus_javaagent-1.0.1.jar=127.0.0.1:9501:{JMX_RULES}")
    assert JMX_RULES.exists()
    assert KafkaNode(settings, 2, exports_metrics=False).metrics_agent() == []


def test_a_process_marked_in_its_environment_is_recognised_and_stopped(tmp_path):
    managed = ManagedProcess("go-server", tmp_path / "run", tmp_path / "logs", marker_in_env=True)
    pid = managed.start([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        assert managed.pid() == pid
        plain = ManagedProcess("go-server", tmp_path / "run", tmp_path / "logs")
        assert plain.pid() is None  # its command line carries no marker
    finally:
        assert managed.stop(timeout_s=10) is True
    assert managed.pid() is None


def test_target_files_carry_the_contract_labels_one_file_per_job_and_writer(tmp_path):
    settings = _settings(tmp_path, kafka_brokers=3, metrics_base_port=9400, gateway_port=8000)
    written = write_targets(settings, stack_targets(settings))
    kafka = json.loads(target_file(settings, "kafka").read_text())
    assert kafka == [
        {
            "targets": [f"127.0.0.1:{settings.kafka_metrics_port + n}"],
            "labels": {"instance": f"kafka-{n + 1}"},
        }
        for n in range(3)
    ]
    assert {p.name for p in written} == {
        "kafka.json",
        "registry.json",
        "postgres.json",
        "prometheus.json",
        "alertmanager.json",
    }

    services = write_targets(
        settings, service_targets(settings, ["gateway", "projector", "payment-0", "traffic"])
    )
    mine = write_targets(
        settings, [processor_target(settings, "inventory", n) for n in range(2)], "inventory"
    )
    processors = json.loads(target_file(settings, "processors").read_text())
    assert processors == [
        {"targets": ["127.0.0.1:9400"], "labels": {"instance": "payment-0", "processor": "payment"}}
    ]
    assert json.loads(target_file(settings, "processors", "inventory").read_text())[1] == {
        "targets": ["127.0.0.1:9411"],
        "labels": {"instance": "inventory-1", "processor": "inventory"},
    }
    projector = json.loads(target_file(settings, "projector").read_text())
    assert projector[0]["labels"] == {"instance": "projector", "processor": "projector"}
    assert {p.name for p in services} == {
        "supervisor.json",
        "gateway.json",
        "projector.json",
        "processors.json",
    }

    remove_targets(mine)
    assert not target_file(settings, "processors", "inventory").exists()
    assert target_file(settings, "processors").exists()  # another writer's file is left alone


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool (Debian prometheus-alertmanager) missing")
def test_amtool_accepts_the_generated_alertmanager_config(tmp_path):
    config = Alertmanager(_settings(tmp_path)).write_config()
    result = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 receivers" in result.stdout, result.stdout


def test_the_jmx_agent_is_installed_once_and_marked_complete_only_when_in_place(tmp_path, monkeypatch):
    runs: list[list[str]] = []

    def fake_mvn(args: list[str]) -> None:
        runs.append(args)
        out = Path(next(a for a in args if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "jmx_prometheus_javaagent-1.0.1.jar").touch()

    dists = Distributions(tmp_path)
    monkeypatch.setattr(dist, "_mvn", lambda args: runs.append(args))  # Maven "succeeds" but copies nothing
    with pytest.raises(StackError, match=r"copied no jmx_prometheus_javaagent-1\.0\.1\.jar"):
        dists.install_jmx_agent(lambda _line: None)
    assert not dists.jmx_agent_installed()

    monkeypatch.setattr(dist, "_mvn", fake_mvn)
    dists.install_jmx_agent(lambda _line: None)
    assert dists.jmx_agent_installed() and dists.jmx_agent_jar.exists()
    dists.install_jmx_agent(lambda _line: None)
    assert len(runs) == 2  # installed: Maven not run again
    assert "-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1" in runs[-1]
