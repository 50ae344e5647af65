"""Checkout validation and pricing: pure functions, no Flask, Kafka or database imports.

The client names products and quantities only; every price comes from the catalogue (PostgreSQL), which the
caller reads and passes in as a dict. A body that carries a price is rejected: the client never chooses what
it pays. Errors name the field (``items[3].quantity``) and the reason, in Portuguese first, then English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_ITEMS = 50
MAX_QUANTITY = 100
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # Avro decimal(12,2) and numeric(12,2)
CURRENCY = "BRL"


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class InvalidOrder(Exception):
    """The request cannot become an order; ``fields`` says which field and why."""

    def __init__(self, fields: list[FieldError]) -> None:
        super().__init__("; ".join(f"{f.field}: {f.reason}" for f in fields))
        self.fields = fields


class CheckoutItem(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # strict: "2" is not a quantity

    product_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class CheckoutRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    customer_id: str = Field(min_length=1, max_length=64)
    items: list[CheckoutItem] = Field(min_length=1, max_length=MAX_ITEMS)


@dataclass(frozen=True)
class CatalogueEntry:
    product_id: str
    price: Decimal
    active: bool = True


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    quantity: int
    unit_price: Decimal

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class PricedOrder:
    customer_id: str
    lines: tuple[PricedLine, ...]
    total: Decimal
    currency: str = CURRENCY


def parse_checkout(body: Any) -> CheckoutRequest:
    """The decoded JSON body as a request, or ``InvalidOrder`` naming every bad field."""
    try:
        return CheckoutRequest.model_validate(body)
    except ValidationError as error:
        raise InvalidOrder([_field_error(e) for e in error.errors()]) from None


def price_order(
    request: CheckoutRequest, catalogue: Mapping[str, CatalogueEntry], *, customer_known: bool = True
) -> PricedOrder:
    """Prices each line from the catalogue; unknown customers and unknown or inactive products are errors."""
    errors: list[FieldError] = []
    if not customer_known:
        errors.append(FieldError("customer_id", "cliente desconhecido / unknown customer"))
    lines: list[PricedLine] = []
    for index, item in enumerate(request.items):
        entry = catalogue.get(item.product_id)
        field = f"items[{index}].product_id"
        if entry is None:
            errors.append(FieldError(field, "produto desconhecido / unknown product"))
        elif not entry.active:
            errors.append(FieldError(field, "produto fora do catálogo / product is no longer sold"))
        else:
            lines.append(PricedLine(item.product_id, item.quantity, entry.price.quantize(CENTS)))
    total = sum((line.subtotal for line in lines), Decimal("0")).quantize(CENTS)
    if total > MAX_AMOUNT:
        errors.append(FieldError("items", f"total acima de {MAX_AMOUNT} / total above {MAX_AMOUNT}"))
    if errors:
        raise InvalidOrder(errors)
    return PricedOrder(request.customer_id, tuple(lines), total)


def field_path(loc: tuple[str | int, ...]) -> str:
    """('items', 0, 'quantity') -> 'items[0].quantity'; the whole body is 'body'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


_REASONS_PT = {
    "missing": "campo obrigatório",
    "extra_forbidden": "campo não permitido",
    "string_type": "deve ser um texto",
    "int_type": "deve ser um número inteiro",
    "list_type": "deve ser uma lista",
    "model_type": "deve ser um objeto JSON",
    "model_attributes_type": "deve ser um objeto JSON",
    "string_too_short": "não pode ser vazio",
    "string_too_long": "deve ter no máximo {max_length} caracteres",
    "too_short": "deve ter ao menos {min_length} item",
    "too_long": "deve ter no máximo {max_length} itens",
    "greater_than_equal": "deve ser no mínimo {ge}",
    "less_than_equal": "deve ser no máximo {le}",
}


def _field_error(error: Mapping[str, Any]) -> FieldError:
    template = _REASONS_PT.get(error["type"], "valor inválido")
    try:
        reason_pt = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        reason_pt = template
    path = field_path(tuple(error["loc"]))
    if error["type"] == "extra_forbidden" and any(w in path for w in ("price", "amount", "total")):
        reason_pt += " (o preço vem do catálogo)"
    return FieldError(path, f"{reason_pt} / {error['msg']}")
