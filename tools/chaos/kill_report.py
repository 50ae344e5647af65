"""What one `pedidos chaos kill` run did, as the shared report (table and conclusion): pure, no Kafka.

No chart: the story is a handful of counts, and the table tells it better than bars would.
"""

from __future__ import annotations

from typing import Any

from tools.reports import Cell, Report, Table
from tools.text import Text, join

ALERT_ROWS = {
    "seconds_to_alert": "s da morte ao alerta no painel / s from death to the alert on the dashboard",
    "seconds_to_alert_resolved": "s do reinício ao fim do alerta / s from restart to the alert's end",
}


def kill_report(kill: dict[str, Any]) -> Report:
    """``kill`` is a `KillReport` as a dict (what `--json` writes)."""
    aborted = kill["aborted_records"]
    rows: list[list[Cell]] = [
        ["processador / processor", kill["processor"]],
        ["ponto do crash / crash point", kill["crash_point"]],
        ["código de saída / exit code", kill["exit_code"]],
        ["segundos até o crash / seconds to the crash", round(kill["seconds_to_crash"], 1)],
        ["pedidos / orders", kill["orders"]],
        ["confirmados / confirmed", kill["outcomes"].get("confirmed", 0)],
        ["cancelados / cancelled", kill["outcomes"].get("cancelled", 0)],
        ["registros abortados / aborted records", sum(aborted.values())],
        *([f"  abortados em / aborted in {topic}", n] for topic, n in sorted(aborted.items())),
        *([label, round(kill[key], 1)] for key, label in ALERT_ROWS.items() if kill.get(key) is not None),
        ["auditoria / audit", "ok" if kill["audit_ok"] else "FALHOU / FAILED"],
        ["duração total / total seconds", round(kill["seconds_total"], 1)],
    ]
    return Report(
        kind="chaos-kill",
        title=Text(
            f"Demo do kill: {kill['processor']} morto em {kill['crash_point']}",
            f"Kill demo: {kill['processor']} killed at {kill['crash_point']}",
        ),
        table=Table(["o que aconteceu / what happened", "valor / value"], rows),
        data=kill,
        conclusion=_conclusion(kill),
    )


def _conclusion(kill: dict[str, Any]) -> Text:
    who, point, code = kill["processor"], kill["crash_point"], kill["exit_code"]
    total = sum(kill["aborted_records"].values())
    confirmed, cancelled = kill["outcomes"].get("confirmed", 0), kill["outcomes"].get("cancelled", 0)
    ended = confirmed + cancelled
    came_back = Text(
        f"{who}-0 morreu (código {code}) em {point} e voltou com o mesmo transactional.id.",
        f"{who}-0 died (exit code {code}) at {point} and came back with the same transactional.id.",
    )
    aborted = (
        Text(
            f"{total} registros da transação que ficou aberta foram abortados: só read_uncommitted os vê.",
            f"{total} records of the transaction it left open were aborted: only read_uncommitted sees them.",
        )
        if total
        else Text(
            "Nenhum registro abortado: não havia saída pendente numa transação aberta.",
            "No record aborted: no output was pending in an open transaction.",
        )
    )
    outcome = Text(
        f"{ended} de {kill['orders']} pedidos terminaram ({confirmed} confirmados, {cancelled} cancelados)",
        f"{ended} of {kill['orders']} orders ended ({confirmed} confirmed, {cancelled} cancelled)",
    )
    failed = ", ".join(sorted(kill["failed_properties"]))
    if kill["audit_ok"]:
        outcome += Text(
            " e a auditoria exactly-once não achou violações.",
            " and the exactly-once audit found no violation.",
        )
    else:
        outcome += Text(
            f" e a auditoria exactly-once achou violações: {failed}.",
            f" and the exactly-once audit found violations: {failed}.",
        )
    return join([came_back, aborted, outcome])
