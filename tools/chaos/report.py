"""A finished drill as the shared report (tools/reports.py): faults table, lag and throughput charts, JSON.

Pure: it only arranges numbers the runner collected, so the unit tests can build one from made-up data.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from processors.deployment import PROCESSORS
from tools.chaos import analysis
from tools.chaos.runner import DrillResult
from tools.load.command import percentile
from tools.reports import LineChart, Report, Table
from tools.text import Text

DEFINITIONS = {
    "lag": Text(
        "lag de um grupo: soma, nas partições de entrada, de (offset final - offset confirmado); os "
        "marcadores de transação ocupam offsets, então um grupo em dia mostra alguns registros, nunca zero",
        "a group's lag: over its input partitions, log end offset minus committed offset; transaction "
        "markers take offsets too, so a caught-up group shows a few records, never zero",
    ),
    "baseline": Text(
        "nível de base: o maior lag total amostrado nos últimos 10 s do aquecimento, antes de qualquer falha",
        "baseline: the highest total lag sampled in the last 10 s of the warm-up, before any fault",
    ),
    "recovery": Text(
        "recuperação: do fim da falha (processo reiniciado, SIGCONT, broker/banco/registry saudável de "
        "novo) até a primeira amostra a partir da qual o lag total fica no nível do início da falha ou "
        f"abaixo (nunca abaixo do nível de base) por {analysis.HOLD_S:g} s, ou até a próxima falha ou o "
        "fim da carga se vierem antes; '-' se isso não aconteceu",
        "recovery: from the fault's end (process restarted, SIGCONT sent, broker/database/registry "
        "healthy again) to the first sample from which the total lag stays at or under its level when the "
        f"fault began (never below the baseline) for {analysis.HOLD_S:g} s, or until the next fault or the "
        "end of the load if sooner; '-' if that never happened",
    ),
}
COLUMNS = (
    "#",
    "t (s)",
    "falha / fault",
    "alvo / target",
    "fim / end (s)",
    "recuperação / recovery (s)",
    "detalhe",
)


def build_report(result: DrillResult, title: Text) -> Report:
    injected = [f for f in result.faults if f.injected]
    baseline = analysis.baseline_lag(result.samples, result.options.warmup)
    analysis.fill_recoveries(result.faults, result.samples, baseline, result.load_s)
    peak = analysis.peak_lag(result.samples)
    seconds = max(1, math.ceil(max([result.load_s, *(s.t_s for s in result.samples)], default=1)))
    accepted_t = [a.answered_s for a in result.answers if a.status == 202]
    refused_t = [a.answered_s for a in result.answers if a.status != 202]
    per_second = {
        "accepted": analysis.per_second(accepted_t, seconds),
        "refused": analysis.per_second(refused_t, seconds),
        "ended": analysis.per_second(result.ended_at_s.values(), seconds),
    }
    statuses = Counter(a.status for a in result.answers if a.status != 202)
    outcomes = Counter(result.ended.values())
    summary = {
        "orders": {
            "scheduled": len(result.answers),
            "accepted": len(result.accepted),
            "refused_by_status": {str(k): v for k, v in sorted(statuses.items())},
            "ended": len(result.ended),
            "confirmed": outcomes.get("orders.confirmed", 0),
            "cancelled": outcomes.get("orders.cancelled", 0),
            "never_ended": len(result.accepted) - len(result.ended),
        },
        "latency_ms": {
            "accept": _ms([a.answered_s - a.due_s for a in result.answers if a.status == 202]),
            "checkout_to_terminal": _ms(
                [result.ended_at_s[o] - result.due_at_s[o] for o in result.ended_at_s if o in result.due_at_s]
            ),
        },
        "lag": {
            "baseline": baseline,
            "peak": peak.lag,
            "peak_at_s": peak.at_s,
            "peak_by_group": peak.by_group,
        },
        "aborted": {
            "records_by_topic": result.aborted_records,
            "records": None if result.aborted_records is None else sum(result.aborted_records.values()),
            "transactions_by_reason": result.aborts_by_reason,
            "transactions": sum(result.aborts_by_reason.values()),
            "fatal_exits_logged": result.fatal_exits,
        },
        "retried_by_topic": result.retried_by_topic,
        "dead_lettered_by_reason": result.dead_lettered_by_reason,
        "audit": {
            "ok": result.audit_ok,
            "properties": [
                {
                    "id": r.id,
                    **r.title.as_dict(),
                    "checked": r.checked,
                    "violations": len(r.violations),
                    "examples": r.violations[:10],
                }
                for r in result.audit_results
            ],
        },
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.checks],
        "errors": result.errors,
        "ok": result.ok,
    }
    groups = [g for g in PROCESSORS if any(s.lag and g in s.lag for s in result.samples)]
    lag = analysis.lag_series(result.samples, groups)
    markers = _markers(result)
    data: dict[str, Any] = {
        "drill_id": result.drill_id,
        "scenario": result.scenario,
        "options": {
            "rate": result.options.rate,
            "duration_s": result.options.duration_s,
            "warmup_s": result.options.warmup,
            "tail_s": result.options.tail,
            "settle_s": result.options.settle_s,
            "seed": result.options.seed,
            **result.scenario_options,
        },
        "load_s": result.load_s,
        "definitions": {name: text.as_dict() for name, text in DEFINITIONS.items()},
        "faults": [f.as_dict() for f in result.faults],
        "fault_records_undelivered": result.undelivered_fault_records,
        **summary,
        "series": {"t_s": [s.t_s for s in result.samples], "lag": lag, "per_second": per_second},
    }
    rows = [
        [
            f.id,
            f.start_s,
            f.kind if f.injected else f"({f.kind})",
            f.target,
            f.end_s,
            f.recovery_s,
            f.detail[:60],
        ]
        for f in result.faults
    ]
    charts = [
        LineChart(
            "Lag por grupo, com as falhas / lag per group, with the faults",
            [s.t_s for s in result.samples],
            {name: [math.nan if v is None else v for v in values] for name, values in lag.items()},
            "t (s)",
            "registros / records",
            markers,
        ),
        LineChart(
            "Pedidos por segundo / orders per second",
            list(range(seconds)),
            {
                "aceitos / accepted": per_second["accepted"],
                "recusados / refused": per_second["refused"],
                "terminados / ended": per_second["ended"],
            },
            "t (s)",
            "pedidos/s / orders/s",
            markers,
        ),
    ]
    conclusion = _conclusion(summary, len(injected))
    return Report(f"chaos-{result.scenario}", title, Table(COLUMNS, rows), data, charts, conclusion)


def _markers(result: DrillResult) -> list[tuple[float, str]]:
    markers = []
    for f in result.faults:
        label = f"{f.kind} {f.target}" if f.injected else f"({f.kind} {f.target})"
        markers.append((f.start_s, label))
        if f.end_s is not None and f.end_s - f.start_s >= 2:
            markers.append((f.end_s, f"fim / end {f.kind}"))
    return markers


def _ms(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(percentile(seconds, 50) * 1000, 1),
        "p99": round(percentile(seconds, 99) * 1000, 1),
        "max": round(max(seconds) * 1000, 1),
    }


def _conclusion(summary: dict[str, Any], injected: int) -> Text:
    o, lag, ab, audit = summary["orders"], summary["lag"], summary["aborted"], summary["audit"]
    violations = sum(p["violations"] for p in audit["properties"])
    checks_failed = [c["name"] for c in summary["checks"] if not c["ok"]]
    refused = sum(o["refused_by_status"].values())
    verdict = (
        Text("OK, nenhuma violação", "OK, no violation")
        if audit["ok"]
        else Text(f"FALHOU, {violations} violações", f"FAILED, {violations} violations")
    )
    peak_at = "-" if lag["peak_at_s"] is None else f"{lag['peak_at_s']:g}"
    text = Text(
        f"Auditoria: {verdict.pt} ({len(audit['properties'])} propriedades). {injected} falhas injetadas. "
        f"Pedidos: {o['accepted']} aceitos, {refused} recusados {o['refused_by_status']} (recusado não é "
        f"perdido: o cliente tenta de novo), {o['ended']} terminaram ({o['confirmed']} confirmados, "
        f"{o['cancelled']} cancelados), {o['never_ended']} sem fim. Lag: base {lag['baseline']}, pico "
        f"{lag['peak']} em t={peak_at} s. Abortos: {ab['transactions']} transações abortadas pelos "
        f"processadores {ab['transactions_by_reason']}, {ab['records']} registros abortados (só "
        f"read_uncommitted os vê). Retentativas: {summary['retried_by_topic']}; DLQ: "
        f"{summary['dead_lettered_by_reason']}. {DEFINITIONS['recovery'].pt}.",
        f"Audit: {verdict.en} ({len(audit['properties'])} properties). {injected} faults injected. "
        f"Orders: {o['accepted']} accepted, {refused} refused {o['refused_by_status']} (refused is not lost: "
        f"the client retries), {o['ended']} ended ({o['confirmed']} confirmed, {o['cancelled']} cancelled), "
        f"{o['never_ended']} never ended. Lag: baseline {lag['baseline']}, peak {lag['peak']} at "
        f"t={peak_at} s. Aborts: {ab['transactions']} transactions aborted by the processors "
        f"{ab['transactions_by_reason']}, {ab['records']} aborted records (only read_uncommitted sees them). "
        f"Retries: {summary['retried_by_topic']}; DLQ: {summary['dead_lettered_by_reason']}. "
        f"{DEFINITIONS['recovery'].en}.",
    )
    if checks_failed:
        text += Text(
            f" Verificações do cenário que falharam: {checks_failed}.",
            f" Scenario checks failed: {checks_failed}.",
        )
    if summary["errors"]:
        text += Text(f" Erros: {summary['errors'][:3]}.", f" Errors: {summary['errors'][:3]}.")
    return text
