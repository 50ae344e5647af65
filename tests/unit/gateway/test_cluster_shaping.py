"""The pure parts of the cluster snapshot: Prometheus text, lag arithmetic, rebalance detection."""

from __future__ import annotations

import pytest

from gateway.telemetry.cluster import (
    DLQ_TOPICS,
    DOMAIN_TOPICS,
    diff_assignments,
    group_partitions,
    lag_seconds,
    partition_lag,
    processor_row,
)
from processors.events import EVENT_TYPES
from processors.runtime.metrics import sample_totals

SCRAPE = """\
# HELP pedidos_records_consumed_total Records consumed
# TYPE pedidos_records_consumed_total counter
pedidos_records_consumed_total{processor="payment",topic="orders.new"} 900.0
pedidos_records_consumed_total{processor="payment",topic="payments.refund-requested"} 12.0
pedidos_records_consumed_created{processor="payment",topic="orders.new"} 1.7954375e+09
pedidos_transactions_aborted_total{processor="payment",reason="produce failed: {x} y"} 2.0
pedidos_transactions_committed_total{processor="payment"} 340.0
pedidos_assigned_partitions{processor="payment"} 12.0
process_open_fds 17.0

"""


def test_prometheus_samples_are_summed_over_labels():
    totals = sample_totals(SCRAPE)
    assert totals["pedidos_records_consumed_total"] == 912
    assert totals["pedidos_transactions_aborted_total"] == 2  # braces and spaces inside a label value
    assert totals["pedidos_records_consumed_created"] == pytest.approx(1.7954375e9)  # a name of its own
    assert totals["process_open_fds"] == 17


def test_garbage_lines_are_ignored():
    assert sample_totals("not a metric line at all\nfoo NaNx\n{broken} 1\n") == {}


def test_processor_row_of_a_reachable_instance():
    row = processor_row("payment", 0, sample_totals(SCRAPE))
    assert row == {
        "name": "payment",
        "instance": 0,
        "up": True,
        "assigned": 12,
        "committed": 340,
        "aborted": 2,
        "consumed": 912,
        "produced": 0,
        "dead_lettered": 0,
    }


def test_processor_row_of_an_unreachable_instance_is_down_with_zeros():
    row = processor_row("inventory", 0, None)
    assert row["up"] is False
    assert {
        row[k] for k in ("assigned", "committed", "aborted", "consumed", "produced", "dead_lettered")
    } == {0}


@pytest.mark.parametrize(
    ("committed", "low", "lso", "expected"),
    [
        (812, 0, 812, (812, 0)),  # drained
        (800, 0, 812, (800, 12)),
        (None, 5, 20, (5, 15)),  # never committed: the group starts at the log start
        (3, 10, 20, (10, 10)),  # committed below the log start: those records are gone
        (25, 0, 20, (25, 0)),  # an LSO read before the commit it races with never makes lag negative
    ],
)
def test_partition_lag(committed, low, lso, expected):
    assert partition_lag(committed, low, lso) == expected


def test_lag_seconds_is_the_age_of_the_oldest_waiting_record():
    assert lag_seconds(3, 10_000.0, 12_500.0) == pytest.approx(2.5)
    assert lag_seconds(0, 10_000.0, 12_500.0) == 0.0  # nothing waits
    assert lag_seconds(3, None, 12_500.0) == 0.0  # timestamp unknown (e.g. the offset is a marker)
    assert lag_seconds(3, 13_000.0, 12_500.0) == 0.0  # clock skew never makes it negative


A = frozenset({"orders.new[0]", "orders.new[1]"})
B = frozenset({"orders.new[2]"})


def test_first_sight_and_no_change_are_not_rebalances():
    assert diff_assignments("payment", None, {"payment-0": A}, 1) is None
    assert diff_assignments("payment", {"payment-0": A}, {"payment-0": A}, 2) is None


def test_a_member_joining_is_reported_with_the_new_members():
    change = diff_assignments("payment", {"payment-0": A | B}, {"payment-0": A, "payment-1": B}, 7)
    assert change is not None
    assert change["at"] == 7
    assert change["group"] == "payment"
    assert change["members"] == ["payment-0", "payment-1"]
    assert "member joined: payment-1" in change["reason"]
    assert "membro entrou" in change["reason"]


def test_a_member_leaving_is_reported():
    change = diff_assignments("payment", {"payment-0": A, "payment-1": B}, {"payment-0": A | B}, 8)
    assert change is not None
    assert "member left: payment-1" in change["reason"]
    assert change["members"] == ["payment-0"]


def test_same_members_with_moved_partitions_is_a_reassignment():
    change = diff_assignments("payment", {"a": A, "b": B}, {"a": B, "b": A}, 9)
    assert change is not None
    assert "reassigned" in change["reason"]


def test_domain_topics_are_the_order_flow_and_the_dead_letter_topics():
    assert set(DOMAIN_TOPICS) == set(EVENT_TYPES) | set(DLQ_TOPICS)
    assert "payments.dlq" in DLQ_TOPICS
    assert all(t.endswith(".dlq") for t in DLQ_TOPICS)


def test_group_partitions_rows_only_for_the_group_partitions():
    offsets = {
        ("orders.new", 0): (0, 120, 110),
        ("orders.new", 1): (5, 50, 50),
        ("payments.failed", 0): (0, 9, 9),  # another group's input: no row
    }
    committed = {("orders.new", 0): 100, ("orders.new", 1): None}
    seen = {("orders.new", 0, 100): 7_000.0}

    rows = group_partitions(committed, offsets, lambda t, p, o: seen.get((t, p, o)), 10_000)

    assert rows == [
        {"topic": "orders.new", "partition": 0, "committed": 100, "lag": 10, "lag_seconds": 3.0},
        {"topic": "orders.new", "partition": 1, "committed": 5, "lag": 45, "lag_seconds": 0.0},
    ]
