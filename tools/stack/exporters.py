"""The PostgreSQL exporter (Debian package ``prometheus-postgres-exporter``) for our cluster.

It connects as the project's user to the project's database on every scrape (pg_up, pg_stat_database_*,
pg_locks_*, ...). It keeps no state; its connection string travels in DATA_SOURCE_NAME, not on the command
line, so `ps` does not show the password.
"""

from __future__ import annotations

from dataclasses import dataclass

from processors.settings import Settings
from tools.stack.managed import ManagedProcess, http_ok, stack_process
from tools.stack.prometheus import binary


@dataclass(frozen=True)
class PostgresExporter:
    settings: Settings

    @property
    def process(self) -> ManagedProcess:
        return stack_process(self.settings.state_dir, "postgres-exporter", marker_in_env=True)

    @property
    def address(self) -> str:
        return f"http://{self.settings.host}:{self.settings.postgres_exporter_port}"

    def data_source(self) -> str:
        s = self.settings
        return (
            f"postgresql://{s.postgres_user}:{s.postgres_password}@{s.host}:{s.postgres_port}"
            f"/{s.postgres_db}?sslmode=disable"
        )

    def command(self) -> list[str]:
        s = self.settings
        return [
            binary("prometheus-postgres-exporter"),
            f"--web.listen-address={s.host}:{s.postgres_exporter_port}",
            "--log.format=json",
        ]

    def start(self) -> int:
        return self.process.start(self.command(), env={"DATA_SOURCE_NAME": self.data_source()})

    def healthy(self) -> bool:
        """Its landing page answers (whether PostgreSQL answers it is pg_up's job, and the postgres row's)."""
        return http_ok(f"{self.address}/")
