"""The dashboard's business indicators, computed from the event stream: pure, no Kafka or database imports.

Every figure is over a sliding window (5 minutes by default) of record timestamps, so a gateway that starts
by replaying the last minutes of the topics shows the same numbers as one that watched them live.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from typing import Any

# stage -> (topics that start it, topics that end it); an order's first sight of each counts
STAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "payment": (("orders.new",), ("payments.confirmed", "payments.failed")),
    "inventory": (("payments.confirmed",), ("inventory.reserved", "inventory.failed")),
    "confirmation": (("inventory.reserved",), ("orders.confirmed",)),
    "end_to_end": (("orders.new",), ("orders.confirmed", "orders.cancelled")),
}
COUNTED = {
    "orders.new": "placed",
    "orders.confirmed": "confirmed",
    "orders.cancelled": "cancelled",
    "payments.confirmed": "payment_confirmed",
    "payments.failed": "payment_failed",
    "inventory.failed": "stock_failed",
}


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list; None for no data."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil without floats drifting
    return sorted_values[int(rank) - 1]


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Indicators:
    def __init__(self, window_s: int = 300, bucket_s: int = 10, max_orders: int = 50_000) -> None:
        self.window_ms = window_s * 1000
        self.bucket_ms = bucket_s * 1000
        self.max_orders = max_orders
        self._seen: OrderedDict[str, dict[str, int]] = OrderedDict()  # order -> topic -> first timestamp
        self._durations: deque[tuple[int, str, int]] = deque()  # (ended at, stage, ms)
        self._buckets: dict[int, Counter[str]] = {}

    def observe(self, topic: str, order_id: str | None, at_ms: int) -> None:
        bucket = self._buckets.setdefault(at_ms - at_ms % self.bucket_ms, Counter())
        if topic.endswith(".dlq"):
            bucket["dead_lettered"] += 1
            return
        if topic in COUNTED:
            bucket[COUNTED[topic]] += 1
        if not order_id:
            return
        seen = self._seen.setdefault(order_id, {})
        self._seen.move_to_end(order_id)
        if topic in seen:
            return  # a later event of the same kind (a replay) does not time a stage again
        seen[topic] = at_ms
        for stage, (starts, ends) in STAGES.items():
            if topic in ends:
                start = min((seen[t] for t in starts if t in seen), default=None)
                if start is not None and at_ms >= start:
                    self._durations.append((at_ms, stage, at_ms - start))
        while len(self._seen) > self.max_orders:
            self._seen.popitem(last=False)

    def snapshot(self, now_ms: int) -> dict[str, Any]:
        since = now_ms - self.window_ms
        self._prune(since)
        totals: Counter[str] = Counter()
        for start, counts in self._buckets.items():
            if start >= since - self.bucket_ms:
                totals.update(counts)
        minutes = self.window_ms / 60_000
        by_stage: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for _at, stage, ms in self._durations:
            by_stage[stage].append(ms)
        stages = {}
        for stage, values in by_stage.items():
            values.sort()
            stages[stage] = {f"p{p}": percentile(values, p) for p in (50, 95, 99)} | {"count": len(values)}
        return {
            "at": now_ms,
            "window_s": self.window_ms // 1000,
            "orders_per_min": totals["placed"] / minutes,
            "success_rate": ratio(totals["confirmed"], totals["confirmed"] + totals["cancelled"]),
            "payment_approval_rate": ratio(
                totals["payment_confirmed"], totals["payment_confirmed"] + totals["payment_failed"]
            ),
            "stock_failures": totals["stock_failed"],
            "dlq_per_min": totals["dead_lettered"] / minutes,
            "stages": stages,
            "series": [
                {
                    "at": start,
                    **{
                        k: self._buckets[start][k]
                        for k in ("placed", "confirmed", "cancelled", "dead_lettered")
                    },
                }
                for start in sorted(self._buckets)
            ],
        }

    def _prune(self, since: int) -> None:
        while self._durations and self._durations[0][0] < since:
            self._durations.popleft()
        for start in [s for s in self._buckets if s < since - self.bucket_ms]:
            del self._buckets[start]
