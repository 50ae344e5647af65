"""The real stack (Kafka, Apicurio, PostgreSQL), started once per test session, or reused if running.

It is the tests' own stack (ports and state dir of tests/conftest.py), never the one `make run` started: that
one keeps running, untouched. A test stack already up when the session began (a session interrupted before
its clean-up) is reused and left up; one the session started is stopped after.

With PEDIDOS_STACK=compose the same three components are containers of compose/docker-compose.yml instead,
published on the same test ports (the compose file reads them from PEDIDOS_* variables), removed after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient
from pytest_docker.plugin import get_docker_services

from processors.settings import PROJECT_ROOT, Settings, get_settings
from tests.conftest import STACK_VARIABLE
from tools.provision.migrations import apply_migrations
from tools.provision.schemas import register_schemas
from tools.provision.topics import provision_topics
from tools.stack.stack import Stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


def _provision(settings: Settings) -> None:
    apply_migrations(settings.database_url)
    provision_topics(AdminClient({"bootstrap.servers": settings.bootstrap_servers}), settings.kafka_brokers)
    register_schemas(SchemaRegistryClient({"url": settings.registry_url}))


@pytest.fixture(scope="session", autouse=True)
def stack(settings: Settings) -> Iterator[Stack | None]:
    if os.environ.get(STACK_VARIABLE, "native") == "compose":
        # Only what the native fixture starts: the tests run the project's processes themselves.
        compose_file = PROJECT_ROOT / "compose" / "docker-compose.yml"
        up, down = ["up --build --wait kafka registry postgres"], ["down -v"]
        with get_docker_services("docker compose", str(compose_file), "pedidos-test", up, down):
            _provision(settings)
            yield None
        return
    the_stack = Stack(settings)
    was_running = all(row.healthy for row in the_stack.status())
    if not was_running:
        the_stack.up(print)
    _provision(settings)
    yield the_stack
    if not was_running:
        the_stack.down(print)


@pytest.fixture
def admin(settings: Settings) -> AdminClient:
    return AdminClient({"bootstrap.servers": settings.bootstrap_servers})


@pytest.fixture
def registry(settings: Settings) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": settings.registry_url})


@pytest.fixture
def new_topic(admin: AdminClient) -> Iterator[Callable[..., str]]:
    """Creates topics with unique names for tests that need isolation, and deletes them afterwards."""
    created: list[str] = []

    def create(prefix: str = "test", partitions: int = 1) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:10]}"
        admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])[name].result()
        created.append(name)
        return name

    yield create
    if created:
        for future in admin.delete_topics(created).values():
            future.result()
