"""`pedidos stack logs --order`: one order's lines from every log file, merged in time order."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from processors.settings import get_settings
from tools.cli import main
from tools.stack.order_logs import follow_order, log_files, parse_time

ORDER = "3f0c2d1e-0000-5000-8000-000000000001"
OTHER = "3f0c2d1e-0000-5000-8000-000000000002"
CORRELATION = "c0ffee00-0000-4000-8000-000000000001"


def _write(path: Path, *lines: dict | str) -> None:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))


def _logs(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    _write(
        logs / "gateway.log",
        "[2026-12-06 04:08:55 +0000] [8032] [INFO] Booting worker",  # gunicorn before JSON: skipped
        {
            "ts": "2026-12-06T04:08:55.800+00:00",
            "level": "info",
            "msg": "POST /api/orders 202",
            "service": "gateway",
            "correlation_id": CORRELATION,
            "location": f"/orders/{ORDER}",
        },
        {
            "ts": "2026-12-06T04:08:55.790+00:00",
            "level": "info",
            "msg": "pedido aceito / order accepted",
            "service": "gateway",
            "order_id": ORDER,
            "correlation_id": CORRELATION,
            "topic": "orders.new",
            "partition": 3,
            "offset": 13,
        },
        {
            "ts": "2026-12-06T04:08:55.900+00:00",
            "level": "info",
            "msg": "pedido aceito / order accepted",
            "service": "gateway",
            "order_id": OTHER,
            "correlation_id": "another",
        },
    )
    _write(
        logs / "payment-0.log",
        {
            "ts": "2026-12-06T04:08:56.100+00:00",
            "level": "info",
            "msg": "pagamento aprovado / payment approved",
            "service": "payment-0",
            "order_id": ORDER,
            "correlation_id": CORRELATION,
            "payment_id": "p-1",
        },
        '{"ts": "2026-12-06T04:08:56.150+00:00", "level": "info", "msg": "broken ' + ORDER,  # cut by a crash
    )
    _write(
        logs / "orchestrator-0.log",
        {
            "ts": "2026-12-06T04:08:56.050+00:00",
            "level": "info",
            "msg": "saga - -> created",
            "service": "orchestrator-0",
            "order_id": ORDER,
            "correlation_id": CORRELATION,
        },
        {
            "ts": "2026-12-06T04:08:56.300+00:00",
            "level": "info",
            "msg": "saga paid -> confirmed",
            "service": "orchestrator-0",
            "order_id": ORDER,
            "correlation_id": CORRELATION,
        },
    )
    # PostgreSQL's jsonlog knows no order, but its message may name one; its own time format, no `service`.
    _write(
        logs / "postgres.json",
        {
            "timestamp": "2026-12-06 04:08:56.200 UTC",
            "error_severity": "ERROR",
            "pid": 7,
            "message": f"duplicate key value violates unique constraint, Key (order_id)=({ORDER})",
        },
        {
            "timestamp": "2026-12-06 04:08:57.000 UTC",
            "error_severity": "LOG",
            "message": "checkpoint starting",
        },
    )
    return logs


def test_an_order_is_followed_through_every_file_in_time_order(tmp_path: Path) -> None:
    timeline = follow_order(log_files(_logs(tmp_path)), ORDER)

    assert [(line.component, line.message.split(" / ")[0]) for line in timeline] == [
        ("gateway", "pedido aceito"),
        ("gateway", "POST /api/orders 202"),  # no order_id: found by its correlation id
        ("orchestrator-0", "saga - -> created"),
        ("payment-0", "pagamento aprovado"),
        ("postgres", "duplicate key value violates unique constraint, Key (order_id)=(" + ORDER + ")"),
        ("orchestrator-0", "saga paid -> confirmed"),
    ]
    assert all(OTHER not in line.raw for line in timeline)
    assert timeline[4].level == "error"


def test_the_readable_line_has_time_component_level_message_and_key_fields(tmp_path: Path) -> None:
    first = follow_order(log_files(_logs(tmp_path)), ORDER)[0]

    assert first.render() == (
        "2026-12-06 04:08:55.790  gateway         info    pedido aceito / order accepted  orders.new[3]@13"
    )


def test_times_of_every_component_parse_to_utc() -> None:
    python = parse_time("2026-12-06T04:08:55.790+00:00")
    assert parse_time("2026-12-06 04:08:55.790 UTC") == python  # PostgreSQL jsonlog
    assert parse_time("2026-12-06T04:08:55.790Z") == python  # log4j2 template, Quarkus
    assert parse_time("2026-12-06T01:08:55.790-03:00") == python
    assert parse_time(python.timestamp()) == python
    assert parse_time("ontem") is None
    assert parse_time(None) is None


def test_cli_prints_the_timeline_or_the_raw_lines(tmp_path: Path, monkeypatch) -> None:
    _logs(tmp_path)
    monkeypatch.setenv("PEDIDOS_STATE_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()

    readable = runner.invoke(main, ["stack", "logs", "--order", ORDER])
    raw = runner.invoke(main, ["stack", "logs", "--order", ORDER, "--json"])
    missing = runner.invoke(main, ["stack", "logs", "--order", "nenhum"])
    get_settings.cache_clear()

    assert readable.exit_code == 0, readable.output
    assert f"correlation_id {CORRELATION}" in readable.output
    assert "6 linhas / lines de / from gateway, orchestrator-0, payment-0, postgres" in readable.output
    assert raw.exit_code == 0
    assert json.loads(raw.output.splitlines()[0])["ts"] == "2026-12-06T04:08:55.790+00:00"
    assert len(raw.output.splitlines()) == 6
    assert missing.exit_code == 1
    assert "nenhuma linha de log" in missing.output and "no log line" in missing.output
