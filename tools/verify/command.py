"""`pedidos verify [--json PATH]`: the exactly-once audit as a table of properties; exit 1 on a violation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from processors.runtime.serde import AvroCodec
from processors.settings import get_settings
from tools.text import DEFAULT_LANG, Text, lang_option
from tools.verify.observations import Snapshot
from tools.verify.properties import PropertyResult, audit
from tools.verify.snapshot import restrict, settled_orders, take_snapshot

READING = Text(
    "Lendo todos os tópicos (read_committed e read_uncommitted) e o banco...",
    "Reading every topic (read_committed and read_uncommitted) and the database...",
)
LEFT_OUT = Text(
    "  {n} pedidos com menos de {grace_s:g} s ficaram de fora (ainda em andamento)",
    "  {n} orders younger than {grace_s:g} s left out (still in flight)",
)
CHECKED = Text(
    "{checked:>7} verificados, {violations} violações", "{checked:>7} checked, {violations} violations"
)
ABORTED_SEEN = Text(
    "  Registros abortados que só read_uncommitted viu: {total} {by_topic}",
    "  Aborted records only read_uncommitted saw: {total} {by_topic}",
)


def run_audit(grace_s: float) -> tuple[Snapshot, list[PropertyResult], int]:
    """Audit the orders placed more than ``grace_s`` ago; returns how many younger ones were left out."""
    settings = get_settings()
    snapshot = take_snapshot(settings, AvroCodec(settings.registry_url))
    placed = {x.event["order_id"] for x in snapshot.events.get("orders.new", [])}
    settled = settled_orders(snapshot, datetime.now(UTC) - timedelta(seconds=grace_s))
    restrict(snapshot, settled)
    return snapshot, audit(snapshot), len(placed - settled)


def report_json(snapshot: Snapshot, results: list[PropertyResult]) -> dict:
    return {
        "ok": all(r.ok for r in results),
        "orders": len(snapshot.events.get("orders.new", [])),
        "aborted_records_seen_by_read_uncommitted": sum(snapshot.aborted_seen.values()),
        "properties": [
            {
                "id": r.id,
                **r.title.as_dict(),
                "checked": r.checked,
                "ok": r.ok,
                "violations": len(r.violations),
                "examples": r.violations[:20],
                "info": r.info,
            }
            for r in results
        ],
    }


def print_table(results: list[PropertyResult], snapshot: Snapshot, lang: str = DEFAULT_LANG) -> None:
    for r in results:
        mark = click.style("ok  ", fg="green") if r.ok else click.style("FAIL", fg="red", bold=True)
        title = r.title.render(lang)
        counts = CHECKED.format(checked=r.checked, violations=len(r.violations)).render(lang)
        click.echo(f"  {mark} {r.id:<4} {title:<58} {counts}")
        for example in r.violations[:5]:
            click.echo(f"           - {example}")
    by_topic = {t: n for t, n in snapshot.aborted_seen.items() if n}
    click.echo(ABORTED_SEEN.format(total=sum(snapshot.aborted_seen.values()), by_topic=by_topic).render(lang))


@click.command("verify")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Grava o relatório em JSON / write the report as JSON.",
)
@lang_option
@click.option(
    "--grace-s",
    default=90.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Pedidos mais novos que isto ainda estão em andamento e ficam de fora / younger orders are still in "
    "flight and left out (0 once the traffic stopped).",
)
def verify(json_path: Path | None, lang: str, grace_s: float) -> None:
    """Auditoria exactly-once (P1-P15) / the exactly-once audit."""
    click.echo(READING.render(lang))
    snapshot, results, in_flight = run_audit(grace_s)
    click.echo(LEFT_OUT.format(n=in_flight, grace_s=grace_s).render(lang))
    print_table(results, snapshot, lang)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report_json(snapshot, results), indent=2, ensure_ascii=False))
        click.echo(f"  JSON: {json_path}")
    if not all(r.ok for r in results):
        raise SystemExit(1)
