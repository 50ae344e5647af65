"""`pedidos chaos <scenario>`: one command per failure drill, all sharing the load and report options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from processors.deployment import PROCESSORS
from processors.runtime.crash import CRASH_POINTS
from tools.chaos import poison
from tools.chaos.kill import ready_for_own_processors
from tools.chaos.report import build_report
from tools.chaos.runner import DrillOptions, DrillResult, Scenario, run_drill, running_processors
from tools.chaos.scenarios import (
    BrokerBounce,
    CrashPointsInTurn,
    DbOutage,
    Poison,
    RandomKills,
    RegistryOutage,
    SlowConsumer,
    Zombie,
)
from tools.reports import out_dir_option, publish
from tools.stack.procs import StackError
from tools.text import lang_option
from tools.verify.command import print_table


def drill_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every drill takes: the load, its length, the language and where the report goes."""
    options = [
        click.option(
            "--rate", default=200.0, show_default=True, type=click.FloatRange(min=1), help="Pedidos/s."
        ),
        click.option(
            "--duration",
            default=300.0,
            show_default=True,
            type=click.FloatRange(min=5),
            help="Segundos de carga (no mínimo; a carga segue até a última falha acabar) / seconds of load.",
        ),
        click.option(
            "--warmup", type=click.FloatRange(min=1), default=None, help="Segundos antes da 1ª falha."
        ),
        click.option(
            "--settle",
            default=180.0,
            show_default=True,
            type=click.FloatRange(min=5),
            help="Prazo para todo pedido aceito terminar, e depois para os processadores drenarem / deadline "
            "for every accepted order to end, then for the processors to drain.",
        ),
        click.option("--seed", default=7, show_default=True, type=int),
        lang_option,
        out_dir_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def execute(scenario: Scenario, common: dict[str, Any]) -> DrillResult:
    settings = ready_for_own_processors()
    if pids := running_processors(settings):
        raise click.ClickException(
            f"processadores deste stack já estão rodando (pids {pids}) com os mesmos transactional.ids: "
            f"pare-os antes / processors of this stack are already running: stop them first"
        )
    options = DrillOptions(
        rate=common["rate"],
        duration_s=common["duration"],
        warmup_s=common["warmup"],
        settle_s=common["settle"],
        # After an overload the compensations (refunds, stock releases) come after the orders' terminal
        # events: the backlog they leave may take as long to drain as the orders took to end.
        drain_s=max(DrillOptions.drain_s, common["settle"]),
        seed=common["seed"],
    )
    title = scenario.title
    click.echo(f"Drill {scenario.name}: {title.render(common['lang'])}")
    log_dir = settings.state_dir / "logs" / "drills" / scenario.name
    try:
        result = run_drill(settings, scenario, options, log_dir, click.echo)
    except (RuntimeError, TimeoutError, StackError) as error:  # could not even start: nothing to audit
        raise click.ClickException(str(error)) from error
    if result.audit_results and result.snapshot is not None:
        print_table(result.audit_results, result.snapshot, common["lang"])
    for check in result.checks:
        mark = click.style("ok  ", fg="green") if check.ok else click.style("FAIL", fg="red", bold=True)
        click.echo(f"  {mark} {check.name}: {check.detail}")
    for error in result.errors:
        click.echo(click.style(f"  ERRO / ERROR: {error}", fg="red"), err=True)
    publish(build_report(result, title), common["out_dir"], common["lang"])
    click.echo(f"Logs: {log_dir}")
    return result


def finish(result: DrillResult) -> None:
    if not result.ok:
        raise SystemExit(1)


def _common(kwargs: dict[str, Any]) -> dict[str, Any]:
    keys = ("rate", "duration", "warmup", "settle", "seed", "lang", "out_dir")
    return {k: kwargs.pop(k) for k in keys}


@click.command("random-kills")
@drill_options
@click.option(
    "--every", default=5.0, show_default=True, type=click.FloatRange(min=1), help="Segundos entre kills."
)
@click.option("--restart-after", default=1.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--instances", default=1, show_default=True, type=click.IntRange(1, 3), help="Por processador.")
def random_kills(**kwargs: Any) -> None:
    """SIGKILL em instâncias aleatórias, reiniciadas / SIGKILL random instances, restart them."""
    common = _common(kwargs)
    scenario = RandomKills(kwargs["every"], kwargs["restart_after"], kwargs["instances"], common["seed"])
    finish(execute(scenario, common))


@click.command("crash-points")
@drill_options
@click.option(
    "--processor", "processors", multiple=True, type=click.Choice(PROCESSORS), help="Padrão: todos."
)
@click.option("--point", "points", multiple=True, type=click.Choice(CRASH_POINTS), help="Padrão: todos.")
@click.option("--crash-timeout", default=30.0, show_default=True, type=click.FloatRange(min=5))
def crash_points(**kwargs: Any) -> None:
    """Cada processador em cada ponto de crash, um por vez / every processor at every crash point in turn."""
    common = _common(kwargs)
    scenario = CrashPointsInTurn(
        kwargs["processors"] or PROCESSORS, kwargs["points"], kwargs["crash_timeout"]
    )
    finish(execute(scenario, common))


@click.command("zombie")
@drill_options
@click.option("--processor", default="payment", show_default=True, type=click.Choice(PROCESSORS))
@click.option(
    "--at",
    "at_point",
    default="after-produce",
    show_default=True,
    type=click.Choice(Zombie.STOP_POINTS),
    help="Onde o zumbi congela (now: SIGSTOP de fora, a qualquer momento) / where the zombie freezes.",
)
@click.option(
    "--pause", type=click.FloatRange(min=1), default=None, help="Segundos congelado (padrão: session+5)."
)
def zombie(**kwargs: Any) -> None:
    """Zumbi: SIGSTOP além do session timeout, outro assume, SIGCONT / a zombie that must stay invisible."""
    common = _common(kwargs)
    finish(execute(Zombie(kwargs["processor"], kwargs["at_point"], kwargs["pause"]), common))


@click.command("broker-bounce")
@drill_options
@click.option(
    "--mode", "modes", multiple=True, type=click.Choice(["hard", "clean"]), help="Padrão: hard e clean."
)
@click.option(
    "--down", default=10.0, show_default=True, type=click.FloatRange(min=0), help="Segundos fora do ar."
)
@click.option(
    "--gap", default=10.0, show_default=True, type=click.FloatRange(min=0), help="Segundos entre bounces."
)
@click.option("--coordinator-of", default="orchestrator-0", show_default=True, help="transactional.id.")
def broker_bounce(**kwargs: Any) -> None:
    """Restart duro e limpo de cada broker / hard and clean restart of each broker."""
    common = _common(kwargs)
    scenario = BrokerBounce(
        kwargs["modes"] or ("hard", "clean"), kwargs["down"], kwargs["gap"], kwargs["coordinator_of"]
    )
    finish(execute(scenario, common))


@click.command("db-outage")
@drill_options
@click.option(
    "--outage", default=30.0, show_default=True, type=click.FloatRange(min=1), help="Segundos parado."
)
def db_outage(**kwargs: Any) -> None:
    """PostgreSQL parado e religado sob carga / PostgreSQL stopped and started under load."""
    common = _common(kwargs)
    finish(execute(DbOutage(kwargs["outage"]), common))


@click.command("registry-outage")
@drill_options
@click.option(
    "--outage", default=30.0, show_default=True, type=click.FloatRange(min=1), help="Segundos parado."
)
@click.option(
    "--cold-restart",
    default="payment",
    show_default=True,
    type=click.Choice([*PROCESSORS, "none"]),
    help="Reinicia este processador durante a queda (cache de schemas vazio) / restart it during the outage.",
)
def registry_outage(**kwargs: Any) -> None:
    """Registro de schemas parado e religado / schema registry stopped and started under load."""
    common = _common(kwargs)
    cold = None if kwargs["cold_restart"] == "none" else kwargs["cold_restart"]
    finish(execute(RegistryOutage(kwargs["outage"], cold), common))


@click.command("poison")
@drill_options
@click.option("--kind", "kinds", multiple=True, type=click.Choice(poison.KINDS), help="Padrão: os três.")
def poison_pills(**kwargs: Any) -> None:
    """Bytes podres, schema id desconhecido e payload incompatível nas entradas / poison pills into inputs."""
    common = _common(kwargs)
    finish(execute(Poison(kwargs["kinds"] or poison.KINDS), common))


@click.command("slow-consumer")
@drill_options
@click.option("--processor", default="payment", show_default=True, type=click.Choice(PROCESSORS))
@click.option(
    "--max-poll-ms", type=click.IntRange(min=1), default=None, help="max.poll.interval.ms da vítima."
)
@click.option("--slow-ms", type=click.IntRange(min=1), default=None, help="Padrão: max.poll + 5000.")
def slow_consumer(**kwargs: Any) -> None:
    """Um processador mais lento que max.poll.interval.ms / a processor slower than max.poll.interval.ms."""
    common = _common(kwargs)
    finish(execute(SlowConsumer(kwargs["processor"], kwargs["max_poll_ms"], kwargs["slow_ms"]), common))


DRILLS = (
    random_kills,
    crash_points,
    zombie,
    broker_bounce,
    db_outage,
    registry_outage,
    poison_pills,
    slow_consumer,
)
