"""The latest result of each benchmark, lab and drill, read from the reports directory for the dashboard.

`tools/reports.py` writes `<dir>/<kind>.json` (and `<kind>.png`); this module only reads them. A file that is
not in that shape (an older tool's JSON, a half-written file, a `--json` copy with another name) is left out
of the list rather than failing it: one bad file must not hide every other result.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("pedidos.gateway")

KIND = re.compile(r"[a-z0-9-]+")
REQUIRED = ("kind", "title", "created_at", "table")


class InvalidKind(ValueError):
    """A kind outside [a-z0-9-]+: refused before it gets near the filesystem."""


class ReportNotFound(LookupError):
    pass


def list_reports(directory: Path) -> list[dict[str, Any]]:
    """Every well-formed report in ``directory``, newest first, without its (possibly large) ``data``."""
    if not directory.is_dir():
        return []
    reports = []
    for path in directory.glob("*.json"):
        summary = _summary(path)
        if summary is not None:
            reports.append(summary)
    return sorted(reports, key=lambda r: (r["created_at"], r["kind"]), reverse=True)


def chart_path(directory: Path, kind: str) -> Path:
    """The PNG of ``kind``; InvalidKind for a bad name, ReportNotFound when there is no such chart."""
    if not KIND.fullmatch(kind):
        raise InvalidKind(kind)
    path = directory / f"{kind}.png"
    # Belt and braces: the pattern already rules out separators and dots, so this can only fail on a symlink
    # that points out of the reports directory, which we do not follow either.
    if not path.is_file() or path.resolve().parent != directory.resolve():
        raise ReportNotFound(kind)
    return path


def _summary(path: Path) -> dict[str, Any] | None:
    if not KIND.fullmatch(path.stem):
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        log.warning("unreadable report", extra={"path": str(path), "reason": str(error)})
        return None
    if not _well_formed(body, path.stem):
        return None
    return {
        "kind": body["kind"],
        "title": body["title"],
        "created_at": body["created_at"],
        "command": body.get("command"),
        "has_chart": bool(body.get("chart")) and (path.parent / f"{path.stem}.png").is_file(),
        "conclusion": body.get("conclusion"),
        "table": _finite(body["table"]),
    }


def _finite(value: Any) -> Any:
    """NaN (a percentile of no data) is valid to Python's json but not to a browser's JSON.parse: null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _well_formed(body: Any, stem: str) -> bool:
    if not isinstance(body, dict) or any(key not in body for key in REQUIRED) or body["kind"] != stem:
        return False
    title, table = body["title"], body["table"]
    return (
        isinstance(title, dict)
        and isinstance(title.get("pt"), str)
        and isinstance(body["created_at"], str)
        and isinstance(table, dict)
        and isinstance(table.get("columns"), list)
        and isinstance(table.get("rows"), list)
    )
