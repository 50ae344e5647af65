"""`pedidos bench monitoring`: what watching the system costs. CPU and memory of Prometheus, Alertmanager and
the PostgreSQL exporter (and of the broker, which carries the JMX agent), and the series Prometheus holds, at
each traffic rate of a running `make run` (the dashboard's traffic generator sets the rate)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import httpx
import psycopg

from gateway.telemetry.store import set_traffic_rate, traffic_rate
from processors.runtime.metrics import sample_totals
from processors.settings import Settings, get_settings
from tools.bench.cpu import delta, process_cpu_s
from tools.reports import BarChart, Report, Table, json_option, out_dir_option, publish, write_json
from tools.services.commands import supervisor_process
from tools.stack.managed import resident_memory_mb
from tools.stack.monitoring import Monitoring
from tools.stack.stack import Stack
from tools.text import Text, lang_option

CORES = 2  # the machine the figures are read against (docs/observability.md)
ACCEPTED = "pedidos_gateway_checkouts_total"


@dataclass
class ComponentCost:
    component: str
    cpu_percent_of_a_core: float
    memory_mib: float


@dataclass
class RateRun:
    rate: float
    accepted_per_s: float
    seconds: float
    head_series: int
    targets_up: int
    targets: int
    components: list[ComponentCost]

    @property
    def monitoring_share_of_cores(self) -> float:
        """Prometheus, Alertmanager and the exporter together, as a share of the machine's cores (%)."""
        ours = sum(c.cpu_percent_of_a_core for c in self.components if not c.component.startswith("kafka"))
        return ours / CORES


def _pids(settings: Settings) -> dict[str, int]:
    servers = {server.process.name: server.process.pid() for server in Monitoring(settings).status_order()}
    nodes = {node.process.name: node.process.pid() for node in Stack(settings).kafka}
    missing = sorted(name for name, pid in {**servers, **nodes}.items() if pid is None)
    if missing:
        raise click.ClickException(f"fora do ar / not running: {', '.join(missing)} (`make run`)")
    return {name: pid for name, pid in {**servers, **nodes}.items() if pid is not None}


def _prometheus_value(settings: Settings, query: str) -> float:
    answer = httpx.get(f"{settings.prometheus_url}/api/v1/query", params={"query": query}, timeout=5).json()
    result = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def _accepted(settings: Settings) -> float:
    text = httpx.get(f"http://{settings.host}:{settings.gateway_port}/metrics", timeout=5).text
    return sample_totals(text).get(ACCEPTED, 0.0)  # every outcome: at a fixed rate nearly all accepted


def measure(settings: Settings, rate: float, seconds: float, warmup_s: float) -> RateRun:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        set_traffic_rate(conn, rate)
    time.sleep(warmup_s)  # the generator and the pipeline settle at the new rate: part of the method
    pids = _pids(settings)
    cpu_before = {name: process_cpu_s(pid) for name, pid in pids.items()}
    accepted_before, started = _accepted(settings), time.monotonic()
    time.sleep(seconds)  # the measurement window
    elapsed = time.monotonic() - started
    accepted = (_accepted(settings) - accepted_before) / elapsed
    components = [
        ComponentCost(
            name,
            round(100 * (delta(cpu_before[name], process_cpu_s(pid)) or 0.0) / elapsed, 2),
            round(resident_memory_mb(pid) or 0.0, 1),
        )
        for name, pid in pids.items()
    ]
    return RateRun(
        rate,
        round(accepted, 1),
        round(elapsed, 1),
        int(_prometheus_value(settings, "prometheus_tsdb_head_series")),
        int(_prometheus_value(settings, "count(up == 1)")),
        int(_prometheus_value(settings, "count(up)")),
        components,
    )


def monitoring_report(runs: list[RateRun]) -> Report:
    names = [c.component for c in runs[0].components]
    rows = [
        [c.component, *(value for run in runs for value in _cells(run, c.component))]
        for c in runs[0].components
    ]
    rows.append(["séries / series (head)", *(v for run in runs for v in (run.head_series, ""))])
    rows.append(
        ["alvos up / targets up", *(v for run in runs for v in (f"{run.targets_up}/{run.targets}", ""))]
    )
    rows.append(["pedidos/s aceitos / accepted", *(v for run in runs for v in (run.accepted_per_s, ""))])
    columns = ["componente / component"]
    for run in runs:
        columns += [f"CPU % de 1 núcleo @ {run.rate:g}/s", f"MiB @ {run.rate:g}/s"]
    shares = ", ".join(f"{run.monitoring_share_of_cores:.1f}% @ {run.rate:g}/s" for run in runs)
    return Report(
        kind="bench-monitoring",
        title=Text("Custo da observabilidade", "What monitoring costs"),
        table=Table(columns, rows),
        data={"cores": CORES, "runs": [asdict(run) for run in runs]},
        charts=[
            BarChart(
                "CPU (% de um núcleo / of one core)",
                names,
                {f"{run.rate:g}/s": [_cpu(run, n) for n in names] for run in runs},
                "% CPU",
            )
        ],
        conclusion=Text(
            f"Prometheus, Alertmanager e o exporter juntos ocupam {shares} dos {CORES} núcleos; "
            f"o broker inclui o agente JMX.",
            f"Prometheus, Alertmanager and the exporter together take {shares} of the {CORES} cores; the "
            f"broker's figures include the JMX agent.",
        ),
    )


def _cpu(run: RateRun, name: str) -> float:
    return next(c.cpu_percent_of_a_core for c in run.components if c.component == name)


def _cells(run: RateRun, name: str) -> tuple[float, float]:
    cost = next(c for c in run.components if c.component == name)
    return cost.cpu_percent_of_a_core, cost.memory_mib


@click.command("monitoring")
@click.option("--rates", default="2,100", show_default=True, help="Pedidos/s do gerador, um por medida.")
@click.option("--seconds", default=30.0, show_default=True, type=click.FloatRange(min=5))
@click.option("--warmup", "warmup_s", default=10.0, show_default=True, type=click.FloatRange(min=0))
@lang_option
@json_option
@out_dir_option
def monitoring(
    rates: str, seconds: float, warmup_s: float, lang: str, json_path: Path | None, out_dir: Path | None
) -> None:
    """CPU e memória de Prometheus, Alertmanager e exporter por taxa / what monitoring costs, per rate."""
    settings = get_settings()
    if not supervisor_process(settings).is_running():
        raise click.ClickException("precisa do `make run` no ar / needs `make run` running")
    try:
        wanted = [float(r) for r in rates.split(",")]
    except ValueError as error:
        raise click.BadParameter(f"{rates!r}: números separados por vírgula", param_hint="--rates") from error
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        before = traffic_rate(conn)
    runs = []
    try:
        for rate in wanted:
            click.echo(f"  ..  {rate:g} pedidos/s: {warmup_s:g} s de aquecimento, {seconds:g} s medindo")
            runs.append(measure(settings, rate, seconds, warmup_s))
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            set_traffic_rate(conn, before if before is not None else 2.0)
    report = monitoring_report(runs)
    publish(report, out_dir, lang=lang)
    write_json(json_path, report.data)
