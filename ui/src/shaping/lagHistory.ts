// Lag over time: the HTTP history (10 min, one point per 2 s) then one point per `cluster` message.
import type { Cluster, LagPoint } from '../api/types';
import { groupTotals } from './groups';

export const HISTORY_WINDOW_MS = 10 * 60 * 1000;

export function pointFromCluster(cluster: Cluster): LagPoint {
  return { at: cluster.at, ...groupTotals(cluster) };
}

/** Merges points by `at` (the newer copy wins), sorted ascending, keeping only the last window. */
export function mergeLagHistory(points: LagPoint[], incoming: LagPoint[], windowMs = HISTORY_WINDOW_MS): LagPoint[] {
  const byAt = new Map<number, LagPoint>();
  for (const p of points) byAt.set(p.at, p);
  for (const p of incoming) byAt.set(p.at, p);
  const sorted = [...byAt.values()].sort((a, b) => a.at - b.at);
  const last = sorted[sorted.length - 1];
  if (!last) return [];
  const cutoff = last.at - windowMs;
  return sorted.filter((p) => p.at >= cutoff);
}

export type LagUnit = 'messages' | 'seconds';

/** Every group that appears anywhere in the history, sorted. */
export function historyGroups(points: LagPoint[]): string[] {
  const groups = new Set<string>();
  for (const p of points) for (const g of Object.keys(p.lag)) groups.add(g);
  return [...groups].sort();
}

/** Rows for a Recharts line chart: `{at, <group>: value}`; missing values are left out (gaps). */
export function lagChartRows(points: LagPoint[], unit: LagUnit): Record<string, number>[] {
  return points.map((p) => ({ at: p.at, ...(unit === 'messages' ? p.lag : p.lag_seconds) }));
}
