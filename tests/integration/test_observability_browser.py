"""The Observability tab in Chromium: the panels drawn from a real Prometheus, and what the tab says when
Prometheus does not answer. Screenshots under .state/test/test-artifacts/screenshots/ like every browser test.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from gateway.observability.panels import PANELS
from tests.integration import test_dashboard_browser as dashboard
from tests.integration.e2e import running_processors
from tests.integration.servers import serving_gateway
from tools.stack.procs import free_port
from tools.traffic import TrafficResult, send_orders

pytestmark = pytest.mark.slow  # a Chromium and the processors
# The dashboard's browser tests' fixtures: the same Chromium set-up, viewport and screenshot folder.
browser, page, shots = dashboard.browser, dashboard.page, dashboard.shots

# Prometheus scrapes every 5 s and rate() needs two samples in its 1 m window: a few scrapes after the
# first records, the panels have points.
DATA_TIMEOUT_MS = 120_000
ORDERS_PER_S = 2


@contextlib.contextmanager
def placing_orders(url: str) -> Iterator[Future[TrafficResult]]:
    """Orders at ORDERS_PER_S all along (the traffic generator's): a counter's first increments before
    Prometheus' first scrape of it are invisible to rate(), so a burst at the start would draw flat lines."""
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        sending = pool.submit(send_orders, url, None, ORDERS_PER_S, stop=stop.is_set)
        try:
            yield sending
        finally:
            stop.set()


def test_the_observability_tab_says_how_to_start_prometheus_when_it_does_not_answer(page: Page, shots):
    dead = f"http://127.0.0.1:{free_port()}"
    with serving_gateway(config={"PROMETHEUS_URL": dead}) as url:
        page.goto(f"{url}/#observability")
        unreachable = page.get_by_test_id("obs-unreachable")
        expect(unreachable).to_contain_text(f"O Prometheus não responde em {dead}.")
        expect(unreachable.get_by_test_id("report-command")).to_have_text("pedidos stack up")
        expect(page.get_by_test_id("obs-panel")).to_have_count(len(PANELS))  # the definitions still come
        page.screenshot(path=shots / "observabilidade-sem-prometheus.png", full_page=True)


def test_the_observability_tab_draws_its_panels_from_prometheus(settings, page: Page, shots, tmp_path):
    started_ms = time.time() * 1000
    with (
        running_processors(settings, tmp_path),
        serving_gateway(settings.gateway_port) as url,
        placing_orders(url) as placed,
    ):
        page.goto(f"{url}/#observability")
        expect(page.get_by_test_id("obs-panel")).to_have_count(len(PANELS))
        flowing = page.locator('[data-testid="obs-panel"][data-panel-id="records_per_processor"]')
        expect(flowing).not_to_have_attribute("data-series", "0", timeout=DATA_TIMEOUT_MS)
        expect(flowing.locator(".recharts-line")).not_to_have_count(0)
        expect(page.get_by_test_id("obs-unreachable")).to_have_count(0)

        page.get_by_test_id("obs-service").select_option("payment")
        flowing.get_by_test_id("obs-explain").locator("summary").click()
        expect(flowing.get_by_test_id("obs-promql").first).to_contain_text('processor=~"payment"')
        expect(flowing).to_have_attribute("data-series", "2")  # payment's records in and out, nobody else's

        page.get_by_test_id("obs-range-1h").click()
        expect(page.get_by_test_id("obs-range-1h")).to_have_attribute("aria-pressed", "true")
        page.get_by_test_id("obs-service").select_option("")
        page.get_by_test_id("obs-range-15m").click()
        # every processor back (4 read, 3 write: notification only reads), as lines of a few points, half a
        # minute of them from this test's processors (Prometheus may keep earlier runs' samples)
        page.wait_for_function(
            "since => { const d = document.querySelector('[data-panel-id=records_per_processor]').dataset;"
            " return Number(d.series) >= 5 && Number(d.points) >= 4 && Number(d.latest) > since; }",
            arg=started_ms + 30_000,
            timeout=DATA_TIMEOUT_MS,
        )
        page.screenshot(path=shots / "observabilidade.png", full_page=True)
        page.get_by_role("button", name="English").click()
        expect(flowing.get_by_role("heading")).to_have_text("Records in and out per processor")
        page.get_by_role("button", name="Português").click()
    result = placed.result()
    # The orders only feed the charts: one the generator's 10 s timeout gave up on (a fresh in-process
    # gateway's first send waits for the registry and the broker) changes nothing here.
    assert len(result.accepted) >= 10 and not result.rejected, (result.rejected, result.failed)
