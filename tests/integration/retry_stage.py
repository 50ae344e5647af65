"""A one-handler EOS stage for the retry-topic tests, run as its own process (the loop owns SIGTERM).

`python -m tests.integration.retry_stage <service> <input topic> <output topic>`: JSON values; a record whose
value says "flaky" fails (as a database that went away) when read from its origin topic, and succeeds when
it comes back from a retry topic.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.handler import InputRecord, Output, StatelessHandler
from processors.runtime.loop import EosLoop
from processors.runtime.retry import ATTEMPT
from processors.settings import get_settings


class JsonCodec:
    def decode(self, topic: str, value: bytes | None) -> dict[str, Any]:
        return json.loads(value or b"{}")

    def encode(self, topic: str, event: dict[str, Any]) -> bytes:
        return json.dumps(event).encode()


class FlakyHandler(StatelessHandler):
    def __init__(self, service: str, input_topic: str, output_topic: str) -> None:
        self.name = f"{service}-stage"
        self.input_topics = (input_topic,)
        self.dlq_topic = f"{service}.dlq"
        self.output_topic = output_topic

    def handle(self, record: InputRecord) -> list[Output]:
        if record.event.get("flaky") and ATTEMPT not in record.headers:
            raise ConnectionError("database went away")
        return [Output(self.output_topic, record.key or "", {**record.event, "read_from": record.topic})]


def main() -> int:
    service, input_topic, output_topic = sys.argv[1:4]
    config = RuntimeConfig(
        get_settings().bootstrap_servers,
        f"{service}-stage",
        commit_interval_s=0.1,
        retry_topics=True,
        in_place_attempts=1,  # straight to the 5 s topic: the test is about the delay
    )
    handler = FlakyHandler(service, input_topic, output_topic)
    producer, consumer = make_producer(config), make_consumer(config, handler.assignment_strategy)
    return EosLoop(handler, config, JsonCodec(), producer, consumer).run()  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
