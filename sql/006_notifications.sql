-- 006: notificações enviadas ao cliente.
-- order_id UNIQUE: uma notificação por pedido terminado (auditoria P11). Um replay depois de um
-- crash esbarra na restrição em vez de notificar o cliente de novo; a saída reemitida vem de
-- processed_events (003).

CREATE TABLE notifications (
    notification_id text PRIMARY KEY,
    order_id        text        NOT NULL UNIQUE,
    event_id        uuid        NOT NULL,  -- event_id do evento terminal (orders.confirmed/cancelled) de entrada
    customer_id     text        NOT NULL,
    channel         text        NOT NULL,
    message         text        NOT NULL,
    order_status    text        NOT NULL,  -- confirmed | cancelled
    created_at      timestamptz NOT NULL DEFAULT now()
);
