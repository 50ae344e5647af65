"""The Observability API against a fake Prometheus (httpx.get replaced): validation, 503, shaped series."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.errors import init_errors
from gateway.observability import api
from gateway.observability.panels import BY_ID, PANELS

PROMETHEUS = "http://prometheus.test:9"


class FakePrometheus:
    def __init__(self, result: list[dict[str, Any]] | None = None, status: int = 200) -> None:
        self.result, self.status = result or [], status
        self.calls: list[dict[str, str]] = []

    def get(self, url: str, params: dict[str, str], timeout: float) -> httpx.Response:
        assert url == f"{PROMETHEUS}/api/v1/query_range" and timeout <= 5
        self.calls.append(params)
        if self.status != 200:
            return httpx.Response(self.status, json={"status": "error", "error": "parse error at char 3"})
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "matrix", "result": self.result}}
        )


@pytest.fixture
def client() -> FlaskClient:
    app = Flask(__name__)
    app.config.update(RETRY_AFTER_S=1, PROMETHEUS_URL=PROMETHEUS)
    init_errors(app)
    app.register_blueprint(api.bp)
    return app.test_client()


def use(monkeypatch: pytest.MonkeyPatch, fake: Any) -> None:
    monkeypatch.setattr(api.httpx, "get", fake)


def test_panels_lists_every_definition_with_its_promql(client):
    body = client.get("/api/observability/panels").get_json()
    assert [p["id"] for p in body["panels"]] == [p.id for p in PANELS]
    lag = next(p for p in body["panels"] if p["id"] == "lag_records")
    assert lag["per_service"] is True and "$service" in lag["queries"][0]["expr"]
    assert lag["title"] == {"pt": "Lag por grupo (registros)", "en": "Lag per group (records)"}
    assert body["ranges"] == ["15m", "1h", "6h"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ("panel=nope&range=15m", "panel"),
        ("panel=lag_records&range=2d", "range"),
        ("panel=lag_records&range=15m&service=gateway", "service"),
        ("range=15m", "panel"),
    ],
)
def test_an_unknown_panel_range_or_service_is_a_400_naming_the_field(client, monkeypatch, args, field):
    fake = FakePrometheus()
    use(monkeypatch, fake.get)
    response = client.get(f"/api/observability/query?{args}")
    assert response.status_code == 400
    assert [f["field"] for f in response.get_json()["fields"]] == [field]
    assert fake.calls == []  # nothing reaches Prometheus


def test_arbitrary_promql_is_never_forwarded(client, monkeypatch):
    fake = FakePrometheus()
    use(monkeypatch, fake.get)
    client.get("/api/observability/query?panel=lag_records&range=15m&query=up&expr=up")
    assert [c["query"] for c in fake.calls] == BY_ID["lag_records"].exprs()


def test_prometheus_down_is_a_503_that_says_how_to_start_it(client, monkeypatch):
    def refuse(url: str, params: dict[str, str], timeout: float) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    use(monkeypatch, refuse)
    response = client.get("/api/observability/query?panel=transactions&range=1h")
    assert response.status_code == 503
    body = response.get_json()
    assert PROMETHEUS in body["error"] and "not reachable" in body["error"]
    assert body["prometheus_url"] == PROMETHEUS
    assert body["hint"] == "pedidos stack up" and "ConnectError" in body["reason"]


def test_a_query_prometheus_refuses_is_a_502_with_the_expression(client, monkeypatch):
    use(monkeypatch, FakePrometheus(status=400).get)
    response = client.get("/api/observability/query?panel=success_rate&range=15m")
    assert response.status_code == 502
    assert response.get_json()["reason"] == "parse error at char 3"


def test_series_are_shaped_for_the_chart(client, monkeypatch):
    fake = FakePrometheus(
        [
            {
                "metric": {"processor": "payment", "class": "abortable"},
                "values": [[1700000000, "0.5"], [1700000015.5, "NaN"]],
            },
            {"metric": {"processor": "inventory"}, "values": [[1700000000, "+Inf"]]},
        ]
    )
    use(monkeypatch, fake.get)
    body = client.get("/api/observability/query?panel=error_rate&range=1h&service=payment").get_json()
    assert body["panel"] == "error_rate" and body["service"] == "payment" and body["step_s"] == 30
    first, second = body["series"]
    assert first["legend"] == {"pt": "payment abortable", "en": "payment abortable"}
    assert first["points"] == [[1700000000000, 0.5], [1700000015500, None]]
    assert second["legend"]["pt"] == "inventory" and second["points"] == [[1700000000000, None]]
    (call,) = fake.calls
    assert 'processor=~"payment"' in call["query"] and call["step"] == "30"
    assert float(call["end"]) - float(call["start"]) == pytest.approx(3600)
    assert body["end_ms"] - body["start_ms"] == pytest.approx(3600 * 1000, abs=2)


def test_each_query_of_a_panel_is_one_group_of_series_and_a_service_only_applies_where_it_can(
    client, monkeypatch
):
    fake = FakePrometheus([{"metric": {"outcome": "confirmed"}, "values": [[1, "2"]]}])
    use(monkeypatch, fake.get)
    body = client.get("/api/observability/query?panel=orders_per_minute&range=6h&service=payment").get_json()
    assert body["service"] is None  # orders are not per processor
    assert [s["query"] for s in body["series"]] == [0, 1]
    assert [s["legend"]["en"] for s in body["series"]] == ["accepted", "confirmed"]  # no label -> fixed text
    assert [c["step"] for c in fake.calls] == ["120", "120"]
    assert all("$service" not in c["query"] for c in fake.calls)
