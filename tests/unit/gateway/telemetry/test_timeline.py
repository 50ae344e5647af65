import re
from pathlib import Path

from gateway.telemetry.timeline import build_timeline, lane_of
from processors.events import EVENT_TYPES

STORY = Path(__file__).parents[4] / "ui" / "src" / "locales" / "story.ts"


def row(event_type, topic, event_id, cause, producer, record_ts, consumed_at=None, **payload):
    return {
        "topic": topic,
        "partition": 2,
        "offset": 10,
        "order_id": "o-1",
        "event_type": event_type,
        "event_id": event_id,
        "occurred_at": record_ts - 1,
        "record_ts": record_ts,
        "consumed_at": consumed_at,
        "payload": {"causation_id": cause, "producer": producer, "correlation_id": "c-1", **payload},
    }


def test_each_step_is_split_into_broker_time_and_service_time_and_timed_whole():
    rows = [
        row(
            "PaymentConfirmed",
            "payments.confirmed",
            "e2",
            "e1",
            "payment",
            1_150,
            consumed_at=1_030,
            amount="10.00",
        ),
        row("OrderPlaced", "orders.new", "e1", None, "gateway", 1_000, items=[{}, {}], total_amount="10.00"),
    ]
    placed, paid = build_timeline(rows)
    assert (placed["event_type"], paid["event_type"]) == ("OrderPlaced", "PaymentConfirmed")
    assert placed["broker_ms"] is None and placed["lane"] == "gateway"
    assert placed["step_ms"] is None and placed["payload"]["items"] == [{}, {}]
    assert paid["lane"] == "payment" and paid["transaction"] == "committed"
    assert (paid["broker_ms"], paid["service_ms"]) == (30, 120)
    assert paid["step_ms"] == 150  # told as "Pagamento aprovado em 150 ms." (ui/src/shaping/narration.ts)


def test_events_from_before_the_consumed_at_header_have_no_split_and_missing_fields_show():
    [cancelled] = build_timeline([row("OrderCancelled", "orders.cancelled", "e9", "gone", "orchestrator", 5)])
    assert cancelled["broker_ms"] is None and cancelled["service_ms"] is None
    assert cancelled["step_ms"] is None and "reason" not in cancelled["payload"]
    assert lane_of(None) == "gateway" and lane_of("inventory") == "inventory"


def test_the_dashboard_tells_every_event_type_in_both_languages():
    """The sentences live in the dashboard's one catalogue: every event the system produces has one there."""
    catalogue = STORY.read_text()
    pt, en = catalogue.split("export const storyEn")
    for event_type in EVENT_TYPES.values():
        key = re.escape(f"'story.{event_type}':")
        assert re.search(key, pt) and re.search(key, en), event_type
