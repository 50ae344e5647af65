"""A throwaway reports directory for the gateway (and `tools.reports`), filled the way the commands do."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.integration.environment import settings_env
from tests.report_fixtures import kill_result
from tools.bench.telemetry_report import telemetry_report
from tools.chaos.kill_report import kill_report
from tools.load.report import latency_ms, load_report, per_second
from tools.reports import Report, publish


@contextlib.contextmanager
def reports_in(directory: Path) -> Iterator[Path]:
    """PEDIDOS_REPORTS_DIR for everything that asks get_settings() inside the block (the cached Settings is
    dropped on the way in and out, so the rest of the session sees the real directory again)."""
    with settings_env(PEDIDOS_REPORTS_DIR=str(directory)):
        yield directory


def publish_as(report: Report, directory: Path, argv: list[str]) -> Path:
    """Publish as if `argv` had been typed: the report records the command line that made it."""
    saved = sys.argv
    sys.argv = argv
    try:
        return publish(report, directory, echo=lambda _line: None)
    finally:
        sys.argv = saved


TELEMETRY_ARGV = ["pedidos", "bench", "telemetry", "--clients", "3", "--rate", "200"]
LOAD_ARGV = ["pedidos", "load", "--rate", "20", "--duration", "10", "--slo", "p99_ms=2000"]
KILL_ARGV = ["pedidos", "chaos", "kill", "--processor", "payment", "--at", "after-produce"]


def publish_telemetry(directory: Path) -> Path:
    """A fan-out result shaped like `run_bench`'s (fixture figures, not a measurement)."""
    data = {
        "clients": 3,
        "rate_per_s": 200.0,
        "seconds": 3.0,
        "events_sent": 600,
        "events_per_s_sent": 199.8,
        "events_received_per_client": [600, 600, 600],
        "events_per_s_per_client": [199.8, 199.8, 199.8],
        "events_per_s_all_clients": 599.4,
        "commit_to_client_ms": {"p50": 84.6, "p99": 185.6},
        "commit_to_client_ms_per_client": [{"p50": 84.1, "p99": 185.0}] * 3,
        "dropped_per_client": [0, 0, 0],
        "dropped_total": 0,
    }
    return publish_as(telemetry_report(data), directory, TELEMETRY_ARGV)


def publish_kill(directory: Path) -> Path:
    """A kill-demo result (fixture figures); it has no chart."""
    return publish_as(kill_report(kill_result()), directory, KILL_ARGV)


def publish_load(directory: Path) -> Path:
    """A load result shaped like `pedidos load`'s (fixture figures: 200 orders at 20/s, 4 refused)."""
    accepted = [n for n in range(200) if n % 50 != 7]
    accept_s = [0.008 + (0.3 if 80 <= n < 100 else 0.0) + (n % 7) / 1000 for n in accepted]
    data = {
        "orders": 200,
        "rate_per_s": 20.0,
        "duration_s": 10.0,
        "seconds": 12.6,
        "accepted": len(accepted),
        "rejected": {"503": 200 - len(accepted)},
        "no_answer": 0,
        "outcomes": {"orders.confirmed": len(accepted) - 17, "orders.cancelled": 17},
        "accept_latency_ms": latency_ms(accept_s),
        "checkout_to_terminal_ms": latency_ms([0.35 + (n % 40) / 50 for n in accepted]),
        "processors": {},
        "audit_ok": True,
        "audit": {},
        "per_second": per_second(200, 20.0, [n / 20 for n in accepted], accept_s),
        "slo": {"objectives": {"p99_ms": 2000.0}, "failures": []},
    }
    return publish_as(load_report(data), directory, LOAD_ARGV)
