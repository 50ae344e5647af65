"""Our stage for `pedidos bench pipeline`: the project's runtime (EosLoop) with a one-line pricing handler.

Run as its own process (STAGE_ARGV + CONFIG.json), so its CPU time is its own. It drains the pre-filled
input, exits once its committed offsets cover every input record, and writes what only it can time: the
drain (first record -> last commit), each commit step, and its CPU seconds.

The loop is the processors' loop, unchanged but for measurement hooks and one sizing choice: each consume()
asks for at most CONSUME_CHUNK records. The runtime commits after ``batch_size`` records or
``commit_interval_s``, whichever comes first, and checks that after each consume(); on a pre-filled backlog
consume() always returns a full batch at once, so without the cap the batch size alone would set the
transaction size and the commit interval being measured would never be reached.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import confluent_kafka
from confluent_kafka import Message
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from processors.logs import configure_logging
from processors.runtime.clients import RuntimeConfig
from processors.runtime.crash import CrashPoints
from processors.runtime.handler import Handler, InputRecord, Output, StatelessHandler
from processors.runtime.loop import EosLoop
from processors.runtime.serde import AvroCodec, Event
from tools.bench.pipeline_workload import SCHEMA_JSON, DrainMeasurements, price

CONSUME_CHUNK = 100  # records per consume(): the interval is checked at least this often
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

    def handle(self, record: InputRecord, crash: CrashPoints) -> list[Output]:
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


class MeasuredLoop(EosLoop):
    """EosLoop plus timing, and a stop once the committed offsets reach the end of the pre-filled input."""

    def __init__(
        self,
        handler: Handler,
        config: RuntimeConfig,
        codec: AvroCodec,
        end_offsets: dict[tuple[str, int], int],
    ) -> None:
        super().__init__(handler, config, codec, CrashPoints(None))
        self.measurements = DrainMeasurements(end_offsets)
        self.aborts = 0

    def _room(self) -> int:
        return min(super()._room(), CONSUME_CHUNK)

    def _process(self, message: Message) -> None:
        if not message.error():
            self.measurements.record_seen()
        super()._process(message)

    def _commit(self) -> None:
        offsets, records = dict(self.next_offsets), self.transaction_records
        started = time.perf_counter()
        super()._commit()  # raises AbortTransaction when the commit fails: nothing below happens then
        self.measurements.committed_step(started, offsets, records)
        if self.measurements.drained:
            self.running = False  # run() closes the consumer and returns

    def _abort(
        self, reason: str, rewind: bool = True, leaving: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        self.aborts += 1
        super()._abort(reason, rewind, leaving)

    def result(self) -> dict[str, Any]:
        result = self.measurements.result("ours", client_versions(), self.aborts)
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
    loop = MeasuredLoop(handler, runtime, BenchCodec(config["registry_url"]), ends)
    loop.run()
    Path(config["result_path"]).write_text(json.dumps(loop.result()))
    return 0
