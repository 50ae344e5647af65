"""`pedidos stack logs --order <id>`: one order's lines from every log of the stack and the services.

Every process writes JSON lines (docs/logs.md), but each component names its fields its own way: our Python
processes write ``ts``/``level``/``msg``/``service``, the Kafka broker's log4j2 template the same names,
Apicurio (Quarkus) ``timestamp``/``level``/``message``, PostgreSQL's jsonlog ``timestamp``/``error_severity``/
``message``. A line belongs to the order when it carries its ``order_id``, when its ``correlation_id`` is the
order's (learnt from the lines that carry the order id), or, for components that know nothing of orders (a
PostgreSQL error, a registry access line), when its text names the order id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TIME_KEYS = ("ts", "timestamp", "@timestamp", "time")
_LEVEL_KEYS = ("level", "error_severity")
_MESSAGE_KEYS = ("msg", "message")
# Shown in the line's columns or in the timeline's heading, or noise next to a message (PostgreSQL's session
# bookkeeping, Quarkus' thread and host names): not repeated among the key fields.
_NOT_KEY_FIELDS = {
    *_TIME_KEYS,
    *_LEVEL_KEYS,
    *_MESSAGE_KEYS,
    "service",
    "logger",
    "loggerName",
    "loggerClassName",
    "order_id",
    "correlation_id",
    "topic",
    "partition",
    "offset",
    "sequence",
    "threadName",
    "threadId",
    "hostName",
    "processName",
    "processId",
    "mdc",
    "ndc",
    "pid",
    "session_id",
    "session_start",
    "line_num",
    "vxid",
    "txid",
    "ps",
    "backend_type",
    "query_id",
    "remote",
    "user_agent",
    "bytes",
    "thread",
}
_KEY_VALUE_MAX = 120


@dataclass(frozen=True)
class OrderLogLine:
    at: datetime
    component: str
    fields: dict[str, Any]
    raw: str

    @property
    def level(self) -> str:
        return str(_first(self.fields, _LEVEL_KEYS) or "-").lower()

    @property
    def message(self) -> str:
        return str(_first(self.fields, _MESSAGE_KEYS) or "")

    def render(self) -> str:
        """One readable line: UTC time, component, level, message, then the fields that say what happened."""
        when = self.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        return f"{when}  {self.component:<15} {self.level:<7} {self.message}{self._key_fields()}"

    def _key_fields(self) -> str:
        parts = []
        if "topic" in self.fields:  # docs/conventions.md §2: a record is topic[partition]@offset
            where = str(self.fields["topic"])
            if "partition" in self.fields:
                where += f"[{self.fields['partition']}]"
            if "offset" in self.fields:
                where += f"@{self.fields['offset']}"
            if where not in self.message:  # our processors' messages often name the record already
                parts.append(where)
        for key, value in self.fields.items():
            if key in _NOT_KEY_FIELDS or value in (None, "", [], {}):
                continue
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            if len(text) >= 3 and text in self.message:  # an access line's method, path and status
                continue
            parts.append(f"{key}={text[:_KEY_VALUE_MAX]}")
        return ("  " + " ".join(parts)) if parts else ""


def log_files(logs_dir: Path) -> list[Path]:
    """Every log file of the stack and the services: ``*.log`` and PostgreSQL's ``*.json``."""
    return sorted([*logs_dir.glob("*.log"), *logs_dir.glob("*.json")])


def parse_time(value: object) -> datetime | None:
    """The instant of a log line, whatever the component's format; naive times are UTC (all ours are)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)  # epoch s or ms
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(" UTC"):  # PostgreSQL's jsonlog: "2026-12-06 04:08:58.625 UTC"
        text = text[: -len(" UTC")] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def follow_order(files: list[Path], order_id: str) -> list[OrderLogLine]:
    """The lines about ``order_id`` in ``files``, in time order (a stable sort keeps each file's own order
    for lines of the same millisecond)."""
    direct = [line for line in _lines_containing(files, {order_id}) if _names_order(line.fields, order_id)]
    correlation_ids = {str(c) for line in direct if (c := line.fields.get("correlation_id"))}
    related = [
        line
        for line in _lines_containing(files, correlation_ids)
        if str(line.fields.get("correlation_id")) in correlation_ids
        and not _names_order(line.fields, order_id)  # already in `direct`
    ]
    return sorted(direct + related, key=lambda line: line.at)


def _names_order(fields: dict[str, Any], order_id: str) -> bool:
    if "order_id" in fields:
        return str(fields["order_id"]) == order_id
    return any(order_id in str(value) for value in fields.values())


def _lines_containing(files: list[Path], needles: set[str]) -> Iterator[OrderLogLine]:
    """The JSON lines of ``files`` whose text contains one of ``needles``; the substring test comes first so
    that a load test's million-line logs are not all parsed. Lines that are not JSON objects with a time
    (a Java stack trace, a line from before JSON logging) are skipped."""
    if not needles:
        return
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for raw in lines:
                if not any(needle in raw for needle in needles):
                    continue
                try:
                    fields = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(fields, dict):
                    continue
                at = parse_time(_first(fields, _TIME_KEYS))
                if at is not None:
                    component = str(fields.get("service") or path.stem)
                    yield OrderLogLine(at, component, fields, raw.rstrip("\n"))


def _first(fields: dict[str, Any], keys: tuple[str, ...]) -> object:
    return next((fields[key] for key in keys if fields.get(key) not in (None, "")), None)
