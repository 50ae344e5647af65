import subprocess
import sys

import pytest

from tools.stack.dist import java_major
from tools.stack.procs import ManagedProcess, StackError, process_alive, wait_until

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
    with pytest.raises(StackError, match=r"(?s)not healthy after.*boom: port in use"):
        wait_until(lambda: False, timeout_s=0.3, what="probe", log=log, interval_s=0.05)


def test_wait_until_fails_fast_when_the_process_died(tmp_path):
    with pytest.raises(StackError, match="exited while starting"):
        wait_until(lambda: False, timeout_s=60, what="probe", alive=lambda: False)


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
