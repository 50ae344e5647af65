"""`pedidos gateway`: the checkout API served by gunicorn (gthread worker), in the foreground."""

from __future__ import annotations

import os
import sys

import click

from processors.settings import get_settings


def gunicorn_argv(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:gateway.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "gateway.app:create_app()",
    ]


@click.command("gateway")
@click.option("--port", type=int, default=None, help="Porta HTTP / HTTP port (default PEDIDOS_GATEWAY_PORT).")
def gateway(port: int | None) -> None:
    """Sobe o gateway HTTP (checkout) / run the HTTP gateway (checkout)."""
    settings = get_settings()
    argv = gunicorn_argv(settings.host, port or settings.gateway_port)
    click.echo(f"gateway em / at http://{settings.host}:{port or settings.gateway_port}", err=True)
    sys.stdout.flush()
    # exec: gunicorn becomes this process, so signals (SIGTERM -> graceful stop) reach it directly.
    os.execv(argv[0], argv)
