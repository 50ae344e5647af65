"""The kill demo with its alert (issue 13): the victim's death fires PedidosServiceDown through Prometheus and
Alertmanager to the gateway, the alert clears after the restart, and the audit stays clean."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest

from gateway.observability.alert_store import list_alerts
from processors.settings import Settings
from tests.integration.e2e import assert_audit_clean
from tools.chaos.kill import run_kill
from tools.chaos.kill_alert import ALERT
from tools.seed import run_seed
from tools.stack.prometheus import Prometheus

SHORT_FOR = "5s"  # every alert's `for:`, as `PEDIDOS_ALERT_FOR=5s pedidos stack up` sets it


@pytest.fixture
def short_alerts(settings: Settings) -> Iterator[None]:
    """The rules reloaded with a short `for:` (a config reload keeps Prometheus' history), then restored."""
    short = Prometheus(settings.model_copy(update={"alert_for": SHORT_FOR}))
    short.write_config()
    short.reload()
    yield
    Prometheus(settings).write_config()
    Prometheus(settings).reload()


def test_the_kill_demo_fires_service_down_on_the_dashboard_and_clears_it(settings, short_alerts, tmp_path):
    run_seed(settings, products=50, customers=200, stock=1000)
    report, results = run_kill(
        settings, "payment", "after-produce", orders=20, rate=10, log_dir=tmp_path, alert=True
    )

    assert report.exit_code == -9
    assert_audit_clean(results)
    # for: 5 s plus a scrape and an evaluation interval (5 s each) and Alertmanager's group wait
    assert report.seconds_to_alert is not None and 5 <= report.seconds_to_alert <= 60
    assert report.seconds_to_alert_resolved is not None and report.seconds_to_alert_resolved <= 60
    with psycopg.connect(settings.database_url) as conn:
        recent = list_alerts(conn)["recent"]
    episode = next(a for a in recent if a["name"] == ALERT and a["labels"]["instance"] == "payment-0")
    assert episode["labels"]["service"] == "payment" and episode["severity"] == "page"
    assert episode["annotations"]["summary_pt"] == "payment-0 fora do ar"
    # the demo's own gateway is gone again: it served the dashboard only while the demo ran
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://{settings.host}:{settings.gateway_port}/health", timeout=2)
