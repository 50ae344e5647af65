// Order list filters -> query string, and order status vocabulary (processors/projector/domain.py).

export type TimeWindow = '5m' | '1h' | 'all';

export interface OrderFilters {
  q: string;
  customer: string;
  status: string;
  window: TimeWindow;
  limit?: number;
}

export const WINDOW_SECONDS: Record<TimeWindow, number | null> = { '5m': 300, '1h': 3600, all: null };

/** Statuses the read model uses, in flow order. */
export const ORDER_STATUSES = [
  'created',
  'payment_pending',
  'paid',
  'payment_failed',
  'stock_reserved',
  'stock_failed',
  'refund_pending',
  'release_pending',
  'refunded',
  'stock_released',
  'confirmed',
  'cancelled',
] as const;

export const defaultFilters = (): OrderFilters => ({ q: '', customer: '', status: '', window: '1h', limit: 100 });

/** "?q=ab&since_s=300&limit=100": empty filters are left out. */
export function ordersQuery(f: OrderFilters): string {
  const params = new URLSearchParams();
  if (f.status) params.set('status', f.status);
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.customer.trim()) params.set('customer', f.customer.trim());
  const since = WINDOW_SECONDS[f.window];
  if (since !== null) params.set('since_s', String(since));
  params.set('limit', String(f.limit ?? 100));
  return `?${params.toString()}`;
}

/** Status options for the select: the known ones, then any the server reported in `counts`. */
export function statusOptions(counts: Record<string, number>): { status: string; count: number }[] {
  const known: string[] = [...ORDER_STATUSES];
  const extra = Object.keys(counts).filter((s) => !known.includes(s)).sort();
  return known.concat(extra).map((status) => ({ status, count: counts[status] ?? 0 }));
}

export type StatusTone = 'ok' | 'bad' | 'wait' | 'comp';

/** Colour family of a status badge. */
export function statusTone(status: string): StatusTone {
  if (status === 'confirmed') return 'ok';
  if (status === 'cancelled' || status.endsWith('_failed') || status === 'dlq') return 'bad';
  if (status.startsWith('refund') || status.startsWith('release') || status === 'stock_released') return 'comp';
  return 'wait';
}

/** Does an incoming WebSocket batch touch this order? */
export const touchesOrder = (events: { order_id: string }[], orderId: string | null): boolean =>
  orderId !== null && events.some((e) => e.order_id === orderId);
