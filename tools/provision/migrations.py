"""Numbered forward-only SQL migrations from ``sql/``, each applied once, in order, and recorded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from processors.settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
# Any constant works: it only has to be the same for every process that migrates this database.
MIGRATION_LOCK = 7_420_001


@dataclass
class MigrationReport:
    applied: list[str] = field(default_factory=list)
    already_applied: list[str] = field(default_factory=list)
    changed_after_apply: list[str] = field(default_factory=list)  # edited files: migrations are forward-only


def migration_files(sql_dir: Path = SQL_DIR) -> list[tuple[int, Path]]:
    files = sorted(sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(f.name[:3]), f) for f in files]


def apply_migrations(database_url: str, sql_dir: Path = SQL_DIR) -> MigrationReport:
    report = MigrationReport()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                            version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now())""")
        # Two processes starting at once (gateway and a processor) must not both apply 001.
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            recorded = {v: c for v, c in conn.execute("SELECT version, checksum FROM schema_migrations")}
            for version, path in migration_files(sql_dir):
                text = path.read_text()
                checksum = hashlib.sha256(text.encode()).hexdigest()
                if version in recorded:
                    target = (
                        report.already_applied
                        if recorded[version] == checksum
                        else report.changed_after_apply
                    )
                    target.append(path.name)
                    continue
                with conn.transaction():
                    conn.execute(text)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (version, path.name, checksum),
                    )
                report.applied.append(path.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return report
