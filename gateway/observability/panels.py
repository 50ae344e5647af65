"""The Observability panels: one definition read by the dashboard's tab and by the Grafana generator.

Plain data, no I/O. The tab asks Prometheus for a panel by its id through ``gateway/observability/api.py``
(never for arbitrary PromQL); ``tools/observability/grafana.py`` writes the same panels as a Grafana board for
the compose stack, so the two cannot drift apart. Every expression names only raw metrics of docs/metrics.md
(no recording rule: Grafana in compose and a fresh native stack must both draw them from the first scrape).

``$service`` is the drill-down variable: a regex over the ``processor`` label, one service name or ``.*``
for all of them (Grafana's "All" value is the same ``.*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

SERVICE_VARIABLE = "$service"
ALL_SERVICES = ".*"
SERVICES = ("payment", "inventory", "orchestrator", "notification", "projector")

Unit = Literal["ops/s", "ops/min", "s", "records", "bytes/s", "%", "count"]
Kind = Literal["line", "area", "stat"]


class Text(NamedTuple):
    pt: str
    en: str


@dataclass(frozen=True)
class Query:
    expr: str
    legend: Text  # Grafana's legend format: {{label}} becomes the series' label value


@dataclass(frozen=True)
class Panel:
    id: str
    title: Text
    unit: Unit
    kind: Kind
    queries: tuple[Query, ...]
    explain: Text

    @property
    def per_service(self) -> bool:
        return any(SERVICE_VARIABLE in q.expr for q in self.queries)

    def exprs(self, service: str = ALL_SERVICES) -> list[str]:
        """The panel's PromQL with ``$service`` replaced (a service name or ``.*``)."""
        return [q.expr.replace(SERVICE_VARIABLE, service) for q in self.queries]


def _q(expr: str, pt: str, en: str | None = None) -> Query:
    return Query(expr, Text(pt, pt if en is None else en))


def _rate(metric: str, by: str, selector: str = "", window: str = "1m") -> str:
    return f"sum by ({by}) (rate({metric}{{{selector}}}[{window}]))"


def _quantile(q: float, histogram: str, by: str = "le", selector: str = "") -> str:
    return f"histogram_quantile({q}, sum by ({by}) (rate({histogram}_bucket{{{selector}}}[5m])))"


SVC = 'processor=~"$service"'
TERMINAL = "pedidos_order_checkout_to_terminal_seconds"
ACCEPTED = 'outcome="accepted"'
BROKER_REQUESTS = (
    'quantile="0.99", request=~"Produce|FetchConsumer|EndTxn|AddPartitionsToTxn|TxnOffsetCommit"'
)

PANELS: tuple[Panel, ...] = (
    Panel(
        "orders_per_minute",
        Text("Pedidos por minuto", "Orders per minute"),
        "ops/min",
        "line",
        (
            _q(
                f"{_rate('pedidos_gateway_checkouts_total', 'outcome', ACCEPTED)} * 60", "aceitos", "accepted"
            ),
            _q(f"{_rate(f'{TERMINAL}_count', 'outcome')} * 60", "{{outcome}}"),
        ),
        Text(
            "Pedidos aceitos pelo gateway (o Kafka confirmou o OrderPlaced) e pedidos que chegaram ao fim da "
            "saga, confirmados ou cancelados, por minuto. Em regime as linhas andam juntas; se os aceitos "
            "sobem e os terminais não, algum serviço está atrasado (veja o lag).",
            "Orders the gateway accepted (Kafka acknowledged the OrderPlaced) and orders that reached the "
            "end of the saga, confirmed or cancelled, per minute. In a steady state the lines move together; "
            "accepted going up while terminal does not means a service is falling behind (see the lag).",
        ),
    ),
    Panel(
        "success_rate",
        Text("Taxa de sucesso", "Success rate"),
        "%",
        "stat",
        (
            _q(
                f'100 * sum(rate({TERMINAL}_count{{outcome="confirmed"}}[5m]))'
                f" / sum(rate({TERMINAL}_count[5m]))",
                "confirmados",
                "confirmed",
            ),
        ),
        Text(
            "Dos pedidos que terminaram nos últimos 5 minutos, a parte confirmada. Cancelamentos vêm de "
            "pagamento recusado, falta de estoque ou prazo da saga esgotado; não são erros do sistema.",
            "Of the orders that ended in the last 5 minutes, the share confirmed. Cancellations come from "
            "refused payments, missing stock or a saga deadline; they are not system errors.",
        ),
    ),
    Panel(
        "lag_records",
        Text("Lag por grupo (registros)", "Lag per group (records)"),
        "records",
        "area",
        (_q(f"sum by (group) (pedidos_consumer_lag_records{{{SVC}}})", "{{group}}"),),
        Text(
            "Quantos registros cada grupo de consumidores ainda não leu: high watermark menos a posição, "
            "somado sobre as partições. Cresce quando o serviço é mais lento que a entrada ou está parado.",
            "How many records each consumer group has not read yet: high watermark minus position, summed "
            "over the partitions. It grows when the service is slower than its input or stopped.",
        ),
    ),
    Panel(
        "lag_seconds",
        Text("Lag por grupo (segundos)", "Lag per group (seconds)"),
        "s",
        "line",
        (_q(f"max by (group) (pedidos_consumer_lag_seconds{{{SVC}}})", "{{group}}"),),
        Text(
            "Há quanto tempo foi escrito o registro que o grupo está lendo agora (a pior partição); 0 quando "
            "está em dia. É o atraso que o cliente sente, mais fácil de comparar com um SLO.",
            "How long ago the record the group is reading now was written (worst partition); 0 when caught "
            "up. It is the delay a customer feels, easier to hold against an SLO.",
        ),
    ),
    Panel(
        "error_rate",
        Text("Erros por serviço", "Errors per service"),
        "ops/s",
        "line",
        (_q(_rate("pedidos_processor_errors_total", "processor, class", SVC), "{{processor}} {{class}}"),),
        Text(
            "Erros por segundo de cada processador, por classe (erro do handler, abortável, fatal, registry, "
            "registro venenoso...). Um erro abortável aborta a transação e o lote é relido: nada se perde, "
            "mas o lag cresce enquanto ele se repete.",
            "Errors per second of each processor by class (handler error, abortable, fatal, registry, poison "
            "record...). An abortable error aborts the transaction and the batch is read again: nothing is "
            "lost, but the lag grows while it repeats.",
        ),
    ),
    Panel(
        "checkout_latency",
        Text("Checkout até o fim da saga (p95/p99)", "Checkout to end of saga (p95/p99)"),
        "s",
        "line",
        (_q(_quantile(0.95, TERMINAL), "p95"), _q(_quantile(0.99, TERMINAL), "p99")),
        Text(
            "Tempo do checkout até o evento final (confirmado ou cancelado), medido pelo orquestrador quando "
            "a transação com esse evento é confirmada. p99: 99% dos pedidos terminaram em menos que isso nos "
            "últimos 5 minutos (histogram_quantile sobre os buckets do histograma).",
            "Time from checkout to the terminal event (confirmed or cancelled), observed by the orchestrator "
            "when the transaction holding that event commits. p99: 99% of the orders ended faster than this "
            "over the last 5 minutes (histogram_quantile over the histogram's buckets).",
        ),
    ),
    Panel(
        "records_per_processor",
        Text("Registros lidos e escritos por processador", "Records in and out per processor"),
        "ops/s",
        "line",
        (
            _q(
                _rate("pedidos_records_consumed_total", "processor", SVC),
                "{{processor}} lidos",
                "{{processor}} in",
            ),
            _q(
                _rate("pedidos_records_produced_total", "processor", SVC),
                "{{processor}} escritos",
                "{{processor}} out",
            ),
        ),
        Text(
            "Registros por segundo que cada processador consome e produz, só de transações confirmadas. O "
            "orquestrador escreve mais do que lê (um evento vira comandos); o notification só lê.",
            "Records per second each processor consumes and produces, committed transactions only. The "
            "orchestrator writes more than it reads (one event becomes commands); notification only reads.",
        ),
    ),
    Panel(
        "records_per_topic",
        Text("Registros por tópico (processadores)", "Records per topic (processors)"),
        "ops/s",
        "line",
        (
            _q(_rate("pedidos_records_consumed_total", "topic", SVC), "{{topic}} lidos", "{{topic}} in"),
            _q(_rate("pedidos_records_produced_total", "topic", SVC), "{{topic}} escritos", "{{topic}} out"),
        ),
        Text(
            "O mesmo fluxo visto pelos tópicos: quanto os processadores (ou o serviço escolhido) leem e "
            "escrevem em cada tópico por segundo.",
            "The same flow seen per topic: how much the processors (or the chosen service) read from and "
            "write to each topic per second.",
        ),
    ),
    Panel(
        "transactions",
        Text("Transações confirmadas e abortadas", "Transactions committed and aborted"),
        "ops/s",
        "line",
        (
            _q(_rate("pedidos_transactions_committed_total", "processor", SVC), "{{processor}} commit"),
            _q(_rate("pedidos_transactions_aborted_total", "processor", SVC), "{{processor}} abort"),
        ),
        Text(
            "Transações EOS por segundo de cada processador: cada uma grava as saídas e os offsets lidos de "
            "uma vez. Abortos de vez em quando (um rebalanceamento, um broker trocando de líder) são "
            "normais; abortos contínuos, não.",
            "EOS transactions per second of each processor: each writes the outputs and the consumed offsets "
            "at once. An occasional abort (a rebalance, a broker changing leader) is normal; continuous "
            "aborts are not.",
        ),
    ),
    Panel(
        "commit_duration",
        Text("Duração do commit (p99)", "Commit duration (p99)"),
        "s",
        "line",
        (
            _q(
                _quantile(0.99, "pedidos_transaction_commit_duration_seconds", "processor, le", SVC),
                "{{processor}}",
            ),
        ),
        Text(
            "Quanto levam send_offsets_to_transaction e commit_transaction juntos (p99 em 5 minutos): o "
            "custo do exactly-once por lote. Sobe quando o broker ou o coordenador de transações está lento.",
            "How long send_offsets_to_transaction plus commit_transaction take (p99 over 5 minutes): the "
            "price of exactly-once per batch. It rises when the broker or the transaction coordinator is "
            "slow.",
        ),
    ),
    Panel(
        "dlq_and_retries",
        Text("DLQ e retries", "DLQ and retries"),
        "ops/s",
        "line",
        (
            _q(_rate("pedidos_records_dead_lettered_total", "processor", SVC, "5m"), "{{processor}} DLQ"),
            _q(_rate("pedidos_records_retried_total", "processor", SVC, "5m"), "{{processor}} retry"),
        ),
        Text(
            "Registros enviados por segundo para um tópico de retry (tentar de novo mais tarde) e para a DLQ "
            "(desistência, precisa de uma pessoa). A DLQ deveria ficar em zero.",
            "Records sent per second to a retry topic (try again later) and to the DLQ (given up, needs a "
            "person). The DLQ should stay at zero.",
        ),
    ),
    Panel(
        "services_up",
        Text("Serviços no ar", "Services up"),
        "count",
        "line",
        (_q(f'up{{job=~"processors|projector", {SVC}}}', "{{instance}}"),),
        Text(
            "1 quando o Prometheus conseguiu ler o /metrics da instância no último scrape, 0 quando não. Uma "
            "instância morta continua na lista de alvos: aparece aqui como 0 (é o que o alerta usa).",
            "1 when Prometheus could read the instance's /metrics at the last scrape, 0 when not. A dead "
            "instance stays a target: it shows here as 0 (that is what the alert uses).",
        ),
    ),
    Panel(
        "broker_messages_in",
        Text("Broker: mensagens recebidas por tópico", "Broker: messages in per topic"),
        "ops/s",
        "area",
        (_q(_rate("kafka_server_brokertopicmetrics_messagesin_total", "topic", 'topic!=""'), "{{topic}}"),),
        Text(
            "Mensagens por segundo que os brokers gravaram em cada tópico (nos líderes), segundo o JMX do "
            "Kafka. Inclui registros de transações abortadas, que os processadores não contam.",
            "Messages per second the brokers appended to each topic (on the leaders), from Kafka's JMX. It "
            "includes records of aborted transactions, which the processors do not count.",
        ),
    ),
    Panel(
        "broker_bytes",
        Text("Broker: bytes por tópico", "Broker: bytes per topic"),
        "bytes/s",
        "line",
        (
            _q(_rate("kafka_server_brokertopicmetrics_bytesin_total", "topic", 'topic!=""'), "{{topic}} in"),
            _q(
                _rate("kafka_server_brokertopicmetrics_bytesout_total", "topic", 'topic!=""'), "{{topic}} out"
            ),
        ),
        Text(
            "Bytes por segundo que entram (produtores) e saem (consumidores) de cada tópico nos brokers.",
            "Bytes per second coming in (producers) and going out (consumers) of each topic on the brokers.",
        ),
    ),
    Panel(
        "broker_partitions",
        Text("Broker: partições sub-replicadas e offline", "Broker: under-replicated and offline partitions"),
        "count",
        "stat",
        (
            _q(
                "sum(kafka_server_replicamanager_underreplicatedpartitions)",
                "sub-replicadas",
                "under-replicated",
            ),
            _q("sum(kafka_controller_kafkacontroller_offlinepartitionscount)", "offline"),
        ),
        Text(
            "Partições com menos réplicas em sincronia que o fator de replicação, e partições sem líder "
            "(ninguém lê nem escreve). As duas devem ser 0; com um só broker não há réplica para atrasar.",
            "Partitions with fewer in-sync replicas than the replication factor, and partitions without a "
            "leader (nobody reads or writes). Both should be 0; a single broker has no replica to fall "
            "behind.",
        ),
    ),
    Panel(
        "broker_request_latency",
        Text("Broker: latência das requisições (p99)", "Broker: request latency (p99)"),
        "s",
        "line",
        (
            _q(
                f"max by (request) (kafka_network_requestmetrics_totaltime_seconds{{{BROKER_REQUESTS}}})",
                "{{request}}",
            ),
        ),
        Text(
            "Tempo total no broker (fila, processamento, espera das réplicas, resposta) das requisições que "
            "o fluxo usa: produzir, consumir e as chamadas de transação. O p99 é calculado pelo próprio "
            "Kafka.",
            "Total time in the broker (queue, processing, waiting for replicas, response) of the requests "
            "the flow uses: produce, fetch and the transaction calls. Kafka itself computes the p99.",
        ),
    ),
    Panel(
        "active_controller",
        Text("Broker: controlador ativo", "Broker: active controller"),
        "count",
        "stat",
        (_q("sum(kafka_controller_kafkacontroller_activecontrollercount)", "controladores", "controllers"),),
        Text(
            "Quantos nós se dizem controlador ativo do cluster KRaft: deve ser exatamente 1. 0 é um cluster "
            "sem controlador (nenhuma mudança de metadados acontece); mais de 1 seria um split brain.",
            "How many nodes claim to be the KRaft cluster's active controller: it must be exactly 1. 0 is a "
            "cluster without a controller (no metadata change happens); more than 1 would be a split brain.",
        ),
    ),
    Panel(
        "dependencies_up",
        Text("Kafka, registry e PostgreSQL no ar", "Kafka, registry and PostgreSQL up"),
        "count",
        "stat",
        (_q('up{job=~"kafka|registry"}', "{{instance}}"), _q("pg_up", "postgres")),
        Text(
            "1 quando o Prometheus lê as métricas do broker (agente JMX) e do registry, e quando o exporter "
            "consegue se conectar ao PostgreSQL (pg_up); 0 quando não.",
            "1 when Prometheus reads the broker's (JMX agent) and the registry's metrics, and when the "
            "exporter can connect to PostgreSQL (pg_up); 0 when not.",
        ),
    ),
)

BY_ID = {panel.id: panel for panel in PANELS}
