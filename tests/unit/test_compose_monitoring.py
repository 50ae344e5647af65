"""compose/'s Prometheus, Alertmanager and Grafana, checked without a Docker engine: their own checkers
(promtool, amtool) and the native stack's scrape jobs, instance labels and alert path."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from processors.deployment import PROCESSORS
from processors.settings import PROJECT_ROOT
from tests.unit.compose_stack import COMPOSE, SERVICES, bind_mounts, load_yaml, published

RULES_DIR = PROJECT_ROOT / "tools" / "observability" / "rules"
PROMETHEUS = load_yaml(COMPOSE / "prometheus" / "prometheus.yml")
# The scrape jobs of the native stack (docs/observability.md). The compose stack has no supervisor: Docker's
# restart policy does its job, so nothing exports the `supervisor` job's metrics.
NATIVE_JOBS = {"processors", "projector", "gateway", "supervisor", "kafka", "registry", "postgres"}
NATIVE_JOBS |= {"prometheus", "alertmanager"}
COMPOSE_JOBS = NATIVE_JOBS - {"supervisor"}


def test_prometheus_config_passes_promtool_with_the_rules_mounted_as_in_the_container(tmp_path: Path):
    # As in the container: the config in /etc/prometheus, the rules in /etc/prometheus/rules.
    shutil.copy(COMPOSE / "prometheus" / "prometheus.yml", tmp_path)
    rules = sorted(RULES_DIR.glob("*.yml"))
    (tmp_path / "rules").mkdir()
    for path in rules:
        shutil.copy(path, tmp_path / "rules")
    checked = subprocess.run(
        ["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for path in rules:
        assert f"rules/{path.name}" in checked.stdout + checked.stderr, f"{path.name} not loaded"


def test_prometheus_scrapes_the_native_jobs_with_the_native_instance_labels():
    jobs = {job["job_name"]: job for job in PROMETHEUS["scrape_configs"]}
    assert set(jobs) == COMPOSE_JOBS
    instances = {
        job: {g["labels"]["instance"] for g in config["static_configs"]} for job, config in jobs.items()
    }
    assert instances["processors"] == {f"{name}-0" for name in PROCESSORS}
    assert {job: labels for job, labels in instances.items() if job != "processors"} == {
        "projector": {"projector"},
        "gateway": {"gateway"},
        "kafka": {"kafka-1"},
        **{job: {job} for job in ("registry", "postgres", "prometheus", "alertmanager")},
    }
    assert {job for job, config in jobs.items() if config.get("honor_labels")} == {
        "processors",
        "projector",
        "gateway",
    }
    assert jobs["registry"]["metrics_path"] == "/metrics"


def test_every_scrape_target_is_a_port_its_service_listens_on():
    targets = [t for job in PROMETHEUS["scrape_configs"] for g in job["static_configs"] for t in g["targets"]]
    targets += PROMETHEUS["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    for target in targets:
        host, port = target.split(":")
        service = "prometheus" if host == "localhost" else host
        assert int(port) in {container for _, _, container in published(SERVICES[service])}, target


def test_alertmanager_config_passes_amtool_and_sends_every_alert_to_the_gateways_webhook():
    path = COMPOSE / "alertmanager" / "alertmanager.yml"
    checked = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = load_yaml(path)
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert "routes" not in config["route"]
    (webhook,) = receiver["webhook_configs"]
    gateway_port = published(SERVICES["gateway"])[0][2]
    assert webhook == {"url": f"http://gateway:{gateway_port}/api/alerts/webhook", "send_resolved": True}


def test_grafana_reads_the_generated_dashboards_through_the_prometheus_data_source():
    provisioning = COMPOSE / "grafana" / "provisioning"
    (source,) = load_yaml(provisioning / "datasources" / "prometheus.yml")["datasources"]
    assert (source["uid"], source["type"]) == ("prometheus", "prometheus")
    assert source["url"] == f"http://prometheus:{published(SERVICES['prometheus'])[0][2]}"
    (provider,) = load_yaml(provisioning / "dashboards" / "pedidos.yml")["providers"]
    mounts = {source: target for name, source, target in bind_mounts() if name == "grafana"}
    assert provider["options"]["path"] == mounts["./grafana/dashboards"]


@pytest.mark.parametrize("path", sorted((COMPOSE / "grafana" / "dashboards").glob("*.json")), ids=str)
def test_every_dashboard_queries_the_provisioned_data_source(path: Path):
    uids = set(re.findall(r'"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"', path.read_text()))
    assert uids <= {"prometheus"}, path.name
