// An order's story, every sentence of it, pt-BR first: the step each event tells (keyed by event_type; {ms} is
// the step's time, step_ms from GET /api/orders/<id>, the other placeholders are payload fields) and the retry
// hops between them. The gateway sends only facts; shaping/narration.ts fills these in. Spread into pt.ts and
// en.ts (the type checker keeps the keys equal).
export const storyPt = {
  'story.OrderPlaced': 'Pedido recebido no checkout: {items} item(ns), total R$ {total_amount}.',
  'story.PaymentRequested': 'Cobrança de R$ {amount} solicitada.',
  'story.PaymentConfirmed': 'Pagamento aprovado em {ms} ms.',
  'story.PaymentFailed': 'Pagamento recusado ({reason}) em {ms} ms.',
  'story.StockReserved': 'Estoque reservado em {ms} ms.',
  'story.StockReservationFailed': 'Estoque insuficiente ({reason}): a saga vai compensar.',
  'story.RefundRequested': 'Estorno de R$ {amount} solicitado.',
  'story.PaymentRefunded': 'Pagamento estornado em {ms} ms.',
  'story.StockReleaseRequested': 'Liberação da reserva solicitada.',
  'story.StockReleased': 'Reserva de estoque liberada.',
  'story.OrderConfirmed': 'Pedido confirmado e pronto para envio.',
  'story.OrderCancelled': 'Pedido cancelado: {reason}.',
  'story.NotificationSent': 'Cliente avisado por {channel}: pedido {order_status}.',
  'retry.narration': 'O processador falhou ({error}) e adiou o registro em vez de travar a partição.',
  'retry.narration.dlq': 'As retentativas acabaram ({error}): o registro foi para a dead letter queue.',
};

export const storyEn: Record<keyof typeof storyPt, string> = {
  'story.OrderPlaced': 'Order accepted at checkout: {items} item(s), total R$ {total_amount}.',
  'story.PaymentRequested': 'Charge of R$ {amount} requested.',
  'story.PaymentConfirmed': 'Payment approved in {ms} ms.',
  'story.PaymentFailed': 'Payment declined ({reason}) in {ms} ms.',
  'story.StockReserved': 'Stock reserved in {ms} ms.',
  'story.StockReservationFailed': 'Not enough stock ({reason}): the saga will compensate.',
  'story.RefundRequested': 'Refund of R$ {amount} requested.',
  'story.PaymentRefunded': 'Payment refunded in {ms} ms.',
  'story.StockReleaseRequested': 'Stock release requested.',
  'story.StockReleased': 'Stock reservation released.',
  'story.OrderConfirmed': 'Order confirmed, ready to ship.',
  'story.OrderCancelled': 'Order cancelled: {reason}.',
  'story.NotificationSent': 'Customer notified by {channel}: order {order_status}.',
  'retry.narration': 'The processor failed ({error}) and put the record off instead of blocking the partition.',
  'retry.narration.dlq': 'Retries exhausted ({error}): the record went to the dead letter queue.',
};
