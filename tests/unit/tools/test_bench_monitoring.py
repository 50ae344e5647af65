"""The monitoring benchmark's report: one row per component, columns per rate, the monitoring's share of the
cores without the broker's."""

from __future__ import annotations

from tools.bench.monitoring import ComponentCost, RateRun, monitoring_report


def _run(rate: float, prometheus_cpu: float) -> RateRun:
    components = [
        ComponentCost("prometheus", prometheus_cpu, 60.0),
        ComponentCost("alertmanager", 0.1, 35.0),
        ComponentCost("postgres-exporter", 0.3, 15.0),
        ComponentCost("kafka-1", 40.0, 400.0),
    ]
    return RateRun(rate, rate, 30.0, 2500, 12, 12, components)


def test_the_share_of_the_cores_counts_monitoring_only_not_the_broker():
    assert _run(2, 1.6).monitoring_share_of_cores == 1.0  # (1.6 + 0.1 + 0.3) / 2 cores


def test_the_report_has_a_row_per_component_and_two_columns_per_rate():
    report = monitoring_report([_run(2, 1.6), _run(100, 5.6)])
    assert report.table.columns[1:] == [
        "CPU % de 1 núcleo @ 2/s",
        "MiB @ 2/s",
        "CPU % de 1 núcleo @ 100/s",
        "MiB @ 100/s",
    ]
    rows = {row[0]: list(row[1:]) for row in report.table.rows}
    assert rows["prometheus"] == [1.6, 60.0, 5.6, 60.0]
    assert rows["alvos up / targets up"] == ["12/12", "", "12/12", ""]
    assert "1.0% @ 2/s, 3.0% @ 100/s" in report.conclusion.render("pt")
