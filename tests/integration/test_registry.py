"""The registry is a real Apicurio: Avro round-trips through it and BACKWARD compatibility is enforced."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from processors.schemas import latest_schema
from tests.integration.kafka_reading import read_to_end


def _order_placed() -> dict:
    return {
        "event_id": uuid.uuid4(),
        "event_type": "OrderPlaced",
        "occurred_at": datetime.now(UTC).replace(microsecond=0),
        "order_id": "order-1",
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "producer": "test",
        "customer_id": "customer-1",
        "items": [{"product_id": "p-1", "quantity": 2, "unit_price": Decimal("19.90")}],
        "total_amount": Decimal("39.80"),
        "currency": "BRL",
    }


def test_avro_record_round_trips_through_the_registry(settings, registry, new_topic):
    topic = new_topic("avro")
    serializer = AvroSerializer(registry, latest_schema("orders.new"))
    event = _order_placed()
    value = serializer(event, SerializationContext(topic, MessageField.VALUE))
    assert value[0] == 0  # Confluent wire format: magic byte, then the 4-byte schema id
    schema_id = int.from_bytes(value[1:5], "big")
    registered = registry.get_schema(schema_id)
    assert json.loads(registered.schema_str)["name"] == "OrderPlaced"

    producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
    producer.produce(topic, key=event["order_id"], value=value)
    assert producer.flush(30) == 0

    [message] = read_to_end(settings.bootstrap_servers, topic)
    decoded = AvroDeserializer(registry)(message.value(), SerializationContext(topic, MessageField.VALUE))
    for field in event:
        assert decoded[field] == event[field], field


def _record(fields: list[dict]) -> Schema:
    return Schema(json.dumps({"type": "record", "name": "Probe", "fields": fields}), "AVRO")


def test_backward_compatibility_rejects_an_incompatible_schema(registry):
    subject = f"compat-probe-{uuid.uuid4().hex[:8]}-value"
    registry.set_compatibility(subject_name=subject, level="BACKWARD")
    registry.register_schema(subject, _record([{"name": "order_id", "type": "string"}]))

    compatible = _record(
        [{"name": "order_id", "type": "string"}, {"name": "note", "type": "string", "default": ""}]
    )
    registry.register_schema(subject, compatible)  # a new field with a default: old data stays readable

    incompatible = _record([{"name": "order_id", "type": "string"}, {"name": "amount", "type": "int"}])
    with pytest.raises(SchemaRegistryError) as rejected:
        registry.register_schema(subject, incompatible)  # no default: v2 readers could not read v1 data
    assert rejected.value.http_status_code == 409
    assert len(registry.get_versions(subject)) == 2
