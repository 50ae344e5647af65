from processors.deployment import INPUT_TOPICS, PROCESSORS
from processors.schemas import schema_files
from processors.topics import TOPICS, TOPICS_BY_NAME
from processors.wiring import HANDLERS


def test_topic_names_are_unique():
    assert len(TOPICS_BY_NAME) == len(TOPICS)


def test_avro_topics_and_schema_files_match_one_to_one():
    assert sorted(schema_files()) == sorted(t.name for t in TOPICS if t.avro_value)


def test_every_order_flow_service_has_retry_and_dead_letter_topics():
    for service in ("orders", "payments", "inventory", "notifications"):
        assert {f"{service}.retry.5s", f"{service}.retry.30s", f"{service}.dlq"} <= set(TOPICS_BY_NAME)


def test_replication_and_min_isr_are_capped_to_the_cluster():
    topic = TOPICS_BY_NAME["orders.new"]
    assert (topic.effective_replication(1), topic.effective_min_isr(1)) == (1, 1)
    assert (topic.effective_replication(3), topic.effective_min_isr(3)) == (3, 2)
    assert topic.config(3)["min.insync.replicas"] == "2"


def test_saga_state_is_compacted_and_co_partitioned_with_orders():
    saga = TOPICS_BY_NAME["saga.state"]
    assert saga.cleanup_policy == "compact"
    assert saga.partitions == TOPICS_BY_NAME["orders.new"].partitions


def test_the_table_declares_every_processor_as_a_consumer_of_its_inputs():
    missing = [
        (name, topic)
        for name, handler in HANDLERS.items()
        for topic in handler.input_topics
        if name not in TOPICS_BY_NAME[topic].consumers
    ]
    assert missing == []


def test_the_inputs_read_from_the_table_are_the_ones_each_handler_subscribes_to():
    # The gateway and the tools know the processors' inputs from the table (processors/deployment.py), the
    # runtime subscribes to the handlers' own: a consumer listed in the table and not in a handler, or the
    # other way round, would show lag, offer replays or drive drills on topics nobody reads.
    assert set(HANDLERS) == set(PROCESSORS)
    assert {name: handler.input_topics for name, handler in HANDLERS.items()} == INPUT_TOPICS
