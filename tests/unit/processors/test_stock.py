"""Stock rules: all-or-nothing reservations, merged lines, and stock that never goes below zero."""

from __future__ import annotations

import random
import uuid

import pytest

from processors.inventory.stock import MissingItem, Reject, Reserve, decide_reservation, reservation_id_for


def test_reserves_everything_when_stock_covers_every_line():
    decision = decide_reservation([("p-b", 2), ("p-a", 1)], {"p-a": 5, "p-b": 2, "p-c": 9})
    assert decision == Reserve(items=(("p-a", 1), ("p-b", 2)), remaining={"p-a": 4, "p-b": 0})


def test_exact_stock_is_enough():
    assert isinstance(decide_reservation([("p-a", 3)], {"p-a": 3}), Reserve)


def test_rejects_the_whole_order_when_one_line_is_short():
    decision = decide_reservation([("p-a", 1), ("p-b", 3)], {"p-a": 5, "p-b": 2})
    assert decision == Reject(missing=(MissingItem("p-b", requested=3, available=2),), reason="out_of_stock")


def test_lists_every_missing_line_sorted_by_product():
    decision = decide_reservation([("p-z", 4), ("p-a", 2), ("p-m", 1)], {"p-z": 1, "p-a": 0, "p-m": 1})
    assert isinstance(decision, Reject)
    assert decision.missing == (MissingItem("p-a", 2, 0), MissingItem("p-z", 4, 1))


def test_duplicate_lines_are_merged_before_checking_stock():
    # Each line alone fits (3 <= 5), together they do not: checking lines one by one would oversell.
    decision = decide_reservation([("p-a", 3), ("p-a", 3)], {"p-a": 5})
    assert decision == Reject((MissingItem("p-a", requested=6, available=5),))
    assert decide_reservation([("p-a", 2), ("p-b", 1), ("p-a", 3)], {"p-a": 5, "p-b": 1}) == Reserve(
        (("p-a", 5), ("p-b", 1)), {"p-a": 0, "p-b": 0}
    )


def test_an_unknown_product_counts_as_zero_available():
    decision = decide_reservation([("p-a", 1), ("p-ghost", 1)], {"p-a": 5})
    assert decision == Reject((MissingItem("p-ghost", 1, 0),), reason="unknown_product")


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True, None])
def test_quantities_must_be_positive_integers(quantity):
    with pytest.raises(ValueError, match="quantidade"):
        decide_reservation([("p-a", 1), ("p-b", quantity)], {"p-a": 5, "p-b": 5})


@pytest.mark.parametrize("requested", [[], [("", 1)], [(None, 1)]])
def test_an_empty_request_or_product_id_is_refused(requested):
    with pytest.raises(ValueError):
        decide_reservation(requested, {"p-a": 5})


def test_the_input_availability_is_not_modified():
    available = {"p-a": 5}
    decide_reservation([("p-a", 5)], available)
    assert available == {"p-a": 5}


def test_stock_never_goes_negative_over_many_random_orders():
    rng = random.Random(7)
    products = [f"p-{i}" for i in range(6)]
    initial = {product: rng.randint(0, 30) for product in products}
    stock, reserved = dict(initial), 0
    for _ in range(5000):
        lines = [(rng.choice([*products, "p-ghost"]), rng.randint(1, 6)) for _ in range(rng.randint(1, 4))]
        decision = decide_reservation(lines, stock)
        if isinstance(decision, Reserve):
            assert set(decision.remaining) == {product for product, _ in decision.items}
            stock.update(decision.remaining)
            reserved += sum(quantity for _, quantity in decision.items)
        else:  # a reject names only lines stock could not cover, with the stock it saw
            assert all(m.requested > m.available == stock.get(m.product_id, 0) for m in decision.missing)
        assert min(stock.values()) >= 0
        assert sum(stock.values()) + reserved == sum(initial.values())  # conservation
    assert reserved > 0


def test_reservation_id_is_deterministic_per_order():
    assert reservation_id_for("o-1") == reservation_id_for("o-1")
    assert reservation_id_for("o-1") != reservation_id_for("o-2")
    assert uuid.UUID(reservation_id_for("o-1")).version == 5
