-- 009: de onde veio cada evento já processado (tópico, partição, offset da entrada), para o inbox
-- distinguir duas chegadas do MESMO event_id:
--   * no mesmo offset: a transação Kafka da primeira vez abortou (crash depois do COMMIT do banco) e a
--     entrada foi relida; a saída guardada é reemitida (003);
--   * noutro offset: é uma cópia (um replay da DLQ, `pedidos dlq replay`) de um evento que já fez efeito;
--     a primeira vez já está confirmada no Kafka (mesma partição, offset menor), então nada é reemitido.
-- O pagamento também passa a registrar aqui os eventos que cobrou (consumer = 'payment'), sem saída
-- guardada: a decisão dele é função pura do pedido e é recalculada.
-- Linhas anteriores a esta versão ficam com a origem nula e mantêm o comportamento antigo (reemitir).

ALTER TABLE processed_events
    ADD COLUMN source_topic     text,
    ADD COLUMN source_partition integer,
    ADD COLUMN source_offset    bigint;
