"""The fan-out benchmark, small: a real gunicorn gateway, a transactional producer, WebSocket clients."""

from tools.bench.telemetry import run_bench


def test_every_client_gets_every_committed_event_and_the_delay_is_measured(settings):
    log = settings.state_dir / "test-logs" / "bench-telemetry-gateway.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    report = run_bench(clients=3, rate=200, seconds=3, log_path=log)
    assert report["events_sent"] >= 500
    assert report["dropped_total"] == 0
    assert report["events_received_per_client"] == [report["events_sent"]] * 3
    assert 0 < report["commit_to_client_ms"]["p50"] <= report["commit_to_client_ms"]["p99"]
