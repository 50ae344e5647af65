"""Alertmanager webhook payloads (version 4) shaped like the ones it really sends: nanosecond times, Go's zero
time for a firing alert's endsAt, group and common labels beside the alerts."""

from __future__ import annotations

from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"


def alert(
    status: str = "firing",
    name: str = "PedidosServiceDown",
    fingerprint: str = "4f1c2a9b7e3d5a60",
    starts_at: str = "2026-12-06T05:10:00.123456789Z",
    ends_at: str = ZERO_TIME,
    **labels: str,
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {
            "alertname": name,
            "instance": "payment-0",
            "job": "processors",
            "processor": "payment",
            "service": "payment",
            "severity": "page",
            **labels,
        },
        "annotations": {
            "summary_pt": "payment-0 fora do ar",
            "summary_en": "payment-0 is down",
            "runbook": "docs/alerts.md#pedidosservicedown: pedidos services status; .state/logs/",
        },
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": "http://127.0.0.1:9090/graph?g0.expr=up%7Bjob%21~%22registry%7Cpostgres%22%7D+%3D%3D+0",
        "fingerprint": fingerprint,
    }


def webhook(*alerts: dict[str, Any], group: str = "PedidosServiceDown") -> dict[str, Any]:
    firing = any(a.get("status") == "firing" for a in alerts if isinstance(a, dict))
    return {
        "receiver": "gateway",
        "status": "firing" if firing else "resolved",
        "alerts": list(alerts),
        "groupLabels": {"alertname": group},
        "commonLabels": {"alertname": group},
        "commonAnnotations": {},
        "externalURL": "http://127.0.0.1:9095",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": 0,
    }
