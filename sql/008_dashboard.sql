-- 008: o que o painel precisa além do read model.
-- order_events ganha os dois instantes que separam "tempo no broker" de "tempo no serviço":
--   record_ts   = timestamp do registro Kafka (quando o serviço o produziu);
--   consumed_at = quando o serviço que o produziu consumiu o evento que o causou (cabeçalho
--                 pedidos-consumed-at, posto pelo runtime EOS). Nulos para eventos anteriores a esta versão.
ALTER TABLE order_events ADD COLUMN record_ts timestamptz, ADD COLUMN consumed_at timestamptz;

-- Taxa do gerador de tráfego, ajustável pelo painel: `pedidos traffic --follow` relê a cada segundo.
CREATE TABLE traffic_control (
    id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),   -- uma linha só
    rate        double precision NOT NULL CHECK (rate >= 0 AND rate <= 200),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
