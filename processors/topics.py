"""Every topic of the system, declared once: provisioning creates them, processors and tools name them.

Replication and min ISR are declared for the three-node cluster and capped to the cluster's size when
provisioned (a single node gets 1 and 1), so one table serves both clusters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from processors.runtime.retry import RETRY_DELAYS_S

DAY_MS = 24 * 60 * 60 * 1000
ORDER_FLOW_PARTITIONS = 6  # key = order id everywhere, so an order's events share one partition of each


@dataclass(frozen=True)
class TopicSpec:
    name: str
    description: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    partitions: int = ORDER_FLOW_PARTITIONS
    cleanup_policy: str = "delete"
    retention_ms: int = 7 * DAY_MS
    replication: int = 3
    min_insync_replicas: int = 2
    avro_value: bool = True  # value registered as subject `<name>-value`; retry/DLQ topics carry raw bytes
    extra_config: dict[str, str] = field(default_factory=dict)

    def effective_replication(self, brokers: int) -> int:
        return min(self.replication, brokers)

    def effective_min_isr(self, brokers: int) -> int:
        return min(self.min_insync_replicas, self.effective_replication(brokers))

    def config(self, brokers: int) -> dict[str, str]:
        """The topic-level settings provisioning sets and verifies."""
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(self.retention_ms),
            "min.insync.replicas": str(self.effective_min_isr(brokers)),
            **self.extra_config,
        }


def _compacted(
    name: str, description: str, producers: tuple[str, ...], consumers: tuple[str, ...], partitions: int
) -> TopicSpec:
    return TopicSpec(
        name,
        description,
        producers,
        consumers,
        partitions=partitions,
        cleanup_policy="compact",
        retention_ms=-1,
        extra_config={"min.cleanable.dirty.ratio": "0.1"},
    )


def _retry_and_dlq(service: str, processor: str) -> list[TopicSpec]:
    # Retry topics keep the order flow's partition count: a retried record, keyed by order id, lands on the
    # same partition number as its origin, so co-partitioned saga instances keep owning their orders.
    return [
        *(
            TopicSpec(
                f"{service}.retry.{delay}s",
                f"Retentativa após {delay} s ({processor})",
                (processor,),
                (processor,),
                retention_ms=DAY_MS,
                avro_value=False,
            )
            for delay in RETRY_DELAYS_S
        ),
        TopicSpec(
            f"{service}.dlq",
            f"Dead letters de {processor}: o registro original e o motivo nos headers",
            (processor,),
            ("dlq-tools",),
            partitions=1,
            retention_ms=30 * DAY_MS,
            avro_value=False,
        ),
    ]


TELEMETRY = "telemetry"
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        "orders.new",
        "Checkout aceito pelo gateway",
        ("gateway",),
        ("payment", "orchestrator", TELEMETRY, "projector"),
    ),
    TopicSpec("payments.requested", "Pagamento solicitado", ("payment",), (TELEMETRY,)),
    TopicSpec(
        "payments.confirmed", "Pagamento aprovado", ("payment",), ("orchestrator", "inventory", TELEMETRY)
    ),
    TopicSpec("payments.failed", "Pagamento recusado", ("payment",), ("orchestrator", TELEMETRY)),
    TopicSpec("payments.refund-requested", "Compensação: estorno pedido", ("orchestrator",), ("payment",)),
    TopicSpec("payments.refunded", "Compensação: estorno feito", ("payment",), ("orchestrator", TELEMETRY)),
    TopicSpec(
        "inventory.reserved",
        "Estoque reservado (schema v1 -> v2)",
        ("inventory",),
        ("orchestrator", TELEMETRY),
    ),
    TopicSpec(
        "inventory.failed",
        "Estoque insuficiente",
        ("inventory",),
        ("orchestrator", TELEMETRY),
    ),
    TopicSpec(
        "inventory.release-requested", "Compensação: liberar reserva", ("orchestrator",), ("inventory",)
    ),
    TopicSpec(
        "inventory.released", "Compensação: reserva liberada", ("inventory",), ("orchestrator", TELEMETRY)
    ),
    TopicSpec(
        "orders.confirmed",
        "Pedido confirmado (evento terminal)",
        ("orchestrator",),
        ("notification", "shipping", TELEMETRY),
    ),
    TopicSpec(
        "orders.cancelled",
        "Pedido cancelado (evento terminal)",
        ("orchestrator",),
        ("notification", TELEMETRY),
    ),
    TopicSpec("notifications.events", "Notificação enviada ao cliente", ("notification",), (TELEMETRY,)),
    _compacted(
        "saga.state",
        "Estado da saga por pedido, na mesma transação",
        ("orchestrator",),
        ("orchestrator",),
        partitions=ORDER_FLOW_PARTITIONS,
    ),
    _compacted("customers", "Tabela de clientes (compactada)", ("seed",), ("enrichment",), partitions=3),
    _compacted("products", "Tabela de produtos (compactada)", ("seed",), ("enrichment",), partitions=3),
    *_retry_and_dlq("orders", "orchestrator"),
    *_retry_and_dlq("payments", "payment"),
    *_retry_and_dlq("inventory", "inventory"),
    *_retry_and_dlq("notifications", "notification"),
    TopicSpec(
        "dlq.replays",
        "Replays da DLQ (`pedidos dlq replay`): um registro por original reenviado, na mesma transação",
        ("dlq-tools",),
        ("dlq-tools", "audit"),
        partitions=1,
        cleanup_policy="compact",  # one record per original (its key), kept for good
        retention_ms=-1,
        avro_value=False,
    ),
    TopicSpec(
        "chaos.faults",
        "Falhas injetadas pelos drills (`pedidos chaos <cenário>`), em JSON: marcas no painel",
        ("chaos",),
        (TELEMETRY,),
        partitions=1,  # one timeline: the dashboard reads the faults in the order they were injected
        avro_value=False,
    ),
)

TOPICS_BY_NAME = {topic.name: topic for topic in TOPICS}


def value_subject(topic: str) -> str:
    """TopicNameStrategy, as confluent-kafka's serializers use by default."""
    return f"{topic}-value"
