"""Alertmanager's webhook payload (version 4) checked field by field into ``Alert`` values; pure, no I/O.

Alertmanager posts ``{"version": "4", "status", "receiver", "groupLabels", ..., "alerts": [...]}``; each alert
has ``status`` (firing|resolved), ``labels``, ``annotations``, ``startsAt``, ``endsAt`` (Go's zero time while
firing), ``generatorURL`` and ``fingerprint`` (a hash of the labels). Only what the dashboard shows is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_ALERTS = 1000  # one notification groups alerts; far more than the project's rules can fire at once
MAX_FINGERPRINT = 64
STATUSES = ("firing", "resolved")


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    name: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None  # None while firing (Alertmanager sends year 1)


class InvalidPayload(ValueError):
    """The payload is not a version 4 webhook: ``fields`` says which field and why (pt-BR / English)."""

    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['reason']}" for f in fields))
        self.fields = fields


def parse_webhook(body: Any) -> list[Alert]:
    if not isinstance(body, dict):
        raise InvalidPayload([_problem("body", "objeto JSON / JSON object")])
    problems: list[dict[str, str]] = []
    if body.get("version") != "4":
        problems.append(_problem("version", 'deve ser "4" / must be "4"'))
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not 1 <= len(alerts) <= MAX_ALERTS:
        problems.append(_problem("alerts", f"lista de 1 a {MAX_ALERTS} / list of 1 to {MAX_ALERTS}"))
        alerts = []
    parsed = [_alert(f"alerts[{i}]", raw, problems) for i, raw in enumerate(alerts)]
    if problems:
        raise InvalidPayload(problems)
    return [alert for alert in parsed if alert is not None]


def _alert(path: str, raw: Any, problems: list[dict[str, str]]) -> Alert | None:
    if not isinstance(raw, dict):
        problems.append(_problem(path, "objeto / object"))
        return None
    before = len(problems)
    status = raw.get("status")
    if status not in STATUSES:
        problems.append(_problem(f"{path}.status", "firing ou/or resolved"))
    fingerprint = raw.get("fingerprint")
    if not isinstance(fingerprint, str) or not 0 < len(fingerprint) <= MAX_FINGERPRINT:
        problems.append(_problem(f"{path}.fingerprint", f"texto de 1 a {MAX_FINGERPRINT} / 1 to 64 chars"))
    labels = _strings(f"{path}.labels", raw.get("labels"), problems)
    annotations = _strings(f"{path}.annotations", raw.get("annotations", {}), problems)
    if labels is not None and not labels.get("alertname"):
        problems.append(_problem(f"{path}.labels.alertname", "obrigatório / required"))
    starts_at = _time(f"{path}.startsAt", raw.get("startsAt"), problems, required=True)
    ends_at = _time(f"{path}.endsAt", raw.get("endsAt"), problems, required=status == "resolved")
    if len(problems) > before or labels is None or annotations is None or starts_at is None:
        return None
    return Alert(str(fingerprint), labels["alertname"], str(status), labels, annotations, starts_at, ends_at)


def _strings(path: str, raw: Any, problems: list[dict[str, str]]) -> dict[str, str] | None:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        problems.append(_problem(path, "objeto de textos / object of strings"))
        return None
    return raw


def _time(path: str, raw: Any, problems: list[dict[str, str]], required: bool) -> datetime | None:
    """RFC 3339 with a zone (Go writes nanoseconds; Python keeps microseconds); Go's zero time is None."""
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError(raw)
    except ValueError:
        problems.append(_problem(path, "data RFC 3339 com fuso / RFC 3339 time with a zone"))
        return None
    if value.year == 1:
        if required:
            problems.append(_problem(path, "obrigatório aqui / required here"))
        return None
    return value


def _problem(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}
