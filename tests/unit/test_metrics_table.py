"""docs/metrics.md is THE table of metrics: its ``pedidos_*`` rows are exactly the metric families the code
registers, with their types and label names, so neither can change without the other."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from processors.settings import PROJECT_ROOT
from tests.promql_names import Family, documented_metrics, metric_names, undocumented

PACKAGES = ("processors", "gateway", "tools")
# docs/conventions.md §1: labels of bounded cardinality only, never an order, customer or event id.
BOUNDED_LABELS = {
    "processor",
    "group",
    "topic",
    "partition",
    "reason",
    "outcome",
    "class",
    "service",
    "status",
}


def registered() -> dict[str, Family]:
    """Every ``pedidos_*`` family of the default registry, once every module of the project is imported."""
    for package in PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if module.name.endswith(".__main__"):
                continue  # runs its command
            try:
                importlib.import_module(module.name)
            except ModuleNotFoundError as error:
                if (error.name or "").split(".")[0] in PACKAGES:
                    raise
                # a benchmark's optional dependency (quixstreams) is not installed
    # Private, but the only place that keeps the label names of a family with no sample yet.
    collectors = {id(c): c for c in REGISTRY._names_to_collectors.values()}.values()
    families: dict[str, Family] = {}
    for collector in collectors:
        name = getattr(collector, "_name", "")
        if name.startswith("pedidos_"):
            kind = collector._type
            families[name + ("_total" if kind == "counter" else "")] = (kind, tuple(collector._labelnames))
    return families


def documented() -> dict[str, Family]:
    return {name: family for name, family in documented_metrics().items() if name.startswith("pedidos_")}


def test_the_table_lists_exactly_the_pedidos_metrics_the_code_registers():
    in_code, in_docs = registered(), documented()
    assert in_code == in_docs


def test_every_label_has_bounded_cardinality():
    labels = {label for _kind, names in documented().values() for label in names}
    assert labels <= BOUNDED_LABELS


def promql_examples() -> list[str]:
    """The expressions of the "how to query" block: one per line, an indented line continues the one above."""
    text = (PROJECT_ROOT / "docs" / "metrics.md").read_text()
    [block] = re.findall(r"```promql\n(.*?)```", text, re.S)
    expressions: list[str] = []
    for line in block.splitlines():
        if line.startswith(" ") and expressions:
            expressions[-1] += " " + line.strip()
        elif line and not line.startswith("#"):
            expressions.append(line)
    return expressions


def test_the_query_examples_name_only_documented_metrics():
    named = {name for expr in promql_examples() for name in metric_names(expr)}
    assert named and undocumented(named) == set()


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed"
)
def test_the_query_examples_parse(tmp_path: Path):
    rules = [{"record": f"example_{n}", "expr": e} for n, e in enumerate(promql_examples())]
    path = tmp_path / "examples.yml"
    path.write_text(json.dumps({"groups": [{"name": "docs-metrics", "rules": rules}]}))  # JSON is YAML
    checked = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules)} rules found" in checked.stdout
