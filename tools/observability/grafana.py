"""`pedidos observability grafana`: the Grafana board of the compose stack, written from the same panel
definitions as the dashboard's Observability tab (gateway/observability/panels.py), pt-BR titles.

The committed compose/grafana/dashboards/pedidos.json must equal what this writes (a unit test checks it):
change a panel in panels.py, run the command, commit both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gateway.observability.panels import ALL_SERVICES, PANELS, SERVICES, Panel
from processors.settings import PROJECT_ROOT

DASHBOARD_PATH = PROJECT_ROOT / "compose" / "grafana" / "dashboards" / "pedidos.json"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
GRAFANA_UNITS = {
    "ops/s": "ops",
    "ops/min": "opm",
    "s": "s",
    "records": "short",
    "bytes/s": "Bps",
    "%": "percent",
    "count": "none",
}
# A stat is a quarter of the 24-column grid, a chart half of it; each 8 rows high.
WIDTH = {"stat": 6, "line": 12, "area": 12}
HEIGHT = 8


def dashboard() -> dict[str, Any]:
    return {
        "uid": "pedidos",
        "title": "Pedidos com Kafka",
        "description": "Os painéis da aba Observabilidade do painel / the dashboard's Observability tab",
        "tags": ["pedidos", "kafka"],
        "timezone": "browser",
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "schemaVersion": 39,
        "editable": False,
        "templating": {"list": [service_variable()]},
        "panels": [
            grafana_panel(panel, n, pos)
            for n, (panel, pos) in enumerate(zip(PANELS, layout(PANELS), strict=True), 1)
        ],
    }


def service_variable() -> dict[str, Any]:
    options = [{"text": "Todos", "value": "$__all", "selected": True}] + [
        {"text": name, "value": name, "selected": False} for name in SERVICES
    ]
    return {
        "name": "service",
        "label": "Serviço",
        "type": "custom",
        "query": ",".join(SERVICES),
        "includeAll": True,
        "allValue": ALL_SERVICES,
        "multi": False,
        "current": {"text": "Todos", "value": "$__all"},
        "options": options,
    }


def layout(panels: tuple[Panel, ...]) -> list[dict[str, int]]:
    """Left to right, wrapping at 24 columns, in the order of panels.py (the tab's order)."""
    positions, x, y = [], 0, 0
    for panel in panels:
        width = WIDTH[panel.kind]
        if x + width > 24:
            x, y = 0, y + HEIGHT
        positions.append({"h": HEIGHT, "w": width, "x": x, "y": y})
        x += width
    return positions


def grafana_panel(panel: Panel, panel_id: int, grid_pos: dict[str, int]) -> dict[str, Any]:
    stat = panel.kind == "stat"
    return {
        "id": panel_id,
        "type": "stat" if stat else "timeseries",
        "title": panel.title.pt,
        "description": f"{panel.explain.pt}\n\n{panel.explain.en}",
        "datasource": DATASOURCE,
        "gridPos": grid_pos,
        "fieldConfig": {
            "defaults": {
                "unit": GRAFANA_UNITS[panel.unit],
                "custom": {}
                if stat
                else {"fillOpacity": 25 if panel.kind == "area" else 0, "stacking": {"mode": "none"}},
            },
            "overrides": [],
        },
        "options": {"reduceOptions": {"calcs": ["lastNotNull"]}}
        if stat
        else {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": q.expr,
                "legendFormat": q.legend.pt,
                "range": True,
            }
            for i, q in enumerate(panel.queries)
        ],
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


@click.group()
def observability() -> None:
    """Observabilidade: painéis do Grafana / observability: Grafana boards."""


@observability.command()
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=DASHBOARD_PATH, show_default=True
)
def grafana(output: Path) -> None:
    """Escreve o dashboard do Grafana com os painéis da aba / writes the Grafana board of the tab."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(), encoding="utf-8")
    click.echo(f"{len(PANELS)} painéis escritos em / panels written to {output}")
