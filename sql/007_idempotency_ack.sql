-- 007: marca de confirmação do broker na chave de idempotência do checkout.
-- A chave é gravada ANTES de produzir; acknowledged_at só é preenchido quando o broker confirmou
-- (acks=all) o orders.new. Um retry com a mesma chave e o mesmo corpo:
--   acknowledged_at preenchido -> devolve o mesmo order_id (202, Idempotent-Replay) sem produzir de novo;
--   acknowledged_at nulo (a 1a tentativa respondeu 503 ou caiu) -> produz agora, com o mesmo order_id.

ALTER TABLE idempotency_keys ADD COLUMN acknowledged_at timestamptz;
