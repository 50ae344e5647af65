"""Shared set-up of the end-to-end tests: seeded data, processors as real processes, the audit."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg

from processors.projector.projector import Projector
from processors.runtime.serde import AvroCodec
from processors.settings import Settings
from tools.saga_harness import OrderWatcher, ProcessorProcess, start_processors, stop_processors
from tools.verify.observations import Snapshot
from tools.verify.properties import PropertyResult, audit
from tools.verify.snapshot import take_snapshot


@contextlib.contextmanager
def running_processors(settings: Settings, log_dir: Path, **kwargs) -> Iterator[dict[str, ProcessorProcess]]:
    processes = start_processors(log_dir, **kwargs)
    try:
        yield processes
    finally:
        stop_processors(processes.values())


@contextlib.contextmanager
def projecting(settings: Settings) -> Iterator[Projector]:
    """The read-model projector (its real consumer group) in a thread, as `make run` runs it."""
    stop = threading.Event()
    projector = Projector(
        settings.bootstrap_servers,
        settings.database_url,
        AvroCodec(settings.registry_url),
        settings.projector_group,
    )
    thread = threading.Thread(target=projector.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield projector
    finally:
        stop.set()
        thread.join(timeout=30)


@contextlib.contextmanager
def watcher(settings: Settings, *topics: str) -> Iterator[OrderWatcher]:
    watching = OrderWatcher(settings, *(topics and (topics,)))
    try:
        yield watching
    finally:
        watching.close()


def audit_now(settings: Settings, scope: set[str] | None = None) -> tuple[Snapshot, list[PropertyResult]]:
    snapshot = take_snapshot(settings, AvroCodec(settings.registry_url), scope=scope)
    return snapshot, audit(snapshot)


def assert_audit_clean(results: list[PropertyResult]) -> None:
    failed = {r.id: r.violations[:5] for r in results if not r.ok}
    assert failed == {}, failed


def set_stock(settings: Settings, product_id: str, available: int) -> None:
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("UPDATE stock SET available = %s WHERE product_id = %s", (available, product_id))
