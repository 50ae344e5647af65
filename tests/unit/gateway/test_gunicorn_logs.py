"""gunicorn's access and error logs are JSON lines like the gateway's own (docs/logs.md)."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from gateway.gunicorn_conf import JsonLogger


def test_an_access_line_is_json_with_the_request_fields_and_the_correlation_id() -> None:
    config = Config()
    config.set("accesslog", "-")
    logger = JsonLogger(config)
    out = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(out)
    response = SimpleNamespace(
        status="202 ACCEPTED",
        headers=[("X-Correlation-Id", "c-1"), ("Location", "/orders/o-1")],
        sent=57,
    )
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/orders",
        "QUERY_STRING": "",
        "HTTP_USER_AGENT": "pytest",
    }

    logger.access(response, None, environ, timedelta(milliseconds=12))

    line = json.loads(out.getvalue())
    assert line["service"] == "gateway" and line["level"] == "info"
    assert line["msg"] == "POST /api/orders 202"
    assert (line["status"], line["bytes"], line["duration_s"]) == (202, 57, 0.012)
    assert (line["correlation_id"], line["location"]) == ("c-1", "/orders/o-1")
    assert "query" not in line


def test_gunicorns_own_messages_are_json() -> None:
    config = Config()
    logger = JsonLogger(config)
    out = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(out)

    logger.info("Booting worker with pid: %s", 42)

    line = json.loads(out.getvalue())
    assert (line["msg"], line["logger"], line["level"]) == (
        "Booting worker with pid: 42",
        "gunicorn.error",
        "info",
    )
    assert logging.getLogger("gunicorn.error").propagate is False  # not written twice through the root logger
