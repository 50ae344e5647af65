"""`pedidos load`: open-loop checkout load on the running gateway, then latency, throughput and the audit.

Requests leave on schedule whatever the answers do (open loop), so a slow system shows up as latency rather
than as a quietly lower rate. Needs `make run` (or `pedidos services up`) so the processors are running.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import click
import httpx

from gateway.telemetry.indicators import percentile as nearest_rank
from processors.catalogue import PROCESSORS, metrics_port
from processors.runtime.metrics import sample_totals
from processors.runtime.serde import AvroCodec
from processors.settings import Settings, get_settings
from tools.pipeline import OrderWatcher, wait_drained
from tools.slo import errors_of, parse_slo, slo_failures
from tools.traffic import send_orders
from tools.verify.command import print_table
from tools.verify.properties import audit
from tools.verify.snapshot import take_snapshot

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


def percentile(values: list[float], q: float) -> float:
    """Nearest rank, as the dashboard's indicators compute it; NaN for no data."""
    value = nearest_rank(sorted(values), q)
    return float("nan") if value is None else value


def _ms(values: list[float]) -> dict[str, float]:
    return {f"p{q}": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)} | {
        "mean": round(statistics.fmean(values) * 1000, 1) if values else float("nan")
    }


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
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def load(
    rate: float, count: int | None, duration: float | None, slo_text: str | None, json_path: Path | None
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
    started = time.monotonic()
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
    report = {
        "orders": len(sent.accepted) + sum(sent.rejected.values()) + sent.failed,
        "rate_per_s": rate,
        "duration_s": duration,
        "seconds": round(elapsed, 1),
        "accepted": len(sent.accepted),
        "rejected": sent.rejected,
        "no_answer": sent.failed,
        "outcomes": {t: list(ended.values()).count(t) for t in set(ended.values())},
        "accept_latency_ms": _ms(sent.accept_latencies_s),
        "checkout_to_terminal_ms": _ms(end_to_end),
        "processors": per_processor,
        "audit_ok": all(r.ok for r in results),
        "audit": {r.id: {"checked": r.checked, "violations": len(r.violations)} for r in results},
    }
    click.echo(f"\nLatência do aceite (202) / accept latency, ms: {report['accept_latency_ms']}")
    click.echo(f"Checkout -> evento terminal / terminal event, ms: {report['checkout_to_terminal_ms']}")
    click.echo(f"{'processador':<14} {'entrada/s':>10} {'saída/s':>10} {'commits':>8} {'aborts':>7}")
    for name, row in per_processor.items():
        click.echo(
            f"{name:<14} {row['events_in_per_s']:>10} {row['events_out_per_s']:>10} "
            f"{row['transactions_committed']:>8} {row['transactions_aborted']:>7}"
        )
    print_table(results, snapshot)
    report["slo"] = {"objectives": slo, "failures": slo_failures(slo, report)}
    for failure in report["slo"]["failures"]:
        click.echo(f"SLO violado / missed: {failure}", err=True)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2))
        click.echo(f"JSON: {json_path}")
    if not report["audit_ok"] or report["slo"]["failures"] or (errors_of(report) and not slo):
        raise SystemExit(1)
