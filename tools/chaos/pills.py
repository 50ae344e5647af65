"""The poison drill: the pills of tools/chaos/poison.py written into the input topics, found in the DLQs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient

from processors.deployment import INPUT_TOPICS
from processors.settings import Settings
from processors.topics import TOPICS_BY_NAME, value_subject
from processors.wiring import HANDLERS
from tools.chaos import poison
from tools.chaos.runner import Check, Drill, Scenario
from tools.text import Text


class Poison(Scenario):
    name = "poison"
    title = Text(
        "Pílulas venenosas nos tópicos de entrada: cada uma na DLQ certa, uma vez, e os pedidos seguem",
        "Poison pills in the input topics: each in the right DLQ, once, while orders keep flowing",
    )

    def __init__(self, kinds: Sequence[str] = poison.KINDS, topics: Sequence[str] = ()) -> None:
        avro_inputs = sorted({t for ts in INPUT_TOPICS.values() for t in ts if TOPICS_BY_NAME[t].avro_value})
        self.kinds, self.topics = tuple(kinds), tuple(topics) or tuple(avro_inputs)
        self.pills: list[poison.Pill] = []
        self.dlq_starts: dict[tuple[str, int], int] = {}
        self.schema_ids: dict[str, int] = {}
        self.found: list[poison.Expectation] = []

    def options(self) -> dict[str, Any]:
        return {"kinds": list(self.kinds), "topics": list(self.topics)}

    def prepare(self, drill: Drill) -> None:
        registry = SchemaRegistryClient({"url": drill.settings.registry_url})
        self.schema_ids = {t: registry.get_latest_version(value_subject(t)).schema_id for t in self.topics}
        self.dlq_starts = _ends(drill.settings, tuple(sorted({h.dlq_topic for h in HANDLERS.values()})))

    def inject(self, drill: Drill) -> None:
        producer = Producer(
            {"bootstrap.servers": drill.settings.bootstrap_servers, "enable.idempotence": True}
        )
        spacing = max(0.0, drill.window_end - drill.clock()) / len(self.kinds)
        for i, kind in enumerate(self.kinds):
            drill.sleep_until(drill.options.warmup + i * spacing)
            delivered: list[poison.Pill] = []

            def note(error: object, message: Any, kind: str = kind, into: list = delivered) -> None:
                if error is None:  # where it landed: the DLQ headers must point back exactly there
                    into.append(poison.Pill(kind, message.topic(), message.partition(), message.offset()))

            for n, topic in enumerate(self.topics):
                value = poison.payload(kind, self.schema_ids[topic])
                producer.produce(topic, key=f"poison-{kind}-{n}".encode(), value=value, on_delivery=note)
            producer.flush(30)
            self.pills += delivered
            fault = drill.faults.instant(
                "poison", f"{len(delivered)} tópicos / topics", f"{kind}: {', '.join(self.topics)}"
            )
            drill.say(
                f"{drill.at(fault.start_s)} veneno / poison '{kind}': {len(delivered)} tópicos / topics"
            )

    def checks(self, drill: Drill) -> list[Check]:
        dlq_of = {name: handler.dlq_topic for name, handler in HANDLERS.items()}
        consumers = {t: tuple(n for n, ts in INPUT_TOPICS.items() if t in ts) for t in self.topics}

        def landed() -> bool:
            self.found = poison.expectations(
                self.pills, _dead_letters(drill.settings, self.dlq_starts), consumers, dlq_of
            )
            return all(e.found >= 1 for e in self.found)

        drill.until(landed, 60, interval_s=1)
        wrong = [
            f"{e.pill.kind}@{e.pill.topic}[{e.pill.partition}]@{e.pill.offset} -> {e.dlq_topic}: "
            f"{e.found}x {list(e.reasons)}"
            for e in self.found
            if not e.ok
        ]
        expected = sum(len(consumers[p.topic]) for p in self.pills)
        return [
            Check(
                "cada pílula injetada / every pill injected",
                len(self.pills) == len(self.kinds) * len(self.topics),
                f"{len(self.pills)} de / of {len(self.kinds) * len(self.topics)}",
            ),
            Check(
                "cada pílula na DLQ de cada consumidor, uma vez, com o motivo certo / every pill in each "
                "consumer's DLQ, once, with the right reason",
                not wrong and len(self.found) == expected,
                "; ".join(wrong[:5]) or f"{len(self.found)} dead letters",
            ),
        ]


def _ends(settings: Settings, topics: tuple[str, ...]) -> dict[tuple[str, int], int]:
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "drill-probe"})
    try:
        return {
            (t, p): consumer.get_watermark_offsets(TopicPartition(t, p), timeout=10)[1]
            for t in topics
            for p in consumer.list_topics(t, timeout=10).topics[t].partitions
        }
    finally:
        consumer.close()


def _dead_letters(settings: Settings, starts: dict[tuple[str, int], int]) -> list[poison.DeadLetter]:
    """Every dead letter written since `starts`, read_committed, with its origin from the headers."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": "drill-dlq-probe",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    letters = []
    try:
        ends = {tp: consumer.get_watermark_offsets(TopicPartition(*tp), timeout=10)[1] for tp in starts}
        pending = {tp for tp, end in ends.items() if end > starts[tp]}
        consumer.assign([TopicPartition(t, p, starts[(t, p)]) for t, p in pending])
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for message in consumer.consume(500, timeout=0.5):
                if message.error() is not None:
                    continue
                headers = {k: (v or b"").decode(errors="replace") for k, v in message.headers() or []}
                if "dlq.origin.topic" in headers:
                    letters.append(
                        poison.DeadLetter(
                            message.topic(),
                            headers.get("dlq.processor", ""),
                            headers.get("dlq.reason", ""),
                            headers["dlq.origin.topic"],
                            int(headers.get("dlq.origin.partition", -1)),
                            int(headers.get("dlq.origin.offset", -1)),
                        )
                    )
            positions = consumer.position([TopicPartition(t, p) for t, p in pending])
            pending -= {
                (tp.topic, tp.partition) for tp in positions if tp.offset >= ends[(tp.topic, tp.partition)]
            }
    finally:
        consumer.close()
    return letters
