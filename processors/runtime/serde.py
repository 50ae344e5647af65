"""Avro values through the schema registry, one registry client per process.

Producers write with the newest schema of a topic (``avro/<topic>.vN.avsc``, already registered by
provisioning, so serializers never auto-register); consumers read with the writer's schema id from the wire.
An undecodable value (garbage bytes, an unknown schema id) raises ``PoisonPill``: the runtime dead-letters it.
"""

from __future__ import annotations

import io
import json
from typing import Any

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from fastavro import parse_schema, schemaless_reader

from processors.schemas import latest_schema

Event = dict[str, Any]
REGISTRY_TIMEOUT_S = 10


class PoisonPill(Exception):
    """A record that can never be decoded; ``reason`` names why (it becomes a DLQ header)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class AvroCodec:
    def __init__(self, registry_url: str) -> None:
        # Without a timeout, a registry connection that went silent blocks the caller forever.
        self.registry = SchemaRegistryClient({"url": registry_url, "timeout": REGISTRY_TIMEOUT_S})
        self._serializers: dict[str, AvroSerializer] = {}
        # Parsed writer schemas by id. Decoding reads the writer's schema straight from the wire's id with
        # fastavro, as confluent-kafka's AvroDeserializer does underneath, without its per-record work for
        # data-contract rules (expanding the schema, collecting inline tags) that this project does not use:
        # that work was a third of a processor's CPU per record.
        self._writers: dict[int, Any] = {}

    def encode(self, topic: str, event: Event) -> bytes:
        serializer = self._serializers.get(topic)
        if serializer is None:
            serializer = AvroSerializer(
                self.registry,
                latest_schema(topic),
                conf={"auto.register.schemas": False, "use.latest.version": False},
            )
            self._serializers[topic] = serializer
        return serializer(event, SerializationContext(topic, MessageField.VALUE))

    def decode(self, topic: str, value: bytes | None) -> Event:
        if not value or len(value) < 5 or value[0] != 0:
            raise PoisonPill("not-avro", "the value does not start with the registry's magic byte 0")
        writer = self._writer_schema(int.from_bytes(value[1:5], "big"))
        try:
            return schemaless_reader(io.BytesIO(value[5:]), writer, None)
        except Exception as error:
            # Bytes that do not fit the writer's schema make the Avro reader fail with whatever it tripped on
            # (IndexError, ValueError, EOFError...): the record itself is bad, and will stay bad.
            raise PoisonPill("undecodable", f"{type(error).__name__}: {error}") from error

    def _writer_schema(self, schema_id: int) -> Any:
        parsed = self._writers.get(schema_id)
        if parsed is None:
            try:
                schema = self.registry.get_schema(schema_id)
            except SchemaRegistryError as error:  # the registry answers 404 for an id it never issued
                if error.http_status_code == 404:
                    raise PoisonPill("unknown-schema-id", str(error)) from error
                raise  # the registry is away or failing: transient, the record may be fine
            parsed = parse_schema(json.loads(schema.schema_str))
            self._writers[schema_id] = parsed
        return parsed
