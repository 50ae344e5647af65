"""The producer benchmark's pure half: matrix, aligned settings, schedule, Java parser, ratios."""

import pytest

from tools.bench import producer_cases as pc

TOTAL = (
    "20000 records sent, 34722.222222 records/sec (3.31 MB/sec), 152.77 ms avg latency, 265.00 ms max "
    "latency, 160 ms 50th, 256 ms 95th, 262 ms 99th, 262 ms 99.9th."
)
STEADY = (
    "18000 steady state records sent, 45000.000000 records/sec (4.29 MB/sec), 156.80 ms avg latency, "
    "265.00 ms max latency, 173 ms 50th, 256 ms 95th, 262 ms 99th, 263 ms 99.9th."
)
PROGRESS = (
    "137281 records sent, 27456.2 records/sec (2.62 MB/sec), 812.4 ms avg latency, 1520.0 ms max latency."
)


def all_cases() -> list[pc.Case]:
    return pc.build_cases(pc.FAMILIES, [100, 1024], [10, 100], [1000])


def test_the_matrix_has_six_valid_combinations_and_says_why_the_other_twelve_cannot_run() -> None:
    valid, invalid = pc.full_matrix()
    assert [family for *_, family in valid] == ["P0", "P1", "P2", "P3", "P4", "P4m"]
    assert {(a, i, t) for a, i, t, _ in valid} == {
        ("0", False, "off"),
        ("1", False, "off"),
        ("all", False, "off"),
        ("all", True, "off"),
        ("all", True, "ms"),
        ("all", True, "messages"),
    }
    assert len(invalid) == 12
    for combination in invalid:
        if combination.idempotent and combination.acks != "all":
            assert "acks=all" in combination.reason
        else:
            assert "idempot" in combination.reason and combination.transactions != "off"


def test_cases_expand_transaction_variants_and_sizes_with_stable_keys() -> None:
    cases = all_cases()
    assert len(cases) == (4 + 2 + 1) * 2
    keys = [c.key for c in cases]
    assert len(set(keys)) == len(keys)
    assert keys[:2] == ["P0-100B", "P0-1KiB"]
    assert "P4-100ms-1KiB" in keys and "P4m-1000msg-100B" in keys
    p4 = next(c for c in cases if c.key == "P4-10ms-100B")
    assert p4.transactional and p4.idempotent and p4.acks == "all" and p4.label == "P4 10ms 100B"
    chosen = pc.build_cases(["P3", "P4m"], [1024], [100], [10, 1000])
    assert [c.key for c in chosen] == ["P3-1KiB", "P4m-10msg-1KiB", "P4m-1000msg-1KiB"]


def test_both_clients_get_the_same_explicit_settings() -> None:
    for case in all_cases():
        ours, java = pc.python_config(case), pc.java_properties(case)
        for key in ("acks", "enable.idempotence", *pc.SHARED_SETTINGS):
            assert str(ours[key]).lower() == java[key], (case.key, key)
        assert java["buffer.memory"] == str(int(ours["queue.buffering.max.kbytes"]) * 1024)
        # batch.size, not the message count, must close a librdkafka batch, as in Java
        assert int(ours["batch.num.messages"]) * case.size > int(ours["batch.size"])
        assert int(ours["queue.buffering.max.messages"]) * case.size > pc.BUFFER_BYTES
    assert pc.java_properties(pc.Case("P0", "0", False, 100))["enable.idempotence"] == "false"


def test_java_arguments_carry_the_case_and_p4m_has_no_java_counterpart() -> None:
    p4 = pc.Case("P4", "all", True, 1024, txn_ms=100)
    args = pc.java_arguments(p4, "127.0.0.1:9092", "t", 32768, 3276, "/tmp/p.txt")
    assert args[args.index("--num-records") + 1] == "32768"
    assert args[args.index("--warmup-records") + 1] == "3276"
    assert args[args.index("--throughput") + 1] == "-1"
    assert args[args.index("--payload-file") + 1] == "/tmp/p.txt"
    assert args[args.index("--transaction-duration-ms") + 1] == "100"
    assert "acks=all" in args and "enable.idempotence=true" in args and "batch.size=131072" in args
    p3 = pc.Case("P3", "all", True, 1024)
    assert "--transaction-duration-ms" not in pc.java_arguments(p3, "b", "t", 10, 1, "/tmp/p.txt")
    p4m = pc.Case("P4m", "all", True, 1024, txn_messages=1000)
    assert not p4m.java_supported
    with pytest.raises(ValueError, match="transaction-duration-ms"):
        pc.java_arguments(p4m, "b", "t", 10, 1, "/tmp/p.txt")


def test_payload_is_the_requested_size_of_capital_letters_and_the_same_every_time() -> None:
    value = pc.payload(1024)
    assert len(value) == 1024 and set(value) <= set(range(65, 91)) and len(set(value)) > 10
    assert pc.payload(1024) == value and pc.payload(100) != value[:100]


def test_java_summary_lines_are_parsed_and_progress_lines_are_not() -> None:
    total, steady = pc.parse_java_summary(TOTAL), pc.parse_java_summary(STEADY)
    assert total is not None and steady is not None
    assert (total.records, total.steady_state, total.records_per_s) == (20000, False, 34722.222222)
    assert (total.mb_per_s, total.p50_ms, total.p99_ms, total.max_ms) == (3.31, 160, 262, 265.0)
    assert (steady.records, steady.steady_state, steady.p999_ms) == (18000, True, 263)
    assert pc.parse_java_summary(PROGRESS) is None
    assert pc.parse_java_summary("Warmup first 2000 records. Steady state results will print after") is None


def test_options_are_parsed_strictly() -> None:
    assert pc.parse_ints("100, 1024,100", "--sizes") == [100, 1024]
    assert pc.parse_families("p0,P4M,P3") == ["P0", "P4m", "P3"]
    for bad in ("", "0", "a,1", "-5"):
        with pytest.raises(ValueError):
            pc.parse_ints(bad, "--sizes")
    with pytest.raises(ValueError, match="P5"):
        pc.parse_families("P1,P5")


def test_fixed_volume_and_warm_up_bounds() -> None:
    assert pc.records_for(32 * pc.MIB, 1024) == 32768
    assert pc.records_for(32 * pc.MIB, 100) == 335544
    assert pc.records_for(10, 1024) == 2  # never fewer than a warm-up record and a measured one
    assert pc.warmup_records(32768, 10) == 3276
    assert pc.warmup_records(5, 10) == 1
    assert pc.warmup_records(2, 50) == 1
    assert pc.size_label(100) == "100B" and pc.size_label(1024) == "1KiB" and pc.size_label(1536) == "1536B"


def test_schedule_pairs_each_python_run_with_its_java_run_and_reshuffles_every_round() -> None:
    cases = all_cases()
    plan = pc.schedule(cases, rounds=4, java=True, seed=3)
    java_cases = [c for c in cases if c.java_supported]
    assert len(plan) == 4 * (len(cases) + len(java_cases))
    for i, step in enumerate(plan):
        if step.side == "java":
            assert plan[i - 1].side == "python" and plan[i - 1].case == step.case
            assert plan[i - 1].round == step.round
    orders = [[s.case.key for s in plan if s.round == r and s.side == "python"] for r in range(4)]
    assert all(sorted(order) == sorted(c.key for c in cases) for order in orders)
    assert len({tuple(order) for order in orders}) > 1
    assert plan == pc.schedule(cases, rounds=4, java=True, seed=3)
    assert {s.side for s in pc.schedule(cases, rounds=2, java=False, seed=3)} == {"python"}
    assert pc.measured_rounds(5) == [1, 2, 3, 4] and pc.measured_rounds(1) == [0]


def run(case: str, side: str, round_: int, rate: float, ok: bool = True) -> dict:
    return {
        "case": case,
        "side": side,
        "round": round_,
        "ok": ok,
        "records_per_s": rate,
        "mb_per_s": rate / 1000,
        "latency_ms": {"p50": 2.0, "p99": 9.0},
        "cpu_s_per_million": 5.0,
        "broker_cpu_s_per_million": None,
    }


def test_ratios_pair_runs_of_the_same_round_and_leave_out_round_0_and_failures() -> None:
    p2 = pc.Case("P2", "all", False, 100)
    p4m = pc.Case("P4m", "all", True, 100, txn_messages=10)
    runs = [
        run("P2-100B", "python", 0, 1000.0),  # warm-up round: left out
        run("P2-100B", "java", 0, 10.0),
        run("P2-100B", "python", 1, 300.0),
        run("P2-100B", "java", 1, 100.0),
        run("P2-100B", "python", 2, 200.0),
        run("P2-100B", "java", 2, 200.0),
        run("P2-100B", "python", 3, 900.0),
        run("P2-100B", "java", 3, 100.0, ok=False),  # no pair in round 3
        run("P4m-10msg-100B", "python", 1, 50.0),
    ]
    assert pc.paired_ratios(runs, [1, 2, 3]) == {"P2-100B": [3.0, 1.0]}
    summary = {s["case"]: s for s in pc.summarise([p2, p4m], runs, rounds=4)}
    ratio = summary["P2-100B"]["ratio_records_per_s"]
    assert ratio == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 2}
    assert summary["P2-100B"]["python"]["records_per_s"] == 300.0  # median of 300, 200, 900
    assert summary["P2-100B"]["java"]["runs"] == 2 and summary["P2-100B"]["java"]["failed"] == 1
    assert summary["P2-100B"]["python"]["broker_cpu_s_per_million"] is None
    assert summary["P4m-10msg-100B"]["java"] is None and summary["P4m-10msg-100B"]["java_note"]
    assert summary["P4m-10msg-100B"]["ratio_records_per_s"] is None


def test_cpu_seconds_come_from_utime_and_stime_whatever_the_command_name() -> None:
    fields = ["S", *(["0"] * 10), "250", "50", *(["0"] * 30)]
    stat = "4242 (java (tool) x) " + " ".join(fields)
    assert pc.cpu_seconds_from_stat(stat, 100) == 3.0
    assert pc.per_million(3.0, 1_500_000) == 2.0 and pc.per_million(None, 10) is None
