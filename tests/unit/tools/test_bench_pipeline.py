"""`pedidos bench pipeline` without Kafka: the workload record and transform, the run plan, each run's
figures and gate, the paired ratios over rounds, and the table they end up in."""

from __future__ import annotations

import io
import math
import time
from dataclasses import astuple

import fastavro
import pytest

from tools.bench import pipeline_stats as stats
from tools.bench import pipeline_workload as workload
from tools.bench.pipeline_stats import AT_LEAST_ONCE, EXACTLY_ONCE, Case, Observation

EOS_100 = Case("ours", EXACTLY_ONCE, 100)
ALO_100 = Case("ours", AT_LEAST_ONCE, 100)


def encoded_size(event: dict) -> int:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(workload.SCHEMA), event)
    return len(out.getvalue()) + 5  # the registry's magic byte and schema id


@pytest.mark.parametrize("seq", [0, 1, 2, 4_242, 99_999_999])
def test_records_in_and_out_are_about_one_kibibyte(seq):
    order = workload.make_order(seq, 1_763_900_000_000)
    assert 980 <= encoded_size(order) <= 1_100
    assert 980 <= encoded_size(workload.price(order)) <= 1_100


def test_the_transform_prices_the_order_deterministically():
    order = workload.make_order(7, 1_763_900_000_000)
    assert order["total_cents"] == 0 and not workload.priced_correctly(order)
    priced = workload.price(order)
    assert priced == workload.price(order)  # a replay produces the very same output, event id included
    assert priced["total_cents"] == sum(i["quantity"] * i["unit_price_cents"] for i in order["items"]) > 0
    assert priced["causation_id"] == order["event_id"] != priced["event_id"]
    assert workload.priced_correctly(priced)
    assert not workload.priced_correctly({**priced, "total_cents": priced["total_cents"] + 1})
    assert workload.seq_of(workload.order_id(123_456)) == 123_456


def test_every_round_runs_every_case_once_in_its_own_order():
    schedule = stats.plan([10, 100, 1000], rounds=4, quix=True, seed=3)
    expected = {Case("ours", g, n) for g in (EXACTLY_ONCE, AT_LEAST_ONCE) for n in (10, 100, 1000)}
    expected |= {Case("quix", EXACTLY_ONCE, n) for n in (10, 100, 1000)}
    assert len(schedule) == 4
    assert all(len(cases) == 9 and set(cases) == expected for cases in schedule)
    assert len({tuple(cases) for cases in schedule}) > 1  # shuffled per round
    assert stats.plan([10, 100, 1000], rounds=4, quix=True, seed=3) == schedule  # the seed replays it
    assert all(c.implementation == "ours" for c in stats.plan([100], 2, quix=False, seed=1)[0])


def test_round_zero_is_a_warm_up_unless_it_is_the_only_round():
    assert stats.measured_rounds(1) == [0]
    assert stats.measured_rounds(3) == [1, 2]
    runs = [{"round": r, "ok": ok} for r, ok in [(0, True), (1, True), (2, False)]]
    assert stats.measured(runs, 3) == [{"round": 1, "ok": True}]


def stage(drain_s: float = 2.0, commits: int = 4, records: int = 4, cpu_s: float = 0.5) -> dict:
    return {
        "drain_s": drain_s,
        "commit_s": [0.004 + 0.001 * i for i in range(commits)],
        "records_processed": records,
        "cpu_s": cpu_s,
        "aborts": 0,
        "client": {"librdkafka": "2.16.0"},
    }


def seen(*keys: str, visible: int = 5_000, consumed: int | None = 4_900) -> list[Observation]:
    return [Observation(key, visible, consumed) for key in keys]


CREATED = [1_000, 2_000, 3_000, 4_000]  # CreateTime of seq 0..3
KEYS = [workload.order_id(seq) for seq in range(4)]


def test_a_clean_run_passes_with_its_figures():
    figures = stats.run_figures(EOS_100, 4, stage(), seen(*KEYS), CREATED, samples=(2, 2))
    assert figures["passed"] and figures["failures"] == []
    assert (figures["records_out"], figures["distinct_out"], figures["duplicates"]) == (4, 4, 0)
    assert figures["throughput_rps"] == 2.0  # 4 records over a 2 s drain
    assert figures["records_per_commit"] == 1.0
    assert figures["commit_ms"] == {"p50": 5.0, "p99": 7.0}  # nearest rank over 4, 5, 6, 7 ms
    assert figures["e2e_from_create_ms"] == {"p50": 2_000, "p99": 4_000}  # 5000 - CreateTime, nearest rank
    assert figures["consumed_to_visible_ms"] == {"p50": 100, "p99": 100}
    assert figures["cpu_s_per_million"] == 125_000.0


def test_duplicates_fail_exactly_once_but_are_only_counted_for_at_least_once():
    observed = seen(*KEYS) + seen(KEYS[1], visible=9_000)
    eos = stats.run_figures(EOS_100, 4, stage(), observed, CREATED, samples=(0, 0))
    alo = stats.run_figures(ALO_100, 4, stage(), observed, CREATED, samples=(0, 0))
    assert eos["duplicates"] == alo["duplicates"] == 1
    assert not eos["passed"] and "duplicados" in eos["failures"][0]
    assert alo["passed"]
    # a duplicate is not a new record: latency comes from each key's first appearance
    assert alo["e2e_from_create_ms"]["p99"] == 4_000


def test_a_lost_record_or_a_wrong_transform_fails_any_guarantee():
    lost = stats.run_figures(ALO_100, 4, stage(), seen(*KEYS[:3]), CREATED, samples=(1, 1))
    assert not lost["passed"] and "1 registros perdidos" in lost["failures"][0]
    wrong = stats.run_figures(ALO_100, 4, stage(), seen(*KEYS), CREATED, samples=(3, 2))
    assert not wrong["passed"] and "amostras" in wrong["failures"][0]


def test_outputs_without_the_consumed_at_header_only_leave_that_figure_empty():
    figures = stats.run_figures(EOS_100, 4, stage(), seen(*KEYS, consumed=None), CREATED, samples=(0, 0))
    assert figures["passed"]
    assert math.isnan(figures["consumed_to_visible_ms"]["p50"])


def run(round_no: int, case: str, interval: int, throughput: float, **extra) -> dict:
    return {"round": round_no, "case": case, "interval_ms": interval, "throughput_rps": throughput, **extra}


def test_ratios_are_paired_within_a_round_then_spread_over_rounds():
    runs = [
        run(1, "ours-eos", 100, 800.0),
        run(1, "ours-alo", 100, 1000.0),
        run(2, "ours-eos", 100, 900.0),
        run(2, "ours-alo", 100, 1000.0),
        run(3, "ours-eos", 100, 700.0),
        run(3, "ours-alo", 100, 1000.0),
        run(4, "ours-eos", 100, 5.0),  # its pair failed: no ratio from this round
        run(1, "ours-eos", 10, 300.0),
        run(1, "ours-alo", 10, 600.0),
    ]
    ratios = stats.paired_ratios(runs, "ours-eos", "ours-alo")
    assert ratios[100] == {"median": 0.8, "min": 0.7, "max": 0.9, "n": 3, "per_round": [0.8, 0.9, 0.7]}
    assert ratios[10]["median"] == 0.5 and ratios[10]["n"] == 1
    assert stats.paired_ratios(runs, "ours-eos", "quix-eos") == {}


def figures(round_no: int, case: str, interval: int, throughput: float, duplicates: int = 0) -> dict:
    latency = {"p50": 10.0, "p99": 20.0}
    return run(
        round_no,
        case,
        interval,
        throughput,
        commit_ms=latency,
        consumed_to_visible_ms=latency,
        e2e_from_create_ms={"p50": 2_000.0, "p99": 4_000.0},
        cpu_s_per_million=100.0,
        records_per_commit=50.0,
        records_out=1000 + duplicates,
        duplicates=duplicates,
        passed=True,
    )


def test_the_table_has_one_row_per_case_and_interval_with_ratios_on_our_eos_rows():
    runs = [
        figures(1, "quix-eos", 100, 1000.0),
        figures(1, "ours-alo", 100, 1000.0, duplicates=3),
        figures(1, "ours-eos", 100, 800.0),
        figures(2, "ours-eos", 100, 900.0),
        figures(2, "ours-alo", 100, 1000.0),
        figures(2, "quix-eos", 100, 1000.0),
        figures(1, "ours-eos", 10, 400.0),
        figures(1, "ours-alo", 10, 800.0),
    ]
    summary = stats.summarise(runs)
    assert [(row["case"], row["interval_ms"]) for row in summary] == [
        ("ours-eos", 10),
        ("ours-alo", 10),
        ("ours-eos", 100),
        ("ours-alo", 100),
        ("quix-eos", 100),
    ]
    ours_100 = summary[2]
    assert ours_100["throughput_rps"] == {"median": 850.0, "min": 800.0, "max": 900.0, "n": 2}
    assert summary[3]["duplicates_total"] == 3 and summary[3]["records_out_min"] == 1000

    eos_over_alo = stats.paired_ratios(runs, "ours-eos", "ours-alo")
    ours_over_quix = stats.paired_ratios(runs, "ours-eos", "quix-eos")
    table = stats.table(summary, eos_over_alo, ours_over_quix)
    assert len(table.columns) == len(table.rows[0]) == 11
    rows = {(row[0], row[1]): row for row in table.rows}
    assert rows[("nosso/ours EOS", 100)][2] == 850
    assert rows[("nosso/ours EOS", 100)][-2:] == ["0.85 (0.80-0.90)", "0.85 (0.80-0.90)"]
    assert rows[("nosso/ours EOS", 10)][-2:] == ["0.50 (0.50-0.50)", "-"]  # no Quix run at 10 ms
    assert rows[("nosso/ours ALO", 100)][-3:] == ["1000/3", "-", "-"]
    assert rows[("Quix EOS", 100)][5] == "2.0 / 4.0"  # created->visible in seconds
    assert "0.85" in table.render()

    charts = stats.charts(summary, eos_over_alo, ours_over_quix)
    assert [c.categories for c in charts] == [["10 ms", "100 ms"]] * 3
    assert charts[0].series["Quix EOS"] == [0.0, 1000.0]  # no Quix run at 10 ms: an empty bar
    assert charts[1].series == {"EOS/ALO (nosso/ours)": [0.5, 0.85], "nosso/Quix (EOS)": [0.0, 0.85]}


def test_the_conclusion_states_the_ratios_and_what_each_latency_means():
    pt, en = astuple(stats.conclusion({100: {"median": 0.8, "min": 0.7, "max": 0.9}}, {}, rounds=3))
    assert "100 ms: 0.80 (0.70-0.90)" in pt and "100 ms: 0.80 (0.70-0.90)" in en
    assert "3 rodada(s)" in pt and "Quix, both EOS" not in en
    assert "pré-carregado" in pt and "pre-filled" in en


def test_both_stages_measure_the_drain_the_same_way_until_the_input_is_covered():
    measured = workload.DrainMeasurements({("in", 0): 3, ("in", 1): 1})
    measured.record_seen()
    first = measured.first_record_s
    measured.record_seen()  # only the first record starts the clock
    assert measured.first_record_s == first

    measured.committed_step(time.perf_counter(), {("in", 0): 2, ("in", 1): 1}, 3)
    assert not measured.drained  # partition 0 still has a record to commit
    measured.committed_step(time.perf_counter(), {("in", 0): 3}, 1)
    assert measured.drained

    result = measured.result("quix", {"quixstreams": "3.28.1"}, aborts=0)
    assert result["implementation"] == "quix" and result["client"] == {"quixstreams": "3.28.1"}
    assert result["commit_records"] == [3, 1] and result["records_processed"] == 4
    assert len(result["commit_s"]) == 2 and result["drain_s"] >= sum(result["commit_s"]) >= 0
    assert result["cpu_s"] >= 0 and result["aborts"] == 0
