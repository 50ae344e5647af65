"""`pedidos`: the one command line for the whole project."""

from __future__ import annotations

import click

from tools.config_command import config
from tools.provision.commands import provision
from tools.stack.commands import stack


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Pedidos com Kafka: sistema de pedidos exactly-once / an exactly-once order system."""


main.add_command(stack)
main.add_command(provision)
main.add_command(config)
