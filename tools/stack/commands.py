"""`pedidos stack ...`: install, start, stop and inspect the real components."""

from __future__ import annotations

import json
import time

import click

from processors.settings import get_settings
from tools.stack.dist import Distributions, ensure_registry_java
from tools.stack.order_logs import follow_order, log_files
from tools.stack.procs import StackError
from tools.stack.stack import Stack


def _stack(brokers: int | None) -> Stack:
    settings = get_settings()
    if brokers is not None:
        settings = settings.model_copy(update={"kafka_brokers": brokers})
    return Stack(settings)


brokers_option = click.option(
    "--brokers",
    type=click.IntRange(1, 3),
    default=None,
    help="Nós Kafka / Kafka nodes [default: PEDIDOS_KAFKA_BROKERS, else the size last started here, else 1]",
)


@click.group()
def stack() -> None:
    """Kafka, registry, PostgreSQL e monitoração locais / local Kafka, registry, PostgreSQL, monitoring."""


@stack.command()
def install() -> None:
    """Baixa Kafka, Apicurio e o agente JMX do Maven Central / fetch them from Maven Central."""
    settings = get_settings()
    started = time.monotonic()
    try:
        dists = Distributions(settings.dist_dir)
        dists.install(click.echo)
        dists.install_jmx_agent(click.echo)
        java = ensure_registry_java(click.echo)
    except StackError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"  ok  Java do registry / registry's Java: {java}")
    click.echo(f"Instalação concluída / install done in {time.monotonic() - started:.1f} s")


@stack.command()
@brokers_option
def up(brokers: int | None) -> None:
    """Sobe tudo e espera ficar saudável / start everything and wait until healthy."""
    the_stack = _stack(brokers)
    try:
        dists = Distributions(the_stack.settings.dist_dir)
        if not dists.installed():
            dists.install(click.echo)
        if not dists.jmx_agent_installed():
            dists.install_jmx_agent(click.echo)
        timings = the_stack.up(click.echo)
    except StackError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Stack saudável / healthy in {max(timings.values()):.1f} s")


@stack.command()
@brokers_option
def down(brokers: int | None) -> None:
    """Para só o que o stack iniciou (nós Kafka de qualquer tamanho) / stop only what the stack started."""
    try:
        _stack(brokers).down(click.echo)
    except StackError as error:
        raise click.ClickException(str(error)) from error


@stack.command()
@brokers_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(brokers: int | None, as_json: bool) -> None:
    """Componente, endereço, pid, saúde e memória / component, address, pid, health, memory."""
    rows = _stack(brokers).status()
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        click.echo(f"{'componente':<17} {'endereço / address':<44} {'pid':>8}  {'saúde':<9} {'memória':>9}")
        for row in rows:
            health = "saudável" if row.healthy else ("doente" if row.pid else "parado")
            memory = f"{row.memory_mb:.0f} MiB" if row.memory_mb is not None else "-"
            click.echo(f"{row.name:<17} {row.address:<44} {row.pid or '-':>8}  {health:<9} {memory:>9}")
    if not all(row.healthy for row in rows):
        raise SystemExit(1)


@stack.command()
@brokers_option
@click.argument("component", required=False)
@click.option("-n", "--lines", default=40, show_default=True)
@click.option("--order", "order_id", help="Segue um pedido por todos os logs / follow one order everywhere.")
@click.option("--json", "as_json", is_flag=True, help="Com --order: linhas JSON originais / raw JSON lines.")
def logs(brokers: int | None, component: str | None, lines: int, order_id: str | None, as_json: bool) -> None:
    """Últimas linhas dos logs / last lines of the logs (postgres, kafka-1.., registry); --order segue um
    pedido / follows one order."""
    if order_id:
        if component:
            raise click.UsageError("--order segue o pedido em todos os logs / follows it through every log")
        _order_timeline(order_id, as_json)
        return
    files = _stack(brokers).log_files()
    if component and component not in files:
        raise click.BadParameter(f"unknown component {component!r}; choose from {', '.join(files)}")
    for name, path in files.items():
        if component and name != component:
            continue
        click.secho(f"==> {name}: {path}", bold=True)
        if path.exists():
            click.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


def _order_timeline(order_id: str, as_json: bool) -> None:
    logs_dir = get_settings().state_dir / "logs"
    timeline = follow_order(log_files(logs_dir), order_id)
    if not timeline:
        raise click.ClickException(
            f"nenhuma linha de log em {logs_dir} menciona o pedido {order_id} / "
            f"no log line in {logs_dir} mentions order {order_id}"
        )
    if as_json:
        for line in timeline:
            click.echo(line.raw)
        return
    correlation_ids = sorted({str(c) for line in timeline if (c := line.fields.get("correlation_id"))})
    click.secho(f"pedido / order {order_id}  correlation_id {', '.join(correlation_ids) or '-'}", bold=True)
    for line in timeline:
        click.echo(line.render())
    components = sorted({line.component for line in timeline})
    click.echo(f"{len(timeline)} linhas / lines de / from {', '.join(components)}")
