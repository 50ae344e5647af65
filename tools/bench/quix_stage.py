"""The Quix Streams peer of our stage for `pedidos bench pipeline`: same input, transform, Avro and registry.

Runs with the Quix venv's python (see quix_env.py), as a script: `python quix_stage.py CONFIG.json`. It
cannot import the project (different confluent-kafka and pydantic-settings), so it loads the shared
workload module by file path. Quix is used as documented: `processing_guarantee="exactly-once"` and
`commit_interval` in seconds; only its checkpoint commit is wrapped, to time it and to stop once the
committed offsets cover the pre-filled input (the same stop rule as our stage).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import confluent_kafka
import quixstreams
from quixstreams import Application
from quixstreams.checkpointing.checkpoint import Checkpoint
from quixstreams.models.serializers.avro import AvroDeserializer, AvroSerializer
from quixstreams.models.serializers.schema_registry import (
    SchemaRegistryClientConfig,
    SchemaRegistrySerializationConfig,
)

CONSUMED_AT_HEADER = "pedidos-consumed-at"  # the header our runtime puts on outputs, for the same figure


def load_workload() -> Any:
    path = Path(__file__).with_name("pipeline_workload.py")
    spec = importlib.util.spec_from_file_location("pipeline_workload", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    workload = load_workload()
    ends = {(config["input_topic"], int(p)): end for p, end in config["end_offsets"].items()}
    measurements = workload.DrainMeasurements(ends)
    app = Application(
        broker_address=config["bootstrap_servers"],
        consumer_group=config["name"],
        auto_offset_reset="earliest",
        commit_interval=config["commit_interval_s"],
        processing_guarantee="exactly-once",
        producer_extra_config={"transactional.id": config["name"], "linger.ms": 5},
        # The idle poll wait (default 1 s) only delays the end of the drain; 0.1 s like our stage's.
        consumer_poll_timeout=0.1,
        auto_create_topics=False,  # the bench created them, with the same partition count for both stages
        use_changelog_topics=False,
        state_dir=str(Path(config["result_path"]).parent / f"{config['name']}-state"),
        loglevel=logging.WARNING,
    )
    registry = SchemaRegistryClientConfig(url=config["registry_url"])
    source = app.topic(
        config["input_topic"], value_deserializer=AvroDeserializer(schema_registry_client_config=registry)
    )
    sink = app.topic(
        config["output_topic"],
        value_serializer=AvroSerializer(
            workload.SCHEMA,
            schema_registry_client_config=registry,
            # Like our codec: the bench registered the schema; the serializer only looks its id up.
            schema_registry_serialization_config=SchemaRegistrySerializationConfig(
                auto_register_schemas=False
            ),
        ),
    )

    def priced(value: dict[str, Any]) -> dict[str, Any]:
        measurements.record_seen()
        return workload.price(value)

    sdf = app.dataframe(source)
    sdf = sdf.apply(priced)
    sdf = sdf.set_headers(
        lambda _v, _k, _t, _h: [(CONSUMED_AT_HEADER, str(int(time.time() * 1000)).encode())]
    )
    sdf.to_topic(sink)

    commit = Checkpoint.commit

    def timed_commit(checkpoint: Checkpoint, *args: Any, **kwargs: Any) -> None:
        offsets = {tp: offset + 1 for tp, offset in checkpoint._tp_offsets.items()}
        records = checkpoint._total_offsets_processed
        started = time.perf_counter()
        commit(checkpoint, *args, **kwargs)
        measurements.committed_step(started, offsets, records)
        if measurements.drained:
            app.stop()

    Checkpoint.commit = timed_commit  # type: ignore[method-assign]
    app.run()
    if not measurements.drained:
        return 1
    client = {
        "quixstreams": quixstreams.__version__,
        "confluent_kafka": confluent_kafka.version(),
        "librdkafka": confluent_kafka.libversion()[0],
    }
    # Quix does not report aborted checkpoints; a failed one stops the app (the run fails).
    result = measurements.result("quix", client, aborts=0)
    Path(config["result_path"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
