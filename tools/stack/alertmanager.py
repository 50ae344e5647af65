"""Alertmanager (Debian package ``prometheus-alertmanager``): each alert Prometheus fires goes to the gateway.

One webhook receiver, the gateway's ``/api/alerts/webhook`` (docs/alerts.md), with resolved notifications too,
so the dashboard's header shows an alert appear and clear. Groups are sent within seconds (a class watches the
alert appear), one alert per group. A single instance: clustering (gossip on 9094) is off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from processors.settings import Settings
from tools.stack.managed import ManagedProcess, http_ok, stack_process
from tools.stack.prometheus import binary


@dataclass(frozen=True)
class Alertmanager:
    settings: Settings

    @property
    def home(self) -> Path:
        return self.settings.state_dir / "alertmanager"

    @property
    def process(self) -> ManagedProcess:
        return stack_process(self.settings.state_dir, "alertmanager", marker_in_env=True)

    @property
    def address(self) -> str:
        return self.settings.alertmanager_url

    @property
    def webhook_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.gateway_port}/api/alerts/webhook"

    def config(self) -> dict[str, object]:
        return {
            "route": {
                "receiver": "gateway",
                "group_by": ["..."],  # every alert its own group: each one reaches the dashboard at once
                "group_wait": "1s",
                "group_interval": "5s",
                "repeat_interval": "1h",
            },
            "receivers": [
                {"name": "gateway", "webhook_configs": [{"url": self.webhook_url, "send_resolved": True}]}
            ],
        }

    def write_config(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / "alertmanager.yml"
        config.write_text(json.dumps(self.config(), indent=2) + "\n")  # JSON is YAML
        return config

    def command(self) -> list[str]:
        s = self.settings
        return [
            binary("prometheus-alertmanager"),
            f"--config.file={self.home / 'alertmanager.yml'}",
            f"--storage.path={self.home / 'data'}",
            f"--web.listen-address={s.host}:{s.alertmanager_port}",
            "--cluster.listen-address=",  # no gossip port: one instance, and 9094 is a Kafka node's
            "--log.format=json",
        ]

    def start(self) -> int:
        self.write_config()
        return self.process.start(self.command(), cwd=self.home)

    def healthy(self) -> bool:
        return http_ok(f"{self.address}/-/ready")
