"""`pedidos`: the one command line for the whole project."""

from __future__ import annotations

import click

from gateway.command import gateway
from processors.projector.command import projector
from tools.bench import bench
from tools.chaos.commands import DRILLS
from tools.chaos.kill import chaos
from tools.config_command import config
from tools.dlq.command import dlq
from tools.interrupts import unwind_on_sigterm
from tools.lab import lab
from tools.load.command import load
from tools.observability.grafana import observability
from tools.processor_command import processor
from tools.provision.commands import provision
from tools.seed import seed
from tools.services.commands import services
from tools.stack.commands import stack
from tools.traffic import traffic
from tools.verify.command import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Pedidos com Kafka: sistema de pedidos exactly-once / an exactly-once order system."""
    unwind_on_sigterm()


main.add_command(stack)
main.add_command(provision)
main.add_command(config)
main.add_command(processor)
main.add_command(seed)
main.add_command(gateway)
main.add_command(projector)
main.add_command(services)
main.add_command(traffic)
main.add_command(verify)
main.add_command(chaos)
for drill in DRILLS:
    chaos.add_command(drill)
main.add_command(load)
main.add_command(bench)
main.add_command(lab)
main.add_command(dlq)
main.add_command(observability)

if __name__ == "__main__":
    main()
