"""Alerts for the dashboard: Alertmanager's webhook receiver and the list the header shows (telemetry/API.md
`alerts`, docs/alerts.md for how an alert gets here)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from prometheus_client import Counter

from gateway.errors import ApiError
from gateway.observability.alert_payload import STATUSES, InvalidPayload, parse_webhook
from gateway.observability.alert_store import list_alerts, save_alerts

RECEIVED = Counter(
    "pedidos_gateway_alerts_received_total",
    "Alerts received from Alertmanager's webhook, by status (firing, resolved); a repeat counts again",
    ["status"],
)
for _status in STATUSES:  # both series from the start: rate() then sees the first alert of each
    RECEIVED.labels(_status)

bp = Blueprint("alerts", __name__, url_prefix="/api/alerts")
log = logging.getLogger("pedidos.gateway.alerts")


@bp.post("/webhook")
def webhook():
    try:
        alerts = parse_webhook(request.get_json(silent=True))
    except InvalidPayload as error:
        raise ApiError(400, "payload de alerta inválido / invalid alert payload", error.fields) from error
    with current_app.extensions["db_pool"].connection() as conn:
        save_alerts(conn, alerts)
    for alert in alerts:
        RECEIVED.labels(alert.status).inc()
        service = alert.labels.get("service")
        log.info("alert received", extra={"alert": alert.name, "status": alert.status, "service": service})
    return jsonify({"stored": len(alerts)})


@bp.get("")
def alerts():
    with current_app.extensions["db_pool"].connection() as conn:
        return jsonify(list_alerts(conn))
