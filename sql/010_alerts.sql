-- 010: os alertas que o Alertmanager entrega ao gateway (POST /api/alerts/webhook), para o cabeçalho do painel.
-- Uma linha por episódio de um alerta: o fingerprint (hash dos labels, dado pelo Alertmanager) e o início
-- (startsAt); o mesmo alerta que volta a disparar depois de resolvido é outro episódio, outra linha.
CREATE TABLE alerts (
    fingerprint  text NOT NULL,
    starts_at    timestamptz NOT NULL,
    name         text NOT NULL,                       -- labels.alertname
    status       text NOT NULL CHECK (status IN ('firing', 'resolved')),
    labels       jsonb NOT NULL,
    annotations  jsonb NOT NULL,
    ends_at      timestamptz,                         -- nulo enquanto dispara
    received_at  timestamptz NOT NULL DEFAULT now(),  -- a última notificação recebida deste episódio
    PRIMARY KEY (fingerprint, starts_at)
);
-- GET /api/alerts lê os que disparam e os resolvidos da última hora.
CREATE INDEX alerts_status_ends_at ON alerts (status, ends_at);
