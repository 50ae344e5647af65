"""The drills' faults and the records' retry hops, shaped for the dashboard (API.md `faults`, `/api/faults`).

Pure: the feed hands records in, nothing here talks to Kafka. A record on `chaos.faults`
(tools/chaos/faultlog.py) is one moment; the dashboard wants spans - a fault from its injection to its
healing, to shade on a chart - and drills - from drill-started to drill-ended - so a banner can say what is
broken right now. Retry hops are the records a processor wrote to its retry topics and DLQ for one order.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from typing import Any

from processors.runtime import retry

FAULTS_TOPIC = "chaos.faults"
DRILL_PHASES = ("drill-started", "drill-ended")
FAULT_PHASES = ("injected", "observed", "healed")
# FaultLog.instant() publishes the injection and nothing else: such a fault ends where it starts.
INSTANT_KINDS = frozenset({"poison"})
# A drill that never said drill-ended (its process was killed) stops counting as running after this long.
MAX_DRILL_MS = 60 * 60 * 1000
TEXT_LIMIT = 500


class BadFault(ValueError):
    """A record on chaos.faults that is not a fault record: the feed skips it."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:TEXT_LIMIT]


def parse_fault(value: bytes | None, key: bytes | None, timestamp_ms: int) -> dict[str, Any]:
    """One `chaos.faults` record, checked and normalised; raises BadFault for anything else.

    ``at_ms`` falls back to the record's timestamp and ``drill_id`` to its key: both are set by the same
    FaultLog, so a record missing one is still placed correctly."""
    if not value:
        raise BadFault("valor vazio / empty value")
    try:
        body = json.loads(value.decode("utf-8"))  # FaultLog writes UTF-8; json would guess UTF-16 from a NUL
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        raise BadFault(f"não é JSON / not JSON: {error}") from error
    if not isinstance(body, dict):
        raise BadFault("não é um objeto JSON / not a JSON object")
    phase = body.get("phase")
    if phase not in DRILL_PHASES + FAULT_PHASES:
        raise BadFault(f"fase desconhecida / unknown phase: {phase!r}")
    drill_id = body.get("drill_id") or (key.decode(errors="replace") if key else None)
    if not isinstance(drill_id, str) or not drill_id:
        raise BadFault("sem drill_id / no drill_id")
    fault_id = body.get("fault_id")
    if phase in FAULT_PHASES and not _is_int(fault_id):
        raise BadFault(f"{phase} sem fault_id inteiro / without an integer fault_id")
    at_ms = body.get("at_ms")
    t_s = body.get("t_s")
    return {
        "drill_id": drill_id,
        "scenario": _text(body.get("scenario")),
        "phase": phase,
        "fault_id": fault_id if phase in FAULT_PHASES else None,
        "kind": _text(body.get("kind")),
        "target": _text(body.get("target")),
        "detail": _text(body.get("detail")),
        "injected": body.get("injected") is not False and phase != "observed",
        "at_ms": at_ms if _is_int(at_ms) else timestamp_ms,
        "t_s": float(t_s) if isinstance(t_s, int | float) and not isinstance(t_s, bool) else None,
    }


def span_id(drill_id: str, fault_id: int) -> str:
    return f"{drill_id}/{fault_id}"


def overlaps(
    start_ms: int, end_ms: int | None, since_ms: int | None, until_ms: int | None, now_ms: int
) -> bool:
    """Whether [start, end] meets [since, until]; an open span lasts until now."""
    end = now_ms if end_ms is None else end_ms
    return (since_ms is None or end >= since_ms) and (until_ms is None or start_ms <= until_ms)


class FaultBook:
    """Drills and fault spans built from the records, oldest first; bounded.

    Keeps every span that ended less than ``window_ms`` ago, at least the last ``keep`` spans whatever their
    age, and never more than ``max_spans``. ``version`` changes whenever what a snapshot shows changes, so
    the feed sends the `faults` message only then."""

    def __init__(
        self, keep: int = 300, window_ms: int = 10 * 60 * 1000, max_drills: int = 20, max_spans: int = 5000
    ) -> None:
        self.keep, self.window_ms, self.max_drills, self.max_spans = keep, window_ms, max_drills, max_spans
        self._drills: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._spans: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.version = 0

    def add(self, record: dict[str, Any]) -> None:
        """A record from parse_fault, in the topic's order (one partition: the order they were written)."""
        drill = self._drill_of(record)
        phase, at_ms = record["phase"], record["at_ms"]
        if phase == "drill-started":
            drill["started_ms"], drill["detail"] = at_ms, record["detail"]
            # Drills run one at a time: a new one means an older one still "running" died without a word.
            for other in self._drills.values():
                if other is not drill and other["status"] == "running":
                    self._finish(other, "abandoned", at_ms, "drill-lost")
        elif phase == "drill-ended":
            drill["verdict"] = record["detail"]
            self._finish(drill, "ended", at_ms, "drill-ended")
        elif phase == "healed":
            span = self._spans.get(span_id(record["drill_id"], record["fault_id"]))
            if span is None:
                return  # its injection is older than what the feed read: no start to draw from
            span.update(end_ms=at_ms, end_t_s=record["t_s"], ended_by="healed")
            span["detail"] = record["detail"] or span["detail"]  # healing appends how it ended
        else:
            self._start_span(drill, record)
        self.version += 1
        while len(self._spans) > self.max_spans:
            self._spans.popitem(last=False)

    def _drill_of(self, record: dict[str, Any]) -> dict[str, Any]:
        drill = self._drills.get(record["drill_id"])
        if drill is None:
            # Its drill-started may be older than what the feed read: t_s counts from the drill's start.
            t_s = record["t_s"] or 0.0
            drill = {
                "drill_id": record["drill_id"],
                "scenario": record["scenario"],
                "status": "running",
                "started_ms": record["at_ms"] - int(t_s * 1000),
                "ended_ms": None,
                "detail": None,
                "verdict": None,
                "last_ms": record["at_ms"],
            }
            self._drills[record["drill_id"]] = drill
        drill["scenario"] = drill["scenario"] or record["scenario"]
        drill["last_ms"] = max(drill["last_ms"], record["at_ms"])
        return drill

    def _start_span(self, drill: dict[str, Any], record: dict[str, Any]) -> None:
        instant = record["kind"] in INSTANT_KINDS
        at_ms = record["at_ms"]
        self._spans[span_id(record["drill_id"], record["fault_id"])] = {
            "id": span_id(record["drill_id"], record["fault_id"]),
            "drill_id": record["drill_id"],
            "scenario": drill["scenario"],
            "fault_id": record["fault_id"],
            "kind": record["kind"],
            "target": record["target"],
            "detail": record["detail"],
            "injected": record["injected"],
            "start_ms": at_ms,
            "end_ms": at_ms if instant else None,
            "start_t_s": record["t_s"],
            "end_t_s": record["t_s"] if instant else None,
            "ended_by": "instant" if instant else None,
        }
        if drill["status"] != "running":  # a late record of a drill already over is over too
            self._close_open(drill["drill_id"], drill["ended_ms"] or at_ms, "drill-lost")

    def _finish(self, drill: dict[str, Any], status: str, at_ms: int, ended_by: str) -> None:
        drill["status"], drill["ended_ms"] = status, at_ms
        self._close_open(drill["drill_id"], at_ms, ended_by)

    def _close_open(self, drill_id: str, at_ms: int, ended_by: str) -> None:
        for span in self._spans.values():
            if span["drill_id"] == drill_id and span["end_ms"] is None:
                span.update(end_ms=max(at_ms, span["start_ms"]), ended_by=ended_by)

    def settle(self, now_ms: int) -> None:
        """Time passing: drills that never ended give up, old spans and drills leave."""
        for drill in self._drills.values():
            if drill["status"] == "running" and now_ms - drill["started_ms"] > MAX_DRILL_MS:
                self._finish(drill, "abandoned", drill["last_ms"], "drill-lost")
                self.version += 1
        cutoff = now_ms - self.window_ms
        while len(self._spans) > self.keep:
            oldest = next(iter(self._spans.values()))
            if oldest["end_ms"] is None or oldest["end_ms"] >= cutoff:
                break
            self._spans.popitem(last=False)
        referenced = {s["drill_id"] for s in self._spans.values()}
        while len(self._drills) > self.max_drills:
            drill_id, oldest_drill = next(iter(self._drills.items()))
            if drill_id in referenced or oldest_drill["status"] == "running":
                break
            self._drills.popitem(last=False)

    def snapshot(
        self, now_ms: int, since_ms: int | None = None, until_ms: int | None = None
    ) -> dict[str, Any]:
        """Drills and spans that overlap [since, until] (open ones last until now), oldest first."""
        self.settle(now_ms)
        faults = [
            dict(s)
            for s in self._spans.values()
            if overlaps(s["start_ms"], s["end_ms"], since_ms, until_ms, now_ms)
        ]
        counts = Counter(s["drill_id"] for s in self._spans.values())
        still_open = Counter(s["drill_id"] for s in self._spans.values() if s["end_ms"] is None)
        drills = [
            {**d, "faults": counts[d["drill_id"]], "active": still_open[d["drill_id"]]}
            for d in self._drills.values()
            if overlaps(d["started_ms"], d["ended_ms"], since_ms, until_ms, now_ms)
        ]
        return {"at": now_ms, "drills": drills, "faults": faults}


def _headers(headers: Iterable[tuple[str, bytes | str | None]] | None) -> dict[str, str]:
    """Header values as text; the first of a name wins (a dead letter's own come before the original's)."""
    found: dict[str, str] = {}
    for name, value in headers or []:
        if value is not None and name not in found:
            found[name] = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return found


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def retry_hop(
    topic: str,
    partition: int,
    offset: int,
    timestamp_ms: int,
    key: bytes | None,
    headers: Iterable[tuple[str, bytes | str | None]] | None,
    processor: str | None = None,
) -> dict[str, Any] | None:
    """One step of a failing record: to a retry topic (attempt, error, when it is due) or to the DLQ.
    None for a record of any other topic."""
    delay_s = retry.delay_of(topic)
    if delay_s is None and not topic.endswith(".dlq"):
        return None  # the order flow itself: the feed asks for every record, so answer before any work
    found = _headers(headers)
    if delay_s is not None:
        prefix, attempt, error_class, error = "retry.origin", retry.ATTEMPT, retry.ERROR_CLASS, retry.ERROR
        stage, due_ms = "retry", timestamp_ms + int(delay_s * 1000)
    else:
        prefix, attempt, error_class, error = "dlq.origin", "dlq.attempt", "dlq.reason", "dlq.detail"
        stage, due_ms = "dlq", None
        processor = found.get("dlq.processor") or processor
    origin_topic = found.get(f"{prefix}.topic")
    return {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "order_id": key.decode(errors="replace") if key else None,
        "timestamp": timestamp_ms,
        "stage": stage,
        "delay_s": delay_s,
        "due_ms": due_ms,
        "attempt": _int(found.get(attempt)),
        "error_class": found.get(error_class),
        "error": _text(found.get(error)),
        "origin": None
        if origin_topic is None
        else {
            "topic": origin_topic,
            "partition": _int(found.get(f"{prefix}.partition")),
            "offset": _int(found.get(f"{prefix}.offset")),
        },
        "processor": processor,
    }


class RetryBook:
    """The retry and DLQ hops of the most recent orders (and the newest hops overall), bounded."""

    def __init__(self, max_orders: int = 5000, per_order: int = 20, recent: int = 200) -> None:
        self.max_orders, self.per_order = max_orders, per_order
        self._by_order: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._recent: deque[dict[str, Any]] = deque(maxlen=recent)

    def add(self, hop: dict[str, Any]) -> None:
        self._recent.append(hop)
        order_id = hop["order_id"]
        if not order_id:
            return
        hops = self._by_order.setdefault(order_id, [])
        self._by_order.move_to_end(order_id)
        hops.append(hop)
        del hops[: -self.per_order]
        while len(self._by_order) > self.max_orders:
            self._by_order.popitem(last=False)

    def for_order(self, order_id: str) -> list[dict[str, Any]]:
        return sorted(self._by_order.get(order_id, []), key=lambda h: (h["timestamp"], h["offset"]))

    def newest(self, limit: int) -> list[dict[str, Any]]:
        return list(self._recent)[-limit:] if limit > 0 else []
