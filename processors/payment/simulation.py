"""Simulated payment provider: approves or declines each order, deterministically.

A decision is a pure function of (seed, order_id), never a coin flip: after a crash the payment transaction
is aborted and replayed, and the replay must charge exactly as the first attempt would have. The same holds
for the simulated latency and for the payment and refund ids, so replayed events carry the same values.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal

# Fixed namespace: ids must not change between processes, restarts or seeds.
PAYMENT_NAMESPACE = uuid.UUID("3d0c9b7a-51e2-4f8a-b6c4-8a2e7f1d9c35")
DECLINE_REASONS = ("declined", "insufficient_funds", "gateway_timeout")
# No 0/O or 1/I: the code is read aloud to support staff.
_AUTH_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_AUTH_LENGTH = 6


@dataclass(frozen=True)
class Approved:
    authorization_code: str


@dataclass(frozen=True)
class Declined:
    reason: str


def _digest(*parts: str) -> bytes:
    # A separator that cannot occur in ids keeps ("a", "bc") and ("ab", "c") apart.
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _unit(*parts: str) -> float:
    """A uniform number in [0, 1) derived from ``parts``: sha256 spreads even sequential ids evenly."""
    return int.from_bytes(_digest(*parts)[:8], "big") / 2**64


@dataclass(frozen=True)
class PaymentSimulation:
    failure_probability: float
    latency_ms: float
    seed: str = ""  # a different seed gives a different (but equally reproducible) set of declined orders

    def __post_init__(self) -> None:
        p = self.failure_probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"failure_probability deve estar em [0, 1], veio {p!r}")
        ms = self.latency_ms
        if isinstance(ms, bool) or not isinstance(ms, int | float) or not math.isfinite(ms) or ms < 0:
            raise ValueError(f"latency_ms deve ser um número finito >= 0, veio {ms!r}")

    def decide(self, order_id: str, amount: Decimal | int) -> Approved | Declined:
        value = Decimal(amount)
        if not value.is_finite() or value <= 0:
            return Declined("invalid_amount")  # a provider refuses such a charge whatever the odds
        if _unit(self.seed, order_id, "decision") < self.failure_probability:
            reasons = DECLINE_REASONS
            return Declined(reasons[int(_unit(self.seed, order_id, "reason") * len(reasons))])
        return Approved(_authorization_code(self.seed, order_id))

    def latency_s(self, order_id: str) -> float:
        """Uniform in [0.5, 1.5] x latency_ms: the mean is the configured latency and it is never negative."""
        return self.latency_ms * (0.5 + _unit(self.seed, order_id, "latency")) / 1000.0


def _authorization_code(seed: str, order_id: str) -> str:
    digest = _digest(seed, order_id, "authorization")
    return "".join(_AUTH_ALPHABET[b % len(_AUTH_ALPHABET)] for b in digest[:_AUTH_LENGTH])


def payment_id_for(order_id: str) -> str:
    """One charge per order: a replayed charge reuses the id, so the audit sees one payment, not two."""
    return str(uuid.uuid5(PAYMENT_NAMESPACE, f"payment/{order_id}"))


def refund_id_for(order_id: str) -> str:
    """At most one refund per order (its payment), so the refund id too can come from the order."""
    return str(uuid.uuid5(PAYMENT_NAMESPACE, f"refund/{order_id}"))
