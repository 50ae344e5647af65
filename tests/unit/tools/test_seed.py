from decimal import Decimal

from tools.seed import CATALOGUE, make_customers, make_products


def test_products_are_deterministic_with_stable_ids():
    first, again = make_products(30), make_products(30)
    assert first == again
    assert [p.product_id for p in first[:3]] == ["p-0001", "p-0002", "p-0003"]
    assert first[-1].product_id == "p-0030"
    assert make_products(40)[:30] == first  # more products never change the first ones


def test_products_have_pt_br_categories_and_positive_prices_in_cents():
    for product in make_products(50):
        assert product.category in CATALOGUE
        assert product.price > 0
        assert product.price == product.price.quantize(Decimal("0.01"))


def test_customers_are_deterministic_with_unique_emails():
    customers = make_customers(200)
    assert customers == make_customers(200)
    assert customers[0].customer_id == "c-0001"
    assert len({c.email for c in customers}) == 200
    assert all(c.email.isascii() for c in customers)
