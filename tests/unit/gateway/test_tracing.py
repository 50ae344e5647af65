import re
import uuid

import pytest

from gateway.pricing import InvalidOrder
from gateway.tracing import child_traceparent, correlation_id_from

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def test_a_missing_correlation_id_is_created():
    assert uuid.UUID(correlation_id_from(None))
    assert correlation_id_from(None) != correlation_id_from(None)


def test_a_valid_correlation_id_is_kept():
    assert correlation_id_from("pedido-42:abc") == "pedido-42:abc"


@pytest.mark.parametrize("bad", ["com espaço", "x" * 129, "<script>"])
def test_an_unsafe_correlation_id_is_rejected(bad):
    with pytest.raises(InvalidOrder):
        correlation_id_from(bad)


def test_the_caller_trace_continues_with_a_new_span():
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    child = child_traceparent(parent)
    assert TRACEPARENT.match(child)
    assert child.split("-")[1] == "0af7651916cd43dd8448eb211c80319c"
    assert child.split("-")[2] != "b7ad6b7169203331"


@pytest.mark.parametrize("raw", [None, "", "garbage", "00-" + "0" * 32 + "-b7ad6b7169203331-01"])
def test_without_a_valid_parent_a_new_trace_starts(raw):
    assert TRACEPARENT.match(child_traceparent(raw))
