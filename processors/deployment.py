"""The processors as the rest of the system sees them: their names, the topics each consumes, their ports.

The gateway's dashboard and the tools need these without the composition root (processors/wiring.py), which
imports every handler and its database and Kafka collaborators.
"""

from __future__ import annotations

from processors.settings import Settings
from processors.topics import TOPICS

PROCESSORS = ("payment", "inventory", "orchestrator", "notification")
MAX_INSTANCES = 10  # each processor owns a block of ten metrics ports


def _inputs(processor: str) -> tuple[str, ...]:
    # The topic table names the consumers of every topic. Besides its inputs, it names a processor as the
    # consumer of its retry topics (raw bytes, subscribed by the runtime itself) and the orchestrator as the
    # reader of the compacted saga.state (restored at assignment, never consumed as input).
    return tuple(
        t.name for t in TOPICS if processor in t.consumers and t.avro_value and t.cleanup_policy == "delete"
    )


INPUT_TOPICS = {name: _inputs(name) for name in PROCESSORS}


# Processes that are not processors but expose metrics too, each on one port after the processors' blocks.
SERVICES_WITH_METRICS = ("projector", "supervisor")


def metrics_port(settings: Settings, name: str, instance: int = 0) -> int:
    """Metrics port of a processor instance, or of the projector or the supervisor (one instance each)."""
    if name in SERVICES_WITH_METRICS:
        return (
            settings.metrics_base_port + len(PROCESSORS) * MAX_INSTANCES + SERVICES_WITH_METRICS.index(name)
        )
    return settings.metrics_base_port + PROCESSORS.index(name) * MAX_INSTANCES + instance
