import pytest

from gateway.telemetry.indicators import Indicators, percentile

T0 = 1_800_000_000_000


def order_flow(
    ind: Indicators, order: str, at: int, *, paid_ms: int, reserved_ms: int, confirmed_ms: int
) -> None:
    ind.observe("orders.new", order, at)
    ind.observe("payments.confirmed", order, at + paid_ms)
    ind.observe("inventory.reserved", order, at + paid_ms + reserved_ms)
    ind.observe("orders.confirmed", order, at + paid_ms + reserved_ms + confirmed_ms)


def test_stage_times_and_rates_over_the_window():
    ind = Indicators(window_s=60, bucket_s=10)
    order_flow(ind, "o-1", T0, paid_ms=100, reserved_ms=50, confirmed_ms=10)
    order_flow(ind, "o-2", T0 + 1000, paid_ms=300, reserved_ms=70, confirmed_ms=30)
    ind.observe("orders.new", "o-3", T0 + 2000)
    ind.observe("payments.failed", "o-3", T0 + 2200)
    ind.observe("orders.cancelled", "o-3", T0 + 2300)
    ind.observe("payments.dlq", "o-4", T0 + 2400)
    snap = ind.snapshot(T0 + 5000)
    assert snap["orders_per_min"] == 3.0  # 3 placed in a 1-minute window
    assert snap["success_rate"] == pytest.approx(2 / 3)
    assert snap["payment_approval_rate"] == pytest.approx(2 / 3)
    assert snap["dlq_per_min"] == 1.0
    assert snap["stages"]["payment"]["count"] == 3  # failures end the payment stage too
    assert snap["stages"]["payment"]["p99"] == 300
    assert snap["stages"]["inventory"]["p50"] == 50
    assert snap["stages"]["end_to_end"]["p99"] == 400
    assert sum(p["placed"] for p in snap["series"]) == 3


def test_a_replayed_event_does_not_time_its_stage_twice_and_old_data_leaves_the_window():
    ind = Indicators(window_s=60, bucket_s=10)
    order_flow(ind, "o-1", T0, paid_ms=100, reserved_ms=50, confirmed_ms=10)
    ind.observe("payments.confirmed", "o-1", T0 + 9000)
    assert ind.snapshot(T0 + 10_000)["stages"]["payment"]["count"] == 1
    later = ind.snapshot(T0 + 200_000)
    assert later["orders_per_min"] == 0 and later["stages"]["payment"]["p50"] is None
    assert later["success_rate"] is None


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([5], 99) == 5
