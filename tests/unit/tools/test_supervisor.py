import sys

from prometheus_client import REGISTRY

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


def test_the_metrics_count_restarts_and_say_whether_each_service_runs(tmp_path):
    service = Service("metered", [sys.executable, "-c", "raise SystemExit(1)"])
    supervisor = _supervisor(tmp_path, service)
    supervisor.log_dir.mkdir(parents=True)
    supervisor._watch(service, now=0.0)
    first = service.process
    wait_until(lambda: first.exit_code() is not None, timeout_s=30, what="the first run to exit")
    supervisor._watch(service, now=1.0)
    assert _sample("pedidos_supervisor_restarts_total", "metered") == 1.0
    assert _sample("pedidos_supervisor_service_running", "metered") == 0.0
    service.argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    supervisor._watch(service, now=2.0)  # restarted
    supervisor._watch(service, now=2.2)
    assert _sample("pedidos_supervisor_service_running", "metered") == 1.0
    supervisor._stop_all()


def _sample(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})
