"""Idempotent checkout, the pure part: order ids, request fingerprints and the replay decision.

The Kafka idempotent producer removes duplicates of its own retries within one producer session only. A
client that repeats a POST (timeout, retry button), or a gateway that restarts between two attempts, is
covered by the ``Idempotency-Key`` header instead: the order id is derived from the key, the key is stored in
PostgreSQL before producing, and the row records whether the broker acknowledged the event.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from enum import Enum

from gateway.pricing import CheckoutRequest, FieldError, InvalidOrder

ORDER_NAMESPACE = uuid.UUID("2d0b7c3e-8f5a-4e61-9b1d-7a4c2e9f3b18")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces: what a header can carry safely


class Outcome(Enum):
    PRODUCE = "produce"  # new key, or an earlier attempt never got the broker's ack
    REPLAY = "replay"  # acknowledged before: answer with the same order id, produce nothing
    CONFLICT = "conflict"  # same key, different body: a client bug, not a retry


def check_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not _KEY.match(raw):
        raise InvalidOrder(
            [
                FieldError(
                    "Idempotency-Key",
                    "deve ter de 1 a 255 caracteres ASCII visíveis / "
                    "must be 1 to 255 visible ASCII characters",
                )
            ]
        )
    return raw


def order_id_for(idempotency_key: str | None) -> str:
    """Same key, same order id, on every gateway and after restarts; no key, a fresh one."""
    if idempotency_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(ORDER_NAMESPACE, idempotency_key))


def request_hash(request: CheckoutRequest) -> str:
    """Fingerprint of the validated request: key order and whitespace of the JSON do not matter."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def decide(stored_hash: str, acknowledged: bool, incoming_hash: str) -> Outcome:
    if stored_hash != incoming_hash:
        return Outcome.CONFLICT
    return Outcome.REPLAY if acknowledged else Outcome.PRODUCE
