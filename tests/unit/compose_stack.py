"""compose/ as data, for the tests that check it without a Docker engine (test_compose*.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from processors.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "compose"
COMPOSE_FILE = COMPOSE / "docker-compose.yml"
INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


SERVICES: dict[str, dict[str, Any]] = load_yaml(COMPOSE_FILE)["services"]


def with_defaults(text: str) -> str:
    """The text as compose reads it with no PEDIDOS_* variable set: each ${VAR:-default} is its default."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", text)


def published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(address, host port, container port) of each `ports:` entry."""
    rows = [with_defaults(str(entry)).split(":") for entry in service.get("ports", [])]
    return [(address, int(host), int(container)) for address, host, container in rows]


def bind_mounts() -> list[tuple[str, str, str]]:
    """(service, source relative to compose/, target) of each bind mount."""
    return [
        (name, *volume.split(":")[:2])
        for name, service in SERVICES.items()
        for volume in service.get("volumes", [])
        if volume.startswith(".")
    ]


def strings(node: Any) -> list[str]:
    """Every key and scalar of a parsed YAML tree, as text."""
    if isinstance(node, dict):
        return [*node, *(text for value in node.values() for text in strings(value))]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [str(node)]
