"""`pedidos processor <name> [--instances N]`: run one processor's EOS loop, or N instances in one group."""

from __future__ import annotations

import signal
import subprocess
import sys

import click

from processors.deployment import PROCESSORS
from processors.runtime.crash import CRASH_POINTS
from processors.settings import get_settings
from processors.wiring import run_processor
from tools.stack.targets import processor_target, remove_targets, write_targets


@click.command("processor")
@click.argument("name", type=click.Choice(PROCESSORS))
@click.option(
    "--instances",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Instâncias no mesmo consumer group / instances sharing the consumer group.",
)
@click.option(
    "--instance",
    type=click.IntRange(0, 9),
    default=None,
    help="Roda só esta instância (transactional.id <name>-<n>) / run this instance only.",
)
@click.option(
    "--crash-at",
    type=click.Choice(CRASH_POINTS),
    default=None,
    help="Ponto de crash (SIGKILL) para a demo / crash point for the kill demo.",
)
@click.option("--crash-after", type=click.IntRange(1), default=None, help="Crash on the N-th arrival.")
def processor(
    name: str, instances: int, instance: int | None, crash_at: str | None, crash_after: int | None
) -> None:
    """Processador EOS (payment, inventory, orchestrator, notification) / an exactly-once processor."""
    settings = get_settings()
    overrides = {k: v for k, v in {"crash_at": crash_at, "crash_after": crash_after}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    if instance is not None:  # one instance of a group someone else runs (and lists for Prometheus)
        sys.exit(run_processor(name, instance, settings))
    # Prometheus scrapes the instances while they run; their file goes when they all exit cleanly (a crash
    # leaves them listed, so `up == 0` shows them down).
    targets = write_targets(
        settings, [processor_target(settings, name, n) for n in range(instances)], writer=name
    )
    code = run_processor(name, 0, settings) if instances == 1 else _run_instances(name, instances)
    if code == 0:
        remove_targets(targets)
    sys.exit(code)


def _run_instances(name: str, instances: int) -> int:
    command = [sys.executable, "-m", "tools.cli", "processor", name]
    children = [subprocess.Popen([*command, "--instance", str(i)]) for i in range(instances)]

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return max(child.wait() for child in children)
