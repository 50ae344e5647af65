"""Stock rules of the inventory service: all-or-nothing reservations that never take stock below zero.

Pure: the handler locks the stock rows, passes what they hold, and applies the decision in the same database
transaction. The conditional UPDATE and ``CHECK (available >= 0)`` of sql/002_inventory.sql stay as backstops.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Fixed namespace: the same order must get the same reservation id in every process and after every restart.
RESERVATION_NAMESPACE = uuid.UUID("0b5f3f8e-7c1a-4d2e-9a64-2f6d8c3e1a57")

Line = tuple[str, int]


@dataclass(frozen=True)
class MissingItem:
    """A product the order asked for more of than there is (mirrors inventory.failed's MissingItem)."""

    product_id: str
    requested: int
    available: int


@dataclass(frozen=True)
class Reserve:
    """Reserve every line. ``items`` is merged and sorted by product id, the order rows are locked in."""

    items: tuple[Line, ...]
    remaining: dict[str, int] = field(hash=False)  # availability of each reserved product afterwards


@dataclass(frozen=True)
class Reject:
    """Reserve nothing: a partial reservation would ship half an order the customer paid in full."""

    missing: tuple[MissingItem, ...]
    reason: str = "out_of_stock"  # or unknown_product: reported as available 0, but it is not a shortage


def merge_lines(requested: Iterable[Line]) -> dict[str, int]:
    """Sum the quantities of repeated products: two lines of 3 must be checked against stock as one of 6."""
    merged: dict[str, int] = {}
    for product_id, quantity in requested:
        if not isinstance(product_id, str) or not product_id:
            raise ValueError(f"product_id inválido: {product_id!r}")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ValueError(f"quantidade deve ser um inteiro > 0 (produto {product_id}: {quantity!r})")
        merged[product_id] = merged.get(product_id, 0) + quantity
    if not merged:
        raise ValueError("reserva sem itens")
    return merged


def decide_reservation(requested: Iterable[Line], available: Mapping[str, int]) -> Reserve | Reject:
    """All-or-nothing: reserve every line if stock covers all of them, otherwise list what is missing."""
    merged = merge_lines(requested)
    missing = tuple(
        MissingItem(product_id, quantity, available.get(product_id, 0))
        for product_id, quantity in sorted(merged.items())
        if quantity > available.get(product_id, 0)
    )
    if missing:
        unknown = any(m.product_id not in available for m in missing)
        return Reject(missing, "unknown_product" if unknown else "out_of_stock")
    items = tuple(sorted(merged.items()))
    return Reserve(items, {product_id: available[product_id] - quantity for product_id, quantity in items})


def reservation_id_for(order_id: str) -> str:
    """One reservation per order (reservations.order_id is UNIQUE), so the order determines its id."""
    return str(uuid.uuid5(RESERVATION_NAMESPACE, f"reservation/{order_id}"))
