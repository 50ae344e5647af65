"""`pedidos projector` (and `python -m processors.projector`): the read-model projector, in the foreground."""

from __future__ import annotations

import signal
import threading

import click

from processors.deployment import metrics_port
from processors.logs import configure_logging
from processors.projector.projector import Projector
from processors.runtime.metrics import serve_metrics
from processors.runtime.serde import AvroCodec
from processors.settings import get_settings


def run_projector(group: str | None = None) -> None:
    settings = get_settings()
    configure_logging("projector")
    serve_metrics(metrics_port(settings, "projector"))
    stop = threading.Event()
    # SIGTERM/SIGINT: finish the batch in hand (its transaction commits or rolls back), then close.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    projector = Projector(
        settings.bootstrap_servers,
        settings.database_url,
        AvroCodec(settings.registry_url),
        group=group or settings.projector_group,
        batch_size=settings.projector_batch_size,
        poll_timeout_s=settings.projector_poll_timeout_s,
    )
    projector.run(stop)


@click.command("projector")
@click.option(
    "--group", default=None, help="Grupo de consumo / consumer group (default PEDIDOS_PROJECTOR_GROUP)."
)
def projector(group: str | None) -> None:
    """Projeta os eventos nas tabelas orders/order_events / project events into the read model."""
    run_projector(group)
