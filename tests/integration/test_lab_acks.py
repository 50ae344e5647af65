"""`pedidos lab acks` as a user runs it, on its own throwaway cluster (never the session's stack).

Short runs (a few seconds per setting, fast failure detection): the test checks that every counter is there
and consistent, and asserts only what the protocol guarantees; how much acks=0 or acks=1 loses is reported,
not asserted.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from processors.settings import Settings
from tests.integration.environment import PEDIDOS, own_state, processes_mentioning

pytestmark = pytest.mark.slow  # over a minute: a 3-node cluster of its own, a failover, an unclean election


@pytest.fixture
def lab_env(settings: Settings):
    state, env = own_state(
        settings,
        "test-labs",
        # Fence a dead node after 3 s instead of 9: the same failover, in a test-sized time.
        PEDIDOS_LAB_BROKER_SESSION_TIMEOUT_MS="3000",
    )
    yield state, env
    shutil.rmtree(state, ignore_errors=True)


def test_lab_acks_counts_every_setting_and_cleans_up(lab_env, tmp_path):
    state, env = lab_env
    out = tmp_path / "reports"
    run = subprocess.run(
        [
            PEDIDOS,
            "lab",
            "acks",
            "--seconds",
            "3",
            "--rate",
            "400",
            "--unclean",
            "--lang",
            "en",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for phase in ("Cluster up", "SIGKILL to the leader", "new leader", "back in the ISR", "reading"):
        assert phase in run.stdout, phase

    report = json.loads((out / "lab-acks.json").read_text())
    assert report["kind"] == "lab-acks" and (out / report["chart"]).stat().st_size > 0
    assert report["conclusion"]["en"] in run.stdout
    results = {r["key"]: r for r in report["data"]["results"]}
    assert list(results) == ["acks-0", "acks-1", "acks-all", "unclean"]
    for r in results.values():
        c = r["counts"]
        assert c["sent"] > 0 and c["no_report"] == 0
        assert c["acked"] + c["failed"] == c["sent"]
        assert c["acked_lost"] <= c["acked"]
        assert c["distinct_in_log"] == c["acked"] - c["acked_lost"] + c["unacked_present"]
        assert c["records_in_log"] == c["distinct_in_log"] + c["duplicates"] + c["foreign"]
        assert c["foreign"] == 0
        assert r["new_leader"] != r["leader_killed"] and r["leader_change_s"] > 0
        assert r["back_in_isr_s"] >= r["leader_change_s"]

    # What acks=all, idempotence, RF 3, min ISR 2 and a single failure guarantee.
    safe = results["acks-all"]["counts"]
    assert (safe["acked_lost"], safe["duplicates"], safe["out_of_order"]) == (0, 0, 0)
    # A follower elected from outside the ISR cannot have what the leader acknowledged alone.
    unclean = results["unclean"]
    assert unclean["unclean_election"] is True and unclean["counts"]["acked_lost"] > 0

    assert processes_mentioning(str(state)) == []
    assert not (state / "lab-acks" / "kafka-3n").exists()  # the throwaway cluster's data is gone
