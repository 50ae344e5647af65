"""`pedidos chaos kill`: the classroom demo. A processor SIGKILLs itself at a chosen step, comes back with the
same transactional.id, and the audit shows that every order still ended exactly once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from processors.deployment import PROCESSORS
from processors.runtime.crash import CRASH_POINTS
from processors.runtime.inbox import InboxHandler
from processors.runtime.serde import AvroCodec
from processors.settings import Settings, get_settings
from processors.topics import TOPICS
from processors.wiring import HANDLERS
from tools.chaos.kill_alert import dashboard_gateway, monitoring_running, now_ms, wait_fired, wait_resolved
from tools.chaos.kill_narration import narrator
from tools.chaos.kill_report import kill_report
from tools.reports import json_option, out_dir_option, publish, write_json
from tools.saga_harness import (
    Checkout,
    OrderWatcher,
    ProcessorProcess,
    start_processors,
    stop_processors,
    wait_assigned,
    wait_drained,
)
from tools.services.commands import supervisor_process
from tools.stack.procs import StackError
from tools.stack.stack import Stack, require_healthy
from tools.text import lang_option
from tools.verify.properties import PropertyResult, audit
from tools.verify.snapshot import aborted_records, take_snapshot

# What each processor writes, from the declarative topic table: where its aborted records would show.
OUTPUT_TOPICS = {
    name: tuple(t.name for t in TOPICS if name in t.producers and t.avro_value) for name in PROCESSORS
}
# The processors whose batches also commit to PostgreSQL: the only ones with an after-db-commit step.
DATABASE_PROCESSORS = tuple(name for name in PROCESSORS if issubclass(HANDLERS[name], InboxHandler))
# The N-th arrival at the point crashes: at the commit steps one transaction commits first, so the crash lands
# mid-run; the per-record step only counts arrivals inside a transaction that already produced output.
CRASH_AFTER = {
    "after-consume": 1,
    "after-produce": 2,
    "after-db-commit": 2,
    "after-send-offsets": 2,
    "after-commit": 2,
}
# The victim commits once a second: its transactions span several polls, so a crash (or the slow-consumer
# drill's pause) at after-consume finds one open. With the 100 ms default, a processor that spends its commit
# interval on what one poll returned (payment at 200 orders/s) never polls inside an open transaction.
VICTIM_ENV = {"PEDIDOS_COMMIT_INTERVAL_MS": "1000", "PEDIDOS_BATCH_SIZE": "1000"}
Say = Callable[..., None]


@dataclass
class KillReport:
    processor: str
    crash_point: str
    orders: int
    exit_code: int | None = None
    seconds_to_crash: float = 0.0
    aborted_records: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    audit_ok: bool = False
    failed_properties: dict[str, list[str]] = field(default_factory=dict)
    seconds_total: float = 0.0
    # With --alert: seconds from the death to PedidosServiceDown at the gateway, from the restart to its end.
    seconds_to_alert: float | None = None
    seconds_to_alert_resolved: float | None = None


def crash_points_of(processor: str) -> tuple[str, ...]:
    return tuple(p for p in CRASH_POINTS if p != "after-db-commit" or processor in DATABASE_PROCESSORS)


def run_kill(
    settings: Settings,
    processor: str,
    crash_point: str,
    orders: int,
    rate: float,
    log_dir: Path,
    say: Say = lambda *_a, **_k: None,
    alert: bool = False,
) -> tuple[KillReport, list[PropertyResult]]:
    """``alert``: before restarting the victim, wait until its PedidosServiceDown alert reaches the gateway
    (served for the demo if `make run`'s is down), then wait for the alert to clear."""
    if crash_point not in crash_points_of(processor):
        raise click.BadParameter(f"{processor} has no {crash_point} step (no database)", param_hint="--at")
    with dashboard_gateway(settings, log_dir) if alert else contextlib.nullcontext():
        report = KillReport(processor, crash_point, orders)
        started = time.monotonic()
        topics = OUTPUT_TOPICS[processor]
        before = aborted_records(settings, topics)
        watcher = OrderWatcher(settings)
        processes = start_processors(
            log_dir,
            crash={processor: (crash_point, CRASH_AFTER[crash_point])},
            env_for={processor: VICTIM_ENV},
        )
        victim = processes[processor]
        try:
            wait_assigned(settings)
            say("started", processor=processor, point=crash_point, nth=CRASH_AFTER[crash_point])
            with Checkout(seed=int(time.time())) as checkout:
                accepted = checkout.place(orders, rate=rate)
                say("placed", orders=len(accepted), rate=rate)
                # A victim that fell behind (a busy machine) can take every order in one transaction and
                # never reach its N-th step: the orders keep coming at the same rate until it does.
                deadline = time.monotonic() + 60
                while victim.exited() is None and time.monotonic() < deadline:
                    accepted += checkout.place(max(1, round(rate / 2)), rate=rate)
            report.orders = len(accepted)
            report.exit_code = victim.exited()
            report.seconds_to_crash = time.monotonic() - started
            if report.exit_code is None:
                raise click.ClickException(
                    f"{processor} não chegou ao ponto {crash_point} em 60 s / never crashed"
                )
            say("crashed", processor=processor, code=report.exit_code, seconds=report.seconds_to_crash)
            _restart(settings, victim, report, say, alert)
            ended = watcher.wait_for(accepted, timeout_s=180)
            wait_drained(settings)
        finally:
            watcher.close()
            stop_processors(processes.values())
        after = aborted_records(settings, topics)
        report.aborted_records = {t: after[t] - before[t] for t in topics if after[t] != before[t]}
        say("aborted", processor=processor, point=crash_point, records=report.aborted_records)
        report.outcomes = {
            "confirmed": list(ended.values()).count("orders.confirmed"),
            "cancelled": list(ended.values()).count("orders.cancelled"),
        }
        say("ended", orders=len(accepted), **report.outcomes)
        snapshot = take_snapshot(settings, AvroCodec(settings.registry_url), scope=set(accepted))
        results = audit(snapshot)
        report.audit_ok = all(r.ok for r in results)
        report.failed_properties = {r.id: r.violations[:5] for r in results if not r.ok}
        report.seconds_total = time.monotonic() - started
        say("audited", results=results, snapshot=snapshot, ok=report.audit_ok, seconds=report.seconds_total)
        return report, results


def _restart(settings: Settings, victim: ProcessorProcess, report: KillReport, say: Say, alert: bool) -> None:
    """Start the victim again (with ``alert``: once its death is on the dashboard, then watch it clear)."""
    died_at_ms = now_ms()
    if alert:
        say("alert_waiting", processor=victim.name)
        episode = wait_fired(settings, victim.key, died_at_ms)
        report.seconds_to_alert = (now_ms() - died_at_ms) / 1000
        say("alert_fired", processor=victim.name, seconds=report.seconds_to_alert)
    victim.start()  # a normal instance with the same transactional.id: the crash point was for one run
    restarted_at_ms = now_ms()
    say("restarted", processor=victim.name)
    if alert:
        wait_resolved(settings, victim.key, episode)
        report.seconds_to_alert_resolved = (now_ms() - restarted_at_ms) / 1000
        say("alert_resolved", processor=victim.name, seconds=report.seconds_to_alert_resolved)


def ready_for_own_processors() -> Settings:
    """The stack is healthy and the `make run` services are down: a drill runs processors with their ids."""
    settings = get_settings()
    try:
        require_healthy(Stack(settings))
    except StackError as error:
        raise click.ClickException(str(error)) from error
    if supervisor_process(settings).is_running():
        raise click.ClickException(
            "os serviços do `make run` estão no ar e usam os mesmos transactional.ids: "
            "`pedidos services down` antes / stop `pedidos services` first"
        )
    return settings


@click.group()
def chaos() -> None:
    """Falhas de propósito, provadas pela auditoria / deliberate failures, proven by the audit."""


@chaos.command()
@click.option("--processor", "processor", type=click.Choice(PROCESSORS), required=True)
@click.option("--at", "crash_point", type=click.Choice(CRASH_POINTS), required=True)
@click.option("--orders", default=30, show_default=True, type=click.IntRange(5, 10_000))
@click.option("--rate", default=10.0, show_default=True, type=click.FloatRange(min=1), help="Pedidos/s.")
@click.option(
    "--alert/--no-alert",
    default=None,
    help="Espera o alerta PedidosServiceDown chegar ao painel antes de reiniciar, e sumir depois; padrão: "
    "quando Prometheus e Alertmanager estão no ar / wait for the alert on the dashboard "
    "(default: when monitored).",
)
@lang_option
@json_option
@out_dir_option
def kill(
    processor: str,
    crash_point: str,
    orders: int,
    rate: float,
    alert: bool | None,
    lang: str,
    json_path: Path | None,
    out_dir: Path | None,
) -> None:
    """Mata um processador num ponto do commit e prova que nada se perdeu / kill a processor mid-commit."""
    settings = ready_for_own_processors()
    if alert is None:
        alert = monitoring_running(settings)
    elif alert and not monitoring_running(settings):
        raise click.ClickException(
            "--alert precisa do Prometheus e do Alertmanager: `pedidos stack up` / "
            "--alert needs Prometheus and Alertmanager"
        )
    log_dir = settings.state_dir / "logs" / "chaos"
    report, _results = run_kill(
        settings, processor, crash_point, orders, rate, log_dir, narrator(lang), alert=alert
    )
    publish(kill_report(asdict(report)), out_dir, lang=lang)
    write_json(json_path, asdict(report))
    if not report.audit_ok:
        raise SystemExit(1)
