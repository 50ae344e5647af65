"""The call watchdog and the retrying of Kafka calls: one thread for the process, one deadline per call with
all its retries, and an exit (here recorded) when a call hangs as in confluentinc/librdkafka#5456."""

from __future__ import annotations

import threading
import time

import pytest
from confluent_kafka import KafkaError

from processors.runtime.calls import CallWatchdog, KafkaCalls
from processors.runtime.errors import AbortTransaction
from tests.unit.processors.runtime.fakes import abortable, retriable


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_until(condition, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.005)
    return True


def test_a_call_still_running_past_the_limit_fires_once():
    clock, fired = FakeClock(), []
    watchdog = CallWatchdog(60, clock=clock, on_hang=fired.append)
    with watchdog.watching("commit_transaction"):
        clock.now += 59.9
        watchdog.check()
        assert fired == []
        clock.now += 0.2
        watchdog.check()
        watchdog.check()
    assert fired == ["commit_transaction hung for 60 s"]


def test_a_slow_call_that_finishes_in_time_never_fires():
    clock, fired = FakeClock(), []
    watchdog = CallWatchdog(60, clock=clock, on_hang=fired.append)
    with watchdog.watching("flush"):
        clock.now += 59
    clock.now += 3600
    watchdog.check()
    with watchdog.watching("commit_transaction"):  # the next call has a deadline of its own
        clock.now += 59
        watchdog.check()
    assert fired == []


def test_a_call_made_inside_a_watched_one_shares_its_deadline():
    clock, fired = FakeClock(), []
    watchdog = CallWatchdog(60, clock=clock, on_hang=fired.append)
    with watchdog.watching("outer"):
        clock.now += 40
        with watchdog.watching("inner"):
            clock.now += 30
            watchdog.check()
    assert fired == ["outer hung for 60 s"]


def test_one_thread_watches_every_call(monkeypatch):
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    calls = KafkaCalls(CallWatchdog(60, on_hang=lambda _reason: None), "test-proc")
    assert [calls.run(lambda i=i: i) for i in range(200)] == list(range(200))
    assert [thread.name for thread in started] == ["call-watchdog"]
    assert started[0].daemon


def test_a_transactional_call_that_hangs_past_the_watchdog_makes_the_process_exit():
    exits: list[str] = []
    calls = KafkaCalls(CallWatchdog(0.05, on_hang=exits.append), "test-proc")
    deadline = time.monotonic() + 5

    def send_offsets_to_transaction() -> str:  # as librdkafka#5456: never returns by itself
        while not exits and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        return "released by the test"

    calls.run(send_offsets_to_transaction)
    assert exits == ["send_offsets_to_transaction hung for 0.05 s"]


def test_a_call_that_times_out_again_and_again_meets_the_watchdog_too(monkeypatch):
    exits: list[str] = []
    monkeypatch.setattr(time, "sleep", lambda _s: threading.Event().wait(0.01))
    calls = KafkaCalls(CallWatchdog(0.05, on_hang=exits.append), "test-proc")
    deadline = time.monotonic() + 5

    def abort_transaction() -> str:  # each call times out, "retry call to resume", and never gets further
        if exits or time.monotonic() > deadline:
            return "released by the test"
        raise retriable()

    calls.run(abort_transaction)
    assert exits == ["abort_transaction hung for 0.05 s"]


def test_a_call_that_returns_in_time_disarms_the_watchdog():
    exits: list[str] = []
    calls = KafkaCalls(CallWatchdog(0.05, on_hang=exits.append), "test-proc")
    assert calls.run(lambda: "ok") == "ok"
    assert not wait_until(lambda: bool(exits), timeout_s=0.2)  # well past the limit: nothing fired
    assert exits == []


def test_a_retriable_error_calls_again_and_an_abortable_one_raises(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    calls = KafkaCalls(CallWatchdog(60, on_hang=lambda _reason: None), "test-proc")
    failures = [retriable(KafkaError._TRANSPORT), retriable()]

    def commit_transaction() -> str:
        if failures:
            raise failures.pop(0)
        return "committed"

    assert calls.run(commit_transaction) == "committed"

    def send_offsets_to_transaction() -> None:
        raise abortable()

    with pytest.raises(AbortTransaction, match="abortable: send_offsets_to_transaction"):
        calls.run(send_offsets_to_transaction)
