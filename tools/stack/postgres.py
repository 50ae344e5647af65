"""A project-local PostgreSQL cluster from Debian's package, on its own port, owned by the ``postgres`` user.

``initdb`` refuses to run as root, so as root every server command runs as the package's ``postgres``
user. The cluster is started and stopped with ``pg_ctl``, which only ever touches our data directory.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from processors.settings import Settings
from tools.stack.procs import StackError


def _server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise StackError(
            "PostgreSQL server não instalado / not installed: run `make setup` (apt-get install postgresql)"
        )
    return Path(found[-1]).parent


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _server_user_can_reach(path: Path) -> bool:
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(_as_server_user(["test", "-x", str(path)]), capture_output=True)
    return probe.returncode == 0


@dataclass(frozen=True)
class Postgres:
    settings: Settings

    @property
    def home(self) -> Path:
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        if _server_user_can_reach(self.settings.state_dir):
            return self.settings.state_dir / "postgres"
        # A clone under /root is closed to the postgres user: keep the cluster where that user can reach it,
        # one directory per checkout so two clones never share a cluster.
        digest = hashlib.sha1(str(self.settings.state_dir).encode()).hexdigest()[:10]
        return Path("/var/tmp") / f"pedidos-postgres-{digest}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        """The server's JSON lines (jsonlog: named after log_filename, ``.log`` becoming ``.json``)."""
        return self.settings.state_dir / "logs" / "postgres.json"

    @property
    def server_log(self) -> Path:
        """pg_ctl's plain-text log: what the server says before its log collector starts (a port in use)."""
        return self.settings.state_dir / "logs" / "postgres.log"

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.settings.postgres_port}"

    def pid(self) -> int | None:
        """The postmaster's pid if our cluster is running (pg_ctl status reads our data dir only)."""
        if not self.data_dir.exists():
            return None
        status = subprocess.run(
            _as_server_user([str(_server_bin() / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
            text=True,
        )
        if status.returncode != 0:
            return None
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def is_running(self) -> bool:
        return self.pid() is not None

    def _init_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.home.mkdir(parents=True, exist_ok=True)
        self._give_to_server_user(self.home)
        result = subprocess.run(
            _as_server_user(
                [
                    str(_server_bin() / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                ]
            ),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StackError(f"initdb failed:\n{result.stdout}{result.stderr}")

    def _give_to_server_user(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)

    def start(self) -> int:
        self._init_cluster()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        # Created here for the server user, which cannot create files in a logs dir owned by root.
        for log in (self.server_log, self.log_file):
            log.touch()
            self._give_to_server_user(log)
        s = self.settings
        options = (
            f"-p {s.postgres_port} -c listen_addresses={s.host} -k {self.home} "
            "-c max_connections=200 -c shared_buffers=128MB "
            # JSON lines (docs/logs.md) need the log collector; one file, never rotated, kept in our logs dir.
            f"-c logging_collector=on -c log_destination=jsonlog -c log_directory={self.log_file.parent} "
            f"-c log_filename={self.server_log.name} -c log_rotation_age=0 -c log_rotation_size=0 "
            "-c log_timezone=UTC"
        )
        result = subprocess.run(
            _as_server_user(
                [
                    str(_server_bin() / "pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.server_log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(int(s.startup_timeout_s)),
                ]
            ),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            tail = self.server_log.read_text(errors="replace")[-2000:]
            raise StackError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{tail}")
        self._create_roles_and_databases()
        return self.pid() or 0

    def _superuser(self) -> psycopg.Connection:
        # Local socket with trust authentication: only the server user (and root) can open our socket dir.
        return psycopg.connect(
            host=str(self.home),
            port=self.settings.postgres_port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        )

    def _create_roles_and_databases(self) -> None:
        s = self.settings
        with self._superuser() as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (s.postgres_user,)).fetchone():
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(s.postgres_user), sql.Literal(s.postgres_password)
                    )
                )
            for db in (s.postgres_db, s.registry_db):
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(db), sql.Identifier(s.postgres_user)
                        )
                    )

    def stop(self, timeout_s: float = 60) -> bool:
        if not self.is_running():
            return False
        subprocess.run(
            _as_server_user(
                [
                    str(_server_bin() / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(int(timeout_s)),
                ]
            ),
            capture_output=True,
            check=True,
        )
        return True

    def healthy(self) -> bool:
        try:
            with psycopg.connect(self.settings.database_url, connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.Error:
            return False
