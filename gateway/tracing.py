"""Correlation id and W3C trace context for a request: pure functions over header values.

The correlation id follows an order from the checkout to its notification (event envelope and
``correlation-id`` header). The ``traceparent`` header (W3C Trace Context) continues the caller's trace when
it sent one, else starts a new trace.
"""

from __future__ import annotations

import re
import secrets
import uuid

from gateway.pricing import FieldError, InvalidOrder

_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TRACEPARENT = re.compile(r"^00-(?P<trace>[0-9a-f]{32})-(?P<span>[0-9a-f]{16})-(?P<flags>[0-9a-f]{2})$")


def correlation_id_from(raw: str | None) -> str:
    """The caller's X-Correlation-Id when present (validated), else a new UUID."""
    if raw is None or raw == "":
        return str(uuid.uuid4())
    if not _CORRELATION.match(raw):
        raise InvalidOrder(
            [
                FieldError(
                    "X-Correlation-Id",
                    "use até 128 caracteres entre letras, dígitos e . _ : - / "
                    "use up to 128 letters, digits and . _ : -",
                )
            ]
        )
    return raw


def child_traceparent(raw: str | None) -> str:
    """A traceparent for the event: same trace id as the caller's (if valid), a new span id."""
    match = _TRACEPARENT.match(raw or "")
    if match and match["trace"] != "0" * 32:
        trace_id, flags = match["trace"], match["flags"]
    else:
        trace_id, flags = secrets.token_hex(16), "01"
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"
