import sys

from tools.services.supervisor import Service, Supervisor
from tools.stack.procs import wait_until


def _supervisor(tmp_path, service):
    return Supervisor([service], tmp_path / "logs", tmp_path / "status.json")


def test_a_service_that_exits_is_restarted_after_a_growing_backoff(tmp_path):
    service = Service("quitter", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = _supervisor(tmp_path, service)
    supervisor.log_dir.mkdir(parents=True)

    supervisor._watch(service, now=0.0)  # first start
    first = service.process
    assert first is not None
    wait_until(lambda: first.exit_code() is not None, timeout_s=30, what="the first run to exit")
    supervisor._watch(service, now=1.0)  # noticed the exit: restart is scheduled, not immediate
    assert service.restarts == 1 and service.process is None and service.next_start == 2.0
    supervisor._watch(service, now=2.0)
    assert service.process is not None and service.process is not first
    second = service.process
    wait_until(lambda: second.exit_code() is not None, timeout_s=30, what="the second run to exit")
    supervisor._watch(service, now=3.0)
    assert service.restarts == 2 and service.next_start == 5.0  # backoff doubled to 2 s


def test_stopping_terminates_running_services_and_writes_status(tmp_path):
    service = Service("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = _supervisor(tmp_path, service)
    supervisor.log_dir.mkdir(parents=True)
    supervisor._watch(service, now=0.0)
    supervisor._write_status()
    assert '"name": "sleeper"' in supervisor.status_file.read_text()
    supervisor._stop_all()
    assert service.process.exit_code() is not None
