"""The arithmetic of the failure drills: recovery, baseline, peaks, per-second series, logs, poison."""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tools.chaos import analysis, poison
from tools.chaos.analysis import Fault, Sample
from tools.chaos.probes import Answer
from tools.chaos.report import build_report
from tools.chaos.runner import Check, DrillOptions, DrillResult
from tools.reports import LineChart
from tools.text import Text


def samples(*totals: int | None, groups: tuple[str, ...] = ("payment",)) -> list[Sample]:
    return [
        Sample(float(t), None if total is None else {groups[0]: total, **{g: 0 for g in groups[1:]}})
        for t, total in enumerate(totals)
    ]


def test_baseline_is_the_highest_total_lag_in_the_last_seconds_of_the_warm_up():
    series = samples(500, 9, 12, 10, 300, 20)  # t=0 start-up spike, faults from t=4
    assert analysis.baseline_lag(series, warmup_s=4, window_s=3) == 12
    assert analysis.baseline_lag(series, warmup_s=4, window_s=10) == 500
    assert analysis.baseline_lag([], warmup_s=4) == 0


def test_recovery_counts_from_the_fault_end_to_the_first_sample_from_which_the_lag_stays_down():
    series = samples(10, 10, 80, 90, 40, 11, 10, 10)
    assert analysis.recovery_seconds(series, end_s=3, level=10, until_s=8) == 3.0  # t=6 onwards <= 10
    assert analysis.recovery_seconds(series, end_s=3, level=40, until_s=8) == 1.0
    assert analysis.recovery_seconds(samples(5, 5, 5), end_s=0, level=10, until_s=3) == 0.0  # no impact


def test_a_backlog_that_arrives_after_the_fault_ends_is_part_of_its_recovery():
    series = samples(50, 5, 5, 300, 600, 200, 40, 30)  # the input was held back during the outage (t=0..1)
    assert analysis.recovery_seconds(series, end_s=1, level=50, until_s=8) == 5.0  # t=1 touches, t=6 stays


def test_the_lag_must_hold_at_the_level_for_the_hold_time_not_for_the_rest_of_the_run():
    series = samples(5, 50, 5, 5, 5, 80, 5)  # t=5: a swing long after the lag came back
    assert analysis.recovery_seconds(series, end_s=1, level=10, until_s=7, hold_s=3) == 1.0
    assert analysis.recovery_seconds(series, end_s=1, level=10, until_s=7, hold_s=4) == 5.0


def test_recovery_skips_gaps_and_is_none_when_still_above_at_the_window_end():
    series = samples(10, None, None, 50, 60)
    assert analysis.recovery_seconds(series, end_s=1, level=10, until_s=5) is None
    assert analysis.recovery_seconds(samples(10, None, 5), end_s=1, level=10, until_s=3) == 1.0
    draining = samples(10, 90, 90, 5, 5)  # the load stopped at t=3; the drain does not count
    assert analysis.recovery_seconds(draining, end_s=1, level=10, until_s=3) is None
    no_sample = analysis.recovery_seconds(draining, end_s=2, level=10, until_s=2)
    assert no_sample is None


def test_fill_recoveries_uses_the_start_of_an_instant_fault_and_leaves_observed_events_alone():
    series = samples(5, 5, 50, 5, 5)
    instant = Fault(1, "poison", "orders.new", "", start_s=2.0)
    observed = Fault(2, "exit", "payment-0", "", start_s=2.0, end_s=2.0, injected=False)
    analysis.fill_recoveries([instant, observed], series, baseline=5, load_s=5)
    assert instant.recovery_s == 1.0
    assert observed.recovery_s is None


def test_each_recovery_is_watched_until_the_next_injected_fault_begins():
    series = samples(5, 5, 50, 5, 5, 80, 90, 70, 60, 5)
    first = Fault(1, "sigkill", "payment-0", "", start_s=1.5, end_s=2.0)
    second = Fault(2, "sigkill", "payment-1", "", start_s=4.5, end_s=5.0)
    exit_seen = Fault(3, "exit", "payment-1", "", start_s=3.5, end_s=3.5, injected=False)
    analysis.fill_recoveries([second, exit_seen, first], series, baseline=5, load_s=10)
    assert first.recovery_s == 1.0  # t=3, 4 stay down; the lag the second kill raises is not the first's
    assert second.recovery_s == 4.0  # t=9


def test_a_fault_inside_another_does_not_close_its_window():
    series = samples(5, 5, 90, 90, 90, 90, 5, 5)
    outage = Fault(1, "registry-outage", "registry", "", start_s=1.5, end_s=4.5)
    cold_restart = Fault(2, "cold-restart", "payment-0", "", start_s=1.6, end_s=2.0)
    analysis.fill_recoveries([outage, cold_restart], series, baseline=5, load_s=8)
    assert outage.recovery_s == 1.5  # t=6
    assert cold_restart.recovery_s == 4.0  # t=6 too: the outage's backlog is its backlog as well


def test_under_overload_recovery_is_back_to_the_lag_the_fault_found_not_the_warm_up_s():
    series = samples(5, 5, 100, 300, 250, 120, 90, 60)  # the lag grows anyway; the fault hits at t=2.5
    fault = Fault(1, "sigkill", "payment-0", "", start_s=2.5, end_s=3.0)
    analysis.fill_recoveries([fault], series, baseline=5, load_s=8)
    assert fault.recovery_s == 3.0  # t=6: 90 <= 100, the lag the fault began with, and it stays there
    calm = Fault(2, "sigkill", "payment-0", "", start_s=0.0, end_s=1.0)
    analysis.fill_recoveries([calm], samples(2, 40, 3, 4), baseline=5, load_s=4)
    assert calm.recovery_s == 1.0  # never below the baseline: t=2 (3 <= 5)


def test_peak_lag_in_total_and_per_group():
    series = [
        Sample(0, {"payment": 3, "inventory": 1}),
        Sample(1, None),
        Sample(2, {"payment": 1, "inventory": 9}),
        Sample(3, {"payment": 7, "inventory": 0}),
    ]
    peak = analysis.peak_lag(series)
    assert (peak.lag, peak.at_s) == (10, 2)
    assert peak.by_group == {"payment": 7, "inventory": 9}


def test_per_second_buckets_and_drops_what_falls_outside():
    assert analysis.per_second([0.1, 0.9, 1.0, 2.5, -0.5, 3.0], 3) == [2, 1, 1]


def test_lag_series_keeps_gaps_as_none():
    series = [Sample(0, {"payment": 1, "inventory": 2}), Sample(1, None)]
    assert analysis.lag_series(series, ["payment", "inventory"]) == {
        "payment": [1, None],
        "inventory": [2, None],
        "total": [3, None],
    }


def log_line(msg: str, at: str, **extra: object) -> str:
    return json.dumps({"ts": at, "level": extra.pop("level", "warning"), "msg": msg, **extra})


def test_abort_reasons_and_fatal_exits_from_the_processors_json_logs():
    lines = [
        "%3|1795448619.773|FAIL|librdkafka line, not JSON",
        log_line(
            "aborting transaction", "2026-11-23T15:00:00+00:00", reason="handler-error: OperationalError"
        ),
        log_line("aborting transaction", "2026-11-23T15:00:01+00:00", reason="abortable: send_offsets: x"),
        log_line("aborting transaction", "2026-11-23T15:00:02+00:00", reason="handler-error: Timeout"),
        log_line("fatal: exiting", "2026-11-23T15:00:03+00:00", level="critical"),
        "{broken json",
    ]
    assert analysis.abort_reasons(lines) == {"handler-error": 2, "abortable": 1}
    assert analysis.fatal_exits(lines) == 1


def test_retry_hops_and_dead_letters_from_the_processors_json_logs():
    at = "2026-11-23T15:00:00+00:00"
    lines = [
        log_line("handler failed, retrying later", at, retry_topic="inventory.retry.5s"),
        log_line("handler failed, retrying later", at, retry_topic="inventory.retry.30s"),
        log_line("handler failed, retrying later", at, retry_topic="inventory.retry.5s"),
        log_line("dead-lettered", at, reason="retries-exhausted"),
        log_line("dead-lettered", at, reason="not-avro"),
    ]
    assert analysis.retries(lines) == {"inventory.retry.5s": 2, "inventory.retry.30s": 1}
    assert analysis.dead_letters(lines) == {"retries-exhausted": 1, "not-avro": 1}


def test_first_after_finds_the_first_matching_line_at_or_after_an_instant():
    lines = [
        log_line("aborting transaction", "2026-11-23T15:00:00.000+00:00", reason="early"),
        log_line("resumed after SIGSTOP", "2026-11-23T15:00:10.000+00:00"),
        log_line("aborting transaction", "2026-11-23T15:00:10.006+00:00", reason="late"),
    ]
    resumed = datetime(2026, 11, 23, 15, 0, 5, tzinfo=UTC)
    found = analysis.first_after(lines, resumed, ("aborting transaction", "fatal"))
    assert found is not None and found["reason"] == "late"
    assert analysis.first_after(lines, datetime(2026, 11, 24, tzinfo=UTC), ("aborting",)) is None


@pytest.mark.parametrize(
    ("text", "java"),
    # String.hashCode() values printed by a JDK
    [("", 0), ("abc", 96354), ("payment-0", -86520279), ("orchestrator-0", -461243475), ("ação", 3118866)],
)
def test_java_string_hash_matches_java(text, java):
    assert analysis.java_string_hash(text) == java


def test_coordinator_partition_is_kafkas_abs_hash_modulo_partitions():
    assert analysis.coordinator_partition("payment-0", 50) == 86520279 % 50
    assert analysis.coordinator_partition("abc", 10) == 96354 % 10
    assert 0 <= analysis.coordinator_partition("orchestrator-0", 10) < 10


def test_poison_payloads_carry_the_marker_and_the_framing_each_kind_needs():
    garbage = poison.payload("garbage")
    assert poison.POISON_MARKER in garbage and garbage[0] != 0  # no magic byte at all
    unknown = poison.payload("unknown-schema-id")
    assert unknown[0] == 0 and struct.unpack(">I", unknown[1:5])[0] == poison.UNKNOWN_SCHEMA_ID
    bad = poison.payload("incompatible", schema_id=10)
    assert bad[0] == 0 and struct.unpack(">I", bad[1:5])[0] == 10 and poison.POISON_MARKER in bad
    with pytest.raises(ValueError, match="schema id"):
        poison.payload("incompatible")
    with pytest.raises(ValueError, match="unknown poison kind"):
        poison.payload("cyanide")


def test_the_incompatible_body_does_not_decode_against_a_real_schema():
    import io

    import fastavro

    schema = fastavro.parse_schema(
        {"type": "record", "name": "E", "fields": [{"name": "order_id", "type": "string"}]}
    )
    with pytest.raises(EOFError):
        fastavro.schemaless_reader(io.BytesIO(poison.UNREADABLE_BODY + poison.POISON_MARKER), schema)


def test_expectations_want_each_pill_once_in_each_consumers_dlq_with_the_right_reason():
    pills = [
        poison.Pill("garbage", "orders.new", 2, 40),
        poison.Pill("incompatible", "payments.failed", 0, 7),
    ]
    consumers = {"orders.new": ("payment", "orchestrator"), "payments.failed": ("orchestrator",)}
    dlq_of = {"payment": "payments.dlq", "orchestrator": "orders.dlq"}
    letters = [
        poison.DeadLetter("payments.dlq", "payment", "not-avro", "orders.new", 2, 40),
        poison.DeadLetter("orders.dlq", "orchestrator", "not-avro", "orders.new", 2, 40),
        poison.DeadLetter("orders.dlq", "orchestrator", "undecodable", "payments.failed", 0, 7),
        poison.DeadLetter("orders.dlq", "orchestrator", "undecodable", "payments.failed", 0, 7),  # twice
        poison.DeadLetter("payments.dlq", "payment", "not-avro", "orders.new", 2, 41),  # someone else's
    ]
    found = poison.expectations(pills, letters, consumers, dlq_of)
    assert [(e.processor, e.found, e.ok) for e in found] == [
        ("payment", 1, True),
        ("orchestrator", 1, True),
        ("orchestrator", 2, False),
    ]
    wrong_reason = poison.expectations(
        pills[:1], [replace(letters[0], reason="undecodable")], consumers, dlq_of
    )
    assert not wrong_reason[0].ok


def _result() -> DrillResult:
    result = DrillResult("db-outage-x", "db-outage", DrillOptions(rate=2, duration_s=6, warmup_s=2), {})
    result.load_s = 6.0
    result.samples = samples(3, 4, 40, None, 20, 4, 3, groups=("payment", "inventory"))
    result.faults = [Fault(1, "db-outage", "postgres", "5 s", start_s=2.0, end_s=3.0)]
    result.answers = [
        Answer(0.0, 0.01, 202, "o1"),
        Answer(0.5, 0.52, 202, "o2"),
        Answer(2.0, 7.0, 503, None),
        Answer(2.5, 4.0, 202, "o3"),
    ]
    result.accepted = ["o1", "o2", "o3"]
    result.due_at_s = {"o1": 0.0, "o2": 0.5, "o3": 2.5}
    result.ended = {"o1": "orders.confirmed", "o2": "orders.cancelled", "o3": "orders.confirmed"}
    result.ended_at_s = {"o1": 0.3, "o2": 1.0, "o3": 5.5}
    result.aborts_by_reason = {"handler-error": 4}
    result.aborted_records = {"inventory.reserved": 2}
    result.checks = [Check("um / one", True, "fine")]
    return result


def test_the_report_states_the_figures_the_json_and_the_charts_carry():
    report = build_report(_result(), Text("Título", "Title"))
    data = report.data
    assert report.kind == "chaos-db-outage"
    assert data["lag"]["baseline"] == 4  # t=0 and t=1, before the warm-up ended at 2 s
    assert data["faults"][0]["recovery_s"] == 2.0  # ended at 3 s, total back to <= 4 at t=5
    assert data["lag"]["peak"] == 40 and data["lag"]["peak_at_s"] == 2.0
    assert data["orders"] == {
        "scheduled": 4,
        "accepted": 3,
        "refused_by_status": {"503": 1},
        "ended": 3,
        "confirmed": 2,
        "cancelled": 1,
        "never_ended": 0,
    }
    assert data["series"]["per_second"]["accepted"] == [2, 0, 0, 0, 1, 0]
    assert data["series"]["per_second"]["ended"] == [1, 1, 0, 0, 0, 1]
    assert data["series"]["lag"]["total"][3] is None  # a gap stays a gap in the JSON
    assert data["aborted"]["transactions"] == 4 and data["aborted"]["records"] == 2
    assert data["latency_ms"]["checkout_to_terminal"]["p50"] == 500.0
    assert data["ok"] is False  # no audit ran in this made-up result
    assert [row[0] for row in report.table.rows] == [1]
    lag_chart, orders_chart = report.charts
    assert isinstance(lag_chart, LineChart) and (2.0, "db-outage postgres") in lag_chart.markers
    assert len(orders_chart.x) == 6
    assert "recuperação" in report.conclusion.pt and "recovery" in report.conclusion.en
    json.dumps(report.as_dict("chaos-db-outage.png"), allow_nan=False)  # valid JSON for the dashboard
