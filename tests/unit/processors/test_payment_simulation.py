"""Simulated payment provider: deterministic decisions, latency and ids, at the configured failure rate."""

from __future__ import annotations

import math
import uuid
from decimal import Decimal

import pytest

from processors.payment.simulation import (
    DECLINE_REASONS,
    Approved,
    Declined,
    PaymentSimulation,
    payment_id_for,
    refund_id_for,
)

AMOUNT = Decimal("59.80")
IDS = [f"order-{i}" for i in range(10_000)]


@pytest.mark.parametrize("probability", [0.05, 0.2, 0.5, 0.8])
def test_observed_failure_rate_is_within_two_points_of_the_configured_one(probability):
    simulation = PaymentSimulation(failure_probability=probability, latency_ms=0)
    declined = sum(isinstance(simulation.decide(order_id, AMOUNT), Declined) for order_id in IDS)
    assert abs(declined / len(IDS) - probability) <= 0.02


def test_probability_zero_never_declines_and_one_always_does():
    never, always = PaymentSimulation(0.0, 0), PaymentSimulation(1.0, 0)
    assert all(isinstance(never.decide(order_id, AMOUNT), Approved) for order_id in IDS[:2000])
    assert all(isinstance(always.decide(order_id, AMOUNT), Declined) for order_id in IDS[:2000])


def test_a_replay_decides_the_same_even_in_another_instance():
    first, replay = PaymentSimulation(0.3, 100, seed="s"), PaymentSimulation(0.3, 100, seed="s")
    for order_id in IDS[:500]:
        assert first.decide(order_id, AMOUNT) == replay.decide(order_id, AMOUNT)
        assert first.latency_s(order_id) == replay.latency_s(order_id)


def test_the_seed_changes_which_orders_are_declined():
    a, b = PaymentSimulation(0.5, 0, seed="a"), PaymentSimulation(0.5, 0, seed="b")
    assert [a.decide(o, AMOUNT) for o in IDS[:200]] != [b.decide(o, AMOUNT) for o in IDS[:200]]


def test_decisions_carry_a_code_or_a_known_reason():
    simulation = PaymentSimulation(0.5, 0)
    decisions = [simulation.decide(order_id, AMOUNT) for order_id in IDS[:2000]]
    codes = {d.authorization_code for d in decisions if isinstance(d, Approved)}
    reasons = {d.reason for d in decisions if isinstance(d, Declined)}
    assert reasons == set(DECLINE_REASONS)
    assert all(len(code) == 6 and set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for code in codes)
    assert len(codes) == sum(isinstance(d, Approved) for d in decisions)  # practically unique per order


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-1.00"), Decimal("NaN")])
def test_a_non_positive_amount_is_declined_whatever_the_odds(amount):
    assert PaymentSimulation(0.0, 0).decide("order-1", amount) == Declined("invalid_amount")


def test_latency_jitters_around_the_configured_mean():
    simulation = PaymentSimulation(0.1, latency_ms=200)
    latencies = [simulation.latency_s(order_id) for order_id in IDS]
    assert all(0.1 <= latency < 0.3 for latency in latencies)
    assert abs(sum(latencies) / len(latencies) - 0.2) < 0.005
    assert len(set(latencies)) > 9000
    assert PaymentSimulation(0.1, latency_ms=0).latency_s("order-1") == 0.0


@pytest.mark.parametrize("probability", [-0.01, 1.01, math.nan, math.inf, "0.5", None, True])
def test_failure_probability_must_be_a_number_in_zero_one(probability):
    with pytest.raises(ValueError, match="failure_probability"):
        PaymentSimulation(probability, 0)


@pytest.mark.parametrize("latency", [-1, math.nan, math.inf, "10"])
def test_latency_must_be_finite_and_not_negative(latency):
    with pytest.raises(ValueError, match="latency_ms"):
        PaymentSimulation(0.1, latency)


def test_payment_and_refund_ids_are_deterministic_and_distinct():
    assert payment_id_for("o-1") == payment_id_for("o-1") != payment_id_for("o-2")
    assert refund_id_for("o-1") == refund_id_for("o-1") != refund_id_for("o-2")
    assert payment_id_for("o-1") != refund_id_for("o-1")
    assert uuid.UUID(payment_id_for("o-1")).version == uuid.UUID(refund_id_for("o-1")).version == 5
