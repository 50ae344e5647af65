import json
import math
from pathlib import Path

from tools.load.report import latency_ms, load_report, per_second, percentile
from tools.reports import BarChart, LineChart, publish


def test_percentile_is_nearest_rank_and_nan_without_data() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([1.0, 2.0], 99) == 2.0
    assert math.isnan(percentile([], 50))
    assert latency_ms([0.010, 0.020, 0.030]) == {"p50": 20.0, "p95": 30.0, "p99": 30.0, "mean": 20.0}


def test_per_second_puts_each_order_in_its_schedule_second_despite_clock_jitter() -> None:
    # 5/s for 11 orders: seconds 0 and 1 hold 5 each, second 2 holds the last one. Orders 0..9 accepted; the
    # order due at exactly 1.0 s is seen a hair early (0.9999 s): it still belongs to second 1.
    offsets = [n / 5 for n in range(10)]
    offsets[5] = 0.9999
    latencies = [0.010] * 5 + [0.010, 0.020, 0.030, 0.040, 0.500]
    series = per_second(11, 5.0, offsets, latencies)
    assert series["second"] == [0.0, 1.0, 2.0]
    assert series["offered"] == [5, 5, 1]
    assert series["accepted"] == [5, 5, 0]
    assert series["accept_p99_ms"][:2] == [10.0, 500.0]
    assert math.isnan(series["accept_p99_ms"][2])  # nothing accepted in that second
    assert sum(series["offered"]) == 11 and sum(series["accepted"]) == len(offsets)


def test_per_second_of_nothing_sent_is_empty() -> None:
    assert per_second(0, 10.0, [], []) == {"second": [], "offered": [], "accepted": [], "accept_p99_ms": []}


def _data(**overrides: object) -> dict:
    data = {
        "orders": 11,
        "rate_per_s": 5.0,
        "duration_s": None,
        "seconds": 4.2,
        "accepted": 10,
        "rejected": {503: 1},
        "no_answer": 0,
        "outcomes": {"orders.confirmed": 9, "orders.cancelled": 1},
        "accept_latency_ms": latency_ms([0.01] * 10),
        "checkout_to_terminal_ms": latency_ms([0.2, 0.3, 0.4]),
        "processors": {},
        "audit_ok": True,
        "audit": {},
        "per_second": per_second(11, 5.0, [n / 5 for n in range(10)], [0.01] * 10),
        "slo": {"objectives": {"p99_ms": 2000.0}, "failures": []},
    }
    return data | overrides


def test_the_load_report_has_the_figures_the_charts_and_a_conclusion_matching_them(tmp_path: Path) -> None:
    report = load_report(_data())
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["pedidos enviados / orders sent"] == 11 and rows["aceitos (202) / accepted"] == 10
    assert rows["recusados / rejected"] == 1 and rows["checkout -> terminal p99 ms"] == 400.0
    assert rows["confirmados / confirmed"] == 9 and rows["auditoria / audit"] == "ok" and rows["SLO"] == "ok"
    offered_vs_accepted, accept_p99, end_to_end = report.charts
    assert isinstance(offered_vs_accepted, LineChart) and isinstance(accept_p99, LineChart)
    assert list(offered_vs_accepted.series.values()) == [[5, 5, 1], [5, 5, 0]]
    assert isinstance(end_to_end, BarChart) and end_to_end.series["ms"] == [300.0, 400.0, 400.0, 300.0]
    assert report.conclusion is not None and "10 de 11 pedidos aceitos (91%)" in report.conclusion.pt
    assert "p99 400 ms" in report.conclusion.pt and "cumpridos" in report.conclusion.pt
    assert report.conclusion is not None and "Every objective (SLO) was met" in report.conclusion.en

    body = json.loads(publish(report, tmp_path, echo=lambda _line: None).read_text())
    assert body["kind"] == "load" and body["chart"] == "load.png"
    assert body["data"]["per_second"]["offered"] == [5, 5, 1]
    assert (tmp_path / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missed_slo_a_failed_audit_and_missing_latencies_say_so() -> None:
    report = load_report(
        _data(
            audit_ok=False,
            checkout_to_terminal_ms=latency_ms([]),
            slo={"objectives": {"p50_ms": 0.0}, "failures": ["p50_ms: medido / measured 300 > 0"]},
        )
    )
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["auditoria / audit"] == "FALHOU / FAILED" and rows["SLO"] == "1 violado(s) / missed"
    assert rows["checkout -> terminal p50 ms"] is None  # shown as "-", stored as null
    assert report.conclusion is not None and "SLO violado: p50_ms" in report.conclusion.pt
    assert "achou violações" in report.conclusion.pt and "p50 -" in report.conclusion.pt
    assert "no SLO" not in report.conclusion.en and "SLO missed" in report.conclusion.en
