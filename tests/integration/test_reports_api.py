"""`GET /api/reports` and `GET /api/reports/<kind>.png` on a real gateway, over a throwaway reports dir."""

from __future__ import annotations

import json

import httpx

from tests.integration.reports_helpers import publish_kill, publish_telemetry, reports_in
from tests.integration.servers import serving_gateway

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_gateway_lists_the_reports_and_serves_their_charts(tmp_path):
    publish_telemetry(tmp_path)
    publish_kill(tmp_path)
    (tmp_path / "load-1000.json").write_text(json.dumps({"orders": 1000}))  # an older tool's file
    with reports_in(tmp_path), serving_gateway() as url:
        listed = httpx.get(f"{url}/api/reports").json()["reports"]
        chart = httpx.get(f"{url}/api/reports/bench-telemetry.png")
        no_chart = httpx.get(f"{url}/api/reports/chaos-kill.png")
        bad = httpx.get(f"{url}/api/reports/Bench_Telemetry.png")
        traversal = httpx.get(f"{url}/api/reports/..%2F..%2Fpyproject.png")
        dotted = httpx.get(f"{url}/api/reports/...png")

    assert sorted(r["kind"] for r in listed) == ["bench-telemetry", "chaos-kill"]
    telemetry = next(r for r in listed if r["kind"] == "bench-telemetry")
    assert telemetry["has_chart"] is True and telemetry["title"]["en"].startswith("Dashboard fan-out")
    assert telemetry["command"] == "pedidos bench telemetry --clients 3 --rate 200"
    assert telemetry["table"]["rows"][0] == ["clientes WebSocket / WebSocket clients", 3]
    assert telemetry["conclusion"]["pt"].startswith("O cliente mais lento recebeu 100.0%")
    assert "data" not in telemetry
    assert next(r for r in listed if r["kind"] == "chaos-kill")["has_chart"] is False

    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content[:8] == PNG and chart.content == (tmp_path / "bench-telemetry.png").read_bytes()
    assert {"no-cache", "max-age=0"} <= {d.strip() for d in chart.headers["cache-control"].split(",")}
    assert no_chart.status_code == 404 and "chaos-kill" in no_chart.json()["error"]
    assert bad.status_code == 400 and bad.json()["fields"][0]["field"] == "kind"
    for refused in (traversal, dotted):
        assert refused.status_code in (400, 404) and "error" in refused.json()


def test_no_reports_yet_is_an_empty_list(tmp_path):
    with reports_in(tmp_path / "not-created"), serving_gateway() as url:
        response = httpx.get(f"{url}/api/reports")
    assert response.status_code == 200 and response.json() == {"reports": []}
