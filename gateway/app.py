"""The gateway's application factory: configuration, long-lived clients, error handlers, blueprints.

Configuration comes from ``Settings`` (``PEDIDOS_*`` variables), then ``test_config``. Each long-lived
client (PostgreSQL pool, Kafka producer, Avro codec) is created once per process by an ``init_*`` function and
kept in ``app.extensions``; gunicorn calls the factory in each worker after the fork, so no client crosses a
fork.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, send_from_directory
from psycopg_pool import ConnectionPool
from werkzeug.exceptions import NotFound

from gateway import checkout, metrics
from gateway.errors import init_errors
from gateway.observability import alerts
from gateway.observability import api as observability
from gateway.publisher import OrderPublisher
from gateway.telemetry.api import close_telemetry, init_telemetry
from processors.runtime.serde import AvroCodec
from processors.settings import get_settings

UI_DIST = Path(__file__).resolve().parent.parent / "ui" / "dist"


def default_config() -> dict[str, Any]:
    settings = get_settings()
    return {
        "DATABASE_URL": settings.database_url,
        "BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "REGISTRY_URL": settings.registry_url,
        "ACK_TIMEOUT_S": settings.gateway_ack_timeout_s,
        "RETRY_AFTER_S": settings.gateway_retry_after_s,
        "DB_POOL_SIZE": settings.gateway_db_pool_size,
        # Waiting longer for a database connection than for Kafka's ack would make no sense.
        "DB_TIMEOUT_S": settings.gateway_ack_timeout_s,
        "MAX_CONTENT_LENGTH": 256 * 1024,  # 50 items fit in a few KiB
        "TELEMETRY_QUEUE_SIZE": settings.telemetry_queue_size,
        "UI_DIST": str(UI_DIST),
    }


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False  # keep the documented field order of responses
    app.json.ensure_ascii = False  # "pedido inválido", not "pedido inv\u00e1lido"
    app.config.from_mapping(default_config())
    if test_config is not None:
        app.config.from_mapping(test_config)

    init_db(app)
    init_kafka(app)
    init_errors(app)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(observability.bp)
    init_telemetry(app)
    init_ui(app)

    @app.after_request
    def echo_correlation_id(response):
        correlation_id = g.get("correlation_id")
        if correlation_id and "X-Correlation-Id" not in response.headers:
            response.headers["X-Correlation-Id"] = correlation_id
        return response

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    atexit.register(close_app, app)
    return app


def init_db(app: Flask) -> None:
    # autocommit: every `with conn.transaction()` block is one transaction and a lone SELECT holds none.
    app.extensions["db_pool"] = ConnectionPool(
        app.config["DATABASE_URL"],
        min_size=1,
        max_size=app.config["DB_POOL_SIZE"],
        timeout=app.config["DB_TIMEOUT_S"],
        kwargs={"autocommit": True},
        name="gateway",
        open=True,
    )


def init_kafka(app: Flask) -> None:
    app.extensions["avro_codec"] = AvroCodec(app.config["REGISTRY_URL"])
    app.extensions["publisher"] = OrderPublisher(app.config["BOOTSTRAP_SERVERS"], app.config["ACK_TIMEOUT_S"])


def init_ui(app: Flask) -> None:
    """The dashboard's static build (``ui/dist``, made by `make setup`) at ``/``."""

    @app.get("/")
    @app.get("/<path:path>")
    def dashboard(path: str = "index.html"):
        if path.startswith(("api/", "ws")):
            raise NotFound()
        dist = Path(app.config["UI_DIST"])
        if not (dist / "index.html").is_file():
            return (
                "<h1>Painel não compilado / dashboard not built</h1>"
                "<p>Rode / run <code>make setup</code>.</p>",
                503,
                {"Content-Type": "text/html; charset=utf-8"},
            )
        if path != "index.html" and (dist / path).is_file():
            return send_from_directory(dist, path)
        return send_from_directory(dist, "index.html")  # a client-side route: the app decides


def close_app(app: Flask) -> None:
    """Stops the telemetry feed, flushes the producer, closes the pool; safe to call twice."""
    close_telemetry(app)
    publisher = app.extensions.get("publisher")
    if publisher is not None:
        publisher.close()
    pool = app.extensions.get("db_pool")
    if pool is not None and not pool.closed:
        pool.close()
