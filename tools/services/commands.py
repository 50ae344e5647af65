"""`pedidos services up | down | status`: the gateway, projector, processors and traffic, supervised."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import httpx
import psycopg
from prometheus_client import start_http_server

from gateway.telemetry.store import MAX_RATE, set_traffic_rate
from processors.deployment import PROCESSORS, metrics_port
from processors.logs import configure_logging
from processors.settings import Settings, get_settings
from tools.services.supervisor import Service, Supervisor
from tools.stack.managed import ManagedProcess
from tools.stack.procs import StackError, wait_until
from tools.stack.targets import remove_targets, service_targets, write_targets

CLI = [sys.executable, "-m", "tools.cli"]


def supervisor_process(settings: Settings) -> ManagedProcess:
    return ManagedProcess("supervisor", settings.state_dir / "run", settings.state_dir / "logs")


def _status_file(settings: Settings) -> Path:
    return settings.state_dir / "run" / "services.json"


def service_list() -> list[Service]:
    services = [Service("gateway", [*CLI, "gateway"]), Service("projector", [*CLI, "projector"])]
    services += [Service(f"{name}-0", [*CLI, "processor", name, "--instance", "0"]) for name in PROCESSORS]
    # Always running, idle at rate 0: the dashboard turns traffic on, off and up (table traffic_control).
    services.append(Service("traffic", [*CLI, "traffic", "--follow"]))
    return services


@click.group()
def services() -> None:
    """Gateway, projector, processadores e tráfego / gateway, projector, processors and traffic."""


@services.command()
@click.option(
    "--traffic-rate",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0, MAX_RATE),
    help="Pedidos/s do gerador (0 desliga).",
)
def up(traffic_rate: float) -> None:
    """Sobe tudo sob o supervisor / start everything under the supervisor."""
    settings = get_settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        set_traffic_rate(conn, traffic_rate)
    supervisor = supervisor_process(settings)
    if not supervisor.is_running():
        supervisor.start([*CLI, "services", "supervise", "--", supervisor.marker])
    try:
        wait_until(
            lambda: _gateway_healthy(settings),
            timeout_s=60,
            what="gateway",
            log=settings.state_dir / "logs" / "gateway.log",
            alive=supervisor.is_running,
        )
        for name in PROCESSORS:
            port = metrics_port(settings, name, 0)
            wait_until(
                lambda port=port: _answers(f"http://{settings.host}:{port}/metrics"),
                timeout_s=60,
                what=f"{name}-0",
                log=settings.state_dir / "logs" / f"{name}-0.log",
            )
    except StackError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"  ok  gateway: http://{settings.host}:{settings.gateway_port}")
    click.echo(f"  ok  painel / dashboard: http://{settings.host}:{settings.gateway_port}/")
    click.echo(
        f"  ok  tráfego / traffic: {traffic_rate:g} pedidos/s (ajustável no painel / set it in the dashboard)"
    )
    for name in PROCESSORS:
        port = metrics_port(settings, name, 0)
        click.echo(f"  ok  {name}-0, métricas / metrics: http://{settings.host}:{port}/metrics")


@services.command()
def down() -> None:
    """Para o supervisor e seus serviços / stop the supervisor and its services."""
    if supervisor_process(get_settings()).stop(timeout_s=60):
        click.echo("  ok  serviços parados / services stopped")


@services.command()
def status() -> None:
    """Serviços, pids e reinícios / services, pids and restarts."""
    path = _status_file(get_settings())
    if not path.exists():
        raise click.ClickException("supervisor parado / not running: `pedidos services up`")
    for row in json.loads(path.read_text()):
        click.echo(f"{row['name']:<16} pid {row['pid'] or '-':>8}  reinícios / restarts {row['restarts']}")


@services.command(hidden=True)
@click.argument("marker", required=False)  # lets `services down` recognise this process by its command line
def supervise(marker: str | None) -> None:
    configure_logging("supervisor")
    settings = get_settings()
    services = service_list()
    start_http_server(metrics_port(settings, "supervisor"), addr=settings.host)
    # Prometheus scrapes what runs under this supervisor for as long as it supervises: a service that died
    # stays a target (up == 0 shows it); the files go when the supervisor stops cleanly.
    targets = write_targets(settings, service_targets(settings, [s.name for s in services]))
    code = Supervisor(services, settings.state_dir / "logs", _status_file(settings)).run()
    remove_targets(targets)
    sys.exit(code)


def _gateway_healthy(settings: Settings) -> bool:
    return _answers(f"http://{settings.host}:{settings.gateway_port}/health")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
