"""The kill demo's alert: Prometheus sees the victim's /metrics go silent, `PedidosServiceDown` fires through
Alertmanager to the gateway (the dashboard's header shows it), and clears once the victim is back.

The demo runs without `make run`'s services, so it serves the dashboard's gateway itself while it runs: the
gateway is where Alertmanager's webhook lands and what the class has open in the browser.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from gateway.observability.alert_store import list_alerts
from processors.settings import Settings
from tools.stack.alertmanager import Alertmanager
from tools.stack.managed import http_ok
from tools.stack.procs import Child, wait_until
from tools.stack.prometheus import Prometheus

ALERT = "PedidosServiceDown"
# for: (30 s by default), plus a scrape and an evaluation interval, plus Alertmanager's group wait: a minute
# and a half is generous; a class that set PEDIDOS_ALERT_FOR=10s sees it in about 20 s.
ALERT_TIMEOUT_S = 150.0


def monitoring_running(settings: Settings) -> bool:
    return Prometheus(settings).healthy() and Alertmanager(settings).healthy()


def _gateway_answers(settings: Settings) -> bool:
    return http_ok(f"http://{settings.host}:{settings.gateway_port}/health")


@contextlib.contextmanager
def dashboard_gateway(settings: Settings, log_dir: Path) -> Iterator[str]:
    """The gateway on its own port for the demo's duration (unless one answers already); yields its URL."""
    url = f"http://{settings.host}:{settings.gateway_port}"
    if _gateway_answers(settings):
        yield url
        return
    child = Child([sys.executable, "-m", "tools.cli", "gateway"], log_dir / "gateway.log")
    child.start()
    try:
        wait_until(
            lambda: _gateway_answers(settings),
            timeout_s=60,
            what="gateway",
            log=log_dir / "gateway.log",
            alive=lambda: child.exit_code() is None,
        )
        yield url
    finally:
        child.stop()


@dataclass(frozen=True)
class AlertEpisode:
    fingerprint: str
    starts_at_ms: int


def _episodes(settings: Settings, instance: str, status: str, since_ms: float) -> list[AlertEpisode]:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        listed = list_alerts(conn)
    rows = listed["active" if status == "firing" else "recent"]
    return [
        AlertEpisode(row["fingerprint"], row["starts_at"])
        for row in rows
        if row["name"] == ALERT and row["labels"].get("instance") == instance and row["starts_at"] >= since_ms
    ]


def wait_fired(settings: Settings, instance: str, died_at_ms: float) -> AlertEpisode:
    """The episode of ``instance`` that began after its death, once the gateway has received it firing."""
    # Prometheus dates an alert from the first evaluation that saw the target down: never before the death,
    # but up to a scrape interval earlier than our clock's reading of it.
    since_ms = died_at_ms - settings.prometheus_scrape_interval_s * 1000
    return wait_until(
        lambda: next(iter(_episodes(settings, instance, "firing", since_ms)), None),
        timeout_s=ALERT_TIMEOUT_S,
        what=f"{ALERT} for {instance} at the gateway",
        interval_s=0.5,
    )


def wait_resolved(settings: Settings, instance: str, episode: AlertEpisode) -> None:
    wait_until(
        lambda: episode in _episodes(settings, instance, "resolved", episode.starts_at_ms),
        timeout_s=ALERT_TIMEOUT_S,
        what=f"{ALERT} for {instance} resolved at the gateway",
        interval_s=0.5,
    )


def now_ms() -> float:
    return time.time() * 1000
