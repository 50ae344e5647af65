"""Checkout intake (``POST /orders``) and the order's story (``GET /orders/<id>``).

POST, in order: headers (correlation id, idempotency key) -> body validated (pydantic, pure) -> catalogue
and customer read from PostgreSQL -> priced (pure) -> key stored -> ``orders.new`` produced -> wait for the
broker's ack -> 202. Anything invalid stops before the key is stored, so it produces nothing. No ack in
time -> 503.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from confluent_kafka.serialization import SerializationError
from flask import Blueprint, current_app, g, jsonify, request

from gateway import metrics, store
from gateway.errors import ApiError, RegistryUnavailable
from gateway.idempotency import Outcome, check_key, decide, order_id_for, request_hash
from gateway.pricing import CURRENCY, CheckoutRequest, InvalidOrder, PricedOrder, parse_checkout, price_order
from gateway.tracing import child_traceparent, correlation_id_from
from processors.events import new_event

TOPIC = "orders.new"
log = logging.getLogger("pedidos.gateway")
bp = Blueprint("checkout", __name__)


@bp.post("/orders")
def place_order():
    try:
        g.correlation_id = correlation_id_from(request.headers.get("X-Correlation-Id"))
        key = check_key(request.headers.get("Idempotency-Key"))
    except InvalidOrder as error:
        raise _bad_request("cabeçalho inválido / invalid header", error) from None
    checkout = parse_checkout(_json_body())
    order = _price(checkout)
    order_id = order_id_for(key)
    if key is None:
        _publish(order, order_id, g.correlation_id)
        return _accepted(order_id, g.correlation_id, replay=False)

    pool = current_app.extensions["db_pool"]
    fingerprint = request_hash(checkout)
    with pool.connection() as conn:
        with conn.transaction():  # stored and committed BEFORE anything is produced
            store.claim_key(conn, key, order_id, fingerprint, g.correlation_id)
        with conn.transaction():  # the row lock serialises concurrent requests with this key
            stored = store.lock_key(conn, key)
            assert stored is not None  # claimed above; keys are never deleted
            g.correlation_id = stored.correlation_id or g.correlation_id
            outcome = decide(stored.request_hash, stored.acknowledged_at is not None, fingerprint)
            if outcome is Outcome.CONFLICT:
                metrics.CHECKOUTS.labels("conflict").inc()
                raise ApiError(
                    422,
                    "esta Idempotency-Key já foi usada com outro pedido / "
                    "this Idempotency-Key was already used for a different request",
                    [{"field": "Idempotency-Key", "reason": "corpo diferente / different body"}],
                )
            if outcome is Outcome.REPLAY:
                log.info(
                    "checkout repetido, mesma resposta / checkout replayed, same answer",
                    extra={"order_id": stored.order_id, "correlation_id": g.correlation_id},
                )
                return _accepted(stored.order_id, g.correlation_id, replay=True)
            _publish(order, stored.order_id, g.correlation_id)
            store.mark_acknowledged(conn, key)
    return _accepted(stored.order_id, g.correlation_id, replay=False)


@bp.get("/orders/<order_id>")
def get_order(order_id: str):
    with current_app.extensions["db_pool"].connection() as conn:
        order = store.find_order(conn, order_id)
        events = store.order_events(conn, order_id) if order else []
        pending = None if order else store.accepted_not_projected(conn, order_id)
    if order is None and pending is None:
        raise ApiError(404, f"pedido {order_id} não encontrado / order {order_id} not found")
    if order is None:  # acknowledged by the broker, not projected yet
        order = {
            "order_id": order_id,
            "status": "accepted",
            "customer_id": None,
            "total_amount": None,
            "correlation_id": pending["correlation_id"],
            "status_changed_at": pending["acknowledged_at"],
            "created_at": pending["created_at"],
            "updated_at": pending["acknowledged_at"],
        }
    body = {**_jsonable(order), "currency": CURRENCY, "events": [_jsonable(event) for event in events]}
    return jsonify(body)


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(cache=False))
    except (ValueError, UnicodeDecodeError) as error:
        metrics.CHECKOUTS.labels("invalid").inc()
        raise ApiError(
            400,
            "o corpo não é JSON válido / the body is not valid JSON",
            [{"field": "body", "reason": str(error)}],
        ) from None


def _price(checkout: CheckoutRequest) -> PricedOrder:
    with current_app.extensions["db_pool"].connection() as conn:
        catalogue = store.load_catalogue(conn, {item.product_id for item in checkout.items})
        customer_known = store.customer_exists(conn, checkout.customer_id)
    return price_order(checkout, catalogue, customer_known=customer_known)


def _publish(order: PricedOrder, order_id: str, correlation_id: str) -> None:
    event = new_event(
        TOPIC,
        order_id=order_id,
        correlation_id=correlation_id,
        causation_id=None,
        producer="gateway",
        customer_id=order.customer_id,
        items=[
            {"product_id": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}
            for line in order.lines
        ],
        total_amount=order.total,
        currency=order.currency,
    )
    value = _encode(event)
    headers = [
        ("correlation-id", correlation_id.encode()),
        ("traceparent", child_traceparent(request.headers.get("traceparent")).encode()),
    ]
    started = time.monotonic()
    delivery = current_app.extensions["publisher"].publish(TOPIC, order_id, value, headers)
    metrics.ACK_SECONDS.observe(time.monotonic() - started)
    log.info(
        "pedido aceito / order accepted %s[%d]@%d",
        delivery.topic,
        delivery.partition,
        delivery.offset,
        extra={"order_id": order_id, "correlation_id": correlation_id, "total": str(order.total)},
    )


def _encode(event: dict[str, Any]) -> bytes:
    try:
        return current_app.extensions["avro_codec"].encode(TOPIC, event)
    except SerializationError:
        raise  # the event does not fit its schema: a bug, answered 500
    except Exception as error:  # registry unreachable, or answering 5xx
        raise RegistryUnavailable(str(error)) from error


def _accepted(order_id: str, correlation_id: str, *, replay: bool):
    metrics.CHECKOUTS.labels("replayed" if replay else "accepted").inc()
    headers = {"Location": f"/orders/{order_id}", "X-Correlation-Id": correlation_id}
    if replay:
        headers["Idempotent-Replay"] = "true"
    body = {"order_id": order_id, "correlation_id": correlation_id, "status": "accepted"}
    return jsonify(body), 202, headers


def _bad_request(message: str, error: InvalidOrder) -> ApiError:
    metrics.CHECKOUTS.labels("invalid").inc()
    return ApiError(400, message, [{"field": f.field, "reason": f.reason} for f in error.fields])


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as ISO 8601, decimals and UUIDs as strings (money stays exact)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif value is None or isinstance(value, str | int | bool | dict | list):
            out[key] = value
        else:
            out[key] = str(value)
    return out
