import { describe, expect, it } from 'vitest';
import { defaultFilters, ordersQuery, statusOptions, statusTone, touchesOrder } from './orders';

describe('orders filters', () => {
  it('builds the query with only the filters in use', () => {
    expect(ordersQuery({ ...defaultFilters(), window: 'all' })).toBe('?limit=100');
    expect(ordersQuery({ q: ' ab ', customer: 'c-0001', status: 'paid', window: '5m', limit: 50 })).toBe(
      '?status=paid&q=ab&customer=c-0001&since_s=300&limit=50',
    );
    expect(ordersQuery({ ...defaultFilters(), window: '1h' })).toContain('since_s=3600');
  });
  it('lists known statuses then unknown ones, with counts', () => {
    const opts = statusOptions({ paid: 3, weird: 1 });
    expect(opts[0]).toEqual({ status: 'created', count: 0 });
    expect(opts.find((o) => o.status === 'paid')?.count).toBe(3);
    expect(opts[opts.length - 1]).toEqual({ status: 'weird', count: 1 });
  });
  it('colours statuses', () => {
    expect(statusTone('confirmed')).toBe('ok');
    expect(statusTone('cancelled')).toBe('bad');
    expect(statusTone('payment_failed')).toBe('bad');
    expect(statusTone('refund_pending')).toBe('comp');
    expect(statusTone('paid')).toBe('wait');
  });
  it('detects batches touching the selected order', () => {
    expect(touchesOrder([{ order_id: 'a' }, { order_id: 'b' }], 'b')).toBe(true);
    expect(touchesOrder([{ order_id: 'a' }], 'b')).toBe(false);
    expect(touchesOrder([{ order_id: 'a' }], null)).toBe(false);
  });
});
