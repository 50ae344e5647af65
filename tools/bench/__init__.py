"""`pedidos bench ...`: benchmarks that print a table and save JSON under .state/reports/."""

from __future__ import annotations

import click

from tools.bench.monitoring import monitoring
from tools.bench.pipeline import pipeline
from tools.bench.producer import producer
from tools.bench.telemetry import telemetry


@click.group()
def bench() -> None:
    """Benchmarks (tabela + JSON) / benchmarks (table + JSON)."""


bench.add_command(telemetry)
bench.add_command(producer)
bench.add_command(pipeline)
bench.add_command(monitoring)
