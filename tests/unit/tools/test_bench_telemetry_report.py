from tools.bench.telemetry_report import telemetry_report
from tools.reports import BarChart


def _data(**overrides: object) -> dict:
    data = {
        "clients": 2,
        "rate_per_s": 200.0,
        "seconds": 3.0,
        "events_sent": 600,
        "events_per_s_sent": 200.0,
        "events_received_per_client": [600, 540],
        "events_per_s_per_client": [200.0, 180.0],
        "events_per_s_all_clients": 380.0,
        "commit_to_client_ms": {"p50": 20.0, "p99": 90.0},
        "commit_to_client_ms_per_client": [{"p50": 18.0, "p99": 40.0}, {"p50": 25.0, "p99": 90.0}],
        "dropped_per_client": [0, 60],
        "dropped_total": 60,
    }
    return data | overrides


def test_the_telemetry_report_shows_per_client_rates_and_delays() -> None:
    report = telemetry_report(_data())
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["eventos/s por cliente, mín / per client, min"] == 180.0
    assert rows["eventos/s por cliente, máx / per client, max"] == 200.0
    assert rows["commit -> cliente p99 ms / commit -> client p99 ms"] == 90.0
    assert rows["descartados / dropped (total)"] == 60
    rates, delays = report.charts
    assert isinstance(rates, BarChart) and rates.series["eventos/s / events/s"] == [200.0, 180.0]
    assert rates.reference_line == 200.0 and rates.categories == ["cliente 1", "cliente 2"]
    assert isinstance(delays, BarChart) and delays.series == {"p50": [18.0, 25.0], "p99": [40.0, 90.0]}
    assert report.conclusion is not None and "90.0% dos 600" in report.conclusion.pt
    assert "descartou 60 eventos" in report.conclusion.pt
    assert report.conclusion is not None and "dropped 60 events" in report.conclusion.en


def test_no_drops_is_said_and_a_missing_delay_is_an_empty_cell() -> None:
    report = telemetry_report(
        _data(dropped_total=0, commit_to_client_ms={"p50": float("nan"), "p99": float("nan")})
    )
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["commit -> cliente p50 ms / commit -> client p50 ms"] is None
    assert report.conclusion is not None and "Nenhum evento descartado" in report.conclusion.pt
    assert "p50 -, p99 -." in report.conclusion.pt
