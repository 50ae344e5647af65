"""compose/docker-compose.yml, checked without a Docker engine: what CI can check of a stack it cannot start.

The file against the compose-spec JSON schema (vendored by check-jsonschema) and against the native stack it
mirrors: pinned images and versions, ports on 127.0.0.1 equal to the settings' defaults, PEDIDOS_* variables
the settings know, the supervisor's commands, dependencies on conditions the services report, existing
mounts. Its Prometheus, Alertmanager and Grafana configurations: test_compose_monitoring.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from typing import Any

import pytest

from processors.deployment import PROCESSORS, metrics_port
from processors.schemas import AVRO_DIR
from processors.settings import PROJECT_ROOT, Settings
from tests.unit.compose_stack import (
    COMPOSE,
    COMPOSE_FILE,
    INTERPOLATION,
    SERVICES,
    bind_mounts,
    published,
    strings,
)
from tools.provision.migrations import SQL_DIR
from tools.services.commands import CLI, service_list
from tools.stack.dist import KAFKA_VERSION, REGISTRY_VERSION
from tools.stack.kafka import KafkaNode

# Mounted files that other parts of the observability work write; until they exist, their mount is skipped.
WRITTEN_ELSEWHERE = {"tools/observability/jmx/kafka-broker.yml", "tools/observability/rules"}
WRITTEN_ELSEWHERE |= {"compose/grafana/dashboards"}


def _toml() -> dict[str, Any]:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


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


def test_the_broker_has_the_native_nodes_configuration_but_its_addresses(default_settings_env: None):
    properties = KafkaNode(Settings(kafka_brokers=1), 1).server_properties()
    native = dict(line.split("=", 1) for line in properties.split())
    # The image turns each KAFKA_* variable into a property (KAFKA_LOG_DIRS: log.dirs), except the JVM's.
    environment = SERVICES["kafka"]["environment"]
    jvm = {"KAFKA_OPTS", "KAFKA_HEAP_OPTS"}
    compose = {
        name.removeprefix("KAFKA_").lower().replace("_", "."): str(value)
        for name, value in environment.items()
        if name.startswith("KAFKA_") and name not in jvm
    }
    addresses = {"listeners", "advertised.listeners", "listener.security.protocol.map", "log.dirs"}
    addresses |= {"controller.quorum.voters", "inter.broker.listener.name"}
    assert set(compose) == set(native)
    assert {k: v for k, v in compose.items() if k not in addresses} == {
        k: v for k, v in native.items() if k not in addresses
    }


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
    ports = {name: published(service) for name, service in SERVICES.items() if "ports" in service}
    assert {name: [host for _, host, _ in rows] for name, rows in ports.items()} == native
    assert {address for rows in ports.values() for address, _, _ in rows} == {"127.0.0.1"}


def test_every_pedidos_variable_is_a_setting():
    """Those the containers get and those the host ports are read from (${PEDIDOS_...:-default})."""
    texts = strings(SERVICES)
    names = {text for text in texts if text.startswith("PEDIDOS_")}
    names |= {name for text in texts for name, _ in INTERPOLATION.findall(text)}
    assert names >= {"PEDIDOS_HOST", "PEDIDOS_KAFKA_HOST", "PEDIDOS_KAFKA_PORT", "PEDIDOS_GATEWAY_PORT"}
    assert {name.removeprefix("PEDIDOS_").lower() for name in names} <= set(Settings.model_fields)


def test_every_host_side_variable_defaults_to_the_settings_default(default_settings_env: None):
    """So that `docker compose up` with no variable set publishes where the native stack listens."""
    settings = Settings()
    defaults = {name: default for text in strings(SERVICES) for name, default in INTERPOLATION.findall(text)}
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


@pytest.mark.parametrize(("name", "source", "target"), bind_mounts())
def test_every_bind_mount_exists(name: str, source: str, target: str):
    path = (COMPOSE / source).resolve()
    if not path.exists() and str(path.relative_to(PROJECT_ROOT)) in WRITTEN_ELSEWHERE:
        pytest.skip(f"{path.relative_to(PROJECT_ROOT)} is not written yet")
    # Docker would create a missing source as an empty directory and the service would start without it.
    assert path.exists(), f"{name}: {source} -> {target}"
