-- 001: catálogo (produtos e clientes).
-- Fonte da verdade para o seed; os tópicos compactados `products` e `customers` são o espelho em Kafka.

CREATE TABLE products (
    product_id  text PRIMARY KEY,
    name        text          NOT NULL,
    category    text          NOT NULL,
    price       numeric(12,2) NOT NULL CHECK (price > 0),   -- mesma escala do decimal(12,2) do Avro
    active      boolean       NOT NULL DEFAULT true,        -- produtos saem do catálogo sem apagar histórico
    updated_at  timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX products_category_idx ON products (category);

CREATE TABLE customers (
    customer_id text PRIMARY KEY,
    name        text        NOT NULL,
    email       text        NOT NULL,
    city        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
