"""Service-level objectives for `pedidos load --slo`: parsed from ``p99_ms=2000,errors=0``, checked against a
load report. Pure functions: no I/O."""

from __future__ import annotations

from typing import Any

# objective -> where its measured value sits in the load report (None: computed from the error counts)
OBJECTIVES: dict[str, tuple[str, str] | None] = {
    "p50_ms": ("checkout_to_terminal_ms", "p50"),
    "p95_ms": ("checkout_to_terminal_ms", "p95"),
    "p99_ms": ("checkout_to_terminal_ms", "p99"),
    "accept_p99_ms": ("accept_latency_ms", "p99"),
    "errors": None,
}


def parse_slo(text: str) -> dict[str, float]:
    """``p99_ms=2000,errors=0`` -> {"p99_ms": 2000.0, "errors": 0.0}; ValueError names what is wrong."""
    slo: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in OBJECTIVES:
            raise ValueError(f"{part!r}: use name=value with name in {', '.join(OBJECTIVES)}")
        try:
            slo[name] = float(value)
        except ValueError:
            raise ValueError(f"{part!r}: {value.strip()!r} is not a number") from None
        if slo[name] < 0:
            raise ValueError(f"{part!r}: must not be negative")
    if not slo:
        raise ValueError("empty: e.g. p99_ms=2000,errors=0")
    return slo


def errors_of(report: dict[str, Any]) -> int:
    return int(report["no_answer"]) + sum(report["rejected"].values())


def slo_failures(slo: dict[str, float], report: dict[str, Any]) -> list[str]:
    """One line per objective missed, saying measured vs allowed; empty when every objective holds."""
    failures = []
    for name, limit in slo.items():
        where = OBJECTIVES[name]
        measured = float(errors_of(report)) if where is None else float(report[where[0]][where[1]])
        if not measured <= limit:  # a NaN (no data) fails too
            failures.append(f"{name}: medido / measured {measured:g} > {limit:g}")
    return failures
