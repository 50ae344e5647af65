"""JSON errors for every failure, bilingual (pt-BR first): ``{"error": "...", "fields": [...]}``."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from flask import Flask, Response, g, jsonify
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from gateway import metrics
from gateway.pricing import InvalidOrder
from gateway.publisher import BrokerUnavailable

log = logging.getLogger("pedidos.gateway")

_HTTP_PT = {
    400: "requisição inválida",
    404: "não encontrado",
    405: "método não permitido",
    413: "corpo grande demais",
    415: "tipo de conteúdo não suportado",
}


class RegistryUnavailable(Exception):
    """The schema registry could not be asked for the writer schema's id (only the first event needs it)."""


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.status, self.error, self.fields, self.headers, self.extra = status, error, fields, headers, extra


def _response(error: ApiError) -> tuple[Response, int, dict[str, str]]:
    body: dict[str, Any] = {"error": error.error, **error.extra}
    if error.fields is not None:
        body["fields"] = error.fields
    return jsonify(body), error.status, error.headers or {}


def init_errors(app: Flask) -> None:
    retry_after = str(app.config["RETRY_AFTER_S"])

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return _response(error)

    @app.errorhandler(InvalidOrder)
    def invalid_order(error: InvalidOrder):
        metrics.CHECKOUTS.labels("invalid").inc()
        fields = [{"field": f.field, "reason": f.reason} for f in error.fields]
        return _response(ApiError(422, "pedido inválido / invalid order", fields))

    @app.errorhandler(BrokerUnavailable)
    def broker_unavailable(error: BrokerUnavailable):
        log.warning("broker did not acknowledge", extra={"reason": str(error), **_checkout_context()})
        metrics.CHECKOUTS.labels("unavailable").inc()
        return _response(
            ApiError(
                503,
                "o Kafka não confirmou o pedido a tempo; ele NÃO foi aceito. Tente de novo com a mesma "
                "Idempotency-Key / Kafka did not acknowledge the order in time; it was NOT accepted. "
                "Retry with the same Idempotency-Key",
                headers={"Retry-After": retry_after},
                retryable=True,
            )
        )

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(psycopg.OperationalError)
    def database_unavailable(error: Exception):
        log.warning("database unavailable", extra={"reason": str(error), **_checkout_context()})
        return _unavailable("banco de dados indisponível / database unavailable")

    @app.errorhandler(RegistryUnavailable)
    def registry_unavailable(error: RegistryUnavailable):
        log.warning("schema registry unavailable", extra={"reason": str(error), **_checkout_context()})
        return _unavailable("registro de schemas indisponível / schema registry unavailable")

    def _unavailable(what: str):
        metrics.CHECKOUTS.labels("unavailable").inc()
        return _response(
            ApiError(
                503,
                f"{what}; tente de novo / retry",
                headers={"Retry-After": retry_after},
                retryable=True,
            )
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return _response(ApiError(code, f"{_HTTP_PT.get(code, error.name)} / {error.description}"))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error")
        return _response(ApiError(500, "erro interno / internal error"))


def _checkout_context() -> dict[str, str]:
    """The checkout's correlation id, when the request got that far: a checkout whose ack timed out may still
    reach the processors, and `pedidos stack logs --order` then finds this line through it."""
    correlation_id = g.get("correlation_id")
    return {"correlation_id": correlation_id} if correlation_id else {}
