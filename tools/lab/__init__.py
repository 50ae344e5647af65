"""`pedidos lab ...`: experiments on throwaway clusters that never disturb the running system."""

from __future__ import annotations

import click

from tools.lab.acks import acks


@click.group()
def lab() -> None:
    """Laboratórios num cluster descartável / labs on a throwaway cluster."""


lab.add_command(acks)
