"""Avro values through the schema registry, one registry client per process.

Producers write with the newest schema of a topic (``avro/<topic>.vN.avsc``, already registered by
provisioning, so serializers never auto-register); consumers read with the writer's schema id from the wire.
An undecodable value (garbage bytes, an unknown schema id) raises ``PoisonPill``: the runtime dead-letters it.
"""

from __future__ import annotations

from typing import Any

import httpx
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

from tools.provision.schemas import latest_schema

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
        # An explicit subject strategy: the default asks the registry for subject "associations" on every
        # record, an endpoint Apicurio answers 404, which is never cached (one HTTP round trip per record).
        self._deserializer = AvroDeserializer(
            self.registry, conf={"subject.name.strategy": topic_subject_name_strategy}
        )

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
        try:
            return self._deserializer(value, SerializationContext(topic, MessageField.VALUE))
        except SerializationError as error:
            raise PoisonPill("undecodable", str(error)) from error
        except Exception as error:  # the registry answers 404 for an id it never issued
            if getattr(error, "http_status_code", None) == 404:
                raise PoisonPill("unknown-schema-id", str(error)) from error
            if isinstance(error, SchemaRegistryError | httpx.HTTPError | OSError):
                raise  # the registry is away or failing: transient, the record may be fine
            # Bytes that do not fit the writer's schema make the Avro reader fail with whatever it tripped on
            # (IndexError, ValueError, EOFError...): the record itself is bad, and will stay bad.
            raise PoisonPill("undecodable", f"{type(error).__name__}: {error}") from error
