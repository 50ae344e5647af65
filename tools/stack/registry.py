"""Apicurio Registry 3 (Quarkus fast-jar from Maven Central), storing its schemas in our PostgreSQL.

Python clients reach it through its Confluent-compatible API (``/apis/ccompat/v7``), so confluent-kafka's
AvroSerializer works unchanged. SQL storage on PostgreSQL keeps schemas across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from processors.settings import Settings
from tools.stack.dist import Distributions, find_java
from tools.stack.managed import ManagedProcess, stack_process

# JSON lines with our field names (docs/logs.md). Apicurio's own application.properties sets
# quarkus.log.console.json=false; a system property outranks it, and `.enabled` is Quarkus 3.33's name for it.
JSON_LOGS = {
    "quarkus.log.console.json": "true",
    "quarkus.log.console.json.enabled": "true",
    "quarkus.log.console.json.zone-id": "UTC",
    "quarkus.log.console.json.date-format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "quarkus.log.console.json.key-overrides": "timestamp=ts,message=msg,logger_name=logger",
    "quarkus.log.console.json.excluded-keys": (
        "sequence,loggerClassName,threadId,hostName,processName,processId,ndc"
    ),
    "quarkus.log.console.json.additional-field.service.value": "registry",
}


@dataclass(frozen=True)
class Registry:
    settings: Settings

    @property
    def process(self) -> ManagedProcess:
        return stack_process(self.settings.state_dir, "registry")

    @property
    def address(self) -> str:
        return self.settings.registry_url

    def command(self) -> list[str]:
        s = self.settings
        jdbc = f"jdbc:postgresql://{s.host}:{s.postgres_port}/{s.registry_db}"
        options = {
            "quarkus.http.host": s.host,
            "quarkus.http.port": s.registry_port,
            "quarkus.management.host": s.host,
            "quarkus.management.port": s.registry_management_port,
            "apicurio.storage.kind": "sql",
            "apicurio.storage.sql.kind": "postgresql",
            "apicurio.datasource.url": jdbc,
            "apicurio.datasource.username": s.postgres_user,
            "apicurio.datasource.password": s.postgres_password,
            # The defaults (20..100 pooled connections) are sized for a server, not for a laptop.
            "apicurio.datasource.jdbc.initial-size": 2,
            "apicurio.datasource.jdbc.min-size": 2,
            "apicurio.datasource.jdbc.max-size": 10,
            **JSON_LOGS,
        }
        return [
            find_java(21),
            f"-Xmx{s.registry_heap}",
            "-XX:+UseSerialGC",
            self.process.marker,
            *(f"-D{k}={v}" for k, v in options.items()),
            "-jar",
            str(Distributions(s.dist_dir).registry_home / "quarkus-run.jar"),
        ]

    def start(self) -> int:
        return self.process.start(self.command(), cwd=Distributions(self.settings.dist_dir).registry_home)

    def healthy(self) -> bool:
        """The Confluent-compatible API answers, which needs the storage (PostgreSQL) to answer too."""
        try:
            return httpx.get(f"{self.settings.registry_url}/subjects", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
