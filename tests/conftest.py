"""The whole test session runs on its own ports and state dir, so a system started by `make run` is never
touched: not its processes, topics, database nor files.

The PEDIDOS_* variables are set before any test module asks get_settings(), and every subprocess the tests
start (stack, processors, gateway, `pedidos` calls, the lab's cluster, the drills) inherits them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from processors.settings import PROJECT_ROOT, get_settings

# Each port is its default + 20000 (the lab's: + 10000, where + 20000 would be an ephemeral port), so none
# meets `make run`'s, nor the other stacks some tests start on ports of their own (test_stack_cli).
TEST_ENV = {
    "PEDIDOS_STATE_DIR": str(PROJECT_ROOT / ".state" / "test"),
    "PEDIDOS_KAFKA_PORT": "29092",
    "PEDIDOS_KAFKA_CONTROLLER_PORT": "29192",
    "PEDIDOS_REGISTRY_PORT": "28081",
    "PEDIDOS_REGISTRY_MANAGEMENT_PORT": "28091",
    "PEDIDOS_POSTGRES_PORT": "25433",
    "PEDIDOS_GATEWAY_PORT": "28000",
    "PEDIDOS_METRICS_BASE_PORT": "29400",
    "PEDIDOS_PROMETHEUS_PORT": "29090",
    "PEDIDOS_ALERTMANAGER_PORT": "29095",
    "PEDIDOS_POSTGRES_EXPORTER_PORT": "29187",
    "PEDIDOS_KAFKA_METRICS_PORT": "29380",
    "PEDIDOS_LAB_KAFKA_PORT": "29392",
    "PEDIDOS_LAB_KAFKA_CONTROLLER_PORT": "29492",
}


# PEDIDOS_STACK=compose: the session's Kafka, registry and PostgreSQL are compose/'s containers
# (tests/integration/conftest.py); default: the native stack.
STACK_VARIABLE = "PEDIDOS_STACK"

# Two test sessions at once (two checkouts of the project) need ports apart: PEDIDOS_TEST_PORT_SHIFT=-1000
# moves every port above, -2000 again, and so on (downwards, away from the ephemeral range above 32767).
PORT_SHIFT_VARIABLE = "PEDIDOS_TEST_PORT_SHIFT"


def _shifted(shift: int) -> dict[str, str]:
    return {k: v if k == "PEDIDOS_STATE_DIR" else str(int(v) + shift) for k, v in TEST_ENV.items()}


def pytest_configure(config: pytest.Config) -> None:
    shift = int(os.environ.get(PORT_SHIFT_VARIABLE, "0"))
    # Variables the developer exported for `make run` (a port, a broker count, a failure rate) would leak
    # into the tests and make them depend on that shell; kept: where the downloads live, and which stack.
    kept = ("PEDIDOS_DIST_DIR", STACK_VARIABLE)
    for name in [name for name in os.environ if name.startswith("PEDIDOS_") and name not in kept]:
        del os.environ[name]
    os.environ.update(_shifted(shift))
    # The downloads are shared with `make run` (the default dist dir hangs off the default state dir).
    os.environ.setdefault("PEDIDOS_DIST_DIR", str(PROJECT_ROOT / ".state" / "dist"))
    get_settings.cache_clear()


@pytest.fixture
def default_settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No PEDIDOS_* variable at all, for tests of the settings' own defaults."""
    for name in [name for name in os.environ if name.startswith("PEDIDOS_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
