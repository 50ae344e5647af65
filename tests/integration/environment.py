"""Pointing `pedidos` at other settings: PEDIDOS_* variables for this process, or a state dir of its own for
a subprocess; and checking that nothing of ours is left running afterwards."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from processors.settings import Settings, get_settings
from tools.stack.procs import process_alive

PEDIDOS = str(Path(sys.executable).parent / "pedidos")


@contextlib.contextmanager
def settings_env(**values: str) -> Iterator[None]:
    """PEDIDOS_* variables for everything that asks get_settings() inside the block (the cached Settings is
    dropped on the way in and out, so the rest of the session sees the real values again)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def own_state(settings: Settings, folder: str, **values: str) -> tuple[Path, dict[str, str]]:
    """A fresh state dir under the session's ``folder`` and the environment of a `pedidos` subprocess that
    uses it (plus ``values``) with the session's downloaded binaries. The caller removes the dir."""
    state = settings.state_dir / folder / uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "PEDIDOS_STATE_DIR": str(state),
        "PEDIDOS_DIST_DIR": str(settings.dist_dir),
        **values,
    }
    return state, env


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line holds ``text`` (after a clean stop: none for its state dir)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read() and process_alive(int(entry)):
                    found.append(int(entry))
        except (FileNotFoundError, NotADirectoryError, PermissionError, ProcessLookupError):
            continue
    return found
