"""`pedidos bench producer`, tiny: 1 MiB per run, 2 rounds, a few cases, our client and Kafka's own tool."""

import importlib
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from tools.bench import producer_cases as pc
from tools.cli import main
from tools.stack.procs import free_port

pytestmark = pytest.mark.slow  # a bench run of every family, with Kafka's own tool

SIZES = (1024,)  # 100 B is covered by the unit tests; one size keeps this under a minute
FAMILIES = ("P0", "P3", "P4", "P4m")
TXN_MESSAGES = 500
# The module, not the click command of the same name that tools.bench exports.
producer_module = importlib.import_module("tools.bench.producer")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench-producer")
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "producer",
            "--sizes",
            ",".join(map(str, SIZES)),
            "--volume-mb",
            "1",
            "--rounds",
            "2",
            "--cases",
            ",".join(FAMILIES),
            "--txn-ms",
            "100",
            "--txn-messages",
            str(TXN_MESSAGES),
            "--seed",
            "7",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "[1/" in result.output and "rodada 1" in result.output  # progress, one line per run
    assert (out / "bench-producer.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return json.loads((out / "bench-producer.json").read_text())


def test_every_run_sent_and_stored_every_record(report: dict, admin) -> None:
    data = report["data"]
    cases = pc.build_cases(FAMILIES, SIZES, [100], [TXN_MESSAGES])
    assert len(data["runs"]) == len(pc.schedule(cases, 2, java=True, seed=7))
    by_key = {c.key: c for c in cases}
    for run in data["runs"]:
        case = by_key[run["case"]]
        records = pc.records_for(pc.MIB, case.size)
        assert run["ok"], run
        assert run["records"] == run["delivered"] == records
        stored, primer = run["stored_offsets"], run.get("primer_records", 0)
        if case.transactional:
            # The records, plus commit markers the coordinator may still be writing.
            assert stored >= records
        else:
            assert stored == records + primer
        assert run["cpu_s"] > 0 and run["records_per_s"] > 0
        if run["side"] == "python" and case.txn_messages:
            assert run["transactions"] == math.ceil(records / TXN_MESSAGES)
    left = {r["topic"] for r in data["runs"]} & set(admin.list_topics(timeout=10).topics)
    assert not left, f"bench topics not deleted: {left}"


def test_each_case_has_both_sides_and_ratios_match_the_runs(report: dict) -> None:
    data = report["data"]
    assert data["method"]["measured_rounds"] == [1]
    for case in data["cases"]:
        python = case["python"]
        assert python["runs"] == 1 and python["records_per_s"] > 0
        if case["family"] == "P4m":
            assert case["java"] is None and case["ratio_records_per_s"] is None
            continue
        assert case["java"]["runs"] == 1 and case["java"]["records_per_s"] > 0
        pair = {r["side"]: r for r in data["runs"] if r["case"] == case["case"] and r["round"] == 1}
        expected = pair["python"]["records_per_s"] / pair["java"]["records_per_s"]
        assert case["ratio_records_per_s"]["median"] == pytest.approx(expected)
        assert python["records_per_s"] == pytest.approx(pair["python"]["records_per_s"])
        assert case["java"]["p50_ms"] <= case["java"]["p99_ms"]
        assert python["p50_ms"] <= python["p99_ms"]
    rows = {row[0]: row for row in report["table"]["rows"]}
    assert rows["P4m 500msg 1KiB"][2] is None  # no Java counterpart: "-"
    assert len(data["not_run"]) == 12 and all(n["reason"] for n in data["not_run"])
    versions = data["versions"]
    assert versions["kafka_tools"] == "4.3.1" and versions["java"] and versions["librdkafka"]
    assert data["settings"]["shared"]["batch.size"] == 131072


def test_a_missing_java_tool_or_a_down_broker_is_a_clear_error(settings, monkeypatch, tmp_path: Path) -> None:
    args = [
        "bench",
        "producer",
        "--volume-mb",
        "0.1",
        "--rounds",
        "1",
        "--cases",
        "P1",
        "--out",
        str(tmp_path),
    ]
    no_tools = settings.model_copy(update={"dist_dir": tmp_path})
    monkeypatch.setattr(producer_module, "get_settings", lambda: no_tools)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "pedidos stack install" in result.output

    no_broker = settings.model_copy(update={"kafka_port": free_port()})
    monkeypatch.setattr(producer_module, "get_settings", lambda: no_broker)
    result = CliRunner().invoke(main, [*args, "--no-java"])
    assert result.exit_code == 1 and "pedidos stack up" in result.output
    assert not (tmp_path / "bench-producer.json").exists()
