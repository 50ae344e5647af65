"""Every processor killed at every crash point and restarted with the same transactional.id: a clean audit.

A crash with a transaction open leaves records that only a read_uncommitted reader sees (the aborted
transaction); a crash right after a commit leaves nothing open, so nothing is aborted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.deployment import PROCESSORS
from tests.integration.e2e import assert_audit_clean
from tools.chaos.kill import crash_points_of, run_kill
from tools.seed import run_seed

pytestmark = pytest.mark.slow  # ~7 min: 19 crashes, each followed by a restart and an exactly-once audit

CASES = [(processor, point) for processor in PROCESSORS for point in crash_points_of(processor)]


@pytest.fixture(scope="module", autouse=True)
def seeded(settings):
    run_seed(settings, products=50, customers=200, stock=1000)


@pytest.mark.parametrize(("processor", "point"), CASES, ids=[f"{p}-{c}" for p, c in CASES])
def test_crash_and_restart_keeps_every_order_exactly_once(settings, processor, point):
    log_dir = settings.state_dir / "test-logs" / f"chaos-{processor}-{point}"
    report, results = run_kill(settings, processor, point, orders=20, rate=10, log_dir=log_dir)

    assert report.exit_code == -9  # it really was SIGKILLed at the crash point
    assert report.orders >= 20
    assert sum(report.outcomes.values()) == report.orders  # every order placed ended, exactly once
    assert_audit_clean(results)
    aborted = sum(report.aborted_records.values())
    if point == "after-commit":
        assert aborted == 0, (report.aborted_records, abort_reasons(log_dir))
    else:
        assert aborted >= 1, f"no aborted record observed for {processor} at {point}"


def abort_reasons(log_dir: Path) -> list[str]:
    """The processors' own account of each abort, for a failure message that says why."""
    return [
        f"{log.name}: {line.strip()}"
        for log in sorted(log_dir.glob("*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if "aborting transaction" in line or "partitions lost" in line
    ]
