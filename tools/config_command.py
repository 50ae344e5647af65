"""`pedidos config`: every setting, its environment variable, its current value and what it is for."""

from __future__ import annotations

import click

from processors.settings import Settings, get_settings


@click.command("config")
def config() -> None:
    """Mostra a configuração efetiva / show the effective configuration."""
    settings = get_settings()
    for name, field in Settings.model_fields.items():
        env = f"PEDIDOS_{name.upper()}"
        value = "***" if "password" in name else getattr(settings, name)
        click.echo(f"{env:<36} {value!s:<42} {field.description or ''}")
