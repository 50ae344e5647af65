"""What `pedidos bench telemetry` measured, as the shared report (table, charts, conclusion); no Kafka."""

from __future__ import annotations

from typing import Any

from tools.reports import BarChart, Cell, Report, Table, finite, ms_text
from tools.text import Text, join


def telemetry_report(data: dict[str, Any]) -> Report:
    """``data`` is what `run_bench` returns (and `--json` writes)."""
    per_client = data["events_per_s_per_client"]
    delay = data["commit_to_client_ms"]
    rows: list[list[Cell]] = [
        ["clientes WebSocket / WebSocket clients", data["clients"]],
        ["eventos/s pedidos / asked rate", data["rate_per_s"]],
        ["eventos/s produzidos / produced", data["events_per_s_sent"]],
        ["eventos/s por cliente, mín / per client, min", min(per_client)],
        ["eventos/s por cliente, máx / per client, max", max(per_client)],
        ["eventos/s entregues, soma / delivered, sum", data["events_per_s_all_clients"]],
        ["commit -> cliente p50 ms / commit -> client p50 ms", finite(delay["p50"])],
        ["commit -> cliente p99 ms / commit -> client p99 ms", finite(delay["p99"])],
        ["descartados / dropped (total)", data["dropped_total"]],
    ]
    clients = [f"cliente {i + 1}" for i in range(data["clients"])]
    by_client = data["commit_to_client_ms_per_client"]
    charts = [
        BarChart(
            "Eventos/s por cliente (linha: produzidos) / events/s per client (line: produced)",
            clients,
            {"eventos/s / events/s": per_client},
            "eventos/s / events/s",
            reference_line=data["events_per_s_sent"],
        ),
        BarChart(
            "Atraso commit -> cliente por cliente / commit -> client delay per client",
            clients,
            {"p50": [c["p50"] for c in by_client], "p99": [c["p99"] for c in by_client]},
            "ms",
        ),
    ]
    return Report(
        kind="bench-telemetry",
        title=Text(
            f"Fan-out do painel: {data['clients']} clientes a {data['rate_per_s']:g} eventos/s",
            f"Dashboard fan-out: {data['clients']} clients at {data['rate_per_s']:g} events/s",
        ),
        table=Table(["medida / figure", "valor / value"], rows),
        data=data,
        charts=charts,
        conclusion=_conclusion(data),
    )


def _conclusion(data: dict[str, Any]) -> Text:
    sent, received = data["events_sent"], data["events_received_per_client"]
    worst = min(received) / sent if sent else float("nan")
    delay = data["commit_to_client_ms"]
    latency = f"p50 {ms_text(delay['p50'])}, p99 {ms_text(delay['p99'])}."
    parts = [
        Text(
            f"O cliente mais lento recebeu {worst:.1%} dos {sent} eventos confirmados; atraso commit -> "
            f"cliente {latency}",
            f"The slowest client received {worst:.1%} of the {sent} committed events; commit -> client delay "
            f"{latency}",
        )
    ]
    if data["dropped_total"]:
        parts.append(
            Text(
                f"O gateway descartou {data['dropped_total']} eventos de clientes lentos (fila limitada por "
                "cliente): eles perdem eventos em vez de atrasar os outros.",
                f"The gateway dropped {data['dropped_total']} events for slow clients (bounded per-client "
                "queue): they lose events instead of holding the others back.",
            )
        )
    else:
        parts.append(
            Text(
                "Nenhum evento descartado: todos os clientes acompanharam.",
                "No event dropped: every client kept up.",
            )
        )
    return join(parts)
