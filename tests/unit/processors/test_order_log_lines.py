"""Each step of the saga leaves a line with the order's id and correlation id (docs/logs.md §3), the lines
`pedidos stack logs --order` follows."""

from __future__ import annotations

import logging

import pytest

from processors.orchestrator.handler import OrchestratorHandler
from processors.orchestrator.saga import Deadlines
from processors.payment import handler as payment
from processors.payment.simulation import PaymentSimulation
from tests.unit.test_dlq_processors import input_record, placed


def _order_lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and getattr(r, "order_id", None) == "o-1"]


def test_payment_logs_its_decision_for_the_order(monkeypatch, caplog):
    monkeypatch.setattr(payment, "claim_event", lambda db, consumer, record: True)
    handler = payment.PaymentHandler(PaymentSimulation(0.0, 0.0), db=None)

    with caplog.at_level(logging.INFO):
        handler.handle(input_record(placed()))

    [line] = _order_lines(caplog, "pedidos.payment")
    assert line.getMessage() == "pagamento aprovado / payment approved"
    assert (line.correlation_id, line.topic, line.offset, line.amount) == ("c-1", "orders.new", 40, "10.00")


def test_the_orchestrator_logs_each_saga_step_of_the_order(caplog):
    handler = OrchestratorHandler(Deadlines())

    with caplog.at_level(logging.INFO):
        handler.handle(input_record(placed()))

    [line] = _order_lines(caplog, "pedidos.orchestrator")
    assert line.getMessage() == "saga - -> payment_pending"
    assert (line.correlation_id, line.event_type) == ("c-1", "OrderPlaced")
