"""The range reader shared by the x-ray, the DLQ panel and the DLQ tools, where no broker answers: what it
does when a range cannot be read to its end."""

from __future__ import annotations

import pytest

from gateway.telemetry.xray import IncompleteRead, read_ranges
from tools.stack.procs import free_port


def test_a_range_not_read_by_the_deadline_is_left_short_or_raised_when_it_must_be_complete():
    nowhere = f"127.0.0.1:{free_port()}"
    ranges = {("orders.new", 0): (0, 5)}
    assert read_ranges(nowhere, ranges, "read_committed", deadline_s=0.5) == []
    with pytest.raises(IncompleteRead, match="incomplete read"):
        read_ranges(nowhere, ranges, "read_committed", deadline_s=0.5, complete=True)


def test_empty_ranges_need_no_consumer():
    assert read_ranges(f"127.0.0.1:{free_port()}", {("orders.new", 0): (7, 7)}, "read_committed") == []
