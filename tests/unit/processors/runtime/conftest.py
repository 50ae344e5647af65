"""An EosLoop given fake Kafka clients; process exits are disarmed."""

from __future__ import annotations

import signal
import time

import pytest

from processors.runtime import errors
from processors.runtime.clients import RuntimeConfig
from processors.runtime.loop import EosLoop
from tests.unit.processors.runtime.fakes import FakeCodec, FakeConsumer, FakeHandler, FakeProducer, Journal

# Nothing listens on port 1: nothing may ever need a broker.
NO_BROKER = "127.0.0.1:1"


class Crashed(Exception):
    """Raised instead of ``os._exit(1)``, so a test can see the loop decide to die."""


@pytest.fixture
def journal() -> Journal:
    return []


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every loop test gets this: a fatal path raises Crashed instead of killing pytest."""
    reasons: list[str] = []

    def crash(reason: str) -> None:
        reasons.append(reason)
        raise Crashed(reason)

    monkeypatch.setattr(errors, "exit_for_restart", crash)
    return reasons


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoffs are recorded, not slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@pytest.fixture(autouse=True)
def _restore_signal_handlers():
    # run() installs SIGTERM/SIGINT handlers on this (pytest's) process; put pytest's back afterwards.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def make_loop(journal: Journal, crashes: list[str], sleeps: list[float]):
    def make(batch_size: int = 3, config_fields: dict | None = None, **handler_fields) -> EosLoop:
        config = RuntimeConfig(
            NO_BROKER,
            "test-proc",
            batch_size=batch_size,
            commit_interval_s=3600,
            tick_interval_s=3600,
            **(config_fields or {}),
        )
        handler = FakeHandler(journal, **handler_fields)
        consumer = FakeConsumer(journal)
        eos = EosLoop(handler, config, FakeCodec(), FakeProducer(journal), consumer)  # type: ignore[arg-type]
        consumer.loop = eos
        eos.last_tick = time.monotonic()  # no tick unless a test asks for one
        return eos

    return make


@pytest.fixture
def loop(make_loop) -> EosLoop:
    return make_loop()
