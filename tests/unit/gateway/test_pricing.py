from decimal import Decimal

import pytest

from gateway.pricing import (
    MAX_ITEMS,
    CatalogueEntry,
    CheckoutRequest,
    InvalidOrder,
    field_path,
    parse_checkout,
    price_order,
)

CATALOGUE = {
    "p-0001": CatalogueEntry("p-0001", Decimal("19.90")),
    "p-0002": CatalogueEntry("p-0002", Decimal("5.5")),
    "p-0003": CatalogueEntry("p-0003", Decimal("10.00"), active=False),
}


def body(**overrides):
    return {"customer_id": "c-0001", "items": [{"product_id": "p-0001", "quantity": 2}], **overrides}


def fields_of(error: InvalidOrder) -> dict[str, str]:
    return {f.field: f.reason for f in error.fields}


def test_a_valid_body_parses():
    request = parse_checkout(body())
    assert request == CheckoutRequest.model_validate(body())
    assert request.items[0].quantity == 2


@pytest.mark.parametrize(
    ("payload", "field", "reason_contains"),
    [
        ({"items": [{"product_id": "p-0001", "quantity": 1}]}, "customer_id", "campo obrigatório"),
        (body(customer_id=""), "customer_id", "não pode ser vazio"),
        (body(customer_id=5), "customer_id", "texto"),
        (body(items=[]), "items", "ao menos 1"),
        (body(items=[{"product_id": "p-0001", "quantity": 1}] * (MAX_ITEMS + 1)), "items", "no máximo 50"),
        (body(items=[{"product_id": "p-0001", "quantity": 0}]), "items[0].quantity", "no mínimo 1"),
        (body(items=[{"product_id": "p-0001", "quantity": 101}]), "items[0].quantity", "no máximo 100"),
        (body(items=[{"product_id": "p-0001", "quantity": "2"}]), "items[0].quantity", "inteiro"),
        (body(items=[{"product_id": "p-0001", "quantity": 1.5}]), "items[0].quantity", "inteiro"),
        (body(items=[{"product_id": "p-0001", "quantity": True}]), "items[0].quantity", "inteiro"),
        (body(items=[{"quantity": 1}]), "items[0].product_id", "campo obrigatório"),
        (
            body(items=[{"product_id": "p-0001", "quantity": 1, "unit_price": 0.01}]),
            "items[0].unit_price",
            "catálogo",
        ),
        (body(items="p-0001"), "items", "lista"),
        (body(total_amount="1.00"), "total_amount", "não permitido"),
        ([body()], "body", "objeto JSON"),
        ("texto", "body", "objeto JSON"),
    ],
)
def test_invalid_bodies_name_the_field_and_the_reason(payload, field, reason_contains):
    with pytest.raises(InvalidOrder) as caught:
        parse_checkout(payload)
    reasons = fields_of(caught.value)
    assert field in reasons, reasons
    assert reason_contains in reasons[field]
    assert " / " in reasons[field]  # Portuguese first, then the English original


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidOrder) as caught:
        parse_checkout({"items": [{"product_id": "p-1", "quantity": 0}, {"product_id": "", "quantity": 1}]})
    assert set(fields_of(caught.value)) == {"customer_id", "items[0].quantity", "items[1].product_id"}


def test_prices_come_from_the_catalogue_and_the_total_is_exact():
    request = parse_checkout(
        body(items=[{"product_id": "p-0001", "quantity": 3}, {"product_id": "p-0002", "quantity": 1}])
    )
    order = price_order(request, CATALOGUE)
    assert [(line.product_id, line.quantity, line.unit_price) for line in order.lines] == [
        ("p-0001", 3, Decimal("19.90")),
        ("p-0002", 1, Decimal("5.50")),
    ]
    assert order.total == Decimal("65.20")
    assert order.total.as_tuple().exponent == -2
    assert (order.customer_id, order.currency) == ("c-0001", "BRL")


def test_unknown_and_inactive_products_are_named_by_position():
    request = parse_checkout(
        body(
            items=[
                {"product_id": "p-0001", "quantity": 1},
                {"product_id": "p-9999", "quantity": 1},
                {"product_id": "p-0003", "quantity": 1},
            ]
        )
    )
    with pytest.raises(InvalidOrder) as caught:
        price_order(request, CATALOGUE)
    reasons = fields_of(caught.value)
    assert set(reasons) == {"items[1].product_id", "items[2].product_id"}
    assert "desconhecido" in reasons["items[1].product_id"]
    assert "fora do catálogo" in reasons["items[2].product_id"]


def test_an_unknown_customer_is_an_error_on_customer_id():
    with pytest.raises(InvalidOrder) as caught:
        price_order(parse_checkout(body()), CATALOGUE, customer_known=False)
    assert list(fields_of(caught.value)) == ["customer_id"]


def test_a_total_that_does_not_fit_decimal_12_2_is_rejected():
    catalogue = {"p-0001": CatalogueEntry("p-0001", Decimal("999999999.99"))}
    request = parse_checkout(body(items=[{"product_id": "p-0001", "quantity": 100}]))
    with pytest.raises(InvalidOrder) as caught:
        price_order(request, catalogue)
    assert "items" in fields_of(caught.value)


@pytest.mark.parametrize(
    ("loc", "path"),
    [((), "body"), (("customer_id",), "customer_id"), (("items", 3, "quantity"), "items[3].quantity")],
)
def test_field_paths(loc, path):
    assert field_path(loc) == path
