"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against the real stack.

Every test saves a screenshot of the panel it looked at under .state/test/test-artifacts/screenshots/
(the test state dir, see tests/conftest.py).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from gateway.telemetry.xray import read_xray
from tests.integration.e2e import projecting, running_processors
from tests.integration.reports_helpers import publish_kill, publish_load, publish_telemetry, reports_in
from tests.integration.servers import serving_gateway
from tools.chaos.faultlog import FaultLog
from tools.chaos.kill import run_kill
from tools.seed import run_seed
from tools.stack.procs import free_port

pytestmark = pytest.mark.slow  # a Chromium, a kill and a drill: a few minutes

TIMEOUT_MS = 90_000
expect.set_options(timeout=20_000)  # a loaded 2-core CI machine: wait for conditions, generously
CONNECTED = re.compile(r"\bconn-open\b")


@pytest.fixture(scope="module")
def shots(settings) -> Path:
    path = settings.state_dir / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(settings) -> Iterator[Browser]:
    run_seed(settings, products=50, customers=200, stock=1000)
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: `make setup` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="pt-BR")
    the_page = context.new_page()
    the_page.set_default_timeout(TIMEOUT_MS)
    yield the_page
    context.close()


def test_an_order_placed_in_the_form_shows_its_timeline_to_the_end(settings, page, shots, tmp_path):
    env = {"PEDIDOS_PAYMENT_FAILURE_PROBABILITY": "0"}
    with projecting(settings), running_processors(settings, tmp_path, env=env), serving_gateway() as url:
        page.goto(f"{url}/#controls")
        page.get_by_test_id("checkout-customer").select_option(index=1)
        page.get_by_test_id("checkout-product-0").select_option(index=1)
        page.get_by_test_id("checkout-quantity-0").fill("1")
        page.screenshot(path=shots / "controles.png", full_page=True)
        page.get_by_test_id("checkout-submit").click()
        expect(page.get_by_test_id("placed-order-id")).not_to_be_empty()
        order_id = page.get_by_test_id("placed-order-id").inner_text().strip()
        page.get_by_role("button", name="ver linha do tempo").click()
        terminal = page.locator(
            '[data-testid="timeline-event"][data-event-type="OrderConfirmed"], '
            '[data-testid="timeline-event"][data-event-type="OrderCancelled"]'
        )
        # The projector may first catch up with every earlier test's events: a generous deadline.
        expect(terminal.first).to_be_visible(timeout=TIMEOUT_MS)
        assert page.locator('[data-testid="timeline-event"][data-event-type="OrderPlaced"]').count() == 1
        # Each step told from the dashboard's catalogue, pt-BR first, English after the toggle.
        paid = page.locator('[data-testid="timeline-event"][data-event-type="PaymentConfirmed"] .narration')
        expect(paid).to_have_text(re.compile(r"^Pagamento aprovado em \d+ ms\.$"))
        page.get_by_role("button", name="English").click()
        expect(paid).to_have_text(re.compile(r"^Payment approved in \d+ ms\.$"))
        page.get_by_role("button", name="Português").click()
        assert order_id
        page.screenshot(path=shots / "pedidos.png", full_page=True)
        for tab in ("flow", "indicators"):
            page.get_by_test_id(f"tab-{tab}").click()
            page.screenshot(path=shots / f"{tab}.png", full_page=True)


def test_partitions_and_lag_populate_inside_kafka(page, shots):
    with serving_gateway() as url:
        page.goto(f"{url}/#kafka")
        expect(page.get_by_test_id("partition-strip").first).to_be_visible()
        expect(page.get_by_test_id("lag-row").first).to_be_visible()
        expect(page.get_by_test_id("processor-row").first).to_be_visible()
        assert page.get_by_test_id("partition-strip").count() >= 6  # orders.new has six partitions
        page.screenshot(path=shots / "kafka.png", full_page=True)


def test_the_xray_shows_the_aborted_records_of_a_crashed_transaction(settings, page, shots):
    log_dir = settings.state_dir / "test-logs" / "xray"
    report, _ = run_kill(settings, "payment", "after-produce", orders=10, rate=10, log_dir=log_dir)
    assert report.exit_code == -9 and report.aborted_records
    topic, partition = _partition_with_aborted_tail(settings, tuple(report.aborted_records))
    with serving_gateway() as url:
        page.goto(f"{url}/#kafka")
        expect(page.get_by_test_id("xray-topic").locator(f'option[value="{topic}"]')).to_have_count(1)
        page.get_by_test_id("xray-topic").select_option(topic)
        page.get_by_test_id("xray-partition").select_option(str(partition))
        page.get_by_test_id("xray-load").click()
        aborted = page.locator('[data-testid="xray-cell"][data-state="aborted"]')
        expect(aborted.first).to_be_visible()
        expect(page.locator('[data-testid="xray-cell"][data-state="committed"]').first).to_be_visible()
        aborted.first.scroll_into_view_if_needed()
        page.screenshot(path=shots / "xray.png", full_page=True)
        page.get_by_test_id("tab-dlq").click()
        page.screenshot(path=shots / "dlq.png", full_page=True)


def test_the_dashboard_reconnects_after_the_gateway_restarts(page, shots):
    port = free_port()
    with serving_gateway(port) as url:
        page.goto(f"{url}/#flow")
        expect(page.get_by_test_id("connection-status")).to_have_class(CONNECTED)
    expect(page.get_by_test_id("disconnected-banner")).to_be_visible()
    page.screenshot(path=shots / "desconectado.png", full_page=True)
    with serving_gateway(port):
        expect(page.get_by_test_id("disconnected-banner")).to_be_hidden()
        expect(page.get_by_test_id("connection-status")).to_have_class(CONNECTED)


def test_the_results_tab_shows_the_latest_reports_and_tells_what_to_run_without_any(page, shots, tmp_path):
    reports, empty = tmp_path / "reports", tmp_path / "empty"
    publish_telemetry(reports)
    publish_kill(reports)
    publish_load(reports)
    with reports_in(reports), serving_gateway() as url:
        page.goto(f"{url}/#results")
        card = page.locator('[data-testid="report-card"][data-kind="bench-telemetry"]')
        expect(card.get_by_role("heading")).to_have_text("Fan-out do painel: 3 clientes a 200 eventos/s")
        expect(card.get_by_test_id("report-command")).to_have_text(
            "pedidos bench telemetry --clients 3 --rate 200"
        )
        expect(card.get_by_test_id("report-table").locator("tbody tr")).to_have_count(9)
        expect(card.get_by_test_id("report-conclusion")).to_contain_text("Nenhum evento descartado")
        chart = card.get_by_test_id("report-chart")
        expect(chart).to_be_visible()
        # the PNG really came through /api/reports/<kind>.png and decoded
        assert chart.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
        kill = page.locator('[data-testid="report-card"][data-kind="chaos-kill"]')
        expect(kill.get_by_test_id("report-chart")).to_have_count(0)
        expect(kill).to_contain_text("não tem gráfico")
        expect(page.get_by_test_id("report-card")).to_have_count(3)
        page.screenshot(path=shots / "resultados.png", full_page=True)

        page.get_by_role("button", name="English").click()
        expect(card.get_by_role("heading")).to_have_text("Dashboard fan-out: 3 clients at 200 events/s")
        page.get_by_role("button", name="Português").click()

        with reports_in(empty):
            page.get_by_test_id("results-refresh").click()
            expect(page.get_by_test_id("results-empty")).to_contain_text("pedidos bench telemetry")
            expect(page.get_by_test_id("report-card")).to_have_count(0)
            page.screenshot(path=shots / "resultados-vazio.png", full_page=True)


def test_a_drill_shows_its_banner_and_marks_its_faults_on_the_lag_chart(settings, page, shots):
    """Fault records as a drill writes them (its own FaultLog) reach an open dashboard: the banner says what
    is broken, the lag chart marks each fault where it happened on its time axis."""
    started = time.monotonic()
    log = FaultLog(
        settings.bootstrap_servers,
        f"teste-painel-{uuid.uuid4().hex[:8]}",
        "teste-painel",
        clock=lambda: time.monotonic() - started,
    )
    banner = page.get_by_test_id("drill-banner")
    chart = page.get_by_test_id("lag-chart")
    markers = chart.locator(".fault-marker")
    with serving_gateway() as url:
        page.goto(f"{url}/#kafka")
        expect(banner).to_be_hidden()
        # The lag history gains a point every 2 s from the gateway's start: some before the drill, so the
        # picture shows the time before the faults too.
        _wait_for_lag_points(page, 6)
        try:
            log.drill_event("drill-started", "teste do painel / dashboard test")
            killed = log.start("sigkill", "inventory-0", "SIGKILL pid 4242")
            log.producer.flush(30)
            expect(markers).to_have_count(1)  # once the chart's time axis reaches the injection
            log.end(killed, "reiniciado / restarted")
            _wait_for_lag_points(page, _lag_points(page) + 2)
            log.start("sigstop", "payment-0", "SIGSTOP pid 4243")
            log.producer.flush(30)
            expect(banner).to_contain_text("Drill em andamento: teste-painel")
            expect(banner.get_by_test_id("drill-fault")).to_have_count(1)
            expect(banner.get_by_test_id("drill-fault")).to_contain_text("payment-0 congelado (SIGSTOP) há")
            expect(markers).to_have_count(2)
            expect(chart.locator(".fault-area")).to_have_count(2)  # the healed span and the ongoing one
            expect(chart.locator(".fault-label").first).to_contain_text("inventory-0 SIGKILL")
            _wait_for_lag_points(page, _lag_points(page) + 3)
            chart.locator("xpath=..").locator("details.explain").evaluate("d => { d.open = true; }")
            page.screenshot(path=shots / "falhas.png")

            page.get_by_role("button", name="English").click()
            expect(banner.get_by_test_id("drill-fault")).to_contain_text("payment-0 frozen (SIGSTOP) for")
            page.get_by_role("button", name="Português").click()
        finally:
            log.drill_event("drill-ended", "auditoria / audit: teste")
            assert log.close() == 0
        expect(banner).to_be_hidden()  # the drill ended: nothing is being broken any more
        expect(markers).to_have_count(2)  # but what happened stays on the chart


def _lag_points(page: Page) -> int:
    return int(page.get_by_test_id("lag-chart").get_attribute("data-points") or 0)


def _wait_for_lag_points(page: Page, n: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=lag-chart]')?.dataset.points) >= n", arg=n
    )


def _partition_with_aborted_tail(settings, topics: tuple[str, ...]) -> tuple[str, int]:
    """A partition whose last 50 offsets (what the x-ray shows by default) hold an aborted record."""
    for topic in topics:
        for partition in range(6):
            body = read_xray(settings.bootstrap_servers, topic, partition, 50)
            if any(r["state"] == "aborted" for r in body["records"]):
                return topic, partition
    raise AssertionError(f"no aborted record in the last 50 offsets of {topics}")
