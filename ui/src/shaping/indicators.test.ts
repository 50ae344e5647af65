import { describe, expect, it } from 'vitest';
import type { Indicators } from '../api/types';
import { appendKpiHistory, seriesRows, stageRows } from './indicators';

const ind = (at: number): Indicators => ({
  at,
  window_s: 300,
  orders_per_min: 12,
  success_rate: 0.93,
  payment_approval_rate: 0.95,
  stock_failures: 3,
  dlq_per_min: 0,
  stages: { payment: { p50: 120, p95: 300, p99: 450 }, end_to_end: { p50: 900, p95: 1500, p99: 2000 } },
  series: [
    { at: 20, placed: 2, confirmed: 1, cancelled: 0, dead_lettered: 0 },
    { at: 10, placed: 1, confirmed: 1, cancelled: 0, dead_lettered: 0 },
  ],
});

describe('indicators', () => {
  it('makes stage rows in pipeline order, skipping missing stages', () => {
    expect(stageRows(ind(1)).map((r) => r.stage)).toEqual(['payment', 'end_to_end']);
    expect(stageRows(null)).toEqual([]);
  });
  it('appends KPI points once per message time, capped', () => {
    let h = appendKpiHistory([], ind(1));
    h = appendKpiHistory(h, ind(1));
    expect(h).toHaveLength(1);
    h = appendKpiHistory(h, ind(2), 2);
    h = appendKpiHistory(h, ind(3), 2);
    expect(h.map((p) => p.at)).toEqual([2, 3]);
    expect(h[0]!.success_rate).toBe(0.93);
  });
  it('sorts the series by time', () => {
    expect(seriesRows(ind(1)).map((r) => r.at)).toEqual([10, 20]);
  });
});
