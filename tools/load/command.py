"""`pedidos load`: open-loop checkout load on the running gateway, then latency, throughput and the audit.

Requests leave on schedule whatever the answers do (open loop), so a slow system shows up as latency rather
than as a quietly lower rate. Needs `make run` (or `pedidos services up`) so the processors are running.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import httpx

from processors.deployment import PROCESSORS, metrics_port
from processors.runtime.metrics import sample_totals
from processors.runtime.serde import AvroCodec
from processors.settings import Settings, get_settings
from tools.load.report import latency_ms, load_report, per_second, percentile
from tools.load.slo import errors_of, parse_slo, slo_failures
from tools.reports import json_option, out_dir_option, publish, write_json
from tools.saga_harness import OrderWatcher, wait_drained
from tools.text import lang_option
from tools.traffic import send_orders
from tools.verify.command import print_table
from tools.verify.properties import audit
from tools.verify.snapshot import take_snapshot

__all__ = ["load", "percentile", "scrape"]  # percentile: the project's one nearest-rank, used by the benches

COUNTERS = (
    "pedidos_records_consumed",
    "pedidos_records_produced",
    "pedidos_transactions_committed",
    "pedidos_transactions_aborted",
)


def scrape(settings: Settings) -> dict[str, dict[str, float]]:
    """Per processor, the totals of the runtime's counters (summed over labels)."""
    totals: dict[str, dict[str, float]] = {}
    for name in PROCESSORS:
        url = f"http://{settings.host}:{metrics_port(settings, name, 0)}/metrics"
        try:
            text = httpx.get(url, timeout=5).text
        except httpx.HTTPError as error:
            raise click.ClickException(
                f"{name}-0 não responde em / does not answer at {url} ({error}): `make run` antes / first"
            ) from error
        samples = sample_totals(text)
        totals[name] = {counter: samples.get(f"{counter}_total", 0.0) for counter in COUNTERS}
    return totals


def _rates(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    delta = {counter: after[counter] - before[counter] for counter in COUNTERS}
    return {
        "events_in_per_s": round(delta["pedidos_records_consumed"] / seconds, 1),
        "events_out_per_s": round(delta["pedidos_records_produced"] / seconds, 1),
        "transactions_committed": int(delta["pedidos_transactions_committed"]),
        "transactions_aborted": int(delta["pedidos_transactions_aborted"]),
    }


@click.command("load")
@click.option("--rate", default=100.0, show_default=True, type=click.FloatRange(min=0.1), help="Pedidos/s.")
@click.option("--count", type=click.IntRange(1), default=None, help="Quantos pedidos (padrão 1000).")
@click.option("--duration", type=click.FloatRange(min=1), default=None, help="Ou: por quantos segundos.")
@click.option(
    "--slo", "slo_text", default=None, help="Objetivos, ex. p99_ms=2000,errors=0 (saída 1 se falhar)."
)
@json_option
@lang_option
@out_dir_option
def load(
    rate: float,
    count: int | None,
    duration: float | None,
    slo_text: str | None,
    json_path: Path | None,
    lang: str,
    out_dir: Path | None,
) -> None:
    """Carga de checkout em malha aberta + auditoria / open-loop checkout load + audit."""
    if count is not None and duration is not None:
        raise click.UsageError("--count ou --duration, não os dois / not both")
    if count is None and duration is None:
        count = 1000
    try:
        slo = parse_slo(slo_text) if slo_text is not None else {}
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--slo") from error
    settings = get_settings()
    base_url = f"http://{settings.host}:{settings.gateway_port}"
    before = scrape(settings)
    watcher = OrderWatcher(settings)
    planned = f"{count} pedidos" if count else f"{duration:g} s"
    click.echo(f"Enviando {planned} a {rate:g}/s para {base_url} / sending...")
    started, wall_started = time.monotonic(), time.time()
    sent = send_orders(
        base_url, count, rate, duration, progress=lambda n: click.echo(f"  enviados / sent {n}", err=True)
    )
    click.echo(
        f"  aceitos / accepted {len(sent.accepted)}, recusados / rejected {sent.rejected}, "
        f"sem resposta / no answer {sent.failed}"
    )
    try:
        ended = watcher.wait_for(
            sent.accepted, timeout_s=300, progress=lambda d, n: click.echo(f"  terminados / ended {d}/{n}")
        )
        wait_drained(settings)
    finally:
        watcher.close()
    elapsed = time.monotonic() - started
    after = scrape(settings)
    end_to_end = [watcher.ended_at[o] - sent.scheduled_at[o] for o in sent.accepted]
    per_processor = {name: _rates(before[name], after[name], elapsed) for name in PROCESSORS}
    snapshot = take_snapshot(settings, AvroCodec(settings.registry_url), scope=set(sent.accepted))
    results = audit(snapshot)
    orders = len(sent.accepted) + sum(sent.rejected.values()) + sent.failed
    report = {
        "orders": orders,
        "rate_per_s": rate,
        "duration_s": duration,
        "seconds": round(elapsed, 1),
        "accepted": len(sent.accepted),
        "rejected": sent.rejected,
        "no_answer": sent.failed,
        "outcomes": {t: list(ended.values()).count(t) for t in set(ended.values())},
        "accept_latency_ms": latency_ms(sent.accept_latencies_s),
        "checkout_to_terminal_ms": latency_ms(end_to_end),
        "processors": per_processor,
        "audit_ok": all(r.ok for r in results),
        "audit": {r.id: {"checked": r.checked, "violations": len(r.violations)} for r in results},
    }
    # accepted and accept_latencies_s are appended together, under one lock: index i is the same order
    due_s = [sent.scheduled_at[o] - wall_started for o in sent.accepted]
    report["per_second"] = per_second(orders, rate, due_s, sent.accept_latencies_s)
    click.echo(f"\n{'processador':<14} {'entrada/s':>10} {'saída/s':>10} {'commits':>8} {'aborts':>7}")
    for name, row in per_processor.items():
        click.echo(
            f"{name:<14} {row['events_in_per_s']:>10} {row['events_out_per_s']:>10} "
            f"{row['transactions_committed']:>8} {row['transactions_aborted']:>7}"
        )
    print_table(results, snapshot)
    report["slo"] = {"objectives": slo, "failures": slo_failures(slo, report)}
    publish(load_report(report), out_dir, lang=lang)
    for failure in report["slo"]["failures"]:
        click.echo(f"SLO violado / missed: {failure}", err=True)
    write_json(json_path, report)
    if not report["audit_ok"] or report["slo"]["failures"] or (errors_of(report) and not slo):
        raise SystemExit(1)
