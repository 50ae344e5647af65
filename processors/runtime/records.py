"""From a consumed message to the handler's ``InputRecord``: its key, its headers and its value decoded."""

from __future__ import annotations

import time

from confluent_kafka import Message

from processors.runtime import retry
from processors.runtime.errors import AbortTransaction
from processors.runtime.handler import CONSUMED_AT_HEADER, InputRecord
from processors.runtime.serde import AvroCodec, PoisonPill


def input_record(message: Message, codec: AvroCodec) -> InputRecord:
    """The record decoded with its topic's schemas (a retried record: its origin topic's).

    Raises ``PoisonPill`` for bytes no schema reads (the caller dead-letters them), and ``AbortTransaction``
    when the registry is unreachable for a schema id not cached yet: replaying later can succeed.
    """
    topic, headers = message.topic(), message_headers(message)
    retried_from = headers.get(retry.ORIGIN_TOPIC) if retry.delay_of(topic) else None
    try:
        event = codec.decode(retried_from or topic, message.value())
    except PoisonPill:
        raise
    except Exception as error:
        raise AbortTransaction(f"registry: {type(error).__name__}") from error
    # When this service took the record: the dashboard splits each step into time waiting in the broker
    # (input's timestamp -> consumed) and time in the service (consumed -> output's timestamp).
    headers[CONSUMED_AT_HEADER] = str(int(time.time() * 1000))
    value = message.value() or b""
    return InputRecord(
        topic, message.partition(), message.offset(), message_key(message), event, headers, value
    )


def message_key(message: Message) -> str | None:
    key = message.key()
    return key.decode() if isinstance(key, bytes) else key


def message_headers(message: Message) -> dict[str, str]:
    return {
        k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v))
        for k, v in message.headers() or []
    }
