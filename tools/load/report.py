"""What `pedidos load` measured, as the shared report (table, charts, conclusion): pure, no Kafka or DB.

The load is open loop: order n is due at n / rate seconds after the start, whatever the answers do, so the
"offered" series is the schedule itself and the gap to "accepted" is what the gateway did not take.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from gateway.telemetry.indicators import percentile as nearest_rank
from tools.reports import BarChart, Cell, LineChart, Report, Table, finite, ms_text
from tools.text import Text, join

PERCENTILES = (50, 95, 99)


def percentile(values: list[float], q: float) -> float:
    """Nearest rank, as the dashboard's indicators compute it; NaN for no data."""
    value = nearest_rank(sorted(values), q)
    return float("nan") if value is None else value


def latency_ms(values: list[float]) -> dict[str, float]:
    """Seconds in, milliseconds out: p50, p95, p99 and the mean (NaN for no data)."""
    return {f"p{q}": round(percentile(values, q) * 1000, 1) for q in PERCENTILES} | {
        "mean": round(statistics.fmean(values) * 1000, 1) if values else float("nan")
    }


def per_second(
    sent: int, rate: float, accepted_offsets_s: Sequence[float], accept_latencies_s: Sequence[float]
) -> dict[str, list[int] | list[float]]:
    """Offered and accepted requests, and the accept-latency p99 (ms), for each second of the schedule.

    ``accepted_offsets_s[i]`` is when accepted order i was due, in seconds from the start, and
    ``accept_latencies_s[i]`` its latency. An order is put back on its schedule slot (the nearest n / rate) so
    that clock jitter at a second's edge cannot count it in the wrong second.
    """
    seconds = int((sent - 1) / rate) + 1 if sent else 0  # the second of the last order, counted the same way
    offered = [0] * seconds
    for n in range(sent):
        offered[int(n / rate)] += 1
    accepted = [0] * seconds
    latencies: list[list[float]] = [[] for _ in range(seconds)]
    for offset, latency in zip(accepted_offsets_s, accept_latencies_s, strict=True):
        slot = min(max(round(offset * rate), 0), sent - 1)
        second = int(slot / rate)
        accepted[second] += 1
        latencies[second].append(latency)
    return {
        "second": [float(s) for s in range(seconds)],
        "offered": offered,
        "accepted": accepted,
        "accept_p99_ms": [round(percentile(values, 99) * 1000, 1) for values in latencies],
    }


def load_report(data: dict[str, Any]) -> Report:
    """The shared report of one `pedidos load` run; ``data`` is what `--json` writes (with `per_second`)."""
    accept, end_to_end = data["accept_latency_ms"], data["checkout_to_terminal_ms"]
    rows: list[list[Cell]] = [
        ["pedidos enviados / orders sent", data["orders"]],
        ["aceitos (202) / accepted", data["accepted"]],
        ["recusados / rejected", sum(data["rejected"].values())],
        ["sem resposta / no answer", data["no_answer"]],
        ["taxa oferecida / offered rate (pedidos/s)", data["rate_per_s"]],
        ["duração / duration (s)", data["seconds"]],
        *([f"aceite (202) p{q} ms / accept p{q} ms", finite(accept[f"p{q}"])] for q in PERCENTILES),
        *([f"checkout -> terminal p{q} ms", finite(end_to_end[f"p{q}"])] for q in PERCENTILES),
        ["confirmados / confirmed", data["outcomes"].get("orders.confirmed", 0)],
        ["cancelados / cancelled", data["outcomes"].get("orders.cancelled", 0)],
        ["auditoria / audit", "ok" if data["audit_ok"] else "FALHOU / FAILED"],
        ["SLO", _slo_cell(data["slo"])],
    ]
    series = data["per_second"]
    charts = [
        LineChart(
            "Pedidos por segundo: oferecidos x aceitos / requests per second: offered vs accepted",
            series["second"],
            {"oferecidos / offered": series["offered"], "aceitos (202) / accepted": series["accepted"]},
            "segundo da carga / second of the run",
            "pedidos / requests",
        ),
        LineChart(
            "Latência do aceite, p99 por segundo / accept latency, p99 per second",
            series["second"],
            {"p99": series["accept_p99_ms"]},
            "segundo da carga / second of the run",
            "ms",
        ),
        BarChart(
            "Checkout -> evento terminal / checkout -> terminal event",
            [*(f"p{q}" for q in PERCENTILES), "média / mean"],
            {"ms": [end_to_end[f"p{q}"] for q in PERCENTILES] + [end_to_end["mean"]]},
            "ms",
        ),
    ]
    return Report(
        kind="load",
        title=Text(
            f"Carga de checkout: {data['rate_per_s']:g} pedidos/s em malha aberta",
            f"Checkout load: {data['rate_per_s']:g} orders/s, open loop",
        ),
        table=Table(["medida / figure", "valor / value"], rows),
        data=data,
        charts=charts,
        conclusion=_conclusion(data),
    )


def _conclusion(data: dict[str, Any]) -> Text:
    accepted, sent = data["accepted"], data["orders"]
    share = f"{accepted / sent:.0%}" if sent else "-"
    e2e = data["checkout_to_terminal_ms"]
    latency = f"p50 {ms_text(e2e['p50'])}, p99 {ms_text(e2e['p99'])}."
    parts = [
        Text(
            f"{accepted} de {sent} pedidos aceitos ({share}); checkout -> evento terminal {latency}",
            f"{accepted} of {sent} orders accepted ({share}); checkout -> terminal event {latency}",
        )
    ]
    if data["audit_ok"]:
        parts.append(
            Text(
                "A auditoria exactly-once não achou violações.", "The exactly-once audit found no violation."
            )
        )
    else:
        parts.append(
            Text(
                "A auditoria exactly-once achou violações: veja a tabela de propriedades.",
                "The exactly-once audit found violations: see the property table.",
            )
        )
    failures = "; ".join(data["slo"]["failures"])
    if failures:
        parts.append(Text(f"SLO violado: {failures}.", f"SLO missed: {failures}."))
    elif data["slo"]["objectives"]:
        parts.append(Text("Todos os objetivos (SLO) foram cumpridos.", "Every objective (SLO) was met."))
    return join(parts)


def _slo_cell(slo: dict[str, Any]) -> str:
    if not slo["objectives"]:
        return "-"
    failures = len(slo["failures"])
    return "ok" if not failures else f"{failures} violado(s) / missed"
