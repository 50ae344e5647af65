-- 004: idempotência do checkout no gateway.
-- O produtor idempotente do Kafka só elimina duplicatas dos próprios retries, dentro de uma sessão;
-- um cliente que repete o POST (ou um gateway que reinicia) precisa desta tabela para não gerar
-- um segundo pedido (auditoria P12).

CREATE TABLE idempotency_keys (
    idempotency_key text PRIMARY KEY,
    order_id        text        NOT NULL UNIQUE,
    -- Hash do corpo da requisição: a mesma chave com outro corpo é erro do cliente (409/422),
    -- não um retry; com o mesmo corpo, devolve-se o order_id já criado.
    request_hash    text        NOT NULL,
    correlation_id  text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
