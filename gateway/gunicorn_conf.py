"""gunicorn settings for the gateway, from ``Settings``: the gthread worker (a thread per request, so the
flask-sock WebSockets and the blocking wait for the broker's ack both fit), JSON logs in every worker and in
gunicorn's own error and access logs (docs/logs.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from processors.logs import JsonFormatter, configure_logging
from processors.settings import get_settings

_settings = get_settings()

bind = f"{_settings.host}:{_settings.gateway_port}"  # `pedidos gateway --port` overrides with --bind
worker_class = "gthread"
workers = _settings.gateway_workers
threads = _settings.gateway_threads
# A checkout may wait gateway_ack_timeout_s for Kafka; the worker must not be killed meanwhile.
timeout = max(30, int(_settings.gateway_ack_timeout_s * 4))
graceful_timeout = 15
accesslog = "-"
proc_name = "pedidos-gateway"


class JsonLogger(Logger):
    """gunicorn's error and access logs as the same JSON lines as the app's: an access line has its fields
    (method, path, status, duration) at the top level, and the ``correlation_id`` the gateway answered with,
    so `pedidos stack logs --order` finds the HTTP request of an order next to its events."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter("gateway"))

    def access(self, resp: Any, req: Any, environ: dict, request_time: timedelta) -> None:
        if not self.cfg.accesslog:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        fields = {
            "remote": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_s": round(request_time.total_seconds(), 6),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "correlation_id": headers.get("x-correlation-id"),
            "location": headers.get("location"),
        }
        line = {key: value for key, value in fields.items() if value is not None}
        self.access_log.info("%s %s %s", line["method"], line["path"], line["status"], extra=line)


logger_class = JsonLogger


def post_fork(server, worker) -> None:  # before the worker imports the app: its logs are JSON too
    configure_logging("gateway")
