"""What to do about a Kafka error inside a transaction: retry the call, abort and rewind, or die.

The rules are librdkafka's transactional API contract (docs/failures.md §2, docs/architecture.md §5.2):
- fatal (``err.fatal()``, fenced by a newer instance with our transactional.id): crash at once, touch nothing;
- abortable (``err.txn_requires_abort()``): abort, seek back to the committed offsets, process again;
- retriable (``err.retriable()``): call the same function again, with the same arguments;
- anything unclassified is treated as fatal: a restart with the same transactional.id resolves it safely.
"""

from __future__ import annotations

import enum
import logging
import os

from confluent_kafka import KafkaError, KafkaException

log = logging.getLogger("pedidos.runtime")


class Action(enum.Enum):
    RETRY = "retry"
    ABORT = "abort"
    CRASH = "crash"


_FENCED = {KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH}


def kafka_error(exc: BaseException) -> KafkaError | None:
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return exc.args[0]
    return None


def classify(exc: BaseException) -> Action:
    err = kafka_error(exc)
    if err is None:
        return Action.CRASH
    if err.fatal() or err.code() in _FENCED:
        return Action.CRASH
    if err.txn_requires_abort():
        return Action.ABORT
    if err.retriable():
        return Action.RETRY
    return Action.CRASH


class AbortTransaction(Exception):
    """Raised inside the loop to take the abort path with a reason (its text up to the first ':' is the
    ``reason`` label of pedidos_transactions_aborted_total)."""


def exit_for_restart(reason: str) -> None:
    """Exit at once, touching nothing: the supervisor restarts us, and ``init_transactions()`` with the same
    transactional.id then fences what we left behind and aborts whatever transaction was open."""
    log.critical("fatal: exiting for a restart with the same transactional.id", extra={"reason": reason})
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(1)
