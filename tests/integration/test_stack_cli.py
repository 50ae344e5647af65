"""`pedidos stack` as a user runs it: status of the session's stack, and a second stack's full lifecycle."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from processors.settings import Settings
from tests.integration.environment import PEDIDOS, own_state, processes_mentioning
from tools.stack.postgres import Postgres
from tools.stack.procs import process_alive


def _pedidos(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PEDIDOS, *args], capture_output=True, text=True, env=env, timeout=300)


def test_stack_status_reports_every_component_healthy():
    result = _pedidos("stack", "status", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == [
        "postgres",
        "kafka-1",
        "registry",
        "prometheus",
        "alertmanager",
        "postgres-exporter",
    ]
    for row in rows:
        assert row["healthy"] is True, row
        # The exporter, a small Go program, starts at ~10 MiB; every other component is well above.
        assert row["pid"] > 0 and row["memory_mb"] > (5 if row["name"] == "postgres-exporter" else 10), row


@pytest.fixture
def second_stack(settings: Settings):
    """Environment for a stack of its own: other ports, other state dir, the same downloaded binaries."""
    state, env = own_state(
        settings,
        "test-stacks",
        PEDIDOS_KAFKA_PORT="19092",
        PEDIDOS_KAFKA_CONTROLLER_PORT="19192",
        PEDIDOS_REGISTRY_PORT="18081",
        PEDIDOS_REGISTRY_MANAGEMENT_PORT="18091",
        PEDIDOS_POSTGRES_PORT="15433",
        PEDIDOS_PROMETHEUS_PORT="19090",
        PEDIDOS_ALERTMANAGER_PORT="19095",
        PEDIDOS_POSTGRES_EXPORTER_PORT="19187",
        PEDIDOS_KAFKA_METRICS_PORT="19380",
    )
    yield state, env
    _pedidos("stack", "down", env=env)
    shutil.rmtree(Postgres(Settings(state_dir=state)).home, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)


def test_stack_up_then_down_leaves_no_process_of_ours(second_stack):
    state, env = second_stack
    up = _pedidos("stack", "up", env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    status = _pedidos("stack", "status", "--json", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    rows = json.loads(status.stdout)
    assert [r["address"] for r in rows] == [
        "127.0.0.1:15433",
        "127.0.0.1:19092",
        "http://127.0.0.1:18081/apis/ccompat/v7",
        "http://127.0.0.1:19090",
        "http://127.0.0.1:19095",
        "http://127.0.0.1:19187",
    ]
    assert all(r["healthy"] for r in rows), rows
    pids = [r["pid"] for r in rows]

    down = _pedidos("stack", "down", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert [pid for pid in pids if process_alive(pid)] == []  # exited (a zombie awaiting its reaper is gone)
    assert processes_mentioning(str(state)) == []
    assert list((state / "run").glob("*.pid")) == []
    after = _pedidos("stack", "status", "--json", env=env)
    assert after.returncode == 1 and all(r["pid"] is None for r in json.loads(after.stdout))
