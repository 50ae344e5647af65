"""Prometheus' scrape targets, written as file_sd JSON files by whoever starts what is scraped.

Prometheus watches ``<state>/prometheus/targets/``: ``<job>.json`` is written by the job's main writer (`stack
up` for the stack's components, the supervisor of `services up` for the services) and ``<job>.<writer>.json``
by any other (`pedidos processor X --instances N` writes ``processors.X.json``), so two writers of one job
never overwrite each other. A file goes away only when its writer stops cleanly: a supervised service that
dies stays a target, and ``up == 0`` shows it. Labels follow docs/observability.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from processors.deployment import PROCESSORS, metrics_port
from processors.settings import Settings


@dataclass(frozen=True)
class Target:
    job: str
    instance: str  # the `instance` label: a name people read (payment-0, kafka-1), not host:port
    address: str
    labels: Mapping[str, str] = field(default_factory=dict)


def targets_dir(settings: Settings) -> Path:
    return settings.state_dir / "prometheus" / "targets"


def target_file(settings: Settings, job: str, writer: str | None = None) -> Path:
    return targets_dir(settings) / (f"{job}.{writer}.json" if writer else f"{job}.json")


def write_targets(settings: Settings, targets: Sequence[Target], writer: str | None = None) -> list[Path]:
    """One file per job of ``targets``; each replaced atomically, so Prometheus never reads half a file."""
    jobs: dict[str, list[Target]] = {}
    for target in targets:
        jobs.setdefault(target.job, []).append(target)
    written = []
    for job, members in jobs.items():
        path = target_file(settings, job, writer)
        path.parent.mkdir(parents=True, exist_ok=True)
        groups = [{"targets": [t.address], "labels": {"instance": t.instance, **t.labels}} for t in members]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(groups, indent=2) + "\n")
        tmp.replace(path)
        written.append(path)
    return written


def remove_targets(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def processor_target(settings: Settings, name: str, instance: int) -> Target:
    port = metrics_port(settings, name, instance)
    return Target("processors", f"{name}-{instance}", f"{settings.host}:{port}", {"processor": name})


def service_targets(settings: Settings, service_names: Sequence[str]) -> list[Target]:
    """Targets of what the supervisor runs: the gateway, the projector, itself and each processor instance."""
    host = settings.host
    targets = [Target("supervisor", "supervisor", f"{host}:{metrics_port(settings, 'supervisor')}")]
    for name in service_names:
        if name == "gateway":
            targets.append(Target("gateway", "gateway", f"{host}:{settings.gateway_port}"))
        elif name == "projector":
            address = f"{host}:{metrics_port(settings, 'projector')}"
            targets.append(Target("projector", "projector", address, {"processor": "projector"}))
        elif (processor := name.rsplit("-", 1)[0]) in PROCESSORS:
            targets.append(processor_target(settings, processor, int(name.rsplit("-", 1)[1])))
    return targets


def stack_targets(settings: Settings) -> list[Target]:
    """Targets of what `stack up` runs: each Kafka node of the cluster, the registry, the exporter, Prometheus
    and Alertmanager themselves."""
    host = settings.host
    targets = [
        Target("kafka", f"kafka-{n}", f"{host}:{settings.kafka_metrics_port + n - 1}")
        for n in range(1, settings.kafka_brokers + 1)
    ]
    targets += [
        Target("registry", "registry", f"{host}:{settings.registry_management_port}"),
        Target("postgres", "postgres", f"{host}:{settings.postgres_exporter_port}"),
        Target("prometheus", "prometheus", f"{host}:{settings.prometheus_port}"),
        Target("alertmanager", "alertmanager", f"{host}:{settings.alertmanager_port}"),
    ]
    return targets
