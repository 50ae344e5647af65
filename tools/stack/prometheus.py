"""Prometheus (Debian package ``prometheus``), scraping what runs and evaluating the project's rules.

Everything it reads is generated under ``<state>/prometheus/``: ``prometheus.yml`` (one job per kind of
target, each reading its file_sd files from ``targets/``, see tools/stack/targets.py) and ``rules/``, copies
of tools/observability/rules/*.yml with every alert's ``for:`` replaced by ``settings.alert_for`` when it is
set (a class or a test sees an alert fire in seconds instead of minutes). Its TSDB lives in ``data/``.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx

from processors.settings import Settings
from tools.stack.managed import ManagedProcess, http_ok, stack_process
from tools.stack.procs import StackError
from tools.stack.targets import targets_dir

RULES_SOURCE = Path(__file__).parents[1] / "observability" / "rules"
# job -> metrics path; the services' own metrics carry `processor` themselves, so their labels win.
JOBS = {
    "processors": "/metrics",
    "projector": "/metrics",
    "gateway": "/metrics",
    "supervisor": "/metrics",
    "kafka": "/metrics",
    "registry": "/metrics",  # Apicurio builds Quarkus with its management root at /, not /q
    "postgres": "/metrics",
    "prometheus": "/metrics",
    "alertmanager": "/metrics",
}
HONOR_LABELS = {"processors", "projector", "gateway", "supervisor"}
_FOR = re.compile(r"^([ \t]*)for:[ \t]*[^\s#]+", re.MULTILINE)


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StackError(f"{name} não instalado / not installed: run `make setup` (apt-get install)")
    return found


@dataclass(frozen=True)
class Prometheus:
    settings: Settings

    @property
    def home(self) -> Path:
        return self.settings.state_dir / "prometheus"

    @property
    def process(self) -> ManagedProcess:
        return stack_process(self.settings.state_dir, "prometheus", marker_in_env=True)

    @property
    def address(self) -> str:
        return self.settings.prometheus_url

    def config(self) -> dict[str, object]:
        s = self.settings
        interval = f"{s.prometheus_scrape_interval_s}s"
        targets = targets_dir(s)
        return {
            "global": {"scrape_interval": interval, "evaluation_interval": interval},
            "rule_files": [str(self.home / "rules" / "*.yml")],
            "alerting": {
                "alertmanagers": [{"static_configs": [{"targets": [f"{s.host}:{s.alertmanager_port}"]}]}]
            },
            "scrape_configs": [
                {
                    "job_name": job,
                    "metrics_path": path,
                    "honor_labels": job in HONOR_LABELS,
                    "file_sd_configs": [
                        {
                            "files": [str(targets / f"{job}.json"), str(targets / f"{job}.*.json")],
                            "refresh_interval": interval,
                        }
                    ],
                }
                for job, path in JOBS.items()
            ],
        }

    def write_config(self, rules_source: Path = RULES_SOURCE) -> Path:
        """prometheus.yml (JSON is YAML) and the rule copies; returns the config file."""
        rules = self.home / "rules"
        rules.mkdir(parents=True, exist_ok=True)
        targets_dir(self.settings).mkdir(parents=True, exist_ok=True)
        for stale in rules.glob("*.yml"):
            stale.unlink()
        for source in sorted(rules_source.glob("*.yml")) if rules_source.is_dir() else []:
            (rules / source.name).write_text(rule_copy(source.read_text(), self.settings.alert_for))
        config = self.home / "prometheus.yml"
        config.write_text(json.dumps(self.config(), indent=2) + "\n")
        return config

    def command(self) -> list[str]:
        s = self.settings
        return [
            binary("prometheus"),
            f"--config.file={self.home / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.home / 'data'}",
            f"--storage.tsdb.retention.time={s.prometheus_retention}",
            f"--web.listen-address={s.host}:{s.prometheus_port}",
            "--web.enable-lifecycle",  # POST /-/reload: `stack up` reloads new rules without a restart
            # Firing alerts are re-sent at this pace (default 1 min): one sent while the notifier has not yet
            # found Alertmanager (right after a start or a reload) is dropped, and the next one must not
            # keep the dashboard waiting a minute.
            f"--rules.alert.resend-delay={s.prometheus_scrape_interval_s}s",
            "--log.format=json",
        ]

    def start(self) -> int:
        self.write_config()
        return self.process.start(self.command(), cwd=self.home)

    def reload(self) -> None:
        """Re-read the config and rules just written (Prometheus keeps its last good config on an error)."""
        self.write_config()
        try:
            response = httpx.post(f"{self.address}/-/reload", timeout=10)
        except httpx.HTTPError as error:
            raise StackError(f"Prometheus reload failed: {error}") from error
        if response.status_code != 200:
            raise StackError(f"Prometheus rejected its new config: {response.text.strip()}")

    def healthy(self) -> bool:
        return http_ok(f"{self.address}/-/ready")


def rule_copy(text: str, alert_for: str | None) -> str:
    """A rules file with every ``for:`` (only alerting rules have one) set to ``alert_for``, if given."""
    return text if alert_for is None else _FOR.sub(rf"\g<1>for: {alert_for}", text)
