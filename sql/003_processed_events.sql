-- 003: registro "effectively once" dos passos com efeito em PostgreSQL (inventory, notification).
-- Numa única transação do banco o processador: insere (consumer, event_id) com ON CONFLICT DO NOTHING,
-- aplica o efeito só se a linha é nova, e grava aqui o evento de saída que produziu.
-- Por que guardar a saída: se o processo cai depois do COMMIT do banco e antes do commit Kafka,
-- a transação Kafka é abortada e a entrada é reprocessada; o conflito na PK encontra esta linha,
-- o efeito NÃO é reaplicado e os MESMOS bytes (mesmo event_id) são reemitidos na nova transação.
-- Recalcular a saída poderia dar outra decisão (o estoque mudou no meio-tempo).
-- Retenção: manter as linhas pelo menos enquanto a entrada puder ser relida (retenção do tópico).

CREATE TABLE processed_events (
    consumer      text        NOT NULL,  -- grupo/serviço que processou (inventory, notification)
    event_id      uuid        NOT NULL,  -- event_id do evento de ENTRADA
    order_id      text        NOT NULL,
    output_topic  text,                  -- null quando a entrada não gera saída
    output_key    text,
    output_value  bytea,                 -- bytes já serializados (wire format do registry, com schema id)
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id),
    CHECK (output_topic IS NOT NULL OR output_value IS NULL)
);

CREATE INDEX processed_events_order_idx ON processed_events (order_id);
CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at);  -- poda por idade
