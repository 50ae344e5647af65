-- 005: read model do painel, mantido pelo projector.
-- O projector não usa transações Kafka: grava os upserts E os offsets consumidos (consumer_offsets)
-- na MESMA transação do banco, e ao receber partições faz seek para next_offset. Assim um crash
-- nunca separa "dado aplicado" de "offset avançado" (padrão B da pesquisa de EOS).

CREATE TABLE orders (
    order_id          text PRIMARY KEY,
    -- Nulos porque os tópicos são consumidos em paralelo: um evento de pagamento pode ser
    -- projetado antes do orders.new do mesmo pedido.
    customer_id       text,
    status            text          NOT NULL,
    total_amount      numeric(12,2),
    correlation_id    text,
    -- occurred_at do evento que definiu o status: o projector só troca o status por um de
    -- evento mais novo (ou terminal), evitando regressão entre tópicos.
    status_changed_at timestamptz,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_created_at_idx ON orders (created_at DESC);

-- Linha do tempo de cada pedido ("a história do pedido" no painel).
CREATE TABLE order_events (
    event_id     uuid PRIMARY KEY,       -- dedup: o mesmo evento nunca aparece duas vezes
    order_id     text        NOT NULL,
    event_type   text        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    payload      jsonb       NOT NULL
);

CREATE INDEX order_events_order_idx ON order_events (order_id, occurred_at);

CREATE TABLE consumer_offsets (
    consumer_group text    NOT NULL,
    topic          text    NOT NULL,
    partition      integer NOT NULL,
    -- Próximo offset a ler (último processado + 1), convenção do commit do Kafka.
    -- Atualizar com compare-and-set (WHERE next_offset = :esperado) também barra um consumidor
    -- que perdeu a partição num rebalance.
    next_offset    bigint  NOT NULL CHECK (next_offset >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);
