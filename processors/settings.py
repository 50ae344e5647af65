"""One settings object for every process, read from ``PEDIDOS_*`` environment variables.

Every port, path and address lives here with its default; nothing else in the code hard-codes one.
`pedidos config` prints them all, with the environment variable that overrides each.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


KAFKA_BROKERS_FILE = "kafka-brokers"


def recorded_kafka_brokers(state_dir: Path) -> int:
    """The cluster size `pedidos stack up` last started in this state dir, so later commands need no flag."""
    try:
        return int((state_dir / KAFKA_BROKERS_FILE).read_text().strip())
    except (OSError, ValueError):
        return 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEDIDOS_", frozen=True)

    state_dir: Path = Field(PROJECT_ROOT / ".state", description="Data, logs and pid files (git-ignored)")
    dist_dir: Path = Field(PROJECT_ROOT / ".state" / "dist", description="Kafka and Apicurio binaries")
    reports_dir: Path | None = Field(
        None, description="Benchmark/lab/drill results the dashboard lists; unset: <state_dir>/reports"
    )
    host: str = Field("127.0.0.1", description="Loopback address every component listens on")
    # Natively every component is on `host`; in compose/ each is a container of its own, reached by its name.
    kafka_host: str | None = Field(None, description="Host the clients reach the brokers at; unset: host")
    registry_host: str | None = Field(None, description="Host the clients reach the registry at; unset: host")
    postgres_host: str | None = Field(None, description="Host the clients reach PostgreSQL at; unset: host")
    prometheus_host: str | None = Field(
        None, description="Host the gateway reaches Prometheus at; unset: host"
    )

    kafka_port: int = Field(
        9092, description="Kafka client listener of broker 1 (broker n uses port + n - 1)"
    )
    kafka_controller_port: int = Field(9192, description="KRaft controller listener of broker 1 (+ n - 1)")
    kafka_brokers: int = Field(
        default_factory=lambda data: recorded_kafka_brokers(data.get("state_dir", PROJECT_ROOT / ".state")),
        ge=1,
        le=3,
        validate_default=True,
        description="KRaft nodes; default: the size `pedidos stack up --brokers N` last started here, else 1",
    )
    kafka_heap: str = Field("512m", description="JVM heap of each Kafka node")

    registry_port: int = Field(8081, description="Apicurio Registry HTTP port")
    registry_management_port: int = Field(8091, description="Apicurio management interface (metrics, health)")
    registry_heap: str = Field("384m", description="JVM heap of the registry")

    postgres_port: int = Field(5433, description="Project-local PostgreSQL cluster port")
    postgres_user: str = Field("pedidos", description="Application database role")
    postgres_password: str = Field("pedidos", description="Application database password")
    postgres_db: str = Field("pedidos", description="Application database")
    registry_db: str = Field("registry", description="Database holding the registry's schemas")

    lab_kafka_port: int = Field(
        19392, description="`pedidos lab acks`: client port of its throwaway node 1 (node n: + n - 1)"
    )
    lab_kafka_controller_port: int = Field(
        19492, description="`pedidos lab acks`: KRaft controller port of its node 1 (node n: + n - 1)"
    )
    lab_kafka_heap: str = Field("384m", description="`pedidos lab acks`: JVM heap of each of its 3 nodes")
    lab_broker_session_timeout_ms: int = Field(
        9000, ge=1000, description="`pedidos lab acks`: a silent broker is fenced after this (Kafka default)"
    )
    lab_message_timeout_ms: int = Field(
        30_000, ge=1000, description="`pedidos lab acks`: producer gives up on a record after this (ms)"
    )

    startup_timeout_s: float = Field(120.0, description="Deadline for each component to become healthy")

    batch_size: int = Field(500, ge=1, description="Records per processor transaction, at most")
    commit_interval_ms: int = Field(100, ge=1, description="A processor commits at least this often (ms)")
    transaction_timeout_ms: int = Field(20_000, description="Kafka transaction timeout of the processors")
    max_poll_interval_ms: int = Field(
        300_000, ge=10_000, description="A processor polling less often than this leaves its consumer group"
    )
    retry_in_place_attempts: int = Field(
        3, ge=1, description="Handler calls per record before a transient failure goes to a retry topic"
    )
    retry_in_place_budget_ms: int = Field(
        2000, ge=0, description="In-place retry time per transaction, then failures go to retry topics"
    )
    db_lock_timeout_ms: int = Field(
        5000, ge=1, description="A processor's record waits this long for a row another instance holds"
    )
    db_idle_in_transaction_ms: int = Field(
        20_000,
        ge=1000,
        description="PostgreSQL ends a processor session idle this long in a transaction (a frozen zombie)",
    )
    metrics_base_port: int = Field(
        9400,
        description="Metrics port of payment-0; the other processors, projector, supervisor follow",
    )

    prometheus_port: int = Field(9090, description="Prometheus (Debian package) HTTP port")
    prometheus_retention: str = Field(
        "7d", description="How long Prometheus keeps samples (its TSDB, .state)"
    )
    prometheus_scrape_interval_s: int = Field(
        5, ge=1, description="Prometheus scrapes every target this often"
    )
    alertmanager_port: int = Field(
        9095,
        description="Alertmanager HTTP port (9093/9094 belong to a 3-node Kafka cluster's nodes 2 and 3)",
    )
    alert_for: str | None = Field(
        None,
        description="Overrides the `for:` of every alert rule (e.g. 10s for tests); unset: each rule's own",
    )
    postgres_exporter_port: int = Field(9187, description="prometheus-postgres-exporter HTTP port")
    kafka_metrics_port: int = Field(
        9380, description="JMX exporter agent of Kafka node 1 (node n: + n - 1), scraped by Prometheus"
    )
    crash_at: str | None = Field(None, description="Crash point for the kill demo (after-produce, ...)")
    crash_after: int = Field(1, ge=1, description="Crash at the N-th arrival at the crash point")
    payment_failure_probability: float = Field(0.1, ge=0, le=1, description="Share of payments declined")
    payment_latency_ms: float = Field(
        5.0, ge=0, description="Simulated payment provider latency (serial: it caps one instance's rate)"
    )
    saga_payment_timeout_s: float = Field(30.0, gt=0, description="Saga deadline for the payment step")
    saga_stock_timeout_s: float = Field(30.0, gt=0, description="Saga deadline for the stock step")

    gateway_port: int = Field(8000, description="Gateway HTTP port (gunicorn, gthread worker)")
    gateway_workers: int = Field(1, ge=1, description="Gateway worker processes (each has its own producer)")
    gateway_threads: int = Field(
        32, ge=1, description="Request threads per gateway worker (each open dashboard tab holds one)"
    )
    telemetry_topics: str = Field(
        "", description="Topics the dashboard follows (comma-separated); empty: flow, retries, DLQs, faults"
    )
    telemetry_queue_size: int = Field(
        5000, ge=10, description="Events queued per dashboard tab before the slow tab starts losing them"
    )
    gateway_ack_timeout_s: float = Field(
        5.0, gt=0, description="Checkout waits this long for the broker's ack before answering 503"
    )
    gateway_retry_after_s: int = Field(5, ge=1, description="Retry-After (seconds) sent with a 503")
    gateway_db_pool_size: int = Field(
        20, ge=1, description="PostgreSQL connections per gateway worker (>= threads)"
    )

    projector_group: str = Field("projector", description="Consumer group of the read-model projector")
    projector_batch_size: int = Field(500, ge=1, description="Records per projector database transaction")
    projector_poll_timeout_s: float = Field(0.5, gt=0, description="Projector poll wait per batch")

    @property
    def reports_path(self) -> Path:
        """Where `pedidos bench|load|lab|chaos` write their reports and the dashboard reads them."""
        return self.reports_dir or self.state_dir / "reports"

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(
            f"{self.kafka_host or self.host}:{self.kafka_port + i}" for i in range(self.kafka_brokers)
        )

    @property
    def registry_url(self) -> str:
        """Confluent-compatible API of Apicurio, what confluent-kafka's registry client talks to."""
        return f"http://{self.registry_host or self.host}:{self.registry_port}/apis/ccompat/v7"

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.prometheus_host or self.host}:{self.prometheus_port}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{self.host}:{self.alertmanager_port}"

    @property
    def database_url(self) -> str:
        return (
            f"postgresql://{self.postgres_user}:{self.postgres_password}"
            f"@{self.postgres_host or self.host}:{self.postgres_port}/{self.postgres_db}"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
