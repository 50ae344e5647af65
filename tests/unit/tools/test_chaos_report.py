import json
from pathlib import Path

from tests.report_fixtures import kill_result
from tools.chaos.kill_report import kill_report
from tools.reports import publish


def test_the_kill_report_tells_what_happened_with_the_measured_counts(tmp_path: Path) -> None:
    report = kill_report(kill_result())
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["código de saída / exit code"] == -9 and rows["pedidos / orders"] == 25
    assert rows["registros abortados / aborted records"] == 7
    assert rows["  abortados em / aborted in payments.requested"] == 4
    assert rows["auditoria / audit"] == "ok" and report.charts == ()
    assert report.conclusion is not None and "7 registros" in report.conclusion.pt
    assert "25 de 25 pedidos terminaram (23 confirmados, 2 cancelados)" in report.conclusion.pt
    assert report.conclusion is not None and "found no violation" in report.conclusion.en

    body = json.loads(publish(report, tmp_path, echo=lambda _line: None).read_text())
    assert body["kind"] == "chaos-kill" and body["chart"] is None and body["data"]["exit_code"] == -9
    assert not (tmp_path / "chaos-kill.png").exists()


def test_nothing_aborted_and_a_failed_audit_are_said_plainly() -> None:
    report = kill_report(
        kill_result(
            crash_point="after-commit", aborted_records={}, audit_ok=False, failed_properties={"P3": ["x"]}
        )
    )
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["registros abortados / aborted records"] == 0
    assert rows["auditoria / audit"] == "FALHOU / FAILED"
    assert report.conclusion is not None and "Nenhum registro abortado" in report.conclusion.pt
    assert "achou violações: P3" in report.conclusion.pt


def test_the_alert_times_are_rows_only_when_the_demo_waited_for_the_alert() -> None:
    without = dict((r[0], r[1]) for r in kill_report(kill_result()).table.rows)
    assert not any("alerta" in label for label in without)
    report = kill_report(kill_result(seconds_to_alert=41.26, seconds_to_alert_resolved=7.04))
    rows = dict((r[0], r[1]) for r in report.table.rows)
    assert rows["s da morte ao alerta no painel / s from death to the alert on the dashboard"] == 41.3
    assert rows["s do reinício ao fim do alerta / s from restart to the alert's end"] == 7.0
    assert all(len(row) == len(report.table.columns) for row in report.table.rows)
    report.table.render()
