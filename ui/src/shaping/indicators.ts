// Indicators panel shaping: KPI tiles, per-stage percentiles, series rows, KPI sparklines.
import type { Indicators, StageName } from '../api/types';

export const STAGES: StageName[] = ['payment', 'inventory', 'confirmation', 'end_to_end'];

export type KpiKey = 'orders_per_min' | 'success_rate' | 'payment_approval_rate' | 'stock_failures' | 'dlq_per_min';

export const KPIS: { key: KpiKey; kind: 'rate' | 'ratio' | 'count' }[] = [
  { key: 'orders_per_min', kind: 'rate' },
  { key: 'success_rate', kind: 'ratio' },
  { key: 'payment_approval_rate', kind: 'ratio' },
  { key: 'stock_failures', kind: 'count' },
  { key: 'dlq_per_min', kind: 'rate' },
];

export interface StageRow {
  stage: StageName;
  p50: number;
  p95: number;
  p99: number;
}

/** One bar group per stage (stages the server did not send are left out). */
export function stageRows(ind: Indicators | null): StageRow[] {
  if (!ind) return [];
  return STAGES.flatMap((stage) => {
    const s = ind.stages[stage];
    return s ? [{ stage, p50: s.p50 ?? 0, p95: s.p95 ?? 0, p99: s.p99 ?? 0 }] : [];
  });
}

export type KpiPoint = { at: number } & Record<KpiKey, number>;

/** Client-side history of the KPI values (one point per `indicators` message), capped. */
export function appendKpiHistory(history: KpiPoint[], ind: Indicators, max = 180): KpiPoint[] {
  const last = history[history.length - 1];
  if (last && last.at >= ind.at) return history;
  const point: KpiPoint = {
    at: ind.at,
    orders_per_min: ind.orders_per_min,
    success_rate: ind.success_rate,
    payment_approval_rate: ind.payment_approval_rate,
    stock_failures: ind.stock_failures,
    dlq_per_min: ind.dlq_per_min,
  };
  const next = history.concat(point);
  return next.slice(Math.max(0, next.length - max));
}

/** Series sorted by time (the chart's x axis). */
export const seriesRows = (ind: Indicators | null) => (ind ? [...ind.series].sort((a, b) => a.at - b.at) : []);
