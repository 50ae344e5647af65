import signal
import subprocess
import sys

import pytest

from tools.stack.dist import java_major
from tools.stack.managed import ManagedProcess
from tools.stack.procs import Child, StackError, WaitTimeout, process_alive, stop_all, wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _managed(tmp_path, name="sleeper") -> ManagedProcess:
    return ManagedProcess(name, tmp_path / "run", tmp_path / "logs")


def test_start_and_stop_our_process(tmp_path):
    managed = _managed(tmp_path)
    pid = managed.start([*SLEEPER, managed.marker])
    assert managed.pid() == pid and managed.is_running()
    assert managed.stop(timeout_s=10) is True
    assert not process_alive(pid)
    assert not managed.pid_file.exists()
    assert managed.stop() is False  # nothing left to stop


def test_a_recycled_pid_that_is_not_ours_is_never_signalled(tmp_path):
    stranger = subprocess.Popen(SLEEPER)  # no marker: not one of ours
    try:
        managed = _managed(tmp_path)
        managed.run_dir.mkdir(parents=True)
        managed.pid_file.write_text(f"{stranger.pid}\n")
        assert managed.pid() is None
        assert managed.stop() is False
        assert stranger.poll() is None  # still running
    finally:
        stranger.kill()
        stranger.wait()


def test_start_refuses_a_command_without_the_marker(tmp_path):
    with pytest.raises(ValueError, match="must carry"):
        _managed(tmp_path).start(SLEEPER)


def test_wait_until_reports_the_deadline_and_the_log_tail(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("starting\nboom: port in use\n")
    with pytest.raises(WaitTimeout, match=r"(?s)gave up waiting for probe after 0.3 s.*boom: port in use"):
        wait_until(lambda: False, timeout_s=0.3, what="probe", log=log, interval_s=0.05)


def test_a_wait_timeout_is_a_stack_error_and_a_timeout():
    with pytest.raises(WaitTimeout) as raised:
        wait_until(lambda: False, timeout_s=0, what="nothing")
    assert isinstance(raised.value, StackError) and isinstance(raised.value, TimeoutError)


def test_wait_until_returns_the_value_and_names_what_was_missing_at_the_deadline():
    assert wait_until(lambda: [1], timeout_s=1, what="a list") == [1]
    missing = ["b"]
    with pytest.raises(WaitTimeout, match=r"orders \['b'\]"):
        wait_until(lambda: not missing, timeout_s=0.1, what=lambda: f"orders {missing}", interval_s=0.05)


def test_wait_until_fails_fast_when_the_process_died(tmp_path):
    with pytest.raises(StackError, match="exited while starting"):
        wait_until(lambda: False, timeout_s=60, what="probe", alive=lambda: False)


def test_a_child_logs_its_output_and_reports_its_exit_code(tmp_path):
    child = Child(
        [sys.executable, "-c", "import os; print(os.environ['GREETING']); raise SystemExit(3)"],
        tmp_path / "logs" / "c.log",
        env={"GREETING": "olá"},
    )
    child.start(banner="first run")
    assert wait_until(child.exit_code, timeout_s=30, what="the child to exit") == 3
    assert child.pid is None
    lines = child.log_file.read_text().splitlines()
    assert "first run" in lines[-2] and lines[-1] == "olá"  # the banner, then the child's own output


def test_stop_kills_a_child_that_ignores_sigterm_after_the_deadline(tmp_path):
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
        "time.sleep(60)"
    )
    child = Child([sys.executable, "-c", stubborn], tmp_path / "c.log")
    child.start()
    wait_until(lambda: "ready" in child.log_file.read_text(), timeout_s=30, what="the handler installed")
    assert child.stop(timeout_s=0.5) is True
    assert child.exit_code() == -signal.SIGKILL
    assert child.stop() is False  # nothing left to stop


def test_a_frozen_child_is_seen_frozen_and_still_stops(tmp_path):
    children = [Child(SLEEPER, tmp_path / f"{n}.log") for n in range(2)]
    for child in children:
        child.start()
    children[0].send_signal(signal.SIGSTOP)
    assert wait_until(children[0].frozen, timeout_s=10, what="the child frozen")
    assert not children[1].frozen()
    stop_all(children, timeout_s=10)
    assert [c.exit_code() for c in children] == [-signal.SIGTERM, -signal.SIGTERM]


@pytest.mark.parametrize(
    ("banner", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "25.0.3" 2026-04-21 LTS', 25),
        ('java version "1.8.0_392"', 8),
        ("garbage", None),
    ],
)
def test_java_major_reads_the_version_banner(tmp_path, banner, major):
    fake = tmp_path / "java"
    fake.write_text(f"#!/bin/sh\necho '{banner}' >&2\n")
    fake.chmod(0o755)
    assert java_major(str(fake)) == major
