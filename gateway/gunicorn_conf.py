"""gunicorn settings for the gateway, from ``Settings``: the gthread worker (a thread per request, so the
flask-sock WebSockets and the blocking wait for the broker's ack both fit), JSON logs in every worker."""

from __future__ import annotations

from processors.logs import configure_logging
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


def post_fork(server, worker) -> None:  # before the worker imports the app: its logs are JSON too
    configure_logging("gateway")
