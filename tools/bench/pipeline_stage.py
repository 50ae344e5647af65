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
from tools.bench.pipeline_workload import SCHEMA_JSON, price

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
        self.end_offsets = end_offsets
        self.committed: dict[tuple[str, int], int] = {}
        self.first_record_s: float | None = None
        self.first_record_cpu_s = 0.0
        self.last_commit_s = 0.0
        self.last_commit_cpu_s = 0.0
        self.commit_s: list[float] = []
        self.commit_records: list[int] = []
        self.aborts = 0

    def _room(self) -> int:
        return min(super()._room(), CONSUME_CHUNK)

    def _process(self, message: Message) -> None:
        if self.first_record_s is None and not message.error():
            self.first_record_s, self.first_record_cpu_s = time.perf_counter(), time.process_time()
        super()._process(message)

    def _commit(self) -> None:
        offsets, records = dict(self.next_offsets), self.transaction_records
        started = time.perf_counter()
        super()._commit()  # raises AbortTransaction when the commit fails: nothing below happens then
        self.last_commit_s, self.last_commit_cpu_s = time.perf_counter(), time.process_time()
        self.commit_s.append(self.last_commit_s - started)
        self.commit_records.append(records)
        self.committed.update(offsets)
        if all(self.committed.get(tp, 0) >= end for tp, end in self.end_offsets.items()):
            self.running = False  # drained: run() closes the consumer and returns

    def _abort(
        self, reason: str, rewind: bool = True, leaving: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        self.aborts += 1
        super()._abort(reason, rewind, leaving)

    def result(self) -> dict[str, Any]:
        first = self.first_record_s or self.last_commit_s
        return {
            "implementation": "ours",
            "client": {
                "confluent_kafka": confluent_kafka.version(),
                "librdkafka": confluent_kafka.libversion()[0],
            },
            "drain_s": self.last_commit_s - first,
            "cpu_s": self.last_commit_cpu_s - self.first_record_cpu_s,
            "commit_s": self.commit_s,
            "commit_records": self.commit_records,
            "records_processed": sum(self.commit_records),
            "aborts": self.aborts,
            "consume_chunk": CONSUME_CHUNK,
        }


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
