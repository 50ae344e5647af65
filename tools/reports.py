"""What every benchmark, lab and drill leaves behind: a printed table, a JSON file and a PNG chart.

One shape for all of them, so the dashboard can list the latest result of each kind without knowing the kind:

    <out>/<kind>.json   {"kind", "title": {"pt", "en"}, "created_at", "command", "table": {"columns", "rows"},
                         "chart": "<kind>.png" | null, "conclusion": {"pt", "en"} | null, "data": {...}}
    <out>/<kind>.png    the chart

A newer run of the same kind replaces both files: the dashboard shows the latest; the JSON keeps the detail.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from processors.settings import get_settings
from tools.text import DEFAULT_LANG, Text

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]

    def render(self) -> str:
        text = [[_cell(c) for c in row] for row in self.rows]
        widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(list(self.columns)), rule, *(line(r) for r in text)])


@dataclass(frozen=True)
class BarChart:
    """Grouped bars: one group per category, one bar per series (e.g. ours vs Java per producer case)."""

    title: str
    categories: Sequence[str]
    series: dict[str, Sequence[float]]
    ylabel: str
    reference_line: float | None = None  # e.g. 1.0 on a ratio chart


@dataclass(frozen=True)
class LineChart:
    """Lines over a shared x axis (e.g. lag per second in a drill); vertical markers for injected faults."""

    title: str
    x: Sequence[float]
    series: dict[str, Sequence[float]]
    xlabel: str
    ylabel: str
    markers: Sequence[tuple[float, str]] = field(default_factory=tuple)


Chart = BarChart | LineChart


@dataclass(frozen=True)
class Report:
    kind: str  # file stem, e.g. "bench-producer"
    title: Text
    table: Table
    data: dict[str, Any]
    charts: Sequence[Chart] = ()  # drawn one under the other in the same PNG
    conclusion: Text | None = None

    def as_dict(self, chart_file: str | None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title.as_dict(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["pedidos", *sys.argv[1:]]) if sys.argv else None,
            "table": {"columns": list(self.table.columns), "rows": [list(r) for r in self.table.rows]},
            "chart": chart_file,
            "conclusion": self.conclusion.as_dict() if self.conclusion else None,
            "data": self.data,
        }


def default_out_dir() -> Path:
    return get_settings().reports_path


def out_dir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The `--out DIR` every reporting command takes."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Onde gravar JSON e PNG / where to write JSON and PNG [default: .state/reports]",
    )(command)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The `--json FILE` of the measuring commands: the bare figures (the report's `data`), for scripts."""
    return click.option(
        "--json",
        "json_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Também grava as medidas, sem o envelope do relatório / also write the bare figures here.",
    )(command)


def write_json(path: Path | None, data: Any, echo: Callable[[str], None] = click.echo) -> None:
    """Write what `--json FILE` asked for; nothing when it was not given."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    echo(f"JSON: {path}")


def finite(value: float) -> float | None:
    """A figure for a table cell: NaN (no data) becomes None, shown as "-" in the table, null in JSON."""
    return None if math.isnan(value) else value


def ms_text(value: float) -> str:
    """A latency in milliseconds for a sentence: "12.5 ms", or "-" when there was no data (NaN)."""
    return "-" if math.isnan(value) else f"{value:g} ms"


def publish(
    report: Report, out_dir: Path | None, lang: str = DEFAULT_LANG, echo: Callable[[str], None] = click.echo
) -> Path:
    """Print the table (and conclusion), write `<kind>.json` and `<kind>.png`; returns the JSON path."""
    out = out_dir or default_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    echo("")
    echo(report.title.render(lang))
    echo(report.table.render())
    chart_file = None
    if report.charts:
        chart_file = f"{report.kind}.png"
        draw(report.charts, out / chart_file)
    body = report.as_dict(chart_file)
    if report.conclusion:
        echo("")
        echo(report.conclusion.render(lang))
    path = out / f"{report.kind}.json"
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str))
    echo("")
    echo(f"JSON: {path}")
    if chart_file:
        echo(f"PNG:  {out / chart_file}")
    return path


def draw(charts: Sequence[Chart], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server or in CI
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(charts), 1, figsize=(10, 4.2 * len(charts)), squeeze=False)
    for chart, ax in zip(charts, axes[:, 0], strict=True):
        if isinstance(chart, BarChart):
            _bars(ax, chart)
        else:
            _lines(ax, chart)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(ax: Any, chart: BarChart) -> None:
    count = max(1, len(chart.series))
    width = 0.8 / count
    for i, (name, values) in enumerate(chart.series.items()):
        xs = [c + (i - (count - 1) / 2) * width for c in range(len(chart.categories))]
        ax.bar(xs, values, width, label=name)
    ax.set_xticks(range(len(chart.categories)), list(chart.categories), rotation=30, ha="right", fontsize=8)
    if chart.reference_line is not None:
        ax.axhline(chart.reference_line, color="grey", linestyle="--", linewidth=1)
    ax.set_title(chart.title)
    ax.set_ylabel(chart.ylabel)
    if len(chart.series) > 1:
        ax.legend(fontsize=8)


def _lines(ax: Any, chart: LineChart) -> None:
    for name, values in chart.series.items():
        ax.plot(list(chart.x), list(values), label=name)
    for at, label in chart.markers:
        ax.axvline(at, color="red", linestyle=":", linewidth=1)
        ax.annotate(label, (at, 1), xycoords=("data", "axes fraction"), rotation=90, va="top", fontsize=7)
    if all(v >= 0 for values in chart.series.values() for v in values):
        ax.set_ylim(bottom=0)  # counts and latencies: an autoscaled axis turns 19 vs 20 into a cliff
    ax.set_title(chart.title)
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    if chart.series:
        ax.legend(fontsize=8)


def _cell(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)
