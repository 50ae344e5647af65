"""Our stage for `pedidos bench pipeline`: the project's runtime (EosLoop) with a one-line pricing handler.

Run as its own process (STAGE_ARGV + CONFIG.json), so its CPU time is its own. It drains the pre-filled
input, exits once its committed offsets cover every input record, and writes what only it can time: the
drain (first record -> last commit), each commit step, and its CPU seconds.

The loop is the processors' loop, unchanged: the measurements plug in through its hooks (``LoopHooks``).
Its batch size is unbounded, so the commit interval being measured decides when a transaction commits: the
runtime checks it after each consume(), and each consume() asks for at most CONSUME_CHUNK records.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import confluent_kafka
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from processors.logs import configure_logging
from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.handler import InputRecord, Output, StatelessHandler
from processors.runtime.loop import CONSUME_CHUNK, EosLoop
from processors.runtime.serde import AvroCodec, Event
from processors.runtime.transaction import LoopHooks, Partition
from tools.bench.pipeline_workload import SCHEMA_JSON, DrainMeasurements, price

UNBOUNDED_BATCH = 10_000_000  # batch_size never triggers a commit: the commit interval does
# Not `-m tools.bench.pipeline_stage`: the `tools.bench` package imports this module first, and runpy would
# then run a second copy of it as __main__.
STAGE_ARGV = (
    sys.executable,
    "-c",
    "import sys; from tools.bench.pipeline_stage import main; sys.exit(main(sys.argv[1]))",
)


class BenchHandler(StatelessHandler):
    def __init__(self, name: str, input_topic: str, output_topic: str, dlq_topic: str) -> None:
        self.name = name
        self.input_topics = (input_topic,)
        self.output_topic = output_topic
        self.dlq_topic = dlq_topic

    def handle(self, record: InputRecord) -> list[Output]:
        return [Output(self.output_topic, record.key or record.event["order_id"], price(record.event))]


class BenchCodec(AvroCodec):
    """The project's codec; only the writer schema comes from the bench, not from ``avro/<topic>.vN.avsc``."""

    def encode(self, topic: str, event: Event) -> bytes:
        serializer = self._serializers.get(topic)
        if serializer is None:
            serializer = AvroSerializer(
                self.registry, SCHEMA_JSON, conf={"auto.register.schemas": False, "use.latest.version": False}
            )
            self._serializers[topic] = serializer
        return serializer(event, SerializationContext(topic, MessageField.VALUE))


class StageMeasurements(LoopHooks):
    """The loop's hooks: timing, and a stop once the commits cover the end of the pre-filled input."""

    def __init__(self, end_offsets: dict[Partition, int]) -> None:
        self.drain = DrainMeasurements(end_offsets)
        self.aborts = 0

    def consumed(self, records: int) -> None:
        if records:
            self.drain.record_seen()

    def committed(self, started: float, offsets: dict[Partition, int], records: int) -> bool:
        self.drain.committed_step(started, offsets, records)
        return self.drain.drained  # run() then closes the consumer and returns

    def aborted(self, reason: str) -> None:
        self.aborts += 1

    def result(self) -> dict[str, Any]:
        result = self.drain.result("ours", client_versions(), self.aborts)
        return result | {"consume_chunk": CONSUME_CHUNK}


def client_versions() -> dict[str, str]:
    """Our stage's Kafka client, as the bench's JSON records it next to Quix's."""
    return {"confluent_kafka": confluent_kafka.version(), "librdkafka": confluent_kafka.libversion()[0]}


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    configure_logging(config["name"], level=logging.WARNING)
    runtime = RuntimeConfig(
        bootstrap_servers=config["bootstrap_servers"],
        processor=config["name"],
        batch_size=UNBOUNDED_BATCH,
        commit_interval_s=config["commit_interval_s"],
        tick_interval_s=0.1,  # the idle consume() wait: at the end of the drain, not the commit interval
        guarantee=config["guarantee"],
    )
    handler = BenchHandler(config["name"], config["input_topic"], config["output_topic"], config["dlq_topic"])
    ends = {(config["input_topic"], int(p)): end for p, end in config["end_offsets"].items()}
    measurements = StageMeasurements(ends)
    producer, consumer = make_producer(runtime), make_consumer(runtime, handler.assignment_strategy)
    codec = BenchCodec(config["registry_url"])
    EosLoop(handler, runtime, codec, producer, consumer, hooks=measurements).run()
    Path(config["result_path"]).write_text(json.dumps(measurements.result()))
    return 0
