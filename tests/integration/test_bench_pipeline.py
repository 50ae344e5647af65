"""`pedidos bench pipeline`, tiny: 2,000 records, one commit interval, one round, our runtime in both modes
and Quix Streams (its venv is created on first use, ~30 s). Checks the gate, that the ratios are the runs'
own figures, that the report is published, and that nothing the bench created is left behind."""

import json

import pytest
from click.testing import CliRunner
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient

from tools.bench.pipeline import pipeline

pytestmark = pytest.mark.slow  # over half a minute: 2,000 records through three pipelines

PNG = b"\x89PNG\r\n\x1a\n"
RECORDS = 2000


def test_a_small_bench_passes_the_gate_and_publishes_consistent_figures(tmp_path, settings):
    args = [
        "--records",
        str(RECORDS),
        "--intervals",
        "100",
        "--rounds",
        "1",
        "--quix",
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(pipeline, args, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    published = json.loads((tmp_path / "bench-pipeline.json").read_text())
    assert published["kind"] == "bench-pipeline" and published["chart"] == "bench-pipeline.png"
    assert (tmp_path / "bench-pipeline.png").read_bytes()[:8] == PNG
    data = published["data"]

    runs = {run["case"]: run for run in data["runs"]}
    assert set(runs) == {"ours-eos", "ours-alo", "quix-eos"}
    for case, run in runs.items():
        assert run["ok"] and run["passed"], (case, run)
        assert run["distinct_out"] == RECORDS  # nothing lost, whatever the guarantee
        assert run["samples_checked"] > 0  # decoded through the registry, transform checked
        assert run["throughput_rps"] > 0 and run["commits"] >= 1
        assert 0 < run["commit_ms"]["p50"] <= run["commit_ms"]["p99"]
        assert 0 <= run["consumed_to_visible_ms"]["p50"] <= run["consumed_to_visible_ms"]["p99"]
        assert run["e2e_from_create_ms"]["p50"] > 0 and run["cpu_s_per_million"] > 0
    for case in ("ours-eos", "quix-eos"):
        assert runs[case]["records_out"] == RECORDS and runs[case]["duplicates"] == 0
    assert runs["ours-eos"]["client"]["librdkafka"] != runs["quix-eos"]["client"]["librdkafka"]
    assert runs["quix-eos"]["client"]["quixstreams"] == "3.28.1"

    # one round, so each ratio is the quotient of that round's two drain throughputs
    eos_over_alo = data["ratios"]["eos_over_alo"]["100"]
    expected = runs["ours-eos"]["throughput_rps"] / runs["ours-alo"]["throughput_rps"]
    assert eos_over_alo["n"] == 1 and abs(eos_over_alo["median"] - expected) < 0.001
    ours_over_quix = data["ratios"]["ours_over_quix"]["100"]
    expected = runs["ours-eos"]["throughput_rps"] / runs["quix-eos"]["throughput_rps"]
    assert abs(ours_over_quix["median"] - expected) < 0.001
    table_rows = {row[0]: row for row in published["table"]["rows"]}
    assert table_rows["nosso/ours EOS"][9].startswith(f"{eos_over_alo['median']:.2f}")
    assert "EOS/ALO" in result.output  # the table, printed

    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    prefix = f"bench-pipeline-{data['method']['run_id']}"
    assert not [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    subjects = SchemaRegistryClient({"url": settings.registry_url}).get_subjects()
    assert not [s for s in subjects if s.startswith(prefix)]
    assert data["left_behind"] == []
