"""The Kafka and registry edges of `pedidos bench pipeline`: topics and subjects, the pre-filled input, the
read_committed verifier that timestamps each output as it becomes visible, and the stage subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from processors.runtime.handler import CONSUMED_AT_HEADER
from processors.runtime.serde import AvroCodec
from processors.settings import PROJECT_ROOT
from tools.bench.pipeline_stats import Observation
from tools.bench.pipeline_workload import SCHEMA_JSON, make_order, order_id, seq_of

PARTITIONS = 6
GROUP_DELETE_DEADLINE_S = 20.0  # > the runtime's 10 s session timeout
SAMPLE_EVERY = 500  # the verifier decodes one output in this many to check the transform ran on it
Echo = Callable[[str], None]


class BenchError(Exception):
    """A run that could not be completed or measured (the stage died, a deadline passed)."""


def value_subject(topic: str) -> str:
    return f"{topic}-value"  # TopicNameStrategy, what both stages' serializers look up


@dataclass
class BenchResources:
    """Everything a bench invocation created on the broker and the registry, so it can all be removed."""

    admin: AdminClient
    registry: SchemaRegistryClient
    topics: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    replication: int = 1  # the cluster's size, as provisioning does for the order flow's topics

    def topic(self, name: str, partitions: int = PARTITIONS, avro: bool = True) -> str:
        self.admin.create_topics([NewTopic(name, partitions, self.replication)])[name].result(30)
        self.topics.append(name)
        _wait_leaders(self.admin, name, partitions)
        if avro:
            subject = value_subject(name)
            self.registry.register_schema(subject, Schema(SCHEMA_JSON, "AVRO"))
            self.subjects.append(subject)
        return name

    def drop_topic(self, name: str) -> None:
        if name in self.topics:
            self.topics.remove(name)
            _quietly(lambda: self.admin.delete_topics([name])[name].result(30))
        subject = value_subject(name)
        if subject in self.subjects:
            self.subjects.remove(subject)
            self._delete_subject(subject)

    def cleanup(self) -> list[str]:
        """Deletes what is left; returns what could not be deleted (reported, never fatal)."""
        left: list[str] = []
        for name in list(self.topics):
            self.drop_topic(name)
        for subject in list(self.subjects):
            self.subjects.remove(subject)
            self._delete_subject(subject)
        # A static member (our runtime's group.instance.id) stays in its group for the session timeout after
        # close(), and a group with a member cannot be deleted: try again until that has passed.
        deadline = time.monotonic() + GROUP_DELETE_DEADLINE_S
        while self.groups:
            futures = self.admin.delete_consumer_groups(self.groups, request_timeout=30)
            for group, future in futures.items():
                if _quietly(lambda future=future: _group_gone(future)):
                    self.groups.remove(group)
            if self.groups and time.monotonic() > deadline:
                left += [f"group {group}" for group in self.groups]
                self.groups.clear()
            elif self.groups:
                time.sleep(1.0)  # between deletion attempts, under the deadline
        return left

    def _delete_subject(self, subject: str) -> None:
        _quietly(lambda: self.registry.delete_subject(subject))
        _quietly(lambda: self.registry.delete_subject(subject, permanent=True))


def _group_gone(future: Any) -> None:
    try:
        future.result(30)
    except KafkaException as error:
        if error.args[0].code() != KafkaError.GROUP_ID_NOT_FOUND:  # a stage that died before joining
            raise


def _quietly(call: Callable[[], object]) -> bool:
    try:
        call()
        return True
    except Exception:  # cleanup is best effort; what stays behind is reported by the caller
        return False


def _wait_leaders(admin: AdminClient, topic: str, partitions: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        meta = admin.list_topics(topic, timeout=10).topics.get(topic)
        ready = meta and not meta.error and len(meta.partitions) == partitions
        if ready and all(p.leader >= 0 for p in meta.partitions.values()):
            return
        time.sleep(0.1)  # between metadata probes, under the deadline
    raise BenchError(f"tópico sem líderes / topic without leaders in {timeout_s:g} s: {topic}")


def prefill(bootstrap: str, registry_url: str, topic: str, records: int, echo: Echo) -> list[int]:
    """Writes ``records`` orders keyed by order id; returns each one's CreateTime (ms), indexed by seq.

    The CreateTime is set explicitly to the value's created_at_ms, so the two can never disagree.
    """
    registry = SchemaRegistryClient({"url": registry_url, "timeout": 10})
    serializer = AvroSerializer(
        registry, SCHEMA_JSON, conf={"auto.register.schemas": False, "use.latest.version": False}
    )
    context = SerializationContext(topic, MessageField.VALUE)
    producer = Producer(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5, "batch.size": 131072}
    )
    failures: list[str] = []

    def delivered(error: object, _message: object) -> None:
        if error is not None:
            failures.append(str(error))

    created: list[int] = []
    last_report = time.monotonic()
    for seq in range(records):
        now_ms = int(time.time() * 1000)
        value = serializer(make_order(seq, now_ms), context)
        while True:
            try:
                producer.produce(
                    topic, key=order_id(seq), value=value, timestamp=now_ms, on_delivery=delivered
                )
                break
            except BufferError:
                producer.poll(0.1)  # local queue full: serve deliveries, then try again
        created.append(now_ms)
        if seq % 1000 == 0:
            producer.poll(0)
            if time.monotonic() - last_report > 2:
                last_report = time.monotonic()
                echo(f"  pré-carga / pre-fill {seq:,}/{records:,}")
    if producer.flush(60) or failures:
        raise BenchError(f"pré-carga incompleta / pre-fill incomplete: {failures[:3]}")
    return created


def end_offsets(bootstrap: str, topic: str, partitions: int = PARTITIONS) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-pipeline-watermarks"})
    try:
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(partitions)
        }
    finally:
        consumer.close()


class Verifier:
    """A read_committed consumer on the output, from the first offset: what a downstream service sees."""

    def __init__(self, bootstrap: str, registry_url: str, topic: str, partitions: int = PARTITIONS) -> None:
        self.bootstrap, self.topic, self.partitions = bootstrap, topic, partitions
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"{topic}-verifier",  # assign() only: nothing is committed under it
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                # An event at the end of each partition, carrying the offset reached: past the transaction
                # markers, which no message reports (so a message's offset + 1 can stay below the end).
                "enable.partition.eof": True,
            }
        )
        self.codec = AvroCodec(registry_url)
        self.observations: list[Observation] = []
        self.samples: list[bytes] = []
        self.end_reached: dict[int, int] = {}  # partition -> offset of its latest end-of-partition event
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-pipeline-verifier", daemon=True)

    def start(self) -> None:
        self.consumer.assign(
            [TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in range(self.partitions)]
        )
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                # consume(n, timeout) waits for n messages or the timeout, which would add up to the timeout
                # to the visibility times: wait for the first message only, then take what is already there.
                first = self.consumer.poll(0.1)
                if first is None:
                    continue
                messages = [first, *self.consumer.consume(1000, timeout=0)]
                now_ms = int(time.time() * 1000)
                for message in messages:
                    if message.error():
                        if message.error().code() == KafkaError._PARTITION_EOF:
                            self.end_reached[message.partition()] = message.offset()
                        continue
                    key = message.key().decode()
                    headers = dict(message.headers() or [])
                    consumed = headers.get(CONSUMED_AT_HEADER)
                    self.observations.append(Observation(key, now_ms, int(consumed) if consumed else None))
                    if seq_of(key) % SAMPLE_EVERY == 0:
                        self.samples.append(message.value())
        except BaseException as error:  # surfaced by finish(): a verifier that died measured nothing
            self.error = error

    def finish(self, timeout_s: float = 60) -> None:
        """Once the stage has exited (no transaction open any more, so the high watermarks are final): read
        to the end of every partition, then stop."""
        # Asked through another client: a call on this consumer while its thread sits in consume() can block.
        ends = end_offsets(self.bootstrap, self.topic, self.partitions)
        deadline = time.monotonic() + timeout_s
        while any(self.end_reached.get(p, 0) < end for p, end in ends.items()):
            if self.error or time.monotonic() > deadline:
                break
            time.sleep(0.1)  # the verifier thread is reading; look again under the deadline
        self.abandon()
        if self.error:
            raise BenchError(f"verificador falhou / verifier failed: {self.error}")
        if any(self.end_reached.get(p, 0) < end for p, end in ends.items()):
            raise BenchError(f"verificador não alcançou o fim / verifier did not reach the end: {self.topic}")

    def abandon(self) -> None:
        """Stops reading and closes the consumer (again: a no-op)."""
        if not self.stop.is_set():
            self.stop.set()
            self.thread.join(timeout=10)
            self.consumer.close()

    def decoded_samples(self) -> list[dict[str, Any]]:
        return [self.codec.decode(self.topic, value) for value in self.samples]


def run_stage(
    argv: Sequence[str], config: dict[str, Any], work_dir: Path, log_path: Path, timeout_s: float
) -> dict[str, Any]:
    """Runs one stage as its own process (its CPU is then its own) and returns the result it wrote."""
    config_path = work_dir / f"{config['name']}.config.json"
    result_path = work_dir / f"{config['name']}.result.json"
    config_path.write_text(json.dumps({**config, "result_path": str(result_path)}))
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*argv, str(config_path)], stdout=log, stderr=log, cwd=PROJECT_ROOT, env=os.environ.copy()
        )
        try:
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=30)
            raise BenchError(
                f"estágio não terminou em / stage did not finish in {timeout_s:.0f} s: {config['name']} "
                f"(log: {log_path})"
            ) from None
    if returncode != 0 or not result_path.exists():
        raise BenchError(f"estágio falhou / stage failed ({returncode}): {config['name']} (log: {log_path})")
    return json.loads(result_path.read_text())
