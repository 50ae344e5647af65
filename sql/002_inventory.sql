-- 002: estoque e reservas (serviço inventory, ARCHITECTURE 6).
-- O efeito colateral do inventory vive aqui, fora da transação Kafka; 003 o torna "effectively once".

CREATE TABLE stock (
    product_id  text PRIMARY KEY REFERENCES products (product_id),
    -- A proteção principal contra vender além do estoque é o UPDATE condicional
    -- (SET available = available - q WHERE available >= q): 0 linhas = sem estoque.
    -- Os CHECKs são a última barreira: um bug vira erro, nunca estoque negativo (auditoria P9).
    available   integer     NOT NULL CHECK (available >= 0),
    reserved    integer     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
    reservation_id text PRIMARY KEY,
    -- UNIQUE: no máximo uma reserva por pedido, mesmo com replays ou processadores zumbis.
    -- Uma liberação que chega antes da reserva (timeout) pode gravar aqui uma linha já 'released'
    -- com items '[]', o que impede uma reserva tardia para o mesmo pedido.
    order_id       text        NOT NULL UNIQUE,
    status         text        NOT NULL CHECK (status IN ('reserved', 'released')),
    items          jsonb       NOT NULL CHECK (jsonb_typeof(items) = 'array'),  -- [{"product_id", "quantity"}]
    created_at     timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    CHECK ((status = 'released') = (released_at IS NOT NULL))
);

CREATE INDEX reservations_live_idx ON reservations (status) WHERE status = 'reserved';

-- Conservação do estoque para `tools verify` (P9): stock.reserved deve ser igual à soma das
-- quantidades das reservas vivas. Uma linha com reserved <> reserved_by_reservations é violação.
CREATE VIEW stock_reservation_check AS
SELECT s.product_id,
       s.available,
       s.reserved,
       COALESCE(r.qty, 0)::integer AS reserved_by_reservations
FROM stock s
LEFT JOIN (
    SELECT i.product_id, sum(i.quantity) AS qty
    FROM reservations res
    CROSS JOIN LATERAL jsonb_to_recordset(res.items) AS i(product_id text, quantity integer)
    WHERE res.status = 'reserved'
    GROUP BY i.product_id
) r ON r.product_id = s.product_id;
