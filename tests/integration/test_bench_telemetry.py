"""The fan-out benchmark, small: a real gunicorn gateway, a transactional producer, WebSocket clients."""

import json

from click.testing import CliRunner

from tools.bench.telemetry import telemetry

PNG = b"\x89PNG\r\n\x1a\n"


def test_every_client_gets_every_committed_event_and_the_report_is_published(tmp_path):
    raw_path = tmp_path / "raw.json"
    args = ["--clients", "3", "--rate", "200", "--seconds", "3"]
    args += ["--out", str(tmp_path), "--json", str(raw_path)]
    result = CliRunner().invoke(telemetry, args, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    report = json.loads(raw_path.read_text())
    assert report["events_sent"] >= 500
    assert report["dropped_total"] == 0
    assert report["events_received_per_client"] == [report["events_sent"]] * 3
    assert 0 < report["commit_to_client_ms"]["p50"] <= report["commit_to_client_ms"]["p99"]
    per_client = report["commit_to_client_ms_per_client"]
    assert len(per_client) == 3 and all(0 < c["p50"] <= c["p99"] for c in per_client)
    # the overall p99 is one of the clients' delays, so it cannot exceed the worst client's p99
    assert report["commit_to_client_ms"]["p99"] <= max(c["p99"] for c in per_client)

    published = json.loads((tmp_path / "bench-telemetry.json").read_text())
    assert published["kind"] == "bench-telemetry" and published["chart"] == "bench-telemetry.png"
    assert published["data"] == report
    rows = dict(published["table"]["rows"])
    assert rows["descartados / dropped (total)"] == 0
    assert rows["eventos/s por cliente, mín / per client, min"] == min(report["events_per_s_per_client"])
    assert (tmp_path / "bench-telemetry.png").read_bytes()[:8] == PNG
    assert "Nenhum evento descartado" in published["conclusion"]["pt"]
    assert "commit -> cliente p50 ms" in result.output  # the table, printed
