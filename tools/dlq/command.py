"""`pedidos dlq list | replay`: what is in the dead letter queues, and sending it back safely."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from gateway.dlq.kafka_io import DlqError
from gateway.dlq.model import (
    ACTION_SHORT,
    ACTION_TEXT,
    Action,
    ReplayReport,
    Selection,
    counts_by_reason,
    format_age,
    reason_rows,
)
from gateway.dlq.replay import Listed, list_dead_letters, run_replay
from processors.settings import get_settings
from tools.reports import BarChart, Report, Table, out_dir_option, publish
from tools.text import Text, lang_option

DETAIL_WIDTH = 48
SHOWN_SKIPS = 20
NOTHING = Text("Nenhum dead letter.", "No dead letters.")
FAILED = Text("Erro: {error}", "Error: {error}")
MORE_SKIPS = Text("  ... e mais {n} (veja o JSON)", "  ... and {n} more (see the JSON)")


def _progress(message: str) -> None:
    click.echo(message, err=True)  # stderr: stdout stays the table (or the JSON of `list --json`)


def _selection(reasons: tuple[str, ...], topics: tuple[str, ...], orders: tuple[str, ...]) -> Selection:
    return Selection(frozenset(reasons), frozenset(topics), frozenset(orders))


def selection_options(command):
    for option in reversed(
        [
            click.option(
                "--reason", "reasons", multiple=True, help="Só este motivo (dlq.reason) / only this reason."
            ),
            click.option(
                "--topic",
                "topics",
                multiple=True,
                help="Só esta DLQ ou tópico de origem (payments.dlq, orders.new) / only this DLQ or origin.",
            ),
            click.option("--order", "orders", multiple=True, help="Só este pedido / only this order id."),
        ]
    ):
        command = option(command)
    return command


@click.group("dlq")
def dlq() -> None:
    """Dead letters: listar e reenviar / list and replay."""


@dlq.command("list")
@selection_options
@click.option("--json", "as_json", is_flag=True, help="Imprime os registros em JSON / print records as JSON.")
@lang_option
@out_dir_option
def list_command(
    reasons: tuple[str, ...],
    topics: tuple[str, ...],
    orders: tuple[str, ...],
    as_json: bool,
    lang: str,
    out_dir: Path | None,
) -> None:
    """Todo dead letter (read_committed): origem, motivo, idade, se já foi reenviado / every dead letter."""
    settings = get_settings()
    try:
        listed = list_dead_letters(settings, _selection(reasons, topics, orders), _progress)
    except DlqError as error:
        raise click.ClickException(str(error)) from error
    now_ms = int(time.time() * 1000)
    rows = [_row(x, now_ms) for x in listed]
    report = _list_report(listed, rows, _selection(reasons, topics, orders))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        publish(report, out_dir, lang=lang, echo=_progress)
        return
    if rows:
        columns = [
            "dead letter",
            "motivo / reason",
            "detalhe / detail",
            "origem / origin",
            "pedido / order",
            "idade / age",
            "reenviado / replayed",
        ]
        table = [
            [
                r["dead_letter"],
                r["reason"],
                _short(r["detail"]),
                r["origin"] or "-",
                r["order_id"] or "-",
                format_age(r["age_s"]),
                _replayed_cell(r),
            ]
            for r in rows
        ]
        click.echo(Table(columns, table).render())
    else:
        click.echo(NOTHING.render(lang))
    publish(report, out_dir, lang=lang)


def _row(listed: Listed, now_ms: int) -> dict:
    letter, entry = listed.letter, listed.replayed
    return {
        "dead_letter": letter.id,
        "reason": letter.reason,
        "detail": letter.detail,
        "processor": letter.processor,
        "origin": letter.origin.id if letter.origin else None,
        "order_id": letter.order_id,
        "timestamp": letter.timestamp_ms,
        "age_s": round(letter.age_s(now_ms), 1),
        "replay_of": letter.replay_of,
        "replayed": None if entry is None else entry.summary(),
    }


def _replayed_cell(row: dict) -> str:
    if row["replayed"]:
        return f"sim / yes -> {row['replayed']['copy']}"
    if row["replay_of"]:
        return f"não; falhou de novo / no; failed again ({row['replay_of']})"
    return "não / no"


def _short(text: str) -> str:
    return text if len(text) <= DETAIL_WIDTH else text[: DETAIL_WIDTH - 1] + "…"


def _list_report(listed: list[Listed], rows: list[dict], selection: Selection) -> Report:
    by_reason = counts_by_reason([x.letter for x in listed])
    replayed = counts_by_reason([x.letter for x in listed if x.replayed])
    table = Table(
        ["motivo / reason", "dead letters", "reenviados / replayed", "pendentes / pending"],
        [[r, n, replayed.get(r, 0), n - replayed.get(r, 0)] for r, n in by_reason.items()]
        + [["total", len(listed), sum(replayed.values()), len(listed) - sum(replayed.values())]],
    )
    chart = BarChart(
        "Dead letters por motivo / by reason",
        list(by_reason),
        {
            "pendentes / pending": [by_reason[r] - replayed.get(r, 0) for r in by_reason],
            "reenviados / replayed": [replayed.get(r, 0) for r in by_reason],
        },
        "registros / records",
    )
    return Report(
        "dlq-list",
        Text("Dead letters por motivo", "Dead letters by reason"),
        table,
        {"selection": selection.as_dict(), "counts_by_reason": by_reason, "records": rows},
        charts=[chart] if by_reason else [],
    )


@dlq.command("replay")
@selection_options
@click.option(
    "--dry-run", is_flag=True, help="Só mostra o que seria reenviado / only show what would be replayed."
)
@click.option(
    "--force",
    is_flag=True,
    help="Reenvia também o que ainda é inválido e replays que falharam de novo / also replay still-invalid "
    "records and replays that failed again.",
)
@lang_option
@out_dir_option
def replay_command(
    reasons: tuple[str, ...],
    topics: tuple[str, ...],
    orders: tuple[str, ...],
    dry_run: bool,
    force: bool,
    lang: str,
    out_dir: Path | None,
) -> None:
    """Reenvia os originais aos tópicos de origem, uma vez só / re-publish the originals, once.

    Cada original reenviado fica registrado no tópico dlq.replays na mesma transação, então rodar de novo
    não reenvia nada duas vezes. Each replayed original is recorded in dlq.replays in the same transaction.
    """
    settings = get_settings()
    try:
        report = run_replay(settings, _selection(reasons, topics, orders), dry_run, force, _progress)
    except DlqError as error:
        click.echo(FAILED.format(error=error).render(lang), err=True)
        sys.exit(1)
    _print_skips(report, lang)
    publish(replay_report(report), out_dir, lang=lang)


def _print_skips(report: ReplayReport, lang: str) -> None:
    skipped = [p for p in report.planned if p.action is not Action.REPLAY]
    for p in skipped[:SHOWN_SKIPS]:
        click.echo(f"  {p.letter.id}: {ACTION_TEXT[p.action]} ({p.note})")
    if len(skipped) > SHOWN_SKIPS:
        click.echo(MORE_SKIPS.format(n=len(skipped) - SHOWN_SKIPS).render(lang))


def replay_report(report: ReplayReport) -> Report:
    columns = ["motivo / reason", *(ACTION_SHORT[a] for a in Action)]
    rows = reason_rows(report)
    reasons = [str(r[0]) for r in rows[:-1]]
    series = {ACTION_SHORT[a]: [float(r[1 + i]) for r in rows[:-1]] for i, a in enumerate(Action)}
    counts = report.counts()
    kind = "dlq-replay-dry-run" if report.dry_run else "dlq-replay"
    verb = (
        Text("seriam reenviados", "would be replayed") if report.dry_run else Text("reenviados", "replayed")
    )
    title = Text("Replay da DLQ", "DLQ replay")
    return Report(
        kind,
        title + Text(" (simulação)", " (dry run)") if report.dry_run else title,
        Table(columns, rows),
        report.as_dict(),
        charts=[
            BarChart(
                "Dead letters por motivo e destino / by reason and outcome", reasons, series, "registros"
            )
        ]
        if reasons
        else [],
        conclusion=Text(
            "{replayed} dead letters {verb} ({published} registros); {already} já reenviados, {invalid} "
            "ainda inválidos, {failed} falharam de novo, {orphans} sem origem.",
            "{replayed} dead letters {verb} ({published} records); {already} already replayed, {invalid} "
            "still invalid, {failed} failed again, {orphans} without an origin.",
        ).format(
            verb=verb,
            replayed=counts[Action.REPLAY],
            published=report.published,
            already=counts[Action.ALREADY],
            invalid=counts[Action.INVALID],
            failed=counts[Action.FAILED_AGAIN],
            orphans=counts[Action.NO_ORIGIN],
        ),
    )
