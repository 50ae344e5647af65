"""compose/, checked without a Docker engine: what CI can check of a stack it cannot start.

The compose file against the compose-spec JSON schema (vendored by check-jsonschema), Prometheus' and
Alertmanager's configurations with their own checkers, and the file against the native stack it mirrors:
pinned images, ports on 127.0.0.1 equal to the settings' defaults, PEDIDOS_* variables the settings know, the
same commands, versions, scrape jobs and instance labels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from processors.deployment import PROCESSORS, metrics_port
from processors.schemas import AVRO_DIR
from processors.settings import PROJECT_ROOT, Settings
from tools.provision.migrations import SQL_DIR
from tools.services.commands import CLI, service_list
from tools.stack.dist import KAFKA_VERSION, REGISTRY_VERSION

COMPOSE = PROJECT_ROOT / "compose"
COMPOSE_FILE = COMPOSE / "docker-compose.yml"
RULES_DIR = PROJECT_ROOT / "tools" / "observability" / "rules"
# The scrape jobs of the native stack (docs/observability.md). The compose stack has no supervisor: Docker's
# restart policy does its job, so nothing exports the `supervisor` job's metrics.
NATIVE_JOBS = {"processors", "projector", "gateway", "supervisor", "kafka", "registry", "postgres"}
NATIVE_JOBS |= {"prometheus", "alertmanager"}
COMPOSE_JOBS = NATIVE_JOBS - {"supervisor"}
# Mounted files that other parts of the observability work write; until they exist, their mount is skipped.
WRITTEN_ELSEWHERE = {"tools/observability/jmx/kafka-broker.yml", "tools/observability/rules"}
WRITTEN_ELSEWHERE |= {"compose/grafana/dashboards"}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def _toml() -> dict[str, Any]:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


SERVICES: dict[str, dict[str, Any]] = _yaml(COMPOSE_FILE)["services"]
PROMETHEUS = _yaml(COMPOSE / "prometheus" / "prometheus.yml")


def _defaults(text: str) -> str:
    """The text as compose reads it with no PEDIDOS_* variable set: each ${VAR:-default} is its default."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", text)


def _published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(address, host port, container port) of each `ports:` entry."""
    rows = [_defaults(str(entry)).split(":") for entry in service.get("ports", [])]
    return [(address, int(host), int(container)) for address, host, container in rows]


def test_the_compose_file_follows_the_compose_spec_schema():
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned_to_a_version(name: str):
    tag = SERVICES[name]["image"].rpartition("/")[2].partition(":")[2]
    assert re.fullmatch(r"v?\d+(\.\d+)+", tag), f"{name}: {SERVICES[name]['image']}"


def test_the_brokers_and_the_registry_are_the_native_stacks_versions():
    kafka = SERVICES["kafka"]
    assert kafka["build"]["args"]["KAFKA_VERSION"] == KAFKA_VERSION
    assert kafka["image"].endswith(f":{KAFKA_VERSION}")
    assert SERVICES["registry"]["image"] == f"apicurio/apicurio-registry:{REGISTRY_VERSION}"


def test_every_port_is_published_on_loopback_at_the_native_stacks_port(default_settings_env: None):
    settings = Settings()
    native = {
        "kafka": [settings.kafka_port, settings.kafka_metrics_port],
        "postgres": [settings.postgres_port],
        "registry": [settings.registry_port, settings.registry_management_port],
        "gateway": [settings.gateway_port],
        "projector": [metrics_port(settings, "projector")],
        **{name: [metrics_port(settings, name, 0)] for name in PROCESSORS},
        "prometheus": [settings.prometheus_port],
        "alertmanager": [settings.alertmanager_port],
        "postgres-exporter": [settings.postgres_exporter_port],
        "kafka-ui": [8080],  # no native counterpart, hence no setting
        "grafana": [3000],
    }
    published = {name: _published(service) for name, service in SERVICES.items() if "ports" in service}
    assert {name: [host for _, host, _ in rows] for name, rows in published.items()} == native
    assert {address for rows in published.values() for address, _, _ in rows} == {"127.0.0.1"}


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*node, *(text for value in node.values() for text in _strings(value))]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return [str(node)]


def test_every_pedidos_variable_is_a_setting():
    """Those the containers get and those the host ports are read from (${PEDIDOS_...:-default})."""
    strings = _strings(SERVICES)
    names = {text for text in strings if text.startswith("PEDIDOS_")}
    names |= {name for text in strings for name, _ in INTERPOLATION.findall(text)}
    assert names >= {"PEDIDOS_HOST", "PEDIDOS_KAFKA_HOST", "PEDIDOS_KAFKA_PORT", "PEDIDOS_GATEWAY_PORT"}
    assert {name.removeprefix("PEDIDOS_").lower() for name in names} <= set(Settings.model_fields)


def test_every_host_side_variable_defaults_to_the_settings_default(default_settings_env: None):
    """So that `docker compose up` with no variable set publishes where the native stack listens."""
    settings = Settings()
    defaults = {name: default for text in _strings(SERVICES) for name, default in INTERPOLATION.findall(text)}
    assert defaults
    for name, default in defaults.items():
        assert default == str(getattr(settings, name.removeprefix("PEDIDOS_").lower())), name


def test_the_services_run_the_native_supervisors_commands():
    for service in service_list():
        compose_service = SERVICES[service.name.removesuffix("-0")]
        assert compose_service["build"]["dockerfile"] == "compose/Dockerfile"
        assert ["pedidos", *compose_service["command"]] == ["pedidos", *service.argv[len(CLI) :]]


def test_the_project_image_holds_every_package_and_the_data_read_from_the_project_root():
    dockerfile = (COMPOSE / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", dockerfile, flags=re.MULTILINE))
    packages = {name.rstrip("*") for name in _toml()["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert copied == packages | {AVRO_DIR.name, SQL_DIR.name}
    assert re.search(r"^COPY --from=ui /ui/dist ui/dist$", dockerfile, flags=re.MULTILINE)


def test_every_base_image_is_pinned():
    for dockerfile in [COMPOSE / "Dockerfile", COMPOSE / "kafka" / "Dockerfile"]:
        for image in re.findall(r"^FROM (\S+)", dockerfile.read_text(), flags=re.MULTILINE):
            assert re.search(r":(\$\{\w+\}|\d[\w.-]*)$", image), f"{dockerfile}: {image}"


def test_every_dependency_waits_for_a_condition_the_service_reports():
    for name, service in SERVICES.items():
        for dependency, wait in service.get("depends_on", {}).items():
            if wait["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} waits for {dependency}'s health"
            else:
                assert wait["condition"] == "service_completed_successfully"
                assert SERVICES[dependency]["restart"] == "no", f"{name} waits for {dependency} to exit"


def _bind_mounts() -> list[tuple[str, str, str]]:
    return [
        (name, *volume.split(":")[:2])
        for name, service in SERVICES.items()
        for volume in service.get("volumes", [])
        if volume.startswith(".")
    ]


@pytest.mark.parametrize(("name", "source", "target"), _bind_mounts())
def test_every_bind_mount_exists(name: str, source: str, target: str):
    path = (COMPOSE / source).resolve()
    if not path.exists() and str(path.relative_to(PROJECT_ROOT)) in WRITTEN_ELSEWHERE:
        pytest.skip(f"{path.relative_to(PROJECT_ROOT)} is not written yet")
    # Docker would create a missing source as an empty directory and the service would start without it.
    assert path.exists(), f"{name}: {source} -> {target}"


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
    assert jobs["registry"]["metrics_path"] == "/q/metrics"


def test_every_scrape_target_is_a_port_its_service_listens_on():
    targets = [t for job in PROMETHEUS["scrape_configs"] for g in job["static_configs"] for t in g["targets"]]
    targets += PROMETHEUS["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    for target in targets:
        host, port = target.split(":")
        service = "prometheus" if host == "localhost" else host
        assert int(port) in {container for _, _, container in _published(SERVICES[service])}, target


def test_alertmanager_config_passes_amtool_and_sends_every_alert_to_the_gateways_webhook():
    path = COMPOSE / "alertmanager" / "alertmanager.yml"
    checked = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = _yaml(path)
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert "routes" not in config["route"]
    (webhook,) = receiver["webhook_configs"]
    gateway_port = _published(SERVICES["gateway"])[0][2]
    assert webhook == {"url": f"http://gateway:{gateway_port}/api/alerts/webhook", "send_resolved": True}


def test_grafana_reads_the_generated_dashboards_through_the_prometheus_data_source():
    provisioning = COMPOSE / "grafana" / "provisioning"
    (source,) = _yaml(provisioning / "datasources" / "prometheus.yml")["datasources"]
    assert (source["uid"], source["type"]) == ("prometheus", "prometheus")
    assert source["url"] == f"http://prometheus:{_published(SERVICES['prometheus'])[0][2]}"
    (provider,) = _yaml(provisioning / "dashboards" / "pedidos.yml")["providers"]
    mounts = {source: target for name, source, target in _bind_mounts() if name == "grafana"}
    assert provider["options"]["path"] == mounts["./grafana/dashboards"]


@pytest.mark.parametrize("path", sorted((COMPOSE / "grafana" / "dashboards").glob("*.json")), ids=str)
def test_every_dashboard_queries_the_provisioned_data_source(path: Path):
    uids = set(re.findall(r'"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"', path.read_text()))
    assert uids <= {"prometheus"}, path.name
