"""`pedidos seed` against the real stack: idempotent upserts, and the compacted topics mirror the tables."""

from __future__ import annotations

import psycopg

from processors.runtime.serde import AvroCodec
from tests.integration.gateway_helpers import end_offsets, read_since
from tools.seed import make_products, run_seed


def snapshot(settings):
    with psycopg.connect(settings.database_url) as conn:
        products = conn.execute(
            "SELECT product_id, name, price, updated_at FROM products "
            "WHERE product_id LIKE 'p-____' ORDER BY product_id"
        ).fetchall()
        customers = conn.execute("SELECT count(*) FROM customers WHERE customer_id LIKE 'c-____'").fetchone()
        stock = conn.execute("SELECT count(*) FROM stock WHERE product_id LIKE 'p-____'").fetchone()
    return products, customers, stock


def test_seeding_twice_changes_nothing_and_publishes_the_rows(settings):
    since = {topic: end_offsets(settings.bootstrap_servers, topic) for topic in ("products", "customers")}
    first = run_seed(settings, products=20, customers=10)
    before = snapshot(settings)
    again = run_seed(settings, products=20, customers=10)
    assert snapshot(settings) == before  # not even updated_at moved
    assert again.stock_rows_created == 0
    assert (first.products, first.customers) == (20, 10)

    expected = {p.product_id: p for p in make_products(20)}
    assert {row[0]: (row[1], row[2]) for row in before[0] if row[0] in expected} == {
        pid: (p.name, p.price) for pid, p in expected.items()
    }

    codec = AvroCodec(settings.registry_url)
    published = read_since(settings.bootstrap_servers, "products", since["products"])
    latest = {m.key().decode(): codec.decode("products", m.value()) for m in published}
    assert set(expected) <= set(latest)
    assert latest["p-0001"]["price"] == expected["p-0001"].price
    assert latest["p-0001"]["name"] == expected["p-0001"].name
    customers = read_since(settings.bootstrap_servers, "customers", since["customers"])
    assert {"c-0001", "c-0010"} <= {m.key().decode() for m in customers}
