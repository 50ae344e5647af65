"""Structured logs: one JSON object per line, on stderr, for every process.

Context travels as ``extra``: ``log.info("pedido aceito", extra={"order_id": ..., "correlation_id": ...})``
puts ``order_id`` and ``correlation_id`` at the top level of the line, so a log search can follow one order
from the checkout to its notification. Records name where they came from as ``topic``, ``partition`` and
``offset`` (docs/conventions.md §2: ``topic[partition]@offset``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else on a record came from `extra` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if self.service:
            line["service"] = self.service
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def order_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that tie a line to its order (docs/conventions.md §2), which `pedidos stack logs --order`
    follows."""
    return {"order_id": event.get("order_id"), "correlation_id": event.get("correlation_id")}


def configure_logging(service: str, level: str | int = "INFO") -> None:
    """JSON lines on stderr for the whole process; replaces handlers set before (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The registry client logs every HTTP request at INFO; those lines would drown the ones about orders.
    for noisy in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
