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
from prometheus_client.parser import text_string_to_metric_families

from processors.catalogue import PROCESSORS, metrics_port
from processors.runtime.serde import AvroCodec
from processors.settings import Settings, get_settings
from tools.pipeline import OrderWatcher, wait_drained
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
        text = httpx.get(f"http://{settings.host}:{metrics_port(settings, name, 0)}/metrics", timeout=5).text
        totals[name] = dict.fromkeys(COUNTERS, 0.0)
        for family in text_string_to_metric_families(text):
            if family.name in COUNTERS:
                totals[name][family.name] = sum(s.value for s in family.samples if s.name.endswith("_total"))
    return totals


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


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
@click.option("--count", default=1000, show_default=True, type=click.IntRange(1))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def load(rate: float, count: int, json_path: Path | None) -> None:
    """Carga de checkout em malha aberta + auditoria / open-loop checkout load + audit."""
    settings = get_settings()
    base_url = f"http://{settings.host}:{settings.gateway_port}"
    before = scrape(settings)
    watcher = OrderWatcher(settings)
    click.echo(f"Enviando {count} pedidos a {rate:g}/s para {base_url} / sending...")
    started = time.monotonic()
    sent = send_orders(base_url, count, rate)
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
        "orders": count,
        "rate_per_s": rate,
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
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2))
        click.echo(f"JSON: {json_path}")
    if not report["audit_ok"] or len(sent.accepted) != count:
        raise SystemExit(1)
