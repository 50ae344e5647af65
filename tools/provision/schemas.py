"""Register the Avro value schemas of ``avro/`` with BACKWARD compatibility, oldest version first.

Files are named ``<topic>.v<N>.avsc`` (processors/schemas.py finds them). Registering v1 then v2 under
``<topic>-value`` leaves the registry with the whole history, so the registry itself checks that each
evolution is backward compatible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from processors.schemas import AVRO_DIR, schema_files
from processors.topics import value_subject

COMPATIBILITY = "BACKWARD"


@dataclass
class SchemaReport:
    registered: list[str] = field(default_factory=list)  # "subject vN -> id"
    already_registered: list[str] = field(default_factory=list)


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
