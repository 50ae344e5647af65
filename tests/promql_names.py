"""The metric names a PromQL expression reads, and the metrics docs/metrics.md documents: the panels, the
alert rules and the docs' examples may name only documented metrics (issue 13: one table of every metric)."""

from __future__ import annotations

import re

from processors.settings import PROJECT_ROOT

METRICS_DOC = PROJECT_ROOT / "docs" / "metrics.md"
_ROW = re.compile(r"^\| `([a-z_:][a-z0-9_:]*)` \| (counter|gauge|histogram|summary) \| ([^|]*) \|")
_SERIES_SUFFIXES = ("_bucket", "_count", "_sum", "_max")
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless"}

Family = tuple[str, tuple[str, ...]]  # type, label names


def documented_metrics() -> dict[str, Family]:
    """Every row of the tables in docs/metrics.md: name -> (type, label names)."""
    families: dict[str, Family] = {}
    for match in filter(None, map(_ROW.match, METRICS_DOC.read_text().splitlines())):
        name, kind, labels = match.groups()
        assert name not in families, f"{name}: two rows in docs/metrics.md"
        families[name] = (kind, tuple(re.findall(r"`(\w+)`", labels)))
    return families


def metric_names(expr: str) -> set[str]:
    """Identifiers that are series names: not functions or aggregations (followed by "("), not keywords,
    not inside label matchers, grouping clauses, range selectors or strings."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    bare = re.sub(
        r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare
    )
    bare = re.sub(r"\boffset\s+\w+", " ", bare)
    names = set()
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", bare):
        if bare[match.end() :].lstrip().startswith("(") or match[0] in _KEYWORDS:
            continue
        names.add(match[0])
    return names


def undocumented(names: set[str], also_known: set[str] = frozenset()) -> set[str]:
    """The names that are neither a documented metric (or one of its histogram/summary series) nor known."""
    documented = set(documented_metrics()) | set(also_known)

    def known(name: str) -> bool:
        return name in documented or any(
            name.endswith(s) and name.removesuffix(s) in documented for s in _SERIES_SUFFIXES
        )

    return {name for name in names if not known(name)}
