"""The replay ledger topic is created as the topic table declares it, once, even when two runs race."""

from types import SimpleNamespace

import pytest
from confluent_kafka import KafkaError, KafkaException

from gateway.dlq.kafka_io import LEDGER_TOPIC, create_ledger_topic


class FakeAdmin:
    def __init__(self, existing: set[str], create_error: KafkaError | None = None) -> None:
        self.existing, self.create_error = existing, create_error
        self.created: list = []

    def list_topics(self, timeout: float) -> SimpleNamespace:
        return SimpleNamespace(topics=dict.fromkeys(self.existing))

    def create_topics(self, topics: list, request_timeout: float) -> dict:
        self.created += topics
        error = self.create_error

        def result() -> None:
            if error is not None:
                raise KafkaException(error)

        return {t.topic: SimpleNamespace(result=result) for t in topics}


def test_a_missing_ledger_is_created_compacted_and_capped_to_the_cluster():
    admin = FakeAdmin(existing={"orders.new"})
    create_ledger_topic(admin, brokers=1)
    [topic] = admin.created
    assert (topic.topic, topic.num_partitions, topic.replication_factor) == (LEDGER_TOPIC, 1, 1)
    assert topic.config["cleanup.policy"] == "compact"
    assert topic.config["min.insync.replicas"] == "1"


def test_an_existing_ledger_is_left_alone():
    admin = FakeAdmin(existing={LEDGER_TOPIC})
    create_ledger_topic(admin, brokers=3)
    assert admin.created == []


def test_a_ledger_created_by_a_concurrent_run_is_not_an_error_but_other_failures_are():
    create_ledger_topic(FakeAdmin(set(), KafkaError(KafkaError.TOPIC_ALREADY_EXISTS)), brokers=1)
    with pytest.raises(KafkaException):
        create_ledger_topic(FakeAdmin(set(), KafkaError(KafkaError.POLICY_VIOLATION)), brokers=1)
