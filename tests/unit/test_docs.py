"""docs/ describes the code as it is: the tables that restate a declaration in code must keep matching it."""

import re

from processors.runtime.crash import CRASH_POINTS
from processors.settings import PROJECT_ROOT
from processors.topics import TOPICS
from tools.chaos.kill import chaos
from tools.verify.observations import Snapshot
from tools.verify.properties import CHECKS, PropertyResult

DOCS = PROJECT_ROOT / "docs"


def _rows(name: str) -> list[list[str]]:
    lines = (DOCS / name).read_text().splitlines()
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("| ")]


def test_the_topic_table_matches_processors_topics():
    documented = {}
    for cells in _rows("architecture.md"):
        if len(cells) == 5 and cells[2] in ("delete", "compact"):
            for topic in re.findall(r"`([^`]+)`", cells[0]):
                documented[topic] = (int(cells[1]), cells[2], cells[3], cells[4])
    declared = {
        t.name: (t.partitions, t.cleanup_policy, ", ".join(t.producers), ", ".join(t.consumers))
        for t in TOPICS
    }
    assert documented == declared


def test_every_audited_property_has_a_row_in_the_audit_doc():
    checked: list[PropertyResult] = [check(Snapshot()) for check in CHECKS]
    documented = {cells[0] for cells in _rows("audit.md")}
    assert {r.id for r in checked} <= documented


def test_every_crash_point_and_drill_is_documented():
    points = {cells[0].strip("`") for cells in _rows("architecture.md")}
    assert set(CRASH_POINTS) <= points
    failures = (DOCS / "failures.md").read_text()
    assert [name for name in chaos.commands if f"pedidos chaos {name}" not in failures] == []
