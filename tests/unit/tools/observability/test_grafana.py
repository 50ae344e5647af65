"""The Grafana board is generated from the tab's panels, and every panel's PromQL parses and names only
metrics the project exports (issue 13: "one source of truth")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.observability.panels import ALL_SERVICES, PANELS, SERVICES
from tools.observability.grafana import DASHBOARD_PATH, grafana, render

# The metric names of /work/obs-contract.md's list, until docs/metrics.md (issue 13's table of every
# metric) lands on this branch: then this constant should be read from that table instead.
EXPORTED_METRICS = frozenset(
    {
        "pedidos_records_consumed_total",
        "pedidos_records_produced_total",
        "pedidos_transactions_committed_total",
        "pedidos_transactions_aborted_total",
        "pedidos_transaction_duration_seconds",
        "pedidos_transaction_commit_duration_seconds",
        "pedidos_handler_duration_seconds",
        "pedidos_processor_errors_total",
        "pedidos_records_retried_total",
        "pedidos_records_dead_lettered_total",
        "pedidos_assigned_partitions",
        "pedidos_consumer_lag_records",
        "pedidos_consumer_lag_seconds",
        "pedidos_order_checkout_to_terminal_seconds",
        "pedidos_projector_events_total",
        "pedidos_projector_poison_records_total",
        "pedidos_projector_rewinds_total",
        "pedidos_projector_batch_duration_seconds",
        "pedidos_gateway_checkouts_total",
        "pedidos_gateway_broker_ack_seconds",
        "pedidos_supervisor_restarts_total",
        "pedidos_supervisor_service_running",
        "kafka_server_brokertopicmetrics_messagesin_total",
        "kafka_server_brokertopicmetrics_bytesin_total",
        "kafka_server_brokertopicmetrics_bytesout_total",
        "kafka_network_requestmetrics_totaltime_seconds",
        "kafka_server_replicamanager_underreplicatedpartitions",
        "kafka_controller_kafkacontroller_offlinepartitionscount",
        "kafka_server_replicamanager_isrshrinks_total",
        "kafka_controller_kafkacontroller_activecontrollercount",
        "http_server_requests_seconds_count",
        "pg_up",
        "pg_stat_database_xact_commit",
        "pg_stat_database_numbackends",
        "up",  # Prometheus' own per target: 1 when the last scrape worked
    }
)
HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")
PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
}


def metric_names(expr: str) -> set[str]:
    """Identifiers that are series names: not functions or aggregations (followed by "("), not keywords,
    not inside label matchers, grouping clauses or range selectors."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)", " ", bare)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", bare):
        if bare[match.end() :].lstrip().startswith("(") or match[0] in PROMQL_WORDS:
            continue
        names.add(match[0])
    return names


def exported(name: str) -> bool:
    if name in EXPORTED_METRICS:
        return True
    base = next((name.removesuffix(s) for s in HISTOGRAM_SERIES if name.endswith(s)), None)
    return base is not None and base in EXPORTED_METRICS


def test_metric_names_finds_the_series_and_skips_functions_labels_and_keywords():
    expr = 'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{processor=~"x|y"}[5m]))) / on() b'
    assert metric_names(expr) == {"a_seconds_bucket", "b"}
    assert metric_names('up{job=~"kafka"} + pg_up') == {"up", "pg_up"}


def test_every_panel_names_only_metrics_the_project_exports():
    unknown = {p.id: sorted(n for e in p.exprs() for n in metric_names(e) if not exported(n)) for p in PANELS}
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
