"""The Observability tab's HTTP API: the panel definitions and each panel's data from Prometheus.

The browser names a panel, a range and maybe a service; the gateway builds the PromQL from
``panels.py`` and asks Prometheus' ``/api/v1/query_range``. Arbitrary PromQL from a client is never run: a
public dashboard would otherwise be a free query engine over every series Prometheus holds.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import httpx
from flask import Blueprint, current_app, jsonify, request

from gateway.errors import ApiError
from gateway.observability.panels import ALL_SERVICES, BY_ID, PANELS, SERVICES, Panel, Query
from processors.settings import get_settings

bp = Blueprint("observability", __name__, url_prefix="/api/observability")

# range -> (seconds, step seconds): about 60-180 points per series, never finer than the 5 s scrape.
RANGES = {"15m": (15 * 60, 15), "1h": (3600, 30), "6h": (6 * 3600, 120)}
LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")
TIMEOUT_S = 3.0  # a tab refreshes every ~10 s: a slow Prometheus must not pile requests up in the gateway


@bp.record_once
def _configure(state: Any) -> None:
    state.app.config.setdefault("PROMETHEUS_URL", get_settings().prometheus_url)


class PrometheusUnavailable(Exception):
    pass


@bp.get("/panels")
def panels():
    return jsonify(
        {"panels": [describe(panel) for panel in PANELS], "services": SERVICES, "ranges": list(RANGES)}
    )


@bp.get("/query")
def query():
    panel_id, range_name = request.args.get("panel", ""), request.args.get("range", "15m")
    service = request.args.get("service") or None
    problems = []
    if panel_id not in BY_ID:
        problems.append({"field": "panel", "reason": f"painel desconhecido / unknown panel: {panel_id!r}"})
    if range_name not in RANGES:
        problems.append({"field": "range", "reason": f"use / use one of {', '.join(RANGES)}"})
    if service is not None and service not in SERVICES:
        problems.append({"field": "service", "reason": f"use / use one of {', '.join(SERVICES)}"})
    if problems:
        raise ApiError(400, "consulta inválida / invalid query", problems)
    panel = BY_ID[panel_id]
    applied = service if panel.per_service else None
    seconds, step = RANGES[range_name]
    end = time.time()
    url = current_app.config["PROMETHEUS_URL"]
    try:
        series = [
            shaped
            for index, (q, expr) in enumerate(
                zip(panel.queries, panel.exprs(applied or ALL_SERVICES), strict=True)
            )
            for shaped in shape(index, q, query_range(url, expr, end - seconds, end, step))
        ]
    except PrometheusUnavailable as error:
        raise ApiError(
            503,
            f"o Prometheus não responde em {url} / Prometheus is not reachable at {url}",
            reason=str(error),
            prometheus_url=url,
            hint="pedidos stack up",
        ) from error
    return jsonify(
        {
            "panel": panel.id,
            "range": range_name,
            "service": applied,
            "step_s": step,
            # the chart's time axis is the whole range, even where Prometheus has no sample yet
            "start_ms": round((end - seconds) * 1000),
            "end_ms": round(end * 1000),
            "series": series,
        }
    )


def describe(panel: Panel) -> dict[str, Any]:
    return {
        "id": panel.id,
        "title": panel.title._asdict(),
        "unit": panel.unit,
        "kind": panel.kind,
        "per_service": panel.per_service,
        "queries": [{"expr": q.expr, "legend": q.legend._asdict()} for q in panel.queries],
        "explain": panel.explain._asdict(),
    }


def query_range(url: str, expr: str, start: float, end: float, step: int) -> list[dict[str, Any]]:
    """Prometheus' matrix result: ``[{"metric": {...}, "values": [[t, "v"], ...]}, ...]``."""
    params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)}
    try:
        response = httpx.get(f"{url}/api/v1/query_range", params=params, timeout=TIMEOUT_S)
    except httpx.HTTPError as error:
        raise PrometheusUnavailable(f"{type(error).__name__}: {error}") from error
    try:
        body = response.json()
    except ValueError:
        body = {}
    if body.get("status") != "success":
        # A 4xx from Prometheus is a panel's PromQL that does not parse: our bug, reported as a bad gateway.
        raise ApiError(
            502,
            "o Prometheus recusou a consulta / Prometheus refused the query",
            reason=str(body.get("error") or f"HTTP {response.status_code}"),
            expr=expr,
        )
    return body["data"]["result"]


def shape(index: int, query: Query, result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One series per Prometheus series: its legend in both languages and ``[epoch ms, value|None]`` points
    (NaN and ±Inf, e.g. a quantile of an empty histogram, become gaps in the chart)."""
    return [
        {
            "query": index,
            "labels": item["metric"],
            "legend": {lang: legend(fmt, item["metric"]) for lang, fmt in query.legend._asdict().items()},
            "points": [[round(float(t) * 1000), finite(v)] for t, v in item["values"]],
        }
        for item in result
    ]


def legend(fmt: str, labels: dict[str, str]) -> str:
    """Grafana's legend format: ``{{label}}`` is the label's value, empty when the series lacks it."""
    return LEGEND_LABEL.sub(lambda m: labels.get(m[1], ""), fmt).strip()


def finite(value: str) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
