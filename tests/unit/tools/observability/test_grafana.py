"""The Grafana board is generated from the tab's panels, and every panel's PromQL parses and names only
metrics the project exports (issue 13: "one source of truth")."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.observability.panels import ALL_SERVICES, PANELS, SERVICES
from tests.promql_names import metric_names, undocumented
from tools.observability.grafana import DASHBOARD_PATH, grafana, render


def test_metric_names_finds_the_series_and_skips_functions_labels_and_keywords():
    expr = 'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{processor=~"x|y"}[5m]))) / on() b'
    assert metric_names(expr) == {"a_seconds_bucket", "b"}
    assert metric_names('up{job=~"kafka"} + pg_up') == {"up", "pg_up"}


def test_every_panel_names_only_metrics_the_project_exports():
    unknown = {p.id: sorted(undocumented({n for e in p.exprs() for n in metric_names(e)})) for p in PANELS}
    assert {k: v for k, v in unknown.items() if v} == {}
    assert all(any(metric_names(e) for e in p.exprs()) for p in PANELS)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian prometheus) is not installed")
@pytest.mark.parametrize("service", [ALL_SERVICES, SERVICES[0]])
def test_every_panel_query_parses_with_promtool(tmp_path: Path, service: str):
    rules = [
        {"record": f"panel:{panel.id}:{index}", "expr": expr}
        for panel in PANELS
        for index, expr in enumerate(panel.exprs(service))
    ]
    path = tmp_path / "panels.rules.json"  # JSON is YAML: promtool reads it as a rules file
    path.write_text(json.dumps({"groups": [{"name": "panels", "rules": rules}]}), encoding="utf-8")
    result = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules)} rules found" in result.stdout


def test_the_committed_grafana_board_is_what_the_generator_writes_now():
    assert DASHBOARD_PATH.read_text(encoding="utf-8") == render(), "run `pedidos observability grafana`"


def test_the_board_has_every_panel_with_its_queries_and_the_service_variable(tmp_path: Path):
    output = tmp_path / "board.json"
    result = CliRunner().invoke(grafana, ["--output", str(output)])
    assert result.exit_code == 0, result.output
    board = json.loads(output.read_text(encoding="utf-8"))
    assert [p["title"] for p in board["panels"]] == [p.title.pt for p in PANELS]
    assert [[t["expr"] for t in g["targets"]] for g in board["panels"]] == [
        [q.expr for q in p.queries] for p in PANELS
    ]
    assert {t["datasource"]["uid"] for g in board["panels"] for t in g["targets"]} == {"prometheus"}
    (variable,) = board["templating"]["list"]
    assert variable["name"] == "service" and variable["allValue"] == ALL_SERVICES
    assert variable["query"].split(",") == list(SERVICES)
    # no two panels overlap on Grafana's 24-column grid
    cells = [
        (x, y)
        for g in board["panels"]
        for p in [g["gridPos"]]
        for x in range(p["x"], p["x"] + p["w"])
        for y in range(p["y"], p["y"] + p["h"])
    ]
    assert len(cells) == len(set(cells)) and max(x for x, _ in cells) < 24
