"""Create the declared topics; report, never silently keep, a topic whose settings differ from the table."""

from __future__ import annotations

from dataclasses import dataclass, field

from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from processors.topics import TOPICS, TopicSpec


@dataclass
class TopicReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)  # "topic: setting declared X, found Y"
    grown: list[str] = field(default_factory=list)  # "topic: N -> M partitions"


def provision_topics(
    admin: AdminClient, brokers: int, topics: tuple[TopicSpec, ...] = TOPICS, timeout_s: float = 30
) -> TopicReport:
    report = TopicReport()
    existing = admin.list_topics(timeout=timeout_s).topics
    missing = [t for t in topics if t.name not in existing]
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(
                    t.name,
                    num_partitions=t.partitions,
                    replication_factor=t.effective_replication(brokers),
                    config=t.config(brokers),
                )
                for t in missing
            ],
            operation_timeout=timeout_s,
            request_timeout=timeout_s,
        )
        for name, future in futures.items():
            future.result()
            report.created.append(name)
    present = [t for t in topics if t.name in existing]
    report.grown = _grow_partitions(admin, present, existing, timeout_s)
    for topic, problems in zip(present, describe_mismatches(admin, brokers, present, timeout_s), strict=True):
        (report.mismatches.extend(problems) if problems else report.unchanged.append(topic.name))
    return report


def describe_mismatches(
    admin: AdminClient, brokers: int, topics: list[TopicSpec], timeout_s: float = 30
) -> list[list[str]]:
    """For each topic, the settings whose actual value differs from the declared one."""
    if not topics:
        return []
    metadata = admin.list_topics(timeout=timeout_s).topics
    resources = [ConfigResource(ConfigResource.Type.TOPIC, t.name) for t in topics]
    configs = {
        r.name: f.result() for r, f in admin.describe_configs(resources, request_timeout=timeout_s).items()
    }
    result = []
    for topic in topics:
        partitions = metadata[topic.name].partitions
        actual = {
            "partitions": str(len(partitions)),
            "replication": str(len(partitions[0].replicas)) if partitions else "0",
            **{key: configs[topic.name][key].value for key in topic.config(brokers)},
        }
        declared = {
            "partitions": str(topic.partitions),
            "replication": str(topic.effective_replication(brokers)),
            **topic.config(brokers),
        }
        result.append(
            [
                f"{topic.name}: {key} declared {value}, found {actual[key]}"
                for key, value in declared.items()
                if actual[key] != value
            ]
        )
    return result


def _grow_partitions(
    admin: AdminClient, topics: list[TopicSpec], existing: dict, timeout_s: float
) -> list[str]:
    """A topic declared with more partitions than it has gets them (Kafka can add, never remove, partitions).

    Adding partitions moves keys to new partitions, so it is done only for the topics declared that way on
    purpose (the retry topics, grown to the order flow's count); everything else is reported as a mismatch.
    """
    short = [t for t in topics if ".retry." in t.name and len(existing[t.name].partitions) < t.partitions]
    if not short:
        return []
    futures = admin.create_partitions(
        [NewPartitions(t.name, t.partitions) for t in short], request_timeout=timeout_s
    )
    for future in futures.values():
        future.result()
    return [f"{t.name}: {len(existing[t.name].partitions)} -> {t.partitions}" for t in short]
