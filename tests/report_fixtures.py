"""Result figures shaped like the commands' own, shared by the report unit tests and the dashboard's
integration tests (which publish them as reports): fixture figures, not measurements."""

from __future__ import annotations

from typing import Any


def kill_result(**overrides: Any) -> dict[str, Any]:
    """What `pedidos chaos kill` measures (the data of its `chaos-kill` report), with `overrides` applied."""
    kill = {
        "processor": "payment",
        "crash_point": "after-produce",
        "orders": 25,
        "exit_code": -9,
        "seconds_to_crash": 3.14,
        "aborted_records": {"payments.confirmed": 3, "payments.requested": 4},
        "outcomes": {"confirmed": 23, "cancelled": 2},
        "audit_ok": True,
        "failed_properties": {},
        "seconds_total": 20.55,
    }
    return kill | overrides
