"""The dashboard's HTTP snapshots and its WebSocket (see API.md beside this file)."""

from __future__ import annotations

import socket
import threading
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request, send_file
from flask_sock import Sock

from gateway.dlq.kafka_io import DlqError
from gateway.errors import ApiError
from gateway.telemetry import store
from gateway.telemetry.dlq import ReplayBusy, read_dead_letters, replay_dead_letters
from gateway.telemetry.feed import RECENT, TelemetryFeed, plain, to_json
from gateway.telemetry.hub import Hub, serve_client
from gateway.telemetry.reports import InvalidKind, ReportNotFound, chart_path, list_reports
from gateway.telemetry.timeline import build_timeline
from gateway.telemetry.xray import NotFound, read_xray
from processors.settings import get_settings

bp = Blueprint("telemetry", __name__, url_prefix="/api")
MAX_EPOCH_MS = 10**13  # the year 2286: any real epoch-ms time fits
sock = Sock()
_start_lock = threading.Lock()


def telemetry(app: Flask) -> TelemetryFeed:
    """The process's feed, started on first use: apps that never serve the dashboard never consume."""
    with _start_lock:
        feed = app.extensions.get("telemetry")
        if feed is None:
            if app.extensions.get("telemetry_closed"):  # shutting down: never start a feed nobody will stop
                raise ApiError(503, "gateway encerrando / gateway shutting down")
            feed = TelemetryFeed(get_settings(), Hub(app.config["TELEMETRY_QUEUE_SIZE"]))
            feed.start()
            app.extensions["telemetry"] = feed
        return feed


def close_telemetry(app: Flask) -> None:
    with _start_lock:  # a tab connecting right now must not start a new feed behind our back
        app.extensions["telemetry_closed"] = True
        feed = app.extensions.pop("telemetry", None)
    if feed is not None:
        feed.close()


def init_telemetry(app: Flask) -> None:
    app.register_blueprint(bp)
    sock.init_app(app)


@sock.route("/ws")
def websocket(ws: Any) -> None:
    try:
        feed = telemetry(current_app._get_current_object())  # type: ignore[attr-defined]
    except ApiError:
        return  # the gateway is stopping: closing the socket sends the tab to reconnect elsewhere
    client = feed.hub.connect()
    client.abort = lambda: ws.sock.shutdown(socket.SHUT_RDWR)
    try:
        serve_client(feed.hub, client, ws.send, to_json, feed.stop)
    except Exception:  # the browser went away (ConnectionClosed) or the send failed: forget this client
        pass
    finally:
        feed.hub.disconnect(client)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(
            400, "parâmetro inválido / invalid parameter", [_field(name, f"inteiro entre {low} e {high}")]
        )
    return value


def _field(name: str, reason: str) -> dict[str, str]:
    return {"field": name, "reason": reason}


@bp.get("/events/recent")
def recent_events():
    limit = _int_arg("limit", 200, 1, RECENT)
    return jsonify({"events": telemetry(current_app).recent_events(limit)})


@bp.get("/orders")
def orders():
    pool = current_app.extensions["db_pool"]
    with pool.connection() as conn:
        rows, counts = store.list_orders(
            conn,
            status=request.args.get("status") or None,
            prefix=request.args.get("q") or None,
            customer=request.args.get("customer") or None,
            since_s=_int_arg("since_s", 0, 0, 30 * 86400) or None,
            limit=_int_arg("limit", 100, 1, 1000),
        )
    return jsonify({"orders": rows, "counts": counts})


@bp.get("/orders/<order_id>")
def order(order_id: str):
    with current_app.extensions["db_pool"].connection() as conn:
        row = store.get_order(conn, order_id)
        events = store.order_events(conn, order_id) if row else []
    if row is None:
        raise ApiError(404, "pedido não encontrado / order not found", [_field("order_id", "desconhecido")])
    return jsonify({"order": row, "timeline": plain(build_timeline(events))})


@bp.get("/cluster")
def cluster():
    feed = telemetry(current_app)
    return jsonify(feed.last_cluster or feed.cluster.snapshot())


@bp.get("/cluster/history")
def cluster_history():
    return jsonify({"points": list(telemetry(current_app).history)})


@bp.get("/indicators")
def indicators():
    return jsonify(telemetry(current_app).indicators_snapshot())


@bp.get("/faults")
def faults():
    """The drills' faults (and retry hops) overlapping [since_ms, until_ms]; see API.md `faults`."""
    since = _int_arg("since_ms", 0, 0, MAX_EPOCH_MS)
    until = _int_arg("until_ms", MAX_EPOCH_MS, 0, MAX_EPOCH_MS)
    if until < since:
        raise ApiError(400, "parâmetro inválido / invalid parameter", [_field("until_ms", ">= since_ms")])
    order_id = request.args.get("order_id") or None
    return jsonify(telemetry(current_app).faults_snapshot(since, until, order_id))


@bp.get("/xray")
def xray():
    topic = request.args.get("topic", "")
    if not topic:
        raise ApiError(400, "parâmetro obrigatório / required parameter", [_field("topic", "obrigatório")])
    partition = _int_arg("partition", 0, 0, 1000)
    try:
        body = read_xray(get_settings().bootstrap_servers, topic, partition, _int_arg("limit", 50, 1, 500))
    except NotFound as error:
        raise ApiError(
            404, "partição desconhecida / unknown partition", [_field("topic", str(error))]
        ) from error
    except RuntimeError as error:
        raise ApiError(503, f"broker indisponível / broker unavailable: {error}") from error
    return jsonify(plain(body))


@bp.get("/dlq")
def dlq():
    limit = _int_arg("limit", 100, 1, 1000)
    return jsonify({"records": plain(read_dead_letters(get_settings().bootstrap_servers, limit))})


@bp.post("/dlq/replay")
def dlq_replay():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "corpo JSON obrigatório / JSON body required", [_field("body", "objeto JSON")])
    problems = [
        _field(name, "texto não vazio ou ausente / non-empty string or absent")
        for name in ("reason", "topic")
        if body.get(name) is not None and (not isinstance(body[name], str) or not body[name].strip())
    ]
    if not isinstance(body.get("dry_run"), bool):
        problems.append(_field("dry_run", "obrigatório, true ou false / required boolean"))
    if problems:
        raise ApiError(400, "parâmetro inválido / invalid parameter", problems)
    try:
        report = replay_dead_letters(get_settings(), body.get("reason"), body.get("topic"), body["dry_run"])
    except ReplayBusy as error:
        raise ApiError(409, str(error)) from error
    except DlqError as error:
        raise ApiError(503, f"replay falhou / replay failed: {error}") from error
    return jsonify(plain(report))


@bp.get("/catalog")
def catalog():
    with current_app.extensions["db_pool"].connection() as conn:
        return jsonify(store.catalog(conn))


@bp.get("/traffic")
def get_traffic():
    with current_app.extensions["db_pool"].connection() as conn:
        return jsonify({"rate": store.traffic_rate(conn) or 0.0})


@bp.put("/traffic")
def put_traffic():
    body = request.get_json(silent=True)
    rate = body.get("rate") if isinstance(body, dict) else None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= store.MAX_RATE:
        raise ApiError(
            400, "taxa inválida / invalid rate", [_field("rate", f"número entre 0 e {store.MAX_RATE:g}")]
        )
    with current_app.extensions["db_pool"].connection() as conn:
        store.set_traffic_rate(conn, float(rate))
    return jsonify({"rate": float(rate)})


@bp.get("/reports")
def reports():
    return jsonify({"reports": list_reports(get_settings().reports_path)})


@bp.get("/reports/<kind>.png")
def report_chart(kind: str):
    try:
        path = chart_path(get_settings().reports_path, kind)
    except InvalidKind as error:
        raise ApiError(
            400, "tipo de relatório inválido / invalid report kind", [_field("kind", "só / only [a-z0-9-]")]
        ) from error
    except ReportNotFound as error:
        raise ApiError(
            404,
            f"relatório sem gráfico / no chart for report: {kind}",
            [_field("kind", kind)],
        ) from error
    # A newer run rewrites the same file name: the browser must revalidate instead of showing the old chart.
    return send_file(path, mimetype="image/png", max_age=0)
