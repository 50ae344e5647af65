"""`pedidos load` as CI runs it: open-loop load for a few seconds, SLOs checked, the audit run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.e2e import running_processors
from tests.integration.servers import serving_gateway
from tools.saga_harness import wait_assigned
from tools.seed import run_seed
from tools.stack.procs import free_port

pytestmark = pytest.mark.slow  # half a minute: seeded processors under open-loop load, then the audit


def load(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.cli", "load", "--rate", "5", "--duration", "3", *args],
        env={**os.environ, "PEDIDOS_GATEWAY_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=400,
    )


def test_a_short_load_meets_its_slo_and_a_missed_one_fails_the_run(settings, tmp_path):
    run_seed(settings, products=50, customers=200, stock=1000)
    port = free_port()
    report_path, out = tmp_path / "bare.json", tmp_path / "reports"
    with running_processors(settings, tmp_path), serving_gateway(port):
        wait_assigned(settings)
        met = load(port, "--slo", "p99_ms=120000,errors=0", "--json", str(report_path), "--out", str(out))
        missed = load(port, "--slo", "p50_ms=0", "--out", str(tmp_path / "missed"))
    assert met.returncode == 0, met.stdout + met.stderr
    report = json.loads(report_path.read_text())
    assert report["accepted"] == report["orders"] >= 14  # 5/s for 3 s, give or take the schedule's edge
    assert report["audit_ok"] and report["slo"]["failures"] == []
    assert report["checkout_to_terminal_ms"]["p50"] > 0
    assert "enviados / sent" in met.stderr  # progress while sending
    published = json.loads((out / "load.json").read_text())  # the shared report the dashboard lists
    assert published["kind"] == "load" and published["data"] == report
    assert (out / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    per_second = report["per_second"]
    assert sum(per_second["offered"]) == report["orders"]
    assert sum(per_second["accepted"]) == report["accepted"]
    assert all(a <= o for a, o in zip(per_second["accepted"], per_second["offered"], strict=True))
    assert (
        dict(published["table"]["rows"])["checkout -> terminal p50 ms"]
        == report["checkout_to_terminal_ms"]["p50"]
    )
    assert "medida / figure" in met.stdout and "SLO" in met.stdout  # the table, printed
    assert missed.returncode == 1
    assert "SLO violado / missed: p50_ms" in missed.stderr


def test_without_processors_the_load_refuses_clearly(settings):
    result = load(free_port())
    assert result.returncode != 0
    assert "não responde" in result.stderr and "Traceback" not in result.stderr


def test_bad_slo_is_refused_before_any_order_is_sent():
    result = load(free_port(), "--slo", "p99=5")
    assert result.returncode == 2
    assert "--slo" in result.stderr and "name=value" in result.stderr
