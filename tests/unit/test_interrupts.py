"""SIGTERM unwinds like Ctrl-C inside `sigterm_unwinds`, and only there."""

from __future__ import annotations

import os
import signal

import pytest

from tools.interrupts import sigterm_unwinds


def test_sigterm_inside_raises_system_exit_so_finally_blocks_run_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    cleaned = []
    with pytest.raises(SystemExit) as exit_info, sigterm_unwinds():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            cleaned.append("stopped")
    assert exit_info.value.code == 143
    assert cleaned == ["stopped"]
    assert signal.getsignal(signal.SIGTERM) is before
