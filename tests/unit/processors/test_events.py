from processors.events import EVENT_TYPES, event_id_for, new_event
from processors.topics import TOPICS_BY_NAME


def test_event_ids_are_deterministic_per_order_and_type():
    assert event_id_for("o-1", "OrderPlaced") == event_id_for("o-1", "OrderPlaced")
    assert event_id_for("o-1", "OrderPlaced") != event_id_for("o-1", "PaymentConfirmed")
    assert event_id_for("o-1", "OrderPlaced") != event_id_for("o-2", "OrderPlaced")


def test_new_event_fills_the_envelope():
    event = new_event(
        "payments.failed",
        order_id="o-1",
        correlation_id="c-1",
        causation_id=None,
        producer="payment",
        payment_id="pay-1",
        reason="recusado",
    )
    assert event["event_type"] == "PaymentFailed"
    assert event["event_id"] == event_id_for("o-1", "PaymentFailed")
    assert (event["order_id"], event["correlation_id"], event["producer"]) == ("o-1", "c-1", "payment")
    assert event["reason"] == "recusado"


def test_every_event_topic_is_a_declared_avro_topic():
    assert all(TOPICS_BY_NAME[topic].avro_value for topic in EVENT_TYPES)
