"""errors.classify on real client errors: fatal and fenced crash, abortable aborts, retriable retries."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException

from processors.runtime.errors import Action, classify, kafka_error
from tests.unit.processors.runtime.fakes import kafka_exception

FENCED_CODES = [KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH]


@pytest.mark.parametrize(
    "flags",
    [
        {"fatal": True},
        # Fatal wins over every other flag: the producer instance is unusable, nothing may be retried.
        {"fatal": True, "retriable": True},
        {"fatal": True, "txn_requires_abort": True},
    ],
)
def test_a_fatal_error_crashes(flags):
    assert classify(kafka_exception(KafkaError._FATAL, **flags)) is Action.CRASH


@pytest.mark.parametrize("code", FENCED_CODES)
@pytest.mark.parametrize("flags", [{}, {"retriable": True}, {"txn_requires_abort": True}])
def test_fenced_codes_crash_even_when_flagged_retriable_or_abortable(code, flags):
    # A newer instance owns our transactional.id: retrying or aborting would only touch its epoch.
    assert classify(kafka_exception(code, **flags)) is Action.CRASH


@pytest.mark.parametrize(
    "code", [KafkaError.ILLEGAL_GENERATION, KafkaError.UNKNOWN_MEMBER_ID, KafkaError._STATE]
)
def test_an_abortable_error_aborts(code):
    assert classify(kafka_exception(code, txn_requires_abort=True)) is Action.ABORT


def test_abort_wins_over_retry_when_both_flags_are_set():
    # The transaction is doomed either way: calling the same function again cannot save it.
    error = kafka_exception(KafkaError.TRANSACTION_ABORTABLE, txn_requires_abort=True, retriable=True)
    assert classify(error) is Action.ABORT


@pytest.mark.parametrize(
    "code", [KafkaError._TIMED_OUT, KafkaError.COORDINATOR_NOT_AVAILABLE, KafkaError.CONCURRENT_TRANSACTIONS]
)
def test_a_retriable_error_retries(code):
    assert classify(kafka_exception(code, retriable=True)) is Action.RETRY


@pytest.mark.parametrize("code", [KafkaError._TIMED_OUT, KafkaError._STATE, KafkaError.UNKNOWN])
def test_an_error_without_any_flag_crashes(code):
    # The flags decide, not the code: librdkafka's advice is to treat an unclassified error as fatal.
    assert classify(kafka_exception(code)) is Action.CRASH


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("not kafka"),
        ConnectionError("database went away"),
        KafkaException(),
        KafkaException("a bare string, no KafkaError"),
        BufferError("queue full"),
    ],
    ids=["ValueError", "ConnectionError", "empty-KafkaException", "string-KafkaException", "BufferError"],
)
def test_anything_that_is_not_a_kafka_error_crashes(exc):
    assert kafka_error(exc) is None
    assert classify(exc) is Action.CRASH


def test_kafka_error_unwraps_the_client_error():
    error = KafkaError(KafkaError._TIMED_OUT, "slow", retriable=True)
    assert kafka_error(KafkaException(error)) is error
