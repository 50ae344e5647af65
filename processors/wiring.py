"""The composition root of the processors: which handlers exist and how each is wired to its collaborators."""

from __future__ import annotations

from datetime import timedelta

from processors.deployment import PROCESSORS, metrics_port
from processors.inventory.handler import InventoryHandler
from processors.logs import configure_logging
from processors.notification.handler import NotificationHandler
from processors.orchestrator.handler import OrchestratorHandler
from processors.orchestrator.saga import Deadlines
from processors.payment.handler import PaymentHandler
from processors.payment.simulation import PaymentSimulation
from processors.runtime.clients import RuntimeConfig, make_consumer, make_producer
from processors.runtime.crash import CrashPoints
from processors.runtime.handler import Handler
from processors.runtime.inbox import Database
from processors.runtime.loop import EosLoop
from processors.runtime.metrics import serve_metrics
from processors.runtime.serde import AvroCodec
from processors.settings import Settings

HANDLERS = {
    "payment": PaymentHandler,
    "inventory": InventoryHandler,
    "orchestrator": OrchestratorHandler,
    "notification": NotificationHandler,
}


def build_handler(name: str, settings: Settings, codec: AvroCodec) -> Handler:
    if name == "payment":
        simulation = PaymentSimulation(settings.payment_failure_probability, settings.payment_latency_ms)
        return PaymentHandler(simulation, database(settings))
    if name == "inventory":
        return InventoryHandler(database(settings), codec)
    if name == "orchestrator":
        deadlines = Deadlines(
            timedelta(seconds=settings.saga_payment_timeout_s),
            timedelta(seconds=settings.saga_stock_timeout_s),
        )
        return OrchestratorHandler(deadlines)
    if name == "notification":
        return NotificationHandler(database(settings), codec)
    raise ValueError(f"unknown processor {name!r}; choose one of {', '.join(PROCESSORS)}")


def database(settings: Settings) -> Database:
    return Database(settings.database_url, settings.db_lock_timeout_ms, settings.db_idle_in_transaction_ms)


def run_processor(name: str, instance: int, settings: Settings) -> int:
    configure_logging(f"{name}-{instance}")
    codec = AvroCodec(settings.registry_url)
    handler = build_handler(name, settings, codec)
    serve_metrics(metrics_port(settings, name, instance))
    config = RuntimeConfig(
        bootstrap_servers=settings.bootstrap_servers,
        processor=name,
        instance=instance,
        batch_size=settings.batch_size,
        commit_interval_s=settings.commit_interval_ms / 1000,
        transaction_timeout_ms=settings.transaction_timeout_ms,
        max_poll_interval_ms=settings.max_poll_interval_ms,
        retry_topics=True,
        in_place_attempts=settings.retry_in_place_attempts,
        in_place_retry_budget_s=settings.retry_in_place_budget_ms / 1000,
    )
    producer, consumer = make_producer(config), make_consumer(config, handler.assignment_strategy)
    crash = CrashPoints(settings.crash_at, settings.crash_after)
    return EosLoop(handler, config, codec, producer, consumer, crash).run()
