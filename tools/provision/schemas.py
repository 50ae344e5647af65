"""Register the Avro value schemas of ``avro/`` with BACKWARD compatibility, oldest version first.

Files are named ``<topic>.v<N>.avsc``. Registering v1 then v2 under ``<topic>-value`` leaves the registry with
the whole history, so the registry itself checks that each evolution is backward compatible.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from processors.settings import PROJECT_ROOT
from processors.topics import value_subject

AVRO_DIR = PROJECT_ROOT / "avro"
COMPATIBILITY = "BACKWARD"
_FILE = re.compile(r"^(?P<topic>.+)\.v(?P<version>\d+)\.avsc$")


@dataclass
class SchemaReport:
    registered: list[str] = field(default_factory=list)  # "subject vN -> id"
    already_registered: list[str] = field(default_factory=list)


def schema_files(avro_dir: Path = AVRO_DIR) -> dict[str, list[Path]]:
    """Schema files per topic, in version order."""
    by_topic: dict[str, list[tuple[int, Path]]] = defaultdict(list)
    for path in avro_dir.glob("*.avsc"):
        match = _FILE.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: schema files are named <topic>.v<N>.avsc")
        by_topic[match["topic"]].append((int(match["version"]), path))
    return {topic: [p for _, p in sorted(versions)] for topic, versions in sorted(by_topic.items())}


def latest_schema(topic: str, avro_dir: Path = AVRO_DIR) -> str:
    """The newest schema of a topic's value: the one producers write with."""
    return schema_files(avro_dir)[topic][-1].read_text()


def register_schemas(client: SchemaRegistryClient, avro_dir: Path = AVRO_DIR) -> SchemaReport:
    report = SchemaReport()
    for topic, paths in schema_files(avro_dir).items():
        subject = value_subject(topic)
        client.set_compatibility(subject_name=subject, level=COMPATIBILITY)
        for path in paths:
            schema = Schema(path.read_text(), schema_type="AVRO")
            label = f"{subject} {path.name.rsplit('.', 2)[-2]}"
            try:
                found = client.lookup_schema(subject, schema)
                report.already_registered.append(f"{label} -> id {found.schema_id}")
            except SchemaRegistryError as error:
                if error.http_status_code != 404:
                    raise
                schema_id = client.register_schema(subject, schema)
                report.registered.append(f"{label} -> id {schema_id}")
    return report
