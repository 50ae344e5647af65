"""Every fault a drill injects, kept for its report and published on `chaos.faults` for the dashboard.

One JSON record per event, key = the drill's id, value (UTF-8 JSON):

    {"drill_id": "zombie-20261123T151700Z", "scenario": "zombie", "phase": "injected", "fault_id": 1,
     "kind": "sigstop", "target": "payment-0", "detail": "...", "injected": true,
     "at_ms": 1795446816013, "t_s": 12.3}

``phase`` is ``drill-started`` / ``drill-ended`` (fault fields null; ``detail`` says rate and duration,
then the audit's verdict), ``injected`` (a fault begins), ``healed`` (its cause removed: ``t_s`` is its
end) or ``observed`` (something the drill saw, e.g. a processor that exited by itself). ``at_ms`` is epoch
milliseconds, ``t_s`` seconds since the drill's load started.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import Producer

from tools.chaos.analysis import Fault

TOPIC = "chaos.faults"
log = logging.getLogger("pedidos.drills")


class FaultLog:
    def __init__(
        self, bootstrap_servers: str, drill_id: str, scenario: str, clock: Callable[[], float]
    ) -> None:
        self.drill_id, self.scenario, self.clock = drill_id, scenario, clock
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.undelivered = 0
        # Idempotent and acks=all like the gateway; a broker that is down (broker-bounce) only delays the
        # record: it is delivered once the broker is back, within the default five-minute message timeout.
        self.producer = Producer(
            {"bootstrap.servers": bootstrap_servers, "enable.idempotence": True, "linger.ms": 5}
        )

    def drill_event(self, phase: str, detail: str) -> None:
        self._publish({"phase": phase, "fault_id": None, "kind": None, "target": None, "detail": detail})

    def start(self, kind: str, target: str, detail: str, injected: bool = True) -> Fault:
        with self.lock:
            fault = Fault(
                len(self.faults) + 1, kind, target, detail, round(self.clock(), 1), injected=injected
            )
            self.faults.append(fault)
        self._publish(self._body(fault, "injected" if injected else "observed"))
        return fault

    def end(self, fault: Fault, detail: str | None = None) -> None:
        fault.end_s = round(self.clock(), 1)
        if detail:
            fault.detail = f"{fault.detail}; {detail}"
        self._publish(self._body(fault, "healed"))

    def instant(self, kind: str, target: str, detail: str) -> Fault:
        fault = self.start(kind, target, detail)
        fault.end_s = fault.start_s
        return fault

    def _body(self, fault: Fault, phase: str) -> dict[str, Any]:
        return {
            "phase": phase,
            "fault_id": fault.id,
            "kind": fault.kind,
            "target": fault.target,
            "detail": fault.detail,
            "injected": fault.injected,
        }

    def _publish(self, body: dict[str, Any]) -> None:
        record = {
            "drill_id": self.drill_id,
            "scenario": self.scenario,
            **body,
            "at_ms": int(time.time() * 1000),
            "t_s": round(self.clock(), 1),
        }
        try:
            self.producer.produce(
                TOPIC,
                key=self.drill_id.encode(),
                value=json.dumps(record, ensure_ascii=False).encode(),
                on_delivery=self._delivered,
            )
        except BufferError:
            self.undelivered += 1
        self.producer.poll(0)

    def _delivered(self, error: object, _message: object) -> None:
        if error is not None:
            self.undelivered += 1
            log.warning("fault record not delivered", extra={"error": str(error)})

    def close(self, timeout_s: float = 30) -> int:
        """Deliver what is left; returns how many fault records never reached the topic."""
        left = self.producer.flush(timeout_s)
        return self.undelivered + left
