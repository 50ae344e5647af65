"""Gateway metrics (docs/conventions.md §1: ``pedidos_`` prefix, base units, no order ids as labels)."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

CHECKOUTS = Counter(
    "pedidos_gateway_checkouts_total",
    "Checkout requests by outcome: accepted, replayed, invalid, conflict, unavailable",
    ["outcome"],
)
ACK_SECONDS = Histogram(
    "pedidos_gateway_broker_ack_seconds",
    "From produce to the broker's acknowledgement (acks=all) of orders.new",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def expose() -> Response:
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
