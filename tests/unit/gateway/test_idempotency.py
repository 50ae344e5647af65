import uuid

import pytest

from gateway.idempotency import Outcome, check_key, decide, order_id_for, request_hash
from gateway.pricing import InvalidOrder, parse_checkout


def request(quantity=1):
    return parse_checkout(
        {"customer_id": "c-0001", "items": [{"product_id": "p-0001", "quantity": quantity}]}
    )


def test_the_same_key_gives_the_same_order_id_everywhere():
    assert order_id_for("k-1") == order_id_for("k-1")
    assert order_id_for("k-1") != order_id_for("k-2")
    assert uuid.UUID(order_id_for("k-1")).version == 5


def test_no_key_gives_a_fresh_order_id_each_time():
    assert order_id_for(None) != order_id_for(None)


def test_the_request_hash_ignores_json_key_order():
    a = parse_checkout({"customer_id": "c-1", "items": [{"product_id": "p-1", "quantity": 2}]})
    b = parse_checkout({"items": [{"quantity": 2, "product_id": "p-1"}], "customer_id": "c-1"})
    assert request_hash(a) == request_hash(b)
    assert request_hash(a) != request_hash(request(quantity=3))


@pytest.mark.parametrize(
    ("stored", "acknowledged", "incoming", "outcome"),
    [
        ("h1", True, "h1", Outcome.REPLAY),
        ("h1", False, "h1", Outcome.PRODUCE),  # the first attempt answered 503: produce now
        ("h1", True, "h2", Outcome.CONFLICT),
        ("h1", False, "h2", Outcome.CONFLICT),
    ],
)
def test_decide(stored, acknowledged, incoming, outcome):
    assert decide(stored, acknowledged, incoming) is outcome


@pytest.mark.parametrize("bad", ["", "tem espaço", "x" * 256, "acentuação"])
def test_bad_keys_are_rejected(bad):
    with pytest.raises(InvalidOrder) as caught:
        check_key(bad)
    assert caught.value.fields[0].field == "Idempotency-Key"


def test_good_keys_pass_and_absent_is_none():
    assert check_key("3f1c-ABC_1:2") == "3f1c-ABC_1:2"
    assert check_key(None) is None
