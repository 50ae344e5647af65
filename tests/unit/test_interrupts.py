"""Every `pedidos` command unwinds on SIGTERM like on Ctrl-C."""

from __future__ import annotations

import os
import signal

import pytest
from click.testing import CliRunner

from tools.cli import main
from tools.interrupts import unwind_on_sigterm


@pytest.fixture
def pytests_sigterm():
    # Any earlier in-process `pedidos` call (CliRunner) has already installed it: start from the default.
    saved = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield signal.SIG_DFL
    signal.signal(signal.SIGTERM, saved)


def test_sigterm_raises_system_exit_so_finally_blocks_run(pytests_sigterm):
    cleaned = []
    unwind_on_sigterm()
    with pytest.raises(SystemExit) as exit_info:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            cleaned.append("stopped")
    assert exit_info.value.code == 143
    assert cleaned == ["stopped"]


def test_every_pedidos_command_installs_it(pytests_sigterm):
    assert signal.getsignal(signal.SIGTERM) is pytests_sigterm
    result = CliRunner().invoke(main, ["config", "--help"])
    assert result.exit_code == 0, result.output
    assert signal.getsignal(signal.SIGTERM) is not pytests_sigterm
