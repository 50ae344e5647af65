"""`pedidos lab acks`: acks=0, acks=1 and acks=all+idempotence while the partition leader is SIGKILLed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from confluent_kafka import KafkaException

from processors.settings import Settings, get_settings
from tools.lab.acks_report import acks_report, message
from tools.lab.acks_run import SETTINGS, Say, run_failover, run_unclean
from tools.lab.cluster import LabCluster
from tools.reports import out_dir_option, publish
from tools.stack.procs import StackError
from tools.text import lang_option


def run_lab(settings: Settings, seconds: float, rate: float, unclean: bool, say: Say) -> dict[str, Any]:
    """Start the lab's own cluster, run every scenario on it, and always stop and delete it."""
    cluster = LabCluster(settings)
    results = []
    say("cluster", bootstrap=cluster.bootstrap_servers, root=cluster.root)
    started = time.monotonic()
    with cluster.running(click.echo):
        say("cluster_up", seconds=time.monotonic() - started)
        for setting in SETTINGS:
            say("setting", setting=setting.label)
            results.append(run_failover(cluster, setting, seconds, rate, say))
        if unclean:
            say("setting", setting="acks=1 + unclean.leader.election.enable=true")
            results.append(run_unclean(cluster, seconds, rate, say))
    say("cluster_down")
    return {
        "seconds_per_setting": seconds,
        "rate": rate,
        "lab": {
            "bootstrap_servers": cluster.bootstrap_servers,
            "state_dir": str(cluster.root),
            "replication": 3,
            "min_insync_replicas": 2,
            "broker_session_timeout_ms": settings.lab_broker_session_timeout_ms,
            "message_timeout_ms": settings.lab_message_timeout_ms,
        },
        "results": [r.as_dict() for r in results],
    }


@click.command()
@click.option(
    "--seconds",
    default=20.0,
    show_default=True,
    type=click.FloatRange(min=2),
    help="Segundos produzindo por configuração / producing seconds per setting.",
)
@click.option(
    "--rate",
    default=2000.0,
    show_default=True,
    type=click.FloatRange(min=10),
    help="Registros/s / records/s.",
)
@click.option(
    "--unclean",
    is_flag=True,
    help="Também o cenário de eleição suja (acks=1) / also the unclean-election scenario (acks=1).",
)
@lang_option
@out_dir_option
def acks(seconds: float, rate: float, unclean: bool, lang: str, out_dir: Path | None) -> None:
    """O líder morre no meio da produção: o que cada acks perde / what each acks setting loses.

    Sobe um cluster próprio de 3 nós (portas PEDIDOS_LAB_*), nunca o do sistema, e o apaga no fim.
    Starts its own 3-node cluster (PEDIDOS_LAB_* ports), never the system's, and deletes it at the end.
    """
    settings = get_settings()
    started = time.monotonic()

    def say(key: str, **params: Any) -> None:
        text = message(key, lang, **params)
        blank = "\n" if text.startswith("\n") else ""
        click.echo(f"{blank}[{time.monotonic() - started:6.1f} s] {text.lstrip()}")

    try:
        data = run_lab(settings, seconds, rate, unclean, say)
    except (StackError, KafkaException) as error:
        raise click.ClickException(str(error)) from error
    publish(acks_report(data), out_dir, lang=lang)
