"""The one way this project starts, waits for and stops OS processes.

``Child`` spawns a process with its output appended to a log file, and signals, freezes or stops it (SIGTERM,
then SIGKILL after a deadline). ``terminate`` does the same for a bare pid, for processes whose handle did not
survive (the stack's servers outlive the CLI that started them, see tools/stack/managed.py). ``wait_until``
is the one poll-until-a-condition-with-a-deadline: every wait names what it awaited and for how long.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class StackError(RuntimeError):
    """A component could not be installed, started or stopped; the message says what to do."""


class WaitTimeout(TimeoutError, StackError):
    """A condition still false at its deadline. Both a TimeoutError and a StackError: the stack's commands
    report it like any failure to start, a drill or a test like any timeout."""


def wait_until(
    check: Callable[[], T],
    *,
    timeout_s: float,
    what: str | Callable[[], str],
    log: Path | Sequence[Path] | None = None,
    alive: Callable[[], bool] | None = None,
    interval_s: float = 0.25,
) -> T:
    """Poll ``check`` until it returns something truthy, and return that; WaitTimeout at the deadline.

    ``what`` names what is awaited (a function gives the name at the deadline, to say what was still
    missing). The last lines of ``log`` (a file, or several, read at the deadline) go into the error.
    ``alive`` fails the wait fast, with a StackError, when the process waited for has already died.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if alive is not None and not alive():
            raise StackError(f"{_named(what)}: the process exited while starting.{log_tail(log)}")
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"gave up waiting for {_named(what)} after {timeout_s:g} s.{log_tail(log)}")
        time.sleep(interval_s)  # between probes, under the deadline


def _named(what: str | Callable[[], str]) -> str:
    return what if isinstance(what, str) else what()


def log_tail(log: Path | Sequence[Path] | None, lines: int = 15) -> str:
    if log is not None and not isinstance(log, Path):
        return "".join(log_tail(one, lines) for one in log)
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"\nLast lines of {log}:\n" + "\n".join("  " + line for line in tail)


def process_state(pid: int) -> str | None:
    """The state letter in /proc (R, S, T for stopped, Z for zombie...), None once the pid is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][0]
    # A pid reaped between open and read answers ESRCH (ProcessLookupError).
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def process_alive(pid: int) -> bool:
    return process_state(pid) not in (None, "Z")  # a zombie has exited, only unreaped


def terminate(
    pid: int,
    *,
    what: str,
    timeout_s: float = 30.0,
    sig: int | None = signal.SIGTERM,
    exited: Callable[[], bool] | None = None,
) -> None:
    """Send ``sig`` (None: it was sent already) and wait for the exit; SIGKILL after the deadline.

    ``exited`` tells a child of ours gone (polling its handle reaps it); for any other pid, /proc does.
    """
    gone = exited or (lambda: not process_alive(pid))
    try:
        if sig is not None:
            os.kill(pid, sig)
        wait_until(gone, timeout_s=timeout_s, what=f"{what} to stop", interval_s=0.1)
    except ProcessLookupError:  # it exited on its own meanwhile
        return
    except WaitTimeout:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_until(gone, timeout_s=10, what=f"{what} to die of SIGKILL", interval_s=0.1)


@dataclass
class Child:
    """A process we spawn and hold the handle of, its output (stdout and stderr) appended to ``log_file``.

    ``env`` is laid over this process's own environment. ``own_session`` gives it a session of its own, so
    Ctrl-C in the terminal that started it does not reach it (a server that must outlive the command).
    """

    argv: Sequence[str]
    log_file: Path
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    own_session: bool = False
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self, banner: str | None = None) -> int:
        """Spawn it; ``banner`` is written to the log first (to find where each run begins)."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            if banner:
                log.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} {banner}\n".encode())
                log.flush()
            self.popen = subprocess.Popen(
                list(self.argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                cwd=self.cwd,
                start_new_session=self.own_session,
            )
        return self.popen.pid

    @property
    def pid(self) -> int | None:
        """Its pid while it runs (frozen included), None before the start or once it exited."""
        return self.popen.pid if self.popen is not None and self.popen.poll() is None else None

    def exit_code(self) -> int | None:
        """How it exited (negative: the signal that ended it); None while it runs or before the start."""
        return None if self.popen is None else self.popen.poll()

    def frozen(self) -> bool:
        """Stopped by SIGSTOP (state T): alive, but does nothing until SIGCONT."""
        pid = self.pid
        return pid is not None and process_state(pid) == "T"

    def send_signal(self, sig: int) -> int | None:
        """Send ``sig`` without waiting; its pid, or None if it does not run."""
        pid = self.pid
        if pid is not None:
            os.kill(pid, sig)
        return pid

    def stop(self, timeout_s: float = 30.0, sig: int | None = signal.SIGTERM) -> bool:
        """Signal it (None: it was signalled already) and wait for the exit, SIGKILL after the deadline;
        False if it was not running."""
        pid, popen = self.pid, self.popen
        if pid is None or popen is None:
            return False
        if sig is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)  # a frozen process cannot act on SIGTERM
        terminate(
            pid, what=f"pid {pid}", timeout_s=timeout_s, sig=sig, exited=lambda: popen.poll() is not None
        )
        return True


def stop_all(children: Iterable[Child], timeout_s: float = 30.0) -> None:
    """SIGTERM every running child at once, so their clean shutdowns overlap, then wait for each within one
    shared deadline (SIGKILL past it)."""
    running = [child for child in children if child.pid is not None]
    for child in running:
        child.send_signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
        child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for child in running:
        child.stop(timeout_s=max(0.1, deadline - time.monotonic()), sig=None)


def free_port() -> int:
    """A port nothing listens on right now (for servers a test or benchmark starts of its own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens there (a server we start would fail to bind)."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0
