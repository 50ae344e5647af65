"""Processors as the kill demo, the drills and the e2e tests run them: command line and env, run by run."""

import sys

import pytest

from processors.settings import Settings
from tools import saga_harness
from tools.saga_harness import ProcessorProcess, start_processors, wait_assigned
from tools.stack.procs import WaitTimeout


@pytest.fixture
def spawned(monkeypatch) -> list:
    """What would have been spawned, instead of spawning it."""
    started = []

    class FakeChild:
        def __init__(self, argv, log_file, env):
            self.argv, self.log_file, self.env = list(argv), log_file, dict(env)

        def start(self) -> int:
            started.append(self)
            return 4242

    monkeypatch.setattr(saga_harness, "Child", FakeChild)
    return started


def test_a_crash_point_and_extra_env_apply_to_one_run_only(tmp_path, spawned):
    process = ProcessorProcess("payment", tmp_path, instance=1, env={"EVERY": "run"})
    process.start(crash_at="after-produce", crash_after=3, env={"ONLY": "this run"})
    process.start()
    armed, restarted = spawned
    command = [sys.executable, "-m", "tools.cli", "processor", "payment", "--instance", "1"]
    assert armed.argv == [*command, "--crash-at", "after-produce", "--crash-after", "3"]
    assert armed.env == {"EVERY": "run", "ONLY": "this run"}
    assert (restarted.argv, restarted.env) == (command, {"EVERY": "run"})  # same transactional.id, unarmed
    assert armed.log_file == restarted.log_file == tmp_path / "payment-1.log"


def test_start_processors_arms_and_configures_only_the_named_processor(tmp_path, spawned):
    running = start_processors(
        tmp_path,
        crash={"inventory": ("after-commit", 2)},
        env={"ALL": "1"},
        env_for={"inventory": {"X": "y"}},
    )
    by_name = {child.argv[4]: child for child in spawned}
    assert set(by_name) == set(running) == set(saga_harness.PROCESSORS)
    assert by_name["inventory"].argv[-4:] == ["--crash-at", "after-commit", "--crash-after", "2"]
    assert by_name["inventory"].env == {"ALL": "1", "X": "y"}
    assert all(
        "--crash-at" not in c.argv and c.env == {"ALL": "1"} for n, c in by_name.items() if n != "inventory"
    )


def test_wait_assigned_waits_for_every_named_processor_and_names_those_without_partitions(monkeypatch):
    settings = Settings()
    scrapes = {"payment": [0, 0, 3], "inventory": [2]}
    monkeypatch.setattr(saga_harness, "_assigned_partitions", lambda _s, name: scrapes[name].pop(0))
    wait_assigned(settings, ("payment", "inventory"), timeout_s=10)
    assert scrapes == {"payment": [], "inventory": []}  # inventory asked once, payment until it had some

    monkeypatch.setattr(saga_harness, "_assigned_partitions", lambda _s, name: name == "payment")
    with pytest.raises(WaitTimeout, match=r"partitions assigned to \['inventory'\]"):
        wait_assigned(settings, ("payment", "inventory"), timeout_s=0.3)
