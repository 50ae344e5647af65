"""Alertmanager's webhook on a real gateway and database: an alert fires, repeats, resolves, and
`GET /api/alerts` shows it active, then among the recent ones; the dashboard's header shows it in Chromium
(docs/alerts.md)."""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.alert_payloads import alert, webhook
from tests.integration.servers import serving_gateway


def rfc3339(moment: datetime) -> str:
    """Like Go: nanoseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "417Z"


def ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


def received(url: str, status: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    match = re.search(rf'^pedidos_gateway_alerts_received_total{{status="{status}"}} (\S+)$', text, re.M)
    assert match, "pedidos_gateway_alerts_received_total missing from /metrics"
    return float(match[1])


def listed(url: str, fingerprints: set[str]) -> dict[str, list[dict]]:
    response = httpx.get(f"{url}/api/alerts")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"active", "recent"}
    return {kind: [a for a in alerts if a["fingerprint"] in fingerprints] for kind, alerts in body.items()}


def test_an_alert_fires_repeats_and_resolves_through_the_webhook():
    fingerprint = uuid.uuid4().hex[:16]
    started = datetime.now(UTC) - timedelta(seconds=40)
    firing = alert(fingerprint=fingerprint, starts_at=rfc3339(started))
    resolved = {**firing, "status": "resolved", "endsAt": rfc3339(started + timedelta(seconds=35))}
    with serving_gateway() as url:
        firing_before, resolved_before = received(url, "firing"), received(url, "resolved")
        for _ in range(2):  # Alertmanager repeats a firing alert: still one alert
            response = httpx.post(f"{url}/api/alerts/webhook", json=webhook(firing))
            assert response.status_code == 200 and response.json() == {"stored": 1}
        while_firing = listed(url, {fingerprint})
        assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(resolved)).status_code == 200
        # a firing repeat that was retried and arrives after the resolution does not bring it back
        assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(firing)).status_code == 200
        after = listed(url, {fingerprint})
        counted = received(url, "firing") - firing_before, received(url, "resolved") - resolved_before

    [active] = while_firing["active"]
    assert while_firing["recent"] == []
    assert (active["name"], active["status"], active["severity"], active["service"]) == (
        "PedidosServiceDown",
        "firing",
        "page",
        "payment",
    )
    assert active["labels"]["instance"] == "payment-0" and active["annotations"]["summary_pt"] == (
        "payment-0 fora do ar"
    )
    assert active["starts_at"] == ms(started) and active["ends_at"] is None
    assert abs(active["received_at"] / 1000 - datetime.now(UTC).timestamp()) < 60

    assert after["active"] == []
    [recent] = after["recent"]
    assert recent["status"] == "resolved" and recent["ends_at"] == ms(started) + 35_000
    assert counted == (3, 1)


def test_recent_alerts_come_newest_first_and_old_ones_drop_out():
    now = datetime.now(UTC)
    ends = {
        "older": now - timedelta(minutes=10),
        "newer": now - timedelta(minutes=1),
        "old": now - timedelta(hours=2),
    }
    fingerprints = {name: uuid.uuid4().hex[:16] for name in ends}
    alerts = [
        alert(
            "resolved",
            fingerprint=fingerprints[name],
            starts_at=rfc3339(end - timedelta(minutes=1)),
            ends_at=rfc3339(end),
        )
        for name, end in ends.items()
    ]
    with serving_gateway() as url:
        assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(*alerts)).json() == {"stored": 3}
        recent = listed(url, set(fingerprints.values()))["recent"]
    assert [a["fingerprint"] for a in recent] == [fingerprints["newer"], fingerprints["older"]]


def test_a_new_episode_ends_one_whose_resolution_never_arrived():
    fingerprint = uuid.uuid4().hex[:16]
    first, second = datetime.now(UTC) - timedelta(minutes=5), datetime.now(UTC) - timedelta(seconds=10)
    with serving_gateway() as url:
        for started in (first, second):
            episode = alert(fingerprint=fingerprint, starts_at=rfc3339(started))
            assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(episode)).status_code == 200
        found = listed(url, {fingerprint})
        ended = {**episode, "status": "resolved", "endsAt": rfc3339(datetime.now(UTC))}
        httpx.post(f"{url}/api/alerts/webhook", json=webhook(ended))  # no firing alert left for other tests
    assert [a["starts_at"] for a in found["active"]] == [ms(second)]
    assert [a["ends_at"] for a in found["recent"]] == [ms(second)]


def test_a_bad_payload_is_refused_with_the_field_and_stores_nothing():
    fingerprint = uuid.uuid4().hex[:16]
    bad = alert(status="pending", fingerprint=fingerprint)
    with serving_gateway() as url:
        response = httpx.post(f"{url}/api/alerts/webhook", json=webhook(alert(fingerprint=fingerprint), bad))
        not_json = httpx.post(
            f"{url}/api/alerts/webhook", content=b"firing", headers={"Content-Type": "text/plain"}
        )
        found = listed(url, {fingerprint})
    assert response.status_code == 400
    assert response.json()["fields"] == [{"field": "alerts[1].status", "reason": "firing ou/or resolved"}]
    assert not_json.status_code == 400 and not_json.json()["fields"][0]["field"] == "body"
    assert found == {"active": [], "recent": []}


@pytest.mark.slow  # a Chromium
def test_the_header_shows_the_alert_on_every_tab_and_greys_it_once_resolved(settings):
    fingerprint = uuid.uuid4().hex[:16]
    summary = f"teste {fingerprint} fora do ar"
    firing = alert(fingerprint=fingerprint, starts_at=rfc3339(datetime.now(UTC) - timedelta(seconds=20)))
    firing["annotations"]["summary_pt"] = summary
    resolved = {**firing, "status": "resolved", "endsAt": rfc3339(datetime.now(UTC))}
    shots = settings.state_dir / "test-artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: `make setup` installs it"
    with serving_gateway() as url, sync_playwright() as playwright:
        assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(firing)).status_code == 200
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            for tab in ("flow", "dlq", "results"):
                page.get_by_test_id(f"tab-{tab}").click()
                expect(page.get_by_test_id("alerts-badge")).to_have_class(re.compile(r"\balerts-page\b"))
            page.get_by_test_id("alerts-badge").click()
            mine = page.get_by_test_id("alert-item").filter(has_text=summary)
            expect(mine).to_contain_text("PedidosServiceDown")
            expect(mine).to_contain_text("payment")
            expect(mine).not_to_have_class(re.compile(r"\balert-resolved\b"))
            page.screenshot(path=shots / "alerts-header.png")
            assert httpx.post(f"{url}/api/alerts/webhook", json=webhook(resolved)).status_code == 200
            # the header polls every 5 s
            expect(mine).to_have_class(re.compile(r"\balert-resolved\b"), timeout=15_000)
            page.screenshot(path=shots / "alerts-header-resolved.png")
        finally:
            browser.close()
