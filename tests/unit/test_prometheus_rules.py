"""The Prometheus rules (tools/observability/rules/) are valid, pass their promtool unit tests, and every
alert has a test that fires it and one that keeps it silent (docs/alerts.md).

promtool parses the files for real; the checks of names below read the few keys they need line by line, in
the layout these files use (one key per line), and the check of metric names reads the rules with ruamel.yaml.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from processors.settings import PROJECT_ROOT
from tests.promql_names import metric_names, undocumented

RULES = PROJECT_ROOT / "tools" / "observability" / "rules"
RULE_FILES = sorted(RULES.glob("*.yml"))
TEST_FILES = sorted((RULES / "tests").glob("*.yml"))
RULE_START = re.compile(r"^\s*- (alert|record): (\S+)\s*$")


def _promtool(*args: str | Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: Debian package prometheus (make setup installs it)"
    done = subprocess.run([promtool, *map(str, args)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"promtool {' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}", pytrace=False)


def _rule_blocks(kind: str) -> dict[str, str]:
    """Each rule's name -> its text (from its `- alert:`/`- record:` line to the next rule)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for path in RULE_FILES:
        for line in path.read_text().splitlines():
            start = RULE_START.match(line)
            if start:
                current = blocks.setdefault(start[2], []) if start[1] == kind else None
            elif current is not None:
                current.append(line)
        current = None
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def _test_lines() -> list[str]:
    return [line.strip() for path in TEST_FILES for line in path.read_text().splitlines()]


def _alert_cases() -> list[tuple[str, bool]]:
    """(alertname, expects it firing) for every alert_rule_test case."""
    lines = _test_lines()
    return [
        (line.removeprefix("alertname:").strip(), lines[i + 1] != "exp_alerts: []")
        for i, line in enumerate(lines)
        if line.startswith("alertname:")
    ]


def test_promtool_accepts_the_rule_files():
    _promtool("check", "rules", *RULE_FILES)


def test_promtool_unit_tests_pass():
    _promtool("test", "rules", *TEST_FILES)


def test_every_alert_has_a_test_that_fires_it_and_one_that_keeps_it_silent():
    alerts = set(_rule_blocks("alert"))
    cases = _alert_cases()
    fired = {name for name, firing in cases if firing}
    silent = {name for name, firing in cases if not firing}
    assert len(alerts) >= 14
    assert sorted(alerts - fired) == [] and sorted(alerts - silent) == []
    assert sorted((fired | silent) - alerts) == []  # no test of an alert that no longer exists


def test_every_recording_rule_has_a_value_test_or_feeds_a_tested_alert():
    tested = " ".join(line for line in _test_lines() if line.startswith("- expr:"))
    alert_exprs = " ".join(_rule_blocks("alert").values())
    records = _rule_blocks("record")
    assert len(records) >= 20
    assert [name for name in records if name not in tested and name not in alert_exprs] == []


def test_every_alert_says_how_bad_which_service_and_what_to_do_in_both_languages():
    for name, block in _rule_blocks("alert").items():
        keys = {line.strip().split(":")[0] for line in block.splitlines()}
        assert re.search(r"^\s+severity: (page|warn)$", block, re.M), name
        required = {"for", "service", "summary_pt", "summary_en", "description_pt", "description_en"}
        assert required <= keys, name
        assert f"runbook: 'docs/alerts.md#{name.lower()}:" in block, name


def test_docs_explain_every_alert():
    text = (PROJECT_ROOT / "docs" / "alerts.md").read_text()
    assert [name for name in _rule_blocks("alert") if f"### {name}" not in text] == []


def test_every_rule_reads_only_documented_metrics_or_recorded_series():
    groups = [g for path in RULE_FILES for g in YAML(typ="safe").load(path.read_text())["groups"]]
    rules = [rule for group in groups for rule in group["rules"]]
    recorded = {rule["record"] for rule in rules if "record" in rule}
    unknown = {
        rule.get("alert") or rule["record"]: sorted(undocumented(metric_names(rule["expr"]), recorded))
        for rule in rules
    }
    assert {name: names for name, names in unknown.items() if names} == {}
