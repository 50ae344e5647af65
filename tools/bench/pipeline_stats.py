"""The arithmetic of `pedidos bench pipeline`, apart from Kafka: the plan of runs, each run's figures, the
paired ratios over rounds, and the table, charts and conclusion they become."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from tools.bench.pipeline_workload import seq_of
from tools.load.command import percentile
from tools.reports import BarChart, Cell, Table
from tools.text import Text, join

EXACTLY_ONCE, AT_LEAST_ONCE = "exactly_once", "at_least_once"


@dataclass(frozen=True)
class Case:
    implementation: str  # "ours" (the project's runtime) or "quix"
    guarantee: str
    interval_ms: int

    @property
    def series(self) -> str:
        """The case without its interval: "ours-eos", "ours-alo", "quix-eos"."""
        return f"{self.implementation}-{'eos' if self.guarantee == EXACTLY_ONCE else 'alo'}"

    @property
    def label(self) -> str:
        return SERIES_LABELS[self.series]


SERIES_LABELS = {"ours-eos": "nosso/ours EOS", "ours-alo": "nosso/ours ALO", "quix-eos": "Quix EOS"}


def plan(intervals: Sequence[int], rounds: int, quix: bool, seed: int) -> list[list[Case]]:
    """Every case once per round, in a new shuffled order each round (docs/benchmarks.md §1: the
    cases of a pair run close together, and no case always runs first or last)."""
    rng = random.Random(seed)
    cases = [Case("ours", EXACTLY_ONCE, i) for i in intervals] + [
        Case("ours", AT_LEAST_ONCE, i) for i in intervals
    ]
    if quix:
        cases += [Case("quix", EXACTLY_ONCE, i) for i in intervals]
    schedule = []
    for _ in range(rounds):
        order = list(cases)
        rng.shuffle(order)
        schedule.append(order)
    return schedule


def measured_rounds(rounds: int) -> list[int]:
    """Round 0 warms the broker and the page cache up and is left out, unless it is the only one (the
    same rule as `pedidos bench producer`)."""
    return list(range(1, rounds)) if rounds > 1 else [0]


def measured(runs: Sequence[dict[str, Any]], rounds: int) -> list[dict[str, Any]]:
    """The runs the figures are made of: completed, in a measured round."""
    kept = measured_rounds(rounds)
    return [r for r in runs if r["ok"] and r["round"] in kept]


class Observation(NamedTuple):
    """One output record as the read_committed verifier saw it."""

    key: str
    visible_ms: int  # when the verifier's consume() returned it
    consumed_ms: int | None  # when the stage took the input that caused it (an output header)


def _ms(values: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(list(values), 50), 1), "p99": round(percentile(list(values), 99), 1)}


def run_figures(
    case: Case,
    records: int,
    stage: dict[str, Any],
    observed: Sequence[Observation],
    created_ms: Sequence[int],
    samples: tuple[int, int],
) -> dict[str, Any]:
    """One run's figures from what the stage timed and what the verifier saw.

    ``samples`` is (decoded outputs checked, how many of them were priced correctly).
    """
    keys = [o.key for o in observed]
    distinct = len(set(keys))
    first_seen: dict[str, Observation] = {}
    for o in observed:
        first_seen.setdefault(o.key, o)  # a duplicate's latency is not a new record's
    e2e = [o.visible_ms - created_ms[seq_of(o.key)] for o in first_seen.values()]
    in_stage = [o.visible_ms - o.consumed_ms for o in first_seen.values() if o.consumed_ms is not None]
    commits = len(stage["commit_s"])
    drain_s = stage["drain_s"]
    duplicates = len(keys) - distinct
    checked, correct = samples
    exactly_once = case.guarantee == EXACTLY_ONCE
    failures = []
    if distinct != records:
        failures.append(f"{records - distinct} registros perdidos / records missing")
    if exactly_once and duplicates:
        failures.append(f"{duplicates} duplicados em EOS / duplicates under EOS")
    if correct != checked:
        failures.append(
            f"{checked - correct} de {checked} amostras mal transformadas / samples wrongly transformed"
        )
    return {
        "case": case.series,
        "implementation": case.implementation,
        "guarantee": case.guarantee,
        "interval_ms": case.interval_ms,
        "records_in": records,
        "records_out": len(keys),
        "distinct_out": distinct,
        "duplicates": duplicates,
        "drain_s": round(drain_s, 3),
        "throughput_rps": round(records / drain_s, 1) if drain_s > 0 else math.nan,
        "commits": commits,
        "records_per_commit": round(stage["records_processed"] / commits, 1) if commits else math.nan,
        "commit_ms": _ms([s * 1000 for s in stage["commit_s"]]),
        "e2e_from_create_ms": _ms(e2e),
        "consumed_to_visible_ms": _ms(in_stage),
        "cpu_s_per_million": round(stage["cpu_s"] / records * 1_000_000, 1),
        "aborts": stage.get("aborts", 0),
        "samples_checked": checked,
        "client": stage.get("client", {}),
        "passed": not failures,
        "failures": failures,
    }


def _spread(values: Sequence[float]) -> dict[str, float]:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return {"median": math.nan, "min": math.nan, "max": math.nan, "n": 0}
    return {
        "median": round(statistics.median(finite), 3),
        "min": round(min(finite), 3),
        "max": round(max(finite), 3),
        "n": len(finite),
    }


def paired_ratios(
    runs: Sequence[dict[str, Any]], numerator: str, denominator: str
) -> dict[int, dict[str, Any]]:
    """Per interval: throughput(numerator) / throughput(denominator), paired within each round, then the
    median, min and max over rounds. Rounds where either side is missing are left out."""
    by_key = {(r["round"], r["case"], r["interval_ms"]): r["throughput_rps"] for r in runs}
    out: dict[int, dict[str, Any]] = {}
    for interval in sorted({r["interval_ms"] for r in runs}):
        ratios = []
        for round_no in sorted({r["round"] for r in runs}):
            top = by_key.get((round_no, numerator, interval))
            bottom = by_key.get((round_no, denominator, interval))
            if top is not None and bottom:
                ratios.append(top / bottom)
        if ratios:
            out[interval] = {**_spread(ratios), "per_round": [round(r, 3) for r in ratios]}
    return out


def summarise(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per case and interval, the median over rounds of each figure (its min-max for throughput)."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run["case"], run["interval_ms"]), []).append(run)
    order = list(SERIES_LABELS)
    rows = []
    for (series, interval), group in sorted(groups.items(), key=lambda g: (g[0][1], order.index(g[0][0]))):

        def median_of(*path: str, group: list[dict[str, Any]] = group) -> float:
            values = []
            for run in group:
                value: Any = run
                for step in path:
                    value = value[step]
                values.append(value)
            return _spread(values)["median"]

        rows.append(
            {
                "case": series,
                "interval_ms": interval,
                "rounds": len(group),
                "throughput_rps": _spread([r["throughput_rps"] for r in group]),
                "commit_ms": {"p50": median_of("commit_ms", "p50"), "p99": median_of("commit_ms", "p99")},
                "consumed_to_visible_ms": {
                    "p50": median_of("consumed_to_visible_ms", "p50"),
                    "p99": median_of("consumed_to_visible_ms", "p99"),
                },
                "e2e_from_create_ms": {
                    "p50": median_of("e2e_from_create_ms", "p50"),
                    "p99": median_of("e2e_from_create_ms", "p99"),
                },
                "cpu_s_per_million": median_of("cpu_s_per_million"),
                "records_per_commit": median_of("records_per_commit"),
                "records_out_min": min(r["records_out"] for r in group),
                "duplicates_total": sum(r["duplicates"] for r in group),
                "passed": all(r["passed"] for r in group),
            }
        )
    return rows


def _pair(figures: dict[str, float], scale: float = 1.0) -> str:
    return f"{_num(figures['p50'] * scale)} / {_num(figures['p99'] * scale)}"


def _num(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def _ratio(spread: dict[str, Any] | None) -> str:
    if not spread:
        return "-"
    return f"{spread['median']:.2f} ({spread['min']:.2f}-{spread['max']:.2f})"


COLUMNS = (
    "variante / variant",
    "commit ms",
    "reg/s",
    "commit p50/p99 ms",
    "consumo->visível p50/p99 ms",
    "criação->visível p50/p99 s",
    "CPU s/M reg",
    "reg/commit",
    "saída/dup",
    "EOS/ALO",
    "nosso/Quix",
)


def table(
    summary: Sequence[dict[str, Any]],
    eos_over_alo: dict[int, dict[str, Any]],
    ours_over_quix: dict[int, dict[str, Any]],
) -> Table:
    rows: list[list[Cell]] = []
    for row in summary:
        ours_eos = row["case"] == "ours-eos"
        rows.append(
            [
                SERIES_LABELS[row["case"]],
                row["interval_ms"],
                round(row["throughput_rps"]["median"]),
                _pair(row["commit_ms"]),
                _pair(row["consumed_to_visible_ms"]),
                _pair(row["e2e_from_create_ms"], 0.001),
                row["cpu_s_per_million"],
                row["records_per_commit"],
                f"{row['records_out_min']}/{row['duplicates_total']}",
                _ratio(eos_over_alo.get(row["interval_ms"])) if ours_eos else "-",
                _ratio(ours_over_quix.get(row["interval_ms"])) if ours_eos else "-",
            ]
        )
    return Table(COLUMNS, rows)


def charts(
    summary: Sequence[dict[str, Any]],
    eos_over_alo: dict[int, dict[str, Any]],
    ours_over_quix: dict[int, dict[str, Any]],
) -> list[BarChart]:
    intervals = sorted({row["interval_ms"] for row in summary})
    categories = [f"{i} ms" for i in intervals]
    by = {(row["case"], row["interval_ms"]): row for row in summary}
    present = [s for s in SERIES_LABELS if any((s, i) in by for i in intervals)]

    def series(pick: Any) -> dict[str, list[float]]:
        return {
            SERIES_LABELS[s]: [pick(by[(s, i)]) if (s, i) in by else 0.0 for i in intervals] for s in present
        }

    ratio_series = {"EOS/ALO (nosso/ours)": [eos_over_alo.get(i, {}).get("median", 0.0) for i in intervals]}
    if ours_over_quix:
        ratio_series["nosso/Quix (EOS)"] = [ours_over_quix.get(i, {}).get("median", 0.0) for i in intervals]
    return [
        BarChart(
            "Vazão de drenagem (mediana) / drain throughput (median)",
            categories,
            series(lambda row: row["throughput_rps"]["median"]),
            "registros/s / records/s",
        ),
        BarChart(
            "Razões pareadas por rodada (mediana) / paired ratios per round (median)",
            categories,
            ratio_series,
            "razão / ratio",
            reference_line=1.0,
        ),
        BarChart(
            "Consumo -> visível em read_committed, p99 / consumed -> visible to read_committed, p99",
            categories,
            series(lambda row: row["consumed_to_visible_ms"]["p99"]),
            "ms",
        ),
    ]


def conclusion(
    eos_over_alo: dict[int, dict[str, Any]], ours_over_quix: dict[int, dict[str, Any]], rounds: int
) -> Text:
    def listing(ratios: dict[int, dict[str, Any]]) -> str:
        return "; ".join(f"{i} ms: {_ratio(r)}" for i, r in sorted(ratios.items())) or "-"

    parts = [
        Text(
            f"EOS/ALO (vazão de drenagem, mediana de {rounds} rodada(s), mín-máx): {listing(eos_over_alo)}. "
            "Referência (docs/benchmarks.md §3): 0,70-0,85 a 100 ms (Kafka Streams), >= 0,9 a 5 s (Quix).",
            f"EOS/ALO (drain throughput, median of {rounds} round(s), min-max): {listing(eos_over_alo)}. "
            "Anchor (docs/benchmarks.md §3): 0.70-0.85 at 100 ms (Kafka Streams), >= 0.9 at 5 s (Quix).",
        )
    ]
    if ours_over_quix:
        parts.append(
            Text(
                f"Nosso/Quix, ambos EOS: {listing(ours_over_quix)}.",
                f"Ours/Quix, both EOS: {listing(ours_over_quix)}.",
            )
        )
    parts.append(
        Text(
            "criação->visível inclui a espera no tópico pré-carregado (cresce com a posição na fila e com o "
            "tempo desde a pré-carga); consumo->visível é o que o intervalo de commit acrescenta.",
            "created->visible includes the wait in the pre-filled topic (it grows with the record's place "
            "in the backlog and the time since the pre-fill); consumed->visible is what the commit interval "
            "adds.",
        )
    )
    return join(parts)
