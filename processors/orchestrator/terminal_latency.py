"""Checkout-to-terminal latency of orders: the end-to-end number the seeds ask p95/p99 of.

An order's terminal event (OrderConfirmed or OrderCancelled) only happened if the transaction holding it
commits: the loop may abort it and replay the input, which emits the event again. So the handler notes each
terminal event here, and the histogram is observed once the transaction commits, forgotten on an abort.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Histogram

CHECKOUT_TO_TERMINAL = Histogram(
    "pedidos_order_checkout_to_terminal_seconds",
    "From the checkout (OrderPlaced.occurred_at) to the commit of the order's terminal event, by outcome",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class TerminalLatency:
    """The terminal events of the open transaction: (outcome, checkout time)."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, datetime]] = []

    def ended(self, outcome: str, placed_at: datetime | None) -> None:
        """``outcome``: the terminal status, "confirmed" or "cancelled". A saga restored from a v1 record has
        no checkout time."""
        if placed_at is not None:
            self.pending.append((outcome, placed_at))

    def committed(self) -> None:
        now = datetime.now(UTC)
        for outcome, placed_at in self.pending:
            CHECKOUT_TO_TERMINAL.labels(outcome).observe(max(0.0, (now - placed_at).total_seconds()))
        self.pending.clear()

    def aborted(self) -> None:
        self.pending.clear()
