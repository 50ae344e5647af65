"""The stack's long-running servers: found again by pid file and marker, long after `stack up` exited.

Each managed process has a pid file under the state directory and carries a marker on its command line
(``-Dpedidos.component=<name>``), so ``stack down`` can check that a pid still belongs to us before
signalling it: pids are recycled, and a broad ``pkill java`` would hit other people's programs. Programs
that reject unknown arguments (Prometheus, Alertmanager, the exporters: Go flag parsers) carry the marker in
their environment instead (``PEDIDOS_COMPONENT``), which /proc shows the same way.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tools.stack.procs import Child, process_alive, terminate, wait_until

ENV_MARKER = "PEDIDOS_COMPONENT"


@dataclass(frozen=True)
class ManagedProcess:
    """A long-running child we own: its pid file, its log and the marker that identifies it.

    ``scope`` (e.g. a digest of the state dir) goes into the marker, so two stacks with different state dirs
    never take each other's process for their own, even when a stale pid file meets a recycled pid.
    """

    name: str
    run_dir: Path
    log_dir: Path
    scope: str = ""
    marker_in_env: bool = False  # for programs whose flag parser rejects the -D marker

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    @property
    def marker(self) -> str:
        return f"-Dpedidos.component={self.name}" + (f"@{self.scope}" if self.scope else "")

    def pid(self) -> int | None:
        """The pid from our pid file if that process is alive and still ours, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        # Processes started before markers carried a scope are still recognised until their next restart.
        markers = (self.marker, f"-Dpedidos.component={self.name}") if self.scope else (self.marker,)
        return pid if any(self._carries(pid, marker) for marker in markers) else None

    def _carries(self, pid: int, marker: str) -> bool:
        return _environ_contains(pid, marker) if self.marker_in_env else _cmdline_contains(pid, marker)

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(
        self, argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> int:
        if not self.marker_in_env and self.marker not in argv:
            raise ValueError(f"{self.name}: the command line must carry {self.marker}")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        env = {**(env or {}), **({ENV_MARKER: self.marker} if self.marker_in_env else {})}
        # A session of its own: Ctrl-C in the terminal that ran `stack up` must not kill the broker.
        child = Child(argv, self.log_file, env=env, cwd=cwd, own_session=True)
        pid = child.start(banner=f"starting {self.name}")
        self.pid_file.write_text(f"{pid}\n")
        # Right after fork the child's /proc/<pid>/cmdline can still be empty; until it shows our marker,
        # pid() would not recognise the process as ours.
        wait_until(
            lambda: self._carries(pid, self.marker) or child.exit_code() is not None,
            timeout_s=5,
            what=f"{self.name} to show its marker",
            interval_s=0.01,
        )
        return pid

    def send_signal(self, sig: int) -> bool:
        """Send ``sig`` to our process, without waiting; False if none of ours runs."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, sig)
        return True

    def stop(self, *, timeout_s: float = 30.0, sig: int = signal.SIGTERM) -> bool:
        """Signal our process and wait for it to exit (SIGKILL after the deadline). False if none ran."""
        pid = self.pid()
        if pid is not None:
            terminate(pid, what=self.name, timeout_s=timeout_s, sig=sig)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None


def _environ_contains(pid: int, marker: str) -> bool:
    return _proc_list_contains(pid, "environ", f"{ENV_MARKER}={marker}")


def _cmdline_contains(pid: int, marker: str) -> bool:
    return _proc_list_contains(pid, "cmdline", marker)


def _proc_list_contains(pid: int, name: str, entry: str) -> bool:
    """Whether /proc/<pid>/<name> (NUL-separated: the arguments or the environment) holds ``entry``."""
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            entries = f.read().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return entry.encode() in entries and process_alive(pid)


def stack_process(state_dir: Path, name: str, *, marker_in_env: bool = False) -> ManagedProcess:
    """A server of the stack: pid file in <state>/run, log in <state>/logs, marker scoped to the state dir."""
    return ManagedProcess(
        name, state_dir / "run", state_dir / "logs", scope=state_scope(state_dir), marker_in_env=marker_in_env
    )


def state_scope(state_dir: Path) -> str:
    """A short, stable tag of a state dir for process markers (the full path would bloat every `ps`)."""
    return hashlib.sha1(str(state_dir.resolve()).encode()).hexdigest()[:10]


def resident_memory_mb(pid: int) -> float | None:
    """Memory of a process and its children in MiB (None when it is gone).

    Proportional set size (PSS) from smaps_rollup, so the shared buffers PostgreSQL's processes all map are
    counted once, not once per backend as summing RSS would.
    """
    total_kb = 0
    found = False
    for member in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{member}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
                        found = True
                        break
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total_kb / 1024 if found else None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(") ", 1)[1].split()[1])
        # A process that exits between open and read answers ESRCH (ProcessLookupError), not ENOENT.
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, queue = [], list(children.get(pid, []))
    while queue:
        child = queue.pop()
        found.append(child)
        queue.extend(children.get(child, []))
    return found


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    """Whether ``url`` answers 200 now (the health probe of the stack's HTTP servers)."""
    try:
        return httpx.get(url, timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False
