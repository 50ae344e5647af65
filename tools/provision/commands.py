"""`pedidos provision`: topics, schemas and migrations, idempotently."""

from __future__ import annotations

import click
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient

from processors.settings import get_settings
from tools.provision.migrations import apply_migrations
from tools.provision.schemas import register_schemas
from tools.provision.topics import provision_topics


@click.command()
def provision() -> None:
    """Cria tópicos, registra schemas Avro e aplica migrações / topics, schemas, migrations."""
    settings = get_settings()

    migrations = apply_migrations(settings.database_url)
    click.echo(
        f"  ok  migrações / migrations: {len(migrations.applied)} aplicadas / applied, "
        f"{len(migrations.already_applied)} já aplicadas / already applied"
    )
    for name in migrations.applied:
        click.echo(f"        + {name}")

    topics = provision_topics(
        AdminClient({"bootstrap.servers": settings.bootstrap_servers}), settings.kafka_brokers
    )
    click.echo(
        f"  ok  tópicos / topics: {len(topics.created)} criados / created, "
        f"{len(topics.unchanged)} já corretos / already correct"
    )
    for name in topics.created:
        click.echo(f"        + {name}")
    for line in topics.grown:
        click.echo(f"        + partições / partitions {line}")

    schemas = register_schemas(SchemaRegistryClient({"url": settings.registry_url}))
    click.echo(
        f"  ok  schemas: {len(schemas.registered)} registrados / registered, "
        f"{len(schemas.already_registered)} já registrados / already registered"
    )
    for line in schemas.registered:
        click.echo(f"        + {line}")

    problems = [
        f"migração alterada depois de aplicada / edited after apply: {name}"
        for name in migrations.changed_after_apply
    ] + topics.mismatches
    if problems:
        for problem in problems:
            click.secho(f"  !!  {problem}", fg="red", err=True)
        raise click.ClickException(
            "o ambiente difere do declarado / the environment differs from the "
            "declaration (see above); fix it by hand or `make clean` for a fresh stack"
        )
